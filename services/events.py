"""Cultural events (活动): the programme, registrations with party sizes against capacity
and a waitlist, check-in at the door, staffing, and what happened afterwards.

Capacity is the same guarded counter as tasks (services/capacity.py, Event.taken), here
counting people: a party of 3 takes 3 places.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import case, func
from sqlmodel import Session, select

from models.base import aware_utc, utcnow
from models.events import Event, EventStatus, Registration, RegistrationStatus
from models.org import Community
from models.volunteers import TaskKind
from services import audit, capacity, tasks
from services.access import STAFF, Actor, mask_phone
from services.db import local_bounds, month_of
from services.errors import BoardError
from services.volunteers import valid_phone

CATEGORIES = ("heritage", "visit", "arts", "talk", "charity", "other")
MAX_PARTY = 10
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door
EVENT_STATUS_NEXT = {
    EventStatus.draft: {EventStatus.published, EventStatus.cancelled},
    EventStatus.published: {EventStatus.done, EventStatus.cancelled},
    EventStatus.done: set(),
    EventStatus.cancelled: set(),
}


def _managed(session: Session, actor: Actor, event_id: int) -> Event:
    actor.require(STAFF)
    event = session.get(Event, event_id)
    if event is None:
        raise BoardError("common.not_found")
    actor.require_community(event.community_id)
    return event


def _check(title, category, venue, starts_at, ends_at, capacity_):
    if not (title or "").strip() or not (venue or "").strip():
        raise BoardError("events.required")
    if category not in CATEGORIES:
        raise BoardError("events.category_invalid")
    if aware_utc(ends_at) <= aware_utc(starts_at):
        raise BoardError("tasks.end_before_start")
    if capacity_ is None or capacity_ < 1:
        raise BoardError("tasks.capacity_invalid")


def event_create(
    *,
    session: Session,
    actor: Actor,
    title: str,
    category: str,
    community_id: int,
    venue: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    organiser: str = "",
    partner: str = "",
    description: str = "",
    waitlist: bool = True,
) -> int:
    actor.require(STAFF)
    actor.require_community(community_id)
    _check(title, category, venue, starts_at, ends_at, capacity)
    event = Event(
        title=title.strip(),
        category=category,
        community_id=community_id,
        venue=venue.strip(),
        starts_at=aware_utc(starts_at),
        ends_at=aware_utc(ends_at),
        capacity=capacity,
        organiser=organiser.strip(),
        partner=partner.strip(),
        description=description.strip(),
        waitlist=waitlist,
    )
    session.add(event)
    audit.record(session, actor_id=actor.id, action="create", row=event)
    return event.id


def event_update(
    *,
    session: Session,
    actor: Actor,
    event_id: int,
    title: str,
    category: str,
    venue: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    organiser: str,
    partner: str,
    description: str,
    waitlist: bool,
) -> None:
    event = _managed(session, actor, event_id)
    _check(title, category, venue, starts_at, ends_at, capacity)
    if capacity < event.taken:
        raise BoardError("tasks.capacity_below_confirmed", n=event.taken)
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=event,
        values={
            "title": title.strip(),
            "category": category,
            "venue": venue.strip(),
            "starts_at": aware_utc(starts_at),
            "ends_at": aware_utc(ends_at),
            "capacity": capacity,
            "organiser": organiser.strip(),
            "partner": partner.strip(),
            "description": description.strip(),
            "waitlist": waitlist,
        },
    )
    _promote(session, actor, event)


def event_set_status(*, session: Session, actor: Actor, event_id: int, status: EventStatus) -> None:
    event = _managed(session, actor, event_id)
    if EventStatus(status) not in EVENT_STATUS_NEXT[EventStatus(event.status)]:
        raise BoardError("events.status_invalid")
    audit.apply_changes(
        session, actor_id=actor.id, row=event, values={"status": EventStatus(status)}
    )


def event_request_staff(*, session: Session, actor: Actor, event_id: int, volunteers: int) -> int:
    """Asks for N volunteers: a linked task in the sign-up flow."""
    event = _managed(session, actor, event_id)
    if volunteers is None or volunteers < 1:
        raise BoardError("tasks.capacity_invalid")
    audit.apply_changes(
        session, actor_id=actor.id, row=event, values={"volunteers_needed": volunteers}
    )
    return tasks.task_create(
        session=session,
        actor=actor,
        title=f"活动服务：{event.title}",
        kind=TaskKind.event_staff,
        community_id=event.community_id,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        capacity=volunteers,
        place=event.venue,
        description=event.description,
        event_id=event.id,
    )


def event_close(
    *, session: Session, actor: Actor, event_id: int, summary: str, photo_captions: str
) -> None:
    """After the event: a short summary and the photos' captions; the event is done."""
    event = _managed(session, actor, event_id)
    values = {"summary": summary.strip(), "photo_captions": photo_captions.strip()}
    if EventStatus(event.status) == EventStatus.published:
        values["status"] = EventStatus.done
    elif EventStatus(event.status) != EventStatus.done:
        raise BoardError("events.status_invalid")
    audit.apply_changes(session, actor_id=actor.id, row=event, values=values)


# --- registrations ------------------------------------------------------------------


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
    now: datetime | None = None,
) -> RegistrationResult:
    """Anyone with the link registers (no account): a place for the whole party, or the
    waitlist, never more people than capacity."""
    now = now or utcnow()
    event = session.get(Event, event_id)
    if event is None or EventStatus(event.status) == EventStatus.draft:
        raise BoardError("common.not_found")
    if EventStatus(event.status) == EventStatus.cancelled:
        raise BoardError("events.cancelled")
    if EventStatus(event.status) == EventStatus.done or aware_utc(event.starts_at) <= now:
        raise BoardError("events.past")
    name = (name or "").strip()
    if not name:
        raise BoardError("events.name_required")
    phone = valid_phone(phone)
    if party_size is None or not 1 <= int(party_size) <= MAX_PARTY:
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
    )
    session.add(registration)
    audit.record(session, actor_id=None, action="register", row=registration)
    position = None
    if status == RegistrationStatus.waitlisted:
        position = session.exec(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.waitlisted,
            )
        ).one()
    return RegistrationResult(registration.code, str(status), position)


def _promote(session: Session, actor: Actor | None, event: Event) -> list[int]:
    waiting = session.exec(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.waitlisted,
        )
        .order_by(Registration.created_at, Registration.id)
    ).all()

    def promote(reg: Registration) -> None:
        audit.apply_changes(
            session,
            actor_id=actor.id if actor else None,
            row=reg,
            values={"status": RegistrationStatus.confirmed},
        )

    promoted = capacity.promote_waitlist(
        session, Event, event.id, waiting, amount_of=lambda r: r.party_size, promote=promote
    )
    return [r.id for r in promoted]


def registration_cancel(
    *, session: Session, code: str, phone: str, actor: Actor | None = None
) -> list[int]:
    """Cancels by registration code and phone (or by staff); frees the places for the waitlist."""
    registration = session.exec(
        select(Registration).where(Registration.code == (code or "").strip().upper())
    ).first()
    if registration is None or (actor is None and registration.phone != (phone or "").strip()):
        raise BoardError("events.registration_not_found")
    event = session.get(Event, registration.event_id)
    if actor is not None:
        actor.require(STAFF)
        actor.require_community(event.community_id)
    if RegistrationStatus(registration.status) == RegistrationStatus.cancelled:
        raise BoardError("events.already_cancelled")
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
        return _promote(session, actor, event)
    return []


def registration_check_in(
    *, session: Session, actor: Actor, event_id: int, code: str, now: datetime | None = None
) -> str:
    """Checks a registration in at the door by its code (or the row's code). Returns the name."""
    event = _managed(session, actor, event_id)
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


# --- reads ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventCard:
    id: int
    title: str
    category: str
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


def _people_per_event():
    """Per event: people confirmed, waitlisted and attended (party sizes summed)."""

    def people(condition):
        return func.sum(case((condition, Registration.party_size), else_=0))

    return (
        select(
            Registration.event_id,
            people(Registration.status == RegistrationStatus.confirmed).label("confirmed"),
            people(Registration.status == RegistrationStatus.waitlisted).label("waiting"),
            people(Registration.attended).label("attended"),
        )
        .group_by(Registration.event_id)
        .subquery()
    )


def _cards(session: Session, conditions: list, order, limit: int) -> list[EventCard]:
    counts = _people_per_event()
    stmt = (
        select(Event, Community.name, counts.c.waiting, counts.c.attended)
        .join(Community, Community.id == Event.community_id)
        .join(counts, counts.c.event_id == Event.id, isouter=True)
        .where(*conditions)
        .order_by(order)
        .limit(limit)
    )
    return [
        EventCard(
            id=e.id,
            title=e.title,
            category=e.category,
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


def programme(
    *,
    session: Session,
    now: datetime | None = None,
    community_id: int | None = None,
    limit: int = 60,
) -> list[EventCard]:
    """The public programme: upcoming published events with places left. No personal data."""
    now = now or utcnow()
    conditions = [Event.status == EventStatus.published, Event.starts_at > now]
    if community_id is not None:
        conditions.append(Event.community_id == community_id)
    return _cards(session, conditions, Event.starts_at, limit)


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
    conditions = []
    ids = actor.community_ids()
    if ids is not None:
        conditions.append(Event.community_id.in_(ids))
    if upcoming_only:
        conditions.append(Event.ends_at > now)
    order = Event.starts_at if upcoming_only else Event.starts_at.desc()
    return _cards(session, conditions, order, limit)


def event_roster(*, session: Session, actor: Actor, event_id: int) -> pd.DataFrame:
    """Registrations in arrival order (staff); phones in full for staff only."""
    _managed(session, actor, event_id)
    rows = session.exec(
        select(Registration)
        .where(Registration.event_id == event_id)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    return pd.DataFrame(
        [
            {
                "id": r.id,
                "code": r.code,
                "name": r.name,
                "phone": r.phone if actor.sees_personal_data else mask_phone(r.phone),
                "party_size": r.party_size,
                "visitor": r.visitor,
                "status": str(r.status),
                "attended": r.attended,
                "checked_in_at": aware_utc(r.checked_in_at) if r.checked_in_at else None,
            }
            for r in rows
        ],
        columns=[
            "id",
            "code",
            "name",
            "phone",
            "party_size",
            "visitor",
            "status",
            "attended",
            "checked_in_at",
        ],
    )


# --- figures and charts -----------------------------------------------------------------


def _in_period(session, start: date, end: date, community_ids):
    begin, finish = local_bounds(start, end)
    conditions = [
        Event.starts_at >= begin,
        Event.starts_at < finish,
        Event.status.in_([EventStatus.published, EventStatus.done]),
    ]
    if community_ids is not None:
        conditions.append(Event.community_id.in_(community_ids))
    return conditions


def event_figures(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> dict:
    """Events held in [start, end) and how full and how well attended they were."""
    now = utcnow()
    held = [*_in_period(session, start, end, community_ids), Event.starts_at <= now]
    reg = _people_per_event()
    events, capacity_sum, confirmed, attended = session.exec(
        select(
            func.count(Event.id),
            func.sum(Event.capacity),
            func.sum(reg.c.confirmed),
            func.sum(reg.c.attended),
        )
        .join(reg, reg.c.event_id == Event.id, isouter=True)
        .where(*held)
    ).one()
    # PostgreSQL sums integers as NUMERIC: plain ints for the arithmetic below
    confirmed, attended, capacity_sum = (
        int(confirmed or 0),
        int(attended or 0),
        int(capacity_sum or 0),
    )
    return {
        "events": events,
        "attendees": attended,
        "attendance_rate": attended / confirmed if confirmed else None,
        "fill_rate": confirmed / capacity_sum if capacity_sum else None,
    }


def events_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Events per month and category (category codes)."""
    month = month_of(session, Event.starts_at)
    rows = session.exec(
        select(month, Event.category, func.count())
        .where(*_in_period(session, start, end, community_ids))
        .group_by(month, Event.category)
        .order_by(month)
    ).all()
    return pd.DataFrame(rows, columns=["month", "category", "events"])


def event_rates_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Fill rate (confirmed / capacity) and attendance rate (attended / confirmed) per month."""
    month = month_of(session, Event.starts_at)
    reg = _people_per_event()
    rows = session.exec(
        select(month, func.sum(Event.capacity), func.sum(reg.c.confirmed), func.sum(reg.c.attended))
        .join(reg, reg.c.event_id == Event.id, isouter=True)
        .where(*_in_period(session, start, end, community_ids), Event.starts_at <= utcnow())
        .group_by(month)
        .order_by(month)
    ).all()
    frame = pd.DataFrame(rows, columns=["month", "capacity", "confirmed", "attended"]).fillna(0)
    counts = ["capacity", "confirmed", "attended"]
    frame[counts] = frame[counts].astype(int)  # PostgreSQL sums come back as Decimal
    frame["fill_rate"] = (
        frame["confirmed"] / frame["capacity"].where(frame["capacity"] > 0)
    ).round(3)
    frame["attendance_rate"] = (
        frame["attended"] / frame["confirmed"].where(frame["confirmed"] > 0)
    ).round(3)
    return frame
