"""A secretary takes in a merchant's request for an agent; the agent finishes it on a
phone and records the merchant's five stars."""

from sqlmodel import Session, select

from models.proxy import ProxyRequest
from services import db
from tests.browser.conftest import DESKTOP, PHONE, sign_in, wait_idle
from tests.browser.test_proxy_actions_journey import pick_merchant


def test_intake_completion_and_rating(server, browser, output_dir):
    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    sign_in(page, server, "dazhao")
    page.goto(f"{server}/proxy_board")
    wait_idle(page)
    page.get_by_role("tab", name="受理新代办").click()
    pick_merchant(page)
    page.get_by_label("具体内容").fill("浏览器测试：店主外出，代收三件快递")
    page.screenshot(path=str(output_dir / "0-intake-form.png"), full_page=True)
    page.locator("input[aria-label='红色代办员']:visible").click()
    page.get_by_role("option", name="赵代办").click()
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_selector("text=已受理", timeout=20000)
    page.screenshot(path=str(output_dir / "1-intake.png"), full_page=True)
    office.close()

    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        request = s.exec(
            select(ProxyRequest).where(ProxyRequest.detail == "浏览器测试：店主外出，代收三件快递")
        ).one()
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, server, "daiban")
    page.goto(f"{server}/proxy_queue")
    wait_idle(page)
    page.locator(f".st-key-queue_accepted_{request.id} button").click()
    page.locator(f".st-key-queue_in_progress_{request.id} button").click()
    page.locator(f".st-key-queue_rating_{request.id}").wait_for(timeout=20000)
    page.locator(f".st-key-queue_rating_{request.id}").get_by_label("5 out of 5 stars").click()
    page.get_by_label("商户的意见").last.fill("很及时")
    page.screenshot(path=str(output_dir / "2-phone-rating.png"), full_page=True)
    page.locator(
        f".st-key-FormSubmitter-queue_done_{request.id}-办结 button, [data-testid='stForm']:has(.st-key-queue_rating_{request.id}) button[kind='primaryFormSubmit']"
    ).first.click()
    page.wait_for_selector("text=已办结，谢谢您的服务", timeout=20000)
    phone.close()
    with Session(engine) as s:
        done = s.get(ProxyRequest, request.id)
        assert (done.status, done.satisfaction, done.feedback) == ("done", 5, "很及时")
    engine.dispose()
