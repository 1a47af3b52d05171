"""Shared column helpers. Datetimes are stored timezone-aware in UTC.

Primary keys are typed `int`, not `int | None`: a row's id is None only between its
creation and the flush that inserts it, and the services hand around only rows that are
flushed or loaded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, DateTime, TypeDecorator
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored datetime is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local(value: datetime) -> datetime:
    return aware_utc(value).astimezone(LOCAL_TZ)


def local_today() -> date:
    """Today in Asia/Shanghai, the board's calendar."""
    return utcnow().astimezone(LOCAL_TZ).date()


def local_span(start: datetime, end: datetime) -> str:
    """2026-11-24 09:00–11:00 in Asia/Shanghai, or both full stamps when the days differ."""
    a, b = local(start), local(end)
    if a.date() == b.date():
        return f"{a:%Y-%m-%d %H:%M}–{b:%H:%M}"
    return f"{a:%Y-%m-%d %H:%M} – {b:%Y-%m-%d %H:%M}"


class UTCDateTime(TypeDecorator):
    """Stores every datetime as UTC and hands it back aware.

    SQLite keeps no offset: without this, a datetime in Asia/Shanghai would be stored as
    its wall-clock time and compare wrongly with UTC ones.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else aware_utc(value)

    def process_result_value(self, value, dialect):
        return None if value is None else aware_utc(value)


def dt_field(*, nullable: bool = False, index: bool = False, default_now: bool = False):
    """A timezone-aware datetime column, stored in UTC."""
    kwargs = {"default_factory": utcnow} if default_now else {"default": None}
    return Field(sa_type=UTCDateTime(), nullable=nullable, index=index, **kwargs)


def one_of(table: str, column: str, enum_cls: type[Enum]) -> CheckConstraint:
    """The database's own check that an enum column holds one of its values (the column
    is a plain VARCHAR, see enum_field)."""
    values = ", ".join(f"'{member.value}'" for member in enum_cls)
    return CheckConstraint(f"{column} IN ({values})", name=f"ck_{table}_{column}")


def enum_field(
    enum_cls: type[Enum],
    *,
    default: Enum | None = None,
    index: bool = False,
    optional: bool = False,
):
    """An enum stored as its plain string value (VARCHAR), so adding a value later needs no
    ALTER TYPE on PostgreSQL."""
    sa_type = SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
    )
    if optional:  # may be NULL, and is until set
        return Field(default=None, sa_type=sa_type, index=index, nullable=True)
    if default is None:
        return Field(sa_type=sa_type, index=index)
    return Field(default=default, sa_type=sa_type, index=index)
