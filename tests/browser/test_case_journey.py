"""A resident's need from the grid worker's phone to the 满意清单: wangge reports a broken
street lamp on a phone; the secretary accepts it and dispatches it to wangge; wangge
feeds back from the phone; the secretary checks and closes it, records a 满意 call-back,
and the case shows in the 满意清单 (with no name or phone)."""

import re

from sqlmodel import Session, select

from models.accounts import Account
from models.cases import Case
from services import db
from tests.browser.conftest import DESKTOP, PHONE, choose, press, sign_in, wait_idle

LAMP = "8号楼北侧路灯不亮，晚上居民出行不便"


def _latest_case(database_url: str) -> Case:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        row = s.exec(select(Case).order_by(Case.id.desc())).first()
    engine.dispose()
    return row


def _name_of(database_url: str, username: str) -> str:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        name = s.exec(select(Account.display_name).where(Account.username == username)).one()
    engine.dispose()
    return name


def _open_case(page, base: str, case_id: int) -> None:
    page.goto(f"{base}/cases")
    wait_idle(page)
    cases_tab = page.get_by_role("tab", name="工单")  # the office's first tab already
    if cases_tab.get_attribute("aria-selected") != "true":
        press(page, cases_tab)
    press(page, page.locator(f".st-key-case_open_{case_id} button"))
    page.wait_for_selector(f".st-key-case_card_{case_id}")


def _submit(page, case_id: int, label: str) -> None:
    """Presses the submit button `label` of a form on the case's card."""
    card = page.locator(f".st-key-case_card_{case_id}")
    press(page, card.locator("[data-testid='stFormSubmitButton'] button", has_text=label))


def test_a_need_from_a_phone_to_the_satisfied_list(server, browser, output_dir):
    # 1. the grid worker reports on a phone
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    worker = phone.new_page()
    sign_in(worker, server, "wangge")
    worker.goto(f"{server}/cases")
    worker.wait_for_selector("h1:has-text('居民诉求')")
    wait_idle(worker)
    worker.get_by_label("诉求内容").fill(LAMP)
    worker.get_by_label("地点（楼栋、位置）").fill("8号楼北侧")
    worker.screenshot(path=str(output_dir / "1-intake.png"), full_page=True)
    press(worker, worker.get_by_role("button", name="上报"))
    case = _latest_case(server.database_url)
    assert (case.description, case.status) == (LAMP, "reported")
    worker.get_by_text(f"已上报，工单编号 {case.number}").wait_for()
    worker.screenshot(path=str(output_dir / "2-reported.png"), full_page=True)

    # 2. the secretary accepts it and dispatches it to the grid worker
    office = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    sign_in(office, server, "shuji")
    _open_case(office, server, case.id)
    press(office, office.locator(f".st-key-case_accept_{case.id} button"))
    office.locator(f".st-key-case_card_{case.id} [data-testid='stAlert']").get_by_text(
        "已受理", exact=True
    ).wait_for()
    office.get_by_text("派遣", exact=True).first.click()
    choose(
        office,
        f"case_dispatch_to_{case.id}",
        re.compile(_name_of(server.database_url, "wangge")),
        in_form=True,
    )
    _submit(office, case.id, "派遣")
    office.get_by_text("已派遣，时限已开始计算").wait_for()
    case = _latest_case(server.database_url)
    assert case.status == "dispatched" and case.due_on is not None
    office.screenshot(path=str(output_dir / "3-dispatched.png"), full_page=True)

    # 3. the grid worker feeds back from the phone
    _open_case(worker, server, case.id)
    worker.get_by_text("反馈结果", exact=True).first.click()
    worker.locator(f".st-key-case_feedback_text_{case.id} textarea").fill("已联系供电所更换灯泡")
    _submit(worker, case.id, "反馈结果")
    worker.get_by_text("已反馈，等待核查").wait_for()
    worker.screenshot(path=str(output_dir / "4-fed-back.png"), full_page=True)
    assert _latest_case(server.database_url).status == "handled"

    # 4. the secretary checks and closes it, and records the resident's call-back
    _open_case(office, server, case.id)
    office.get_by_text("核查结案", exact=True).first.click()
    office.locator(f".st-key-case_close_resolved_{case.id}").get_by_text("已解决").click()
    _submit(office, case.id, "核查结案")
    office.get_by_text("已结案，请回访居民").wait_for()
    office.locator(f".st-key-case_call_back_level_{case.id}").get_by_text(
        "满意", exact=True
    ).click()
    _submit(office, case.id, "回访评价")
    office.get_by_text("回访已记录").wait_for()
    case = _latest_case(server.database_url)
    assert (case.status, case.satisfaction, case.resolved) == ("satisfied", 4, True)
    office.screenshot(path=str(output_dir / "5-satisfied.png"), full_page=True)

    # 5. the case is on the 满意清单, without the resident's name or the description
    office.goto(f"{server}/cases")
    wait_idle(office)
    press(office, office.get_by_role("tab", name="满意清单"))
    table = office.locator("[data-testid='stDataFrame']")
    table.wait_for()
    office.screenshot(path=str(output_dir / "6-satisfied-list.png"), full_page=True)
    assert office.get_by_text(LAMP).count() == 0
