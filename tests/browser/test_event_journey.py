"""A resident registers for an event on a phone from the public programme link; staff
check the party in at the door with the code and print the sign-in sheet."""

import io
import re

from openpyxl import load_workbook
from sqlmodel import Session, select

from models.events import Event, Registration
from services import db
from tests.browser.conftest import DESKTOP, PHONE, sign_in, wait_idle


def test_register_on_a_phone_and_check_in_at_the_door(server, browser, output_dir):
    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        event = s.exec(
            select(Event)
            .where(
                Event.status == "published",
                Event.community_id == 1,
                Event.taken + 2 <= Event.capacity,  # room for the party
            )
            .order_by(Event.starts_at)
        ).first()

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{server}/programme")
    wait_idle(page)
    page.wait_for_selector("h1:has-text('活动预告')")
    # the community filter starts on "all" (not an empty choice)
    assert page.locator(".st-key-programme_community input").input_value() == "全部社区"
    page.locator(f".st-key-programme_open_{event.id}").get_by_text("我要报名").click()
    page.locator(f".st-key-programme_name_{event.id} input").fill("浏览器测试居民")
    page.locator(f".st-key-programme_phone_{event.id} input").fill("13904719999")
    page.locator(f".st-key-programme_party_{event.id} input").fill("2")
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_selector("text=签到码是", timeout=20000)
    page.screenshot(path=str(output_dir / "1-phone-registered.png"), full_page=True)
    message = page.locator('[data-testid="stAlertContentSuccess"]').first.inner_text()
    code = re.search(r"签到码是 ([A-Z0-9]{6})", message).group(1)
    phone.close()

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    sign_in(page, server, "shuji")
    page.goto(f"{server}/events?event={event.id}")
    wait_idle(page)
    page.get_by_text("现场签到").wait_for()
    page.locator(".st-key-events_checkin_code input").fill(code)
    page.locator(".st-key-events_checkin button").click()
    page.wait_for_selector("text=浏览器测试居民 签到成功", timeout=20000)
    page.screenshot(path=str(output_dir / "2-door.png"), full_page=True)
    with page.expect_download() as download:
        page.locator(".st-key-events_sheet button").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"{event.title} · 签到表"
    assert rows[3][:5] == ("序号", "姓名", "手机号", "人数", "签到码")
    assert ("浏览器测试居民", "139****9999", 2, code) in [r[1:5] for r in rows[4:]]
    office.close()
    with Session(engine) as s:
        row = s.exec(select(Registration).where(Registration.code == code)).one()
        assert (row.attended, row.party_size, row.event_id) == (True, 2, event.id)
    engine.dispose()
