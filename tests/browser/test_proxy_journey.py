"""A secretary takes in a merchant's request for an agent; the agent finishes it on a
phone and records the merchant's rating, 不满意 (one of the five words of 好差评); the
secretary finds the 差评's rectification with its deadline and closes it with a call-back."""

from sqlmodel import Session, select

from models.proxy import ProxyRectification, ProxyRequest
from services import db
from tests.browser.conftest import DESKTOP, PHONE, rerun, sign_in, wait_idle
from tests.browser.test_proxy_actions_journey import pick_merchant


def test_intake_completion_and_rating(server, browser, output_dir):
    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    sign_in(page, server, "dazhao")
    page.goto(f"{server}/proxy_board")
    wait_idle(page)
    with rerun(page):  # a tab click starts a run: only the open tab is drawn
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
    # the five words (the group's other button is its help icon)
    words = page.locator(f".st-key-queue_rating_{request.id} button").filter(has_text="满意")
    words.last.wait_for(timeout=20000)
    assert [w.strip() for w in words.all_inner_texts()] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    for button in words.all():
        assert button.bounding_box()["height"] >= 44  # a touch target on a phone
    words.nth(3).click()  # 不满意
    # this request's own form: other journeys' requests in progress have the same field
    form = page.locator(f"[data-testid='stForm']:has(.st-key-queue_rating_{request.id})")
    form.get_by_label("商户的意见").fill("快递放错了门口")
    page.screenshot(path=str(output_dir / "2-phone-rating.png"), full_page=True)
    page.locator(
        f".st-key-FormSubmitter-queue_done_{request.id}-办结 button, [data-testid='stForm']:has(.st-key-queue_rating_{request.id}) button[kind='primaryFormSubmit']"
    ).first.click()
    page.wait_for_selector("text=已办结，谢谢您的服务", timeout=20000)
    phone.close()
    with Session(engine) as s:
        done = s.get(ProxyRequest, request.id)
        assert (done.status, done.satisfaction, done.feedback) == ("done", 2, "快递放错了门口")
        rect = s.exec(
            select(ProxyRectification).where(ProxyRectification.request_id == request.id)
        ).one()

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    sign_in(page, server, "dazhao")
    page.goto(f"{server}/proxy_board")
    wait_idle(page)
    with rerun(page):  # a tab click starts a run: only the open tab is drawn
        page.get_by_role("tab", name="差评整改").click()
    card = page.locator(f".st-key-rect_card_{rect.id}")
    card.get_by_text("快递放错了门口").first.wait_for(timeout=20000)
    assert f"整改期限 {rect.deadline.isoformat()}" in card.inner_text()
    page.get_by_text("本年差评整改率").wait_for()
    page.screenshot(path=str(output_dir / "3-rectification.png"), full_page=True)
    card.get_by_text("问题已解决，商户认可", exact=True).click()
    card.get_by_label("整改和回访情况").fill("已向店主道歉，快递已找回")
    card.get_by_role("button", name="记录回访并办结").click()
    page.wait_for_selector("text=的整改已办结", timeout=20000)
    page.screenshot(path=str(output_dir / "4-called-back.png"), full_page=True)
    office.close()
    with Session(engine) as s:
        closed = s.get(ProxyRectification, rect.id)
        assert (closed.outcome, closed.note) == ("resolved", "已向店主道歉，快递已找回")
    engine.dispose()
