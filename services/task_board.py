"""The task reads: the open tasks a volunteer can sign up for (with their own entry), a
task's link, the staff's task list and one task, a task's roster, and the volunteer's own
sign-ups (My tasks).

Each read model says what may be done with it, so no page compares a status itself:
a TaskCard carries the task's next statuses, whether it can be cancelled or edited (the
rules of services/tasks.py) and the viewer's own entry (OwnSignup: holds a place, waitlist
place, can leave); a roster entry and a My-tasks row carry the sign-up's SignupState,
which the page hands to `signups.signup_actions` with the time of drawing (the reads are
cached, the time windows must not be).

The writes are elsewhere: sign-ups in services/signups.py, tasks in services/tasks.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ScalarSelect, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from models.base import aware_utc, utcnow
from models.org import Community
from models.volunteers import Signup, SignupStatus, Task, TaskStatus, Volunteer
from services import signups, tasks
from services.access import FIELD, Actor, mask_phone
from services.errors import BoardError
from services.signups import SignupState

# --- task cards ------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnSignup:
    """The viewing volunteer's own entry on a task, and what its card offers on it."""

    signup_id: int
    status: str
    position: int | None  # place in the waitlist (1 = next); None when not waitlisted

    @property
    def holds_place(self) -> bool:
        """Confirmed or checked in."""
        return self.status in signups.HOLDING

    @property
    def waitlisted(self) -> bool:
        return self.status == SignupStatus.waitlisted

    @property
    def no_show(self) -> bool:
        return self.status == SignupStatus.no_show

    @property
    def cancellable(self) -> bool:
        """A place or a waitlist entry the volunteer can give up from the card."""
        return self.status in signups.CANCELLABLE


@dataclass(frozen=True)
class TaskCard:
    id: int
    title: str
    kind: str
    community: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    waitlisted: int
    status: str
    required_skills: str
    description: str
    own: OwnSignup | None = None  # the viewer's entry (volunteers; None when they have none)

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def can_sign_up(self) -> bool:
        """No live entry of the volunteer's own: signing up (or joining the waitlist) is
        offered. A volunteer already checked in or marked no-show is not offered it."""
        return self.own is None or self.own.status == SignupStatus.cancelled

    # What staff may do with the task, as services/tasks.py says.

    @property
    def next_statuses(self) -> list[TaskStatus]:
        """The status changes offered as one press (open, close, done); cancelling is
        asked separately (can_cancel), as it cancels the sign-ups too."""
        return [s for s in tasks.next_statuses(self.status) if s != TaskStatus.cancelled]

    @property
    def can_cancel(self) -> bool:
        return TaskStatus.cancelled in tasks.next_statuses(self.status)

    @property
    def editable(self) -> bool:
        return tasks.editable(self.status)

    @property
    def is_cancelled(self) -> bool:
        return self.status == TaskStatus.cancelled

    @property
    def is_open(self) -> bool:
        """Open for sign-ups: its link and QR code are handed out."""
        return self.status == TaskStatus.open


def _waitlist_count() -> ScalarSelect[int]:
    """The listed task's waiting sign-ups, read per task shown (the sign-ups' task index),
    not a count of every waiting sign-up of all history joined afterwards."""
    return (
        select(func.count())
        .where(Signup.task_id == Task.id, Signup.status == SignupStatus.waitlisted)
        .scalar_subquery()
    )


def _task_stmt() -> Select[Task, str, Any]:
    return select(Task, Community.name, _waitlist_count()).join(
        Community, col(Community.id) == Task.community_id
    )


def _own_entry(session: Session, own: Signup | None) -> OwnSignup | None:
    if own is None:
        return None
    waiting = own.status == SignupStatus.waitlisted
    return OwnSignup(
        signup_id=own.id,
        status=str(own.status),
        position=signups.waitlist_position(session, own) if waiting else None,
    )


def _cards(
    session: Session, stmt: Select[Task, str, Any], mine: dict[int, Signup] | None = None
) -> list[TaskCard]:
    """The tasks `stmt` selects, as cards (with the viewer's own entries from `mine`)."""
    cards = []
    for task, community, waiting in session.exec(stmt):
        cards.append(
            TaskCard(
                id=task.id,
                title=task.title,
                kind=str(task.kind),
                community=community,
                place=task.place,
                starts_at=aware_utc(task.starts_at),
                ends_at=aware_utc(task.ends_at),
                capacity=task.capacity,
                taken=task.taken,
                waitlisted=waiting or 0,
                status=str(task.status),
                required_skills=task.required_skills,
                description=task.description,
                own=_own_entry(session, (mine or {}).get(task.id)),
            )
        )
    return cards


def _own_signups(session: Session, actor: Actor, *conditions: Any) -> dict[int, Signup]:
    """The actor's own signups by task id (none when the actor is not a volunteer)."""
    volunteer_id = session.exec(
        select(Volunteer.id).where(Volunteer.account_id == actor.id)
    ).first()
    if not volunteer_id:
        return {}
    return {
        s.task_id: s
        for s in session.exec(
            select(Signup)
            .join(Task, col(Task.id) == Signup.task_id)
            .where(Signup.volunteer_id == volunteer_id, *conditions)
        )
    }


def open_tasks(
    *, session: Session, actor: Actor, now: datetime | None = None, limit: int = 100
) -> list[TaskCard]:
    """Open tasks of the actor's community that have not started, soonest first, with the
    actor's own signup (if they are a volunteer)."""
    now = now or utcnow()
    stmt = _task_stmt().where(Task.status == TaskStatus.open, col(Task.starts_at) > now)
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(Task.community_id).in_(ids))
    stmt = stmt.order_by(col(Task.starts_at)).limit(limit)
    return _cards(session, stmt, _own_signups(session, actor, col(Task.starts_at) > now))


@dataclass(frozen=True)
class TaskLink:
    """What a task's link (/open_tasks?task=N) opens on: the task's card when the
    volunteer can sign up for it (or holds a place on it), else the reason why not."""

    card: TaskCard | None
    reason: str | None = None
    mine: bool = False  # the volunteer has an entry on it (see My tasks)


def task_link(
    *, session: Session, actor: Actor, task_id: int, now: datetime | None = None
) -> TaskLink:
    """Why a linked task can or cannot be shown among the open tasks, in this order:
    it does not exist (or is a draft), it is of another community, it was cancelled,
    signing up has closed (closed or done), it has started. A full task is shown (the
    volunteer may join its waitlist)."""
    now = now or utcnow()
    task = session.get(Task, task_id)
    if task is None or TaskStatus(task.status) == TaskStatus.draft:
        return TaskLink(None, "signups.link.missing")
    ids = actor.community_ids()
    if ids is not None and task.community_id not in ids:
        return TaskLink(None, "signups.link.elsewhere")
    mine = _own_signups(session, actor, col(Task.id) == task_id)
    own = mine.get(task_id)
    holds = own is not None and own.status != SignupStatus.cancelled
    status = TaskStatus(task.status)
    if status == TaskStatus.cancelled:
        return TaskLink(None, "signups.link.cancelled", holds)
    if status in (TaskStatus.closed, TaskStatus.done):
        return TaskLink(None, "signups.link.closed", holds)
    if aware_utc(task.starts_at) <= now:
        return TaskLink(None, "signups.link.started", holds)
    card = _cards(session, _task_stmt().where(Task.id == task_id), mine)[0]
    return TaskLink(card, None, holds)


def task_list(
    *,
    session: Session,
    actor: Actor,
    status: str | None = None,
    community_id: int | None = None,
    upcoming_only: bool = False,
    now: datetime | None = None,
    limit: int = 300,
) -> list[TaskCard]:
    """Tasks in the staff's scope, newest start first."""
    actor.require(FIELD)
    now = now or utcnow()
    stmt = _task_stmt()
    ids = actor.community_ids(community_id)
    if ids is not None:
        stmt = stmt.where(col(Task.community_id).in_(ids))
    if status:
        stmt = stmt.where(Task.status == status)
    if upcoming_only:
        stmt = stmt.where(col(Task.ends_at) > now)
        stmt = stmt.order_by(col(Task.starts_at))
    else:
        stmt = stmt.order_by(col(Task.starts_at).desc())
    return _cards(session, stmt.limit(limit))


def task_card(*, session: Session, actor: Actor, task_id: int) -> TaskCard | None:
    """One task in the staff's scope (whatever its status or time), or None."""
    actor.require(FIELD)
    stmt = _task_stmt().where(Task.id == task_id)
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(Task.community_id).in_(ids))
    cards = _cards(session, stmt)
    return cards[0] if cards else None


# --- sign-ups: a task's roster and the volunteer's own ------------------------------------


def _position(session: Session, signup: Signup) -> int | None:
    waiting = signup.status == SignupStatus.waitlisted
    return signups.waitlist_position(session, signup) if waiting else None


@dataclass(frozen=True)
class RosterEntry:
    """One volunteer on a task's roster (staff), in arrival order."""

    signup_id: int
    volunteer: str
    phone: str  # masked unless the actor sees personal data
    position: int | None  # place in the waitlist (1 = next); None when not waitlisted
    state: SignupState  # status, check-in/out and hours: what signup_actions needs


@dataclass(frozen=True)
class TaskRoster:
    task: TaskCard
    signups: list[RosterEntry]


def task_roster(*, session: Session, actor: Actor, task_id: int) -> TaskRoster:
    """A task with everyone who signed up for it, in arrival order (staff)."""
    actor.require(FIELD)
    cards = _cards(session, _task_stmt().where(Task.id == task_id))
    if not cards:
        raise BoardError("common.not_found")
    task = session.get(Task, task_id)
    assert task is not None  # its card was just read
    actor.require_community(task.community_id)
    rows = session.exec(
        select(Signup, Volunteer.name, Volunteer.phone)
        .join(Volunteer, col(Volunteer.id) == Signup.volunteer_id)
        .where(Signup.task_id == task_id)
        .order_by(col(Signup.created_at), col(Signup.id))
    ).all()
    entries = [
        RosterEntry(
            signup_id=s.id,
            volunteer=name,
            phone=phone if actor.sees_personal_data else mask_phone(phone),
            position=_position(session, s),
            state=SignupState.of(s, task),
        )
        for s, name, phone in rows
    ]
    return TaskRoster(task=cards[0], signups=entries)


@dataclass(frozen=True)
class MySignup:
    """One of the signed-in volunteer's sign-ups (My tasks)."""

    signup_id: int
    task_id: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    position: int | None  # place in the waitlist (1 = next); None when not waitlisted
    state: SignupState  # status, check-in/out and hours: what signup_actions needs

    @property
    def task_cancelled(self) -> bool:
        """The task is off: the card says so and offers nothing to press."""
        return self.state.task_status == TaskStatus.cancelled

    @property
    def task_closed(self) -> bool:
        """Signing up has closed (closed, or done): the card says so beside the entry."""
        return self.state.task_status in (TaskStatus.closed, TaskStatus.done)


def my_tasks(*, session: Session, actor: Actor) -> list[MySignup]:
    """The signed-in volunteer's signups, latest start first. A signup the volunteer
    cancelled is left out; one cancelled because the task was cancelled stays, so the
    volunteer sees that the task is off (task_cancelled)."""
    volunteer = signups.actor_volunteer(session, actor)
    rows = session.exec(
        select(Signup, Task)
        .join(Task, col(Task.id) == Signup.task_id)
        .where(
            Signup.volunteer_id == volunteer.id,
            or_(
                col(Signup.status) != SignupStatus.cancelled,
                col(Task.status) == TaskStatus.cancelled,
            ),
        )
        .order_by(col(Task.starts_at).desc())
        .limit(200)
    ).all()
    return [
        MySignup(
            signup_id=s.id,
            task_id=t.id,
            title=t.title,
            place=t.place,
            starts_at=aware_utc(t.starts_at),
            ends_at=aware_utc(t.ends_at),
            position=_position(session, s),
            state=SignupState.of(s, t),
        )
        for s, t in rows
    ]
