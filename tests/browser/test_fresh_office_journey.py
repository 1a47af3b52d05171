"""A real office starting from nothing (BOARD_DEMO=0, an empty database): the street
admin creates the board's first account, two communities with three grids each, a
secretary and a grid worker; the secretary signs in (choosing her own password), adds
a volunteer, an elder and a merchant and publishes a task; the grid worker records a
visit; the dashboard counts them. Screenshots (phone and desktop) go to test-output/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from services import migrate
from tests.browser.conftest import DESKTOP, PHONE, Server, rerun, serve, wait_idle


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The board served on an empty, migrated database of its own, without demo data."""
    db_path = tmp_path_factory.mktemp("fresh") / "board.db"
    migrate.upgrade(f"sqlite:///{db_path}")
    with serve(db_path, BOARD_DEMO="0") as running:
        yield running


def _fill(page, key: str, value: str) -> None:
    page.locator(f".st-key-{key} input, .st-key-{key} textarea").first.fill(value)


def _press(page, name: str, scope=None) -> None:
    (scope or page).get_by_role("button", name=name, exact=True).click()
    page.wait_for_timeout(300)
    wait_idle(page)


def _shots(page, output_dir: Path, name: str) -> None:
    """The same page at desktop width and on a phone."""
    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(400)
    page.screenshot(path=str(output_dir / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)
    page.screenshot(path=str(output_dir / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(300)


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base)
    wait_idle(page)
    page.get_by_role("textbox", name="用户名").fill(username)
    page.get_by_role("textbox", name="密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/", timeout=20000)
    page.wait_for_selector('[data-testid="stSidebar"]', state="attached", timeout=20000)
    wait_idle(page)


def _no_streamlit_english(page) -> None:
    body = page.locator('[data-testid="stMain"]').inner_text()
    for english in ("No options to select", "Choose options", "Choose an option", "Press Enter"):
        assert english not in body, english


def test_a_fresh_office_starts_from_nothing(empty_server, browser, output_dir):
    base = empty_server
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(base)
    wait_idle(page)
    page.wait_for_selector("text=首次使用", timeout=20000)
    _shots(page, output_dir, "0-create-admin")
    _fill(page, "setup_username", "jiedao")
    _fill(page, "setup_display_name", "街道管理员")
    _fill(page, "setup_password", "admin-pass-1")
    _fill(page, "setup_confirm", "admin-pass-1")
    _press(page, "创建并登录")
    # the first-start steps
    page.wait_for_selector("text=第 1 步，共 4 步", timeout=30000)
    wait_idle(page)
    _shots(page, output_dir, "1-street")
    _fill(page, "setup_street_name", "新华街道")
    _fill(page, "setup_district", "新城区")
    _press(page, "保存并继续")
    page.wait_for_selector("text=第 2 步，共 4 步", timeout=20000)
    _fill(page, "setup_community_names", "东风社区\n光明社区")
    _shots(page, output_dir, "2-communities")
    _press(page, "添加并继续")
    page.wait_for_selector("text=第 3 步，共 4 步", timeout=20000)
    wait_idle(page)
    _shots(page, output_dir, "3-grids")
    _press(page, "创建网格并继续")
    page.wait_for_selector("text=第 4 步，共 4 步", timeout=20000)
    wait_idle(page)
    box = page.locator(".st-key-setup_accounts_box_1")
    _fill(page, "setup_secretary_1_0_username", "dongfeng")
    _fill(page, "setup_secretary_1_0_name", "东风书记")
    _fill(page, "setup_secretary_1_0_password", "first-pass-1")
    _press(page, "创建社区书记账号", box)
    page.wait_for_selector("text=账号 dongfeng 已创建", timeout=20000)
    _fill(page, "setup_grid_worker_1_0_username", "wangge1")
    _fill(page, "setup_grid_worker_1_0_name", "网格员甲")
    _fill(page, "setup_grid_worker_1_0_password", "first-pass-2")
    page.locator(".st-key-setup_grid_worker_1_0_grids").click()
    page.get_by_role("option", name="第一网格").click()
    page.keyboard.press("Escape")
    wait_idle(page)
    _shots(page, output_dir, "4-accounts")
    _no_streamlit_english(page)
    _press(page, "创建网格员账号", box)
    page.wait_for_selector("text=账号 wangge1 已创建", timeout=20000)
    _press(page, "完成设置")
    page.wait_for_selector("h1:has-text('组织架构')", timeout=20000)
    wait_idle(page)
    page.wait_for_timeout(1000)
    _shots(page, output_dir, "5-organisation")
    _no_streamlit_english(page)
    with rerun(page):  # a tab click starts a run: only the open tab is drawn
        page.get_by_role("tab", name="政策标准").click()
    page.wait_for_timeout(500)
    _shots(page, output_dir, "6-policy")
    context.close()

    # The secretary: her own password first, then a volunteer, an elder, a merchant, a task.
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    _first_sign_in(page, base, "dongfeng", "first-pass-1", "dongfeng-own-1", output_dir)
    page.wait_for_selector("h1:has-text('工作看板')", timeout=20000)
    _open_tab(page, f"{base}/volunteers", "登记志愿者")
    _fill(page, "volunteers_name", "李志愿")
    _fill(page, "volunteers_phone", "13912345678")
    _submit_form(page, "volunteers_name", "创建")
    _open_tab(page, f"{base}/elders", "登记老人")
    _fill(page, "elders_name", "张奶奶")
    _fill(page, "elders_address", "东风小区 3 号楼 2 单元 101")
    birth = page.locator(".st-key-elders_birth input")
    if not birth.input_value():  # the date may start empty
        birth.fill("1940-05-01", force=True)  # a native date input takes ISO dates
        wait_idle(page)
    _pick(page, "elders_grid", "第一网格")
    _submit_form(page, "elders_name", "创建")
    page.screenshot(path=str(output_dir / "7-elder-added.png"), full_page=True)
    _open_tab(page, f"{base}/merchants", "登记商户")
    _fill(page, "merchants_shop", "东风便利店")
    _fill(page, "merchants_owner", "赵老板")
    _fill(page, "merchants_phone", "13812345678")
    _fill(page, "merchants_business", "零售")
    _fill(page, "merchants_address", "东风路 1 号")
    _submit_form(page, "merchants_shop", "创建")
    _open_tab(page, f"{base}/tasks", "发布新任务")
    _fill(page, "tasks_title", "陪老人理发")
    _fill(page, "tasks_place", "东风社区服务站")
    _submit_form(page, "tasks_title", "发布任务")
    counts = _counts(empty_server.database_url)
    assert counts == {"volunteer": 1, "elder": 1, "merchant": 1, "task": 1, "visit": 0}, counts
    context.close()

    # The grid worker, on a phone: his own password, then a visit to the elder of his grid.
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    _first_sign_in(page, base, "wangge1", "first-pass-2", "wangge-own-1", output_dir)
    page.wait_for_selector("h1:has-text('记录探访')", timeout=20000)
    wait_idle(page)
    _press(page, "保存探访记录")
    page.wait_for_selector("text=已记录对 张奶奶 的探访", timeout=20000)
    page.screenshot(path=str(output_dir / "8-visit-phone.png"), full_page=True)
    assert _counts(empty_server.database_url)["visit"] == 1
    context.close()

    # The dashboard counts what was done.
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    _sign_in(page, base, "dongfeng", "dongfeng-own-1")
    page.wait_for_selector("h1:has-text('工作看板')", timeout=20000)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=20000)
    wait_idle(page)
    # the visit counts (探访老人次数 1) once the run has drawn every figure
    metrics = page.locator('[data-testid="stMetricValue"]')
    metrics.filter(has_text=re.compile(r"^\s*1")).first.wait_for(timeout=20000)
    _shots(page, output_dir, "9-dashboard")
    assert any(f.strip().startswith("1") for f in metrics.all_inner_texts())
    context.close()


def _first_sign_in(page, base: str, username: str, first: str, own: str, output_dir) -> None:
    """Signs in with a handed-out password and replaces it."""
    _sign_in(page, base, username, first)
    page.wait_for_selector("h1:has-text('设置新密码')", timeout=20000)
    page.screenshot(path=str(output_dir / f"7-password-{username}.png"), full_page=True)
    _fill(page, "password_current", first)
    _fill(page, "password_new", own)
    _fill(page, "password_confirm", own)
    _press(page, "保存新密码")


def _open_tab(page, url: str, tab: str) -> None:
    page.goto(url)
    wait_idle(page)
    with rerun(page):  # a tab click starts a run: only the open tab is drawn
        page.get_by_role("tab", name=tab).click()
    page.wait_for_timeout(300)


def _pick(page, key: str, option: str) -> None:
    page.locator(f".st-key-{key}").click()
    page.get_by_role("option", name=option).click()
    wait_idle(page)


def _submit_form(page, field_key: str, button: str) -> None:
    form = page.locator('[data-testid="stForm"]').filter(has=page.locator(f".st-key-{field_key}"))
    _press(page, button, form)
    page.wait_for_timeout(500)
    wait_idle(page)


def _counts(database_url: str) -> dict[str, int]:
    from sqlalchemy import func
    from sqlmodel import Session, select

    from models import Elder, Merchant, Task, Visit, Volunteer
    from services import db

    engine = db.make_engine(database_url)
    with Session(engine) as s:
        counts = {
            name: s.exec(select(func.count()).select_from(model)).one()
            for name, model in (
                ("volunteer", Volunteer),
                ("elder", Elder),
                ("merchant", Merchant),
                ("task", Task),
                ("visit", Visit),
            )
        }
    engine.dispose()
    return counts
