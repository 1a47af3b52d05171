"""Visit aggregates kept in memory between page runs, and forgotten when the data moves.

The dashboard's overdue trend asks for the overdue count at twelve month-ends and its
figures for two periods; each is a pass over every visit. Computed once, they stay until
a write can change them:

- new visits change only what reads on or after the earliest day they record: a visit
  made today leaves every past month-end as it was, a visit entered late (back-dated)
  reaches back to its own day;
- a corrected or voided visit, a new or changed elder, tier or major change can change
  anything: everything is forgotten.

Visits are never deleted; a visit changed after it was recorded (services/visit_fixes.py)
is audited: the newest visit id tells which visits are new, and the newest audited
change of a visit (other than its creation) that one was corrected or voided.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.audit import AuditEntry
from models.elders import Elder, ElderChange, Visit, VisitTier

# Audited changes that can move any aggregate (an elder deactivated, a tier edited, a
# major change recorded, a visit corrected or voided; the creation of a visit is
# followed by the visit ids).
_CHANGES = (
    Elder.__tablename__,
    VisitTier.__tablename__,
    ElderChange.__tablename__,
    Visit.__tablename__,
)
_MAX_ENTRIES = 5000
Value = TypeVar("Value")


class _Memory:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: dict[tuple, tuple[date, Any]] = {}  # key -> (reads up to, value)
        self.versions: dict[str, tuple] = {}  # database url -> data version last seen


_MEMORY = _Memory()


def _data_version(session: Session) -> tuple:
    """(newest visit id, newest elder id, newest tier id, newest audited change of an
    elder, a tier, a major change or a visit): one cheap query on primary keys and
    indexes."""
    return tuple(
        session.exec(
            select(
                select(func.max(Visit.id)).scalar_subquery(),
                select(func.max(Elder.id)).scalar_subquery(),
                select(func.max(VisitTier.id)).scalar_subquery(),
                select(func.max(AuditEntry.id))
                .where(
                    col(AuditEntry.table_name).in_(_CHANGES),
                    (col(AuditEntry.table_name) != Visit.__tablename__)
                    | (col(AuditEntry.action) != "create"),
                )
                .scalar_subquery(),
            )
        ).one()
    )


def _catch_up(session: Session, url: str) -> None:
    """Forgets what the writes since the last look can have changed."""
    version = _data_version(session)
    seen = _MEMORY.versions.get(url)
    if seen == version:
        return
    earliest = None
    if seen is not None and seen[1:] == version[1:] and (version[0] or 0) > (seen[0] or 0):
        earliest = session.exec(
            select(func.min(Visit.visited_on)).where(Visit.id > (seen[0] or 0))
        ).one()
    if earliest is not None:  # only new visits: what reads from their earliest day on
        stale = [
            k for k, (reads_to, _) in _MEMORY.values.items() if k[0] == url and reads_to >= earliest
        ]
    else:
        stale = [k for k in _MEMORY.values if k[0] == url]
    for key in stale:
        del _MEMORY.values[key]
    _MEMORY.versions[url] = version


def remember(
    session: Session, name: str, args: tuple, compute: Callable[[], Value], *, reads_to: date
) -> Value:
    """The value of `compute()`, kept until a write can change it. `reads_to` is the last
    day whose visits the value depends on."""
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
