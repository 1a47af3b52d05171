"""The public programme (活动预告): what anyone with the link reads, without an account and
without personal data: the upcoming published events (services/event_reads.EventCard),
the communities that have some, and where a link to one event leads.

Registering, looking up and cancelling are services/registrations.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from models.base import utcnow
from models.events import Event, EventStatus
from models.org import Community
from services.event_reads import EventCard, event_cards
from services.registrations import Closed, registration_closed


def programme(
    *,
    session: Session,
    now: datetime | None = None,
    community_id: int | None = None,
    event_id: int | None = None,
    limit: int = 60,
) -> list[EventCard]:
    """The public programme: upcoming published events with places left (or only the
    event of a link). No personal data."""
    now = now or utcnow()
    conditions: list[ColumnElement[bool]] = [
        col(Event.status) == EventStatus.published,
        col(Event.starts_at) > now,
    ]
    if community_id is not None:
        conditions.append(col(Event.community_id) == community_id)
    if event_id is not None:
        conditions.append(col(Event.id) == event_id)
    return event_cards(session, conditions, col(Event.starts_at), limit)


@dataclass(frozen=True)
class ProgrammeCommunity:
    id: int
    name: str


def programme_communities(
    *, session: Session, now: datetime | None = None
) -> list[ProgrammeCommunity]:
    """The communities that have upcoming published events: the programme's filter."""
    now = now or utcnow()
    rows = session.exec(
        select(Community.id, Community.name)
        .join(Event, col(Event.community_id) == Community.id)
        .where(Event.status == EventStatus.published, col(Event.starts_at) > now)
        .distinct()
        .order_by(col(Community.id))
    ).all()
    return [ProgrammeCommunity(cid, name) for cid, name in rows]


@dataclass(frozen=True)
class ProgrammeLink:
    """What a public link to an event (/programme?event=N) finds."""

    reason: str | None  # said above the event (a message key); None: nothing to say
    event_id: int | None  # the event to show; None: it cannot be shown


_LINK_CLOSED = {
    Closed.gone: "events.link_gone",
    Closed.cancelled: "events.link_cancelled",
    Closed.past: "events.link_past",
}


def programme_link(
    *, session: Session, event_id: int | None, now: datetime | None = None
) -> ProgrammeLink:
    """Where a public link leads (`event_id` None: the link held no event number): it
    cannot be shown when the event no longer exists (or was never published), is
    cancelled, or has begun or is over (registrations.registration_closed); it is shown,
    saying so, when full with no waitlist; else shown with nothing to say."""
    event = session.get(Event, event_id) if event_id is not None else None
    if event is None:
        return ProgrammeLink("events.link_gone", None)
    closed = registration_closed(event, now or utcnow())
    if closed is not None:
        return ProgrammeLink(_LINK_CLOSED[closed], None)
    if event.taken >= event.capacity and not event.waitlist:
        return ProgrammeLink("events.link_full", event.id)
    return ProgrammeLink(None, event.id)
