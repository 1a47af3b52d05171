"""One person's data, exported by staff on the person's request (PIPL art. 45: a copy of
what is held about them): a volunteer or an elder of the actor's communities, as one
Excel workbook, a sheet per part, in the reader's language.

A volunteer's workbook is the one they download themselves from 我的信息
(services/my_data.py). An elder's holds every row about them: the record (sensitive
fields too: it is the person's own data, handed to them), who is assigned to visit
them, every visit, referral, major change and campaign, the residents' cases linked to
them or raised under their name in their community (the `linked` column says which, so
a namesake is checked before the file is handed over), the changes to the record and
who looked at it.

Only staff (secretary, street admin) export, and each export is written to the access
log and the audit trail in the transaction that builds the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

import pandas as pd
from sqlmodel import Session, col, or_, select

from models.accounts import Account
from models.cases import Case
from models.elders import Elder, ElderChange, ElderVisitor, Referral, Visit, VisitCampaign
from models.elders import VisitCampaignElder as CampaignElder
from models.org import Community, Grid
from models.volunteers import Volunteer
from services import my_data
from services.access import STAFF, Actor, get_scoped, mask_phone
from services.errors import BoardError
from services.exports import export_file_name, frame_excel
from services.i18n import translator
from services.my_data import Translate
from services.visit_content import AREAS, area_text, content_of

RECORD_TYPES = ("volunteer", "elder")
PAGE = "corrections"  # the staff page the export is made on
CHOICES_LIMIT = 5000


@dataclass(frozen=True)
class PersonChoice:
    """A person staff may export, as the picker lists them (phone masked: it only tells
    two namesakes apart)."""

    id: int
    name: str
    community: str
    phone: str
    active: bool


def person_choices(*, session: Session, actor: Actor, record_type: str) -> list[PersonChoice]:
    """The volunteers or elders of the actor's communities, by name (inactive ones too:
    their data is still held)."""
    actor.require(STAFF)
    model = _model(record_type)
    stmt = (
        select(model, col(Community.name))
        .join(Community, col(Community.id) == model.community_id)
        .order_by(col(model.name), col(model.id))
        .limit(CHOICES_LIMIT)
    )
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(model.community_id).in_(ids))
    # select() of a model chosen at run time is typed as SQLModel
    people = cast(list[tuple[Volunteer | Elder, str]], session.exec(stmt).all())
    return [
        PersonChoice(p.id, p.name, community, mask_phone(p.phone) if p.phone else "", p.active)
        for p, community in people
    ]


def _model(record_type: str) -> type[Volunteer] | type[Elder]:
    if record_type == "volunteer":
        return Volunteer
    if record_type == "elder":
        return Elder
    raise BoardError("person_export.unknown_type")


def person_export_name(
    *,
    session: Session,
    actor: Actor,
    record_type: str,
    record_id: int,
    lang: str,
    today: date,
) -> str:
    """The file's name: 个人信息_张志愿_2026-11-25.xlsx."""
    person = get_scoped(session, actor, _model(record_type), record_id)
    return my_data.file_name(person.name, translator(lang), today)


def person_export(
    *,
    session: Session,
    actor: Actor,
    record_type: str,
    record_id: int,
    lang: str,
    today: date,
) -> bytes:
    """The workbook of one volunteer's or elder's data, logged as an export."""
    tr = translator(lang)
    if record_type == "volunteer":
        volunteer = get_scoped(session, actor, Volunteer, record_id)
        data = my_data.volunteer_data(session, actor, volunteer, limit=None)
        sheets = my_data.data_sheets(data, tr)
        name, community_id = volunteer.name, volunteer.community_id
    else:
        elder = get_scoped(session, actor, _model(record_type), record_id)
        assert isinstance(elder, Elder)
        sheets = _elder_sheets(session, elder, tr)
        name, community_id = elder.name, elder.community_id
    my_data.log_export(
        session,
        actor,
        record_type=record_type,
        record_id=record_id,
        community_id=community_id,
        page=PAGE,
        name=my_data.file_name(name, tr, today),
        sheets=len(sheets),
    )
    return frame_excel(sheets)


# --- an elder's sheets --------------------------------------------------------------------


def _elder_record(session: Session, elder: Elder, tr: Translate) -> pd.DataFrame:
    community = session.get(Community, elder.community_id)
    grid = session.get(Grid, elder.grid_id) if elder.grid_id else None
    yes = tr("common.yes" if elder.active else "common.no")
    rows = [
        ("name", elder.name),
        ("birth_date", elder.birth_date.isoformat()),
        ("gender", elder.gender),
        ("phone", elder.phone),
        ("address", elder.address),
        ("community", community.name if community else ""),
        ("grid", grid.name if grid else ""),
        (
            "situations",
            "、".join(tr(f"elders.situation.{s}") for s in elder.situations.split(",") if s),
        ),
        ("care_level", elder.care_level),
        ("health_notes", elder.health_notes),
        ("guardian_name", elder.guardian_name),
        ("guardian_phone", elder.guardian_phone),
        ("registered_on", elder.registered_on.isoformat()),
        ("active", yes),
        ("deactivated_reason", elder.deactivated_reason),
        ("deactivated_on", elder.deactivated_on.isoformat() if elder.deactivated_on else ""),
    ]
    return pd.DataFrame(
        [(tr(f"person_export.elder.{k}"), v) for k, v in rows],
        columns=[tr("my_data.col.item"), tr("my_data.col.content")],
    )


def _visitors(session: Session, elder: Elder, tr: Translate) -> pd.DataFrame:
    rows = session.exec(
        select(col(Account.display_name), col(Account.role))
        .join(ElderVisitor, col(ElderVisitor.account_id) == Account.id)
        .where(ElderVisitor.elder_id == elder.id)
        .order_by(col(Account.display_name))
    ).all()
    return pd.DataFrame(
        [(name, tr(f"role.{role}")) for name, role in rows],
        columns=[tr("person_export.col.visitor"), tr("my_data.role")],
    )


def _visits(session: Session, elder: Elder, tr: Translate) -> pd.DataFrame:
    visits = session.exec(
        select(Visit)
        .where(Visit.elder_id == elder.id)
        .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc())
    ).all()
    contents = [content_of(v) for v in visits]
    return pd.DataFrame(
        {
            tr("person_export.col.day"): [v.visited_on.isoformat() for v in visits],
            tr("person_export.col.mode"): [tr(f"visits.mode.{v.mode}") for v in visits],
            tr("person_export.col.visitor"): [v.visitor_name for v in visits],
            tr("person_export.col.wellbeing"): [
                tr(f"visits.wellbeing.{v.wellbeing}") if v.wellbeing else "" for v in visits
            ],
            **{
                tr(f"visits.area.{area}"): [area_text(content, area, tr) for content in contents]
                for area in AREAS
            },
            tr("person_export.col.follow_up"): [v.follow_up for v in visits],
            tr("person_export.col.voided"): [
                tr("common.yes" if v.voided else "common.no") for v in visits
            ],
            tr("person_export.col.fix_reason"): [v.fix_reason for v in visits],
        }
    )


def _referrals(session: Session, elder: Elder, tr: Translate) -> pd.DataFrame:
    rows = session.exec(
        select(Referral).where(Referral.elder_id == elder.id).order_by(col(Referral.id).desc())
    ).all()
    return pd.DataFrame(
        {
            tr("person_export.col.day"): [r.created_on.isoformat() for r in rows],
            tr("person_export.col.service"): [r.service for r in rows],
            tr("person_export.col.need"): [r.need for r in rows],
            tr("person_export.col.due"): [r.due_on.isoformat() for r in rows],
            tr("person_export.col.state"): [tr(f"person_export.referral.{r.state}") for r in rows],
            tr("person_export.col.closed_on"): [
                r.closed_on.isoformat() if r.closed_on else "" for r in rows
            ],
            tr("person_export.col.closure"): [r.closure_note for r in rows],
        }
    )


def _major_changes(session: Session, elder: Elder, tr: Translate) -> pd.DataFrame:
    rows = session.exec(
        select(ElderChange)
        .where(ElderChange.elder_id == elder.id)
        .order_by(col(ElderChange.occurred_on).desc())
    ).all()
    return pd.DataFrame(
        {
            tr("person_export.col.day"): [c.occurred_on.isoformat() for c in rows],
            tr("person_export.col.change"): [tr(f"elders.change.{c.kind}") for c in rows],
            tr("person_export.col.note"): [c.note for c in rows],
        }
    )


def _campaigns(session: Session, elder: Elder, tr: Translate) -> pd.DataFrame:
    rows = session.exec(
        select(VisitCampaign)
        .join(CampaignElder, col(CampaignElder.campaign_id) == VisitCampaign.id)
        .where(CampaignElder.elder_id == elder.id)
        .order_by(col(VisitCampaign.starts_on).desc())
    ).all()
    return pd.DataFrame(
        {
            tr("person_export.col.campaign"): [c.name for c in rows],
            tr("person_export.col.day"): [c.starts_on.isoformat() for c in rows],
        }
    )


def _cases(session: Session, elder: Elder, tr: Translate) -> pd.DataFrame:
    """Cases linked to the elder, and cases raised under their name in their community."""
    rows = session.exec(
        select(Case)
        .where(
            or_(
                col(Case.elder_id) == elder.id,
                (col(Case.community_id) == elder.community_id)
                & (col(Case.resident_name) == elder.name),
            )
        )
        .order_by(col(Case.reported_at).desc())
    ).all()
    return pd.DataFrame(
        {
            tr("person_export.col.number"): [c.number for c in rows],
            tr("person_export.col.day"): [my_data.when_text(c.reported_at) for c in rows],
            tr("person_export.col.category"): [tr(f"cases.category.{c.category}") for c in rows],
            tr("person_export.col.state"): [tr(f"cases.status.{c.status}") for c in rows],
            tr("person_export.col.description"): [c.description for c in rows],
            tr("person_export.col.result"): [c.result for c in rows],
            tr("person_export.col.linked"): [
                tr(
                    "person_export.linked.record"
                    if c.elder_id == elder.id
                    else "person_export.linked.name"
                )
                for c in rows
            ],
        }
    )


def _elder_sheets(session: Session, elder: Elder, tr: Translate) -> dict[str, pd.DataFrame]:
    changes = my_data.record_changes(session, "elder", elder.id, None, None)
    access = my_data.record_access(session, "elder", elder.id, None, None)
    return {
        tr("person_export.part.record"): _elder_record(session, elder, tr),
        tr("person_export.part.visitors"): _visitors(session, elder, tr),
        tr("person_export.part.visits"): _visits(session, elder, tr),
        tr("person_export.part.referrals"): _referrals(session, elder, tr),
        tr("person_export.part.changes"): _major_changes(session, elder, tr),
        tr("person_export.part.campaigns"): _campaigns(session, elder, tr),
        tr("person_export.part.cases"): _cases(session, elder, tr),
        tr("my_data.part.changes"): my_data.changes_frame(changes, tr),
        tr("my_data.part.access"): my_data.access_frame(access, tr),
    }


# --- a volunteer's service record ---------------------------------------------------------


def service_record_export(
    *, session: Session, actor: Actor, volunteer_id: int, lang: str, today: date
) -> bytes:
    """A volunteer's service record as staff hand it out from the volunteers page: the
    approved hours (签到 and 补录 apart) and every sign-up with its hours, logged as an
    export of the volunteer's record (page "volunteers") like any other file of one
    person's data."""
    tr = translator(lang)
    volunteer = get_scoped(session, actor, Volunteer, volunteer_id)
    data = my_data.volunteer_data(session, actor, volunteer, limit=0)
    totals = pd.DataFrame(
        {
            tr("volunteers.name"): [volunteer.name],
            tr("signups.source.check"): [data.approved_check],
            tr("signups.source.staff"): [data.approved_staff],
            tr("volunteers.approved_hours"): [round(data.approved_check + data.approved_staff, 2)],
        }
    )
    sheets = {
        tr("volunteers.record_totals"): totals,
        tr("volunteers.record"): my_data.services_frame(data.services, tr),
    }
    my_data.log_export(
        session,
        actor,
        record_type="volunteer",
        record_id=volunteer.id,
        community_id=volunteer.community_id,
        page="volunteers",
        name=service_record_name(volunteer.name, tr, today),
        sheets=len(sheets),
    )
    return frame_excel(sheets)


def service_record_name(person: str, tr: Translate, today: date) -> str:
    """服务记录_张志愿_2026-11-25.xlsx"""
    return export_file_name(tr("volunteers.record"), person, today, "xlsx")
