"""wangge records a visit from a phone; the elder leaves the overdue list. The message
shows in the elder's card, the picker keeps the elder (whose label, 逾期 N 天, changed),
and a double tap on 保存 records one visit (the form gives way to 再记录一次)."""

from sqlalchemy import func
from sqlmodel import Session, select

from models.accounts import Account
from models.elders import Visit
from services import db, visit_plan
from services.auth import actor_of
from tests.browser.conftest import PHONE, sign_in, wait_idle
from ui.filters import today


def _overdue(database_url: str) -> list[tuple[int, str]]:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        wangge = actor_of(s.exec(select(Account).where(Account.username == "wangge")).one())
        rows = visit_plan.overdue_elders(session=s, actor=wangge, today=today()).rows
    engine.dispose()
    return [(int(i), n) for i, n in zip(rows["id"], rows["name"], strict=True)]


def _visits(database_url: str, elder_id: int) -> int:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        n = s.exec(select(func.count()).select_from(Visit).where(Visit.elder_id == elder_id)).one()
    engine.dispose()
    return n


def test_grid_worker_records_a_visit_from_a_phone(server, browser, output_dir):
    before = _overdue(server.database_url)
    assert before, "the demo has overdue elders"
    elder_id, name = before[0]  # the most overdue elder is the one offered first
    visits_before = _visits(server.database_url, elder_id)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, server, "wangge")
    page.wait_for_selector("h1:has-text('记录探访')")
    wait_idle(page)
    assert page.locator(".st-key-visit_elder input").input_value().startswith(f"⚠ {name}")
    page.screenshot(path=str(output_dir / "1-form.png"), full_page=True)
    page.locator(f".st-key-visit_mode_{elder_id}").get_by_text("电话").click()
    page.locator(f".st-key-visit_hazards_{elder_id}").get_by_text("燃气").click()
    page.get_by_label("老人提出的需求").fill("燃气灶打火困难")
    page.get_by_role("button", name="保存探访记录").dblclick()  # a double tap
    page.wait_for_timeout(500)
    wait_idle(page)
    card = page.locator(f".st-key-visit_card_{elder_id}")
    card.get_by_text(f"已记录对 {name} 的探访").wait_for(timeout=20000)
    page.wait_for_timeout(800)
    wait_idle(page)
    page.screenshot(path=str(output_dir / "2-saved.png"), full_page=True)
    assert _visits(server.database_url, elder_id) == visits_before + 1  # one visit, not two
    # the same elder stays picked, now labelled as not overdue, with the form emptied
    assert page.locator(".st-key-visit_elder input").input_value().startswith(name)
    # the form gives way to 再记录一次 (a late second tap has nothing to submit)
    page.locator(f".st-key-visit_again_{elder_id} button").click()
    page.wait_for_timeout(500)
    wait_idle(page)
    assert page.get_by_label("老人提出的需求").input_value() == ""
    assert _visits(server.database_url, elder_id) == visits_before + 1
    after = [n for _, n in _overdue(server.database_url)]
    assert name not in after and len(after) == len(before) - 1
    page.goto(f"{server}/elders")
    wait_idle(page)
    page.wait_for_selector("text=逾期未探访", timeout=20000)
    page.wait_for_timeout(1500)  # the table draws on a canvas after the run
    page.screenshot(path=str(output_dir / "3-overdue-list.png"), full_page=True)
    context.close()
