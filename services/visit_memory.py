"""Visit aggregates kept in memory between page runs, and forgotten when the data moves.

The figures of a month are kept in the database (a month that is over:
services/visit_month_ends.py; the month in progress: services/visit_today.py); those of
other periods (a quarter, a year, the monthly visit rate and care counts) are a pass over
the period's visits each, kept here. Computed once, they stay until a write can change
them:

- new visits change only what reads on or after the earliest day they record, of their
  communities: a visit made today leaves every past month-end as it was and every other
  community's figures, a visit entered late (back-dated) reaches back to its own day;
  so figures for several communities are kept per community (remember_each), and a
  visit recomputes only its own community's;
- a corrected or voided visit, a new or changed elder, or a major change can change
  anything of its community: all of that community's values are forgotten (and every
  value about several communities); a change of the street's tiers counts for every
  community, and a write whose community is not known forgets everything;
- tiers and major changes move only what reads the visit plans (who is due, on time,
  overdue): the counts of visits and of elders in care (`reads_rules=False`) stay.

Whether anything changed is told by the tables' versions (services/data_versions.py),
which every app server of the database sees. Visits are never deleted; a visit changed
after it was recorded (services/visit_fixes.py) is audited: the visits created, and the
audited changes of visits, since shortly before the last look tell which case it is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.audit import AuditEntry
from models.base import utcnow
from models.elders import Elder, ElderChange, Visit, VisitTier
from services import data_versions

# The tables the aggregates read: a write to any of them but a new visit can move any
# aggregate (an elder deactivated, a tier edited, a major change recorded, a visit
# corrected or voided).
_TABLES = tuple(str(m.__table__.name) for m in (Visit, Elder, VisitTier, ElderChange))  # type: ignore[union-attr]
_RULES = frozenset(_TABLES[2:])  # what only the plans read: tiers, major changes
# Visits created this long before the last look may have committed after it: longer
# than any write transaction, plus the clocks of two app servers disagreeing.
_RECENT = timedelta(minutes=5)
_MAX_ENTRIES = 5000
Value = TypeVar("Value")


class _Memory:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        # key -> (reads up to, the community it is about or None for several, whether it
        # reads the plans' rules, value)
        self.values: dict[tuple, tuple[date, int | None, bool, Any]] = {}
        # database url -> (data version last seen, when it was looked at)
        self.versions: dict[str, tuple[tuple, datetime]] = {}


_MEMORY = _Memory()


def _data_version(session: Session) -> tuple:
    """The versions (services/data_versions.py) of visits, elders, tiers and major changes
    of each community: new at every committed write, whatever order transactions commit
    in (the newest id was not: on PostgreSQL a visit with a lower id can commit after a
    higher one)."""
    from services.db import once_per_read  # services.db imports what imports this module
    from services.visit_plan import every_community

    return once_per_read(
        session,
        "visit_versions",
        lambda: data_versions.versions(
            session, data_versions.scopes(_TABLES, every_community(session))
        ),
    )


def _changes(seen: tuple, now: tuple) -> dict[str, set[str]] | None:
    """Per community (its id as text, or UNKNOWN), the tables written since `seen`; None
    when the communities are not the same (a new community)."""
    if [name for name, _ in seen] != [name for name, _ in now]:
        return None
    changes: dict[str, set[str]] = {}
    for (name, before), (_, after) in zip(seen, now, strict=True):
        if before != after:
            table, _, community = name.rpartition(":")
            changes.setdefault(community, set()).add(table)
    return changes


def _catch_up(session: Session, url: str) -> None:
    """Forgets what the writes since the last look can have changed: of the communities
    written, everything when an elder, tier or major change was written or a visit
    corrected (only what reads the plans' rules, when only tiers or major changes were),
    else what reads from the earliest day of their new visits on; and the values about
    several communities, likewise."""
    version = _data_version(session)
    seen = _MEMORY.versions.get(url)
    if seen is not None and seen[0] == version:
        return
    looked_at = utcnow()
    changes = _changes(seen[0], version) if seen is not None else None
    unknown = changes.pop(data_versions.UNKNOWN, set()) if changes is not None else set()
    if changes is None or not unknown <= _RULES:
        stale = [k for k in _MEMORY.values if k[0] == url]
    else:
        every = {name.rpartition(":")[2] for name, _ in version} - {data_versions.UNKNOWN}
        for community in every if unknown else ():  # the street's tiers: every community's
            changes.setdefault(community, set()).update(unknown)
        stale = _stale(session, url, changes, since=seen[1] - _RECENT)  # type: ignore[index]
    for key in stale:
        del _MEMORY.values[key]
    _MEMORY.versions[url] = (version, looked_at)


def _stale(session: Session, url: str, changes: dict[str, set[str]], since: datetime) -> list:
    """The keys of the values `changes` (tables written per community) can have moved."""
    corrected = session.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            col(AuditEntry.at) >= since,
            AuditEntry.table_name == _TABLES[0],
            AuditEntry.action != "create",
        )
    ).one()
    from_day: dict[int, date] = {}  # community -> forget what reads from this day on
    rules_only: set[int] = set()  # communities where only tiers or major changes moved
    for community, tables in changes.items():
        if tables <= _RULES:
            rules_only.add(int(community))
        if tables != {_TABLES[0]} or corrected:
            from_day[int(community)] = date.min
    # The earliest day of the new visits of each community, through the index on
    # created_at (grouped: a bare min() of the day makes SQLite walk the index on the day,
    # every visit; and a bulk load of many visits is not sent over row by row).
    for elders_community, day in session.exec(
        select(col(Elder.community_id), func.min(Visit.visited_on))
        .join(Elder, col(Elder.id) == Visit.elder_id)
        .where(col(Visit.created_at) >= since)
        .group_by(col(Elder.community_id))
    ):
        if str(elders_community) in changes:
            earlier = from_day.get(elders_community, day)
            from_day[elders_community] = min(day, earlier)
    for community in changes:  # written, but no new visit found: to be safe
        from_day.setdefault(int(community), date.min)
    earliest = min(from_day.values(), default=date.max)
    only_rules = set(from_day) <= rules_only

    def moved(reads_to: date, community: int | None, reads_rules: bool) -> bool:
        if community is None:
            return reads_to >= earliest and (reads_rules or not only_rules)
        if community in rules_only and not reads_rules:
            return False
        return reads_to >= from_day.get(community, date.max)

    return [
        key
        for key, (reads_to, community, reads_rules, _) in _MEMORY.values.items()
        if key[0] == url and moved(reads_to, community, reads_rules)
    ]


def remember(
    session: Session,
    name: str,
    args: tuple,
    compute: Callable[[], Value],
    *,
    reads_to: date,
    reads_rules: bool = True,
) -> Value:
    """The value of `compute()`, kept until a write can change it. `reads_to` is the last
    day whose visits the value depends on; `reads_rules`: whether it reads the visit
    plans (tiers, major changes)."""
    data_versions.depends_on(_TABLES)  # a remembered value runs no query naming them
    url = str(session.get_bind().engine.url)
    key = (url, name, repr(args))
    with _MEMORY.lock:
        _catch_up(session, url)
        if key in _MEMORY.values:
            return _MEMORY.values[key][-1]
        version = _MEMORY.versions[url]
    value = compute()
    _keep(url, version, {key: (reads_to, None, reads_rules, value)})
    return value


def remember_each(
    session: Session,
    name: str,
    communities: list[int],
    args: tuple,
    compute: Callable[[list[int]], dict[int, Value]],
    *,
    reads_to: date,
    reads_rules: bool = True,
) -> dict[int, Value]:
    """Per community, the value `compute(communities)` gives it, each kept until a write
    about that community can change it; those not kept computed in one call (a
    community `compute` leaves out is not kept)."""
    data_versions.depends_on(_TABLES)
    url = str(session.get_bind().engine.url)
    keys = {c: (url, name, repr((c, *args))) for c in communities}
    with _MEMORY.lock:
        _catch_up(session, url)
        found = {c: _MEMORY.values[k][-1] for c, k in keys.items() if k in _MEMORY.values}
        version = _MEMORY.versions[url]
    missing = [c for c in communities if c not in found]
    if missing:
        computed = compute(missing)
        _keep(url, version, {keys[c]: (reads_to, c, reads_rules, v) for c, v in computed.items()})
        found.update(computed)
    return found


def _keep(
    url: str, version: tuple, entries: dict[tuple, tuple[date, int | None, bool, Any]]
) -> None:
    with _MEMORY.lock:
        # Kept only if no write was caught up with meanwhile: the value may predate it.
        if _MEMORY.versions.get(url) == version:
            if len(_MEMORY.values) + len(entries) > _MAX_ENTRIES:
                _MEMORY.values.clear()
            _MEMORY.values.update(entries)


def forget() -> None:
    """Forgets everything (the benchmark's cold figures, tests)."""
    with _MEMORY.lock:
        _MEMORY.values.clear()
        _MEMORY.versions.clear()
