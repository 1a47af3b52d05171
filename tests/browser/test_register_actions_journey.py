"""The registers of people (elders, volunteers, teams): every action lands on the record
it was pressed for, asks first when it takes something away, and says what happened
next to that record.

Each journey makes its own records through the services (in shuji's 四千米社区) and
narrows the registry to them with the search box, so no other journey can move them.
"""

import re
import secrets
from datetime import date, timedelta

from sqlmodel import Session, select

from models.accounts import Account
from models.base import utcnow
from models.elders import Elder
from models.volunteers import Signup, SignupStatus, TaskKind, Team, TeamMember, Volunteer
from services import db, elders, signups, tasks, teams, volunteers
from services.access import Actor
from services.auth import actor_of
from tests.browser.conftest import DESKTOP, PHONE, choose, press, rerun, sign_in, wait_idle
from ui.filters import today


def actor_named(database_url: str, username: str) -> Actor:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        actor = actor_of(s.exec(select(Account).where(Account.username == username)).one())
    engine.dispose()
    return actor


def _engine(server):
    return db.make_engine(server.database_url)


def _row(server, model, row_id):
    engine = _engine(server)
    with Session(engine) as s:
        row = s.get(model, row_id)
    engine.dispose()
    return row


def _pick(page, key: str, starts_with: str) -> None:
    """Chooses the option that starts with `starts_with` in the selectbox `key`."""
    choose(page, key, re.compile("^" + re.escape(starts_with)))
    assert page.locator(f".st-key-{key} input").input_value().startswith(starts_with)


def test_an_elders_edit_form_holds_the_picked_elder_and_says_saved_beside_it(
    server, browser, output_dir
):
    """Seen: with one elder shown and then another picked, 编辑档案 still held the first
    elder's name, birth date and address (the form's fields were keyed by a shared
    key), so 保存 wrote the first elder's details over the second."""
    tag = secrets.token_hex(2)
    shuji = actor_named(server.database_url, "shuji")
    engine = _engine(server)
    with db.transaction(engine) as s:
        first = elders.elder_create(
            session=s,
            actor=shuji,
            name=f"测{tag}甲老人",
            birth_date=date(1940, 3, 1),
            address="测试路1号",
            community_id=shuji.community_id,
            today=today(),
        )
        second = elders.elder_create(
            session=s,
            actor=shuji,
            name=f"测{tag}乙老人",
            birth_date=date(1942, 5, 6),
            address="测试路2号",
            community_id=shuji.community_id,
            today=today(),
        )
    engine.dispose()

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, server, "shuji")
    page.goto(f"{server}/elders")
    wait_idle(page)
    with rerun(page):  # a tab click starts a run: only the open tab is drawn
        page.get_by_role("tab", name="老人名册").click()
    page.locator(".st-key-elders_search input").fill(f"测{tag}")
    with rerun(page):
        page.locator(".st-key-elders_search input").press("Enter")
    _pick(page, "elders_pick", f"测{tag}乙老人")
    editor = page.locator("[data-testid='stExpander']").filter(has_text="编辑档案")
    editor.get_by_text("编辑档案").click()
    name = editor.get_by_role("textbox", name="姓名", exact=True)
    assert name.input_value() == f"测{tag}乙老人"
    address = editor.get_by_role("textbox", name="住址", exact=True)
    assert address.input_value() == "测试路2号"
    address.fill("测试路2号3单元")
    press(page, editor.get_by_role("button", name="保存"))
    slot = page.locator(f".st-key-flash_elders_edit_msg_{second}")
    slot.get_by_text("已保存").wait_for(timeout=45000)  # the elders page reruns whole
    page.screenshot(path=str(output_dir / "1-elder-saved-desktop.png"), full_page=True)
    assert _row(server, Elder, second).address == "测试路2号3单元"
    assert (_row(server, Elder, first).name, _row(server, Elder, first).address) == (
        f"测{tag}甲老人",
        "测试路1号",
    )
    # 注销档案 asks first and says the elder leaves the overdue list; the history stays
    page.locator(f".st-key-elders_deactivate_{second} button").click()
    question = page.locator(f".st-key-elders_deactivate_box_{second}")
    # the box is drawn before its words: wait for the words, not the box
    question.get_by_text("探访记录和探访人保留").first.wait_for(timeout=20000)
    assert "逾期" in question.inner_text()
    page.screenshot(path=str(output_dir / "2-elder-deactivate-asks.png"), full_page=True)
    assert _row(server, Elder, second).active  # nothing happened before the answer
    with rerun(page):
        page.locator(f".st-key-elders_deactivate_yes_{second} button").click()
    page.locator(".st-key-flash_page").get_by_text(f"测{tag}乙老人").wait_for(timeout=20000)
    assert not _row(server, Elder, second).active
    assert _row(server, Elder, first).active
    context.close()


def test_a_renamed_volunteer_stays_picked_and_deactivation_says_what_it_cancels(
    server, browser, output_dir
):
    """Seen: after 保存 on a volunteer whose name (part of the picker's label) changed,
    the page showed another volunteer, and 停用档案 (a shared key) would have acted on
    them; deactivating took effect on the first click, without saying what it changes."""
    tag = secrets.token_hex(2)
    shuji = actor_named(server.database_url, "shuji")
    engine = _engine(server)
    starts = utcnow() + timedelta(days=3)
    with db.transaction(engine) as s:
        before = volunteers.volunteer_create(
            session=s,
            actor=shuji,
            name=f"测{tag}志愿丁",
            phone=f"1390471{secrets.randbelow(10000):04d}",
            community_id=shuji.community_id,
        )
        renamed = volunteers.volunteer_create(
            session=s,
            actor=shuji,
            name=f"测{tag}志愿甲",
            phone=f"1370471{secrets.randbelow(10000):04d}",
            community_id=shuji.community_id,
        )
        task_id = tasks.task_create(
            session=s,
            actor=shuji,
            title=f"测{tag}入户走访",
            kind=TaskKind.elder_visit,
            community_id=shuji.community_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=2,
            place="四千米社区",
        )
        signups.signup_create(session=s, actor=shuji, task_id=task_id, volunteer_id=renamed)
    engine.dispose()

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, server, "shuji")
    page.goto(f"{server}/volunteers")
    wait_idle(page)
    page.locator(".st-key-volunteers_search input").fill(f"测{tag}")
    with rerun(page):
        page.locator(".st-key-volunteers_search input").press("Enter")
    _pick(page, "volunteers_pick", f"测{tag}志愿甲")
    editor = page.locator("[data-testid='stExpander']").filter(has_text="编辑档案")
    editor.get_by_text("编辑档案").click()
    editor.get_by_role("textbox", name="姓名", exact=True).fill(f"测{tag}志愿乙")
    press(page, editor.get_by_role("button", name="保存"))
    page.get_by_text("已保存").first.wait_for(timeout=20000)
    wait_idle(page)
    page.screenshot(path=str(output_dir / "1-volunteer-renamed.png"), full_page=True)
    assert _row(server, Volunteer, renamed).name == f"测{tag}志愿乙"
    assert _row(server, Volunteer, before).name == f"测{tag}志愿丁"
    # the picker holds the renamed volunteer by id, under the new name, with the message
    # beside the profile
    picker_label = page.locator(".st-key-volunteers_pick input").input_value()
    beside = page.locator(f".st-key-flash_volunteers_edit_msg_{renamed}")
    message_beside = beside.count() == 1 and "已保存" in beside.inner_text()
    # Seen: the next press (停用档案 under 乙's profile) deactivated 丁, the first of the
    # list: the browser sent the picker's old label, which no longer matched an option.
    with rerun(page):
        page.get_by_role("button", name="停用档案").click()
    assert _row(server, Volunteer, before).active, "停用档案 acted on another volunteer"
    assert _row(server, Volunteer, renamed).active  # nothing happens before the answer
    assert picker_label.startswith(f"测{tag}志愿乙"), picker_label
    assert message_beside
    question = page.locator(f".st-key-volunteers_deactivate_box_{renamed}")
    question.get_by_text("1 个未开始的报名将被取消").first.wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / "2-volunteer-deactivate-asks.png"), full_page=True)
    with rerun(page):
        page.locator(f".st-key-volunteers_deactivate_yes_{renamed} button").click()
    page.locator(".st-key-flash_page").get_by_text(f"测{tag}志愿乙").wait_for(timeout=20000)
    assert not _row(server, Volunteer, renamed).active
    assert _row(server, Volunteer, before).active
    engine = _engine(server)
    with Session(engine) as s:
        status = s.exec(select(Signup.status).where(Signup.volunteer_id == renamed)).one()
    engine.dispose()
    assert status == SignupStatus.cancelled
    context.close()


def test_a_team_deactivated_on_a_phone_asks_first_and_stays_picked(server, browser, output_dir):
    """Seen: 停用服务队 acted on the first tap, and the picker (whose label says 已停用)
    then jumped to the first team of the list, where a second tap would land."""
    tag = secrets.token_hex(2)
    shuji = actor_named(server.database_url, "shuji")
    engine = _engine(server)
    with db.transaction(engine) as s:
        first = teams.team_create(
            session=s, actor=shuji, name=f"测{tag}甲队", community_id=shuji.community_id
        )
        member = volunteers.volunteer_create(
            session=s,
            actor=shuji,
            name=f"测{tag}队员",
            phone=f"1350471{secrets.randbelow(10000):04d}",
            community_id=shuji.community_id,
        )
        second = teams.team_create(
            session=s,
            actor=shuji,
            name=f"测{tag}乙队",
            community_id=shuji.community_id,
            leader_id=member,
        )
    engine.dispose()

    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, server, "shuji")
    page.goto(f"{server}/teams")
    wait_idle(page)
    _pick(page, "teams_pick", f"测{tag}乙队")
    # removing the leader asks first and says the team will have no leader
    page.get_by_role("button", name="移出").click()
    question = page.locator(f".st-key-teams_remove_box_{second}_{member}")
    question.get_by_text("队长").first.wait_for(timeout=20000)
    with rerun(page):
        page.locator(f".st-key-teams_remove_yes_{second}_{member} button").click()
    page.locator(f".st-key-flash_teams_members_msg_{second}").get_by_text(f"测{tag}队员").wait_for(
        timeout=20000
    )
    engine = _engine(server)
    with Session(engine) as s:
        assert not s.get(TeamMember, (second, member)).active
        assert s.get(Team, second).leader_id is None
    engine.dispose()

    page.locator(f".st-key-teams_deactivate_{second} button").click()
    question = page.locator(f".st-key-teams_deactivate_box_{second}")
    question.wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / "1-team-deactivate-asks-phone.png"), full_page=True)
    assert _row(server, Team, second).active
    with rerun(page):
        page.locator(f".st-key-teams_deactivate_yes_{second} button").click()
    page.locator(f".st-key-flash_teams_state_msg_{second}").get_by_text("已停用").wait_for(
        timeout=20000
    )
    assert page.locator(".st-key-teams_pick input").input_value().startswith(f"测{tag}乙队")
    page.screenshot(path=str(output_dir / "2-team-deactivated-phone.png"), full_page=True)
    assert not _row(server, Team, second).active
    assert _row(server, Team, first).active
    context.close()
