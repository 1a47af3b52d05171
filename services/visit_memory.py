"""Visit aggregates kept in memory between page runs, and forgotten when the data moves.

The dashboard's overdue trend asks for the overdue count at twelve month-ends and its
figures for two periods; each is a pass over every visit. Computed once, they stay until
a write can change them:

- new visits change only what reads on or after the earliest day they record: a visit
  made today leaves every past month-end as it was, a visit entered late (back-dated)
  reaches back to its own day;
- a corrected or voided visit, a new or changed elder, tier or major change can change
  anything: everything is forgotten.

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
# Visits created this long before the last look may have committed after it: longer
# than any write transaction, plus the clocks of two app servers disagreeing.
_RECENT = timedelta(minutes=5)
_MAX_ENTRIES = 5000
Value = TypeVar("Value")


class _Memory:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: dict[tuple, tuple[date, Any]] = {}  # key -> (reads up to, value)
        # database url -> (data version last seen, when it was looked at)
        self.versions: dict[str, tuple[tuple, datetime]] = {}


_MEMORY = _Memory()


def _data_version(session: Session) -> tuple:
    """The versions (services/data_versions.py) of visits, elders, tiers and major changes:
    new at every committed write, whatever order transactions commit in (the newest id
    was not: on PostgreSQL a visit with a lower id can commit after a higher one)."""
    return data_versions.versions(session, data_versions.scopes(_TABLES, None))


def _catch_up(session: Session, url: str) -> None:
    """Forgets what the writes since the last look can have changed."""
    version = _data_version(session)
    seen = _MEMORY.versions.get(url)
    if seen is not None and seen[0] == version:
        return
    looked_at = utcnow()
    earliest = None
    if seen is not None and _only_visits_changed(seen[0], version):
        since = seen[1] - _RECENT
        changed = session.exec(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                col(AuditEntry.at) >= since,
                AuditEntry.table_name == _TABLES[0],
                AuditEntry.action != "create",
            )
        ).one()
        if not changed:  # new visits only: what reads from their earliest day on
            earliest = session.exec(
                select(func.min(Visit.visited_on)).where(col(Visit.created_at) >= since)
            ).one()
    if earliest is not None:
        stale = [
            k for k, (reads_to, _) in _MEMORY.values.items() if k[0] == url and reads_to >= earliest
        ]
    else:
        stale = [k for k in _MEMORY.values if k[0] == url]
    for key in stale:
        del _MEMORY.values[key]
    _MEMORY.versions[url] = (version, looked_at)


def _only_visits_changed(seen: tuple, now: tuple) -> bool:
    visit = f"{_TABLES[0]}:{data_versions.ALL}"
    return all(a == b for a, b in zip(seen, now, strict=True) if a[0] != visit)


def remember(
    session: Session, name: str, args: tuple, compute: Callable[[], Value], *, reads_to: date
) -> Value:
    """The value of `compute()`, kept until a write can change it. `reads_to` is the last
    day whose visits the value depends on."""
    data_versions.depends_on(_TABLES)  # a remembered value runs no query naming them
    url = str(session.get_bind().engine.url)
    key = (url, name, repr(args))
    with _MEMORY.lock:
        _catch_up(session, url)
        if key in _MEMORY.values:
            return _MEMORY.values[key][1]
        version = _MEMORY.versions[url]
    value = compute()
    with _MEMORY.lock:
        # Kept only if no write was caught up with meanwhile: the value may predate it.
        if _MEMORY.versions.get(url) == version:
            if len(_MEMORY.values) >= _MAX_ENTRIES:
                _MEMORY.values.clear()
            _MEMORY.values[key] = (reads_to, value)
    return value


def forget() -> None:
    """Forgets everything (the benchmark's cold figures, tests)."""
    with _MEMORY.lock:
        _MEMORY.values.clear()
        _MEMORY.versions.clear()
