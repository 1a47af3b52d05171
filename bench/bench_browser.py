"""The board in Chromium (issue 16), on the community demo served by `streamlit run
server.py` as the browser tests serve it (tests/browser/conftest.py), median of 5:

- from pressing 登录 to the home page settled (for shuji, the dashboard): < 3 s
- switching pages from the sidebar (关爱老人, then 任务管理): < 1.5 s
- the dashboard settled, opened from the sidebar: < 3 s

Settled: the script has run to its end (notRunning) and the page's title is shown.
Each round signs in afresh in a new browser context; one round first warms the server.
`python bench/run.py browser` or `make bench-browser`; never part of the unit tests.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from contextlib import closing
from pathlib import Path

from bench.common import OUTPUT, RESULTS, Result
from bench.database import Database, sqlite_demo

SIZES = ("community",)  # bench/run.py runs this on the community demo, whatever --size says
ROUNDS = 5
USERNAME = "shuji"  # a secretary: her home page is the dashboard


def run(size: str) -> Database:
    from playwright.sync_api import sync_playwright

    from services.demo import DEMO_PASSWORD
    from services.i18n import translate
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, Chromium, rerun, serve

    database = sqlite_demo(size)
    served = _fresh_copy(Path(database.url.removeprefix("sqlite:///")), OUTPUT / "browser.db")
    home, elders, tasks = (translate(k) for k in ("dashboard.title", "nav.elders", "nav.tasks"))
    failed = translate("error.unexpected_title")
    samples: dict[str, list[float]] = {"sign_in": [], "switch": [], "dashboard": []}

    def settled(page, title: str) -> None:
        page.locator('[data-testid="stMain"] h1', has_text=title).first.wait_for(timeout=30000)
        page.wait_for_selector(
            '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30000
        )
        if page.get_by_text(failed).count():  # a page that failed is no figure
            raise RuntimeError(f"{title} failed: see {served.with_suffix('.log')}")

    def open_from_sidebar(page, title: str) -> float:
        link = page.locator('[data-testid="stSidebarNavLink"]', has_text=title).first
        started = time.perf_counter()
        with rerun(page):
            link.click()
        settled(page, title)
        return time.perf_counter() - started

    def one_round(base: str, chromium: Chromium) -> dict[str, list[float]]:
        context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
        page = context.new_page()
        page.goto(base)
        page.get_by_role("textbox", name="用户名").fill(USERNAME)
        page.get_by_role("textbox", name="密码").fill(DEMO_PASSWORD)
        started = time.perf_counter()
        page.get_by_role("button", name="登录").click()
        page.wait_for_selector(
            '[data-testid="stSidebar"] button:has-text("退出登录")', timeout=30000
        )
        settled(page, home)
        figures = {
            "sign_in": [time.perf_counter() - started],
            "switch": [open_from_sidebar(page, elders), open_from_sidebar(page, tasks)],
            "dashboard": [open_from_sidebar(page, home)],
        }
        context.close()
        return figures

    with serve(served) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        one_round(base, Chromium(browser))  # warm-up: the server's first runs import a lot
        for _ in range(ROUNDS):
            for key, seconds in one_round(base, Chromium(browser)).items():
                samples[key].extend(seconds)
        browser.close()

    for key, label, target_ms in (
        ("sign_in", f"登录 to the home page settled ({USERNAME}: dashboard)", 3000),
        ("switch", "switching pages from the sidebar (elders, tasks)", 1500),
        ("dashboard", "dashboard settled, opened from the sidebar", 3000),
    ):
        ms = [s * 1000 for s in samples[key]]
        result = Result(
            f"browser: {label}", statistics.median(ms), max(ms), len(ms), target_ms=target_ms
        )
        RESULTS.append(result)
        print(result.line(), flush=True)
    return database


def _fresh_copy(source: Path, target: Path) -> Path:
    """A copy of the demo for the server, so the sessions of the rounds stay out of it.
    SQLite's backup takes what the source's write-ahead log holds too; the log of an
    earlier copy would corrupt this one, so it goes first."""
    for stale in (
        target,
        target.with_name(target.name + "-wal"),
        target.with_name(target.name + "-shm"),
    ):
        stale.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target
