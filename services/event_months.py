"""Events per community, month and category, with their places and people, kept up to
date at every write of an event or a registration.

The events' figures and monthly charts summed every registration of every event in the
period (a pass over all registrations, joined afterwards). Instead each flush moves the
counts of `event_month` in the same transaction: an event published, cancelled, moved to
another day, community or category, its capacity changed; a registration made, confirmed,
cancelled, its party changed, checked in. Only published and done events count (as in
services/event_figures.py). The counts never disagree with the base rows
(tests/services/test_event_task_months.py recounts them).

Deltas are applied as `n = n + delta` upserts, so concurrent writes add up. The guarded
counter's bulk UPDATEs (services/capacity.py) change only Event.taken, which is not
counted here. Bulk inserts (the demo loader) bypass the flush: they call rebuild().
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, delete, event, func, insert, inspect
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from models.base import local
from models.events import Event, EventMonth, EventStatus, Registration, RegistrationStatus
from services import data_versions, kept_counts

# Written in the transactions of these tables' writes, beside the ORM: a read of the
# counts depends on their versions (services/data_versions.py).
data_versions.kept_from("event_month", ("event", "registration"))

COUNTED = (EventStatus.published, EventStatus.done)
FIELDS = ("events", "capacity", "confirmed", "attended")
Key = tuple[int, str, str]  # community, YYYY-MM, category


def month_key(value: datetime) -> str:
    """YYYY-MM of a stored (UTC) timestamp in Asia/Shanghai, as services/db.month_of."""
    return local(value).strftime("%Y-%m")


def _before(row: Any, name: str) -> Any:
    """The value an attribute had when the row was loaded (before this flush)."""
    history = inspect(row).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return getattr(row, name)


def _changed(row: Any, names: tuple[str, ...]) -> bool:
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in names)


def _counted(status: Any) -> bool:
    return status is not None and EventStatus(status) in COUNTED


def _key_now(event_row: Event) -> Key:
    return (event_row.community_id, month_key(event_row.starts_at), event_row.category)


def _key_before(event_row: Event) -> Key:
    return (
        _before(event_row, "community_id"),
        month_key(_before(event_row, "starts_at")),
        _before(event_row, "category"),
    )


def _people(status: Any, party_size: int, attended: bool) -> tuple[int, int]:
    """(confirmed, attended) people a registration adds to its event."""
    confirmed = RegistrationStatus(status) == RegistrationStatus.confirmed
    return (party_size if confirmed else 0, party_size if attended else 0)


def _stored_people(session: Session, event_id: int) -> tuple[int, int]:
    """The event's (confirmed, attended) people as the database holds them now (before
    this flush writes the registrations changed in it)."""
    row = (
        session.connection()
        .execute(
            select(
                func.sum(
                    case(
                        (
                            col(Registration.status) == RegistrationStatus.confirmed,
                            Registration.party_size,
                        ),
                        else_=0,
                    )
                ),
                func.sum(case((col(Registration.attended), Registration.party_size), else_=0)),
            ).where(Registration.event_id == event_id)
        )
        .one()
    )
    return int(row[0] or 0), int(row[1] or 0)


class _Moves:
    def __init__(self) -> None:
        self.by_key: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])

    def add(self, key: Key, sign: int, *values: int) -> None:
        counts = self.by_key[key]
        for i, value in enumerate(values):
            counts[i] += sign * value

    def changed(self) -> dict[Key, list[int]]:
        return {key: counts for key, counts in self.by_key.items() if any(counts)}


@event.listens_for(Session, "before_flush")
def _count_events(session: Session, _context, _instances) -> None:
    moves = _Moves()
    tracked = ("status", "starts_at", "community_id", "category", "capacity")
    # 1. the events themselves, carrying the registrations the database holds for them
    for row in session.new:
        if isinstance(row, Event) and _counted(row.status):
            moves.add(_key_now(row), 1, 1, row.capacity, 0, 0)
    for row in session.dirty:
        if not isinstance(row, Event) or not _changed(row, tracked):
            continue
        was, now = _counted(_before(row, "status")), _counted(row.status)
        if not (was or now):
            continue
        confirmed, attended = _stored_people(session, row.id)
        if was:
            moves.add(_key_before(row), -1, 1, _before(row, "capacity"), confirmed, attended)
        if now:
            moves.add(_key_now(row), 1, 1, row.capacity, confirmed, attended)
    for row in session.deleted:
        if isinstance(row, Event) and _counted(_before(row, "status")):
            confirmed, attended = _stored_people(session, row.id)
            moves.add(_key_before(row), -1, 1, _before(row, "capacity"), confirmed, attended)

    # 2. the registrations, against their event as this flush leaves it
    def event_key(event_id: int | None) -> Key | None:
        if event_id is None:
            return None
        with session.no_autoflush:
            found = session.get(Event, event_id)
        if found is None or found in session.deleted or not _counted(found.status):
            return None
        return _key_now(found)

    for row in session.new:
        if isinstance(row, Registration) and (key := event_key(row.event_id)):
            moves.add(key, 1, 0, 0, *_people(row.status, row.party_size, row.attended))
    for row in session.dirty:
        if not isinstance(row, Registration) or not _changed(
            row, ("event_id", "status", "party_size", "attended")
        ):
            continue
        if key := event_key(_before(row, "event_id")):
            old = _people(
                _before(row, "status"), _before(row, "party_size"), _before(row, "attended")
            )
            moves.add(key, -1, 0, 0, *old)
        if key := event_key(row.event_id):
            moves.add(key, 1, 0, 0, *_people(row.status, row.party_size, row.attended))
    for row in session.deleted:
        if isinstance(row, Registration) and (key := event_key(_before(row, "event_id"))):
            old = _people(
                _before(row, "status"), _before(row, "party_size"), _before(row, "attended")
            )
            moves.add(key, -1, 0, 0, *old)

    changed = moves.changed()
    if not changed:
        return
    kept_counts.add(
        session.connection(),
        EventMonth,
        ("community_id", "month", "category"),
        [
            {"community_id": c, "month": month, "category": category}
            | dict(zip(FIELDS, counts, strict=True))
            for (c, month, category), counts in changed.items()
        ],
    )


def recount(session: Session) -> Select[Any]:
    """SELECT of the counts from the base rows (community_id, month, category, events,
    capacity, confirmed, attended): what `event_month` must hold."""
    from services.db import month_of  # services.db registers this module's listener

    people = (
        select(
            col(Registration.event_id).label("event_id"),
            func.sum(
                case(
                    (
                        col(Registration.status) == RegistrationStatus.confirmed,
                        Registration.party_size,
                    ),
                    else_=0,
                )
            ).label("confirmed"),
            func.sum(case((col(Registration.attended), Registration.party_size), else_=0)).label(
                "attended"
            ),
        )
        .group_by(col(Registration.event_id))
        .subquery()
    )
    month = month_of(session, Event.starts_at)
    return (  # seven columns: more than sqlmodel's select is typed for
        sql_select(
            col(Event.community_id),
            month,
            col(Event.category),
            func.count(),
            func.sum(Event.capacity),
            func.coalesce(func.sum(people.c.confirmed), 0),
            func.coalesce(func.sum(people.c.attended), 0),
        )
        .join(people, people.c.event_id == Event.id, isouter=True)
        .where(col(Event.status).in_(COUNTED))
        .group_by(col(Event.community_id), month, col(Event.category))
    )


def rebuild(session: Session) -> None:
    """Counts every event afresh (after a bulk insert that bypassed the flush)."""
    session.execute(delete(EventMonth))
    session.execute(
        insert(EventMonth).from_select(
            ["community_id", "month", "category", *FIELDS], recount(session)
        )
    )


# --- reading: whole months that are over from the counts, the rest from the events ----


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def split(
    start: date, end: date, upto: date | None = None
) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """[start, end) cut into the whole months the counts answer for (ending no later than
    `upto`, a first of a month, when given) and the days before and after them, which are
    read from the base rows (indexed, the period's rows only)."""
    first = start if start.day == 1 else add_months(start, 1)
    last = end.replace(day=1)
    if upto is not None:
        last = min(last, upto)
    if first >= last:
        return None, [(start, end)] if start < end else []
    rest = [(a, b) for a, b in ((start, first), (last, end)) if a < b]
    return (first, last), rest
