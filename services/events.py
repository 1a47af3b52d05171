"""The life of a cultural event (活动): create and edit it, publish, end or cancel it (and
what cancelling changes besides), one staffing task per event, and the summary
afterwards. Also the rules those steps follow (EVENT_STATUS_NEXT, EDITABLE,
staffing_refused), which the read model (services/event_reads.EventCard) asks to say
what may be done.

Registrations and the waitlist are services/registrations.py; the door window is
services/event_door.py; what the pages list is services/event_reads.py and
services/event_programme.py; the figures and charts are services/event_figures.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.base import aware_utc, utcnow
from models.events import Event, EventStatus, Registration
from models.volunteers import Task, TaskKind, TaskStatus
from services import audit, registrations, reminders, tasks
from services.access import STAFF, Actor, get_scoped
from services.errors import BoardError
from services.i18n import DEFAULT_LANG, translate

CATEGORIES = ("heritage", "visit", "arts", "talk", "charity", "other")
EVENT_STATUS_NEXT = {
    EventStatus.draft: {EventStatus.published, EventStatus.cancelled},
    EventStatus.published: {EventStatus.done, EventStatus.cancelled},
    EventStatus.done: set(),
    EventStatus.cancelled: set(),
}
EDITABLE = (EventStatus.draft, EventStatus.published)


def _check(
    title: str, category: str, venue: str, starts_at: datetime, ends_at: datetime, capacity: int
) -> None:
    if not (title or "").strip() or not (venue or "").strip():
        raise BoardError("events.required")
    if category not in CATEGORIES:
        raise BoardError("events.category_invalid")
    if aware_utc(ends_at) <= aware_utc(starts_at):
        raise BoardError("tasks.end_before_start")
    if capacity is None or capacity < 1:
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
    if EventStatus(event.status) not in EDITABLE:
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
    task = _unfinished_staff_task(session, event_id)
    if task is not None:
        _update_staff_task(
            session,
            actor,
            task,
            place=event.venue,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            capacity=task.capacity,
        )
    return registrations.promote_waitlist(session, actor, event)


# --- the staffing task ------------------------------------------------------------------


def _staff_task(session: Session, event_id: int) -> Task | None:
    """The event's staffing task: the one linked event_staff task that is not cancelled."""
    return session.exec(
        select(Task)
        .where(
            Task.event_id == event_id,
            Task.kind == TaskKind.event_staff,
            Task.status != TaskStatus.cancelled,
        )
        .order_by(col(Task.id))
    ).first()


def _unfinished_staff_task(session: Session, event_id: int) -> Task | None:
    """The staffing task while it still follows the event: not done (done, its hours
    stand whatever happens to the event afterwards)."""
    task = _staff_task(session, event_id)
    return task if task is not None and TaskStatus(task.status) != TaskStatus.done else None


def _update_staff_task(
    session: Session,
    actor: Actor,
    task: Task,
    *,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
) -> None:
    """The event's staffing task at a new place, time or number of places, its title,
    skills and description as they were (through the tasks service, so its rules hold:
    places never below the volunteers confirmed)."""
    tasks.task_update(
        session=session,
        actor=actor,
        task_id=task.id,
        title=task.title,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        required_skills=task.required_skills,
        description=task.description,
    )


def staffing_refused(*, status: str, ends_at: datetime, now: datetime) -> str | None:
    """Why volunteers cannot be asked for (a message key), or None while the event is
    published and not over."""
    event_status = EventStatus(status)
    if event_status == EventStatus.draft:
        return "events.staff_draft"
    if event_status == EventStatus.cancelled:
        return "events.staff_cancelled"
    if event_status == EventStatus.done or aware_utc(ends_at) <= now:
        return "events.staff_over"
    return None


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
    refused = staffing_refused(status=event.status, ends_at=event.ends_at, now=now or utcnow())
    if refused is not None:
        raise BoardError(refused)
    if volunteers is None or volunteers < 1:
        raise BoardError("tasks.capacity_invalid")
    audit.apply_changes(
        session, actor_id=actor.id, row=event, values={"volunteers_needed": volunteers}
    )
    task = _staff_task(session, event_id)
    if task is not None:
        _update_staff_task(
            session,
            actor,
            task,
            place=task.place,
            starts_at=task.starts_at,
            ends_at=task.ends_at,
            capacity=volunteers,
        )
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


# --- status: publish, end, cancel -----------------------------------------------------------


def event_set_status(*, session: Session, actor: Actor, event_id: int, status: EventStatus) -> int:
    """Publishes, cancels or ends an event (EVENT_STATUS_NEXT). Cancelling also cancels
    its registrations (rows kept, status cancelled, places released) and its staffing
    task, in the same transaction, each change audited. Returns how many registrations
    were cancelled."""
    event = get_scoped(session, actor, Event, event_id)
    target, was = EventStatus(status), EventStatus(event.status)
    if target not in EVENT_STATUS_NEXT[was]:
        raise BoardError("events.status_invalid")
    audit.apply_changes(session, actor_id=actor.id, row=event, values={"status": target})
    if target != EventStatus.cancelled:
        return 0
    reminders.event_cancelled(session, event=event, was=was, actor_id=actor.id)
    cancelled = registrations.registrations_cancel_for_event(session, actor, event)
    task = _unfinished_staff_task(session, event_id)
    if task is not None:
        tasks.task_set_status(
            session=session, actor=actor, task_id=task.id, status=TaskStatus.cancelled
        )
    return cancelled


@dataclass(frozen=True)
class CancelEffects:
    """What else cancelling an event changes, said in the question before it is done."""

    registrations: int  # live registrations (confirmed and waiting) cancelled with it
    people: int
    staff_task: bool  # its staffing task is cancelled too
    volunteers: int  # volunteers signed up for that task


def event_cancel_effects(*, session: Session, actor: Actor, event_id: int) -> CancelEffects:
    get_scoped(session, actor, Event, event_id)
    groups, people = session.exec(
        select(func.count(), func.coalesce(func.sum(Registration.party_size), 0)).where(
            Registration.event_id == event_id, col(Registration.status).in_(registrations.LIVE)
        )
    ).one()
    task = _unfinished_staff_task(session, event_id)
    return CancelEffects(
        registrations=groups,
        people=int(people),
        staff_task=task is not None,
        volunteers=task.taken if task is not None else 0,
    )


def event_close(
    *, session: Session, actor: Actor, event_id: int, summary: str, photo_captions: str
) -> None:
    """After the event: a short summary and the photos' captions; the event is done."""
    event = get_scoped(session, actor, Event, event_id)
    values: dict[str, object] = {
        "summary": summary.strip(),
        "photo_captions": photo_captions.strip(),
    }
    if EventStatus(event.status) == EventStatus.published:
        values["status"] = EventStatus.done
    elif EventStatus(event.status) != EventStatus.done:
        raise BoardError("events.status_invalid")
    audit.apply_changes(session, actor_id=actor.id, row=event, values=values)
