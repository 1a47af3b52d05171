"""The reminders' outbox against a local HTTP server standing in for the WeCom group
robot: exactly one POST per occasion (reminders made twice, two senders at once), a
500 retried after its back-off and sent once, an errcode reply a failure, nothing sent
for a cancelled or past task, no personal data in a group message; the bell's inbox."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select

from models.accounts import Role
from models.base import LOCAL_TZ, local_today
from models.elders import Elder
from models.messages import Message, MessageChannel, MessageStatus
from models.org import Community
from models.volunteers import Task, TaskKind, TaskStatus
from services import db, outbox, reminders, signups, tasks, wecom
from tests import factories
from tests.conftest import make_account

TODAY = local_today()


@dataclass
class Robot:
    """The stand-in robot: the JSON bodies it received; it answers with `replies` in
    turn (status, body), then 200 with errcode 0."""

    url: str = ""
    received: list[dict] = field(default_factory=list)
    replies: list[tuple[int, dict]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def robot() -> Iterator[Robot]:
    state = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                state.received.append(body)
                status, reply = state.replies.pop(0) if state.replies else (200, {"errcode": 0})
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def tomorrow_at(hour: int) -> datetime:
    return datetime.combine(TODAY + timedelta(days=1), time(hour), LOCAL_TZ)


@dataclass
class Setup:
    w: factories.World
    task_id: int
    volunteer: object


@pytest.fixture
def setup(session, w, robot) -> Setup:
    """四千米社区 with its group robot, a task tomorrow 09:00–11:00 with 3 places and
    one volunteer (张小红, with a phone) confirmed on it."""
    community = session.get(Community, w.community_id)
    community.wecom_webhook = robot.url  # written as the page would, the URL being local
    session.add(community)
    start = tomorrow_at(9)
    task = Task(
        title="社区环境整治",
        kind=TaskKind.patrol,
        community_id=w.community_id,
        place="四千米社区活动室",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=3,
        status=TaskStatus.open,
    )
    session.add(task)
    session.commit()
    actor = make_account(session, "zhangxh", Role.volunteer, w.community_id)
    factories.volunteer(session, w.community_id, "张小红", account=actor)
    signups.signup_create(session=session, actor=actor, task_id=task.id)
    session.commit()
    return Setup(w, task.id, actor)


def messages(session, channel: MessageChannel | None = None) -> list[Message]:
    session.commit()  # a fresh look: what the senders committed since
    session.expire_all()
    stmt = select(Message).order_by(Message.id)
    if channel is not None:
        stmt = stmt.where(Message.channel == channel)
    return list(session.exec(stmt).all())


def make_reminders() -> int:
    with db.transaction() as s:
        return reminders.make_reminders(session=s, today=TODAY)


def test_one_post_per_task_when_reminders_are_made_twice_and_two_senders_run(session, setup, robot):
    assert make_reminders() == 2  # the volunteer's board reminder and the group's
    assert make_reminders() == 0
    board, group = messages(session, MessageChannel.board), messages(session, MessageChannel.wecom)
    assert [m.status for m in board] == [MessageStatus.sent]  # delivered by being written
    assert board[0].account_id == setup.volunteer.id
    assert [m.status for m in group] == [MessageStatus.pending]

    barrier = threading.Barrier(2)
    reports: list[outbox.SendReport] = []

    def sender() -> None:
        barrier.wait()
        reports.append(outbox.send_due())

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outbox.send_due()  # and once more later: nothing is due any more
    assert len(robot.received) == 1
    assert sorted(len(r.sent) for r in reports) == [0, 1]
    content = robot.received[0]["markdown"]["content"]
    assert robot.received[0]["msgtype"] == "markdown"
    assert "社区环境整治" in content and "四千米社区活动室" in content
    assert "2" in content  # places free: 3 less the one confirmed
    assert messages(session, MessageChannel.wecom)[0].status == MessageStatus.sent


def test_a_500_is_retried_after_the_back_off_and_sent_once(session, setup, robot):
    make_reminders()
    robot.replies = [(500, {"errmsg": "server error"})]
    now = datetime.now(LOCAL_TZ)
    first = outbox.send_due(now=now)
    assert first.retrying and not first.sent
    (row,) = messages(session, MessageChannel.wecom)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.pending, 1, "HTTP 500")

    assert outbox.send_due(now=now + timedelta(seconds=30)).retrying == []  # backing off
    assert len(robot.received) == 1
    again = outbox.send_due(now=now + outbox.BACKOFF[0] + timedelta(seconds=1))
    assert again.sent == [row.id]
    assert len(robot.received) == 2  # the failed POST and the one that went through
    assert robot.received[0] == robot.received[1]
    (row,) = messages(session, MessageChannel.wecom)
    assert (row.status, row.attempts, row.last_error) == (MessageStatus.sent, 2, "")
    outbox.send_due(now=now + timedelta(days=1))
    assert len(robot.received) == 2


def test_an_errcode_reply_is_a_failure_and_the_last_attempt_marks_it_failed(session, setup, robot):
    make_reminders()
    robot.replies = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})] * 10
    now = datetime.now(LOCAL_TZ)
    # each attempt as soon as its back-off allows: the whole 8.6 h stay before the task's
    # start (tomorrow 09:00), whenever today the suite runs, so nothing is skipped as past
    for wait in (*outbox.BACKOFF, timedelta(0)):
        outbox.send_due(now=now)
        now += wait
    (row,) = messages(session, MessageChannel.wecom)
    assert row.status == MessageStatus.failed
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert row.last_error.startswith("errcode 93000")
    assert len(robot.received) == outbox.MAX_ATTEMPTS
    outbox.send_due(now=now + timedelta(days=1))
    assert len(robot.received) == outbox.MAX_ATTEMPTS


def test_nothing_is_sent_for_a_cancelled_task_but_its_cancellation(session, setup, robot):
    make_reminders()
    with db.transaction() as s:
        tasks.task_set_status(
            session=s, actor=setup.w.shuji, task_id=setup.task_id, status=TaskStatus.cancelled
        )
    report = outbox.send_due()
    group = {m.key: m for m in messages(session, MessageChannel.wecom)}
    tomorrow = group[f"group:task_tomorrow:task={setup.task_id}:day={TODAY + timedelta(days=1)}"]
    cancelled = group[f"group:task_cancelled:task={setup.task_id}"]
    assert (tomorrow.status, tomorrow.last_error) == (MessageStatus.skipped, "cancelled")
    assert cancelled.status == MessageStatus.sent
    assert report.skipped == [tomorrow.id] and report.sent == [cancelled.id]
    assert len(robot.received) == 1
    assert "取消" in robot.received[0]["markdown"]["content"]


def test_nothing_is_sent_for_a_task_that_has_begun(session, setup, robot):
    make_reminders()
    begun = tomorrow_at(9) + timedelta(minutes=5)
    report = outbox.send_due(now=begun)
    (row,) = messages(session, MessageChannel.wecom)
    assert report.skipped == [row.id]
    assert (row.status, row.last_error) == (MessageStatus.skipped, "past")
    assert robot.received == []


def test_a_group_message_holds_no_phone_no_name_and_no_elder_address(session, setup, robot):
    elder = Elder(
        name="李秀英",
        birth_date=datetime(1938, 3, 1).date(),
        phone="13912345678",
        address="四千米社区3号楼2单元501",
        community_id=setup.w.community_id,
        registered_on=TODAY,
    )
    session.add(elder)
    session.commit()
    start = tomorrow_at(15)
    home = Task(
        title="上门探访",
        kind=TaskKind.elder_visit,
        community_id=setup.w.community_id,
        place=elder.address,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=2,
        status=TaskStatus.open,
        elder_id=elder.id,
    )
    session.add(home)
    session.commit()
    make_reminders()
    outbox.send_due()
    assert len(robot.received) == 2
    sent = "\n".join(body["markdown"]["content"] for body in robot.received)
    assert not re.search(r"1\d{10}", sent)  # no mobile number
    for personal in ("李秀英", "张小红", "3号楼", "501"):
        assert personal not in sent
    assert "老人家中" in sent


def test_the_bell_counts_unread_messages_and_marks_only_ones_own_read(session, setup, robot):
    make_reminders()
    other = make_account(session, "lisi", Role.volunteer, setup.w.community_id)
    with db.read_session() as s:
        assert outbox.unread_count(session=s, actor=setup.volunteer) == 1
        assert outbox.unread_count(session=s, actor=other) == 0
        (mine,) = outbox.inbox(session=s, actor=setup.volunteer)
    assert mine.kind == "task_tomorrow" and not mine.read
    assert mine.params["title"] == "社区环境整治"
    with db.transaction() as s:
        assert outbox.mark_read(session=s, actor=other, message_ids=[mine.id]) == 0
    with db.transaction() as s:
        assert outbox.mark_read(session=s, actor=setup.volunteer, message_ids=[mine.id]) == 1
    with db.read_session() as s:
        assert outbox.unread_count(session=s, actor=setup.volunteer) == 0
        assert outbox.inbox(session=s, actor=setup.volunteer)[0].read


def test_enqueue_the_same_key_twice_adds_one_row(session, setup):
    for _ in range(2):
        with db.transaction() as s:
            outbox.enqueue(
                s,
                key="promoted:signup=1:since=0",
                kind="promoted",
                channel=MessageChannel.board,
                community_id=setup.w.community_id,
                account_id=setup.volunteer.id,
                record_type="task",
                record_id=setup.task_id,
                params={"title": "x", "when": "y"},
            )
    assert len(messages(session)) == 1


def test_a_community_without_a_group_gets_no_group_message(session, setup, robot):
    community = session.get(Community, setup.w.community_id)
    community.wecom_webhook = ""
    session.add(community)
    session.commit()
    make_reminders()
    assert messages(session, MessageChannel.wecom) == []
    assert wecom.GROUP_LANG == "zh_CN"
