"""Places without overbooking and the fair waitlist: the guarded counter shared by
tasks and events, and the one rule for who gets a place that frees up.

The waitlist rule (events and tasks alike; a task's sign-up is a party of one): places go
in order of arrival. Whenever places free up (a cancellation, a party made smaller, a
capacity raised) the waiting list is walked in order of arrival and every waiting party
that fits in the free places is confirmed; a party that does not fit is skipped and keeps
its place. A newcomer is confirmed only if it fits in what is left after that; otherwise
it waits. So after every operation no waiting party fits in the free places, and nobody
is confirmed ahead of an earlier waiting party that fits. Lowering a capacity never
removes a confirmed party: it only stops new confirmations (below the places already
confirmed it is refused by the callers).

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
from sqlmodel import Session, select


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
    """Walks the waiting entries (given in arrival order) and confirms every one that
    fits in the free places; one that does not fit is skipped and keeps its place (the
    waitlist rule above). Returns the promoted entries."""
    free = session.exec(select(table.capacity - table.taken).where(table.id == row_id)).one()
    promoted: list[Any] = []
    if free <= 0:
        return promoted
    for entry in waitlisted:  # may be lazy: nothing is read past the last free place
        amount = amount_of(entry)
        if amount > free or not reserve(session, table, row_id, amount):
            continue
        free -= amount
        promote(entry)
        promoted.append(entry)
        if free <= 0:
            break
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
