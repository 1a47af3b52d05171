"""A resident registers for an event on a phone from the public programme link; staff
check the party in at the door with the code and print the sign-in sheet. The door
opens only in its window (said before anyone presses), cancelling an event asks first
and says what else it changes, the picked event stays picked when its label changes,
and a link to an event that cannot be shown says why."""

import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlmodel import Session, select

from models.accounts import Account
from models.events import Event, Registration
from models.volunteers import Task
from services import db, events
from services.auth import actor_of
from tests.browser.conftest import DESKTOP, PHONE, download, sign_in, wait_idle
from tests.browser.test_programme_journey import publish_event


def either(*keys: str, inside: str) -> str:
    """A locator for a keyed widget, by the key it has now or had on the landed code."""
    return ", ".join(f".st-key-{key} {inside}" for key in keys)


def office(browser, server):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, server, "shuji")
    return context, page


def test_register_on_a_phone_and_check_in_at_the_door(server, browser, output_dir):
    event_id, title, _ = publish_event(
        server.database_url, capacity=10, starts_in=timedelta(minutes=30)
    )
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{server}/programme?event={event_id}")
    wait_idle(page)
    page.wait_for_selector("h1:has-text('活动预告')")
    page.locator(f".st-key-programme_open_{event_id}").get_by_text("我要报名").click()
    page.locator(f".st-key-programme_name_{event_id} input").fill("浏览器测试居民")
    page.locator(f".st-key-programme_phone_{event_id} input").fill("13904719999")
    page.locator(f".st-key-programme_party_{event_id} input").fill("2")
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_selector("text=签到码是", timeout=20000)
    page.screenshot(path=str(output_dir / "1-phone-registered.png"), full_page=True)
    message = page.locator('[data-testid="stAlertContentSuccess"]').first.inner_text()
    code = re.search(r"签到码是 ([A-Z0-9]{6})", message).group(1)
    phone.close()

    context, page = office(browser, server)
    page.goto(f"{server}/events?event={event_id}")
    wait_idle(page)
    page.get_by_text("现场签到").wait_for()
    page.locator(f".st-key-events_checkin_code_{event_id} input").fill(code)
    page.locator(f".st-key-events_checkin_{event_id} button").click()
    page.wait_for_selector("text=浏览器测试居民 签到成功", timeout=20000)
    wait_idle(page)
    page.screenshot(path=str(output_dir / "2-door.png"), full_page=True)
    # emptied for the next party at the door
    assert page.locator(f".st-key-events_checkin_code_{event_id} input").input_value() == ""
    sheet_file = download(page, page.locator(f".st-key-events_sheet_{event_id} button"))
    sheet = load_workbook(io.BytesIO(sheet_file.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"{title} · 签到表"
    assert rows[3][:5] == ("序号", "姓名", "手机号", "人数", "签到码")
    assert ("浏览器测试居民", "139****9999", 2, code) in [r[1:5] for r in rows[4:]]
    context.close()
    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        row = s.exec(select(Registration).where(Registration.code == code)).one()
        assert (row.attended, row.party_size, row.event_id) == (True, 2, event_id)
    engine.dispose()


def test_the_door_is_closed_a_week_before_and_says_when_it_opens(server, browser, output_dir):
    event_id, _, (code,) = publish_event(
        server.database_url,
        capacity=10,
        starts_in=timedelta(days=7),
        registrations=(("13904716001", 1),),
    )
    context, page = office(browser, server)
    page.goto(f"{server}/events?event={event_id}")
    wait_idle(page)
    page.get_by_text("现场签到").wait_for()
    button = page.locator(
        either(f"events_checkin_{event_id}", "events_checkin", inside="button")
    ).first
    if button.is_enabled():  # the landed page offered it as if it worked
        page.locator(
            either(f"events_checkin_code_{event_id}", "events_checkin_code", inside="input")
        ).first.fill(code)
        button.click()
        wait_idle(page)
    page.screenshot(path=str(output_dir / "1-door-closed.png"), full_page=True)
    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        assert not s.exec(select(Registration).where(Registration.code == code)).one().attended
    engine.dispose()
    assert button.is_disabled()
    assert page.get_by_text("（活动开始前 1 小时）").count() == 1  # when it opens, said first
    # cancelling the party for a caller asks first, on that registration's own row
    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        rid = s.exec(select(Registration.id).where(Registration.code == code)).one()
    engine.dispose()
    page.locator(f".st-key-events_cancel_reg_{rid} button").click()
    asked = page.locator(f".st-key-events_cancel_reg_box_{rid}")
    asked.get_by_text("确认取消 先报名的居民 的报名（1 人）？").first.wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / "2-cancel-registration-asked.png"), full_page=True)
    context.close()


def test_cancelling_an_event_asks_first_and_says_what_else_it_changes(server, browser, output_dir):
    event_id, title, _ = publish_event(
        server.database_url,
        capacity=3,
        starts_in=timedelta(days=2),
        registrations=(("13904715001", 2), ("13904715002", 2)),  # the second waits
    )
    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
    with db.transaction(engine) as s:
        events.event_request_staff(session=s, actor=shuji, event_id=event_id, volunteers=2)
    context, page = office(browser, server)
    page.goto(f"{server}/events?event={event_id}")
    wait_idle(page)
    page.locator(f".st-key-events_cancel_event_{event_id} button").click()
    question = page.locator(f".st-key-events_cancel_event_box_{event_id}")
    # the box can be on the page before what it says (a loaded machine): wait for the words
    question.get_by_text("2 条报名（共 4 人）").wait_for(timeout=20000)
    assert "志愿者任务" in question.inner_text()
    page.screenshot(path=str(output_dir / "1-cancel-asked.png"), full_page=True)
    with Session(engine) as s:
        assert s.get(Event, event_id).status == "published"  # nothing changed yet
    page.locator(f".st-key-events_cancel_event_yes_{event_id} button").click()
    page.get_by_text("活动已取消，2 条报名已一并取消，志愿者任务也已取消").wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / "2-cancelled.png"), full_page=True)
    with Session(engine) as s:
        assert s.get(Event, event_id).status == "cancelled"
        assert {t.status for t in s.exec(select(Task).where(Task.event_id == event_id))} == {
            "cancelled"
        }
    engine.dispose()
    assert page.get_by_role("heading", name=title).count() == 1  # still on that event
    context.close()


def test_the_picked_event_stays_picked_when_its_label_changes(server, browser, output_dir):
    event_id, title, _ = publish_event(
        server.database_url, capacity=5, starts_in=timedelta(days=5), status="draft"
    )
    context, page = office(browser, server)
    page.goto(f"{server}/events?event={event_id}")
    wait_idle(page)
    page.get_by_role("heading", name=title).wait_for(timeout=20000)
    page.locator(
        either(f"events_to_published_{event_id}", "events_to_published", inside="button")
    ).first.click()
    wait_idle(page)
    page.get_by_role("heading", name=title).wait_for(timeout=20000)
    # any other widget of the page now: the picker must not fall back to another event
    page.get_by_text("只看未结束的活动").click()
    wait_idle(page)
    page.get_by_text("只看未结束的活动").click()
    wait_idle(page)
    page.screenshot(path=str(output_dir / "1-still-picked.png"), full_page=True)
    assert page.get_by_role("heading", name=title).count() == 1
    context.close()


def test_a_link_to_an_event_that_cannot_be_shown_says_why(server, browser, output_dir):
    context, page = office(browser, server)
    page.goto(f"{server}/events?event=99999999")
    wait_idle(page)
    page.get_by_text("找不到这个活动").wait_for(timeout=20000)
    page.get_by_text("选择活动").first.wait_for(timeout=20000)  # the list is right there
    page.screenshot(path=str(output_dir / "1-gone.png"), full_page=True)
    context.close()
