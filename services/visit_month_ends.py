"""The visit figures of months that are over, per community, kept in the database.

The dashboard's overdue trend asks for the elders overdue at twelve month-ends, and its
figures for the month before for that month's overdue count and visit rate: each a pass
over every elder of the street and their latest visits. A month that is over changes
only when data about it is written late, so each community's figures of a month are
computed once, when first asked for, and kept (`visit_month_end`); the month in
progress is always counted live.

A write that can change kept figures works them out again in its own transaction
(before it commits), as the transaction sees the data, so that no reader pays for it:

- a visit recorded, corrected or voided: its community's months from the visit's
  month on (a visit made today changes nothing kept: today's month is not kept);
- a major change: its community's months from the change's month on;
- an elder registered, moved, deactivated or edited in what the figures read (birth
  date, situations, care level, registration: visit_dues.PLAN_FIELDS): every month of
  their community (of both communities, when moved); a new phone number, none;
- a tier changed: every month of its community, or of the whole street for the street's
  tiers (the admin's save then takes ~1 s for a street of 6,000 elders);
- a bulk statement on any of these tables (the demo loader): every kept figure is
  removed, and readers work them out.

Two writers about one community lock a row of their own (_lock_communities), so the
second works the figures out with the first's rows committed.

Only a read session (services/db.py read_session) keeps what it computed: a session
that writes may see rows it never commits. A write may commit while a reader computes:
figures are stored only if the data versions (services/data_versions.py) of what they
were computed from are still the ones read before computing, checked under the
versions' row locks. A writer takes those locks (its new versions) before it works
kept figures out again, so either the reader stores first and the writer then replaces
what it stored, or the reader sees the new versions and stores nothing.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, delete, event, func, inspect, or_, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from models.elders import Elder, ElderChange, Visit, VisitMonthEnd, VisitTier
from models.versions import DataVersion

# data_versions registers its before_commit listener (the new versions) on import, so
# before this module's: a writer takes the versions' locks before it removes figures.
from services import data_versions, visit_dues

# What the figures are computed from.
_TABLES = tuple(str(m.__table__.name) for m in (Visit, Elder, VisitTier, ElderChange))  # type: ignore[union-attr]
_STALE = "board_month_ends_stale"  # session.info: {community id or None (all): first month}
_BULK = "board_month_ends_bulk"  # session.info: a bulk statement on what they are computed from
_KEPT = str(VisitMonthEnd.__table__.name)  # type: ignore[attr-defined]
data_versions.kept_from(_KEPT, _TABLES)
_ALL = None
_FIGURES = ("overdue", "under_care", "visited", "due", "on_time")


@dataclass(frozen=True)
class MonthEnd:
    """One month's figures (summed over the communities asked for)."""

    overdue: int = 0  # elders overdue on the month's last day
    under_care: int = 0  # elders under care in the month
    visited: int = 0  # of those, visited in it
    due: int = 0  # visits due in the month (services/visits.py on_time_by_community)
    on_time: int = 0  # of those, made on time


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def is_over(month: date, today: date) -> bool:
    """Whether the month (its first day) ended before `today`."""
    return next_month(month) <= today


# --- reading ------------------------------------------------------------------------


def month_ends(
    session: Session, community_ids: list[int] | None, months: list[date], today: date
) -> dict[date, MonthEnd]:
    """The figures of `months` (first days of months that are over before `today`), each
    summed over the communities (None: the whole street): kept ones read, missing ones
    computed and kept."""
    from services.visit_plan import every_community  # visit_plan imports services.db,
    # which imports this module

    communities = community_ids if community_ids is not None else every_community(session)
    found = _kept(session, communities, months, today)
    return {
        month: MonthEnd(
            **{
                f: sum(getattr(found[(c, f"{month:%Y-%m}")], f) for c in communities)
                for f in _FIGURES
            }
        )
        for month in months
    }


def month_end_by_community(
    session: Session, community_ids: list[int], month: date, today: date
) -> dict[int, MonthEnd]:
    """Each community's figures of one month that is over."""
    found = _kept(session, community_ids, [month], today)
    label = f"{month:%Y-%m}"
    return {
        c: MonthEnd(**{f: getattr(found[(c, label)], f) for f in _FIGURES}) for c in community_ids
    }


def _kept(
    session: Session, communities: list[int], months: list[date], today: date
) -> dict[tuple[int, str], VisitMonthEnd]:
    """Each (community, YYYY-MM)'s row: kept ones read, missing ones computed and kept."""
    assert all(is_over(m, today) for m in months), "only months that are over are kept"
    if not months or not communities:
        return {}
    labels = {f"{m:%Y-%m}": m for m in months}
    kept = session.exec(
        select(VisitMonthEnd).where(
            col(VisitMonthEnd.community_id).in_(communities),
            col(VisitMonthEnd.month).in_(labels),
        )
    ).all()
    found = {(row.community_id, row.month): row for row in kept}
    missing = [(c, label) for c in communities for label in labels if (c, label) not in found]
    if missing:
        found.update(_compute(session, missing, labels))
    return found


def _compute(
    session: Session, missing: list[tuple[int, str]], labels: dict[str, date]
) -> dict[tuple[int, str], VisitMonthEnd]:
    """Computes the missing (community, month) figures, and keeps them if nothing they
    were computed from was written meanwhile."""
    # services.db (and visit_plan, which imports it) import this module (its listeners)
    from services.db import READ_ONLY

    communities = sorted({c for c, _ in missing})
    scopes = data_versions.scopes(_TABLES, communities)
    before = data_versions.versions(session, scopes)
    rows = _figures(session, missing, labels)
    if session.info.get(READ_ONLY):  # a writing session may see what it never commits
        _keep(session, scopes, before, list(rows.values()))
    return rows


def _figures(
    session: Session, wanted: list[tuple[int, str]], labels: dict[str, date]
) -> dict[tuple[int, str], VisitMonthEnd]:
    """The figures of each (community, month) in `wanted`, as `session` sees the data."""
    from services.visit_plan import overdue_per_community
    from services.visits import on_time_per_community

    by_month: dict[str, list[int]] = defaultdict(list)
    for community, label in wanted:
        by_month[label].append(community)
    rows: dict[tuple[int, str], VisitMonthEnd] = {}
    for label, ids in by_month.items():
        first = labels[label]
        last_day = next_month(first) - timedelta(days=1)
        overdue = overdue_per_community(session, ids, last_day)
        care = care_per_community(session, ids, first, next_month(first))
        on_time = on_time_per_community(session, ids, first, next_month(first))
        for community in ids:
            under_care, visited = care.get(community, (0, 0))
            due, made = on_time.get(community, (0, 0))
            rows[(community, label)] = VisitMonthEnd(
                community_id=community,
                month=label,
                overdue=overdue.get(community, 0),
                under_care=under_care,
                visited=visited,
                due=due,
                on_time=made,
            )
    return rows


def _keep(session: Session, scopes: list[str], before: tuple, rows: list[VisitMonthEnd]) -> None:
    keep_if_unchanged(session, scopes, before, lambda c: _store(c, rows, replace=False))


def keep_if_unchanged(
    session: Session, scopes: list[str], before: tuple, store: Callable[[Connection], None]
) -> None:
    """Runs `store` in a transaction of its own, under the versions' row locks, if the
    versions are still `before`. Written on the connection: storing figures computed from
    the data changes no data version."""
    from services.db import transaction  # services.db imports this module

    engine = session.get_bind().engine
    with transaction(engine) as writer:
        connection = writer.connection()
        if data_versions.unchanged(connection, scopes, before):
            store(connection)


def _store(connection: Connection, rows: list[VisitMonthEnd], *, replace: bool) -> None:
    """Inserts `rows`; one already kept is left as it is, or replaced when `replace`."""
    if not rows:
        return
    upsert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    stmt = upsert(VisitMonthEnd).values(
        [
            {
                "community_id": r.community_id,
                "month": r.month,
                **{f: getattr(r, f) for f in _FIGURES},
            }
            for r in rows
        ]
    )
    keys = ["community_id", "month"]
    connection.execute(
        stmt.on_conflict_do_update(
            index_elements=keys,
            set_={c: stmt.excluded[c] for c in _FIGURES},
        )
        if replace
        else stmt.on_conflict_do_nothing(index_elements=keys)
    )


def care_per_community(
    session: Session, community_ids: list[int] | None, first: date, stop: date
) -> dict[int, tuple[int, int]]:
    """Per community: elders under care in [first, stop) (registered before `stop`, and
    not deactivated on or before `first`), and how many of them were visited in it (a
    visit that stands). The monthly visit rate (services/visits.py) is built of these."""
    seen = (
        select(Visit.id)
        .where(
            Visit.elder_id == Elder.id,
            col(Visit.visited_on) >= first,
            col(Visit.visited_on) < stop,
            ~col(Visit.voided),
        )
        .exists()
    )
    stmt = (
        select(
            col(Elder.community_id),
            func.count(),
            func.coalesce(func.sum(case((seen, 1), else_=0)), 0),
        )
        .where(
            col(Elder.registered_on) < stop,
            col(Elder.active) | (col(Elder.deactivated_on) > first),
        )
        .group_by(col(Elder.community_id))
    )
    if community_ids is not None:
        stmt = stmt.where(col(Elder.community_id).in_(community_ids))
    return {c: (int(n), int(v)) for c, n, v in session.exec(stmt).all()}


# --- writes remove what they can change ---------------------------------------------


def _stale(session: OrmSession, community: int | None, first_day: date) -> None:
    stale: dict[int | None, date] = session.info.setdefault(_STALE, {})
    month = month_start(first_day)
    stale[community] = min(stale.get(community, month), month)


def _before(row: object, name: str):
    history = inspect(row).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(row, name)


def _community(session: Session, elder_id: int | None) -> int | None:
    if elder_id is None:
        return None
    with session.no_autoflush:
        elder = session.get(Elder, elder_id)
    return elder.community_id if elder is not None else None


_DAY_OF = {Visit: "visited_on", ElderChange: "occurred_on"}


@event.listens_for(Session, "before_flush")
def _note_writes(session: Session, _context, _instances) -> None:
    for row in (*session.new, *session.dirty, *session.deleted):
        if row in session.dirty and not session.is_modified(row):
            continue
        if isinstance(row, Elder):
            if not visit_dues.moves_plans(session, row):
                continue
            for community in {_before(row, "community_id"), row.community_id}:
                _stale(session, community, date.min)
        elif isinstance(row, (Visit, ElderChange)):
            day = _DAY_OF[type(row)]  # what it reaches back to: its day, before and now
            for elder_id, first_day in (
                (_before(row, "elder_id"), _before(row, day)),
                (row.elder_id, getattr(row, day)),
            ):
                community = _community(session, elder_id)
                if community is not None:
                    _stale(session, community, first_day)
        elif isinstance(row, VisitTier):
            for community in {_before(row, "community_id"), row.community_id}:
                _stale(session, community, date.min)  # None: the street's tiers, all


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in _TABLES:
        state.session.info[_BULK] = True


@event.listens_for(Session, "before_commit")
def _refresh_stale(session: Session) -> None:
    """Works out again, in the transaction, the kept figures its writes changed (after
    data_versions' listener: the new versions are written and locked). A bulk statement
    (the demo loader) removes every kept figure instead: the readers work them out."""
    from services import visit_today  # it reads the figures this module computes

    stale = session.info.pop(_STALE, None)
    bulk = session.info.pop(_BULK, False)
    if not stale and not bulk:
        return
    connection = session.connection()
    if bulk:
        connection.execute(delete(VisitMonthEnd))
        visit_today.forget_all(connection)
        return
    if _ALL in stale:
        stale = {_ALL: min(stale.values())}
    reached = [
        (col(VisitMonthEnd.month) >= f"{month:%Y-%m}")
        & (true() if community is _ALL else VisitMonthEnd.community_id == community)
        for community, month in stale.items()
    ]
    kept = connection.execute(
        select(col(VisitMonthEnd.community_id), col(VisitMonthEnd.month)).where(or_(*reached))
    ).all()
    # the month in progress: any write about a community can change its figures of today
    days = visit_today.kept_days(connection, None if _ALL in stale else list(stale))
    if not kept and not days:
        return
    _lock_communities(connection, sorted({c for c, _ in kept} | {c for c, _ in days}))
    labels = {label: date.fromisoformat(f"{label}-01") for _, label in kept}
    with session.no_autoflush:
        rows = _figures(session, [(c, label) for c, label in kept], labels)
        visit_today.work_out_again(session, connection, days)
    _store(connection, list(rows.values()), replace=True)


def _lock_communities(connection: Connection, communities: list[int]) -> None:
    """Two writers about one community (a late visit, an elder's new care level) each work
    its figures out as their own transaction sees the data: the second to lock waits for
    the first to commit, and then (PostgreSQL's READ COMMITTED) sees its rows too. SQLite
    runs one writer at a time."""
    upsert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    stmt = upsert(DataVersion).values(
        [{"scope": f"{_KEPT}:{c}", "version": secrets.randbits(62)} for c in communities]
    )
    connection.execute(
        stmt.on_conflict_do_update(
            index_elements=["scope"], set_={"version": stmt.excluded.version}
        )
    )


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_STALE, None)
    session.info.pop(_BULK, None)
