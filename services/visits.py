"""Visit records (探访记录), and the office's figures and charts about visiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import case, func, literal
from sqlmodel import Session, select

from models.base import LOCAL_TZ
from models.elders import HAZARDS, VISIT_MODES, WELLBEING, Elder, ElderVisitor, Visit
from models.org import Community
from models.volunteers import TaskKind
from services import audit, tasks
from services.access import FIELD, Actor
from services.db import month_of_date, smallest
from services.elders import overdue_count, remember
from services.errors import BoardError
from services.visit_policy import interval_expr


@dataclass(frozen=True)
class FollowUpTask:
    """A follow-up task made from a need raised in the visit, in the same step."""

    title: str
    day: date
    capacity: int = 1


def visit_record(
    *,
    session: Session,
    actor: Actor,
    elder_id: int,
    visited_on: date,
    mode: str,
    today: date,
    wellbeing: str = "",
    hazards: list[str] = (),
    needs_raised: str = "",
    follow_up: str = "",
    follow_up_task: FollowUpTask | None = None,
) -> int:
    """Records a visit; optionally turns the need raised into a follow-up task."""
    actor.require(FIELD | {"volunteer"})
    elder = session.get(Elder, elder_id)
    if elder is None:
        raise BoardError("common.not_found")
    actor.require_community(elder.community_id)
    if actor.role == "volunteer" and session.get(ElderVisitor, (elder_id, actor.id)) is None:
        raise BoardError("elders.not_assigned")
    if not elder.active:
        raise BoardError("visits.elder_inactive")
    if visited_on is None or visited_on > today:
        raise BoardError("visits.future")
    if visited_on < elder.registered_on:
        raise BoardError("visits.before_registration", day=elder.registered_on.isoformat())
    if mode not in VISIT_MODES:
        raise BoardError("visits.mode_invalid")
    if wellbeing and wellbeing not in WELLBEING:
        raise BoardError("visits.wellbeing_invalid")
    bad = [h for h in hazards if h not in HAZARDS]
    if bad:
        raise BoardError("visits.hazard_invalid")
    if follow_up_task is not None and not needs_raised.strip():
        raise BoardError("visits.task_needs_need")
    if follow_up_task is not None and actor.role == "volunteer":
        raise BoardError("visits.volunteer_cannot_create_task")
    visit = Visit(
        elder_id=elder_id,
        visitor_account_id=actor.id,
        visitor_name=actor.display_name,
        visited_on=visited_on,
        mode=mode,
        wellbeing=wellbeing,
        hazards=",".join(h for h in HAZARDS if h in hazards),
        needs_raised=needs_raised.strip(),
        follow_up=follow_up.strip(),
    )
    session.add(visit)
    audit.record(session, actor_id=actor.id, action="create", row=visit)
    if follow_up_task is not None:
        start = datetime.combine(follow_up_task.day, time(9, 0), LOCAL_TZ)
        tasks.task_create(
            session=session,
            actor=actor,
            title=follow_up_task.title.strip() or f"跟进：{elder.name}",
            kind=TaskKind.elder_visit,
            community_id=elder.community_id,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=follow_up_task.capacity,
            place=elder.address,
            description=needs_raised.strip(),
            elder_id=elder.id,
        )
    return visit.id


# --- figures and charts (aggregates only) ----------------------------------------------


def _scoped(stmt, community_ids):
    return stmt if community_ids is None else stmt.where(Elder.community_id.in_(community_ids))


def _visits_in_scope(stmt, community_ids):
    """Visits of the communities' elders; the whole street needs no join (index only)."""
    if community_ids is None:
        return stmt
    return stmt.join(Elder, Elder.id == Visit.elder_id).where(Elder.community_id.in_(community_ids))


def visit_figures(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> dict:
    """Visits made in [start, end), the on-time rate, and elders overdue as of `today`.

    On-time rate: for each elder, the visits due in the period are period days / interval
    (at least one); visits count up to that number. Rate = visits counted / visits due.
    """
    made = session.exec(
        _visits_in_scope(
            select(func.count())
            .select_from(Visit)
            .where(Visit.visited_on >= start, Visit.visited_on < end),
            community_ids,
        )
    ).one()
    return {
        "visits": made,
        "on_time_rate": _on_time_rate(session, community_ids, start, end),
        "overdue_elders": overdue_count(
            session=session, community_ids=community_ids, today=min(today or end, end)
        ),
    }


def _on_time_rate(session, community_ids, start: date, end: date) -> float | None:
    rates = on_time_by_community(session=session, community_ids=community_ids, start=start, end=end)
    if rates.empty or rates["due"].sum() == 0:
        return None
    return float(rates["on_time"].sum() / rates["due"].sum())


def on_time_by_community(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Per community: visits due in the period, visits made on time, and the rate."""
    return remember(
        session,
        "on_time",
        (community_ids, start, end),
        lambda: _on_time_by_community(session, community_ids, start, end),
    ).copy()


def _on_time_by_community(session: Session, community_ids, start: date, end: date) -> pd.DataFrame:
    days = max(1, (end - start).days)
    interval = interval_expr(session, end)
    due = (
        func.max(1, literal(days) // interval)
        if session.get_bind().dialect.name == "sqlite"
        else func.greatest(1, literal(days) // interval)
    )
    counts = (
        select(Visit.elder_id, func.count().label("n"))
        .where(Visit.visited_on >= start, Visit.visited_on < end)
        .group_by(Visit.elder_id)
        .subquery()
    )
    per_elder = _scoped(
        select(
            Elder.community_id,
            due.label("due"),
            smallest(session, func.coalesce(counts.c.n, 0), due).label("on_time"),
        )
        .join(counts, counts.c.elder_id == Elder.id, isouter=True)
        .where(Elder.registered_on < end, Elder.active | (Elder.deactivated_on > start)),
        community_ids,
    ).subquery()
    rows = session.exec(
        select(Community.name, func.sum(per_elder.c.due), func.sum(per_elder.c.on_time))
        .join(per_elder, per_elder.c.community_id == Community.id)
        .group_by(Community.id, Community.name)
        .order_by(Community.id)
    ).all()
    frame = pd.DataFrame(rows, columns=["community", "due", "on_time"])
    frame["rate"] = (frame["on_time"] / frame["due"]).round(3)
    return frame


def visits_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Visits per month and mode."""
    month = month_of_date(session, Visit.visited_on)
    rows = session.exec(
        _visits_in_scope(
            select(month, Visit.mode, func.count()).where(
                Visit.visited_on >= start, Visit.visited_on < end
            ),
            community_ids,
        )
        .group_by(month, Visit.mode)
        .order_by(month)
    ).all()
    return pd.DataFrame(rows, columns=["month", "mode", "visits"])


def overdue_trend(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Elders overdue at the end of each month of the window (the last one: up to end)."""
    points, month = [], date(start.year, start.month, 1)
    while month < end:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        as_of = min(min(following, end) - timedelta(days=1), date.today())
        points.append(
            {
                "month": f"{month:%Y-%m}",
                "overdue": overdue_count(session=session, community_ids=community_ids, today=as_of),
            }
        )
        month = following
    return pd.DataFrame(points, columns=["month", "overdue"])


def hazards_found(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """How many visits found each kind of safety hazard."""
    stmt = (
        select(*[func.sum(case((Visit.hazards.like(f"%{h}%"), 1), else_=0)) for h in HAZARDS])
        .join(Elder, Elder.id == Visit.elder_id)
        .where(Visit.visited_on >= start, Visit.visited_on < end)
    )
    values = session.exec(_scoped(stmt, community_ids)).one()
    return pd.DataFrame({"hazard": list(HAZARDS), "visits": [int(v or 0) for v in values]})
