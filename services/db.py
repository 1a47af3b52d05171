"""One engine per process and the session helpers every service call runs in.

SQLite runs in WAL mode with a busy timeout, and write transactions start with
BEGIN IMMEDIATE: a deferred transaction that reads and then writes can fail at once
with "database is locked" when another writer got in between, which the busy
timeout does not cover. PostgreSQL needs none of this.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Select,
    event,
    func,
    literal,
)
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from models.base import LOCAL_TZ

# Listeners of every session: the check of every row (validation), each write's new data
# versions for the cached reads (data_versions), and what the database keeps up to date at
# every write: the monthly visit, event, hours and proxy counts, the elders' plans, and
# what a write removes of the kept month-end figures (visit_month_ends).
from services import (  # noqa: F401
    data_versions,
    event_months,
    hours_months,
    proxy_months,
    validation,
    visit_dues,
    visit_month_ends,
    visit_months,
)
from services.settings import DATA_DIR, get_settings

_IMMEDIATE = "board_begin_immediate"
# session.info: a session of read_session, that writes nothing (figures it computes from
# committed data may be kept, services/visit_month_ends.py)
READ_ONLY = "board_read_only"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if ":memory:" not in url and url.startswith("sqlite:///data/"):
            DATA_DIR.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    validation.refuse_nul_characters(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
        dbapi_conn.create_aggregate("median", 1, _Median)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or get_settings().database_url)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def new_read_session(engine: Engine | None = None) -> Session:
    """A session for queries only (once_per_read keeps what it asked); objects stay
    readable after it closes. Closing it returns its connection and keeps its memo: the
    pages' reads of one script run share one (ui/actions.py)."""
    return Session(engine or get_engine(), expire_on_commit=False, info={READ_ONLY: True})


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session for queries; objects stay readable after it closes."""
    with new_read_session(engine) as session:
        yield session


T = TypeVar("T")


def once_per_read(session: Session, key: str, compute: Callable[[], T]) -> T:
    """`compute()`, asked once per read session (a page's read asks the street's
    communities and the visits' data versions up to six times: a round trip each on
    PostgreSQL). A session that writes asks every time: it may change the answer. A value
    read early is safe where it labels what was computed later (services/visit_memory.py:
    an older label only makes the next look recompute)."""
    if not session.info.get(READ_ONLY):
        return compute()
    memo: dict[str, tuple[Any, frozenset[str]]] = session.info.setdefault("board_once_per_read", {})
    if key not in memo:
        with data_versions.tables_read() as tables:
            value = compute()
        memo[key] = (value, frozenset(tables))
    value, tables_named = memo[key]
    # every read that uses the value depends on what it was read from, whichever read
    # asked first (the cache learns each read's tables: ui/actions.py)
    data_versions.depends_on(tables_named)
    return value


@contextmanager
def transaction(engine: Engine | None = None) -> Iterator[Session]:
    """One write: commits when the block ends, rolls everything back on any error."""
    engine = engine or get_engine()
    if is_sqlite(engine):
        engine = engine.execution_options(**{_IMMEDIATE: True})
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# --- time in reports: months and days in Asia/Shanghai ---------------------------------


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end) local dates as UTC datetimes, to compare with stored timestamps."""
    return (
        datetime.combine(start, datetime.min.time(), LOCAL_TZ).astimezone(UTC),
        datetime.combine(end, datetime.min.time(), LOCAL_TZ).astimezone(UTC),
    )


def month_of(session: Session, column):
    """SQL for 'YYYY-MM' of a UTC timestamp column, in Asia/Shanghai (UTC+8, no DST)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column, "+8 hours")
    return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")


def month_of_date(session: Session, column):
    """SQL for 'YYYY-MM' of a DATE column."""
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(column, 1, 7)  # dates are stored as 'YYYY-MM-DD': cheaper than strftime
    return func.to_char(column, "YYYY-MM")


def days_since(session: Session, day: date, column):
    """SQL for the whole days from a DATE column to `day`."""
    if session.get_bind().dialect.name == "sqlite":
        return func.cast(func.julianday(day.isoformat()) - func.julianday(column), Integer)
    return literal(day, Date) - column


def smallest(session: Session, *values):
    """SQL for the smallest of several values (LEAST on PostgreSQL, min() on SQLite)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.min(*values)
    return func.least(*values)


def days_from_date_to_ts(session: Session, date_column, ts_column):
    """SQL for the days (fractional) from local midnight (Asia/Shanghai) of a DATE column
    to a UTC timestamp column: a request of the 24th done at 12:00 Beijing time that day
    took 0.5 days (counting from midnight UTC would say 0.17)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(ts_column, "+8 hours") - func.julianday(date_column)
    midnight = func.timezone("Asia/Shanghai", func.cast(date_column, DateTime()))
    return func.extract("epoch", ts_column - midnight) / 86400.0


class _Median:
    """SQLite's median() aggregate (SQLite has none built in): the middle value, or the
    mean of the two middle values of an even count, as PostgreSQL's percentile_cont(0.5).
    Sorting the values in Python took less time than SQLite's row_number() window took
    to find the middle rows (150 against 250 ms over a district's year of requests)."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return statistics.median(self.values) if self.values else None


def grouped_median(
    session: Session, group, value, scope: Callable[[Select], Select]
) -> list[tuple]:
    """(group, median of `value`) for each group of the rows `scope` selects (it adds the
    FROM, joins and WHERE to the select it is given), in SQL: the middle value, or the
    mean of the two middle values of an even count; ordered by group. A constant group
    (one median of everything) is not grouped by: PostgreSQL refuses GROUP BY a
    constant."""
    median: ColumnElement[Any]
    if session.get_bind().dialect.name == "sqlite":
        median = func.median(value)
    else:
        median = func.percentile_cont(0.5).within_group(value)
    stmt = scope(core_select(group.label("grp"), median))
    if not isinstance(group, BindParameter):
        stmt = stmt.group_by(group).order_by(group)
    return [(grp, middle) for grp, middle in session.execute(stmt).all() if middle is not None]
