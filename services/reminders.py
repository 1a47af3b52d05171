"""Which reminders the board writes, to whom, on which channel (services/outbox.py sends
them).

Written by the write they are about, in its transaction (so a write that fails leaves no
message): a volunteer promoted off the waitlist and a task cancelled under a volunteer
(the board: personal moves go to the person only); a task or an event cancelled (the
community's group, when it had been announced; an event's cancellation also to the
community's secretaries on the board). Made once a day by `make_reminders` (the sender
loop, or `manage.py outbox remind`): tomorrow's tasks to each confirmed volunteer (board)
and, with places free, to the group; elders' visits falling due within VISIT_DUE_DAYS to
their visitors; proxy requests due within PROXY_DUE_DAYS to their agents.

Every message has a key naming its occasion and recipient, so making them again adds
nothing. `run_sender` is the loop that makes the day's reminders and sends what is due:
a thread of each app server (`start_sender_thread`, from server.py), or `manage.py
outbox send --loop N`; deploy/board-outbox.* run `manage.py outbox` from a timer. A group message holds no one's name, phone or address: a task at an elder's
home goes without its address, and a board message about an elder names them masked.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from models.accounts import Account, Role
from models.base import local_span, local_today, utcnow
from models.elders import Elder, ElderVisitor
from models.events import Event, EventStatus
from models.messages import MessageChannel, MessageKind
from models.org import Community
from models.proxy import Merchant, ProxyRequest, ProxyStatus
from models.volunteers import Signup, SignupStatus, Task, TaskSeries, TaskStatus, Volunteer
from services import outbox, wecom
from services.access import mask_name
from services.db import local_bounds, transaction
from services.i18n import translate

log = logging.getLogger("board")

VISIT_DUE_DAYS = 3  # a visit falling due within this many days is reminded
PROXY_DUE_DAYS = 2  # a proxy request due within this many days is reminded
_ANNOUNCED_TASK = (TaskStatus.open, TaskStatus.closed)  # seen by volunteers
_OPEN_PROXY = (ProxyStatus.submitted, ProxyStatus.accepted, ProxyStatus.in_progress)


def _task_params(task: Task, *, for_group: bool = False) -> dict[str, object]:
    """A task's words in a message; a group is not told where an elder lives."""
    at_home = for_group and task.elder_id is not None
    place = translate("messages.place_at_home", wecom.GROUP_LANG) if at_home else task.place
    return {"title": task.title, "when": local_span(task.starts_at, task.ends_at), "place": place}


def _volunteer_account(session: Session, volunteer_id: int) -> int | None:
    return session.exec(
        select(Volunteer.account_id)
        .join(Account, col(Account.id) == col(Volunteer.account_id))
        .where(col(Volunteer.id) == volunteer_id, col(Account.active))
    ).first()


def _group(session: Session, community_id: int) -> bool:
    """Whether the community has a group robot to send to."""
    community = session.get(Community, community_id)
    return community is not None and bool(community.wecom_webhook)


def _to_group(session: Session, *, key: str, kind: MessageKind, record: Task | Event) -> bool:
    if not _group(session, record.community_id):
        return False
    if isinstance(record, Task):
        record_type, params = "task", _task_params(record, for_group=True)
    else:
        record_type = "event"
        params = {
            "title": record.title,
            "when": local_span(record.starts_at, record.ends_at),
            "place": record.venue,
        }
    return outbox.enqueue(
        session,
        key=key,
        kind=kind,
        channel=MessageChannel.wecom,
        community_id=record.community_id,
        record_type=record_type,
        record_id=record.id,
        params=params,
    )


# --- at write time ------------------------------------------------------------------------


def _to_board_about_task(
    session: Session, *, key: str, kind: MessageKind, account_id: int | None, task: Task
) -> bool:
    """One volunteer's message about a task, on their board."""
    return outbox.enqueue(
        session,
        key=key,
        kind=kind,
        channel=MessageChannel.board,
        community_id=task.community_id,
        account_id=account_id,
        record_type="task",
        record_id=task.id,
        params=_task_params(task),
    )


def promoted(session: Session, *, signup: Signup, task: Task) -> None:
    """A volunteer moved off the waitlist into a place (their board)."""
    account_id = _volunteer_account(session, signup.volunteer_id)
    if account_id is None:
        return
    # a sign-up is reused when the volunteer signs up again: its arrival names this time
    since = int(signup.created_at.timestamp())
    _to_board_about_task(
        session,
        key=f"promoted:signup={signup.id}:since={since}",
        kind=MessageKind.promoted,
        account_id=account_id,
        task=task,
    )


def task_cancelled(session: Session, *, task: Task, signups: Iterable[Signup]) -> None:
    """A task was cancelled: each volunteer who had a place or waited (their board)."""
    for signup in signups:
        account_id = _volunteer_account(session, signup.volunteer_id)
        if account_id is None:
            continue
        _to_board_about_task(
            session,
            key=f"task_cancelled:signup={signup.id}",
            kind=MessageKind.task_cancelled,
            account_id=account_id,
            task=task,
        )


def _told_to_group(task: Task, was: TaskStatus) -> bool:
    """Whether the group knows of the task: volunteers could see it and it is ahead."""
    return was in _ANNOUNCED_TASK and task.starts_at > utcnow()


def task_cancelled_group(session: Session, *, task: Task, was: TaskStatus) -> None:
    """A task the volunteers could see was cancelled before it began: the group. A
    staffing task cancelled with its event is told by the event's message, an occurrence
    of a series being stopped by the series' one message (series_stopped_group)."""
    if not _told_to_group(task, was):
        return
    if task.series_id is not None:
        series = session.get(TaskSeries, task.series_id)
        if series is not None and not series.active:
            return
    if task.event_id is not None:
        event = session.get(Event, task.event_id)
        if event is not None and EventStatus(event.status) == EventStatus.cancelled:
            return
    _to_group(
        session,
        key=f"group:task_cancelled:task={task.id}",
        kind=MessageKind.task_cancelled,
        record=task,
    )


def series_stopped_group(
    session: Session,
    *,
    series: TaskSeries,
    from_day: date,
    cancelled: list[tuple[Task, TaskStatus]],
) -> None:
    """A series was stopped: the group hears it once, with its first cancelled occurrence
    and how many there were, not once per occurrence. `cancelled` holds each occurrence
    cancelled and its status before."""
    told = [task for task, was in cancelled if _told_to_group(task, was)]
    if not told or not _group(session, series.community_id):
        return
    first = told[0]
    when = translate(
        "messages.series_when",
        wecom.GROUP_LANG,
        first=local_span(first.starts_at, first.ends_at),
        n=len(told),
    )
    outbox.enqueue(
        session,
        key=f"group:series_stopped:series={series.id}:from={from_day}",
        kind=MessageKind.task_cancelled,
        channel=MessageChannel.wecom,
        community_id=series.community_id,
        record_type="task",
        record_id=first.id,
        params=_task_params(first, for_group=True) | {"title": series.title, "when": when},
    )


def event_cancelled(session: Session, *, event: Event, was: EventStatus, actor_id: int) -> None:
    """An event was cancelled: the community's secretaries but the one who cancelled it
    (their board), and the group when the event had been published and is still ahead."""
    params = {"title": event.title, "when": local_span(event.starts_at, event.ends_at)}
    staff = session.exec(
        select(Account.id).where(
            col(Account.community_id) == event.community_id,
            col(Account.role) == Role.secretary,
            col(Account.active),
            col(Account.id) != actor_id,
        )
    ).all()
    for account_id in staff:
        outbox.enqueue(
            session,
            key=f"event_cancelled:event={event.id}:account={account_id}",
            kind=MessageKind.event_cancelled,
            channel=MessageChannel.board,
            community_id=event.community_id,
            account_id=account_id,
            record_type="event",
            record_id=event.id,
            params=params,
        )
    if was == EventStatus.published and event.starts_at > utcnow():
        _to_group(
            session,
            key=f"group:event_cancelled:event={event.id}",
            kind=MessageKind.event_cancelled,
            record=event,
        )


# --- once a day -------------------------------------------------------------------------


def _tasks_tomorrow(session: Session, today: date) -> int:
    tomorrow = today + timedelta(days=1)
    start, end = local_bounds(tomorrow, tomorrow + timedelta(days=1))
    made = 0
    tasks = session.exec(
        select(Task).where(
            col(Task.starts_at) >= start,
            col(Task.starts_at) < end,
            col(Task.status).in_(_ANNOUNCED_TASK),
        )
    ).all()
    for task in tasks:
        confirmed = session.exec(
            select(Signup.id, Volunteer.account_id)
            .join(Volunteer, col(Volunteer.id) == col(Signup.volunteer_id))
            .join(Account, col(Account.id) == col(Volunteer.account_id))
            .where(
                col(Signup.task_id) == task.id,
                col(Signup.status) == SignupStatus.confirmed,
                col(Account.active),
            )
        ).all()
        for signup_id, account_id in confirmed:
            made += _to_board_about_task(
                session,
                key=f"task_tomorrow:signup={signup_id}:day={tomorrow}",
                kind=MessageKind.task_tomorrow,
                account_id=account_id,
                task=task,
            )
        free = task.capacity - task.taken
        if (
            TaskStatus(task.status) == TaskStatus.open
            and free > 0
            and _group(session, task.community_id)
        ):
            made += outbox.enqueue(
                session,
                key=f"group:task_tomorrow:task={task.id}:day={tomorrow}",
                kind=MessageKind.task_tomorrow,
                channel=MessageChannel.wecom,
                community_id=task.community_id,
                record_type="task",
                record_id=task.id,
                params=_task_params(task, for_group=True) | {"free": free},
            )
    return made


def _visits_due(session: Session, today: date) -> int:
    """Elders with a visitor whose visit falls due from today to VISIT_DUE_DAYS ahead."""
    from services.visit_plan import plan_rows  # the plan's rule, written once there

    in_care: SelectOfScalar[Any] = select(col(Elder.id).label("elder_id")).where(
        col(Elder.active), exists().where(col(ElderVisitor.elder_id) == col(Elder.id))
    )
    plan = plan_rows(session, today, in_care, due_before=today + timedelta(VISIT_DUE_DAYS + 1))
    rows = session.execute(
        core_select(
            plan.c.elder_id,
            plan.c.overdue_by,
            col(Elder.name),
            col(Elder.community_id),
            col(Account.id),
        )
        .join(Elder, col(Elder.id) == plan.c.elder_id)
        .join(ElderVisitor, col(ElderVisitor.elder_id) == col(Elder.id))
        .join(Account, col(Account.id) == col(ElderVisitor.account_id))
        .where(plan.c.overdue_by <= 0, plan.c.overdue_by >= -VISIT_DUE_DAYS, col(Account.active))
    ).all()
    made = 0
    for elder_id, overdue_by, name, community_id, account_id in rows:
        due = today - timedelta(days=int(overdue_by))
        made += outbox.enqueue(
            session,
            key=f"visit_due:elder={elder_id}:due={due}:account={account_id}",
            kind=MessageKind.visit_due,
            channel=MessageChannel.board,
            community_id=community_id,
            account_id=account_id,
            record_type="elder",
            record_id=elder_id,
            params={"elder": mask_name(name), "due": str(due)},
        )
    return made


def _proxy_deadlines(session: Session, today: date) -> int:
    rows = session.exec(
        select(ProxyRequest, Merchant.shop_name)
        .join(Merchant, col(Merchant.id) == col(ProxyRequest.merchant_id))
        .join(Account, col(Account.id) == col(ProxyRequest.agent_account_id))
        .where(
            col(ProxyRequest.status).in_(_OPEN_PROXY),
            col(ProxyRequest.due_on) >= today,
            col(ProxyRequest.due_on) <= today + timedelta(days=PROXY_DUE_DAYS),
            col(Account.active),
        )
    ).all()
    made = 0
    for request, shop in rows:
        made += outbox.enqueue(
            session,
            key=(
                f"proxy_deadline:request={request.id}:due={request.due_on}"
                f":account={request.agent_account_id}"
            ),
            kind=MessageKind.proxy_deadline,
            channel=MessageChannel.board,
            community_id=request.community_id,
            account_id=request.agent_account_id,
            record_type="proxy_request",
            record_id=request.id,
            params={"shop": shop, "due": str(request.due_on), "request": request.id},
        )
    return made


def make_reminders(*, session: Session, today: date) -> int:
    """The day's reminders (see the module's docstring); returns how many were new."""
    return (
        _tasks_tomorrow(session, today)
        + _visits_due(session, today)
        + _proxy_deadlines(session, today)
    )


# --- the sender -------------------------------------------------------------------------

SEND_EVERY_SECONDS = 30.0
_sender_started = threading.Lock()


def run_sender(*, stop: threading.Event, every: float = SEND_EVERY_SECONDS) -> None:
    """The sender loop: the day's reminders on the first turn of each local day, then
    every `every` seconds the group messages that are due, until `stop` is set. A fault
    is logged and the loop goes on (the database away for a moment, a bad row)."""
    made_for: date | None = None
    while not stop.is_set():
        try:
            today = local_today()
            if made_for != today:
                with transaction() as session:
                    make_reminders(session=session, today=today)
                made_for = today
            outbox.send_due()
        except Exception:
            log.exception("outbox: the sender's turn failed")
        stop.wait(every)


def start_sender_thread() -> bool:
    """Starts the sender loop in a daemon thread, once per process (server.py calls
    this; a second call, or BOARD_OUTBOX_THREAD=0, starts nothing). Returns whether it
    started one. Several processes may each run one: the outbox's claims and keys keep
    every message single."""
    if os.environ.get("BOARD_OUTBOX_THREAD", "1") in {"0", "false", "no"}:
        return False
    if not _sender_started.acquire(blocking=False):
        return False  # held for the life of the process: started already
    threading.Thread(
        target=run_sender,
        kwargs={"stop": threading.Event(), "every": SEND_EVERY_SECONDS},
        name="board-outbox",
        daemon=True,
    ).start()
    return True
