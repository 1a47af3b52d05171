"""Quick work on a task's roster on the day (issue 17): 全部签到 for the volunteers
present, 全部确认时长 for the hours waiting, and a volunteer who came without signing up
(现场加入) added on the spot.

Each is one transaction and goes through the one rule of a single sign-up
(services/signups.py: check_in_rule, approve_rule) and its write, so a bulk press
does exactly what pressing every row would have done, each change audited. What the
buttons would act on is counted by the same predicates (`roster_bulk`), so the number
on a button is the number the press acts on.

A walk-in takes a confirmed place through the guarded counter (services/capacity.py):
never more than the capacity, a clear refusal when the task is full. A new person is
registered as a volunteer of the task's community (services/volunteers.py, its phone
checked); a phone already on the register picks that person instead of making a second
record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.base import aware_utc, utcnow
from models.volunteers import CheckInWay, Signup, SignupStatus, Task, TaskStatus, Volunteer
from services import audit, capacity, signups, volunteers
from services.access import FIELD, Actor, get_scoped, mask_phone
from services.checks import valid_phone
from services.errors import BoardError
from services.signups import SignupState

SEARCH_LIMIT = 20


def _to_check_in(state: SignupState) -> bool:
    """Who 全部签到 is for: confirmed and not yet checked in (a no-show who turns up is
    checked in on their own row)."""
    return state.status == SignupStatus.confirmed and state.check_in_at is None


@dataclass(frozen=True)
class RosterMark:
    """How a sign-up came to be present: the way they checked in, and a walk-in."""

    way: str | None
    walk_in: bool


@dataclass(frozen=True)
class RosterBulk:
    """What the bulk buttons would act on now, and each row's marks."""

    check_in: int  # confirmed, not checked in, and the check-in time has come
    check_in_reason: str | None  # why the others cannot be checked in yet (a message key)
    check_in_params: dict[str, str]
    approve: int  # hours waiting for approval
    marks: dict[int, RosterMark]  # by sign-up id


def roster_bulk(
    *, session: Session, actor: Actor, task_id: int, now: datetime | None = None
) -> RosterBulk:
    now = now or utcnow()
    task = get_scoped(session, actor, Task, task_id, FIELD)
    rows = session.exec(select(Signup).where(Signup.task_id == task_id)).all()
    check_in, refusal, approve = 0, None, 0
    for signup in rows:
        state = SignupState.of(signup, task)
        if _to_check_in(state):
            verdict = signups.check_in_rule(state, now)
            if verdict.ok:
                check_in += 1
            else:
                refusal = refusal or verdict
        if signups.approve_rule(state).ok:
            approve += 1
    return RosterBulk(
        check_in=check_in,
        check_in_reason=refusal.reason if refusal else None,
        check_in_params=refusal.params if refusal else {},
        approve=approve,
        marks={
            s.id: RosterMark(str(s.check_in_way) if s.check_in_way else None, s.walk_in)
            for s in rows
        },
    )


@dataclass(frozen=True)
class BulkRefusal:
    volunteer: str
    reason: str  # a message key
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BulkResult:
    done: int
    refused: list[BulkRefusal]


def _rows(session: Session, task_id: int) -> list[tuple[Signup, str]]:
    return [
        (signup, name)
        for signup, name in session.exec(
            select(Signup, Volunteer.name)
            .join(Volunteer, col(Volunteer.id) == Signup.volunteer_id)
            .where(Signup.task_id == task_id)
            .order_by(col(Signup.created_at), col(Signup.id))
        ).all()
    ]


def roster_check_in_all(
    *, session: Session, actor: Actor, task_id: int, now: datetime | None = None
) -> BulkResult:
    """Checks in (way: staff) every confirmed volunteer not yet checked in whom the
    check-in rule lets in now; the others are listed with the rule's reason."""
    now = now or utcnow()
    task = get_scoped(session, actor, Task, task_id, FIELD)
    done, refused = 0, []
    for signup, name in _rows(session, task_id):
        state = SignupState.of(signup, task)
        if not _to_check_in(state):
            continue
        verdict = signups.check_in_rule(state, now)
        if verdict.reason is not None:
            refused.append(BulkRefusal(name, verdict.reason, verdict.params))
            continue
        signups.signup_check_in(
            session=session, actor=actor, signup_id=signup.id, now=now, way=CheckInWay.staff
        )
        done += 1
    return BulkResult(done, refused)


def roster_approve_all(
    *, session: Session, actor: Actor, task_id: int, now: datetime | None = None
) -> int:
    """Approves every sign-up of the task whose hours are waiting for approval (the
    approve rule of one sign-up). Returns how many."""
    task = get_scoped(session, actor, Task, task_id, FIELD)
    done = 0
    for signup, _name in _rows(session, task_id):
        if signups.approve_rule(SignupState.of(signup, task)).ok:
            signups.signup_approve_hours(session=session, actor=actor, signup_id=signup.id, now=now)
            done += 1
    return done


# --- walk-ins ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A volunteer of the task's community who could be added on the spot."""

    volunteer_id: int
    name: str
    phone: str  # masked unless the actor sees personal data


def walk_in_candidates(
    *, session: Session, actor: Actor, task_id: int, search: str
) -> list[Candidate]:
    """Active volunteers of the task's community whose name holds `search` (or whose
    phone ends with it), not already on the roster; at most SEARCH_LIMIT."""
    task = get_scoped(session, actor, Task, task_id, FIELD)
    text = (search or "").strip()
    if not text:
        return []
    on_roster = select(Signup.volunteer_id).where(
        Signup.task_id == task_id, Signup.status != SignupStatus.cancelled
    )
    rows = session.exec(
        select(Volunteer.id, Volunteer.name, Volunteer.phone)
        .where(
            Volunteer.community_id == task.community_id,
            col(Volunteer.active),
            col(Volunteer.id).not_in(on_roster),
            col(Volunteer.name).contains(text) | col(Volunteer.phone).endswith(text),
        )
        .order_by(col(Volunteer.name), col(Volunteer.id))
        .limit(SEARCH_LIMIT)
    ).all()
    return [
        Candidate(vid, name, phone if actor.sees_personal_data else mask_phone(phone))
        for vid, name, phone in rows
    ]


@dataclass(frozen=True)
class WalkIn:
    signup_id: int
    volunteer: str
    on_register: bool  # the phone typed was already on the register: that person was used


def _walk_in_volunteer(
    session: Session,
    actor: Actor,
    task: Task,
    volunteer_id: int | None,
    name: str,
    phone: str,
) -> tuple[Volunteer, bool]:
    if volunteer_id is not None:
        volunteer = session.get(Volunteer, volunteer_id)
        if volunteer is None:
            raise BoardError("common.not_found")
        if volunteer.community_id != task.community_id:
            raise BoardError("signups.other_community")
        if not volunteer.active:
            raise BoardError("signups.volunteer_inactive")
        return volunteer, False
    if not (name or "").strip():
        raise BoardError("volunteers.name_required")
    number = valid_phone(phone)
    known = session.exec(
        select(Volunteer).where(
            Volunteer.community_id == task.community_id, Volunteer.phone == number
        )
    ).first()
    if known is not None:
        if not known.active:
            raise BoardError("signups.volunteer_inactive")
        return known, True
    new_id = volunteers.volunteer_create(
        session=session, actor=actor, name=name, phone=number, community_id=task.community_id
    )
    new = session.get(Volunteer, new_id)
    assert new is not None  # just added
    return new, False


def roster_add_walk_in(
    *,
    session: Session,
    actor: Actor,
    task_id: int,
    volunteer_id: int | None = None,
    name: str = "",
    phone: str = "",
    now: datetime | None = None,
) -> WalkIn:
    """A volunteer who came without signing up: a confirmed place if one is free (the
    guarded counter; refused when the task is full), marked walk_in, and checked in at
    once (way: staff). Either a volunteer of the task's community (`volunteer_id`) or a
    new person (`name` and `phone`; a phone already on the register picks that person).
    Only while check-in is open (the check-in rule), on a task not cancelled or done."""
    now = now or utcnow()
    task = get_scoped(session, actor, Task, task_id, FIELD)
    if TaskStatus(task.status) == TaskStatus.done:
        raise BoardError("rosters.task_done")
    window = signups.check_in_rule(
        SignupState(
            status=SignupStatus.confirmed,
            task_status=str(task.status),
            starts_at=aware_utc(task.starts_at),
            ends_at=aware_utc(task.ends_at),
        ),
        now,
    )
    window.require()
    volunteer, on_register = _walk_in_volunteer(session, actor, task, volunteer_id, name, phone)
    existing = session.exec(
        select(Signup).where(Signup.task_id == task_id, Signup.volunteer_id == volunteer.id)
    ).first()
    if existing is not None and existing.status != SignupStatus.cancelled:
        raise BoardError("rosters.already_on_roster", name=volunteer.name)
    clash = signups.overlapping_task(session, volunteer.id, task)
    if clash:
        raise BoardError("signups.overlap", title=clash)
    if not capacity.reserve(session, Task, task_id):
        raise BoardError("rosters.full", capacity=task.capacity)
    values: dict[str, Any] = {
        "status": SignupStatus.attended,
        "check_in_at": now,
        "check_in_way": CheckInWay.staff,
        "walk_in": True,
        "created_at": now,
    }
    if existing is None:
        signup = Signup(task_id=task_id, volunteer_id=volunteer.id, **values)
        session.add(signup)
        audit.record(session, actor_id=actor.id, action="walk_in", row=signup)
    else:
        signup = existing
        audit.apply_changes(session, actor_id=actor.id, row=signup, values=values)
    session.flush()
    return WalkIn(signup.id, volunteer.name, on_register)
