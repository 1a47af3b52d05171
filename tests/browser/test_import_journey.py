"""A secretary brings her Excel list of volunteers in: one row has a bad phone, the page
says so, she imports the good rows, finds the new volunteers on the volunteers page, and
undoes the import the same day."""

import secrets

from openpyxl import Workbook
from sqlmodel import Session, col, select

from models.volunteers import Volunteer
from services import db
from tests.browser.conftest import DESKTOP, press, rerun, sign_in, wait_idle


def _volunteers(server, tag: str) -> list[tuple[str, bool]]:
    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        rows = [
            (v.name, v.active)
            for v in s.exec(
                select(Volunteer)
                .where(col(Volunteer.name).startswith(f"导{tag}"))
                .order_by(col(Volunteer.id))
            )
        ]
    engine.dispose()
    return rows


def test_a_secretary_imports_the_good_rows_of_her_list_and_undoes_it(
    server, browser, output_dir, tmp_path
):
    tag = secrets.token_hex(2)
    phone = f"139{secrets.randbelow(10**6):06d}"
    book = Workbook()
    for row in (
        ["四千米社区志愿者台账"],
        ["姓名", "手机号", "所属网格", "政治面貌"],
        [f"导{tag}甲", phone + "01", "第一网格", "中共党员"],
        [f"导{tag}乙", "1390000", "第一网格", "群众"],
        [f"导{tag}丙", phone + "03", "", ""],
    ):
        book.active.append(row)
    path = tmp_path / "志愿者台账.xlsx"
    book.save(path)

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, server, "shuji")
    page.goto(f"{server}/imports")
    wait_idle(page)
    with rerun(page):
        page.locator(".st-key-imports_file_0 input[type=file]").set_input_files(str(path))
    # the reasons are in a table (drawn on a canvas; its cells are there, hidden)
    page.get_by_text("联系电话不是有效的手机号").wait_for(state="attached", timeout=20000)
    page.get_by_text("校验结果").scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "1-report.png"), full_page=True)
    assert _volunteers(server, tag) == []

    press(page, page.locator(".st-key-imports_good_only label"))
    press(page, page.locator(".st-key-imports_go_file button"))
    page.get_by_text("将导入 2 条志愿者记录，跳过 1 行。确定导入吗？").wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / "2-asks.png"), full_page=True)
    press(page, page.locator(".st-key-imports_go_yes_file button"))
    page.get_by_text("已导入 2 位志愿者").wait_for(timeout=30000)
    wait_idle(page)
    page.screenshot(path=str(output_dir / "3-imported.png"), full_page=True)
    assert _volunteers(server, tag) == [(f"导{tag}甲", True), (f"导{tag}丙", True)]

    page.goto(f"{server}/volunteers")
    wait_idle(page)
    page.locator(".st-key-volunteers_search input").fill(f"导{tag}")
    with rerun(page):
        page.locator(".st-key-volunteers_search input").press("Enter")
    page.locator("[data-testid='stDataFrame'] td", has_text=f"导{tag}丙").first.wait_for(
        state="attached", timeout=20000
    )
    assert page.locator("[data-testid='stDataFrame'] td", has_text=f"导{tag}甲").count()
    page.screenshot(path=str(output_dir / "4-volunteers.png"), full_page=True)

    page.goto(f"{server}/imports")
    wait_idle(page)
    undo = page.locator("[class*='st-key-imports_undo_'] button").first
    press(page, undo)
    press(page, page.locator("[class*='st-key-imports_undo_yes_'] button").first)
    page.get_by_text("已撤销导入，停用 2 条记录").wait_for(timeout=20000)
    wait_idle(page)
    assert page.locator("[class*='st-key-imports_undo_'] button").count() == 0
    page.screenshot(path=str(output_dir / "5-undone.png"), full_page=True)
    assert _volunteers(server, tag) == [(f"导{tag}甲", False), (f"导{tag}丙", False)]
    context.close()
