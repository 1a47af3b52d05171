"""Approved hours per community and month of the task's start, kept up to date at every
write of a task or a sign-up.

The monthly hours chart summed a year of sign-ups at every run. Instead each flush moves
`hours_month` in the same transaction: hours approved, changed or un-approved, a sign-up
moved, a task moved to another day or community. The counts never disagree with the
sign-ups (tests/services/test_event_task_months.py recounts them). Deltas are applied as
`n = n + delta` upserts, so concurrent writes add up; no service changes these columns
with a bulk UPDATE. Bulk inserts (the demo loader) bypass the flush: they call rebuild().
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, event, func, insert
from sqlmodel import Session, col, select

from models.volunteers import HoursMonth, HoursStatus, Signup, Task
from services import data_versions, kept_counts
from services.event_months import _before, _changed, month_key

# Written in the transactions of these tables' writes, beside the ORM: a read of the
# counts depends on their versions (services/data_versions.py).
data_versions.kept_from("hours_month", ("signup", "task"))

Key = tuple[int, str]  # community, YYYY-MM


def _approved(status: Any) -> bool:
    return status is not None and HoursStatus(status) == HoursStatus.approved


def _stored_hours(session: Session, task_id: int) -> tuple[int, float]:
    """The task's approved sign-ups and hours as the database holds them now."""
    count, hours = (
        session.connection()
        .execute(
            select(func.count(), func.coalesce(func.sum(Signup.hours), 0.0)).where(
                Signup.task_id == task_id, Signup.hours_status == HoursStatus.approved
            )
        )
        .one()
    )
    return int(count), float(hours)


@event.listens_for(Session, "before_flush")
def _count_hours(session: Session, _context, _instances) -> None:
    moves: dict[Key, list[Any]] = defaultdict(lambda: [0, 0.0])  # [sign-ups, hours]

    def add(key: Key, sign: int, count: int, hours: float) -> None:
        moves[key][0] += sign * count
        moves[key][1] += sign * hours

    # 1. tasks moved (or deleted) carry the approved hours the database holds for them
    for row in session.dirty:
        if isinstance(row, Task) and _changed(row, ("starts_at", "community_id")):
            count, hours = _stored_hours(session, row.id)
            if count:
                before = (_before(row, "community_id"), month_key(_before(row, "starts_at")))
                add(before, -1, count, hours)
                add((row.community_id, month_key(row.starts_at)), 1, count, hours)
    for row in session.deleted:
        if isinstance(row, Task):
            count, hours = _stored_hours(session, row.id)
            if count:
                before = (_before(row, "community_id"), month_key(_before(row, "starts_at")))
                add(before, -1, count, hours)

    # 2. the sign-ups, against their task as this flush leaves it
    def task_key(task_id: int | None) -> Key | None:
        if task_id is None:
            return None
        with session.no_autoflush:
            task = session.get(Task, task_id)
        if task is None or task in session.deleted:
            return None
        return (task.community_id, month_key(task.starts_at))

    for row in session.new:
        if (
            isinstance(row, Signup)
            and _approved(row.hours_status)
            and (key := task_key(row.task_id))
        ):
            add(key, 1, 1, row.hours)
    for row in session.dirty:
        if not isinstance(row, Signup) or not _changed(row, ("task_id", "hours", "hours_status")):
            continue
        if _approved(_before(row, "hours_status")) and (key := task_key(_before(row, "task_id"))):
            add(key, -1, 1, _before(row, "hours"))
        if _approved(row.hours_status) and (key := task_key(row.task_id)):
            add(key, 1, 1, row.hours)
    for row in session.deleted:
        if (
            isinstance(row, Signup)
            and _approved(_before(row, "hours_status"))
            and (key := task_key(_before(row, "task_id")))
        ):
            add(key, -1, 1, _before(row, "hours"))

    changed = {key: v for key, v in moves.items() if v[0] or v[1]}
    if not changed:
        return
    kept_counts.add(
        session.connection(),
        HoursMonth,
        ("community_id", "month"),
        [
            {"community_id": c, "month": month, "signups": count, "hours": hours}
            for (c, month), (count, hours) in changed.items()
        ],
    )


def recount(session: Session) -> Any:
    """SELECT of (community_id, month, signups, hours) from the sign-ups: what
    `hours_month` must hold."""
    from services.db import month_of  # services.db registers this module's listener

    month = month_of(session, Task.starts_at)
    return (
        select(col(Task.community_id), month, func.count(), func.sum(Signup.hours))
        .join(Task, col(Task.id) == Signup.task_id)
        .where(Signup.hours_status == HoursStatus.approved)
        .group_by(col(Task.community_id), month)
    )


def rebuild(session: Session) -> None:
    """Counts every approved hour afresh (after a bulk insert that bypassed the flush)."""
    session.execute(delete(HoursMonth))
    session.execute(
        insert(HoursMonth).from_select(
            ["community_id", "month", "signups", "hours"], recount(session)
        )
    )
