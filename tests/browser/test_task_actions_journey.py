"""Issue 10, tasks and sign-ups: the roster and the volunteer's card follow one rule for
check-in, check-out and no-show, say it before anyone presses, and destructive or early
actions ask first.

Each journey makes its own volunteer and task through the services, so it never
depends on what other journeys do with the demo's records.
"""

from datetime import timedelta

from models.base import utcnow
from services import db, signups
from tests.browser.conftest import DESKTOP, PHONE, sign_in, wait_idle
from tests.browser.test_signup_journey import (
    new_volunteer,
    publish_task,
    sign_up,
    signup_row,
)


def _check_in(database_url: str, actor, signup_id: int, **kwargs) -> None:
    engine = db.make_engine(database_url)
    with db.transaction(engine) as s:
        signups.signup_check_in(session=s, actor=actor, signup_id=signup_id, **kwargs)
    engine.dispose()


def _phone(browser):
    return browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)


def _task_status(database_url: str, task_id: int) -> str:
    from sqlmodel import Session

    from models.volunteers import Task

    engine = db.make_engine(database_url)
    with Session(engine) as s:
        status = str(s.get(Task, task_id).status)
    engine.dispose()
    return status


def test_roster_offers_no_show_and_check_in_only_when_they_can_work(server, browser, output_dir):
    """未到 could be set before the task started, and 签到 was a normal button that only
    ever refused: both are greyed out, with the rule said beneath, until they apply."""
    person = new_volunteer(server.database_url, "mingdan", "名单测试", "13700001002")
    task_id = publish_task(
        server.database_url, title="浏览器测试：五小时后开始", starts_in=timedelta(hours=5)
    )
    sid = sign_up(server.database_url, person, task_id)

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    sign_in(page, server, "shuji")
    page.goto(f"{server}/tasks?task={task_id}")
    wait_idle(page)
    page.get_by_text("名单测试").first.wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / "desktop-roster-before-start.png"), full_page=True)
    assert page.locator(f".st-key-tasks_noshow_{sid} button").is_disabled()
    assert page.locator(f".st-key-tasks_in_{sid} button").is_disabled()
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "任务开始后才能标记未到" in text
    assert "开始前 2 小时起可以签到" in text
    office.close()
    assert signup_row(server.database_url, sid).status == "confirmed"


def test_a_volunteer_cannot_check_out_before_the_start(server, browser, output_dir):
    """签退 before the start gave 0 hours, with no undo, and the card still said 已签到."""
    person = new_volunteer(server.database_url, "qiantui", "签退测试", "13700001003")
    task_id = publish_task(
        server.database_url, title="浏览器测试：一小时后开始", starts_in=timedelta(hours=1)
    )
    sid = sign_up(server.database_url, person, task_id)

    phone = _phone(browser)
    page = phone.new_page()
    sign_in(page, server, "qiantui")
    page.goto(f"{server}/my_tasks")
    wait_idle(page)
    page.locator(f".st-key-my_in_{sid} button").click()
    page.wait_for_selector("text=签到成功", timeout=20000)
    wait_idle(page)
    page.screenshot(path=str(output_dir / "phone-checked-in-before-start.png"), full_page=True)
    assert page.locator(f".st-key-my_out_{sid} button").is_disabled()
    assert "任务开始后才能签退" in page.locator(f".st-key-my_card_{sid}").inner_text()
    phone.close()
    row = signup_row(server.database_url, sid)
    assert (row.status, row.check_out_at, row.hours) == ("attended", None, 0)


def test_a_checked_in_volunteer_is_not_offered_the_waitlist(server, browser, output_dir):
    """加入候补 was offered on a task the volunteer had already checked in to."""
    person = new_volunteer(server.database_url, "yiqian", "已签到测试", "13700001008")
    task_id = publish_task(
        server.database_url,
        title="浏览器测试：已签到的任务",
        starts_in=timedelta(minutes=90),
        capacity=1,
    )
    sid = sign_up(server.database_url, person, task_id)
    _check_in(server.database_url, person, sid)

    phone = _phone(browser)
    page = phone.new_page()
    sign_in(page, server, "yiqian")
    page.goto(f"{server}/open_tasks?task={task_id}")
    wait_idle(page)
    page.get_by_text("浏览器测试：已签到的任务").first.wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / "phone-open-card-checked-in.png"), full_page=True)
    assert page.locator(f".st-key-open_signup_{task_id}").count() == 0  # no 加入候补
    assert "您已签到" in page.locator('[data-testid="stMain"]').inner_text()
    phone.close()


def test_early_check_out_asks_first_and_staff_can_undo_it(server, browser, output_dir):
    person = new_volunteer(server.database_url, "zaotui", "早退测试", "13700001004")
    task_id = publish_task(
        server.database_url,
        title="浏览器测试：进行中的任务",
        starts_in=timedelta(hours=-1),
        hours=3,
    )
    sid = sign_up(server.database_url, person, task_id, now=utcnow() - timedelta(days=1))
    _check_in(server.database_url, person, sid, now=utcnow() - timedelta(hours=1))

    phone = _phone(browser)
    page = phone.new_page()
    sign_in(page, server, "zaotui")
    page.goto(f"{server}/my_tasks")
    wait_idle(page)
    page.locator(f".st-key-my_out_{sid} button").click()
    wait_idle(page)
    # not yet checked out: the question says the task is still running
    page.wait_for_selector("text=任务还没有结束", timeout=10000)
    page.screenshot(path=str(output_dir / "phone-early-check-out-question.png"), full_page=True)
    assert signup_row(server.database_url, sid).check_out_at is None
    page.locator(f".st-key-my_out_yes_{sid} button").click()
    page.wait_for_selector("text=签退成功", timeout=20000)
    wait_idle(page)
    assert "已签退" in page.locator('[data-testid="stMain"]').inner_text()
    phone.close()
    assert signup_row(server.database_url, sid).check_out_at is not None

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    sign_in(page, server, "shuji")
    page.goto(f"{server}/tasks?task={task_id}")
    wait_idle(page)
    page.locator(f".st-key-tasks_undo_out_{sid} button").click()
    page.wait_for_selector("text=已撤销 早退测试 的签退", timeout=20000)
    page.screenshot(path=str(output_dir / "desktop-check-out-undone.png"), full_page=True)
    office.close()
    row = signup_row(server.database_url, sid)
    assert (row.status, row.check_out_at, row.hours) == ("attended", None, 0)


def test_thirty_hours_are_refused_in_chinese(server, browser, output_dir):
    """Entering 30 hours turned the box red with Streamlit's own English tooltip."""
    person = new_volunteer(server.database_url, "shichang", "时长测试", "13700001005")
    task_id = publish_task(
        server.database_url,
        title="浏览器测试：录入时长",
        starts_in=timedelta(hours=-1),
        hours=2,
    )
    sid = sign_up(server.database_url, person, task_id, now=utcnow() - timedelta(days=1))

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    sign_in(page, server, "shuji")
    page.goto(f"{server}/tasks?task={task_id}")
    wait_idle(page)
    page.get_by_text("时长测试").first.wait_for(timeout=20000)
    page.get_by_role("button", name="录入时长").click()
    box = page.locator(f".st-key-tasks_hours_{sid} input")
    box.fill("30")
    box.press("Tab")
    wait_idle(page)
    page.locator(f".st-key-tasks_hours_save_{sid} button").click()
    page.wait_for_selector("text=时长应在 0.25–24 小时之间", timeout=10000)
    page.screenshot(path=str(output_dir / "desktop-thirty-hours.png"), full_page=True)
    office.close()
    row = signup_row(server.database_url, sid)
    assert (row.status, row.hours) == ("confirmed", 0)


def test_cancelling_a_task_asks_first_and_says_what_it_cancels(server, browser, output_dir):
    """取消任务 cancelled the task and every sign-up in one click."""
    a = new_volunteer(server.database_url, "renwu_a", "取消任务甲", "13700001006")
    b = new_volunteer(server.database_url, "renwu_b", "取消任务乙", "13700001007")
    task_id = publish_task(
        server.database_url, title="浏览器测试：要取消的任务", starts_in=timedelta(days=4)
    )
    sign_up(server.database_url, a, task_id)
    sign_up(server.database_url, b, task_id)

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    sign_in(page, server, "shuji")
    page.goto(f"{server}/tasks?task={task_id}")
    wait_idle(page)
    page.get_by_text("取消任务甲").first.wait_for(timeout=20000)
    page.get_by_role("button", name="取消任务", exact=True).click()
    wait_idle(page)
    page.wait_for_selector("text=2 个报名", timeout=10000)
    page.screenshot(path=str(output_dir / "desktop-cancel-question.png"), full_page=True)
    assert _task_status(server.database_url, task_id) == "open"
    page.locator(f".st-key-tasks_to_cancelled_yes_{task_id} button").click()
    page.wait_for_selector("text=任务已取消，2 个报名已一并取消", timeout=20000)
    office.close()
    assert _task_status(server.database_url, task_id) == "cancelled"
