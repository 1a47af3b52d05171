"""Visits per community, month and mode, kept up to date at every write of a visit.

The monthly charts asked the database to count a year of visits (street size: about
50,000) at every dashboard run after a visit was recorded. Instead each flush of a
visit (recorded, corrected to another elder or day, voided) moves its count in
`visit_month`, in the same transaction, so the charts read a few rows per month; the
count never disagrees with the visits (tests/services/test_visit_months.py recounts).

Bulk inserts (the demo loader) bypass the flush: they call rebuild() afterwards.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd
from sqlalchemy import delete, event, func, insert, inspect
from sqlmodel import Session, col, select

from models.elders import Elder, Visit, VisitMonth
from services import data_versions, kept_counts

Key = tuple[int, str, str]  # community, YYYY-MM, mode
# Written in the visits' transactions, beside the ORM: the visits' versions are its own.
data_versions.kept_from(
    str(VisitMonth.__table__.name),  # type: ignore[attr-defined]
    (str(Visit.__table__.name), str(Elder.__table__.name)),  # type: ignore[attr-defined]
)


def _key(session: Session, elder_id: int, visited_on: date, mode: str) -> Key:
    with session.no_autoflush:
        elder = session.get(Elder, elder_id)
    assert elder is not None  # a visit's elder exists (foreign key)
    return (elder.community_id, visited_on.strftime("%Y-%m"), mode)


def _before(visit: Visit, name: str):
    """The value an attribute had when the visit was loaded (before this flush)."""
    history = inspect(visit).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return getattr(visit, name)


def _key_before(session: Session, visit: Visit) -> Key:
    """Where the visit was counted before this flush."""
    return _key(
        session, _before(visit, "elder_id"), _before(visit, "visited_on"), _before(visit, "mode")
    )


@event.listens_for(Session, "before_flush")
def _count_visits(session: Session, _context, _instances) -> None:
    moves: Counter[Key] = Counter()
    for row in session.new:
        if isinstance(row, Visit) and not row.voided:
            moves[_key(session, row.elder_id, row.visited_on, row.mode)] += 1
    for row in session.dirty:
        if not isinstance(row, Visit) or not session.is_modified(row):
            continue
        if not _before(row, "voided"):
            moves[_key_before(session, row)] -= 1
        if not row.voided:
            moves[_key(session, row.elder_id, row.visited_on, row.mode)] += 1
    for row in session.deleted:
        if isinstance(row, Visit) and not _before(row, "voided"):
            moves[_key_before(session, row)] -= 1
    changed = {key: n for key, n in moves.items() if n}
    if not changed:
        return
    kept_counts.add(
        session.connection(),
        VisitMonth,
        ("community_id", "month", "mode"),
        [
            {"community_id": c, "month": month, "mode": mode, "visits": n}
            for (c, month, mode), n in changed.items()
        ],
    )


def rebuild(session: Session) -> None:
    """Counts every visit afresh (after a bulk insert that bypassed the flush)."""
    from services.db import month_of_date  # services.db registers this module's listener

    month = month_of_date(session, Visit.visited_on)
    counted = (
        select(col(Elder.community_id), month, col(Visit.mode), func.count())
        .join(Elder, col(Elder.id) == Visit.elder_id)
        .where(~col(Visit.voided))
        .group_by(col(Elder.community_id), month, col(Visit.mode))
    )
    session.execute(delete(VisitMonth))
    session.execute(
        insert(VisitMonth).from_select(["community_id", "month", "mode", "visits"], counted)
    )


def is_whole_months(start: date, end: date) -> bool:
    return start.day == 1 and end.day == 1


def visits_by_month(
    session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Visits per month and mode in [start, end), whole months (see is_whole_months)."""
    assert is_whole_months(start, end)
    stmt = (
        select(col(VisitMonth.month), col(VisitMonth.mode), func.sum(VisitMonth.visits))
        .where(
            col(VisitMonth.month) >= start.strftime("%Y-%m"),
            col(VisitMonth.month) < end.strftime("%Y-%m"),
        )
        .group_by(col(VisitMonth.month), col(VisitMonth.mode))
        .having(func.sum(VisitMonth.visits) > 0)
        .order_by(col(VisitMonth.month), col(VisitMonth.mode))
    )
    if community_ids is not None:
        stmt = stmt.where(col(VisitMonth.community_id).in_(community_ids))
    rows = session.exec(stmt).all()
    return pd.DataFrame(
        [(m, mode, int(n)) for m, mode, n in rows], columns=["month", "mode", "visits"]
    )
