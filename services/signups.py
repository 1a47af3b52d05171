"""Signing up for tasks: places without overbooking, the waitlist, check-in and -out,
no-shows, hours and their approval, and the rule that says when each can be done.
The task reads (cards, lists, the roster, My tasks) are in services/task_board.py; the
task's own life (create, edit, open/close/cancel) is in services/tasks.py.

Capacity is the guarded counter of services/capacity.py (Task.taken), with its waitlist
rule: places go in order of arrival; whenever places free up (a cancellation, a capacity
raised, a task reopened) the waiting volunteers are walked in arrival order and every
one who fits is confirmed (one who now holds an overlapping task is skipped and keeps
their place); a newcomer is confirmed only if a place is left after that. Lowering the
capacity never removes a confirmed volunteer (services/tasks.py refuses it below the
places confirmed). A signup is one row per volunteer and task (unique); cancelling and
signing up again reuses it and goes to the back of the queue.

The time windows of a sign-up are ONE rule, stated here (`signup_actions` and the
`*_rule` functions below) and used both by the writes (which refuse with its reason)
and by the pages (which grey a button out and say the reason before anyone presses):

- check-in: from CHECK_IN_OPENS (2 h) before the start until the end, for a confirmed
  volunteer (or one marked no-show who turns up after all);
- check-out: only after check-in and not before the start; before the end it is an
  early check-out, which the person confirms (`early_ok=True`); staff can undo a
  check-out (`signup_undo_check_out`) or enter the hours while they are not approved;
- no-show: only from the start, for a confirmed volunteer not checked in;
- hours entered by staff: from the start, 0.25–24 h, never over approved hours.

Hours after 《志愿服务记录与证明出具办法》: hours recorded by check-in and check-out
(签到时长, HoursSource.check) are kept apart from hours entered or changed by staff
(补录时长, HoursSource.staff), which carry who entered them and why (a reason is
required). Both count once approved.

- cancelling: a waitlisted entry any time, a confirmed place only before the start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from models.base import aware_utc, local, utcnow
from models.volunteers import (
    CheckInWay,
    HoursSource,
    HoursStatus,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
    Volunteer,
)
from services import audit, capacity, reminders
from services.access import FIELD, Actor
from services.checks import required_text
from services.errors import BoardError

HOLDING = (SignupStatus.confirmed, SignupStatus.attended)  # statuses that hold a place
CANCELLABLE = (SignupStatus.confirmed, SignupStatus.waitlisted)  # live entries one can leave
MIN_HOURS = 0.25
MAX_HOURS = 24.0
CHECK_IN_OPENS = timedelta(hours=2)  # before the task starts


# --- the one rule: what can be done with a sign-up, and when ---------------------------


@dataclass(frozen=True)
class Verdict:
    """Whether an action can be done on a sign-up now.

    `shown` is False when the action does not belong on this entry at all (check-out
    for someone not checked in): the page leaves the button out. With a `reason` (a
    message key and its params) the action belongs there but cannot be done yet or any
    more: the page shows the button greyed out with the reason, and the write refuses
    with the same reason."""

    shown: bool
    reason: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.reason is None

    def require(self) -> None:
        if self.reason is not None:
            raise BoardError(self.reason, **self.params)


OK = Verdict(shown=True)


def _hidden(reason: str) -> Verdict:
    return Verdict(shown=False, reason=reason)


def _not_now(reason: str, **params: str) -> Verdict:
    return Verdict(shown=True, reason=reason, params=params)


def _hm(value: datetime) -> str:
    return f"{local(value):%m-%d %H:%M}"


@dataclass(frozen=True)
class SignupState:
    """What the rule needs to know about one sign-up and its task."""

    status: str
    task_status: str
    starts_at: datetime
    ends_at: datetime
    check_in_at: datetime | None = None
    check_out_at: datetime | None = None
    hours: float = 0.0
    hours_status: str = "none"

    @classmethod
    def of(cls, signup: Signup, task: Task) -> SignupState:
        return cls(
            status=str(signup.status),
            task_status=str(task.status),
            starts_at=aware_utc(task.starts_at),
            ends_at=aware_utc(task.ends_at),
            check_in_at=aware_utc(signup.check_in_at) if signup.check_in_at else None,
            check_out_at=aware_utc(signup.check_out_at) if signup.check_out_at else None,
            hours=signup.hours or 0.0,
            hours_status=str(signup.hours_status),
        )


def check_in_rule(state: SignupState, now: datetime) -> Verdict:
    """From CHECK_IN_OPENS before the start until the end (both included)."""
    if state.task_status == TaskStatus.cancelled:
        return _hidden("signups.task_cancelled_no_check")
    if state.status == SignupStatus.attended:
        return _hidden("signups.already_checked_in")
    if state.status not in (SignupStatus.confirmed, SignupStatus.no_show):
        return _hidden("signups.not_confirmed")
    opens = state.starts_at - CHECK_IN_OPENS
    if now < opens:
        return _not_now(
            "signups.check_in_not_yet",
            hours=f"{CHECK_IN_OPENS.total_seconds() / 3600:g}",
            at=_hm(opens),
        )
    if now > state.ends_at:
        return _not_now("signups.check_in_over")
    return OK


def check_out_rule(state: SignupState, now: datetime) -> Verdict:
    """After check-in and from the start on (before the end: see check_out_is_early)."""
    if state.task_status == TaskStatus.cancelled:
        return _hidden("signups.task_cancelled_no_check")
    if state.status != SignupStatus.attended or state.check_in_at is None:
        return _hidden("signups.not_checked_in")
    if state.check_out_at is not None:
        return _hidden("signups.already_checked_out")
    if state.hours_status == HoursStatus.approved:
        return _hidden("signups.hours_approved")
    if now < state.starts_at:
        return _not_now("signups.check_out_not_yet", at=_hm(state.starts_at))
    return OK


def check_out_is_early(state: SignupState, now: datetime) -> bool:
    """A check-out before the end: the person confirms it first."""
    return now < state.ends_at


def no_show_rule(state: SignupState, now: datetime) -> Verdict:
    """From the start on, for a confirmed volunteer who has not checked in."""
    if state.task_status == TaskStatus.cancelled:
        return _hidden("signups.task_cancelled_no_check")
    if state.status != SignupStatus.confirmed:
        return _hidden("signups.not_confirmed")
    if now < state.starts_at:
        return _not_now("signups.no_show_not_yet", at=_hm(state.starts_at))
    return OK


def enter_hours_rule(state: SignupState, now: datetime) -> Verdict:
    """Staff enter or correct hours from the start on, until they are approved."""
    if state.task_status == TaskStatus.cancelled:
        return _hidden("signups.task_cancelled_no_check")
    if state.status not in (SignupStatus.attended, SignupStatus.confirmed):
        return _hidden("signups.not_confirmed")
    if state.hours_status == HoursStatus.approved:
        return _hidden("signups.hours_approved")
    if now < state.starts_at:
        return _not_now("signups.hours_not_yet", at=_hm(state.starts_at))
    return OK


def undo_check_out_rule(state: SignupState) -> Verdict:
    """Staff put a volunteer who checked out (early, or by mistake) back to checked in,
    while the hours are not approved."""
    if state.check_out_at is None:
        return _hidden("signups.not_checked_out")
    if state.hours_status == HoursStatus.approved:
        return _hidden("signups.hours_approved")
    return OK


def approve_rule(state: SignupState) -> Verdict:
    if state.hours_status != HoursStatus.pending or state.hours <= 0:
        return _hidden("signups.nothing_to_approve")
    return OK


def cancel_rule(state: SignupState, now: datetime) -> Verdict:
    """A waitlisted entry any time; a confirmed place only before the start."""
    if state.status not in CANCELLABLE:
        return _hidden("signups.cannot_cancel")
    if state.status == SignupStatus.confirmed and now >= state.starts_at:
        return _not_now("signups.cancel_started")
    return OK


@dataclass(frozen=True)
class SignupActions:
    """Every action on one sign-up at one moment, for a page to show (see Verdict)."""

    cancel: Verdict
    check_in: Verdict
    check_out: Verdict
    early_check_out: bool
    no_show: Verdict
    enter_hours: Verdict
    undo_check_out: Verdict
    approve: Verdict


def signup_actions(state: SignupState, *, now: datetime) -> SignupActions:
    return SignupActions(
        cancel=cancel_rule(state, now),
        check_in=check_in_rule(state, now),
        check_out=check_out_rule(state, now),
        early_check_out=check_out_is_early(state, now),
        no_show=no_show_rule(state, now),
        enter_hours=enter_hours_rule(state, now),
        undo_check_out=undo_check_out_rule(state),
        approve=approve_rule(state),
    )


def actor_volunteer(session: Session, actor: Actor) -> Volunteer:
    """The signed-in account's volunteer record, or a refusal when it has none."""
    volunteer = session.exec(select(Volunteer).where(Volunteer.account_id == actor.id)).first()
    if volunteer is None:
        raise BoardError("signups.no_volunteer_record")
    return volunteer


def overlapping_task(session: Session, volunteer_id: int, task: Task) -> str | None:
    """Title of a task this volunteer holds a place on that overlaps `task` in time."""
    return session.exec(
        select(Task.title)
        .join(Signup, col(Signup.task_id) == Task.id)
        .where(
            Signup.volunteer_id == volunteer_id,
            col(Signup.status).in_(HOLDING),
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

    @property
    def confirmed(self) -> bool:
        """A place was taken (else the volunteer joined the waitlist at `position`)."""
        return self.status == SignupStatus.confirmed


def signup_create(
    *,
    session: Session,
    actor: Actor,
    task_id: int,
    volunteer_id: int | None = None,
    now: datetime | None = None,
) -> SignupResult:
    """A volunteer signs up (or staff sign someone up): a place if one is free after the
    volunteers already waiting who fit have been served (the waitlist rule), else the
    waitlist. Never more confirmed than capacity, however many press at once."""
    now = now or utcnow()
    volunteer = _volunteer_to_sign_up(session, actor, volunteer_id)
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
    clash = overlapping_task(session, volunteer.id, task)
    if clash:
        raise BoardError("signups.overlap", title=clash)

    promote_waitlist(session=session, actor=actor, task=task)  # earlier waiting ones first
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
        signup.id, str(new_status), None if confirmed else waitlist_position(session, signup)
    )


def _volunteer_to_sign_up(session: Session, actor: Actor, volunteer_id: int | None) -> Volunteer:
    """The actor themself, or (staff and grid workers only) the volunteer named."""
    if volunteer_id is None:
        return actor_volunteer(session, actor)
    actor.require(FIELD)
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise BoardError("common.not_found")
    return volunteer


def waitlist_position(session: Session, signup: Signup) -> int:
    """The place of a waitlisted sign-up in its task's queue (1 = next)."""
    return session.exec(
        select(func.count())
        .select_from(Signup)
        .where(
            Signup.task_id == signup.task_id,
            Signup.status == SignupStatus.waitlisted,
            # arrival order is (created_at, id), compared lexicographically: a re-signup
            # keeps its old (small) id but arrives late
            or_(
                col(Signup.created_at) < signup.created_at,
                and_(col(Signup.created_at) == signup.created_at, col(Signup.id) <= signup.id),
            ),
        )
    ).one()


def _own_or_staff(session: Session, actor: Actor, signup_id: int) -> tuple[Signup, Task]:
    signup = session.get(Signup, signup_id)
    if signup is None:
        raise BoardError("common.not_found")
    task = session.get(Task, signup.task_id)
    volunteer = session.get(Volunteer, signup.volunteer_id)
    assert task is not None and volunteer is not None  # foreign keys of the sign-up
    if volunteer.account_id != actor.id:
        actor.require(FIELD)
        actor.require_community(task.community_id)
    return signup, task


def promote_waitlist(*, session: Session, actor: Actor, task: Task) -> list[int]:
    """Walks an open task's waitlist in arrival order and confirms every volunteer who
    fits in the free places (services/capacity.py: the waitlist rule, a sign-up being a
    party of one), skipping volunteers who now hold an overlapping task (they keep their
    place). Returns the promoted signup ids.

    Used after a cancellation (confirmed or waiting), a capacity increase, the reopening
    of a closed task and before a newcomer is placed, so the waitlist always comes before
    newcomers."""
    if TaskStatus(task.status) != TaskStatus.open:
        return []

    def eligible() -> Iterator[Signup]:  # read only when places are free
        for signup in session.exec(
            select(Signup)
            .where(Signup.task_id == task.id, Signup.status == SignupStatus.waitlisted)
            .order_by(col(Signup.created_at), col(Signup.id))
        ).all():
            if not overlapping_task(session, signup.volunteer_id, task):
                yield signup

    def promote(signup: Signup) -> None:
        audit.apply_changes(
            session,
            actor_id=actor.id,
            row=signup,
            values={"status": SignupStatus.confirmed},
        )
        reminders.promoted(session, signup=signup, task=task)

    promoted = capacity.promote_waitlist(
        session, Task, task.id, eligible(), amount_of=lambda _s: 1, promote=promote
    )
    return [s.id for s in promoted]


def signup_cancel(
    *, session: Session, actor: Actor, signup_id: int, now: datetime | None = None
) -> list[int]:
    """Cancels a signup; a freed place goes to the waitlist by its rule (cancelling a
    waiting entry also lets whoever now fits move up). Returns the ids of the promoted
    signups."""
    now = now or utcnow()
    signup, task = _own_or_staff(session, actor, signup_id)
    status = SignupStatus(signup.status)
    cancel_rule(SignupState.of(signup, task), now).require()
    audit.apply_changes(
        session, actor_id=actor.id, row=signup, values={"status": SignupStatus.cancelled}
    )
    if status == SignupStatus.confirmed:
        capacity.release(session, Task, task.id)
        session.refresh(task)
    return promote_waitlist(session=session, actor=actor, task=task)


def signups_cancel_for_task(*, session: Session, actor: Actor, task: Task) -> int:
    """When a task is cancelled: its confirmed and waitlisted signups are cancelled too
    (rows kept, each change audited) and their places released. Returns how many."""
    live = session.exec(
        select(Signup).where(
            Signup.task_id == task.id,
            col(Signup.status).in_(CANCELLABLE),
        )
    ).all()

    def cancel(signup: Signup) -> None:
        audit.apply_changes(
            session, actor_id=actor.id, row=signup, values={"status": SignupStatus.cancelled}
        )

    cancelled = capacity.cancel_all(
        session,
        Task,
        task.id,
        live,
        amount_of=lambda _s: 1,
        holds_place=lambda s: SignupStatus(s.status) == SignupStatus.confirmed,
        cancel=cancel,
    )
    reminders.task_cancelled(session, task=task, signups=live)
    session.refresh(task)
    return cancelled


def _capped_hours(task: Task, check_in: datetime, check_out: datetime) -> float:
    start = max(aware_utc(check_in), aware_utc(task.starts_at))
    end = min(aware_utc(check_out), aware_utc(task.ends_at))
    return round(max(0.0, (end - start).total_seconds() / 3600), 2)


_RECORDED_BY_CHECK_OUT = {
    "hours_source": HoursSource.check,
    "hours_entered_by": None,
    "hours_reason": "",
}


def signup_check_in(
    *,
    session: Session,
    actor: Actor,
    signup_id: int,
    now: datetime | None = None,
    way: CheckInWay | None = None,
) -> None:
    """Checks in; how is kept (CheckInWay): the volunteer's own press is `self`, anyone
    else's (staff on the roster) `staff`, unless the caller says (a scanned code)."""
    now = now or utcnow()
    signup, task = _own_or_staff(session, actor, signup_id)
    check_in_rule(SignupState.of(signup, task), now).require()
    if way is None:
        volunteer = session.get(Volunteer, signup.volunteer_id)
        own = volunteer is not None and volunteer.account_id == actor.id
        way = CheckInWay.self_ if own else CheckInWay.staff
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=signup,
        values={"status": SignupStatus.attended, "check_in_at": now, "check_in_way": way},
    )


def signup_check_out(
    *,
    session: Session,
    actor: Actor,
    signup_id: int,
    now: datetime | None = None,
    early_ok: bool = False,
) -> float:
    """Ends the visit; hours are the time inside the task's window. Returns the hours.

    Before the end of the task the check-out is refused unless `early_ok` (the person
    confirmed that they leave early)."""
    now = now or utcnow()
    signup, task = _own_or_staff(session, actor, signup_id)
    state = SignupState.of(signup, task)
    check_out_rule(state, now).require()
    if check_out_is_early(state, now) and not early_ok:
        raise BoardError("signups.check_out_early", at=_hm(state.ends_at))
    assert state.check_in_at is not None  # check_out_rule: only after check-in
    hours = _capped_hours(task, state.check_in_at, now)
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=signup,
        values={
            "check_out_at": now,
            "hours": hours,
            "hours_status": HoursStatus.pending,
            **_RECORDED_BY_CHECK_OUT,
        },
    )
    return hours


def signup_undo_check_out(*, session: Session, actor: Actor, signup_id: int) -> None:
    """Staff correct a check-out (early, or pressed by mistake): the volunteer is checked
    in again, the hours go back to none until the next check-out or staff entry."""
    actor.require(FIELD)
    signup, task = _own_or_staff(session, actor, signup_id)
    undo_check_out_rule(SignupState.of(signup, task)).require()
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=signup,
        values={
            "status": SignupStatus.attended,
            "check_out_at": None,
            "hours": 0.0,
            "hours_status": HoursStatus.none,
            "approved_by": None,
            "approved_at": None,
            **_RECORDED_BY_CHECK_OUT,
        },
    )


def signup_mark_no_show(
    *, session: Session, actor: Actor, signup_id: int, now: datetime | None = None
) -> None:
    actor.require(FIELD)
    signup, task = _own_or_staff(session, actor, signup_id)
    no_show_rule(SignupState.of(signup, task), now or utcnow()).require()
    audit.apply_changes(
        session, actor_id=actor.id, row=signup, values={"status": SignupStatus.no_show}
    )


def signup_set_hours(
    *,
    session: Session,
    actor: Actor,
    signup_id: int,
    hours: float | None,
    reason: str | None,
    now: datetime | None = None,
) -> None:
    """Staff enter or correct hours (补录, e.g. a volunteer forgot to check out), saying
    why; who entered them is kept. They become pending until approved."""
    actor.require(FIELD)
    signup, task = _own_or_staff(session, actor, signup_id)
    enter_hours_rule(SignupState.of(signup, task), now or utcnow()).require()
    if hours is None or not MIN_HOURS <= hours <= MAX_HOURS:
        raise BoardError("signups.hours_invalid", min=f"{MIN_HOURS:g}", max=f"{MAX_HOURS:g}")
    why = required_text(reason, "signups.hours_reason_required")
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
            "hours_source": HoursSource.staff,
            "hours_entered_by": actor.id,
            "hours_reason": why,
        },
    )


def signup_approve_hours(
    *, session: Session, actor: Actor, signup_id: int, now: datetime | None = None
) -> None:
    """Only approved hours count toward totals and star levels."""
    actor.require(FIELD)
    signup, task = _own_or_staff(session, actor, signup_id)
    approve_rule(SignupState.of(signup, task)).require()
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
