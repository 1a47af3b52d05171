"""wangge records a visit from a phone; the elder leaves the overdue list."""

from sqlmodel import Session, select

from models.accounts import Account
from services import db, elders
from services.auth import actor_of
from tests.browser.conftest import PHONE, sign_in, wait_idle
from ui.filters import today


def _overdue(database_url: str) -> list[str]:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        wangge = actor_of(s.exec(select(Account).where(Account.username == "wangge")).one())
        names = elders.overdue_elders(session=s, actor=wangge, today=today()).rows["name"].tolist()
    engine.dispose()
    return names


def test_grid_worker_records_a_visit_from_a_phone(server, browser, output_dir):
    before = _overdue(server.database_url)
    assert before, "the demo has overdue elders"
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, server, "wangge")
    page.wait_for_selector("h1:has-text('记录探访')")
    wait_idle(page)
    page.screenshot(path=str(output_dir / "1-form.png"), full_page=True)
    page.locator(".st-key-visit_mode").get_by_text("电话").click()
    page.locator(".st-key-visit_hazards").get_by_text("燃气").click()
    page.get_by_label("老人提出的需求").fill("燃气灶打火困难")
    page.get_by_role("button", name="保存探访记录").click()
    # the most overdue elder is the one offered first
    page.wait_for_selector(f"text=已记录对 {before[0]} 的探访", timeout=20000)
    page.screenshot(path=str(output_dir / "2-saved.png"), full_page=True)
    after = _overdue(server.database_url)
    assert before[0] not in after and len(after) == len(before) - 1
    page.goto(f"{server}/elders")
    wait_idle(page)
    page.wait_for_selector("text=逾期未探访", timeout=20000)
    page.wait_for_timeout(1500)  # the table draws on a canvas after the run
    page.screenshot(path=str(output_dir / "3-overdue-list.png"), full_page=True)
    context.close()
