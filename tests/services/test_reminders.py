"""Which reminders are written, to whom and on which channel: at the write they are
about (promotion, a task or an event cancelled) and once a day (tomorrow's tasks, visits
and proxy requests falling due); made again, they add nothing."""

from __future__ import annotations

import json
import threading
from datetime import time, timedelta

import pytest
from sqlmodel import select

from models.accounts import Role
from models.base import local_today
from models.elders import ElderVisitor
from models.messages import Message, MessageChannel
from models.org import Community
from models.volunteers import SeriesRule, TaskKind
from services import (
    events,
    merchants,
    proxy,
    reminders,
    signups,
    task_series,
    tasks,
    visit_policy,
)
from tests import factories
from tests.conftest import make_account
from tests.services.event_setup import make_event
from tests.services.test_elders import elder

TODAY = local_today()


def rows(session) -> list[tuple[str, str, int | None]]:
    """(key, channel, account) of every message, in the order written."""
    session.commit()
    return [
        (m.key, str(m.channel), m.account_id)
        for m in session.exec(select(Message).order_by(Message.id)).all()
    ]


def with_group(session, community_id: int) -> None:
    community = session.get(Community, community_id)
    community.wecom_webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    session.add(community)
    session.commit()


def volunteer(session, w, n: int):
    actor = make_account(session, f"v{n}", Role.volunteer, w.community_id)
    factories.volunteer(session, w.community_id, f"志愿者{n}", account=actor)
    return actor


def test_a_promotion_off_the_waitlist_goes_to_the_volunteers_board_only(session, w):
    with_group(session, w.community_id)
    task_id = factories.task(session, w.community_id, capacity=1)
    first, second = volunteer(session, w, 1), volunteer(session, w, 2)
    placed = signups.signup_create(session=session, actor=first, task_id=task_id)
    waiting = signups.signup_create(session=session, actor=second, task_id=task_id)
    session.commit()
    assert rows(session) == []
    signups.signup_cancel(session=session, actor=first, signup_id=placed.signup_id)
    (message,) = rows(session)
    assert message[0].startswith(f"promoted:signup={waiting.signup_id}:")
    assert message[1:] == ("board", second.id)
    signups.signup_cancel(session=session, actor=second, signup_id=waiting.signup_id)
    signups.signup_create(session=session, actor=first, task_id=task_id)  # a place again
    assert len(rows(session)) == 1  # a sign-up into a free place is no promotion


def test_a_cancelled_task_tells_each_volunteer_and_the_group(session, w):
    with_group(session, w.community_id)
    task_id = factories.task(session, w.community_id, capacity=1)
    people = [volunteer(session, w, n) for n in range(3)]
    results = [signups.signup_create(session=session, actor=p, task_id=task_id) for p in people]
    signups.signup_cancel(session=session, actor=people[2], signup_id=results[2].signup_id)
    session.commit()
    tasks.task_set_status(
        session=session, actor=w.shuji, task_id=task_id, status=tasks.TaskStatus.cancelled
    )
    assert rows(session) == [
        (f"group:task_cancelled:task={task_id}", "wecom", None),
        (f"task_cancelled:signup={results[0].signup_id}", "board", people[0].id),
        (f"task_cancelled:signup={results[1].signup_id}", "board", people[1].id),
    ]


def test_a_draft_task_cancelled_is_not_told_to_the_group(session, w):
    with_group(session, w.community_id)
    task_id = factories.task(session, w.community_id, status=tasks.TaskStatus.draft)
    tasks.task_set_status(
        session=session, actor=w.shuji, task_id=task_id, status=tasks.TaskStatus.cancelled
    )
    assert rows(session) == []


def test_a_cancelled_event_tells_the_other_secretaries_and_the_group_once(session, w):
    with_group(session, w.community_id)
    colleague = make_account(session, "shuji_b", Role.secretary, w.community_id)
    make_account(session, "wangge_b", Role.grid_worker, w.community_id)
    event_id = make_event(session, w)
    # its staffing task is cancelled with it: the group is told once, by the event's message
    events.event_request_staff(session=session, actor=w.shuji, event_id=event_id, volunteers=2)
    session.commit()
    events.event_set_status(
        session=session, actor=w.shuji, event_id=event_id, status=events.EventStatus.cancelled
    )
    assert rows(session) == [
        (f"event_cancelled:event={event_id}:account={colleague.id}", "board", colleague.id),
        (f"group:event_cancelled:event={event_id}", "wecom", None),
    ]


@pytest.fixture
def daily(session, w):
    """Tomorrow's task with one confirmed and one waiting volunteer, an elder falling due
    in two days with a visitor, a proxy request due tomorrow with its agent."""
    with_group(session, w.community_id)
    visit_policy.ensure_defaults(session)
    tomorrow = factories.task(session, w.community_id, capacity=1, starts_in=timedelta(days=1))
    confirmed, waiting = volunteer(session, w, 1), volunteer(session, w, 2)
    signups.signup_create(session=session, actor=confirmed, task_id=tomorrow)
    signups.signup_create(session=session, actor=waiting, task_id=tomorrow)
    # 独居 and 86: weekly; registered 5 days ago and never visited: due in 2 days
    elder_id = elder(session, w, "王桂兰", situations="独居", registered=TODAY - timedelta(days=5))
    visitor = make_account(session, "visitor", Role.grid_worker, w.community_id)
    session.add(ElderVisitor(elder_id=elder_id, account_id=visitor.id))
    agent = make_account(session, "agent", Role.volunteer, w.community_id)
    merchant_id = merchants.merchant_create(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        shop_name="老绥元烧卖馆",
        owner_name="王老板",
        phone="13847112345",
        address="大召前街12号",
    )
    request_id = proxy.request_create(
        session=session,
        actor=w.shuji,
        merchant_id=merchant_id,
        kind="annual_report",
        detail="代缴电费",
        today=TODAY,
        due_on=TODAY + timedelta(days=1),
        agent_account_id=agent.id,
    )
    session.commit()
    return {
        "task": tomorrow,
        "confirmed": confirmed,
        "elder": elder_id,
        "visitor": visitor,
        "agent": agent,
        "request": request_id,
    }


def test_the_days_reminders_go_to_whom_they_concern_once(session, w, daily):
    made = reminders.make_reminders(session=session, today=TODAY)
    tomorrow, due = TODAY + timedelta(days=1), TODAY + timedelta(days=2)
    signup_id = session.exec(
        select(signups.Signup.id).where(signups.Signup.status == "confirmed")
    ).one()
    expected = [
        (f"task_tomorrow:signup={signup_id}:day={tomorrow}", "board", daily["confirmed"].id),
        (
            f"visit_due:elder={daily['elder']}:due={due}:account={daily['visitor'].id}",
            "board",
            daily["visitor"].id,
        ),
        (
            f"proxy_deadline:request={daily['request']}:due={tomorrow}:account={daily['agent'].id}",
            "board",
            daily["agent"].id,
        ),
    ]
    assert rows(session) == expected  # the task is full: nothing to the group
    assert made == 3
    assert reminders.make_reminders(session=session, today=TODAY) == 0
    assert rows(session) == expected
    visit = session.exec(select(Message).where(Message.kind == "visit_due")).one()
    assert json.loads(visit.params) == {"elder": "王**", "due": str(due)}


def test_a_task_tomorrow_with_places_free_goes_to_the_group(session, w, daily):
    task = session.get(tasks.Task, daily["task"])
    task.capacity = 3
    session.add(task)
    session.commit()
    reminders.make_reminders(session=session, today=TODAY)
    group = session.exec(select(Message).where(Message.channel == MessageChannel.wecom)).one()
    assert group.key == f"group:task_tomorrow:task={task.id}:day={TODAY + timedelta(days=1)}"
    assert json.loads(group.params)["free"] == 2


def test_nothing_is_reminded_of_what_is_not_due_yet(session, w, daily):
    later = TODAY - timedelta(days=5)  # from this day, the elder falls due in a week
    assert [k for k, _c, _a in rows(session)] == []
    reminders.make_reminders(session=session, today=later)
    assert not [k for k, _c, _a in rows(session) if k.startswith(("visit_due", "proxy"))]


def test_the_sender_thread_starts_once_per_process_and_not_when_switched_off(monkeypatch):
    turns: list[float] = []
    monkeypatch.setattr(reminders, "run_sender", lambda *, stop, every=0: turns.append(every))
    monkeypatch.setattr(reminders, "_sender_started", threading.Lock())
    monkeypatch.setenv("BOARD_OUTBOX_THREAD", "0")
    assert not reminders.start_sender_thread()
    monkeypatch.delenv("BOARD_OUTBOX_THREAD")
    assert reminders.start_sender_thread()
    assert not reminders.start_sender_thread()  # a second import of server.py, a rerun
    for thread in threading.enumerate():
        if thread.name == "board-outbox":
            thread.join(timeout=5)
    assert turns == [reminders.SEND_EVERY_SECONDS]


def test_a_stopped_series_tells_the_group_once(session, w):
    """Stopping a weekly series cancels its later occurrences: the group hears it once,
    not once per occurrence (eight messages in a row for one decision)."""
    with_group(session, w.community_id)
    made = task_series.series_create(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        title="爱心阿姨每周二探访",
        kind=TaskKind.elder_visit,
        place="社区活动室",
        capacity=3,
        rule=SeriesRule.weekly,
        weekdays=(1,),
        starts=time(9, 0),
        minutes=120,
        first_day=TODAY + timedelta(days=1),
        weeks=8,
    )
    session.commit()
    stopped = task_series.series_stop(
        session=session, actor=w.shuji, series_id=made.series_id, from_day=TODAY
    )
    group = [key for key, channel, _ in rows(session) if channel == "wecom"]
    assert stopped.tasks == made.tasks > 1
    assert group == [f"group:series_stopped:series={made.series_id}:from={TODAY}"]
    (message,) = session.exec(select(Message).where(Message.channel == "wecom")).all()
    assert json.loads(message.params)["title"] == "爱心阿姨每周二探访"
    assert f"共 {made.tasks} 次" in json.loads(message.params)["when"]
