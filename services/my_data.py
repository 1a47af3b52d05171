"""我的信息: everything the board holds about one volunteer, for the volunteer themself
(PIPL art. 45: 查阅、复制) and for the staff who export it on the person's request
(services/person_export.py).

The parts: the profile, the sign-in account, teams, every sign-up with its hours and who
confirmed them, the star level, the certificates issued, the correction requests and
their outcome (services/corrections.py), the changes made to the record, and who looked
at or took away the record (the access log, services/access_log.py).

Who looked: the volunteer reads when, the role (社区书记, 街道管理员, …), what was done
(viewed, exported, printed) and on which page, not the name of the staff member: the
law asks that the person can know how their data is handled, and a name would turn the
office's staff into personal data handed out; the access log keeps the account for the
admin who must answer a complaint.

A volunteer reaches only their own record: `my_data` takes no volunteer id, it follows
the signed-in account's link. The download is one Excel workbook, a sheet per part, in
the reader's language, every cell inert (services/exports.frame_excel), and is logged in
the access log and the audit trail like every export of personal data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from models.accounts import Account
from models.audit import AuditEntry
from models.base import local
from models.org import Community, Grid
from models.privacy import AccessKind, AccessLogEntry
from models.volunteers import HoursSource, HoursStatus, Signup, Task, Team, TeamMember, Volunteer
from services import access_log, audit, certificates, corrections, volunteers
from services.access import Actor, page_spec
from services.certificates import IssuedCertificate
from services.corrections import CorrectionLine
from services.errors import BoardError
from services.exports import export_file_name, frame_excel
from services.i18n import translator
from services.stars import StarLevel, star_level, star_thresholds

RECORD_TYPE = "volunteer"  # the access log's name for a volunteer's record
PAGE = "my_data"
LOG_LIMIT = 500  # access-log and change lines shown (the export holds every one)

Translate = Callable[..., str]


@dataclass(frozen=True)
class Profile:
    name: str
    gender: str
    phone: str
    community: str
    grid: str
    skills: tuple[str, ...]  # skill codes (volunteers.SKILLS)
    party_member: bool
    joined_on: date
    active: bool
    note: str


@dataclass(frozen=True)
class AccountPart:
    username: str
    role: str
    created_at: datetime
    active: bool


@dataclass(frozen=True)
class TeamLine:
    team: str
    joined_on: date | None  # None: leads the team without being a member
    member: bool  # an active membership
    leader: bool
    team_active: bool


@dataclass(frozen=True)
class ServiceLine:
    """One sign-up: the task, where the volunteer stood, the hours, where they came from
    and who confirmed them."""

    task: str
    starts_at: datetime
    ends_at: datetime
    status: str
    hours: float
    hours_status: str
    hours_source: str
    entered_by: str  # who entered 补录 hours
    reason: str
    approved_by: str  # who confirmed the hours
    approved_at: datetime | None


@dataclass(frozen=True)
class ChangeLine:
    """A change to the volunteer's record (the audit trail): when, the role of who made
    it (or the volunteer themself), and each field's value before and after."""

    at: datetime
    role: str
    by_self: bool
    action: str
    fields: tuple[tuple[str, object, object], ...]


@dataclass(frozen=True)
class AccessLine:
    """A look at or take-away of the record (the access log)."""

    at: datetime
    role: str
    by_self: bool
    kind: str
    page: str


@dataclass(frozen=True)
class VolunteerData:
    volunteer_id: int
    community_id: int
    profile: Profile
    account: AccountPart | None
    teams: list[TeamLine]
    services: list[ServiceLine]
    approved_check: float  # 签到 hours approved
    approved_staff: float  # 补录 hours approved
    pending_hours: float
    star: StarLevel
    certificates: list[IssuedCertificate]
    corrections: list[CorrectionLine]
    changes: list[ChangeLine]
    access: list[AccessLine]


# --- reading the parts ------------------------------------------------------------------


def _profile(session: Session, volunteer: Volunteer) -> Profile:
    community = session.get(Community, volunteer.community_id)
    grid = session.get(Grid, volunteer.grid_id) if volunteer.grid_id else None
    return Profile(
        name=volunteer.name,
        gender=volunteer.gender,
        phone=volunteer.phone,
        community=community.name if community else "",
        grid=grid.name if grid else "",
        skills=tuple(s for s in volunteer.skills.split(",") if s),
        party_member=volunteer.party_member,
        joined_on=volunteer.joined_on,
        active=volunteer.active,
        note=volunteer.note,
    )


def _account(session: Session, volunteer: Volunteer) -> AccountPart | None:
    account = session.get(Account, volunteer.account_id) if volunteer.account_id else None
    if account is None:
        return None
    return AccountPart(account.username, str(account.role), account.created_at, account.active)


def _teams(session: Session, volunteer_id: int) -> list[TeamLine]:
    """Teams the volunteer is or was a member of, and teams they lead."""
    rows = session.exec(
        select(Team, TeamMember)
        .join(
            TeamMember,
            (col(TeamMember.team_id) == Team.id) & (col(TeamMember.volunteer_id) == volunteer_id),
            isouter=True,
        )
        .where(or_(col(TeamMember.volunteer_id) == volunteer_id, Team.leader_id == volunteer_id))
        .order_by(col(Team.name))
    ).all()
    return [
        TeamLine(
            team=team.name,
            joined_on=member.joined_on if member else None,
            member=bool(member and member.active),
            leader=team.leader_id == volunteer_id,
            team_active=team.active,
        )
        for team, member in rows
    ]


def _services(session: Session, volunteer_id: int) -> list[ServiceLine]:
    approver, enterer = aliased(Account), aliased(Account)
    rows = session.exec(
        select(Signup, Task, approver.display_name, enterer.display_name)
        .join(Task, col(Task.id) == Signup.task_id)
        .join(approver, col(approver.id) == Signup.approved_by, isouter=True)
        .join(enterer, col(enterer.id) == Signup.hours_entered_by, isouter=True)
        .where(Signup.volunteer_id == volunteer_id)
        .order_by(col(Task.starts_at).desc(), col(Signup.id).desc())
    ).all()
    return [
        ServiceLine(
            task=task.title,
            starts_at=task.starts_at,
            ends_at=task.ends_at,
            status=str(s.status),
            hours=s.hours,
            hours_status=str(s.hours_status),
            hours_source=str(s.hours_source),
            entered_by=entered or "",
            reason=s.hours_reason,
            approved_by=approved or "",
            approved_at=s.approved_at,
        )
        for s, task, approved, entered in rows
    ]


def record_changes(
    session: Session, table: str, row_id: int, own_account: int | None, limit: int | None
) -> list[ChangeLine]:
    """The audit trail of one row (`table`, `row_id`), latest first; `own_account` is
    the person's own account (their own changes say so)."""
    stmt = (
        select(AuditEntry, col(Account.role))
        .join(Account, col(Account.id) == AuditEntry.account_id, isouter=True)
        .where(
            AuditEntry.table_name == table,
            AuditEntry.row_id == row_id,
            AuditEntry.action != "export",  # exports are in the access log
        )
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    )
    lines = []
    for entry, role in session.exec(stmt.limit(limit) if limit else stmt).all():
        try:
            changes = json.loads(entry.changes or "{}")
        except ValueError:
            changes = {}
        if not isinstance(changes, dict):
            changes = {}
        if entry.action == "update":
            fields = tuple(
                (name, *pair) if isinstance(pair, list) and len(pair) == 2 else (name, None, pair)
                for name, pair in changes.items()
            )
        else:  # a creation: the values it held
            fields = tuple((name, None, value) for name, value in changes.items())
        lines.append(
            ChangeLine(
                at=entry.at,
                role=str(role) if role else "",
                by_self=own_account is not None and entry.account_id == own_account,
                action=entry.action,
                fields=fields,
            )
        )
    return lines


def record_access(
    session: Session, record_type: str, record_id: int, own_account: int | None, limit: int | None
) -> list[AccessLine]:
    """The access log of one person's record, latest first."""
    stmt = (
        select(AccessLogEntry)
        .where(AccessLogEntry.record_type == record_type, AccessLogEntry.record_id == record_id)
        .order_by(col(AccessLogEntry.at).desc(), col(AccessLogEntry.id).desc())
    )
    return [
        AccessLine(
            at=e.at,
            role=e.role,
            by_self=own_account is not None and e.account_id == own_account,
            kind=str(e.kind),
            page=e.page,
        )
        for e in session.exec(stmt.limit(limit) if limit else stmt).all()
    ]


def volunteer_data(
    session: Session, actor: Actor, volunteer: Volunteer, *, limit: int | None = LOG_LIMIT
) -> VolunteerData:
    """Every part of what the board holds about `volunteer`, for an actor already allowed
    to see it (the volunteer themself, or staff of their community); `limit` caps the
    access-log and change lines (None: every one, for an export)."""
    hours = {
        (source, status): 0.0 for source in HoursSource for status in HoursStatus
    }  # (source, status) -> hours
    services = _services(session, volunteer.id)
    for line in services:
        key = (HoursSource(line.hours_source), HoursStatus(line.hours_status))
        hours[key] += line.hours
    check = round(hours[(HoursSource.check, HoursStatus.approved)], 2)
    staff = round(hours[(HoursSource.staff, HoursStatus.approved)], 2)
    pending = round(sum(h for (_, status), h in hours.items() if status == HoursStatus.pending), 2)
    return VolunteerData(
        volunteer_id=volunteer.id,
        community_id=volunteer.community_id,
        profile=_profile(session, volunteer),
        account=_account(session, volunteer),
        teams=_teams(session, volunteer.id),
        services=services,
        approved_check=check,
        approved_staff=staff,
        pending_hours=pending,
        star=star_level(round(check + staff, 2), star_thresholds(session)),
        certificates=certificates.certificate_list(
            session=session, actor=actor, volunteer_id=volunteer.id
        ),
        corrections=corrections.corrections_of_volunteer(session, volunteer.id),
        changes=record_changes(session, "volunteer", volunteer.id, volunteer.account_id, limit),
        access=record_access(session, RECORD_TYPE, volunteer.id, volunteer.account_id, limit),
    )


def _own(session: Session, actor: Actor) -> Volunteer | None:
    volunteer_id = volunteers.volunteer_of_account(session=session, actor=actor)
    return session.get(Volunteer, volunteer_id) if volunteer_id is not None else None


def my_data(*, session: Session, actor: Actor) -> VolunteerData | None:
    """Everything the board holds about the signed-in volunteer (None: no volunteer
    record is linked to the account)."""
    volunteer = _own(session, actor)
    return None if volunteer is None else volunteer_data(session, actor, volunteer)


# --- the workbook -----------------------------------------------------------------------


def when_text(value: datetime | None) -> str:
    return "" if value is None else local(value).strftime("%Y-%m-%d %H:%M")


def _who(role: str, by_self: bool, tr: Translate) -> str:
    if by_self:
        return tr("my_data.by_self")
    return tr(f"role.{role}") if role else tr("my_data.by_board")


def page_title(page: str, tr: Translate) -> str:
    """The page an access-log entry names, by its title (as logged when not a page)."""
    try:
        return tr(page_spec(page).title_key)
    except KeyError:
        return page


def field_label(name: str, tr: Translate) -> str:
    """A field of a person's record in the reader's language: a volunteer's field as the
    correction form names it, else the field's name in the validation messages, else as
    stored."""
    for key in (f"corrections.field.{name.removesuffix('_id')}", f"field.{name}"):
        text = tr(key)
        if text != key:
            return text
    return name


def _yes(value: bool, tr: Translate) -> str:
    return tr("common.yes" if value else "common.no")


def data_sheets(data: VolunteerData, tr: Translate) -> dict[str, pd.DataFrame]:
    """Each part as a sheet, headed in the reader's language."""
    p = data.profile
    item, content = tr("my_data.col.item"), tr("my_data.col.content")
    profile_rows = [
        (tr("corrections.field.name"), p.name),
        (tr("corrections.field.gender"), p.gender),
        (tr("corrections.field.phone"), p.phone),
        (tr("my_data.community"), p.community),
        (tr("corrections.field.grid"), p.grid),
        (tr("corrections.field.skills"), "、".join(tr(f"volunteers.skill.{s}") for s in p.skills)),
        (tr("corrections.field.party_member"), _yes(p.party_member, tr)),
        (tr("corrections.field.joined_on"), p.joined_on.isoformat()),
        (tr("my_data.in_register"), _yes(p.active, tr)),
        (tr("corrections.field.note"), p.note),
        (tr("volunteers.approved_hours"), round(data.approved_check + data.approved_staff, 2)),
        (tr("signups.source.check"), data.approved_check),
        (tr("signups.source.staff"), data.approved_staff),
        (tr("my_data.pending_hours"), data.pending_hours),
        (tr("volunteers.star_level"), data.star.stars),
    ]
    account = data.account
    account_rows = (
        [
            (tr("my_data.username"), account.username),
            (tr("my_data.role"), tr(f"role.{account.role}")),
            (tr("my_data.created"), when_text(account.created_at)),
            (tr("my_data.account_active"), _yes(account.active, tr)),
        ]
        if account
        else []
    )
    return {
        tr("my_data.part.profile"): pd.DataFrame(profile_rows, columns=[item, content]),
        tr("my_data.part.account"): pd.DataFrame(account_rows, columns=[item, content]),
        tr("my_data.part.teams"): teams_frame(data.teams, tr),
        tr("my_data.part.services"): services_frame(data.services, tr),
        tr("my_data.part.certificates"): certificates_frame(data.certificates, tr),
        tr("my_data.part.corrections"): corrections_frame(data.corrections, tr),
        tr("my_data.part.changes"): changes_frame(data.changes, tr),
        tr("my_data.part.access"): access_frame(data.access, tr),
    }


def teams_frame(teams: list[TeamLine], tr: Translate) -> pd.DataFrame:
    return pd.DataFrame(
        {
            tr("my_data.col.team"): [x.team for x in teams],
            tr("my_data.col.joined"): [
                x.joined_on.isoformat() if x.joined_on else "" for x in teams
            ],
            tr("my_data.col.member"): [_yes(x.member, tr) for x in teams],
            tr("my_data.col.leader"): [_yes(x.leader, tr) for x in teams],
            tr("my_data.col.team_active"): [_yes(x.team_active, tr) for x in teams],
        }
    )


def services_frame(lines: list[ServiceLine], tr: Translate) -> pd.DataFrame:
    return pd.DataFrame(
        {
            tr("signups.col.task"): [s.task for s in lines],
            tr("my_data.col.starts"): [when_text(s.starts_at) for s in lines],
            tr("my_data.col.ends"): [when_text(s.ends_at) for s in lines],
            tr("signups.col.status"): [tr(f"signups.status.{s.status}") for s in lines],
            tr("signups.col.hours"): [s.hours for s in lines],
            tr("signups.col.hours_status"): [tr(f"signups.hours.{s.hours_status}") for s in lines],
            tr("my_data.col.source"): [
                tr(f"signups.source.{s.hours_source}") if s.hours else "" for s in lines
            ],
            tr("my_data.col.entered_by"): [s.entered_by for s in lines],
            tr("my_data.col.reason"): [s.reason for s in lines],
            tr("my_data.col.approved_by"): [s.approved_by for s in lines],
            tr("my_data.col.approved_at"): [when_text(s.approved_at) for s in lines],
        }
    )


def certificates_frame(certs: list[IssuedCertificate], tr: Translate) -> pd.DataFrame:
    return pd.DataFrame(
        {
            tr("my_data.col.number"): [c.number for c in certs],
            tr("my_data.col.period"): [
                f"{c.period_start.isoformat()} ~ {c.period_end.isoformat()}" for c in certs
            ],
            tr("signups.col.hours"): [c.total_hours for c in certs],
            tr("my_data.col.issued_on"): [c.issued_on.isoformat() for c in certs],
            tr("my_data.col.issued_by"): [
                tr("my_data.by_self") if c.self_issued else c.issued_by for c in certs
            ],
        }
    )


def corrections_frame(lines: list[CorrectionLine], tr: Translate) -> pd.DataFrame:
    return pd.DataFrame(
        {
            tr("my_data.col.asked_on"): [when_text(c.created_at) for c in lines],
            tr("my_data.col.field"): [tr(f"corrections.field.{c.field}") for c in lines],
            tr("my_data.col.held"): [
                corrections.value_text(c.field, c.current_value, tr) for c in lines
            ],
            tr("my_data.col.requested"): [
                corrections.value_text(c.field, c.requested, tr) for c in lines
            ],
            tr("my_data.col.status"): [tr(f"corrections.status.{c.status}") for c in lines],
            tr("my_data.col.resolution"): [c.resolution for c in lines],
            tr("my_data.col.resolved_at"): [when_text(c.resolved_at) for c in lines],
        }
    )


def _value(field: str, value: object, tr: Translate) -> str:
    """A value before or after a change, as the reader reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes(value, tr)
    return corrections.value_text(field, str(value), tr)


def changes_frame(lines: list[ChangeLine], tr: Translate) -> pd.DataFrame:
    """One row per field changed (a creation: one row per value it held)."""
    rows = [
        (
            when_text(c.at),
            _who(c.role, c.by_self, tr),
            tr(f"my_data.action.{c.action}") if c.action in ("create", "update") else c.action,
            field_label(name, tr),
            _value(name, old, tr),
            _value(name, new, tr),
        )
        for c in lines
        for name, old, new in (c.fields or (("", None, None),))
    ]
    return pd.DataFrame(
        rows,
        columns=[
            tr("my_data.col.at"),
            tr("my_data.col.who"),
            tr("my_data.col.action"),
            tr("my_data.col.field"),
            tr("my_data.col.before"),
            tr("my_data.col.after"),
        ],
    )


def access_frame(lines: list[AccessLine], tr: Translate) -> pd.DataFrame:
    return pd.DataFrame(
        {
            tr("my_data.col.at"): [when_text(a.at) for a in lines],
            tr("my_data.col.who"): [_who(a.role, a.by_self, tr) for a in lines],
            tr("my_data.col.kind"): [tr(f"my_data.kind.{a.kind}") for a in lines],
            tr("my_data.col.page"): [page_title(a.page, tr) for a in lines],
        }
    )


def file_name(person: str, tr: Translate, today: date) -> str:
    """个人信息_张志愿_2026-11-25.xlsx"""
    return export_file_name(tr("my_data.file"), person, today, "xlsx")


def log_export(
    session: Session,
    actor: Actor,
    *,
    record_type: str,
    record_id: int,
    community_id: int,
    page: str,
    name: str,
    sheets: int,
) -> None:
    """An export of one person's data, in the access log and the audit trail."""
    detail = {"file": name, "sheets": sheets}
    access_log.log_access(
        session,
        actor=actor,
        kind=AccessKind.export,
        record_type=record_type,
        record_id=record_id,
        community_id=community_id,
        page=page,
        detail=detail,
    )
    audit.record_event(
        session,
        actor_id=actor.id,
        action="export",
        table_name=record_type,
        row_id=record_id,
        changes=detail,
    )


def my_data_export(*, session: Session, actor: Actor, lang: str, today: date) -> bytes:
    """The signed-in volunteer's data as one workbook, a sheet per part (logged)."""
    volunteer = _own(session, actor)
    if volunteer is None:
        raise BoardError("signups.no_volunteer_record")
    tr = translator(lang)
    sheets = data_sheets(volunteer_data(session, actor, volunteer, limit=None), tr)
    log_export(
        session,
        actor,
        record_type=RECORD_TYPE,
        record_id=volunteer.id,
        community_id=volunteer.community_id,
        page=PAGE,
        name=file_name(volunteer.name, tr, today),
        sheets=len(sheets),
    )
    return frame_excel(sheets)
