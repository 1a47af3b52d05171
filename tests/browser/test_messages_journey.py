"""On a phone, a volunteer with a place tomorrow: My tasks gives the .ics file of that
place (with its alarm); the menu's bell shows the unread reminders; 消息 shows them in
words and the count drops (issue 17's reminders)."""

from __future__ import annotations

import shutil
from datetime import datetime, time, timedelta
from pathlib import Path

from playwright.sync_api import expect

from models.base import LOCAL_TZ, local_today, utcnow
from services import db, outbox, reminders, signups
from tests.browser.conftest import PHONE, download, serve, sign_in, wait_idle
from tests.browser.test_signup_journey import actor_named, publish_task

TITLE = "浏览器测试：明天的环境整治"


def test_a_volunteer_sees_the_bell_opens_messages_and_the_count_drops(
    browser, demo_template, tmp_path, output_dir
):
    path = tmp_path / "board.db"
    shutil.copy(demo_template, path)
    url = f"sqlite:///{path}"
    tomorrow = datetime.combine(local_today() + timedelta(days=1), time(10), LOCAL_TZ)
    task_id = publish_task(url, title=TITLE, starts_in=tomorrow - utcnow(), capacity=2)
    zhiyuan = actor_named(url, "zhiyuan")
    engine = db.make_engine(url)
    with db.transaction(engine) as s:
        placed = signups.signup_create(session=s, actor=zhiyuan, task_id=task_id)
    with db.transaction(engine) as s:  # what the sender does once a day
        reminders.make_reminders(session=s, today=local_today())
    with db.read_session(engine) as s:
        unread = outbox.unread_count(session=s, actor=zhiyuan)
    engine.dispose()
    assert unread >= 1

    with serve(path, BOARD_OUTBOX_THREAD="0") as base:
        context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
        page = context.new_page()
        sign_in(page, base, "zhiyuan")
        page.goto(f"{base}/my_tasks")
        wait_idle(page)
        card = page.locator(f".st-key-my_card_{placed.signup_id}")
        ics_file = download(page, card.get_by_role("button", name="加入手机日历"))
        ics = Path(ics_file.path()).read_text(encoding="utf-8")
        assert "PRODID:-//社区服务协同看板//Community Service Board//ZH" in ics
        assert "BEGIN:VALARM" in ics and "DTSTAMP:" in ics and TITLE in ics

        page.get_by_test_id("stExpandSidebarButton").click()
        bell = page.locator(".st-key-nav_bell a")
        expect(bell).to_contain_text(f"{unread} 条未读消息")
        page.screenshot(path=str(output_dir / "bell.png"))
        bell.click()
        page.wait_for_url(f"{base}/messages")
        wait_idle(page)
        expect(page.get_by_text(f"明天的任务：「{TITLE}」")).to_be_visible()
        page.screenshot(path=str(output_dir / "messages.png"), full_page=True)
        sidebar = page.get_by_test_id("stSidebar")
        if not sidebar.is_visible():
            page.get_by_test_id("stExpandSidebarButton").click()
        expect(page.locator(".st-key-nav_bell a")).to_contain_text("消息")
        expect(page.locator(".st-key-nav_bell a")).not_to_contain_text("未读")
        context.close()
