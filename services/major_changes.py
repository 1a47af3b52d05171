"""Major changes in an elder's life (出院, 丧偶/亲人离世, 跌倒, 极端天气预警, 其他 with a
note), recorded by staff or a grid worker with the day they happened.

A change makes a visit due within CHANGE_DUE_DAYS day(s) of its day: the elder is on the
due and then the overdue list until a visit on or after that day is recorded (visits
carry a day, not an hour: a visit the same day counts as after the change). The plan
reads it through `pending_change_day` (services/visit_plan.py).

Not here: the regular interval (services/visit_policy.py), campaigns
(services/visit_campaigns.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from models.elders import CHANGE_KINDS, Elder, ElderChange
from services import audit
from services.access import FIELD, Actor, get_scoped
from services.errors import BoardError

CHANGE_DUE_DAYS = 1  # a visit within 24 hours of a major change


def can_record_change(actor: Actor) -> bool:
    """Staff and grid workers record major changes; a volunteer tells the office."""
    return actor.role in FIELD


def change_record(
    *,
    session: Session,
    actor: Actor,
    elder_id: int,
    kind: str,
    occurred_on: date | None,
    today: date,
    note: str = "",
) -> int:
    elder = get_scoped(session, actor, Elder, elder_id, roles=FIELD)
    if not elder.active:
        raise BoardError("visits.elder_inactive")
    if kind not in CHANGE_KINDS:
        raise BoardError("elders.change_kind_invalid")
    if occurred_on is None or occurred_on > today:
        raise BoardError("elders.change_future")
    if occurred_on < elder.registered_on:
        raise BoardError("visits.before_registration", day=elder.registered_on.isoformat())
    note = (note or "").strip()
    if kind == "other" and not note:
        raise BoardError("elders.change_note_required")
    if session.exec(
        select(col(ElderChange.id)).where(
            ElderChange.elder_id == elder_id,
            ElderChange.kind == kind,
            ElderChange.occurred_on == occurred_on,
        )
    ).first():
        raise BoardError("elders.change_duplicate", name=elder.name)
    row = ElderChange(
        elder_id=elder_id, kind=kind, occurred_on=occurred_on, note=note, recorded_by=actor.id
    )
    session.add(row)
    audit.record(session, actor_id=actor.id, action="create", row=row)
    return row.id


@dataclass(frozen=True)
class ChangeLine:
    kind: str
    occurred_on: date
    note: str


def changes_of(session: Session, elder_id: int, limit: int = 20) -> list[ChangeLine]:
    """An elder's major changes, the latest first (the caller has opened the elder)."""
    rows = session.exec(
        select(ElderChange)
        .where(ElderChange.elder_id == elder_id)
        .order_by(col(ElderChange.occurred_on).desc(), col(ElderChange.id).desc())
        .limit(limit)
    ).all()
    return [ChangeLine(r.kind, r.occurred_on, r.note) for r in rows]


def pending_change_day(today: date, last_visit: ColumnElement) -> ColumnElement:
    """SQL (correlated with Elder): the day of the earliest change on or before `today`
    with no visit since (after `last_visit`, the elder's latest visit); NULL if none."""
    return (
        select(func.min(ElderChange.occurred_on))
        .where(
            col(ElderChange.elder_id) == Elder.id,
            col(ElderChange.occurred_on) <= today,
            or_(last_visit.is_(None), col(ElderChange.occurred_on) > last_visit),
        )
        .correlate_except(ElderChange)
        .scalar_subquery()
    )
