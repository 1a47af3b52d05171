"""Adding to counts kept per key (services/visit_months.py, proxy_months.py,
event_months.py, hours_months.py): each write's changes as `n = n + delta` upserts in
its transaction, so concurrent writes add up instead of overwriting each other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection


def add(connection: Connection, model: Any, keys: tuple[str, ...], rows: list[dict]) -> None:
    """Adds each row's counts (its columns but `keys`) to the kept row of its key, which
    is made at those counts when missing. One statement, rows in key order (the order
    concurrent writers lock them in)."""
    if not rows:
        return
    upsert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    ordered = sorted(rows, key=lambda row: tuple(row[k] for k in keys))
    stmt = upsert(model).values(ordered)
    table = model.__table__
    counts = [name for name in ordered[0] if name not in keys]
    connection.execute(
        stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: table.c[name] + stmt.excluded[name] for name in counts},
        )
    )
