"""Cultural events (活动): the programme, registrations with party sizes against capacity
and a waitlist, check-in at the door, staffing, and what happened afterwards.

Capacity is the same guarded counter as tasks (services/capacity.py, Event.taken), here
counting people: a party of 3 takes 3 places.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import case, func
from sqlmodel import Session, select

from models.base import LOCAL_TZ, aware_utc, local, local_span, utcnow
from models.events import Event, EventStatus, Registration, RegistrationStatus
from models.org import Community
from models.volunteers import Task, TaskKind, TaskStatus
from services import audit, capacity, exports, tasks
from services.access import STAFF, Actor, get_scoped, mask_phone
from services.checks import normalise_phone, valid_phone
from services.db import local_bounds, month_of
from services.errors import BoardError
from services.i18n import DEFAULT_LANG, translate

CATEGORIES = ("heritage", "visit", "arts", "talk", "charity", "other")
MAX_PARTY = 10
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door
EVENT_STATUS_NEXT = {
    EventStatus.draft: {EventStatus.published, EventStatus.cancelled},
    EventStatus.published: {EventStatus.done, EventStatus.cancelled},
    EventStatus.done: set(),
    EventStatus.cancelled: set(),
}
EDITABLE = (EventStatus.draft, EventStatus.published)
LIVE = (RegistrationStatus.confirmed, RegistrationStatus.waitlisted)
DOOR_OPENS_BEFORE = timedelta(hours=1)


# --- the door check-in window -------------------------------------------------------


def door_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """The one rule for checking people in at the door, [opens, closes) in UTC.

    The door opens one hour before the start (people queue early, the volunteers set
    up) and closes at the end of the local (Asia/Shanghai) day on which the event ends:
    late arrivals are let in, and staff may still enter the paper sheet that evening.
    The next morning the attendance is what it is (the summary counts it)."""
    opens = aware_utc(starts_at) - DOOR_OPENS_BEFORE
    next_day = local(ends_at).date() + timedelta(days=1)
    closes = datetime.combine(next_day, time(0), LOCAL_TZ).astimezone(UTC)
    return opens, closes


@dataclass(frozen=True)
class Door:
    """Whether the door check-in of an event is open now, and if not, why (a message
    key with its `at` parameter), so a page can say it before anyone presses."""

    open: bool
    opens_at: datetime
    closes_at: datetime
    reason: str | None = None

    @property
    def params(self) -> dict[str, str]:
        return {"at": f"{local(self.opens_at):%Y-%m-%d %H:%M}"}


def door(
    *, status: str, starts_at: datetime, ends_at: datetime, now: datetime | None = None
) -> Door:
    """The door of one event at `now` (see door_window); a cancelled event or a draft
    has no door at all."""
    now = aware_utc(now or utcnow())
    opens, closes = door_window(starts_at, ends_at)
    status = EventStatus(status)
    if status == EventStatus.cancelled:
        reason = "events.door_closed"
    elif status == EventStatus.draft:
        reason = "events.door_draft"
    elif now < opens:
        reason = "events.door_not_yet"
    elif now >= closes:
        reason = "events.door_over"
    else:
        reason = None
    return Door(reason is None, opens, closes, reason)


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
) -> list[int]:
    """Edits a draft or published event. Capacity cannot fall below the people already
    confirmed; more places go to the waitlist first, in arrival order (the shared guarded
    counter). A linked staffing task follows the new time and venue. Returns the ids of
    the promoted registrations."""
    event = get_scoped(session, actor, Event, event_id)
    if EventStatus(event.status) not in (EventStatus.draft, EventStatus.published):
        raise BoardError("events.finished")
    _check(title, category, venue, starts_at, ends_at, capacity)
    if capacity < event.taken:
        raise BoardError("events.capacity_below_confirmed", n=event.taken)
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
    session.flush()
    session.refresh(event)
    if event.taken > event.capacity:  # a registration came in between: refuse, roll back
        raise BoardError("events.capacity_below_confirmed", n=event.taken)
    task = _staff_task(session, event.id)
    if task is not None and TaskStatus(task.status) != TaskStatus.done:
        _update_staff_task(
            session,
            actor,
            task,
            place=event.venue,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
        )
    return _promote(session, actor, event)


def _update_staff_task(session: Session, actor: Actor, task: Task, **changes: object) -> None:
    """The event's staffing task, with `changes` and everything else as it was (through the
    tasks service, so its rules hold: places never below the volunteers confirmed)."""
    fields = {
        "title": task.title,
        "place": task.place,
        "starts_at": task.starts_at,
        "ends_at": task.ends_at,
        "capacity": task.capacity,
        "required_skills": task.required_skills,
        "description": task.description,
    }
    tasks.task_update(session=session, actor=actor, task_id=task.id, **(fields | changes))


def _staff_task(session: Session, event_id: int) -> Task | None:
    """The event's staffing task: the one linked event_staff task that is not cancelled."""
    return session.exec(
        select(Task)
        .where(
            Task.event_id == event_id,
            Task.kind == TaskKind.event_staff,
            Task.status != TaskStatus.cancelled,
        )
        .order_by(Task.id)
    ).first()


def event_set_status(*, session: Session, actor: Actor, event_id: int, status: EventStatus) -> int:
    """Publishes, cancels or ends an event. Cancelling also cancels its registrations
    (rows kept, status cancelled, places released) and its staffing task, in the same
    transaction, each change audited. Returns how many registrations were cancelled."""
    event = get_scoped(session, actor, Event, event_id)
    status = EventStatus(status)
    if status not in EVENT_STATUS_NEXT[EventStatus(event.status)]:
        raise BoardError("events.status_invalid")
    audit.apply_changes(session, actor_id=actor.id, row=event, values={"status": status})
    if status != EventStatus.cancelled:
        return 0
    live = session.exec(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status.in_([RegistrationStatus.confirmed, RegistrationStatus.waitlisted]),
        )
    ).all()
    cancelled = capacity.cancel_all(
        session,
        Event,
        event.id,
        live,
        amount_of=lambda r: r.party_size,
        holds_place=lambda r: RegistrationStatus(r.status) == RegistrationStatus.confirmed,
        cancel=lambda r: audit.apply_changes(
            session, actor_id=actor.id, row=r, values={"status": RegistrationStatus.cancelled}
        ),
    )
    session.refresh(event)
    task = _staff_task(session, event.id)
    if task is not None and TaskStatus(task.status) != TaskStatus.done:
        tasks.task_set_status(
            session=session, actor=actor, task_id=task.id, status=TaskStatus.cancelled
        )
    return cancelled


@dataclass(frozen=True)
class StaffingResult:
    task_id: int
    created: bool  # False: the existing staffing task got the new number of places


def event_request_staff(
    *,
    session: Session,
    actor: Actor,
    event_id: int,
    volunteers: int,
    lang: str = DEFAULT_LANG,
    now: datetime | None = None,
) -> StaffingResult:
    """Asks for N volunteers: one linked task in the sign-up flow per event. A second
    request changes that task's number of places (more places go to its waitlist first)."""
    event = get_scoped(session, actor, Event, event_id)
    status = EventStatus(event.status)
    if status == EventStatus.draft:
        raise BoardError("events.staff_draft")
    if status == EventStatus.cancelled:
        raise BoardError("events.staff_cancelled")
    if status == EventStatus.done or aware_utc(event.ends_at) <= (now or utcnow()):
        raise BoardError("events.staff_over")
    if volunteers is None or volunteers < 1:
        raise BoardError("tasks.capacity_invalid")
    audit.apply_changes(
        session, actor_id=actor.id, row=event, values={"volunteers_needed": volunteers}
    )
    task = _staff_task(session, event.id)
    if task is not None:
        _update_staff_task(session, actor, task, capacity=volunteers)
        return StaffingResult(task.id, created=False)
    task_id = tasks.task_create(
        session=session,
        actor=actor,
        title=translate("events.staff_task_title", lang, title=event.title),
        kind=TaskKind.event_staff,
        community_id=event.community_id,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        capacity=volunteers,
        place=event.venue,
        description=event.description,
        event_id=event.id,
    )
    return StaffingResult(task_id, created=True)


def event_close(
    *, session: Session, actor: Actor, event_id: int, summary: str, photo_captions: str
) -> None:
    """After the event: a short summary and the photos' captions; the event is done."""
    event = get_scoped(session, actor, Event, event_id)
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
    waitlist, never more people than capacity. Name, phone and party size are required;
    one live registration per phone and event (a second press is refused, nothing
    written)."""
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
    session.flush()
    return RegistrationResult(
        registration.code, str(status), _waitlist_position(session, registration)
    )


def _waitlist_position(session: Session, registration: Registration) -> int | None:
    """1 for the first party waiting, in arrival order (the order the waitlist is
    served in, see _promote); None when not waiting."""
    if RegistrationStatus(registration.status) != RegistrationStatus.waitlisted:
        return None
    created = registration.created_at
    ahead = session.exec(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.waitlisted,
            (Registration.created_at < created)
            | ((Registration.created_at == created) & (Registration.id < registration.id)),
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
    event = session.get(Event, registration.event_id)
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
        position=_waitlist_position(session, registration),
    )


def _by_code_and_phone(session: Session, code: str, phone: str) -> Registration:
    if not (code or "").strip() or not (phone or "").strip():
        raise BoardError("events.code_phone_required")
    registration = session.exec(
        select(Registration).where(Registration.code == code.strip().upper())
    ).first()
    if registration is None or not _same_phone(registration.phone, phone):
        raise BoardError("events.registration_not_found")
    return registration


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


def _same_phone(stored: str, typed: str) -> bool:
    """Whether a typed phone is the stored one, normalised as on registration; an
    invalid phone matches nothing."""
    return normalise_phone(typed) == stored


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
    for a caller (by code or by the row's id). The places it held go to the waitlist in
    arrival order. A registration already cancelled is refused (nothing changes)."""
    if actor is None:
        registration = _by_code_and_phone(session, code, phone)
    else:
        registration = (
            session.get(Registration, registration_id)
            if registration_id is not None
            else session.exec(
                select(Registration).where(Registration.code == (code or "").strip().upper())
            ).first()
        )
        if registration is None:
            raise BoardError("events.registration_not_found")
    event = session.get(Event, registration.event_id)
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
    promoted: list[int] = []
    if was == RegistrationStatus.confirmed:
        capacity.release(session, Event, event.id, registration.party_size)
        session.refresh(event)
        promoted = _promote(session, actor, event)
    return CancelResult(event.id, event.title, registration.name, promoted)


def registration_check_in(
    *, session: Session, actor: Actor, event_id: int, code: str, now: datetime | None = None
) -> str:
    """Checks a registration in at the door by its code (or the row's code), while the
    door is open (door_window). Returns the name."""
    event = get_scoped(session, actor, Event, event_id)
    if EventStatus(event.status) == EventStatus.cancelled:
        raise BoardError("events.check_in_cancelled")
    state = door(status=event.status, starts_at=event.starts_at, ends_at=event.ends_at, now=now)
    if not state.open:
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


# --- reads ----------------------------------------------------------------------------


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

    # What may be done with the event, as the rules above say (pages ask, never compare
    # status strings themselves).

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

    @property
    def cancelled(self) -> bool:
        return EventStatus(self.status) == EventStatus.cancelled

    def can_staff(self, now: datetime | None = None) -> bool:
        """Volunteers can be asked for while the event is published and not over."""
        return EventStatus(self.status) == EventStatus.published and self.ends_at > (
            now or utcnow()
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
    conditions = [Event.status == EventStatus.published, Event.starts_at > now]
    if community_id is not None:
        conditions.append(Event.community_id == community_id)
    if event_id is not None:
        conditions.append(Event.id == event_id)
    return _cards(session, conditions, Event.starts_at, limit)


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
        .join(Event, Event.community_id == Community.id)
        .where(Event.status == EventStatus.published, Event.starts_at > now)
        .distinct()
        .order_by(Community.id)
    ).all()
    return [ProgrammeCommunity(cid, name) for cid, name in rows]


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
    """Registrations in arrival order (staff); phones in full for staff only. Per row:
    whether it may still be cancelled or checked in (the door permitting, see door()),
    and the waitlist position of a party waiting."""
    get_scoped(session, actor, Event, event_id)
    rows = session.exec(
        select(Registration)
        .where(Registration.event_id == event_id)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    waiting = [r.id for r in rows if RegistrationStatus(r.status) == RegistrationStatus.waitlisted]
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
                "position": waiting.index(r.id) + 1 if r.id in waiting else None,
                "can_cancel": RegistrationStatus(r.status) in LIVE and not r.attended,
                "can_check_in": RegistrationStatus(r.status) == RegistrationStatus.confirmed
                and not r.attended,
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
            "position",
            "can_cancel",
            "can_check_in",
        ],
    )


@dataclass(frozen=True)
class CancelEffects:
    """What else cancelling an event changes, said in the question before it is done."""

    registrations: int  # live registrations (confirmed and waiting) cancelled with it
    people: int
    staff_task: bool  # its staffing task is cancelled too
    volunteers: int  # volunteers signed up for that task


def event_cancel_effects(*, session: Session, actor: Actor, event_id: int) -> CancelEffects:
    event = get_scoped(session, actor, Event, event_id)
    groups, people = session.exec(
        select(func.count(), func.coalesce(func.sum(Registration.party_size), 0)).where(
            Registration.event_id == event.id, Registration.status.in_(LIVE)
        )
    ).one()
    task = _staff_task(session, event.id)
    staffed = task is not None and TaskStatus(task.status) != TaskStatus.done
    return CancelEffects(
        registrations=groups,
        people=int(people),
        staff_task=staffed,
        volunteers=task.taken if staffed else 0,
    )


def event_link(
    *, session: Session, actor: Actor, event_id: int, now: datetime | None = None
) -> str | None:
    """What a link to an event (?event=N) on the staff page finds, as a message key, or
    None when the event is in the upcoming list: gone (no longer exists), of another
    community (not shown), or over ("events.link_past": shown among all events, as
    the upcoming list no longer holds it)."""
    actor.require(STAFF)
    event = session.get(Event, event_id)
    if event is None:
        return "events.link_gone"
    ids = actor.community_ids()
    if ids is not None and event.community_id not in ids:
        return "events.link_other_community"
    if aware_utc(event.ends_at) <= (now or utcnow()):
        return "events.link_past"
    return None


def programme_link(*, session: Session, event_id: int, now: datetime | None = None) -> str | None:
    """Why a public link to an event (/programme?event=N) cannot offer registration, as a
    message key, or None when it can: no longer exists (or never published), cancelled,
    already begun or over, or full with no waitlist."""
    now = now or utcnow()
    event = session.get(Event, event_id)
    if event is None or EventStatus(event.status) == EventStatus.draft:
        return "events.link_gone"
    if EventStatus(event.status) == EventStatus.cancelled:
        return "events.link_cancelled"
    if EventStatus(event.status) == EventStatus.done or aware_utc(event.starts_at) <= now:
        return "events.link_past"
    if event.taken >= event.capacity and not event.waitlist:
        return "events.link_full"
    return None


def event_sign_in_sheet(
    *, session: Session, actor: Actor, event_id: int, lang: str = DEFAULT_LANG
) -> bytes:
    """The printable sign-in sheet (Excel, set up for A4 portrait): the event's title,
    time and venue on top, then one row per confirmed registration in arrival order with
    a blank column to sign. Phones are masked on paper whoever prints it."""
    event = get_scoped(session, actor, Event, event_id)
    rows = session.exec(
        select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.confirmed,
        )
        .order_by(Registration.created_at, Registration.id)
    ).all()

    def tr(key: str, **params) -> str:
        return translate(key, lang, **params)

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
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> dict:
    """Events held in [start, end) and how full and how well attended they were. "Held"
    means started by now: `today` (the dashboard's common signature) changes nothing."""
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
