"""What the staff events page reads: the event cards (EventCard, which also says what
may be done with each event, so a page never compares status strings), the list of
events, where a link to one leads, the roster of registrations and the printable
sign-in sheet.

The public programme's reads are services/event_programme.py (the same cards, no
personal data); the writes are services/events.py and services/registrations.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, func
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from models.base import aware_utc, local_span, utcnow
from models.events import Event, EventStatus, Registration, RegistrationStatus
from models.org import Community
from models.privacy import AccessKind
from services import access_log, exports
from services.access import STAFF, Actor, get_scoped, mask_phone
from services.event_door import Door, door
from services.events import EDITABLE, EVENT_STATUS_NEXT, staffing_refused
from services.i18n import DEFAULT_LANG, translator
from services.registrations import LIVE


@dataclass(frozen=True)
class EventCard:
    id: int
    title: str
    category: str
    community_id: int
    community: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    waitlisted: int
    status: str
    organiser: str
    partner: str
    description: str
    waitlist: bool
    volunteers_needed: int
    summary: str
    photo_captions: str
    attended: int

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.taken)

    # What may be done with the event, as the rules of services/events.py say (pages ask,
    # never compare status strings themselves).

    @property
    def next_statuses(self) -> list[str]:
        """The status changes offered as plain buttons (publish, mark done); cancelling
        is asked separately (can_cancel), as it changes more than the event."""
        allowed = EVENT_STATUS_NEXT[EventStatus(self.status)] - {EventStatus.cancelled}
        return sorted(str(s) for s in allowed)

    @property
    def can_cancel(self) -> bool:
        return EventStatus.cancelled in EVENT_STATUS_NEXT[EventStatus(self.status)]

    @property
    def editable(self) -> bool:
        return EventStatus(self.status) in EDITABLE

    def can_staff(self, now: datetime | None = None) -> bool:
        """Volunteers can be asked for while the event is published and not over."""
        return (
            staffing_refused(status=self.status, ends_at=self.ends_at, now=now or utcnow()) is None
        )

    def can_summarise(self, now: datetime | None = None) -> bool:
        """The summary afterwards: once a published (or done) event has started."""
        status = EventStatus(self.status)
        return status in (EventStatus.published, EventStatus.done) and self.starts_at <= (
            now or utcnow()
        )

    def door(self, now: datetime | None = None) -> Door:
        return door(status=self.status, starts_at=self.starts_at, ends_at=self.ends_at, now=now)

    @property
    def open_for_registration(self) -> bool:
        """Places left, or a waitlist to join (the programme shows only published
        events that have not started)."""
        return self.places_left > 0 or self.waitlist


def _people_of_event(condition: ColumnElement[bool] | Mapped[bool]) -> ScalarSelect[Any]:
    """People (party sizes) of the listed event's registrations that meet `condition`:
    read per event shown, from the registrations' event index (not a count of every
    registration of all history joined afterwards)."""
    return (
        select(func.sum(Registration.party_size))
        .where(Registration.event_id == Event.id, condition)
        .scalar_subquery()
    )


def event_cards(
    session: Session, conditions: list[ColumnElement[bool]], order: Any, limit: int
) -> list[EventCard]:
    """The cards of the events that meet `conditions`, in `order` (an ORDER BY term)."""
    # the events shown first (from the events' indexes alone), then their cards and people
    shown = select(col(Event.id)).where(*conditions).order_by(order, col(Event.id)).limit(limit)
    stmt = (
        select(
            Event,
            Community.name,
            _people_of_event(col(Registration.status) == RegistrationStatus.waitlisted),
            _people_of_event(col(Registration.attended)),
        )
        .join(Community, col(Community.id) == Event.community_id)
        .where(col(Event.id).in_(shown.scalar_subquery()))
        .order_by(order, col(Event.id))  # ties (same start) in the order they were made
    )
    return [
        EventCard(
            id=e.id,
            title=e.title,
            category=e.category,
            community_id=e.community_id,
            community=cname,
            venue=e.venue,
            starts_at=aware_utc(e.starts_at),
            ends_at=aware_utc(e.ends_at),
            capacity=e.capacity,
            taken=e.taken,
            waitlisted=waiting or 0,
            status=str(e.status),
            organiser=e.organiser,
            partner=e.partner,
            description=e.description,
            waitlist=e.waitlist,
            volunteers_needed=e.volunteers_needed,
            summary=e.summary,
            photo_captions=e.photo_captions,
            attended=attended or 0,
        )
        for e, cname, waiting, attended in session.exec(stmt)
    ]


def event_list(
    *,
    session: Session,
    actor: Actor,
    upcoming_only: bool = True,
    now: datetime | None = None,
    limit: int = 300,
) -> list[EventCard]:
    actor.require(STAFF)
    now = now or utcnow()
    conditions: list[ColumnElement[bool]] = []
    ids = actor.community_ids()
    if ids is not None:
        conditions.append(col(Event.community_id).in_(ids))
    if upcoming_only:
        conditions.append(col(Event.ends_at) > now)
    order = col(Event.starts_at) if upcoming_only else col(Event.starts_at).desc()
    return event_cards(session, conditions, order, limit)


@dataclass(frozen=True)
class EventLink:
    """What a link to an event (?event=N) on the staff page finds."""

    reason: str | None  # said above the list (a message key); None: nothing to say
    event_id: int | None  # the event to pick; None: it cannot be shown
    among_all: bool = False  # over: picked among all events, the upcoming ones lack it


def event_link(
    *, session: Session, actor: Actor, event_id: int | None, now: datetime | None = None
) -> EventLink:
    """Where a link to an event on the staff page leads (`event_id` None: the link held
    no event number): gone (no such event), of another community (not shown), over
    (shown among all events, as the upcoming list no longer holds it), or upcoming."""
    actor.require(STAFF)
    event = session.get(Event, event_id) if event_id is not None else None
    if event is None:
        return EventLink("events.link_gone", None)
    ids = actor.community_ids()
    if ids is not None and event.community_id not in ids:
        return EventLink("events.link_other_community", None)
    if aware_utc(event.ends_at) <= (now or utcnow()):
        return EventLink("events.link_past", event.id, among_all=True)
    return EventLink(None, event.id)


@dataclass(frozen=True)
class RosterEntry:
    """One registration on the staff roster, with what may be done with it."""

    id: int
    code: str
    name: str
    phone: str  # in full for staff only
    party_size: int
    visitor: bool
    status: str
    attended: bool
    checked_in_at: datetime | None
    position: int | None  # in the waitlist, arrival order
    can_cancel: bool  # still live and not checked in
    can_check_in: bool  # confirmed and not yet in (the door permitting, see event_door)
    frees_places: bool  # cancelling it hands its places to the waitlist


@dataclass(frozen=True)
class Roster:
    entries: list[RosterEntry]  # in arrival order

    @property
    def waiting(self) -> int:
        """Parties on the waitlist."""
        return sum(1 for e in self.entries if e.position is not None)

    @property
    def printable(self) -> bool:
        """Whether the sign-in sheet is offered: someone is there to sign, or has."""
        return any(e.can_check_in or e.attended for e in self.entries)


def event_roster(*, session: Session, actor: Actor, event_id: int) -> Roster:
    """Registrations in arrival order (staff); phones in full for staff only. Per entry:
    whether it may still be cancelled or checked in (the door permitting, see
    event_door), and the waitlist position of a party waiting."""
    get_scoped(session, actor, Event, event_id)
    rows = session.exec(
        select(Registration)
        .where(Registration.event_id == event_id)
        .order_by(col(Registration.created_at), col(Registration.id))
    ).all()
    waiting = [r.id for r in rows if RegistrationStatus(r.status) == RegistrationStatus.waitlisted]
    entries = []
    for r in rows:
        confirmed = RegistrationStatus(r.status) == RegistrationStatus.confirmed
        entries.append(
            RosterEntry(
                id=r.id,
                code=r.code,
                name=r.name,
                phone=r.phone if actor.sees_personal_data else mask_phone(r.phone),
                party_size=r.party_size,
                visitor=r.visitor,
                status=str(r.status),
                attended=r.attended,
                checked_in_at=aware_utc(r.checked_in_at) if r.checked_in_at else None,
                position=waiting.index(r.id) + 1 if r.id in waiting else None,
                can_cancel=RegistrationStatus(r.status) in LIVE and not r.attended,
                can_check_in=confirmed and not r.attended,
                frees_places=confirmed and not r.attended,
            )
        )
    return Roster(entries)


def event_sign_in_sheet(
    *, session: Session, actor: Actor, event_id: int, lang: str = DEFAULT_LANG
) -> bytes:
    """The printable sign-in sheet (Excel, set up for A4 portrait): the event's title,
    time and venue on top, then one row per confirmed registration in arrival order with
    a blank column to sign. Phones are masked on paper whoever prints it. A write (the
    print is logged): pages call it through ui.actions.write."""
    event = get_scoped(session, actor, Event, event_id)
    rows = session.exec(
        select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.confirmed,
        )
        .order_by(col(Registration.created_at), col(Registration.id))
    ).all()

    tr = translator(lang)
    # names of residents on paper: a print of personal data, in the access log
    access_log.log_access(
        session,
        actor=actor,
        kind=AccessKind.print,
        record_type="register",
        record_id=None,
        community_id=event.community_id,
        page="events",
        detail={"register": "registrations", "filters": {"event_id": event_id}, "rows": len(rows)},
    )
    return exports.printable_sheet(
        name=tr("events.sign_in_sheet"),
        heading=[
            f"{event.title} · {tr('events.sign_in_sheet')}",
            tr(
                "events.sheet_when_where",
                when=local_span(event.starts_at, event.ends_at),
                venue=event.venue,
            ),
            tr("events.sheet_totals", groups=len(rows), people=sum(r.party_size for r in rows)),
        ],
        columns=[
            (tr("events.no"), 7),
            (tr("events.name"), 16),
            (tr("events.phone"), 16),
            (tr("events.party_short"), 8),
            (tr("events.code"), 12),
            (tr("events.signature"), 30),  # left blank: room to sign
        ],
        rows=[
            [number, r.name, mask_phone(r.phone), r.party_size, r.code, ""]
            for number, r in enumerate(rows, start=1)
        ],
        footer=tr("events.sheet_page"),
    )
