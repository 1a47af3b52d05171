"""Tasks (任务) that volunteers sign up for.

`task_create` is the one way any feature makes a task: an elder's follow-up visit, a
merchant's parcel errand, an event's staffing all end up here, so they share the sign-up
flow.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from models.base import aware_utc
from models.elders import Elder
from models.events import Event
from models.proxy import ProxyRequest
from models.volunteers import Task, TaskKind, TaskStatus
from services import audit, reminders, signups
from services.access import FIELD, Actor, get_scoped
from services.errors import BoardError, Label


def task_create(
    *,
    session: Session,
    actor: Actor,
    title: str,
    kind: TaskKind,
    community_id: int,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    place: str = "",
    required_skills: str = "",
    description: str = "",
    elder_id: int | None = None,
    proxy_request_id: int | None = None,
    event_id: int | None = None,
    status: TaskStatus = TaskStatus.open,
) -> int:
    """Creates a task and returns its id. Staff and grid workers may create tasks."""
    actor.require(FIELD)
    actor.require_community(community_id)
    title, place = _required(title, place)
    if capacity is None or capacity < 1:
        raise BoardError("tasks.capacity_invalid")
    starts_at, ends_at = aware_utc(starts_at), aware_utc(ends_at)
    if ends_at <= starts_at:
        raise BoardError("tasks.end_before_start")
    linked: list[Elder | ProxyRequest | Event | None] = []
    if elder_id is not None:
        linked.append(session.get(Elder, elder_id))
    if proxy_request_id is not None:
        linked.append(session.get(ProxyRequest, proxy_request_id))
    if event_id is not None:
        linked.append(session.get(Event, event_id))
    if any(row is None or row.community_id != community_id for row in linked):
        raise BoardError("tasks.link_invalid")
    # A second press of 发布 (or the same task published twice) makes no second task:
    # the same title, place and time for the same community and record is refused.
    twin = session.exec(
        select(Task.id).where(
            Task.community_id == community_id,
            Task.title == title,
            Task.place == place,
            Task.starts_at == starts_at,
            Task.ends_at == ends_at,
            Task.status != TaskStatus.cancelled,
            _same_link(Task.elder_id, elder_id),
            _same_link(Task.proxy_request_id, proxy_request_id),
            _same_link(Task.event_id, event_id),
        )
    ).first()
    if twin is not None:
        raise BoardError("tasks.duplicate", title=title)
    task = Task(
        title=title,
        kind=_kind(kind),
        community_id=community_id,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        required_skills=required_skills,
        description=description.strip(),
        status=status,
        elder_id=elder_id,
        proxy_request_id=proxy_request_id,
        event_id=event_id,
        created_by=actor.id,
    )
    session.add(task)
    audit.record(session, actor_id=actor.id, action="create", row=task)
    return task.id


def _required(title: str | None, place: str | None) -> tuple[str, str]:
    """A task needs a name and a place (volunteers must know where to go)."""
    title, place = (title or "").strip(), (place or "").strip()
    if not title:
        raise BoardError("tasks.title_required")
    if not place:
        raise BoardError("tasks.place_required")
    return title, place


def _kind(kind: str) -> TaskKind:
    """A task kind, or a refusal in the user's language (not a ValueError)."""
    try:
        return TaskKind(kind)
    except ValueError:
        raise BoardError("validation.not_a_choice", field=Label("field.kind")) from None


def _same_link(column, value):
    return column.is_(None) if value is None else column == value


# --- the task's life ------------------------------------------------------------------

ALLOWED_STATUS = {
    TaskStatus.draft: {TaskStatus.open, TaskStatus.cancelled},
    TaskStatus.open: {TaskStatus.closed, TaskStatus.cancelled, TaskStatus.done},
    TaskStatus.closed: {TaskStatus.open, TaskStatus.done, TaskStatus.cancelled},
    TaskStatus.done: set(),
    TaskStatus.cancelled: set(),
}


FINISHED = (TaskStatus.done, TaskStatus.cancelled)  # a finished task is not edited any more


def editable(status: str) -> bool:
    """Whether a task in `status` can still be edited (see task_update)."""
    return TaskStatus(status) not in FINISHED


def next_statuses(status: str) -> list[TaskStatus]:
    """The statuses a task in `status` can be moved to, in the order the page shows them
    (cancelling last: it is the destructive one and asks first)."""
    allowed = ALLOWED_STATUS[TaskStatus(status)]
    order = [TaskStatus.open, TaskStatus.closed, TaskStatus.done, TaskStatus.cancelled]
    return [s for s in order if s in allowed]


def task_set_status(*, session: Session, actor: Actor, task_id: int, status: TaskStatus) -> int:
    """Opens, closes, cancels or completes a task (a closed task takes no new signups).

    Cancelling also cancels the task's confirmed and waitlisted signups and frees their
    places; (re)opening first fills free places from the waitlist, before newcomers.
    Returns how many signups changed with it (cancelled, or promoted on reopening)."""
    task = get_scoped(session, actor, Task, task_id, FIELD)
    status = TaskStatus(status)
    was = TaskStatus(task.status)
    if status not in ALLOWED_STATUS[was]:
        raise BoardError("tasks.status_not_allowed")
    audit.apply_changes(session, actor_id=actor.id, row=task, values={"status": status})
    if status == TaskStatus.cancelled:
        reminders.task_cancelled_group(session, task=task, was=was)
        return signups.signups_cancel_for_task(session=session, actor=actor, task=task)
    if status == TaskStatus.open:
        return len(signups.promote_waitlist(session=session, actor=actor, task=task))
    return 0


def task_update(
    *,
    session: Session,
    actor: Actor,
    task_id: int,
    title: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    required_skills: str = "",
    description: str = "",
    kind: TaskKind | None = None,
) -> list[int]:
    """Edits a task. Capacity cannot fall below the volunteers already confirmed; more
    places go to the waitlist first (in arrival order). Returns the promoted signup ids."""
    task = get_scoped(session, actor, Task, task_id, FIELD)
    if not editable(task.status):
        raise BoardError("tasks.finished")
    title, place = _required(title, place)
    starts_at, ends_at = aware_utc(starts_at), aware_utc(ends_at)
    if ends_at <= starts_at:
        raise BoardError("tasks.end_before_start")
    if capacity is None or capacity < 1:
        raise BoardError("tasks.capacity_invalid")
    if capacity < task.taken:
        raise BoardError("tasks.capacity_below_confirmed", n=task.taken)
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=task,
        values={
            "kind": _kind(kind) if kind is not None else task.kind,
            "title": title,
            "place": place,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "capacity": capacity,
            "required_skills": required_skills,
            "description": description.strip(),
        },
    )
    session.flush()
    return signups.promote_waitlist(session=session, actor=actor, task=task)
