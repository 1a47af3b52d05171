"""Places without overbooking: the guarded counter shared by tasks and events.

A row with `capacity` and `taken` columns is booked with one conditional UPDATE
(`taken = taken + n WHERE taken + n <= capacity`) inside the caller's transaction;
the booking stands only if that UPDATE changed a row. This holds under concurrent
presses on SQLite and on PostgreSQL under READ COMMITTED (test_signups.py and
test_registrations.py in tests/services press it from many threads on both engines),
where check-then-insert and INSERT ... SELECT count(*) both overbook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session


def reserve(session: Session, table: Any, row_id: int, amount: int = 1) -> bool:
    """Takes `amount` places on the row if they are free. True when they were taken."""
    result = session.exec(
        update(table)
        .where(table.id == row_id, table.taken + amount <= table.capacity)
        .values(taken=table.taken + amount)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release(session: Session, table: Any, row_id: int, amount: int = 1) -> None:
    """Gives `amount` places back (never below zero)."""
    session.exec(
        update(table)
        .where(table.id == row_id, table.taken >= amount)
        .values(taken=table.taken - amount)
        .execution_options(synchronize_session=False)
    )


def promote_waitlist(
    session: Session,
    table: Any,
    row_id: int,
    waitlisted: Iterable[Any],
    amount_of: Callable[[Any], int],
    promote: Callable[[Any], None],
) -> list[Any]:
    """Moves waitlisted entries (given in arrival order) into free places.

    Strict arrival order: the first entry that does not fit stops the promotion, so a
    large party is not overtaken by later small ones.
    """
    promoted = []
    for entry in waitlisted:
        if not reserve(session, table, row_id, amount_of(entry)):
            break
        promote(entry)
        promoted.append(entry)
    return promoted


def cancel_all(
    session: Session,
    table: Any,
    row_id: int,
    entries: Iterable[Any],
    amount_of: Callable[[Any], int],
    holds_place: Callable[[Any], bool],
    cancel: Callable[[Any], None],
) -> int:
    """When the task or event itself is called off: cancels each entry (confirmed or
    waitlisted) and gives back, in one update, the places the confirmed ones held.
    Returns how many entries were cancelled."""
    entries = list(entries)
    held = sum(amount_of(e) for e in entries if holds_place(e))
    for entry in entries:
        cancel(entry)
    if held:
        release(session, table, row_id, held)
    return len(entries)
