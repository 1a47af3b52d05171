"""The roster's day tools on the Tasks page (全部签到, 全部确认时长, a walk-in, the
check-in QR) and 电话报名 on the Events page, for staff: outcomes checked in the
database and on the page."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models.accounts import Account
from models.base import utcnow
from models.events import Event, Registration
from models.volunteers import Signup, TaskKind, Volunteer
from services import check_in_codes, db, events, signups, tasks
from services.auth import actor_of
from tests.conftest import app_test

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _actor(engine, username):
    with Session(engine) as s:
        return actor_of(s.exec(select(Account).where(Account.username == username)).one())


def _volunteer(engine, n: int) -> int:
    with db.transaction(engine) as s:
        row = Volunteer(
            name=f"名单{n}", phone=f"1370001{n:04}", community_id=1, joined_on=utcnow().date()
        )
        s.add(row)
        s.flush()
        return row.id


def _task_now(engine, *, capacity=3) -> int:
    """A task of 四千米社区 that began ten minutes ago."""
    starts = utcnow() - timedelta(minutes=10)
    with db.transaction(engine) as s:
        return tasks.task_create(
            session=s,
            actor=_actor(engine, "shuji"),
            title="名单工具测试",
            kind=TaskKind.other,
            community_id=1,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
            place="社区党群服务中心",
        )


def _signed_up(engine, task_id, volunteer_id) -> int:
    with db.transaction(engine) as s:
        return signups.signup_create(
            session=s,
            actor=_actor(engine, "shuji"),
            task_id=task_id,
            volunteer_id=volunteer_id,
            now=utcnow() - timedelta(days=1),
        ).signup_id


def _rows(engine, task_id) -> list[Signup]:
    with Session(engine) as s:
        return list(s.exec(select(Signup).where(Signup.task_id == task_id).order_by(Signup.id)))


def _texts(at, kind) -> str:
    return " ".join(e.value for e in getattr(at, kind))


def test_check_in_all_then_approve_all_with_the_count_and_a_question(demo_engine):
    task_id = _task_now(demo_engine)
    ids = [_signed_up(demo_engine, task_id, _volunteer(demo_engine, n)) for n in range(3)]
    at = app_test(demo_engine, "shuji", "views/tasks.py")
    at.selectbox(key="tasks_pick").set_value(task_id).run()
    assert not at.exception
    # a task today shows its check-in QR (besides the link's) and the code in large type
    assert len(at.get("image")) == 2
    now = utcnow()
    codes = {check_in_codes.current_code(task_id, now - m * timedelta(minutes=3)) for m in (0, 1)}
    assert any(code in _texts(at, "markdown") for code in codes)
    assert at.button(key=f"tasks_approve_all_{task_id}").disabled  # no hours yet

    at.button(key=f"tasks_in_{ids[0]}").click().run()  # one checked in on their own row
    assert _rows(demo_engine, task_id)[0].check_in_way == "staff"
    press = at.button(key=f"tasks_in_all_{task_id}")
    assert press.label == "全部签到（2）"
    press.click().run()
    assert "为 2 位已确认、尚未签到的志愿者签到" in _texts(at, "warning")
    assert _rows(demo_engine, task_id)[1].check_in_at is None  # asked first, nothing yet
    at.button(key=f"tasks_in_all_yes_{task_id}").click().run()
    assert not at.error
    assert "已为 2 位志愿者签到" in _texts(at, "success")
    rows = _rows(demo_engine, task_id)
    assert [(r.status, r.check_in_way) for r in rows] == [("attended", "staff")] * 3
    assert "工作人员签到" in _texts(at, "markdown")

    for sid in ids[:2]:
        at.number_input(key=f"tasks_hours_{sid}").set_value(2)
        at.text_input(key=f"tasks_hours_reason_{sid}").input("现场服务")
        at.button(key=f"tasks_hours_save_{sid}").click().run()
    press = at.button(key=f"tasks_approve_all_{task_id}")
    assert press.label == "全部确认时长（2）"
    press.click().run()
    at.button(key=f"tasks_approve_all_yes_{task_id}").click().run()
    assert "已确认 2 位志愿者的时长" in _texts(at, "success")
    assert [str(r.hours_status) for r in _rows(demo_engine, task_id)] == [
        "approved",
        "approved",
        "none",
    ]


def test_walk_in_found_by_name_and_a_new_person_refused_when_full(demo_engine):
    task_id = _task_now(demo_engine, capacity=2)
    _signed_up(demo_engine, task_id, _volunteer(demo_engine, 1))
    walker = _volunteer(demo_engine, 7)
    at = app_test(demo_engine, "shuji", "views/tasks.py")
    at.selectbox(key="tasks_pick").set_value(task_id).run()
    at.text_input(key=f"tasks_walkin_search_{task_id}").input("名单7").run()
    assert at.selectbox(key=f"tasks_walkin_pick_{task_id}").value == walker
    at.button(key=f"tasks_walkin_add_{task_id}").click().run()
    assert not at.error
    assert "名单7 已现场加入并签到" in _texts(at, "success")
    added = _rows(demo_engine, task_id)[-1]
    assert (added.volunteer_id, added.walk_in, added.check_in_way) == (walker, True, "staff")
    assert "现场加入" in _texts(at, "markdown")

    at.text_input(key=f"tasks_walkin_name_{task_id}").input("新来的")
    at.text_input(key=f"tasks_walkin_phone_{task_id}").input("13912345678")
    at.button(key=f"FormSubmitter:tasks_walkin_new_{task_id}-登记并签到").click().run()
    assert "名额已满（2 人），不能现场加入" in _texts(at, "error")
    with Session(demo_engine) as s:
        assert s.exec(select(Volunteer).where(Volunteer.phone == "13912345678")).first() is None
    assert len(_rows(demo_engine, task_id)) == 2


def test_staff_register_a_caller_by_phone_and_read_out_the_code(demo_engine):
    shuji = _actor(demo_engine, "shuji")
    starts = utcnow() + timedelta(days=3)
    with db.transaction(demo_engine) as s:
        event_id = events.event_create(
            session=s,
            actor=shuji,
            title="电话报名测试",
            category="talk",
            community_id=1,
            venue="社区活动室",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=1,
        )
        events.event_set_status(session=s, actor=shuji, event_id=event_id, status="published")
    at = app_test(demo_engine, "shuji", "views/events.py")
    at.session_state["events_picked"] = event_id
    at.run()
    form = f"FormSubmitter:events_phone_reg_{event_id}-报名"
    at.text_input(key=f"events_phone_name_{event_id}").input("王大爷")
    at.text_input(key=f"events_phone_phone_{event_id}").input("13911112222")
    at.button(key=form).click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(Registration).where(Registration.event_id == event_id)).one()
    assert (row.name, row.status, row.registered_by) == ("王大爷", "confirmed", shuji.id)
    assert f"签到码：**{row.code}**，请读给来电人" in _texts(at, "success")
    # the same rules as the public form: the same phone again is refused
    at.text_input(key=f"events_phone_name_{event_id}").input("王大爷")
    at.text_input(key=f"events_phone_phone_{event_id}").input("13911112222")
    at.button(key=form).click().run()
    assert at.error
    with Session(demo_engine) as s:
        assert s.get(Event, event_id).taken == 1
        assert len(s.exec(select(Registration).where(Registration.event_id == event_id)).all()) == 1
