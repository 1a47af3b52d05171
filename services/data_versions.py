"""What a cached read depends on, and what a write changed: versions in the database.

Every write gives, in its own transaction, a new version (a random number: two copies of
a database that were written differently never agree by chance, as counters would) to
each table it changed, per community of the rows it changed (models/versions.py). A cached read remembers which
tables its queries named; before it is served again, the versions of those tables for
the reader's communities are read in one small query, and a changed version means the
read runs again. So one volunteer's sign-up leaves the elders pages of every community
cached, and another's dashboard; and since the versions live in the database, a write
through one app server is seen at once by the reads of every other server.

Tables the database keeps up to date from others (monthly counts, the elders' plans) are
written beside the ORM, in the transactions that write their sources: each declares
them (kept_from), and a read naming it depends on the versions of its sources.

Writes are seen in the ORM's flush (rows added, changed or deleted) and in bulk
statements run through a session (insert/update/delete: their community is not known,
so they count for every community). Raw SQL strings are not seen: nothing in the
services writes that way, and the demo loader and migrations run before any server.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session, SQLModel, col, select

from models.versions import DataVersion

ALL = "*"  # every community: what a street-wide read depends on
UNKNOWN = "?"  # a write whose community is not known counts for every community
_TOUCHED = "board_tables_written"  # session.info: {(table, community or UNKNOWN)}

_reading: ContextVar[set[str] | None] = ContextVar("board_tables_read", default=None)
# A table kept from others in their writes' transactions, beside the ORM (its own version
# never changes) -> the tables it is kept from: a read naming it depends on those.
_kept_from: dict[str, frozenset[str]] = {}


@cache
def _tracked() -> dict[str, type[SQLModel]]:
    """Every table of the models but the versions, by name, with its model."""
    return {
        str(mapper.persist_selectable.description): mapper.class_
        for mapper in SQLModel._sa_registry.mappers
        if mapper.persist_selectable.description != DataVersion.__tablename__
    }


@cache
def _names_pattern() -> re.Pattern[str]:
    names = sorted(_tracked(), key=len, reverse=True)
    return re.compile(r'(?<![\w"])"?(' + "|".join(map(re.escape, names)) + r')"?(?![\w"])')


# --- reads ------------------------------------------------------------------------------


@contextmanager
def tables_read() -> Iterator[set[str]]:
    """Collects the names of the tables the queries run inside the block name."""
    tables: set[str] = set()
    token = _reading.set(tables)
    try:
        yield tables
    finally:
        _reading.reset(token)


@event.listens_for(Engine, "before_cursor_execute")
def _note_tables(_conn, _cursor, statement: str, _params, _context, _executemany) -> None:
    tables = _reading.get()
    if tables is not None:
        for name in _names_pattern().findall(statement):
            tables.add(name)
            tables.update(_kept_from.get(name, ()))


def kept_from(table: str, sources: Iterable[str]) -> None:
    """Declares `table` (monthly counts, kept plans) as kept up to date in the
    transactions that write `sources`, beside the ORM: any read whose queries name it
    depends on the versions of `sources`."""
    _kept_from[table] = frozenset(sources)


def depends_on(tables: Iterable[str]) -> None:
    """Notes, for the read running, tables it depends on without naming them in a query:
    figures kept elsewhere (in memory, in a table of figures) that stand for them."""
    reading = _reading.get()
    if reading is not None:
        reading.update(tables)


def scopes(tables: Iterable[str], community_ids: Iterable[int] | None) -> list[str]:
    """The versions a read of `tables` depends on: per community (and the writes whose
    community is not known), or every write when the read spans the street (None)."""
    if community_ids is None:
        return sorted(f"{table}:{ALL}" for table in tables)
    wanted = [*map(str, community_ids), UNKNOWN]
    return sorted(f"{table}:{c}" for table in tables for c in wanted)


def versions(session: Session, scope_names: list[str]) -> tuple[tuple[str, int], ...]:
    """The versions of `scope_names` now (0 for a scope never written)."""
    if not scope_names:
        return ()
    found = dict(
        session.exec(
            select(DataVersion.scope, DataVersion.version).where(
                col(DataVersion.scope).in_(scope_names)
            )
        ).all()
    )
    return tuple((name, found.get(name, 0)) for name in scope_names)


def all_versions(session: Session) -> dict[str, int]:
    """Every scope's version (a page run reads them once: ui/actions.py)."""
    return dict(session.exec(select(DataVersion.scope, DataVersion.version)).all())


def unchanged(connection: Connection, scope_names: list[str], before: tuple) -> bool:
    """Whether the versions of `scope_names` are still `before` (read before computing
    something from the data), checked in a write transaction under the versions' row
    locks, so that a writer cannot commit new versions until it ends: what is stored in
    it is then either seen by that writer or known to predate it. A scope never written
    gets a row (version 0, as when missing) to lock."""
    upsert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    connection.execute(
        upsert(DataVersion)
        .values([{"scope": s, "version": 0} for s in scope_names])
        .on_conflict_do_nothing(index_elements=["scope"])
    )
    locked = (
        select(DataVersion.scope, DataVersion.version)
        .where(col(DataVersion.scope).in_(scope_names))
        .order_by(col(DataVersion.scope))  # the order writers lock them in
    )
    if connection.dialect.name != "sqlite":  # SQLite: the transaction holds the write lock
        locked = locked.with_for_update()
    now = dict(connection.execute(locked).all())
    return tuple((name, now.get(name, 0)) for name in scope_names) == before


# --- writes -----------------------------------------------------------------------------


def _community_of(session: Session, row: SQLModel) -> str:
    """The community a row belongs to: its own community_id, or its parent's (a visit's
    elder, a sign-up's task, ...), or UNKNOWN."""
    community = getattr(row, "community_id", None)
    if community is not None:
        return str(community)
    for column in row.__table__.columns:  # type: ignore[attr-defined]
        for fk in column.foreign_keys:
            parent = _tracked().get(fk.column.table.name)
            value = getattr(row, column.name, None)
            if parent is None or value is None or "community_id" not in parent.__table__.c:  # type: ignore[attr-defined]
                continue
            with session.no_autoflush:
                found = session.get(parent, value)
            if found is not None and found.community_id is not None:  # type: ignore[attr-defined]
                return str(found.community_id)  # type: ignore[attr-defined]
    return UNKNOWN


@event.listens_for(Session, "before_flush")
def _note_rows(session: Session, _context, _instances) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, DataVersion) or not isinstance(row, SQLModel):
            continue
        if row in session.dirty and not session.is_modified(row):
            continue
        touched.add((row.__table__.name, _community_of(session, row)))  # type: ignore[attr-defined]


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name and name != DataVersion.__tablename__:
        state.session.info.setdefault(_TOUCHED, set()).add((name, UNKNOWN))


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    """New versions for what the transaction wrote, in the transaction itself."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    touched = session.info.pop(_TOUCHED, set())
    if not touched:
        return
    names = sorted(
        {f"{table}:{community}" for table, community in touched}
        | {f"{table}:{ALL}" for table, _ in touched}
    )
    bind = session.connection()
    insert = sqlite_insert if bind.dialect.name == "sqlite" else postgresql_insert
    stmt = insert(DataVersion).values(
        [{"scope": name, "version": secrets.randbits(62)} for name in names]
    )
    bind.execute(
        stmt.on_conflict_do_update(
            index_elements=["scope"], set_={"version": stmt.excluded.version}
        )
    )


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
