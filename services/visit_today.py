"""The visit figures of the month in progress, per community, as of one day, kept in the
database (`visit_today`).

The dashboard's figures of this month ask how many elders are overdue today and how many
of the month's visits due by today were made on time: each a pass over every elder of
the street and their visits. They are kept per community and day like the figures of
months that are over (services/visit_month_ends.py), and by the same rules:

- the first look of a day computes them and keeps them, if nothing they were computed
  from was written meanwhile (checked under the data versions' row locks);
- a write that can change them (a visit recorded, corrected or voided, an elder's edit, a
  major change, a tier changed) works its community's rows out again in its own
  transaction, before it commits (visit_month_ends._refresh_stale calls
  `work_out_again`): the street admin's save of the tiers pays for the street, not the
  next person to open the dashboard. Rows of days before the latest two are dropped then.

A write runs every kept day of its community again, whatever the day it is about: a late
visit entered for October can change who is overdue today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from models.elders import Elder, ElderChange, Visit, VisitTier, VisitToday
from services import data_versions
from services.visit_month_ends import keep_if_unchanged, month_start, next_month

_TABLES = tuple(str(m.__table__.name) for m in (Visit, Elder, VisitTier, ElderChange))  # type: ignore[union-attr]
data_versions.kept_from(str(VisitToday.__table__.name), _TABLES)  # type: ignore[attr-defined]
_FIGURES = ("overdue", "due", "on_time")
_DAYS_KEPT = 2  # the latest days: today, and yesterday for a page opened before midnight


@dataclass(frozen=True)
class TodayFigures:
    overdue: int = 0  # elders overdue on the day
    due: int = 0  # visits of the day's month due by the day (services/visits.py)
    on_time: int = 0  # of those, made on time


def today_figures(session: Session, community_ids: list[int], day: date) -> dict[int, TodayFigures]:
    """Each community's figures as of `day`: kept ones read, missing ones computed (and
    kept, by a read session)."""
    from services.db import READ_ONLY  # services.db imports what imports this module

    if not community_ids:
        return {}
    kept = session.exec(
        select(VisitToday).where(
            col(VisitToday.community_id).in_(community_ids), VisitToday.day == day
        )
    ).all()
    found = {r.community_id: r for r in kept}
    missing = [c for c in community_ids if c not in found]
    if missing:
        scopes = data_versions.scopes(_TABLES, missing)
        before = data_versions.versions(session, scopes)
        computed = _figures(session, missing, day)
        if session.info.get(READ_ONLY):  # a writing session may see what it never commits
            keep_if_unchanged(session, scopes, before, lambda c: _store(c, computed))
        found.update({r.community_id: r for r in computed})
    return {c: TodayFigures(**{f: getattr(found[c], f) for f in _FIGURES}) for c in community_ids}


def _figures(session: Session, community_ids: list[int], day: date) -> list[VisitToday]:
    # visit_plan and visits import this module (their figures are read through it)
    from services.visit_plan import overdue_per_community
    from services.visits import on_time_per_community

    overdue = overdue_per_community(session, community_ids, day)
    first = month_start(day)
    on_time = on_time_per_community(session, community_ids, first, next_month(first), day)
    return [
        VisitToday(
            community_id=c,
            day=day,
            overdue=overdue.get(c, 0),
            due=on_time.get(c, (0, 0))[0],
            on_time=on_time.get(c, (0, 0))[1],
        )
        for c in community_ids
    ]


def _store(connection: Connection, rows: list[VisitToday]) -> None:
    """Inserts or replaces `rows`."""
    if not rows:
        return
    upsert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    stmt = upsert(VisitToday).values(
        [
            {"community_id": r.community_id, "day": r.day, **{f: getattr(r, f) for f in _FIGURES}}
            for r in rows
        ]
    )
    connection.execute(
        stmt.on_conflict_do_update(
            index_elements=["community_id", "day"], set_={f: stmt.excluded[f] for f in _FIGURES}
        )
    )


# --- writes work them out again -----------------------------------------------------


def kept_days(
    connection: Connection, community_ids: list[int | None] | None
) -> list[tuple[int, date]]:
    """The (community, day) rows kept for `community_ids` (None: every community; an
    unknown community, None in the list, counts as every one), after dropping the days
    before the latest two."""
    latest = connection.execute(
        select(col(VisitToday.day)).order_by(col(VisitToday.day).desc()).limit(1)
    ).scalar()
    if latest is None:
        return []
    connection.execute(
        delete(VisitToday).where(col(VisitToday.day) <= latest - timedelta(days=_DAYS_KEPT))
    )
    stmt = select(col(VisitToday.community_id), col(VisitToday.day))
    if community_ids is not None and None not in community_ids:
        stmt = stmt.where(col(VisitToday.community_id).in_(community_ids))
    return [(int(c), d) for c, d in connection.execute(stmt).all()]


def work_out_again(session: Session, connection: Connection, rows: list[tuple[int, date]]) -> None:
    """Computes the kept rows again, as the writing transaction sees the data."""
    by_day: dict[date, list[int]] = {}
    for community, day in rows:
        by_day.setdefault(day, []).append(community)
    for day, communities in by_day.items():
        _store(connection, _figures(session, sorted(communities), day))


def forget_all(connection: Connection) -> None:
    """A bulk statement on what the figures read (the demo loader): readers compute them."""
    connection.execute(delete(VisitToday))
