"""One check of every row a service writes, before it reaches the database.

Field(max_length=..., ge=..., le=...) on a table model is not checked when the row is
made, and SQLite stores a 10,000-character name where PostgreSQL stops with a raw
StringDataRightTruncation error. So every new or changed row is checked here, on flush,
against its own model: lengths, ranges (whole numbers for whole-number fields), enum
values, control characters, and the date window of anything scheduled. A failure is a BoardError with a message in the user's
language (the field named), the service's transaction is rolled back, and nothing is
written: the same answer on SQLite and PostgreSQL. The database enforces the same rules
again with CHECK constraints (migration 0003), for writes that bypass the services.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import cast, get_args

from annotated_types import Ge, Gt, Le, Lt, MaxLen
from sqlalchemy import Engine, event, inspect
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from services.errors import BoardError, Label

# C0 control characters other than tab, newline and carriage return, and DEL: NUL is
# refused by PostgreSQL, and the others are invisible on screen and in Excel.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Tasks and events are planned in this window: not before 2000, at most two years ahead.
SCHEDULE_START = date(2000, 1, 1)
SCHEDULE_YEARS_AHEAD = 2
SCHEDULED = {
    ("task", "starts_at"),
    ("task", "ends_at"),
    ("event", "starts_at"),
    ("event", "ends_at"),
}
# An int field holds a whole number within PostgreSQL's INTEGER (SQLite cannot even bind an
# int beyond 64 bits: OverflowError), so 2**40 places or a care level of 2.5 is refused
# here, the same on both engines, instead of failing raw or being rounded by one of them.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
Number = int | float | None  # a bound of a model field, or no bound

# Hashes, tokens and audit bookkeeping are written by the board itself, never typed.
INTERNAL = {"password_hash", "token_hash", "handoff_hash", "table_name", "changes"}


def _label(name: str) -> Label:
    return Label(f"field.{name}")


def _is_int_field(annotation) -> bool:
    """int or int | None (not bool, not float)."""
    return annotation is int or (int in get_args(annotation) and float not in get_args(annotation))


def _check_value(table: str, name: str, value: object, metadata: list, annotation, now) -> None:
    if isinstance(value, str):
        if CONTROL_CHARACTERS.search(value):
            raise BoardError("validation.control_characters", field=_label(name))
        for rule in metadata:
            if isinstance(rule, MaxLen) and len(value) > rule.max_length:
                raise BoardError(
                    "validation.too_long", field=_label(name), max=rule.max_length, n=len(value)
                )
        is_enum = isinstance(annotation, type) and issubclass(annotation, Enum)
        if is_enum and value not in {member.value for member in annotation}:
            raise BoardError("validation.not_a_choice", field=_label(name))
    if isinstance(value, int | float) and not isinstance(value, bool):
        # The models' bounds are numbers (annotated_types types them only as comparable).
        low = cast(Number, next((r.ge for r in metadata if isinstance(r, Ge)), None))
        high = cast(Number, next((r.le for r in metadata if isinstance(r, Le)), None))
        above = cast(Number, next((r.gt for r in metadata if isinstance(r, Gt)), None))
        below = cast(Number, next((r.lt for r in metadata if isinstance(r, Lt)), None))
        whole = _is_int_field(annotation)
        if whole:
            low = INT_MIN if low is None and above is None else low
            high = INT_MAX if high is None and below is None else high
        too_low = (low is not None and value < low) or (above is not None and value <= above)
        too_high = (high is not None and value > high) or (below is not None and value >= below)
        floor = low if low is not None else above
        ceiling = high if high is not None else below
        if too_low or too_high:
            # Say the bound the model states; the integer range is only the engines' limit.
            if ceiling in (None, INT_MAX):
                key = "validation.at_least" if too_low else "validation.too_large"
                raise BoardError(key, field=_label(name), low=floor)
            if floor in (None, INT_MIN):
                raise BoardError("validation.at_most", field=_label(name), high=ceiling)
            raise BoardError("validation.out_of_range", field=_label(name), low=floor, high=ceiling)
        if whole and isinstance(value, float) and not value.is_integer():
            raise BoardError("validation.whole_number", field=_label(name))
    if (table, name) in SCHEDULED and isinstance(value, datetime):
        latest = now + timedelta(days=365 * SCHEDULE_YEARS_AHEAD)
        if value.date() < SCHEDULE_START or value > latest:
            raise BoardError(
                "validation.date_window",
                field=_label(name),
                start=SCHEDULE_START.isoformat(),
                end=latest.date().isoformat(),
            )


def check_row(row: SQLModel, *, changed_only: bool = False, now: datetime | None = None) -> None:
    """Refuses a row that breaks its model's rules. With changed_only, only the fields
    this write changed are checked (an old row is never blocked by an old value)."""
    now = now or datetime.now(UTC)
    state = inspect(row)
    table = str(type(row).__tablename__)
    for name, field in type(row).model_fields.items():
        if name in INTERNAL:
            continue
        if changed_only and not state.attrs[name].history.has_changes():
            continue
        value = getattr(row, name)
        if value is not None:
            _check_value(table, name, value, field.metadata, field.annotation, now)


@event.listens_for(Session, "before_flush")
def _check_before_flush(session: Session, _context, _instances) -> None:
    for row in session.new:
        if isinstance(row, SQLModel):
            check_row(row)
    for row in session.dirty:
        if isinstance(row, SQLModel) and session.is_modified(row):
            check_row(row, changed_only=True)


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def refuse_nul_characters(engine: Engine) -> None:
    """A NUL character in any statement's parameters is refused before it reaches the
    database: PostgreSQL cannot hold one (a raw DataError even in a SELECT that looks
    for duplicates, before any row is flushed) and SQLite would store it invisibly.
    The same refusal, in the user's language, on both engines."""

    @event.listens_for(engine, "before_cursor_execute", retval=False)
    def _check(_conn, _cursor, _statement, parameters, _context, _executemany) -> None:
        if _has_nul(parameters):
            raise BoardError("validation.nul_character")
