"""Task series on the tasks page: staff publish a weekly series and see it listed with
its rule; "this and all later" from the edit form; 停止此系列 asked first; 整队报名
with the result in words."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from models.accounts import Account
from models.base import local, local_today
from models.volunteers import SeriesRule, Signup, Task, TaskSeries, TaskStatus, Team
from services import db, teams
from services.auth import actor_of
from tests import factories
from tests.conftest import app_test
from tests.pages.conftest import open_tab

pytestmark = pytest.mark.usefixtures("fresh_read_cache")
SUBMIT = "FormSubmitter:tasks_new-发布任务"
TITLE = "爱心阿姨服务队每周探访"


def _texts(at, kind) -> str:
    return " ".join(str(e.value) for e in getattr(at, kind))


def _series_tasks(engine) -> list[Task]:
    with Session(engine) as s:
        return list(
            s.exec(
                select(Task)
                .where(Task.title.startswith("爱心阿姨"), col(Task.series_id).is_not(None))
                .order_by(Task.starts_at)
            )
        )


def _publish_weekly(engine):
    """Staff publish a weekly series (Tuesday and Thursday, 8 weeks) on the tasks page."""
    at = open_tab(app_test(engine, "shuji", "views/tasks.py"), "tasks_tab", "发布新任务")
    at.selectbox(key="tasks_repeat").set_value(SeriesRule.weekly).run()
    assert at.multiselect(key="tasks_weekdays").placeholder == "选择星期几"
    at.text_input(key="tasks_title").input(TITLE)
    at.text_input(key="tasks_place").input("四千米社区党群服务中心")
    at.button(key=SUBMIT).click().run()
    assert _texts(at, "error") == "每周或每两周重复时，请至少选择一个星期几"
    assert _series_tasks(engine) == []
    at.multiselect(key="tasks_weekdays").select(1).select(3)
    at.button(key=SUBMIT).click().run()
    assert not at.error, _texts(at, "error")
    assert f"已发布系列任务「{TITLE}」，共 16 次" in _texts(at, "success")
    return at


def test_staff_publish_a_weekly_series_and_see_it_listed_with_its_rule(demo_engine):
    at = _publish_weekly(demo_engine)
    rows = _series_tasks(demo_engine)
    assert len(rows) == 16
    assert {local(r.starts_at).weekday() for r in rows} == {1, 3}
    assert {local(r.starts_at).strftime("%H:%M") for r in rows} == {"09:00"}

    open_tab(at, "tasks_tab", "任务列表")
    labels = at.selectbox(key="tasks_pick").options
    assert sum(TITLE in label for label in labels) == 16
    at.selectbox(key="tasks_pick").set_value(rows[0].id).run()
    assert "系列任务：每周二、四 09:00 · 共 16 次" in _texts(at, "markdown")
    assert at.button(key=f"tasks_series_stop_{rows[0].id}")

    # 延长系列: two more weeks make four more tasks (Tuesday and Thursday)
    with Session(demo_engine) as s:
        until = s.get(TaskSeries, rows[0].series_id).until
    at.date_input(key=f"tasks_series_until_{rows[0].id}").set_value(until + timedelta(days=14))
    at.button(key=f"tasks_series_extend_{rows[0].id}").click().run()
    assert not at.error, _texts(at, "error")
    assert "已延长此系列：新增 4 次任务" in _texts(at, "success")
    assert len(_series_tasks(demo_engine)) == 20
    assert "系列任务：每周二、四 09:00 · 共 20 次" in _texts(at, "markdown")


def test_this_and_all_later_then_stop_the_series(demo_engine):
    at = _publish_weekly(demo_engine)
    rows = _series_tasks(demo_engine)
    third = rows[2]
    open_tab(at, "tasks_tab", "任务列表")
    at.selectbox(key="tasks_pick").set_value(third.id).run()
    k = third.id
    at.radio(key=f"tasks_edit_scope_{k}").set_value("later")
    at.text_input(key=f"tasks_edit_place_{k}").input("二楼活动室")
    at.number_input(key=f"tasks_edit_capacity_{k}").set_value(8)
    at.button(key=f"FormSubmitter:tasks_edit_{k}-保存").click().run()
    assert not at.error, _texts(at, "error")
    assert "已修改本次及以后的 14 次任务" in _texts(at, "success")
    after = _series_tasks(demo_engine)
    assert [r.place for r in after[:2]] == ["四千米社区党群服务中心"] * 2
    assert {r.place for r in after[2:]} == {"二楼活动室"}
    assert {r.capacity for r in after[2:]} == {8}

    at.button(key=f"tasks_series_stop_{k}").click().run()
    assert "已报名的志愿者会收到取消通知" in _texts(at, "warning") + _texts(at, "markdown")
    assert {r.status for r in _series_tasks(demo_engine)} == {TaskStatus.open}  # asked first
    confirm = next(b for b in at.button if b.label == "确认停止")
    confirm.click().run()
    assert _texts(at, "error") == "此任务已取消：报名均已取消，不能再签到签退。"  # no refusal
    assert "已停止此系列：取消 14 次任务" in _texts(at, "success")
    statuses = [r.status for r in _series_tasks(demo_engine)]
    assert statuses[:2] == [TaskStatus.open] * 2
    assert set(statuses[2:]) == {TaskStatus.cancelled}
    with Session(demo_engine) as s:
        assert s.get(TaskSeries, third.series_id).active is False


def test_a_team_signed_up_as_a_whole_says_who_got_a_place_and_who_waits(demo_engine):
    with Session(demo_engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
    with db.transaction(demo_engine) as s:
        team_id = teams.team_create(
            session=s, actor=shuji, name="整队测试服务队", community_id=shuji.community_id
        )
    names = ["整队甲", "整队乙", "整队丙"]
    with Session(demo_engine) as s:
        ids = [factories.volunteer(s, shuji.community_id, n) for n in names]
    with db.transaction(demo_engine) as s:
        for vid in ids:
            teams.team_member_add(
                session=s, actor=shuji, team_id=team_id, volunteer_id=vid, today=date.today()
            )
    with Session(demo_engine) as s:
        task_id = factories.task(
            s, shuji.community_id, capacity=2, title="整队报名测试任务",
            starts_in=timedelta(days=40),
        )  # fmt: skip
        assert s.get(Team, team_id).active
    at = app_test(demo_engine, "shuji", "views/tasks.py")
    at.selectbox(key="tasks_pick").set_value(task_id).run()
    pick = at.selectbox(key=f"tasks_team_pick_{task_id}")
    pick.select_index(pick.options.index("整队测试服务队")).run()
    at.button(key=f"tasks_team_signup_{task_id}").click().run()
    assert not at.error, _texts(at, "error")
    said = _texts(at, "success")
    assert "报名成功 2 人，候补 1 人，跳过 0 人" in said
    with Session(demo_engine) as s:
        statuses = sorted(
            str(x.status) for x in s.exec(select(Signup).where(Signup.task_id == task_id))
        )
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert local_today()  # the page ran on today's board
