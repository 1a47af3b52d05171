"""The public programme on a phone: a registration's result (with its code) shows in the
event's own card instead of the form, a second press registers nothing, the waitlist
position is shown and kept current, cancelling by code answers next to its form and the
places shown are current; a link to an event that cannot be shown says why."""

import re
import uuid
from datetime import timedelta

from sqlmodel import Session, select

from models.accounts import Account
from models.base import utcnow
from models.events import Registration
from services import db, events
from services.auth import actor_of
from services.registrations import registration_create
from tests.browser.conftest import PHONE, wait_idle


def publish_event(
    database_url: str,
    *,
    capacity: int,
    starts_in: timedelta = timedelta(hours=3),
    status: str = "published",
    registrations: tuple[tuple[str, int], ...] = (),
) -> tuple[int, str, list[str]]:
    """shuji publishes an event of 四千米社区 on the server's database, with the given
    registrations (phone, party size); returns its id, title and their codes."""
    engine = db.make_engine(database_url)
    title = f"浏览器测试：马头琴体验 {uuid.uuid4().hex[:4]}"
    with Session(engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
    starts = utcnow() + starts_in
    with db.transaction(engine) as s:
        event_id = events.event_create(
            session=s,
            actor=shuji,
            title=title,
            category="arts",
            community_id=shuji.community_id,
            venue="社区文化广场",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
        )
        if status != "draft":
            events.event_set_status(session=s, actor=shuji, event_id=event_id, status="published")
        codes = [
            registration_create(
                session=s, event_id=event_id, name="先报名的居民", phone=phone, party_size=party
            ).code
            for phone, party in registrations
        ]
        if status not in ("draft", "published"):
            events.event_set_status(session=s, actor=shuji, event_id=event_id, status=status)
    engine.dispose()
    return event_id, title, codes


def registrations(database_url: str, event_id: int) -> dict[str, str]:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        rows = s.exec(select(Registration).where(Registration.event_id == event_id)).all()
    engine.dispose()
    return {r.phone: str(r.status) for r in rows}


def on_phone(browser):
    return browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)


def register(page, event_id: int, name: str, phone: str, party: int) -> None:
    page.locator(f".st-key-programme_open_{event_id}").get_by_text("我要报名").click()
    page.locator(f".st-key-programme_name_{event_id} input").fill(name)
    page.locator(f".st-key-programme_phone_{event_id} input").fill(phone)
    page.locator(f".st-key-programme_party_{event_id} input").fill(str(party))
    page.get_by_role("button", name="提交报名").click()


def test_the_result_shows_in_the_card_and_a_second_press_registers_nothing(
    server, browser, output_dir
):
    event_id, title, _ = publish_event(server.database_url, capacity=2)
    context = on_phone(browser)
    page = context.new_page()
    # the event's link, as sent to the WeChat group (the list is cached by the server
    # for a while, and this event was made behind its back)
    page.goto(f"{server}/programme?event={event_id}")
    wait_idle(page)
    register(page, event_id, "浏览器测试居民", "13904718888", 2)
    result = page.locator('[data-testid="stAlertContentSuccess"]', has_text="签到码是")
    result.wait_for(timeout=20000)
    wait_idle(page)
    page.screenshot(path=str(output_dir / "1-phone-registered.png"), full_page=True)
    code = re.search(r"签到码是 ([A-Z0-9]{6})", result.inner_text()).group(1)

    # the result is in the event's card, under its title, not at the top of the page
    heading = page.get_by_role("heading", name=title).bounding_box()
    assert result.bounding_box()["y"] > heading["y"]
    # the form is emptied (here: replaced by the entry), so nothing is left to press again
    name_box = page.locator(f".st-key-programme_name_{event_id} input")
    assert name_box.count() == 0 or name_box.input_value() == ""
    submit = page.get_by_role("button", name="提交报名")
    if submit.count() and submit.first.is_visible():  # the landed page kept it filled in
        submit.first.click()
        wait_idle(page)
    assert page.get_by_text("已经报名了本场活动").count() == 0
    assert registrations(server.database_url, event_id) == {"13904718888": "confirmed"}
    # the code stays in the card, with the places as they are now
    card = page.locator(f".st-key-programme_card_{event_id}")
    assert f"签到码\u3000{code}" in card.inner_text()
    assert "名额已满" in card.inner_text()
    context.close()


def test_the_waitlist_place_is_kept_current_and_cancelling_by_code_refreshes_the_places(
    server, browser, output_dir
):
    event_id, title, (first_code,) = publish_event(
        server.database_url, capacity=2, registrations=(("13904717001", 2),)
    )
    context = on_phone(browser)
    page = context.new_page()
    page.goto(f"{server}/programme?event={event_id}")
    wait_idle(page)
    register(page, event_id, "候补的居民", "13904717002", 1)
    waiting = page.locator('[data-testid="stAlertContentSuccess"]', has_text="候补第 1 位")
    waiting.wait_for(timeout=20000)
    heading = page.get_by_role("heading", name=title).bounding_box()
    assert waiting.bounding_box()["y"] > heading["y"]
    page.screenshot(path=str(output_dir / "1-phone-waitlisted.png"), full_page=True)

    # the first party cancels by its code, at the bottom of the page
    if page.get_by_text("取消我的报名").count():  # the landed page hid the form in an expander
        page.get_by_text("取消我的报名").click()
    page.get_by_role("textbox", name="签到码").last.fill(first_code.lower())
    page.get_by_role("textbox", name="手机号").last.fill("139 0471 7001")
    page.get_by_role("button", name="取消报名").click()
    page.get_by_text(f"已取消“{title}”的报名").wait_for(timeout=20000)
    wait_idle(page)
    page.screenshot(path=str(output_dir / "2-phone-cancelled.png"), full_page=True)
    assert registrations(server.database_url, event_id) == {
        "13904717001": "cancelled",
        "13904717002": "confirmed",
    }
    # the card above says what is true now: one place left, and the waiting party moved up
    assert page.get_by_role("textbox", name="签到码").last.input_value() == ""  # emptied
    card = page.locator(f".st-key-programme_card_{event_id}")
    assert "剩余 1 个名额" in card.inner_text()
    assert "是正式报名" in card.inner_text()
    context.close()


def test_a_small_party_waiting_behind_a_large_one_moves_up_when_it_fits(
    server, browser, output_dir
):
    """Capacity 4: two parties of 2 confirmed, a party of 3 waiting. A resident of 1 waits
    second; when a party of 2 cancels, the 3 still does not fit and keeps its place, and
    the resident moves up. The page states the rule."""
    event_id, title, (_first, second_code, _big) = publish_event(
        server.database_url,
        capacity=4,
        registrations=(("13904717101", 2), ("13904717102", 2), ("13904717103", 3)),
    )
    context = on_phone(browser)
    page = context.new_page()
    page.goto(f"{server}/programme?event={event_id}")
    wait_idle(page)
    page.get_by_text("候补规则：名额按报名先后分配", exact=False).first.wait_for(timeout=20000)
    register(page, event_id, "一个人的居民", "13904717104", 1)
    page.locator('[data-testid="stAlertContentSuccess"]', has_text="候补第 2 位").wait_for(
        timeout=20000
    )
    if page.get_by_text("取消我的报名").count():
        page.get_by_text("取消我的报名").click()
    page.get_by_role("textbox", name="签到码").last.fill(second_code)
    page.get_by_role("textbox", name="手机号").last.fill("13904717102")
    page.get_by_role("button", name="取消报名").click()
    page.get_by_text(f"已取消“{title}”的报名").wait_for(timeout=20000)
    wait_idle(page)
    page.screenshot(path=str(output_dir / "3-phone-moved-up.png"), full_page=True)
    assert registrations(server.database_url, event_id) == {
        "13904717101": "confirmed",
        "13904717102": "cancelled",
        "13904717103": "waitlisted",
        "13904717104": "confirmed",
    }
    assert "是正式报名" in page.locator(f".st-key-programme_card_{event_id}").inner_text()
    context.close()


def test_a_link_to_an_event_that_cannot_be_shown_says_why_and_offers_the_list(
    server, browser, output_dir
):
    cancelled, _, _ = publish_event(server.database_url, capacity=5, status="cancelled")
    shown, title, _ = publish_event(server.database_url, capacity=5)
    context = on_phone(browser)
    page = context.new_page()
    page.goto(f"{server}/programme?event={cancelled}")
    wait_idle(page)
    page.get_by_text("这个活动已经取消了").wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / "1-phone-cancelled-link.png"), full_page=True)
    page.get_by_role("button", name="查看全部活动").click()
    page.get_by_text("这个活动已经取消了").wait_for(state="detached", timeout=20000)
    wait_idle(page)
    assert "event=" not in page.url
    assert page.locator('[data-testid="stHeading"] h2').count() > 1  # the list

    # a link that can be shown shows that event alone, registration open
    page.goto(f"{server}/programme?event={shown}")
    wait_idle(page)
    page.get_by_role("heading", name=title).wait_for(timeout=20000)
    assert page.locator('[data-testid="stHeading"] h2').count() == 1
    assert page.locator(f".st-key-programme_open_{shown}").count() == 1
    page.goto(f"{server}/programme?event=99999999")
    wait_idle(page)
    page.get_by_text("找不到这个活动").wait_for(timeout=20000)
    context.close()
