"""Issue 17, staff at a computer: a weekly series published on the tasks page shows up in
the calendar's month view, and an occurrence's link opens that task with its series."""

import re

from tests.browser.conftest import DESKTOP, choose, press, rerun, sign_in, wait_idle

TITLE = "浏览器测试：每周三茶话会"


def _links(page) -> int:
    return page.get_by_role("link", name=re.compile(f"09:00 {TITLE}")).count()


def test_a_weekly_series_shows_in_the_calendar_month(server, browser, output_dir):
    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    sign_in(page, server, "shuji")

    page.goto(f"{server}/tasks")
    wait_idle(page)
    with rerun(page):
        page.get_by_role("tab", name="发布新任务").click()
    choose(page, "tasks_repeat", "每周")
    page.locator(".st-key-tasks_title input").fill(TITLE)
    page.locator(".st-key-tasks_place input").fill("社区党群服务中心二楼")
    page.locator(".st-key-tasks_weekdays input").click()
    page.get_by_role("option", name="周三").click()
    page.keyboard.press("Escape")
    press(page, page.get_by_role("button", name="发布任务"))
    page.get_by_text(f"已发布系列任务「{TITLE}」，共 8 次").wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / "series-published.png"), full_page=True)

    page.goto(f"{server}/calendar")
    wait_idle(page)
    with rerun(page):
        page.get_by_text("月", exact=True).click()
    page.get_by_text("周三", exact=True).first.wait_for(timeout=20000)
    this_month = _links(page)
    page.screenshot(path=str(output_dir / "calendar-month.png"), full_page=True)
    press(page, page.get_by_role("button", name="下个月"))
    # tomorrow on: the rest of this month and the next hold at least four Wednesdays
    assert this_month + _links(page) >= 4
    page.screenshot(path=str(output_dir / "calendar-next-month.png"), full_page=True)

    with rerun(page):
        page.get_by_role("link", name=re.compile(f"09:00 {TITLE}")).first.click()
    page.get_by_text("系列任务：每周三 09:00 · 共 8 次").wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / "series-task.png"), full_page=True)
    office.close()
