"""Elders in care (关爱老人): the registry and who visits whom.

Registration, edits, deactivation, the assigned visitors, the registry list and one
elder's page, and what each role may see of an elder: the scope (a volunteer sees only
the elders they visit) and the masking of phone and address, in one place each.

Not here: when an elder is due or overdue (services/visit_plan.py), the tiers
(services/visit_policy.py), visit records and charts (services/visits.py), correcting
and voiding visits (services/visit_fixes.py), major changes (services/major_changes.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import pandas as pd
from sqlalchemy import ColumnElement, Select, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select as TypedSelect
from sqlmodel.sql.expression import SelectOfScalar

from models.accounts import Account, Role
from models.elders import LIVING_SITUATIONS, Elder, ElderVisitor, Visit
from models.org import Community, Grid
from services import audit
from services.access import FIELD, STAFF, Actor, get_scoped, mask_address, mask_phone
from services.checks import valid_phone
from services.errors import BoardError
from services.major_changes import ChangeLine, can_record_change, changes_of
from services.referrals import ReferralLine, referrals_of_visits
from services.sensitive import (
    may_see_sensitive,
    open_content,
    open_situations,
    open_situations_text,
    reason_is_sensitive,
    sensitive_visible,
)
from services.visit_content import VisitContent, content_of
from services.visit_fixes import can_fix_visits
from services.visit_policy import effective_policy, place, tiers_for

LIST_LIMIT = 300  # the most rows any list of elders shows
VISITING = FIELD | {Role.volunteer}  # who may open elders (a volunteer: their own only)

SelectT = TypeVar("SelectT", bound=Select)


OLD_AGE = 80  # 高龄: derived from the birth date, never a tag


def age_on(birth: date, today: date) -> int:
    """Whole years on `today` (the tiers' age conditions count the same way)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def is_old(birth: date, today: date) -> bool:
    """高龄: 80 or older on `today`."""
    return age_on(birth, today) >= OLD_AGE


def situations_of(elder: Elder) -> list[str]:
    """The elder's living situations (stored comma-separated)."""
    return [s for s in elder.situations.split(",") if s]


def can_manage(actor: Actor) -> bool:
    """Who may register, edit, deactivate and reactivate elders and assign visitors."""
    return actor.role in STAFF


# --- who sees what -------------------------------------------------------------------------


def contact_shown(actor: Actor, assigned: bool, phone: str, address: str) -> tuple[str, str]:
    """An elder's phone and address as `actor` sees them: in full for staff and for the
    elder's own visitors, masked for everyone else."""
    if actor.sees_personal_data or assigned:
        return phone, address
    return mask_phone(phone), mask_address(address)


def _assigned_to(actor: Actor) -> SelectOfScalar[int]:
    """SQL: the ids of the elders the actor is assigned to visit."""
    return select(col(ElderVisitor.elder_id)).where(ElderVisitor.account_id == actor.id)


def in_scope(stmt: SelectT, actor: Actor, community_id: int | None = None) -> SelectT:
    """`stmt` (over Elder) cut to the elders the actor may list: the actor's communities
    (or the one asked for) and, for a volunteer, only the elders they visit."""
    ids = actor.community_ids(community_id)
    if ids is not None:
        stmt = stmt.where(col(Elder.community_id).in_(ids))
    if actor.role == Role.volunteer:
        stmt = stmt.where(col(Elder.id).in_(_assigned_to(actor)))
    return stmt


@dataclass(frozen=True)
class VisibleElder:
    elder: Elder
    visitor_ids: list[int]
    assigned: bool  # the actor is one of the elder's visitors


def visible_elder(session: Session, actor: Actor, elder_id: int) -> VisibleElder:
    """The elder `elder_id` for an actor who may open them: field staff of the elder's
    community, or a volunteer assigned to visit them."""
    elder = get_scoped(session, actor, Elder, elder_id, roles=VISITING)
    visitor_ids = list(
        session.exec(select(col(ElderVisitor.account_id)).where(ElderVisitor.elder_id == elder_id))
    )
    assigned = actor.id in visitor_ids
    if actor.role == Role.volunteer and not assigned:
        raise BoardError("elders.not_assigned")
    return VisibleElder(elder, visitor_ids, assigned)


def _visitor_names(session: Session, elder_ids: list[int]) -> dict[int, str]:
    names: dict[int, list[str]] = {}
    if elder_ids:
        for elder_id, name in session.exec(
            select(col(ElderVisitor.elder_id), col(Account.display_name))
            .join(Account, col(Account.id) == ElderVisitor.account_id)
            .where(col(ElderVisitor.elder_id).in_(elder_ids))
        ):
            names.setdefault(elder_id, []).append(name)
    return {k: "、".join(sorted(v)) for k, v in names.items()}


def as_listed(session: Session, actor: Actor, frame: pd.DataFrame, today: date) -> pd.DataFrame:
    """Rows of elders (id, birth_date, phone, address, situations, …) as every list shows
    them: the age instead of the birth date and `old` (高龄), the visitors and `unassigned`
    (no one visits them), phone and address as the actor may see them (contact_shown), and
    `sensitive_shown`: whether the actor may see the elder's sensitive fields; where not,
    the sensitive situations, the care level and a tier's reason that tells of them are
    taken out (`reason_withheld`: services/sensitive.py)."""
    ids = [int(i) for i in frame["id"]]
    frame["age"] = [age_on(b, today) for b in frame["birth_date"]]
    frame["old"] = frame["age"] >= OLD_AGE
    frame["visitors"] = frame["id"].map(_visitor_names(session, ids)).fillna("")
    frame["unassigned"] = frame["visitors"] == ""
    mine = sensitive_visible(session, actor, ids)  # staff: all; others: the elders they visit
    shown = [
        contact_shown(actor, i in mine, phone, address)
        for i, phone, address in zip(ids, frame["phone"], frame["address"], strict=True)
    ]
    frame["phone"] = [phone for phone, _ in shown]
    frame["address"] = [address for _, address in shown]
    frame["sensitive_shown"] = pd.Series([i in mine for i in ids], index=frame.index, dtype=bool)
    hidden = ~frame["sensitive_shown"]
    frame.loc[hidden, "situations"] = frame.loc[hidden, "situations"].map(open_situations_text)
    if "care_level" in frame:
        frame["care_level"] = frame["care_level"].astype(object).where(~hidden, None)
    if "reason" in frame:  # a tier's reason: withheld where it tells of a sensitive fact
        withheld = [
            not seen and reason_is_sensitive(reason)
            for seen, reason in zip(frame["sensitive_shown"], frame["reason"], strict=True)
        ]
        frame["reason_withheld"] = pd.Series(withheld, index=frame.index, dtype=bool)
        frame["reason"] = frame["reason"].where(~frame["reason_withheld"], None)
    return frame.drop(columns=["birth_date"])


# --- registration and changes --------------------------------------------------------------


def _situations(values: Sequence[str]) -> str:
    unknown = [v for v in values if v not in LIVING_SITUATIONS]
    if unknown:
        raise BoardError("elders.situation_unknown", value=unknown[0])
    return ",".join(v for v in LIVING_SITUATIONS if v in values)


@dataclass(frozen=True)
class _Checked:
    name: str
    birth_date: date
    address: str
    phone: str
    guardian_phone: str


def _validate(
    session: Session,
    *,
    name: str,
    birth_date: date | None,
    address: str,
    phone: str,
    guardian_phone: str,
    grid_id: int | None,
    community_id: int,
    today: date,
    care_level: int = 0,
) -> _Checked:
    """Name, birth date and address are required (the interval needs the age, a visit
    needs the address); phones are optional but must be mobile numbers; care level 0–4."""
    name, address = (name or "").strip(), (address or "").strip()
    if not name or not address or birth_date is None:
        raise BoardError("elders.required")
    if birth_date > today or age_on(birth_date, today) > 120:
        raise BoardError("elders.birth_invalid")
    if not 0 <= (care_level or 0) <= 4:
        raise BoardError("elders.care_level_invalid")
    if grid_id is not None:
        grid = session.get(Grid, grid_id)
        if grid is None or grid.community_id != community_id:
            raise BoardError("volunteers.grid_invalid")
    return _Checked(
        name=name,
        birth_date=birth_date,
        address=address,
        phone=valid_phone(phone) if phone else "",
        guardian_phone=valid_phone(guardian_phone) if guardian_phone else "",
    )


def elder_create(
    *,
    session: Session,
    actor: Actor,
    name: str,
    birth_date: date | None,
    address: str,
    community_id: int,
    today: date,
    grid_id: int | None = None,
    phone: str = "",
    situations: Sequence[str] = (),
    care_level: int = 0,
    health_notes: str = "",
    guardian_name: str = "",
    guardian_phone: str = "",
    visitor_ids: Sequence[int] = (),
) -> int:
    actor.require(STAFF)
    actor.require_community(community_id)
    checked = _validate(
        session,
        name=name,
        birth_date=birth_date,
        address=address,
        phone=phone,
        guardian_phone=guardian_phone,
        grid_id=grid_id,
        community_id=community_id,
        today=today,
        care_level=care_level,
    )
    if session.exec(
        select(col(Elder.id)).where(
            Elder.community_id == community_id,
            Elder.name == checked.name,
            Elder.birth_date == checked.birth_date,
            Elder.active,
        )
    ).first():
        # the same person twice (a double press, or registered by a colleague already)
        raise BoardError("elders.duplicate", name=checked.name)
    elder = Elder(
        name=checked.name,
        birth_date=checked.birth_date,
        address=checked.address,
        phone=checked.phone,
        guardian_phone=checked.guardian_phone,
        community_id=community_id,
        grid_id=grid_id,
        situations=_situations(situations),
        care_level=care_level,
        health_notes=health_notes.strip(),
        guardian_name=guardian_name.strip(),
        registered_on=today,
    )
    session.add(elder)
    audit.record(session, actor_id=actor.id, action="create", row=elder)
    _set_visitors(session, actor, elder, visitor_ids)
    return elder.id


def _set_visitors(session: Session, actor: Actor, elder: Elder, visitor_ids: Sequence[int]) -> None:
    for account_id in visitor_ids:
        account = session.get(Account, account_id)
        if account is None or account.community_id != elder.community_id:
            raise BoardError("elders.visitor_invalid")
    session.flush()
    links = session.exec(select(ElderVisitor).where(ElderVisitor.elder_id == elder.id)).all()
    current = {link.account_id for link in links}
    wanted = set(visitor_ids)
    for link in links:
        if link.account_id not in wanted:
            session.delete(link)
    for account_id in wanted - current:
        session.add(ElderVisitor(elder_id=elder.id, account_id=account_id))
    if current != wanted:
        audit.record(
            session,
            actor_id=actor.id,
            action="assign",
            row=elder,
            changes={"visitors": [sorted(current), sorted(wanted)]},
        )


def elder_update(
    *,
    session: Session,
    actor: Actor,
    elder_id: int,
    name: str,
    birth_date: date | None,
    address: str,
    today: date,
    grid_id: int | None,
    phone: str,
    situations: Sequence[str],
    care_level: int,
    health_notes: str,
    guardian_name: str,
    guardian_phone: str,
    visitor_ids: Sequence[int],
) -> None:
    elder = get_scoped(session, actor, Elder, elder_id)
    checked = _validate(
        session,
        name=name,
        birth_date=birth_date,
        address=address,
        phone=phone,
        guardian_phone=guardian_phone,
        grid_id=grid_id,
        community_id=elder.community_id,
        today=today,
        care_level=care_level,
    )
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=elder,
        values={
            "name": checked.name,
            "address": checked.address,
            "phone": checked.phone,
            "guardian_phone": checked.guardian_phone,
            "birth_date": checked.birth_date,
            "grid_id": grid_id,
            "situations": _situations(situations),
            "care_level": care_level,
            "health_notes": health_notes.strip(),
            "guardian_name": guardian_name.strip(),
        },
    )
    _set_visitors(session, actor, elder, visitor_ids)


def elder_deactivate(
    *, session: Session, actor: Actor, elder_id: int, reason: str, today: date
) -> None:
    """Moved away, passed away…: the elder leaves the overdue and due-this-week lists and
    the overdue counts from `today` on; visits and assigned visitors are kept, and
    elder_reactivate brings the elder back. Never deleted."""
    elder = get_scoped(session, actor, Elder, elder_id)
    if not elder.active:
        raise BoardError("elders.already_inactive", name=elder.name)
    if not (reason or "").strip():
        raise BoardError("elders.reason_required")
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=elder,
        values={
            "active": False,
            "deactivated_reason": reason.strip(),
            "deactivated_on": today,
        },
    )


def elder_reactivate(*, session: Session, actor: Actor, elder_id: int) -> None:
    elder = get_scoped(session, actor, Elder, elder_id)
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=elder,
        values={
            "active": True,
            "deactivated_reason": "",
            "deactivated_on": None,
        },
    )


def visitor_choices(*, session: Session, actor: Actor, community_id: int) -> list[tuple[int, str]]:
    """Accounts of the community who can be assigned as visitors."""
    actor.require(STAFF)
    actor.require_community(community_id)
    rows = session.exec(
        select(col(Account.id), col(Account.display_name))
        .where(
            Account.community_id == community_id,
            Account.active,
            col(Account.role).in_([Role.secretary, Role.grid_worker, Role.volunteer]),
        )
        .order_by(col(Account.role), col(Account.display_name))
    )
    return [(i, name) for i, name in rows]


def elder_choices(
    *, session: Session, actor: Actor, community_id: int
) -> list[tuple[int, str, date]]:
    """The community's elders in care (id, name, birth date), for moving a visit recorded
    on the wrong elder to the right one."""
    actor.require(STAFF)
    actor.require_community(community_id)
    rows = session.exec(
        select(col(Elder.id), col(Elder.name), col(Elder.birth_date))
        .where(Elder.community_id == community_id, Elder.active)
        .order_by(col(Elder.name), col(Elder.id))
    )
    return [(i, name, born) for i, name, born in rows]


# --- the registry ----------------------------------------------------------------------------


def _unassigned() -> ColumnElement[bool]:
    """SQL: the elder has no visitor assigned."""
    return ~col(Elder.id).in_(select(col(ElderVisitor.elder_id)))


def unassigned_count(*, session: Session, actor: Actor) -> int:
    """Active elders in scope with no visitor assigned (flagged on the registry)."""
    actor.require(FIELD)
    stmt = in_scope(
        select(func.count()).select_from(Elder).where(Elder.active, _unassigned()), actor
    )
    return session.exec(stmt).one()


def elder_registry(
    *,
    session: Session,
    actor: Actor,
    today: date,
    search: str = "",
    include_inactive: bool = False,
    unassigned_only: bool = False,
) -> pd.DataFrame:
    """The registry in scope (volunteers: their assigned elders only), masked per role,
    with each elder's visitors; `unassigned` flags an elder no one is assigned to visit;
    `tier` and `reason`: the visit tier that applies and the condition set that put the
    elder in it (None: the default tier)."""
    actor.require(VISITING)
    # more columns than sqlmodel's select() types: the Select type names them
    registry_select = TypedSelect[int, str, date, str, str, str, int, str, str | None, bool, int]
    stmt = in_scope(
        registry_select(
            col(Elder.id),
            col(Elder.name),
            col(Elder.birth_date),
            col(Elder.phone),
            col(Elder.address),
            col(Elder.situations),
            col(Elder.care_level),
            col(Community.name),
            col(Grid.name),
            col(Elder.active),
            col(Elder.community_id),
        )
        .join(Community, col(Community.id) == Elder.community_id)
        .join(Grid, col(Grid.id) == Elder.grid_id, isouter=True),
        actor,
    )
    if not include_inactive:
        stmt = stmt.where(Elder.active)
    if unassigned_only:
        stmt = stmt.where(_unassigned())
    if search.strip():
        pattern = f"%{search.strip()}%"
        stmt = stmt.where(col(Elder.name).like(pattern) | col(Elder.address).like(pattern))
    rows = session.exec(
        stmt.order_by(col(Elder.community_id), col(Elder.name)).limit(LIST_LIMIT)
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "id",
            "name",
            "birth_date",
            "phone",
            "address",
            "situations",
            "care_level",
            "community",
            "grid",
            "active",
            "community_id",
        ],
    )
    policy = effective_policy(session)
    placements = [
        place(
            tiers_for(policy, int(cid)), age_on(born, today), [s for s in sit.split(",") if s], care
        )
        for cid, born, sit, care in zip(
            frame["community_id"],
            frame["birth_date"],
            frame["situations"],
            frame["care_level"],
            strict=True,
        )
    ]
    frame["tier"] = [p.tier.name for p in placements]
    frame["reason"] = pd.Series([p.reason for p in placements], index=frame.index, dtype=object)
    return as_listed(session, actor, frame, today)


# --- one elder -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitLine:
    id: int
    visited_on: date
    visitor: str
    mode: str
    wellbeing: str
    content: VisitContent  # the five content areas
    follow_up: str
    voided: bool  # recorded in error: kept, counted nowhere
    fix_reason: str  # why it was last corrected or voided
    referrals: tuple[ReferralLine, ...]  # the needs referred with this visit


@dataclass(frozen=True)
class ElderPage:
    """One elder as the actor may see them; when they are due: visit_plan.elder_plan."""

    id: int
    name: str
    age: int
    old: bool  # 高龄 (80 or older), from the birth date
    birth_date: date | None
    phone: str
    address: str
    community_id: int
    community: str
    grid_id: int | None
    situations: list[str]  # without the sensitive ones unless sensitive_shown
    care_level: int | None  # None: not for this actor (sensitive)
    health_notes: str | None  # None: not for this actor (sensitive)
    guardian_name: str | None
    guardian_phone: str | None
    active: bool
    deactivated_reason: str
    registered_on: date
    visitor_ids: list[int]
    visitors: str
    can_edit: bool  # the actor may edit, deactivate and reactivate this elder
    can_fix_visits: bool  # the actor may correct and void this elder's visits
    can_note_change: bool  # the actor may record a major change (while in care)
    # the actor may see the sensitive fields (staff, the elder's visitors): where not, the
    # fields above and the visits' 健康 and 经济 areas are left out (services/sensitive.py)
    sensitive_shown: bool
    history: list[VisitLine] = field(default_factory=list)
    changes: list[ChangeLine] = field(default_factory=list)  # major changes, latest first

    @property
    def can_deactivate(self) -> bool:
        return self.can_edit and self.active

    @property
    def can_reactivate(self) -> bool:
        return self.can_edit and not self.active

    @property
    def can_record_visit(self) -> bool:
        """Whoever may open an elder may record a visit, while the elder is in care."""
        return self.active


def elder_page(*, session: Session, actor: Actor, elder_id: int, today: date) -> ElderPage:
    """One elder with the visit history; what a role sees is cut to what it needs: the
    birth date and the guardian for staff, the sensitive fields for staff and the elder's
    visitors (services/sensitive.py)."""
    seen = visible_elder(session, actor, elder_id)
    elder = seen.elder
    full = actor.sees_personal_data
    sensitive = may_see_sensitive(session, actor, elder_id)
    phone, address = contact_shown(actor, seen.assigned, elder.phone, elder.address)
    community = session.get(Community, elder.community_id)
    history = session.exec(
        select(Visit)
        .where(Visit.elder_id == elder_id)
        .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc())
        .limit(100)
    ).all()
    referred = referrals_of_visits(session=session, visit_ids=[v.id for v in history], today=today)
    return ElderPage(
        id=elder.id,
        name=elder.name,
        age=age_on(elder.birth_date, today),
        old=is_old(elder.birth_date, today),
        birth_date=elder.birth_date if full else None,
        phone=phone,
        address=address,
        community_id=elder.community_id,
        community=community.name if community is not None else "",
        grid_id=elder.grid_id,
        situations=situations_of(elder) if sensitive else open_situations(situations_of(elder)),
        care_level=elder.care_level if sensitive else None,
        health_notes=elder.health_notes if sensitive else None,
        guardian_name=elder.guardian_name if full else None,
        guardian_phone=elder.guardian_phone if full else None,
        active=elder.active,
        deactivated_reason=elder.deactivated_reason,
        registered_on=elder.registered_on,
        visitor_ids=seen.visitor_ids,
        visitors=_visitor_names(session, [elder_id]).get(elder_id, ""),
        can_edit=can_manage(actor),
        can_fix_visits=can_fix_visits(actor),
        can_note_change=elder.active and can_record_change(actor),
        sensitive_shown=sensitive,
        changes=changes_of(session, elder_id),
        history=[
            VisitLine(
                v.id,
                v.visited_on,
                v.visitor_name,
                v.mode,
                v.wellbeing,
                content_of(v) if sensitive else open_content(content_of(v)),
                v.follow_up,
                v.voided,
                v.fix_reason,
                referred.get(v.id, ()),
            )
            for v in history
        ],
    )
