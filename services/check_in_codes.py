"""On-site check-in by a short-lived code (issue 17: hours come from being there).

The roster of a task that happens today shows a QR code of /check_in?task=N&code=XXXXXX
and the code itself; a volunteer at the place scans it (or types the six digits) and
their own confirmed sign-up is checked in with CheckInWay.scan.

The code is an HMAC, with the board's secret key (the one that signs the sign-in
cookie, services/auth.py), of the task id and the current WINDOW of time: nothing is
stored, a code cannot be guessed from another task's or another window's, and a photo
of the QR sent to someone at home stops working within minutes. The code of the
current window and of the one before are accepted, so a code read at the end of a
window still works while the person types it. Digits only: a phone opens the number pad.

The time rule is the one of every check-in (signups.check_in_rule: not earlier than
CHECK_IN_OPENS before the start, not after the end), and the write is
signups.signup_check_in: one home for what a check-in writes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models.base import aware_utc, local, utcnow
from models.volunteers import CheckInWay, Signup, SignupStatus, Task, TaskStatus
from services import signups
from services.access import Actor
from services.errors import BoardError
from services.settings import get_settings

WINDOW = timedelta(minutes=3)
CODE_LENGTH = 6


def _window(now: datetime) -> int:
    return int(aware_utc(now).timestamp() // WINDOW.total_seconds())


def _code(task_id: int, window: int) -> str:
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, f"check-in:{task_id}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**CODE_LENGTH:0{CODE_LENGTH}d}"


def current_code(task_id: int, now: datetime) -> str:
    """The code shown on site for `task_id` at `now`."""
    return _code(task_id, _window(now))


def code_renews_at(now: datetime) -> datetime:
    """When the code shown at `now` is replaced by the next one."""
    seconds = (_window(now) + 1) * WINDOW.total_seconds()
    return datetime.fromtimestamp(seconds, tz=aware_utc(now).tzinfo)


def code_is_valid(task_id: int, code: str, now: datetime) -> bool:
    """The current window's code or the previous one's."""
    typed = "".join((code or "").split())
    window = _window(now)
    return any(hmac.compare_digest(typed, _code(task_id, w)) for w in (window, window - 1))


def on_the_day(*, starts_at: datetime, ends_at: datetime, status: str, now: datetime) -> bool:
    """Whether a task's roster shows its check-in code (and takes walk-ins): a task not
    cancelled or done whose local days include today, until it ends."""
    if status in (TaskStatus.cancelled, TaskStatus.done) or now > aware_utc(ends_at):
        return False
    return local(starts_at).date() <= local(now).date() <= local(ends_at).date()


@dataclass(frozen=True)
class CheckedIn:
    task_id: int
    title: str
    place: str
    at: datetime  # when the check-in was recorded
    already: bool  # they had checked in before: nothing was written this time


def _checkable_task(session: Session, volunteer_id: int, code: str, now: datetime) -> int:
    """For a code typed without a task: the one of the volunteer's confirmed tasks, open
    for check-in now, whose code it is."""
    rows = session.exec(
        select(Signup.task_id)
        .join(Task, col(Task.id) == Signup.task_id)
        .where(
            Signup.volunteer_id == volunteer_id,
            col(Signup.status).in_(signups.HOLDING),
            Task.status != TaskStatus.cancelled,
            Task.starts_at <= now + signups.CHECK_IN_OPENS,
            Task.ends_at >= now,
        )
    ).all()
    for task_id in rows:
        if code_is_valid(task_id, code, now):
            return task_id
    raise BoardError("check_in.code_wrong")


def check_in_by_code(
    *,
    session: Session,
    actor: Actor,
    code: str,
    task_id: int | None = None,
    now: datetime | None = None,
) -> CheckedIn:
    """The signed-in volunteer's own confirmed place on the task is checked in (way:
    scan). Refused, with nothing written, for a wrong or expired code, no sign-up (with
    a pointer to signing up when places are free: scanning never signs anyone up), a
    waitlisted place, or outside the check-in time. A second scan writes nothing and
    says when they checked in."""
    now = now or utcnow()
    volunteer = signups.actor_volunteer(session, actor)
    if task_id is None:
        task_id = _checkable_task(session, volunteer.id, code, now)
    elif not code_is_valid(task_id, code, now):
        raise BoardError("check_in.code_wrong")
    task = session.get(Task, task_id)
    if task is None:
        raise BoardError("common.not_found")
    signup = session.exec(
        select(Signup).where(Signup.task_id == task_id, Signup.volunteer_id == volunteer.id)
    ).first()
    status = SignupStatus(signup.status) if signup else SignupStatus.cancelled
    if signup is None or status == SignupStatus.cancelled:
        places = task.status == TaskStatus.open and task.taken < task.capacity
        raise BoardError("check_in.not_signed_up_free" if places else "check_in.not_signed_up")
    if status == SignupStatus.waitlisted:
        position = signups.waitlist_position(session, signup)
        raise BoardError("check_in.waitlisted", n=position)
    if status == SignupStatus.attended and signup.check_in_at is not None:
        return CheckedIn(task.id, task.title, task.place, aware_utc(signup.check_in_at), True)
    signups.signup_check_in(
        session=session, actor=actor, signup_id=signup.id, now=now, way=CheckInWay.scan
    )
    return CheckedIn(task.id, task.title, task.place, now, False)
