"""Open tasks, My tasks and Tasks pages: empty, refused and successful submissions, with
the outcome checked in the database and on the page (issue 10)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, select

from models.accounts import Account, Role
from models.base import utcnow
from models.volunteers import Signup, Task, TaskKind, TaskStatus, Volunteer
from services import db, signups, tasks
from services.auth import actor_of
from tests.conftest import app_test, make_account
from tests.pages.conftest import open_tab
from ui import actions
from ui.text import plain

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _actor(engine, username):
    with Session(engine) as s:
        return actor_of(s.exec(select(Account).where(Account.username == username)).one())


def _volunteer(engine, username: str, name: str):
    """A volunteer of 四千米社区 (community 1) with a sign-in (password demo1234)."""
    with Session(engine) as s:
        actor = make_account(s, username, Role.volunteer, 1, password="demo1234")
        s.add(
            Volunteer(
                name=name,
                phone=f"1370000{actor.id:04}",
                community_id=1,
                joined_on=utcnow().date(),
                account_id=actor.id,
            )
        )
        s.commit()
    return _actor(engine, username)


def _task(engine, *, title="页面测试任务", starts_in=timedelta(days=3), capacity=2, hours=2):
    shuji = _actor(engine, "shuji")
    starts = utcnow() + starts_in
    with db.transaction(engine) as s:
        return tasks.task_create(
            session=s,
            actor=shuji,
            title=title,
            kind=TaskKind.other,
            community_id=1,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            capacity=capacity,
            place="社区党群服务中心",
        )


def _sign_up(engine, actor, task_id, **kwargs) -> int:
    with db.transaction(engine) as s:
        return signups.signup_create(session=s, actor=actor, task_id=task_id, **kwargs).signup_id


def _signup(engine, signup_id) -> Signup:
    with Session(engine) as s:
        return s.get(Signup, signup_id)


def _set_task(engine, task_id, **values) -> None:
    with db.transaction(engine) as s:
        s.execute(update(Task).where(Task.id == task_id).values(**values))


def _texts(at, kind) -> str:
    return " ".join(e.value for e in getattr(at, kind))


# --- 报名服务 open tasks ----------------------------------------------------------------


def test_open_tasks_empty(demo_engine):
    with db.transaction(demo_engine) as s:
        s.execute(
            update(Task)
            .where(Task.community_id == 1, Task.status == "open")
            .values(status=TaskStatus.closed)
        )
    at = app_test(demo_engine, "zhiyuan", "views/open_tasks.py")
    assert not at.exception
    assert "目前没有招募中的任务" in _texts(at, "info")
    assert not [b for b in at.button if b.key and b.key.startswith("open_signup_")]


def test_open_tasks_sign_up_then_cancel_says_so_on_the_card(demo_engine):
    _volunteer(demo_engine, "kaifang", "开放测试")
    task_id = _task(demo_engine)
    at = app_test(demo_engine, "kaifang", "views/open_tasks.py")
    at.query_params["task"] = str(task_id)
    at.run()
    at.button(key=f"open_signup_{task_id}").click().run()
    assert not at.exception and not at.error
    assert "报名成功：页面测试任务" in _texts(at, "success")
    with Session(demo_engine) as s:
        row = s.exec(select(Signup).where(Signup.task_id == task_id)).one()
        assert row.status == "confirmed"
    # 取消报名 with nobody waiting: the card says so and offers to sign up again
    at.button(key=f"open_cancel_{task_id}").click().run()
    assert not at.error
    assert "已取消报名" in _texts(at, "success")
    assert "您已报名" not in _texts(at, "success")
    assert not [b for b in at.button if b.key == f"open_cancel_{task_id}"]
    assert at.button(key=f"open_signup_{task_id}").label == "我要报名"
    assert _signup(demo_engine, row.id).status == "cancelled"


def test_open_tasks_refused_when_the_task_closed_meanwhile(demo_engine):
    _volunteer(demo_engine, "guanbi", "关闭测试")
    task_id = _task(demo_engine)
    at = app_test(demo_engine, "guanbi", "views/open_tasks.py")
    at.query_params["task"] = str(task_id)
    at.run()
    _set_task(demo_engine, task_id, status=TaskStatus.closed)
    # the press runs the page on data read afresh (the write changed the task's version):
    # the task now says it is closed, and offers no sign-up
    at.button(key=f"open_signup_{task_id}").click().run()
    assert [w.value for w in at.warning] == ["这个任务已截止报名"]
    with Session(demo_engine) as s:
        assert (
            s.exec(select(func.count()).select_from(Signup).where(Signup.task_id == task_id)).one()
            == 0
        )


def test_open_tasks_shows_the_waitlist_position(demo_engine):
    first = _volunteer(demo_engine, "diyi", "第一")
    second = _volunteer(demo_engine, "dier", "第二")
    _volunteer(demo_engine, "disan", "第三")
    task_id = _task(demo_engine, capacity=1)
    _sign_up(demo_engine, first, task_id)
    waiting = _sign_up(demo_engine, second, task_id)
    at = app_test(demo_engine, "disan", "views/open_tasks.py")
    at.query_params["task"] = str(task_id)
    at.run()
    assert at.button(key=f"open_signup_{task_id}").label == "加入候补"
    at.button(key=f"open_signup_{task_id}").click().run()
    assert "您是第 2 位候补" in _texts(at, "success")
    assert "您是第 2 位候补" in _texts(at, "info")
    # someone ahead leaves: the position is current on the next run
    with db.transaction(demo_engine) as s:
        signups.signup_cancel(session=s, actor=second, signup_id=waiting)
    actions.clear_reads()
    at.run()
    assert "您是第 1 位候补" in _texts(at, "info")


def test_a_link_to_a_closed_task_says_why_and_offers_the_list(demo_engine):
    task_id = _task(demo_engine, title="已截止的链接任务")
    _set_task(demo_engine, task_id, status=TaskStatus.closed)
    at = app_test(demo_engine, "zhiyuan", "views/open_tasks.py")
    at.query_params["task"] = str(task_id)
    at.run()
    assert "这个任务已截止报名" in _texts(at, "warning")
    assert "已截止的链接任务" not in _texts(at, "subheader")
    at.button(key="open_link_all").click().run()
    assert "task" not in at.query_params
    assert not at.warning
    assert len(at.header) > 0


# --- 我的任务 my tasks --------------------------------------------------------------------


def test_my_tasks_empty(demo_engine):
    _volunteer(demo_engine, "kongkong", "空空")
    at = app_test(demo_engine, "kongkong", "views/my_tasks.py")
    assert not at.exception
    assert "暂时没有报名的任务" in _texts(at, "info")
    assert "还没有参加过的任务" in _texts(at, "caption")


def test_my_tasks_check_in_refused_when_the_task_was_cancelled_meanwhile(demo_engine):
    person = _volunteer(demo_engine, "quxiao2", "取消二")
    task_id = _task(demo_engine, starts_in=timedelta(hours=1))
    sid = _sign_up(demo_engine, person, task_id)
    at = app_test(demo_engine, "quxiao2", "views/my_tasks.py")
    assert not at.button(key=f"my_in_{sid}").disabled
    _set_task(demo_engine, task_id, status=TaskStatus.cancelled)
    # the press runs the page on data read afresh: the card says the task was cancelled,
    # with no check-in left to press
    at.button(key=f"my_in_{sid}").click().run()
    assert [e.value for e in at.error] == ["这个任务已取消，不用前往了。您的报名已一并取消。"]
    assert f"my_in_{sid}" not in [b.key for b in at.button]
    assert _signup(demo_engine, sid).status == "confirmed"


def test_my_tasks_check_in_and_an_early_check_out_that_asks_first(demo_engine):
    person = _volunteer(demo_engine, "zaotui2", "早退二")
    task_id = _task(demo_engine, starts_in=timedelta(minutes=-30), hours=2)
    sid = _sign_up(demo_engine, person, task_id, now=utcnow() - timedelta(days=1))
    at = app_test(demo_engine, "zaotui2", "views/my_tasks.py")
    at.button(key=f"my_in_{sid}").click().run()
    assert "签到成功" in _texts(at, "success")
    assert _signup(demo_engine, sid).status == "attended"
    at.button(key=f"my_out_{sid}").click().run()
    assert "任务还没有结束" in _texts(at, "warning")
    assert _signup(demo_engine, sid).check_out_at is None  # asked, not done
    at.button(key=f"my_out_yes_{sid}").click().run()
    assert not at.error
    assert "签退成功" in _texts(at, "success")
    row = _signup(demo_engine, sid)
    assert row.check_out_at is not None and row.hours_status == "pending"
    assert "已签退" in _texts(at, "success")
    assert not [b for b in at.button if b.key == f"my_out_{sid}"]


def test_my_tasks_before_the_window_says_when_check_in_opens(demo_engine):
    person = _volunteer(demo_engine, "weikai", "未开")
    task_id = _task(demo_engine, starts_in=timedelta(hours=5))
    sid = _sign_up(demo_engine, person, task_id)
    at = app_test(demo_engine, "weikai", "views/my_tasks.py")
    assert at.button(key=f"my_in_{sid}").disabled
    assert not [b for b in at.button if b.key == f"my_out_{sid}"]
    assert any(c.value.startswith("任务开始前 2 小时起可以签到") for c in at.caption)
    assert not at.button(key=f"my_cancel_{sid}").disabled


def test_my_tasks_shows_the_waitlist_position(demo_engine):
    first, second = _volunteer(demo_engine, "m1", "甲"), _volunteer(demo_engine, "m2", "乙")
    task_id = _task(demo_engine, capacity=1)
    _sign_up(demo_engine, first, task_id)
    sid = _sign_up(demo_engine, second, task_id)
    at = app_test(demo_engine, "m2", "views/my_tasks.py")
    assert "您是第 1 位候补" in _texts(at, "info")
    at.button(key=f"my_cancel_{sid}").click().run()
    assert "已取消报名" in _texts(at, "success")
    assert _signup(demo_engine, sid).status == "cancelled"


# --- 任务管理 tasks (staff) ---------------------------------------------------------------


def test_tasks_empty_filter(demo_engine):
    at = app_test(demo_engine, "shuji", "views/tasks.py")
    at.selectbox(key="tasks_status").set_value("draft").run()
    assert not at.exception
    assert "没有符合条件的任务" in _texts(at, "info")


def _count_titled(engine, title):
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Task).where(Task.title == title)).one()


def test_publishing_refuses_empty_fields_and_a_double_press_makes_one_task(demo_engine):
    at = open_tab(app_test(demo_engine, "shuji", "views/tasks.py"), "tasks_tab", "发布新任务")
    submit = "FormSubmitter:tasks_new-发布任务"
    at.button(key=submit).click().run()
    assert [e.value for e in at.error] == ["请填写任务名称"]
    at.text_input(key="tasks_title").input("冬季送温暖")
    at.button(key=submit).click().run()
    assert [e.value for e in at.error] == ["请填写地点，志愿者要知道去哪里"]
    assert at.text_input(key="tasks_title").value == "冬季送温暖"  # kept to correct
    assert _count_titled(demo_engine, "冬季送温暖") == 0
    at.text_input(key="tasks_place").input("社区党群服务中心")
    at.button(key=submit).click().run()
    assert not at.error
    assert "已发布任务“冬季送温暖”" in _texts(at, "success")
    assert at.text_input(key="tasks_title").value == ""  # emptied after success
    # the same task pressed again (the browser still holding the values) is refused
    at.text_input(key="tasks_title").input("冬季送温暖")
    at.text_input(key="tasks_place").input("社区党群服务中心")
    at.button(key=submit).click().run()
    assert "已经发布过了" in _texts(at, "error")
    assert _count_titled(demo_engine, "冬季送温暖") == 1


def test_roster_rules_before_the_start_and_hours_out_of_range(demo_engine):
    person = _volunteer(demo_engine, "mingdan2", "名单二")
    later = _task(demo_engine, title="五小时后", starts_in=timedelta(hours=5))
    sid_later = _sign_up(demo_engine, person, later)
    at = app_test(demo_engine, "shuji", "views/tasks.py")
    at.selectbox(key="tasks_pick").set_value(later).run()
    assert at.button(key=f"tasks_in_{sid_later}").disabled
    assert at.button(key=f"tasks_noshow_{sid_later}").disabled
    captions = _texts(at, "caption")
    assert "任务开始后才能标记未到" in captions and "任务开始后才能录入时长" in captions

    running = _task(demo_engine, title="进行中", starts_in=timedelta(minutes=-10), hours=2)
    sid = _sign_up(demo_engine, person, running, now=utcnow() - timedelta(days=1))
    actions.clear_reads()
    at.run()  # the new task among the options
    at.selectbox(key="tasks_pick").set_value(running).run()
    at.number_input(key=f"tasks_hours_{sid}").set_value(30)
    at.button(key=f"tasks_hours_save_{sid}").click().run()
    assert [e.value for e in at.error] == [plain("时长应在 0.25–24 小时之间")]  # Markdown source
    assert _signup(demo_engine, sid).hours == 0
    at.number_input(key=f"tasks_hours_{sid}").set_value(1.5)
    at.button(key=f"tasks_hours_save_{sid}").click().run()
    assert [e.value for e in at.error] == ["请填写补录原因"]  # 补录 says why
    assert _signup(demo_engine, sid).hours == 0
    at.text_input(key=f"tasks_hours_reason_{sid}").input("忘记签退")
    at.button(key=f"tasks_hours_save_{sid}").click().run()
    assert "已为 名单二 录入 1.5 小时，待确认" in _texts(at, "success")
    row = _signup(demo_engine, sid)
    assert (row.hours, row.status, row.hours_source, row.hours_reason) == (
        1.5,
        "attended",
        "staff",
        "忘记签退",
    )


def test_staff_undo_a_check_out(demo_engine):
    person = _volunteer(demo_engine, "chexiao", "撤销签退")
    task_id = _task(demo_engine, starts_in=timedelta(minutes=-60), hours=2)
    sid = _sign_up(demo_engine, person, task_id, now=utcnow() - timedelta(days=1))
    with db.transaction(demo_engine) as s:
        signups.signup_check_in(session=s, actor=person, signup_id=sid)
        signups.signup_check_out(session=s, actor=person, signup_id=sid, early_ok=True)
    at = app_test(demo_engine, "shuji", "views/tasks.py")
    at.selectbox(key="tasks_pick").set_value(task_id).run()
    at.button(key=f"tasks_undo_out_{sid}").click().run()
    assert "已撤销 撤销签退 的签退" in _texts(at, "success")
    row = _signup(demo_engine, sid)
    assert (row.status, row.check_out_at, row.hours) == ("attended", None, 0)
    assert not [b for b in at.button if b.key == f"tasks_undo_out_{sid}"]


def test_the_picker_keeps_the_task_when_its_status_changes(demo_engine):
    task_id = _task(demo_engine, title="要截止的任务")
    at = app_test(demo_engine, "shuji", "views/tasks.py")
    at.selectbox(key="tasks_status").set_value("open").run()
    at.selectbox(key="tasks_pick").set_value(task_id).run()
    at.button(key=f"tasks_to_closed_{task_id}").click().run()
    assert "任务已截止报名" in _texts(at, "success")
    # closed, it left the "open" filter, and is still the task shown
    assert at.session_state["tasks_pick"] == task_id
    assert at.subheader[0].value == "要截止的任务"
    assert "所选任务不在当前筛选结果中" in _texts(at, "caption")
    at.button(key=f"tasks_to_open_{task_id}").click().run()
    assert at.session_state["tasks_pick"] == task_id
    with Session(demo_engine) as s:
        assert s.get(Task, task_id).status == "open"


def test_cancelling_a_task_asks_first(demo_engine):
    a, b = _volunteer(demo_engine, "qa", "甲甲"), _volunteer(demo_engine, "qb", "乙乙")
    task_id = _task(demo_engine, capacity=1)
    _sign_up(demo_engine, a, task_id)
    _sign_up(demo_engine, b, task_id)
    at = app_test(demo_engine, "shuji", "views/tasks.py")
    at.selectbox(key="tasks_pick").set_value(task_id).run()
    at.button(key=f"tasks_to_cancelled_{task_id}").click().run()
    assert "2 个报名（1 人已确认、1 人候补）将一并取消" in _texts(at, "warning")
    with Session(demo_engine) as s:
        assert s.get(Task, task_id).status == "open"
    at.button(key=f"tasks_to_cancelled_no_{task_id}").click().run()
    assert not at.warning
    at.button(key=f"tasks_to_cancelled_{task_id}").click().run()
    at.button(key=f"tasks_to_cancelled_yes_{task_id}").click().run()
    assert "任务已取消，2 个报名已一并取消" in _texts(at, "success")
    with Session(demo_engine) as s:
        assert s.get(Task, task_id).status == "cancelled"
        statuses = s.exec(select(Signup.status).where(Signup.task_id == task_id)).all()
        assert sorted(statuses) == ["cancelled", "cancelled"]


def test_the_waitlist_rule_is_stated_for_volunteers_and_staff(demo_engine):
    for user, page in (("zhiyuan", "views/open_tasks.py"), ("shuji", "views/tasks.py")):
        at = app_test(demo_engine, user, page)
        assert any(c.value.startswith("候补规则：名额按报名先后分配。") for c in at.caption), user


def test_a_task_and_a_sign_up_with_the_same_id_each_keep_their_message_slot(engine):
    """Seen in the browser: the tasks page crashed (StreamlitDuplicateElementKey) when the
    picked task and a sign-up in its roster had the same id: their message slots shared
    one key."""
    from tests import factories

    with Session(engine) as s:
        w = factories.world(s)
        secretary = make_account(s, "tonghao", Role.secretary, w.community_id, "demo1234")
        volunteer = factories.volunteer(s, w.community_id, "同号志愿者")
        s.commit()
    starts = utcnow() + timedelta(days=3)
    with db.transaction(engine) as s:
        task_id = tasks.task_create(
            session=s,
            actor=w.shuji,
            title="同号任务",
            kind=TaskKind.other,
            community_id=w.community_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=2,
            place="社区党群服务中心",
        )
        signup_id = signups.signup_create(
            session=s, actor=w.shuji, task_id=task_id, volunteer_id=volunteer
        ).signup_id
    assert task_id == signup_id == 1
    at = app_test(engine, secretary.username, "views/tasks.py")
    assert not at.exception
    # the board's own error page ("请把编号 … 告诉管理员") is not shown either
    assert not [m.value for m in at.markdown if "告诉管理员" in m.value]
    assert not at.error
    assert any("同号志愿者" in m.value for m in at.markdown)


def test_open_tasks_shows_the_soonest_twenty_then_more_on_request(demo_engine):
    """A phone gets the soonest 20 cards; "显示更多任务" adds the next ones."""
    for n in range(25):
        _task(demo_engine, title=f"分页测试任务{n:02}", starts_in=timedelta(hours=2, minutes=n))
    at = app_test(demo_engine, "zhiyuan", "views/open_tasks.py")
    titles = [h.value for h in at.header if h.value.startswith("分页测试任务")]
    assert titles == [f"分页测试任务{n:02}" for n in range(20)]
    at.button(key="open_more").click().run()
    titles = [h.value for h in at.header if h.value.startswith("分页测试任务")]
    assert titles == [f"分页测试任务{n:02}" for n in range(25)]
