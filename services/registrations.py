"""Registrations for an event (报名): anyone with the link registers a party, looks it up
or cancels it by its code and phone; staff cancel for a caller and check people in at
the door. Places are the guarded counter of services/capacity.py (Event.taken, counting
people: a party of 3 takes 3 places) and follow its waitlist rule: places go in order of
arrival; whenever places free up (a cancellation, confirmed or waiting, or a capacity
raised) the waiting parties are walked in arrival order and every one that fits is
confirmed, a party that does not fit is skipped and keeps its place; a newcomer is
confirmed only if it fits in what is left after that (promote_waitlist). Lowering the
capacity never removes a confirmed party (services/events.py refuses it below the people
confirmed).

Also here: when an event takes registrations at all (registration_closed). The people
per event are counted by the read models for the events they show
(services/event_reads.py) and kept per month for the figures (services/event_months.py).
The event itself (create, edit, status, staffing) is services/events.py; the door
window is services/event_door.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.base import aware_utc, utcnow
from models.events import Event, EventStatus, Registration, RegistrationStatus
from services import audit, capacity
from services.access import STAFF, Actor, get_scoped
from services.checks import normalise_phone, valid_phone
from services.errors import BoardError
from services.event_door import door

MAX_PARTY = 10
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door
LIVE = (RegistrationStatus.confirmed, RegistrationStatus.waitlisted)


class Closed(StrEnum):
    """Why an event takes no registrations (see registration_closed)."""

    gone = "gone"  # a draft: not shown outside, as if it did not exist
    cancelled = "cancelled"
    past = "past"  # done, or already begun


def registration_closed(event: Event, now: datetime) -> Closed | None:
    """The one rule for whether an event takes registrations at `now`: a published event
    that has not begun does (None; whether it has places is the counter's business)."""
    if EventStatus(event.status) == EventStatus.draft:
        return Closed.gone
    if EventStatus(event.status) == EventStatus.cancelled:
        return Closed.cancelled
    if EventStatus(event.status) == EventStatus.done or aware_utc(event.starts_at) <= now:
        return Closed.past
    return None


_REGISTRATION_REFUSED = {
    Closed.gone: "common.not_found",
    Closed.cancelled: "events.cancelled",
    Closed.past: "events.past",
}


@dataclass(frozen=True)
class RegistrationResult:
    code: str
    status: str
    position: int | None


def _new_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if session.exec(select(Registration.id).where(Registration.code == code)).first() is None:
            return code


def registration_create(
    *,
    session: Session,
    event_id: int,
    name: str,
    phone: str,
    party_size: int,
    visitor: bool = False,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> RegistrationResult:
    """Anyone with the link registers (no account): a place for the whole party if it
    fits after every earlier waiting party that fits has been served (the waitlist rule),
    or the waitlist; never more people than capacity. Name, phone and party size are
    required; one live registration per phone and event (a second press is refused,
    nothing written). From a signed-in browser (`actor`: staff registering a caller) the
    registration and its audit entry name that account (`registered_by`); from the public
    page, no one."""
    now = now or utcnow()
    event = session.get(Event, event_id)
    if event is None:
        raise BoardError("common.not_found")
    closed = registration_closed(event, now)
    if closed is not None:
        raise BoardError(_REGISTRATION_REFUSED[closed])
    name = (name or "").strip()
    if not name:
        raise BoardError("events.name_required")
    if not (phone or "").strip():
        raise BoardError("events.phone_required")
    phone = valid_phone(phone)
    if party_size is None:
        raise BoardError("events.party_required")
    # a whole number in range (range() also refuses 2.5 and infinity, where int() would
    # round or raise OverflowError)
    if isinstance(party_size, bool) or party_size not in range(1, MAX_PARTY + 1):
        raise BoardError("events.party_invalid", max=MAX_PARTY)
    party_size = int(party_size)
    duplicate = session.exec(
        select(Registration.id).where(
            Registration.event_id == event_id,
            Registration.phone == phone,
            Registration.status != RegistrationStatus.cancelled,
        )
    ).first()
    if duplicate:
        raise BoardError("events.duplicate_phone")
    promote_waitlist(session, actor, event)  # earlier waiting parties that fit come first
    if capacity.reserve(session, Event, event_id, party_size):
        status = RegistrationStatus.confirmed
    elif event.waitlist:
        status = RegistrationStatus.waitlisted
    else:
        raise BoardError("events.full")
    registration = Registration(
        event_id=event_id,
        name=name,
        phone=phone,
        party_size=party_size,
        visitor=visitor,
        status=status,
        code=_new_code(session),
        created_at=now,
        registered_by=actor.id if actor else None,
    )
    session.add(registration)
    audit.record(session, actor_id=actor.id if actor else None, action="register", row=registration)
    session.flush()
    return RegistrationResult(
        registration.code, str(status), waitlist_position(session, registration)
    )


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """1 for the first party waiting, in arrival order (the order the waitlist is
    served in, see promote_waitlist); None when not waiting."""
    if RegistrationStatus(registration.status) != RegistrationStatus.waitlisted:
        return None
    created = registration.created_at
    ahead = session.exec(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.waitlisted,
            (col(Registration.created_at) < created)
            | (
                (col(Registration.created_at) == created) & (col(Registration.id) < registration.id)
            ),
        )
    ).one()
    return ahead + 1


@dataclass(frozen=True)
class RegistrationView:
    """What the registrant sees of their own entry, read afresh: no one else's data."""

    event_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    event_status: str
    code: str
    party_size: int
    status: str
    position: int | None  # in the waitlist, kept current

    @property
    def cancelled(self) -> bool:
        return RegistrationStatus(self.status) == RegistrationStatus.cancelled


def registration_lookup(*, session: Session, code: str, phone: str) -> RegistrationView:
    """A registrant's own entry by code and phone (both, as for cancelling): its status
    now and, while waiting, its place in the waitlist now."""
    registration = _by_code_and_phone(session, code, phone)
    event = _event_of(session, registration)
    return RegistrationView(
        event_id=event.id,
        title=event.title,
        starts_at=aware_utc(event.starts_at),
        ends_at=aware_utc(event.ends_at),
        venue=event.venue,
        event_status=str(event.status),
        code=registration.code,
        party_size=registration.party_size,
        status=str(registration.status),
        position=waitlist_position(session, registration),
    )


def _event_of(session: Session, registration: Registration) -> Event:
    """The event of a registration (the foreign key guarantees there is one)."""
    event = session.get(Event, registration.event_id)
    assert event is not None, "a registration's event_id is a foreign key"
    return event


def _by_code_and_phone(session: Session, code: str, phone: str) -> Registration:
    if not (code or "").strip() or not (phone or "").strip():
        raise BoardError("events.code_phone_required")
    registration = session.exec(
        select(Registration).where(Registration.code == code.strip().upper())
    ).first()
    if registration is None or not _same_phone(registration.phone, phone):
        raise BoardError("events.registration_not_found")
    return registration


def _same_phone(stored: str, typed: str) -> bool:
    """Whether a typed phone is the stored one, normalised as on registration; an
    invalid phone matches nothing."""
    return normalise_phone(typed) == stored


def promote_waitlist(session: Session, actor: Actor | None, event: Event) -> list[int]:
    """Walks the waiting parties in arrival order and confirms every one that fits in the
    event's free places; a party that does not fit is skipped and keeps its place
    (services/capacity.py). Returns the promoted registrations' ids."""

    def waiting() -> Iterator[Registration]:  # read only when places are free
        yield from session.exec(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.waitlisted,
            )
            .order_by(col(Registration.created_at), col(Registration.id))
        ).all()

    def promote(reg: Registration) -> None:
        audit.apply_changes(
            session,
            actor_id=actor.id if actor else None,
            row=reg,
            values={"status": RegistrationStatus.confirmed},
        )

    promoted = capacity.promote_waitlist(
        session, Event, event.id, waiting(), amount_of=lambda r: r.party_size, promote=promote
    )
    return [r.id for r in promoted]


def registrations_cancel_for_event(session: Session, actor: Actor, event: Event) -> int:
    """When the event itself is cancelled: its live registrations are cancelled too (rows
    kept, each change audited) and the places they held given back. Returns how many."""
    live = session.exec(
        select(Registration).where(
            Registration.event_id == event.id, col(Registration.status).in_(LIVE)
        )
    ).all()

    def cancel(registration: Registration) -> None:
        audit.apply_changes(
            session,
            actor_id=actor.id,
            row=registration,
            values={"status": RegistrationStatus.cancelled},
        )

    cancelled = capacity.cancel_all(
        session,
        Event,
        event.id,
        live,
        amount_of=lambda r: r.party_size,
        holds_place=lambda r: RegistrationStatus(r.status) == RegistrationStatus.confirmed,
        cancel=cancel,
    )
    session.refresh(event)
    return cancelled


@dataclass(frozen=True)
class CancelResult:
    event_id: int
    title: str
    name: str
    promoted: list[int]  # registrations moved up from the waitlist


def registration_cancel(
    *,
    session: Session,
    code: str = "",
    phone: str = "",
    actor: Actor | None = None,
    registration_id: int | None = None,
) -> CancelResult:
    """Cancels a registration: by the registrant with its code and phone, or by staff
    for a caller (by code or by the row's id). The places it held go to the waitlist by
    its rule; cancelling a waiting registration also lets whoever now fits move up. A
    registration already cancelled is refused (nothing changes)."""
    if actor is None:
        registration = _by_code_and_phone(session, code, phone)
    else:
        found = (
            session.get(Registration, registration_id)
            if registration_id is not None
            else session.exec(
                select(Registration).where(Registration.code == (code or "").strip().upper())
            ).first()
        )
        if found is None:
            raise BoardError("events.registration_not_found")
        registration = found
    event = _event_of(session, registration)
    if actor is not None:
        actor.require(STAFF)
        actor.require_community(event.community_id)
    if RegistrationStatus(registration.status) == RegistrationStatus.cancelled:
        raise BoardError("events.already_cancelled")
    if registration.attended:
        raise BoardError("events.cancel_attended", name=registration.name)
    was = RegistrationStatus(registration.status)
    audit.apply_changes(
        session,
        actor_id=actor.id if actor else None,
        row=registration,
        values={"status": RegistrationStatus.cancelled},
    )
    if was == RegistrationStatus.confirmed:
        capacity.release(session, Event, event.id, registration.party_size)
        session.refresh(event)
    promoted = promote_waitlist(session, actor, event)
    return CancelResult(event.id, event.title, registration.name, promoted)


def registration_check_in(
    *, session: Session, actor: Actor, event_id: int, code: str, now: datetime | None = None
) -> str:
    """Checks a registration in at the door by its code (or the row's code), while the
    door is open (services/event_door.py). Returns the name."""
    event = get_scoped(session, actor, Event, event_id)
    if EventStatus(event.status) == EventStatus.cancelled:
        raise BoardError("events.check_in_cancelled")
    state = door(status=event.status, starts_at=event.starts_at, ends_at=event.ends_at, now=now)
    if state.reason is not None:
        raise BoardError(state.reason, **state.params)
    if not (code or "").strip():
        raise BoardError("events.code_required")
    registration = session.exec(
        select(Registration).where(
            Registration.event_id == event.id, Registration.code == (code or "").strip().upper()
        )
    ).first()
    if registration is None:
        raise BoardError("events.code_unknown")
    if RegistrationStatus(registration.status) != RegistrationStatus.confirmed:
        raise BoardError("events.not_confirmed")
    if registration.attended:
        raise BoardError("events.already_in", name=registration.name)
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=registration,
        values={"attended": True, "checked_in_at": now or utcnow()},
    )
    return registration.name
