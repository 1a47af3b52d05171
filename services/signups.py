"""Signing up for tasks: places without overbooking, the waitlist, check-in and -out,
hours and their approval.

Capacity is the guarded counter of services/capacity.py (Task.taken). A signup is one
row per volunteer and task (unique); cancelling and signing up again reuses it and goes to
the back of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from models.base import aware_utc, utcnow
from models.org import Community
from models.volunteers import HoursStatus, Signup, SignupStatus, Task, TaskStatus, Volunteer
from services import audit, capacity
from services.access import FIELD, Actor, mask_phone
from services.errors import BoardError

HOLDING = (SignupStatus.confirmed, SignupStatus.attended)  # statuses that hold a place
MAX_HOURS = 24.0


def _actor_volunteer(session: Session, actor: Actor) -> Volunteer:
    volunteer = session.exec(select(Volunteer).where(Volunteer.account_id == actor.id)).first()
    if volunteer is None:
        raise BoardError("signups.no_volunteer_record")
    return volunteer


def _overlapping(session: Session, volunteer_id: int, task: Task) -> str | None:
    """Title of a task this volunteer holds a place on that overlaps `task` in time."""
    return session.exec(
        select(Task.title)
        .join(Signup, Signup.task_id == Task.id)
        .where(
            Signup.volunteer_id == volunteer_id,
            Signup.status.in_(HOLDING),
            Task.id != task.id,
            Task.status != TaskStatus.cancelled,
            Task.starts_at < task.ends_at,
            Task.ends_at > task.starts_at,
        )
    ).first()


@dataclass(frozen=True)
class SignupResult:
    signup_id: int
    status: str  # confirmed or waitlisted
    position: int | None  # place in the waitlist (1 = next)


def signup_create(
    *,
    session: Session,
    actor: Actor,
    task_id: int,
    volunteer_id: int | None = None,
    now: datetime | None = None,
) -> SignupResult:
    """A volunteer signs up (or staff sign someone up): a place if one is free, else the
    waitlist. Never more confirmed than capacity, however many press at once."""
    now = now or utcnow()
    if volunteer_id is None:
        volunteer = _actor_volunteer(session, actor)
    else:
        actor.require(FIELD)
        volunteer = session.get(Volunteer, volunteer_id)
        if volunteer is None:
            raise BoardError("common.not_found")
    task = session.get(Task, task_id)
    if task is None:
        raise BoardError("common.not_found")
    actor.require_community(task.community_id)
    if volunteer.community_id != task.community_id:
        raise BoardError("signups.other_community")
    if not volunteer.active:
        raise BoardError("signups.volunteer_inactive")
    status = TaskStatus(task.status)
    if status == TaskStatus.cancelled:
        raise BoardError("signups.task_cancelled")
    if status != TaskStatus.open:
        raise BoardError("signups.task_closed")
    if aware_utc(task.starts_at) <= now:
        raise BoardError("signups.task_past")
    existing = session.exec(
        select(Signup).where(Signup.task_id == task_id, Signup.volunteer_id == volunteer.id)
    ).first()
    if existing is not None and existing.status != SignupStatus.cancelled:
        raise BoardError("signups.already")
    clash = _overlapping(session, volunteer.id, task)
    if clash:
        raise BoardError("signups.overlap", title=clash)

    confirmed = capacity.reserve(session, Task, task_id)
    new_status = SignupStatus.confirmed if confirmed else SignupStatus.waitlisted
    if existing is None:
        signup = Signup(
            task_id=task_id, volunteer_id=volunteer.id, status=new_status, created_at=now
        )
        session.add(signup)
        audit.record(session, actor_id=actor.id, action="signup", row=signup)
    else:
        signup = existing
        audit.apply_changes(
            session, actor_id=actor.id, row=signup, values={"status": new_status, "created_at": now}
        )
    session.flush()
    return SignupResult(
        signup.id, str(new_status), None if confirmed else _position(session, signup)
    )


def _position(session: Session, signup: Signup) -> int:
    return session.exec(
        select(func.count())
        .select_from(Signup)
        .where(
            Signup.task_id == signup.task_id,
            Signup.status == SignupStatus.waitlisted,
            # arrival order is (created_at, id), compared lexicographically: a re-signup
            # keeps its old (small) id but arrives late
            or_(
                Signup.created_at < signup.created_at,
                and_(Signup.created_at == signup.created_at, Signup.id <= signup.id),
            ),
        )
    ).one()


def _own_or_staff(session: Session, actor: Actor, signup_id: int) -> tuple[Signup, Task]:
    signup = session.get(Signup, signup_id)
    if signup is None:
        raise BoardError("common.not_found")
    task = session.get(Task, signup.task_id)
    volunteer = session.get(Volunteer, signup.volunteer_id)
    if volunteer.account_id != actor.id:
        actor.require(FIELD)
        actor.require_community(task.community_id)
    return signup, task


def promote_waitlist(*, session: Session, actor: Actor, task: Task) -> list[int]:
    """Fills free places of an open task from the waitlist in arrival order, skipping
    volunteers who now hold an overlapping task. Returns the promoted signup ids.

    Used after a cancellation, a capacity increase and the reopening of a closed task,
    so the waitlist always comes before newcomers."""
    if TaskStatus(task.status) != TaskStatus.open:
        return []
    waiting = session.exec(
        select(Signup)
        .where(Signup.task_id == task.id, Signup.status == SignupStatus.waitlisted)
        .order_by(Signup.created_at, Signup.id)
    ).all()
    eligible = [s for s in waiting if not _overlapping(session, s.volunteer_id, task)]

    def promote(signup: Signup) -> None:
        audit.apply_changes(
            session,
            actor_id=actor.id,
            row=signup,
            values={"status": SignupStatus.confirmed},
        )

    promoted = capacity.promote_waitlist(
        session, Task, task.id, eligible, amount_of=lambda _s: 1, promote=promote
    )
    return [s.id for s in promoted]


def signup_cancel(
    *, session: Session, actor: Actor, signup_id: int, now: datetime | None = None
) -> list[int]:
    """Cancels a signup; a freed place goes to the first on the waitlist. Returns the ids
    of the promoted signups."""
    now = now or utcnow()
    signup, task = _own_or_staff(session, actor, signup_id)
    status = SignupStatus(signup.status)
    if status not in (SignupStatus.confirmed, SignupStatus.waitlisted):
        raise BoardError("signups.cannot_cancel")
    if aware_utc(task.starts_at) <= now and status == SignupStatus.confirmed:
        raise BoardError("signups.cancel_started")
    audit.apply_changes(
        session, actor_id=actor.id, row=signup, values={"status": SignupStatus.cancelled}
    )
    if status == SignupStatus.confirmed:
        capacity.release(session, Task, task.id)
        session.refresh(task)
        return promote_waitlist(session=session, actor=actor, task=task)
    return []


def signups_cancel_for_task(*, session: Session, actor: Actor, task: Task) -> int:
    """When a task is cancelled: its confirmed and waitlisted signups are cancelled too
    (rows kept, each change audited) and their places released. Returns how many."""
    live = session.exec(
        select(Signup).where(
            Signup.task_id == task.id,
            Signup.status.in_([SignupStatus.confirmed, SignupStatus.waitlisted]),
        )
    ).all()
    cancelled = capacity.cancel_all(
        session,
        Task,
        task.id,
        live,
        amount_of=lambda _s: 1,
        holds_place=lambda s: SignupStatus(s.status) == SignupStatus.confirmed,
        cancel=lambda s: audit.apply_changes(
            session, actor_id=actor.id, row=s, values={"status": SignupStatus.cancelled}
        ),
    )
    session.refresh(task)
    return cancelled


def _refuse_on_cancelled(task: Task) -> None:
    if TaskStatus(task.status) == TaskStatus.cancelled:
        raise BoardError("signups.task_cancelled_no_check")


def _capped_hours(task: Task, check_in: datetime, check_out: datetime) -> float:
    start = max(aware_utc(check_in), aware_utc(task.starts_at))
    end = min(aware_utc(check_out), aware_utc(task.ends_at))
    return round(max(0.0, (end - start).total_seconds() / 3600), 2)


CHECK_IN_OPENS = timedelta(hours=2)  # before the task starts


def check_in_open(*, starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """Check-in opens two hours before the task starts and closes when it ends."""
    return aware_utc(starts_at) - CHECK_IN_OPENS <= now <= aware_utc(ends_at)


def signup_check_in(
    *, session: Session, actor: Actor, signup_id: int, now: datetime | None = None
) -> None:
    now = now or utcnow()
    signup, task = _own_or_staff(session, actor, signup_id)
    _refuse_on_cancelled(task)
    if SignupStatus(signup.status) not in (SignupStatus.confirmed, SignupStatus.no_show):
        raise BoardError("signups.not_confirmed")
    if not check_in_open(starts_at=task.starts_at, ends_at=task.ends_at, now=now):
        raise BoardError("signups.check_in_window")
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=signup,
        values={"status": SignupStatus.attended, "check_in_at": now},
    )


def signup_check_out(
    *, session: Session, actor: Actor, signup_id: int, now: datetime | None = None
) -> float:
    """Ends the visit; hours are the time inside the task's window. Returns the hours."""
    now = now or utcnow()
    signup, task = _own_or_staff(session, actor, signup_id)
    _refuse_on_cancelled(task)
    if signup.check_in_at is None or SignupStatus(signup.status) != SignupStatus.attended:
        raise BoardError("signups.not_checked_in")
    if signup.check_out_at is not None:
        raise BoardError("signups.already_checked_out")
    if HoursStatus(signup.hours_status) == HoursStatus.approved:
        raise BoardError("signups.hours_approved")
    hours = _capped_hours(task, signup.check_in_at, now)
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=signup,
        values={"check_out_at": now, "hours": hours, "hours_status": HoursStatus.pending},
    )
    return hours


def signup_mark_no_show(*, session: Session, actor: Actor, signup_id: int) -> None:
    actor.require(FIELD)
    signup, _task = _own_or_staff(session, actor, signup_id)
    if SignupStatus(signup.status) != SignupStatus.confirmed:
        raise BoardError("signups.not_confirmed")
    audit.apply_changes(
        session, actor_id=actor.id, row=signup, values={"status": SignupStatus.no_show}
    )


def signup_set_hours(*, session: Session, actor: Actor, signup_id: int, hours: float) -> None:
    """Staff enter or correct hours (e.g. a volunteer forgot to check out). They become
    pending until approved."""
    actor.require(FIELD)
    signup, _task = _own_or_staff(session, actor, signup_id)
    if hours is None or hours <= 0 or hours > MAX_HOURS:
        raise BoardError("signups.hours_invalid", max=int(MAX_HOURS))
    if SignupStatus(signup.status) not in (SignupStatus.attended, SignupStatus.confirmed):
        raise BoardError("signups.not_confirmed")
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=signup,
        values={
            "status": SignupStatus.attended,
            "hours": round(float(hours), 2),
            "hours_status": HoursStatus.pending,
            "approved_by": None,
            "approved_at": None,
        },
    )


def signup_approve_hours(
    *, session: Session, actor: Actor, signup_id: int, now: datetime | None = None
) -> None:
    """Only approved hours count toward totals and star levels."""
    actor.require(FIELD)
    signup, _task = _own_or_staff(session, actor, signup_id)
    if HoursStatus(signup.hours_status) != HoursStatus.pending or signup.hours <= 0:
        raise BoardError("signups.nothing_to_approve")
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=signup,
        values={
            "hours_status": HoursStatus.approved,
            "approved_by": actor.id,
            "approved_at": now or utcnow(),
        },
    )


# --- reads ----------------------------------------------------------------------------


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
    my_signup_id: int | None = None
    my_status: str | None = None

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.taken)


def _waitlist_counts():
    return (
        select(Signup.task_id, func.count().label("waiting"))
        .where(Signup.status == SignupStatus.waitlisted)
        .group_by(Signup.task_id)
        .subquery()
    )


def _cards(session: Session, stmt, mine: dict[int, Signup] | None = None) -> list[TaskCard]:
    cards = []
    for task, community, waiting in session.exec(stmt):
        own = (mine or {}).get(task.id)
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
                my_signup_id=own.id if own else None,
                my_status=str(own.status) if own else None,
            )
        )
    return cards


def _task_stmt():
    waiting = _waitlist_counts()
    return (
        select(Task, Community.name, waiting.c.waiting)
        .join(Community, Community.id == Task.community_id)
        .join(waiting, waiting.c.task_id == Task.id, isouter=True)
    )


def open_tasks(
    *, session: Session, actor: Actor, now: datetime | None = None, limit: int = 100
) -> list[TaskCard]:
    """Open tasks of the actor's community that have not started, soonest first, with the
    actor's own signup (if they are a volunteer)."""
    now = now or utcnow()
    stmt = _task_stmt().where(Task.status == TaskStatus.open, Task.starts_at > now)
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(Task.community_id.in_(ids))
    stmt = stmt.order_by(Task.starts_at).limit(limit)
    mine = {}
    volunteer_id = session.exec(
        select(Volunteer.id).where(Volunteer.account_id == actor.id)
    ).first()
    if volunteer_id:
        mine = {
            s.task_id: s
            for s in session.exec(
                select(Signup)
                .join(Task, Task.id == Signup.task_id)
                .where(Signup.volunteer_id == volunteer_id, Task.starts_at > now)
            )
        }
    return _cards(session, stmt, mine)


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
        stmt = stmt.where(Task.community_id.in_(ids))
    if status:
        stmt = stmt.where(Task.status == status)
    if upcoming_only:
        stmt = stmt.where(Task.ends_at > now)
        stmt = stmt.order_by(Task.starts_at)
    else:
        stmt = stmt.order_by(Task.starts_at.desc())
    return _cards(session, stmt.limit(limit))


@dataclass(frozen=True)
class TaskRoster:
    task: TaskCard
    signups: pd.DataFrame  # id, volunteer, phone, status, check_in, check_out, hours, hours_status


def task_roster(*, session: Session, actor: Actor, task_id: int) -> TaskRoster:
    """A task with its confirmed and waitlisted volunteers, in arrival order (staff)."""
    actor.require(FIELD)
    cards = _cards(session, _task_stmt().where(Task.id == task_id))
    if not cards:
        raise BoardError("common.not_found")
    task = session.get(Task, task_id)
    actor.require_community(task.community_id)
    rows = session.exec(
        select(Signup, Volunteer.name, Volunteer.phone)
        .join(Volunteer, Volunteer.id == Signup.volunteer_id)
        .where(Signup.task_id == task_id)
        .order_by(Signup.created_at, Signup.id)
    ).all()
    frame = pd.DataFrame(
        [
            {
                "id": s.id,
                "volunteer": name,
                "phone": phone if actor.sees_personal_data else mask_phone(phone),
                "status": str(s.status),
                "check_in": aware_utc(s.check_in_at) if s.check_in_at else None,
                "check_out": aware_utc(s.check_out_at) if s.check_out_at else None,
                "hours": s.hours,
                "hours_status": str(s.hours_status),
            }
            for s, name, phone in rows
        ],
        columns=[
            "id",
            "volunteer",
            "phone",
            "status",
            "check_in",
            "check_out",
            "hours",
            "hours_status",
        ],
    )
    return TaskRoster(task=cards[0], signups=frame)


def my_tasks(*, session: Session, actor: Actor) -> pd.DataFrame:
    """The signed-in volunteer's signups, upcoming first then past. A signup the volunteer
    cancelled is left out; one cancelled because the task was cancelled stays, so the
    volunteer sees that the task is off (task_status)."""
    volunteer = _actor_volunteer(session, actor)
    rows = session.exec(
        select(Signup, Task)
        .join(Task, Task.id == Signup.task_id)
        .where(
            Signup.volunteer_id == volunteer.id,
            or_(Signup.status != SignupStatus.cancelled, Task.status == TaskStatus.cancelled),
        )
        .order_by(Task.starts_at.desc())
        .limit(200)
    ).all()
    return pd.DataFrame(
        [
            {
                "signup_id": s.id,
                "task_id": t.id,
                "title": t.title,
                "place": t.place,
                "starts_at": aware_utc(t.starts_at),
                "ends_at": aware_utc(t.ends_at),
                "task_status": str(t.status),
                "status": str(s.status),
                "check_in": aware_utc(s.check_in_at) if s.check_in_at else None,
                "check_out": aware_utc(s.check_out_at) if s.check_out_at else None,
                "hours": s.hours,
                "hours_status": str(s.hours_status),
            }
            for s, t in rows
        ],
        columns=[
            "signup_id",
            "task_id",
            "title",
            "place",
            "starts_at",
            "ends_at",
            "task_status",
            "status",
            "check_in",
            "check_out",
            "hours",
            "hours_status",
        ],
    )
