"""Volunteer, team and task pages, per role, with results checked in the database."""

from sqlmodel import Session, select

from models.volunteers import Signup, Task, Team, Volunteer
from tests.conftest import app_test


def _zhiyuan(engine) -> Volunteer:
    with Session(engine) as s:
        return s.exec(select(Volunteer).where(Volunteer.name == "张志愿")).one()


def test_volunteer_signs_up_from_open_tasks(demo_engine):
    at = app_test(demo_engine, "zhiyuan")  # lands on 报名服务
    assert at.title[0].value == "报名服务"
    button = next(
        b for b in at.button if b.key and b.key.startswith("open_signup_") and b.label == "我要报名"
    )
    task_id = int(button.key.rsplit("_", 1)[1])
    button.click().run()
    assert not at.exception and not at.error
    with Session(demo_engine) as s:
        signup = s.exec(
            select(Signup).where(
                Signup.task_id == task_id, Signup.volunteer_id == _zhiyuan(demo_engine).id
            )
        ).one()
        assert signup.status == "confirmed"
    assert [b for b in at.button if b.key == f"open_cancel_{task_id}"]


def test_my_tasks_shows_hours_and_star(demo_engine):
    at = app_test(demo_engine, "zhiyuan", "pages/my_tasks.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已确认时长"] == "120 小时"
    assert metrics["星级"] == "★☆☆☆☆"


def test_secretary_publishes_a_task(demo_engine):
    at = app_test(demo_engine, "shuji", "pages/tasks.py")
    at.text_input(key="tasks_title").input("重阳节敬老活动服务")
    at.text_input(key="tasks_place").input("社区党群服务中心")
    at.number_input(key="tasks_capacity").set_value(8)
    at.button(key="FormSubmitter:tasks_new-发布任务").click().run()
    assert not at.exception and not at.error
    with Session(demo_engine) as s:
        task = s.exec(select(Task).where(Task.title == "重阳节敬老活动服务")).one()
        assert (task.capacity, task.status, task.place) == (8, "open", "社区党群服务中心")
    assert at.session_state["tasks_pick"] == task.id
    assert any("open_tasks?task=" in c.value for c in at.code)


def test_secretary_approves_pending_hours(demo_engine):
    at = app_test(demo_engine, "shuji", "pages/tasks.py")
    at.toggle(key="tasks_upcoming").set_value(False).run()
    with Session(demo_engine) as s:
        pending = s.exec(
            select(Signup)
            .join(Task, Task.id == Signup.task_id)
            .where(Signup.status == "attended", Task.community_id == 1)
            .order_by(Task.starts_at.desc())
        ).first()
        pending.hours_status, pending.approved_at = "pending", None  # awaiting approval
        s.add(pending)
        s.commit()
        pending_id, pending_task = pending.id, pending.task_id
    at.selectbox(key="tasks_pick").set_value(pending_task).run()
    at.button(key=f"tasks_approve_{pending_id}").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert s.get(Signup, pending_id).hours_status == "approved"


def test_secretary_registers_a_volunteer_and_a_bad_phone_is_refused(demo_engine):
    at = app_test(demo_engine, "shuji", "pages/volunteers.py")
    at.text_input(key="volunteers_name").input("李秀英")
    at.text_input(key="volunteers_phone").input("12345")
    at.button(key="FormSubmitter:volunteers_new-创建").click().run()
    assert [e.value for e in at.error] == ["请填写 11 位手机号，例如 13812345678"]
    at.text_input(key="volunteers_phone").input("13912345678")
    at.button(key="FormSubmitter:volunteers_new-创建").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(Volunteer).where(Volunteer.phone == "13912345678")).one()
        assert row.name == "李秀英" and row.community_id == 1


def test_volunteer_list_masks_nothing_for_staff_and_deactivates(demo_engine):
    at = app_test(demo_engine, "shuji", "pages/volunteers.py")
    phones = at.dataframe[0].value["手机号"].tolist()
    assert all("*" not in p for p in phones)
    picked = at.selectbox(key="volunteers_pick").value
    at.button(key="volunteers_toggle").click().run()
    with Session(demo_engine) as s:
        assert s.get(Volunteer, int(picked)).active is False


def test_secretary_creates_a_team(demo_engine):
    at = app_test(demo_engine, "shuji", "pages/teams.py")
    assert "爱心阿姨服务队" in at.dataframe[0].value["服务队名称"].tolist()
    at.text_input(key="teams_name").input("巾帼志愿服务队")
    at.button(key="FormSubmitter:teams_new-创建").click().run()
    with Session(demo_engine) as s:
        assert s.exec(select(Team).where(Team.name == "巾帼志愿服务队")).one().community_id == 1


def test_grid_worker_sees_tasks_with_masked_phones(demo_engine):
    at = app_test(demo_engine, "wangge", "pages/tasks.py")
    at.toggle(key="tasks_upcoming").set_value(False).run()
    assert not at.exception
    texts = " ".join(m.value for m in at.markdown)
    assert "****" in texts
