"""Elders in care (关爱老人): the registry, who visits whom, and the overdue list.

An elder is overdue when the last visit (or, never visited, the registration) is older
than their interval from the policy table. Computed in SQL for every elder at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from models.accounts import Account
from models.elders import LIVING_SITUATIONS, Elder, ElderVisitor, Visit
from models.org import Community, Grid
from services import audit
from services.access import FIELD, STAFF, Actor, get_scoped, mask_address, mask_phone
from services.checks import valid_phone
from services.db import days_since
from services.errors import BoardError
from services.visit_memory import remember
from services.visit_policy import effective_policy, interval_expr, interval_of

LIST_LIMIT = 300


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _situations(values: list[str]) -> str:
    unknown = [v for v in values if v not in LIVING_SITUATIONS]
    if unknown:
        raise BoardError("elders.situation_unknown", value=unknown[0])
    return ",".join(v for v in LIVING_SITUATIONS if v in values)


def _validate(
    session: Session,
    *,
    name: str,
    birth_date: date,
    address: str,
    phone: str,
    guardian_phone: str,
    grid_id: int | None,
    community_id: int,
    today: date,
    care_level: int = 0,
) -> dict:
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
    return {
        "name": name,
        "address": address,
        "phone": valid_phone(phone) if phone else "",
        "guardian_phone": valid_phone(guardian_phone) if guardian_phone else "",
    }


def elder_create(
    *,
    session: Session,
    actor: Actor,
    name: str,
    birth_date: date,
    address: str,
    community_id: int,
    today: date,
    grid_id: int | None = None,
    phone: str = "",
    situations: list[str] = (),
    care_level: int = 0,
    health_notes: str = "",
    guardian_name: str = "",
    guardian_phone: str = "",
    visitor_ids: list[int] = (),
) -> int:
    actor.require(STAFF)
    actor.require_community(community_id)
    clean = _validate(
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
        select(Elder.id).where(
            Elder.community_id == community_id,
            Elder.name == clean["name"],
            Elder.birth_date == birth_date,
            Elder.active,
        )
    ).first():
        # the same person twice (a double press, or registered by a colleague already)
        raise BoardError("elders.duplicate", name=clean["name"])
    elder = Elder(
        **clean,
        birth_date=birth_date,
        community_id=community_id,
        grid_id=grid_id,
        situations=_situations(list(situations)),
        care_level=care_level,
        health_notes=health_notes.strip(),
        guardian_name=guardian_name.strip(),
        registered_on=today,
    )
    session.add(elder)
    audit.record(session, actor_id=actor.id, action="create", row=elder)
    _set_visitors(session, actor, elder, list(visitor_ids))
    return elder.id


def _set_visitors(session: Session, actor: Actor, elder: Elder, visitor_ids: list[int]) -> None:
    for account_id in visitor_ids:
        account = session.get(Account, account_id)
        if account is None or account.community_id != elder.community_id:
            raise BoardError("elders.visitor_invalid")
    session.flush()
    current = set(
        session.exec(select(ElderVisitor.account_id).where(ElderVisitor.elder_id == elder.id))
    )
    wanted = set(visitor_ids)
    for account_id in current - wanted:
        session.delete(session.get(ElderVisitor, (elder.id, account_id)))
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
    birth_date: date,
    address: str,
    today: date,
    grid_id: int | None,
    phone: str,
    situations: list[str],
    care_level: int,
    health_notes: str,
    guardian_name: str,
    guardian_phone: str,
    visitor_ids: list[int],
) -> None:
    elder = get_scoped(session, actor, Elder, elder_id)
    clean = _validate(
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
            **clean,
            "birth_date": birth_date,
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


# --- the visit plan -----------------------------------------------------------------------


def _plan_stmt(session: Session, actor: Actor, today: date, community_id: int | None = None):
    """One row per active elder in scope: interval, last visit, days since, days overdue."""
    last = (
        select(Visit.elder_id, func.max(Visit.visited_on).label("last_visit"))
        .where(Visit.visited_on <= today)
        .group_by(Visit.elder_id)
        .subquery()
    )
    interval = interval_expr(session, today).label("interval")
    since = days_since(session, today, func.coalesce(last.c.last_visit, Elder.registered_on))
    stmt = (
        select(
            Elder.id,
            Elder.name,
            Elder.phone,
            Elder.address,
            Elder.situations,
            Elder.birth_date,
            Community.name.label("community"),
            Grid.name.label("grid"),
            last.c.last_visit,
            interval,
            (since - interval).label("overdue_by"),
        )
        .join(Community, Community.id == Elder.community_id)
        .join(Grid, Grid.id == Elder.grid_id, isouter=True)
        .join(last, last.c.elder_id == Elder.id, isouter=True)
        .where(Elder.active)
    )
    if actor.role == "volunteer":
        stmt = stmt.where(
            Elder.id.in_(select(ElderVisitor.elder_id).where(ElderVisitor.account_id == actor.id))
        )
    ids = actor.community_ids(community_id)
    if ids is not None:
        stmt = stmt.where(Elder.community_id.in_(ids))
    return stmt, since, interval


def _visitor_names(session: Session, elder_ids: list[int]) -> dict[int, str]:
    names: dict[int, list[str]] = {}
    if elder_ids:
        for elder_id, name in session.exec(
            select(ElderVisitor.elder_id, Account.display_name)
            .join(Account, Account.id == ElderVisitor.account_id)
            .where(ElderVisitor.elder_id.in_(elder_ids))
        ):
            names.setdefault(elder_id, []).append(name)
    return {k: "、".join(sorted(v)) for k, v in names.items()}


@dataclass(frozen=True)
class PlanList:
    total: int
    rows: pd.DataFrame  # at most LIST_LIMIT rows, most overdue first


def _plan_list(session, actor, today, community_id, condition, order, limit) -> PlanList:
    stmt, since, interval = _plan_stmt(session, actor, today, community_id)
    stmt = stmt.where(condition(since, interval))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    limit = max(1, min(limit, LIST_LIMIT))
    rows = session.exec(stmt.order_by(*order(since, interval)).limit(limit)).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "id",
            "name",
            "phone",
            "address",
            "situations",
            "birth_date",
            "community",
            "grid",
            "last_visit",
            "interval",
            "overdue_by",
        ],
    )
    frame["age"] = [age_on(b, today) for b in frame["birth_date"]]
    frame["visitors"] = frame["id"].map(_visitor_names(session, frame["id"].tolist())).fillna("")
    frame["unassigned"] = frame["visitors"] == ""
    assigned_to_me = set()
    if not actor.sees_personal_data:
        assigned_to_me = set(
            session.exec(select(ElderVisitor.elder_id).where(ElderVisitor.account_id == actor.id))
        )
        mine = frame["id"].isin(assigned_to_me)
        frame.loc[~mine, "phone"] = frame.loc[~mine, "phone"].map(mask_phone)
        frame.loc[~mine, "address"] = frame.loc[~mine, "address"].map(mask_address)
    return PlanList(total=total, rows=frame.drop(columns=["birth_date"]))


def overdue_elders(
    *,
    session: Session,
    actor: Actor,
    today: date,
    community_id: int | None = None,
    limit: int = LIST_LIMIT,
) -> PlanList:
    """Active elders whose last visit is older than their interval, most overdue first.

    `total` counts them all; `rows` holds the first `limit` (at most LIST_LIMIT), with
    name, age, community, grid, last_visit, interval, overdue_by (days), visitors and
    unassigned, phone and address masked per role. A dashboard shows the top few with
    limit=5: one grouped pass over the visits in SQL (street size: well under 300 ms)."""
    actor.require(FIELD | {"volunteer"})
    return _plan_list(
        session,
        actor,
        today,
        community_id,
        lambda since, interval: since > interval,
        lambda since, interval: ((since - interval).desc(), Elder.id),
        limit,
    )


def due_this_week(
    *,
    session: Session,
    actor: Actor,
    today: date,
    community_id: int | None = None,
    limit: int = LIST_LIMIT,
) -> PlanList:
    """Active elders not yet overdue who fall due within the next 7 days."""
    actor.require(FIELD | {"volunteer"})
    return _plan_list(
        session,
        actor,
        today,
        community_id,
        lambda since, interval: (since <= interval) & (since > interval - 7),
        lambda since, interval: ((since - interval).desc(), Elder.id),
        limit,
    )


def overdue_count(*, session: Session, community_ids: list[int] | None, today: date) -> int:
    """How many elders were overdue on `today` (for the dashboard and its trend)."""
    return remember(
        session,
        "overdue_count",
        (community_ids, today),
        lambda: _overdue_count(session, community_ids, today),
        reads_to=today,
    )


def _overdue_count(session: Session, community_ids: list[int] | None, today: date) -> int:
    last = (
        select(Visit.elder_id, func.max(Visit.visited_on).label("last_visit"))
        .where(Visit.visited_on <= today)
        .group_by(Visit.elder_id)
        .subquery()
    )
    interval = interval_expr(session, today)
    since = days_since(session, today, func.coalesce(last.c.last_visit, Elder.registered_on))
    stmt = (
        select(func.count())
        .select_from(Elder)
        .join(last, last.c.elder_id == Elder.id, isouter=True)
        .where(
            Elder.registered_on <= today,
            since > interval,
            Elder.active | (Elder.deactivated_on > today),
        )
    )
    if community_ids is not None:
        stmt = stmt.where(Elder.community_id.in_(community_ids))
    return session.exec(stmt).one()


def _unassigned():
    """SQL: the elder has no visitor assigned."""
    return ~Elder.id.in_(select(ElderVisitor.elder_id))


def unassigned_count(*, session: Session, actor: Actor) -> int:
    """Active elders in scope with no visitor assigned (flagged on the registry)."""
    actor.require(FIELD)
    stmt = select(func.count()).select_from(Elder).where(Elder.active, _unassigned())
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(Elder.community_id.in_(ids))
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
    with each elder's visitors; `unassigned` flags an elder no one is assigned to visit."""
    actor.require(FIELD | {"volunteer"})
    stmt = (
        select(
            Elder.id,
            Elder.name,
            Elder.birth_date,
            Elder.phone,
            Elder.address,
            Elder.situations,
            Elder.care_level,
            Community.name,
            Grid.name,
            Elder.active,
        )
        .join(Community, Community.id == Elder.community_id)
        .join(Grid, Grid.id == Elder.grid_id, isouter=True)
    )
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(Elder.community_id.in_(ids))
    if actor.role == "volunteer":
        stmt = stmt.where(
            Elder.id.in_(select(ElderVisitor.elder_id).where(ElderVisitor.account_id == actor.id))
        )
    if not include_inactive:
        stmt = stmt.where(Elder.active)
    if unassigned_only:
        stmt = stmt.where(_unassigned())
    if search.strip():
        stmt = stmt.where(
            Elder.name.like(f"%{search.strip()}%") | Elder.address.like(f"%{search.strip()}%")
        )
    rows = session.exec(stmt.order_by(Elder.community_id, Elder.name).limit(LIST_LIMIT)).all()
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
        ],
    )
    frame["age"] = [age_on(b, today) for b in frame["birth_date"]]
    frame["visitors"] = frame["id"].map(_visitor_names(session, frame["id"].tolist())).fillna("")
    frame["unassigned"] = frame["visitors"] == ""
    if not actor.sees_personal_data:
        mine = set(
            session.exec(select(ElderVisitor.elder_id).where(ElderVisitor.account_id == actor.id))
        )
        own = frame["id"].isin(mine)
        frame.loc[~own, "phone"] = frame.loc[~own, "phone"].map(mask_phone)
        frame.loc[~own, "address"] = frame.loc[~own, "address"].map(mask_address)
    return frame.drop(columns=["birth_date"])


@dataclass(frozen=True)
class VisitLine:
    id: int
    visited_on: date
    visitor: str
    mode: str
    wellbeing: str
    hazards: list[str]
    needs_raised: str
    follow_up: str


@dataclass(frozen=True)
class ElderPage:
    id: int
    name: str
    age: int
    birth_date: date | None
    phone: str
    address: str
    community_id: int
    community: str
    grid_id: int | None
    situations: list[str]
    care_level: int | None
    health_notes: str | None  # None: not for this role
    guardian_name: str | None
    guardian_phone: str | None
    active: bool
    deactivated_reason: str
    registered_on: date
    interval: int
    last_visit: date | None
    next_due: date
    visitor_ids: list[int]
    visitors: str
    history: list[VisitLine] = field(default_factory=list)


def elder_page(*, session: Session, actor: Actor, elder_id: int, today: date) -> ElderPage:
    """One elder with the visit history; what a role sees is cut to what it needs."""
    actor.require(FIELD | {"volunteer"})
    elder = session.get(Elder, elder_id)
    if elder is None:
        raise BoardError("common.not_found")
    actor.require_community(elder.community_id)
    visitor_ids = list(
        session.exec(select(ElderVisitor.account_id).where(ElderVisitor.elder_id == elder_id))
    )
    assigned = actor.id in visitor_ids
    if actor.role == "volunteer" and not assigned:
        raise BoardError("elders.not_assigned")
    full = actor.sees_personal_data
    policy = effective_policy(session)
    rules = policy.get(elder.community_id, policy[None])
    situations = [s for s in elder.situations.split(",") if s]
    interval = interval_of(situations, age_on(elder.birth_date, today), rules, elder.care_level)
    history = session.exec(
        select(Visit)
        .where(Visit.elder_id == elder_id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(100)
    ).all()
    last = history[0].visited_on if history else None
    names = _visitor_names(session, [elder_id]).get(elder_id, "")
    volunteer_view = actor.role == "volunteer"
    return ElderPage(
        id=elder.id,
        name=elder.name,
        age=age_on(elder.birth_date, today),
        birth_date=elder.birth_date if full else None,
        phone=elder.phone if full or assigned else mask_phone(elder.phone),
        address=elder.address if full or assigned else mask_address(elder.address),
        community_id=elder.community_id,
        community=session.get(Community, elder.community_id).name,
        grid_id=elder.grid_id,
        situations=[] if volunteer_view else situations,
        care_level=None if volunteer_view else elder.care_level,
        health_notes=elder.health_notes if full else None,
        guardian_name=elder.guardian_name if full else None,
        guardian_phone=elder.guardian_phone if full else None,
        active=elder.active,
        deactivated_reason=elder.deactivated_reason,
        registered_on=elder.registered_on,
        interval=interval,
        last_visit=last,
        next_due=(last or elder.registered_on) + pd.Timedelta(days=interval).to_pytimedelta(),
        visitor_ids=visitor_ids,
        visitors=names,
        history=[]
        if volunteer_view and not assigned
        else [
            VisitLine(
                v.id,
                v.visited_on,
                v.visitor_name,
                v.mode,
                v.wellbeing,
                [h for h in v.hazards.split(",") if h],
                v.needs_raised,
                v.follow_up,
            )
            for v in history
        ],
    )


def visitor_choices(*, session: Session, actor: Actor, community_id: int) -> list[tuple[int, str]]:
    """Accounts of the community who can be assigned as visitors."""
    actor.require(STAFF)
    actor.require_community(community_id)
    rows = session.exec(
        select(Account.id, Account.display_name, Account.role)
        .where(
            Account.community_id == community_id,
            Account.active,
            Account.role.in_(["secretary", "grid_worker", "volunteer"]),
        )
        .order_by(Account.role, Account.display_name)
    )
    return [(i, name) for i, name, _role in rows]
