"""The bell and 消息 (Messages): the unread count in the sidebar, the messages in the
reader's language, marked read when shown (the count drops), a link to the record; each
role sees its own; My tasks offers the .ics file for held places only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models.accounts import Account, Role
from models.base import utcnow
from models.messages import Message, MessageChannel
from models.volunteers import Task, TaskKind, Volunteer
from services import auth, db, outbox, signups, tasks
from tests.conftest import app_test, make_account

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _account(engine, username: str) -> Account:
    with Session(engine) as s:
        return s.exec(select(Account).where(Account.username == username)).one()


def _tell(engine, username: str, n: int, kind: str = "promoted") -> list[int]:
    """`n` board messages to `username` about the first task of 四千米社区."""
    account = _account(engine, username)
    with db.transaction(engine) as s:
        task = s.exec(select(Task).where(Task.community_id == 1).order_by(Task.id)).first()
        for i in range(n):
            outbox.enqueue(
                s,
                key=f"test:{username}:{kind}:{i}",
                kind=kind,
                channel=MessageChannel.board,
                community_id=1,
                account_id=account.id,
                record_type="task",
                record_id=task.id,
                params={
                    "title": f"测试任务{i}",
                    "when": "2026-12-08 09:00–11:00",
                    "place": "活动室",
                },
            )
    with Session(engine) as s:
        return list(s.exec(select(Message.id).where(Message.account_id == account.id)).all())


def _bell(at) -> str:
    """The label of the bell in the sidebar (the bottom bar may link 消息 too)."""
    labels = [e.proto.label for e in at.sidebar.get("page_link") if "notif" in e.proto.icon]
    assert len(labels) == 1, labels
    return labels[0]


def test_the_bell_counts_and_the_messages_page_marks_read(demo_engine):
    ids = _tell(demo_engine, "zhiyuan", 2)
    at = app_test(demo_engine, "zhiyuan", "views/my_tasks.py")
    assert _bell(at) == "2 条未读消息"
    at.switch_page("views/messages.py").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "候补转正：您已获得任务「测试任务0」" in text and "测试任务1" in text
    assert sum("新" in c.value for c in at.caption) == 2  # new on this visit
    assert _bell(at) == "消息"  # read now
    with Session(demo_engine) as s:
        read_at = s.exec(select(Message.read_at).where(Message.id.in_(ids))).all()
    assert all(read_at)
    with Session(demo_engine) as s:
        task_id = s.exec(select(Message.record_id).where(Message.id == ids[0])).one()
    links = [e.proto.query_string for e in at.get("page_link") if e.proto.label == "查看任务"]
    assert links == [f"task={task_id}"] * 2  # the volunteer's page that opens a task
    at.run()
    assert not any("新" in c.value for c in at.caption)  # new on that visit only


def test_each_role_sees_its_own_messages_in_its_language(demo_engine):
    _tell(demo_engine, "shuji", 1, kind="event_cancelled")
    for username in ("admin", "wangge", "zhiyuan"):
        at = app_test(demo_engine, username, "views/messages.py", lang="en")
        assert not at.exception
        assert "No messages yet." in " ".join(i.value for i in at.info)
        assert _bell(at) == "Messages"
    at = app_test(demo_engine, "shuji", "views/messages.py", lang="en")
    assert "Event cancelled: “测试任务0”" in " ".join(m.value for m in at.markdown)


def _task(engine, days: int) -> int:
    shuji = auth.actor_of(_account(engine, "shuji"))
    starts = utcnow() + timedelta(days=days)
    with db.transaction(engine) as s:
        return tasks.task_create(
            session=s,
            actor=shuji,
            title=f"日历测试{days}",
            kind=TaskKind.other,
            community_id=1,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=1,
            place="社区党群服务中心",
        )


def _sign_up(engine, username: str, task_id: int) -> signups.SignupResult:
    with db.transaction(engine) as s:
        return signups.signup_create(
            session=s, actor=auth.actor_of(_account(engine, username)), task_id=task_id
        )


def test_my_tasks_offers_the_calendar_file_for_held_places_only(demo_engine):
    placed = _sign_up(demo_engine, "zhiyuan", _task(demo_engine, 20))
    full = _task(demo_engine, 21)
    with Session(demo_engine) as s:
        other = make_account(s, "cal_other", Role.volunteer, 1)
        s.add(
            Volunteer(
                name="日历",
                phone="13700009999",
                community_id=1,
                joined_on=utcnow().date(),
                account_id=other.id,
            )
        )
        s.commit()
    _sign_up(demo_engine, "cal_other", full)
    waiting = _sign_up(demo_engine, "zhiyuan", full)
    assert (placed.status, waiting.status) == ("confirmed", "waitlisted")
    at = app_test(demo_engine, "zhiyuan", "views/my_tasks.py")
    keys = {b.key for b in at.get("download_button")}
    assert f"my_ics_{placed.signup_id}" in keys
    assert f"my_ics_{waiting.signup_id}" not in keys
