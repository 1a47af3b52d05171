"""Volunteer, team and task pages, per role, with results checked in the database."""

from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from models.accounts import Account
from models.base import aware_utc, utcnow
from models.volunteers import Signup, Task, Team, TeamMember, Volunteer
from services import db, signups, stars, task_board, volunteers
from services.auth import actor_of
from tests.conftest import app_test
from tests.pages.conftest import open_tab
from ui import actions
from ui.text import plain


def _zhiyuan(engine) -> Volunteer:
    with Session(engine) as s:
        return s.exec(select(Volunteer).where(Volunteer.name == "张志愿")).one()


def test_volunteer_signs_up_from_open_tasks(demo_engine):
    at = app_test(demo_engine, "zhiyuan", "views/open_tasks.py")
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
    at = app_test(demo_engine, "zhiyuan", "views/my_tasks.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已确认时长"] == "120 小时"
    assert metrics["星级"] == "★☆☆☆☆"
    # the demo's 40 visits of 3 h: two of them entered by staff (补录)
    assert "签到时长 114 小时 · 补录时长 6 小时" in [c.value for c in at.caption]


def test_a_star_reached_is_announced_until_the_volunteer_dismisses_it(demo_engine):
    at = app_test(demo_engine, "zhiyuan", "views/my_tasks.py")
    assert [s.value for s in at.success][:1] == ["恭喜！您已达到一星志愿者"]
    vid = _zhiyuan(demo_engine).id
    at.button(key=f"my_star_dismiss_{vid}").click().run()
    assert not at.exception and "恭喜！您已达到一星志愿者" not in [s.value for s in at.success]
    assert _zhiyuan(demo_engine).stars_announced == 1
    again = app_test(demo_engine, "zhiyuan", "views/my_tasks.py")
    assert "恭喜！您已达到一星志愿者" not in [s.value for s in again.success]


def test_the_profile_shows_hours_by_source_and_no_shows_per_year(demo_engine):
    at = app_test(demo_engine, "shuji", "views/volunteers.py")
    assert "2026 年爽约" in at.dataframe[0].value.columns
    at.selectbox(key="volunteers_pick").set_value(_zhiyuan(demo_engine).id).run()
    captions = [c.value for c in at.caption]
    assert "签到时长 114 小时 · 补录时长 6 小时" in captions
    assert any(c.startswith("爽约次数：") for c in captions)
    record = at.dataframe[1].value
    entered = record[record["时长来源"] == "补录时长"]
    assert len(entered) == 2
    assert all(entered["录入人"]) and all(entered["补录原因"])


def test_the_street_admin_sets_the_star_thresholds_and_a_secretary_sees_them(demo_engine):
    at = open_tab(
        app_test(demo_engine, "admin", "views/volunteers.py"), "volunteers_tab", "星级标准"
    )
    for level, hours in enumerate((100, 200, 500, 800, 1000), start=1):
        at.number_input(key=f"volunteers_star_{level}").set_value(hours)
    at.button(key="FormSubmitter:volunteers_stars-保存").click().run()
    assert not at.error and "星级标准已保存" in [s.value for s in at.success]
    with Session(demo_engine) as s:
        assert stars.star_thresholds(s) == (100, 200, 500, 800, 1000)
    at.number_input(key="volunteers_star_3").set_value(150)
    at.button(key="FormSubmitter:volunteers_stars-保存").click().run()
    assert [e.value for e in at.error] == ["3 星的时长须高于上一级的 200 小时"]
    secretary = app_test(demo_engine, "shuji", "views/volunteers.py")
    open_tab(secretary, "volunteers_tab", "星级标准")
    assert not [n for n in secretary.number_input if n.key.startswith("volunteers_star_")]
    tables = [d.value for d in secretary.dataframe]
    assert any(
        list(t.get("累计服务时长（小时）", [])) == [100, 200, 500, 800, 1000] for t in tables
    )


def test_secretary_publishes_a_task(demo_engine):
    at = open_tab(app_test(demo_engine, "shuji", "views/tasks.py"), "tasks_tab", "发布新任务")
    at.text_input(key="tasks_title").input("重阳节敬老活动服务")
    at.text_input(key="tasks_place").input("社区党群服务中心")
    at.number_input(key="tasks_capacity").set_value(8)
    at.button(key="FormSubmitter:tasks_new-发布任务").click().run()
    assert not at.exception and not at.error
    with Session(demo_engine) as s:
        task = s.exec(select(Task).where(Task.title == "重阳节敬老活动服务")).one()
        assert (task.capacity, task.status, task.place) == (8, "open", "社区党群服务中心")
    open_tab(at, "tasks_tab", "任务列表")  # the new task is the one picked there
    assert at.session_state["tasks_pick"] == task.id
    assert any("open_tasks?task=" in c.value for c in at.code)


def test_secretary_approves_pending_hours(demo_engine):
    at = app_test(demo_engine, "shuji", "views/tasks.py")
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
    at = open_tab(
        app_test(demo_engine, "shuji", "views/volunteers.py"), "volunteers_tab", "登记志愿者"
    )
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
    at = app_test(demo_engine, "shuji", "views/volunteers.py")
    phones = at.dataframe[0].value["手机号"].tolist()
    assert all("*" not in p for p in phones)
    picked = at.selectbox(key="volunteers_pick").value
    at.button(key=f"volunteers_deactivate_{picked}").click().run()
    with Session(demo_engine) as s:
        assert s.get(Volunteer, int(picked)).active is True  # it asks first
    assert "停用" in at.warning[0].value
    at.button(key=f"volunteers_deactivate_yes_{picked}").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert s.get(Volunteer, int(picked)).active is False


def test_secretary_creates_a_team(demo_engine):
    at = app_test(demo_engine, "shuji", "views/teams.py")
    assert "爱心阿姨服务队" in at.dataframe[0].value["服务队名称"].tolist()
    open_tab(at, "teams_tab", "新建服务队")
    at.text_input(key="teams_name").input("巾帼志愿服务队")
    at.button(key="FormSubmitter:teams_new-创建").click().run()
    with Session(demo_engine) as s:
        assert s.exec(select(Team).where(Team.name == "巾帼志愿服务队")).one().community_id == 1


def test_grid_worker_sees_tasks_with_masked_phones(demo_engine):
    at = app_test(demo_engine, "wangge", "views/tasks.py")
    at.toggle(key="tasks_upcoming").set_value(False).run()
    assert not at.exception
    texts = " ".join(m.value for m in at.markdown)
    assert plain("****") in texts  # the Markdown source of a masked phone


def test_staff_give_a_volunteer_a_sign_in_account_and_they_can_sign_up(demo_engine):
    with Session(demo_engine) as s:
        vid, name = s.exec(
            select(Volunteer.id, Volunteer.name).where(
                Volunteer.community_id == 1, Volunteer.account_id.is_(None), Volunteer.active
            )
        ).first()
    at = app_test(demo_engine, "shuji", "views/volunteers.py")
    at.selectbox(key="volunteers_pick").set_value(vid).run()
    assert "还没有登录账号" in " ".join(c.value for c in at.caption)
    at.text_input(key=f"volunteers_account_username_{vid}").input("xinren")
    at.text_input(key=f"volunteers_account_password_{vid}").input("demo1234")
    at.button(key=f"FormSubmitter:volunteers_account_{vid}-创建登录账号").click().run()
    assert not at.exception and not at.error
    assert f"已为 {name} 创建登录账号 xinren" in at.success[0].value
    with Session(demo_engine) as s:
        account = s.exec(select(Account).where(Account.username == "xinren")).one()
        assert s.get(Volunteer, vid).account_id == account.id
        assert (account.role, account.community_id, account.display_name) == (
            "volunteer",
            1,
            name,
        )

    # The handed-out password is changed first (issue 18), then 我的任务 opens, and
    # 报名服务, with no "no record" warning.
    phone = app_test(demo_engine, "xinren")
    assert phone.title[0].value == "设置新密码"
    phone.text_input(key="password_current").input("demo1234")
    phone.text_input(key="password_new").input("xinren-own-pass")
    phone.text_input(key="password_confirm").input("xinren-own-pass")
    phone.button[0].click().run()
    assert not phone.error
    assert not phone.warning
    phone.switch_page("views/open_tasks.py").run()
    assert not phone.warning
    button = next(b for b in phone.button if b.key and b.key.startswith("open_signup_"))
    task_id = int(button.key.rsplit("_", 1)[1])
    button.click().run()
    assert not phone.exception and not phone.error
    with Session(demo_engine) as s:
        signup = s.exec(
            select(Signup).where(Signup.task_id == task_id, Signup.volunteer_id == vid)
        ).one()
        assert signup.status in ("confirmed", "waitlisted")


def test_street_admin_filters_by_community_and_sees_the_true_count(demo_engine):
    with Session(demo_engine) as s:
        s.add_all(
            Volunteer(
                name=f"批量{n:03}",
                phone=f"137{n:08}",
                community_id=2,
                joined_on=date(2025, 1, 1),
            )
            for n in range(400)
        )
        s.commit()
        total = s.exec(select(func.count()).select_from(Volunteer).where(Volunteer.active)).one()
        ours = s.exec(
            select(func.count())
            .select_from(Volunteer)
            .where(Volunteer.active, Volunteer.community_id == 1)
        ).one()
    assert total > 500
    at = app_test(demo_engine, "admin", "views/volunteers.py")
    captions = " ".join(c.value for c in at.caption)
    assert f"显示前 500 名，共 {total:,} 名" in captions
    assert len(at.dataframe[0].value) == 500
    grids = at.selectbox(key="volunteers_f_grid").options
    assert "四千米社区 · 第一网格" in grids  # every community has a 第一网格: say whose
    community = at.selectbox(key="volunteers_f_community")
    community.select_index(community.options.index("四千米社区")).run()
    assert not at.exception
    assert set(at.dataframe[0].value["社区"]) == {"四千米社区"}
    assert f"共 {ours} 人" in " ".join(c.value for c in at.caption)
    assert all(
        g.startswith("四千米社区 · ") for g in at.selectbox(key="volunteers_f_grid").options[1:]
    )


def test_secretary_does_not_see_the_community_filter(demo_engine):
    at = app_test(demo_engine, "shuji", "views/volunteers.py")
    assert not [s for s in at.selectbox if s.key == "volunteers_f_community"]
    assert "第一网格" in at.selectbox(key="volunteers_f_grid").options


def _open_task_with_waitlist(engine) -> tuple[int, int, int]:
    """An upcoming open task of 四千米社区, made full with one volunteer waitlisted:
    (task id, confirmed count, waitlisted signup id)."""
    with Session(engine) as s:
        task = s.exec(
            select(Task)
            .where(Task.community_id == 1, Task.status == "open", Task.taken > 0)
            .order_by(Task.starts_at.desc())
        ).first()
        taken = task.taken
        task.capacity = taken
        busy = select(Signup.volunteer_id).where(Signup.task_id == task.id)
        vid = s.exec(
            select(Volunteer.id).where(
                Volunteer.community_id == 1, Volunteer.active, Volunteer.id.not_in(busy)
            )
        ).first()
        waiting = Signup(task_id=task.id, volunteer_id=vid, status="waitlisted")
        s.add_all([task, waiting])
        s.commit()
        return task.id, taken, waiting.id


def test_secretary_edits_a_task_and_more_places_go_to_the_waitlist(demo_engine):
    task_id, taken, waiting_id = _open_task_with_waitlist(demo_engine)
    at = app_test(demo_engine, "shuji", "views/tasks.py")
    at.selectbox(key="tasks_pick").set_value(task_id).run()
    at.number_input(key=f"tasks_edit_capacity_{task_id}").set_value(taken - 1)
    at.button(key=f"FormSubmitter:tasks_edit_{task_id}-保存").click().run()
    assert [e.value for e in at.error] == [f"已有 {taken} 人确认报名，招募人数不能少于 {taken}"]
    at.text_input(key=f"tasks_edit_place_{task_id}").input("社区党群服务中心二楼")
    at.number_input(key=f"tasks_edit_capacity_{task_id}").set_value(taken + 2)
    at.button(key=f"FormSubmitter:tasks_edit_{task_id}-保存").click().run()
    assert not at.error
    assert "1 位候补志愿者已补上" in at.success[0].value
    with Session(demo_engine) as s:
        task = s.get(Task, task_id)
        assert (task.capacity, task.taken, task.place) == (
            taken + 2,
            taken + 1,
            "社区党群服务中心二楼",
        )
        assert s.get(Signup, waiting_id).status == "confirmed"


def test_secretary_cancels_a_task_and_the_volunteer_sees_it_cancelled(demo_engine):
    with db.transaction(demo_engine) as s:
        zhiyuan = actor_of(s.exec(select(Account).where(Account.username == "zhiyuan")).one())
        card = next(
            c
            for c in task_board.open_tasks(session=s, actor=zhiyuan)
            if c.places_left and c.own is None
        )
        signup_id = signups.signup_create(session=s, actor=zhiyuan, task_id=card.id).signup_id
    task_id, title = card.id, card.title
    at = app_test(demo_engine, "shuji", "views/tasks.py")
    at.selectbox(key="tasks_pick").set_value(task_id).run()
    at.button(key=f"tasks_to_cancelled_{task_id}").click().run()
    assert "将一并取消" in at.warning[0].value  # asks first: nothing cancelled yet
    with Session(demo_engine) as s:
        assert s.get(Task, task_id).status == "open"
    at.button(key=f"tasks_to_cancelled_yes_{task_id}").click().run()
    assert (
        at.success[0].value.startswith("任务已取消，") and "个报名已一并取消" in at.success[0].value
    )
    assert [e.value for e in at.error] == ["此任务已取消：报名均已取消，不能再签到签退。"]
    with Session(demo_engine) as s:
        assert s.get(Task, task_id).status == "cancelled"
        assert s.get(Task, task_id).taken == 0
        statuses = s.exec(select(Signup.status).where(Signup.task_id == task_id)).all()
        assert "confirmed" not in statuses and "waitlisted" not in statuses
        assert s.get(Signup, signup_id).status == "cancelled"
    assert not [b for b in at.button if b.key and b.key.startswith("tasks_in_")]

    phone = app_test(demo_engine, "zhiyuan", "views/my_tasks.py")
    assert not phone.exception
    assert "这个任务已取消" in " ".join(e.value for e in phone.error)
    assert title in " ".join(m.value for m in phone.markdown)
    assert not [b for b in phone.button if b.key == f"my_in_{signup_id}"]
    assert not [b for b in phone.button if b.key == f"my_cancel_{signup_id}"]


def test_teams_offer_only_the_teams_community_and_can_be_deactivated(demo_engine):
    at = app_test(demo_engine, "admin", "views/teams.py")
    assert "现有队员" in at.caption[0].value  # the hours rule is stated
    team_id = at.selectbox(key="teams_pick").value
    with Session(demo_engine) as s:
        team = s.get(Team, team_id)
        community_id = team.community_id
        outsiders = set(
            s.exec(select(Volunteer.id).where(Volunteer.community_id != community_id)).all()
        )
    with Session(demo_engine) as s:
        members = select(TeamMember.volunteer_id).where(
            TeamMember.team_id == team_id, TeamMember.active
        )
        expected = s.exec(
            select(Volunteer.name).where(
                Volunteer.community_id == community_id,
                Volunteer.active,
                Volunteer.id.not_in(members),
            )
        ).all()
    offered = at.selectbox(key=f"teams_add_pick_{team_id}").options
    assert outsiders  # the admin sees volunteers of other communities elsewhere ...
    assert sorted(o.split(" · ")[0] for o in offered) == sorted(expected)  # ... not here
    at.button(key=f"teams_deactivate_{team_id}").click().run()
    at.button(key=f"teams_deactivate_yes_{team_id}").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert s.get(Team, team_id).active is False
    assert at.selectbox(key="teams_pick").value == team_id  # still this team, now 已停用
    assert "此服务队已停用" in at.warning[0].value
    assert not [sb for sb in at.selectbox if sb.key == f"teams_add_pick_{team_id}"]
    at.button(key=f"teams_reactivate_{team_id}").click().run()
    with Session(demo_engine) as s:
        assert s.get(Team, team_id).active is True


def test_check_in_is_offered_only_once_it_opens(demo_engine):
    with Session(demo_engine) as s:
        zhiyuan = actor_of(s.exec(select(Account).where(Account.username == "zhiyuan")).one())
        card = next(
            c
            for c in task_board.open_tasks(session=s, actor=zhiyuan)
            if c.places_left
            and c.own is None
            and aware_utc(c.starts_at) > utcnow() + timedelta(hours=3)
        )
        signup_id = signups.signup_create(session=s, actor=zhiyuan, task_id=card.id).signup_id
        s.commit()
        task = s.get(Task, card.id)
        starts_at, ends_at = task.starts_at, task.ends_at
    actions.clear_reads()  # written around the board: its read cache must not hide it
    phone = app_test(demo_engine, "zhiyuan", "views/my_tasks.py")
    assert not phone.exception
    # shown greyed out, with the rule said beneath it
    assert phone.button(key=f"my_in_{signup_id}").disabled
    assert any(c.value.startswith("任务开始前 2 小时起可以签到") for c in phone.caption)
    # Two hours before the start the button is there (the rule the service applies too).
    opens = starts_at - signups.CHECK_IN_OPENS
    state = signups.SignupState(
        status="confirmed", task_status="open", starts_at=starts_at, ends_at=ends_at
    )
    assert signups.check_in_rule(state, opens).ok


# --- issue 10: volunteers and teams, each action on its own record -------------------------


def _volunteers(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Volunteer)).one()


def test_an_empty_volunteer_is_refused_and_a_second_press_adds_nobody(demo_engine):
    before = _volunteers(demo_engine)
    at = open_tab(
        app_test(demo_engine, "shuji", "views/volunteers.py"), "volunteers_tab", "登记志愿者"
    )
    submit = "FormSubmitter:volunteers_new-创建"
    at.button(key=submit).click().run()
    assert [e.value for e in at.error] == ["请填写姓名"]
    assert _volunteers(demo_engine) == before
    at.text_input(key="volunteers_name").input("乌兰")
    at.text_input(key="volunteers_phone").input("13904715566")
    at.button(key=submit).click().run()
    assert at.success and "乌兰" in at.success[0].value
    assert at.text_input(key="volunteers_name").value == ""
    at.button(key=submit).click().run()  # a second press on the emptied form
    at.text_input(key="volunteers_name").input("乌兰")
    at.text_input(key="volunteers_phone").input("13904715566")
    at.button(key=submit).click().run()  # the same person again
    assert any("13904715566" in e.value for e in at.error)
    assert _volunteers(demo_engine) == before + 1


def test_a_renamed_volunteer_stays_picked_with_the_message_beside_them(demo_engine):
    at = app_test(demo_engine, "shuji", "views/volunteers.py")
    first = at.selectbox(key="volunteers_pick").value
    with Session(demo_engine) as s:
        vid = s.exec(
            select(Volunteer.id).where(
                Volunteer.community_id == 1, Volunteer.active, Volunteer.id != first
            )
        ).first()
    at.selectbox(key="volunteers_pick").set_value(vid).run()
    at.text_input(key=f"volunteers_edit_name_{vid}").input("改了名的志愿者")
    at.button(key=f"FormSubmitter:volunteers_edit_{vid}-保存").click().run()
    assert not at.error
    assert at.selectbox(key="volunteers_pick").value == vid
    assert at.subheader[0].value == "改了名的志愿者"
    assert "已保存" in [m.value for m in at.success]
    at.run()  # the next run (any press) still holds the same volunteer
    assert at.selectbox(key="volunteers_pick").value == vid
    with Session(demo_engine) as s:
        assert s.get(Volunteer, vid).name == "改了名的志愿者"
        assert s.get(Volunteer, first).active


def test_deactivating_a_volunteer_says_and_cancels_their_upcoming_sign_ups(demo_engine):
    with Session(demo_engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
        vid = s.exec(
            select(Volunteer.id).where(Volunteer.community_id == 1, Volunteer.active)
        ).first()
        n = volunteers.volunteer_upcoming_signups(session=s, actor=shuji, volunteer_id=vid)
    at = app_test(demo_engine, "shuji", "views/volunteers.py")
    at.selectbox(key="volunteers_pick").set_value(vid).run()
    at.button(key=f"volunteers_deactivate_{vid}").click().run()
    question = " ".join(w.value for w in at.warning)
    assert (f"{n} 个未开始的报名将被取消" if n else "没有未开始的报名") in question
    at.button(key=f"volunteers_deactivate_yes_{vid}").click().run()
    assert not at.error
    assert any(f"取消了 {n} 个未开始的报名" in m.value for m in at.success)
    with Session(demo_engine) as s:
        assert s.get(Volunteer, vid).active is False


def test_a_team_needs_a_name_and_a_member_is_removed_after_asking(demo_engine):
    at = open_tab(app_test(demo_engine, "shuji", "views/teams.py"), "teams_tab", "新建服务队")
    with Session(demo_engine) as s:
        teams_before = s.exec(select(func.count()).select_from(Team)).one()
    at.button(key="FormSubmitter:teams_new-创建").click().run()
    assert "请填写服务队名称" in [e.value for e in at.error]
    with Session(demo_engine) as s:
        assert s.exec(select(func.count()).select_from(Team)).one() == teams_before
    open_tab(at, "teams_tab", "管理服务队")
    team_id = at.selectbox(key="teams_pick").value
    add = at.selectbox(key=f"teams_add_pick_{team_id}")
    vid = add.value
    at.button(key=f"teams_add_{team_id}").click().run()
    assert any("已加入服务队" in m.value for m in at.success)
    with Session(demo_engine) as s:
        assert s.get(TeamMember, (team_id, vid)).active
    at.button(key=f"teams_remove_{team_id}_{vid}").click().run()
    assert any("移出" in w.value for w in at.warning)
    with Session(demo_engine) as s:
        assert s.get(TeamMember, (team_id, vid)).active  # nothing before the answer
    at.button(key=f"teams_remove_yes_{team_id}_{vid}").click().run()
    assert not at.error
    assert any("已将" in m.value and "移出" in m.value for m in at.success)
    with Session(demo_engine) as s:
        assert not s.get(TeamMember, (team_id, vid)).active
    assert at.selectbox(key="teams_pick").value == team_id
