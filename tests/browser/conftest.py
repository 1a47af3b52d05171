"""The real server on 127.0.0.1 with a copy of the demo database, and Debian's Chromium.

Screenshots go under test-output/<test name>/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


# The longest journeys (a minute or near it), started first: begun last, one of them
# alone on a worker sets the end of the whole run.
LONGEST_FIRST = ("test_fresh_office_journey.py", "test_case_journey.py", "test_accessibility.py")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: Path(str(item.fspath)).name not in LONGEST_FIRST)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(str):
    """The base URL (a str), plus the server's database URL for test setup."""

    database_url: str


@contextmanager
def serve(
    database: Path | str, *, log_path: Path | None = None, **env_vars: str
) -> Iterator[Server]:
    """The board served on 127.0.0.1, with env_vars set, from `database`: a SQLite file
    (a Path; its log beside it) or a database URL (a str, e.g. PostgreSQL; give
    `log_path`). Servers started on the same database URL and BOARD_SECRET_KEY share
    their data and sign-ins."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (scripts/system-deps.sh)")
    port = _free_port()
    if isinstance(database, Path):
        url = f"sqlite:///{database}"
        log_path = log_path or database.with_suffix(".log")
    else:
        url = database
        if log_path is None:
            raise ValueError("serve(url) needs log_path: where the server writes its log")
    env = {**os.environ, "DATABASE_URL": url, "BOARD_SECRET_KEY": "browser-test-key", **env_vars}
    log = open(log_path, "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "server.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
        pytest.fail(f"server did not start: {log_path.read_text()}")
    running = Server(base)
    running.database_url = url
    try:
        yield running
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One board server for the browser tests, on its own copy of the demo database."""
    db_path = tmp_path_factory.mktemp("server") / "board.db"
    shutil.copy(demo_template, db_path)
    with serve(db_path) as running:
        yield running


# Counts the runs of the script the page has seen begin: Streamlit marks the app
# "running" only once the server says so, some time after a press, so waiting for
# "notRunning" right after a press can return before the run it started has begun.
COUNT_RUNS = """
window.__stRuns = 0;
new MutationObserver(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute("data-test-script-state");
  if (state === "running" && window.__stLast !== "running") window.__stRuns += 1;
  window.__stLast = state;
}).observe(document, {attributes: true, subtree: true,
                      attributeFilter: ["data-test-script-state"]});
"""


class Chromium:
    """Debian's Chromium; every context it opens counts the runs of the script."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.add_init_script(COUNT_RUNS)
        return context

    def open_pages(self) -> list:
        return [page for context in self._browser.contexts for page in context.pages]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed journey leaves a picture of every page still open: failed-<n>.png."""
    report = yield
    if report.when == "call" and report.failed and "browser" in item.funcargs:
        out = ROOT / "test-output" / item.name
        out.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(item.funcargs["browser"].open_pages()):
            with suppress(Exception):  # a page that has crashed has no picture to give
                page.screenshot(path=str(out / f"failed-{n}.png"), full_page=True)
    return report


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield Chromium(b)
        b.close()


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    path = ROOT / "test-output" / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path


def wait_idle(page) -> None:
    """Waits until Streamlit has finished running the script for this page."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=20000
    )


@contextmanager
def rerun(page) -> Iterator[None]:
    """Waits, after the body, for the run of the script that a press in it started.

    `with rerun(page): button.click()`. A run too quick to be seen, or a press that starts
    none, costs the wait below (long: on a loaded machine a run may begin seconds late) and then the usual wait for an idle app."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # A press during a run (the one a click before it started) restarts that run, and
    # the app never leaves "running": no new run is seen. So the app is idle first.
    wait_idle(page)
    before = page.evaluate("window.__stRuns || 0")
    yield
    try:
        page.wait_for_function("n => (window.__stRuns || 0) > n", arg=before, timeout=10000)
    except PlaywrightTimeout:
        warnings.warn("no run began after the press: a wasted wait of 10 s", stacklevel=3)
    wait_idle(page)


def press(page, button) -> None:
    """Clicks `button` and waits for the run it starts; clicks once more if none began.

    On a loaded machine a table drawn late above the button can move it between
    Playwright's check that it stands still and the click, which then lands beside it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wait_idle(page)  # as in rerun(): a press during a run starts no run of its own
    before = page.evaluate("window.__stRuns || 0")
    button.click()
    try:
        page.wait_for_function("n => (window.__stRuns || 0) > n", arg=before, timeout=10000)
    except PlaywrightTimeout:
        button.click()
        page.wait_for_function("n => (window.__stRuns || 0) > n", arg=before, timeout=10000)
    wait_idle(page)


def download(page, button, *, attempts: int = 2):
    """Clicks a download `button` and returns the Download. A click while a run redraws
    the button is lost (CI saw no download within 30 s once): after an idle app, once more."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        wait_idle(page)
        try:
            with page.expect_download(timeout=15000) as started:
                button.click()
            return started.value
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def choose(page, key: str, option, *, in_form: bool = False, attempts: int = 3) -> None:
    """Picks `option` (a name or a compiled pattern) in the selectbox with key `key`, and
    waits for the run the pick starts (none in a form: `in_form`).

    A run that ends while the list is open redraws the box and closes the list; then the
    list is opened again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wait_idle(page)
    shown = page.locator(f".st-key-{key} input").input_value()
    if shown == option or (isinstance(option, re.Pattern) and option.search(shown)):
        return  # picked already: picking it again starts no run to wait for
    for attempt in range(attempts):
        wait_idle(page)
        page.locator(f".st-key-{key} input").click()
        option_item = page.get_by_role("option", name=option).first
        try:
            if in_form:
                option_item.click(timeout=5000)
            else:
                with rerun(page):
                    option_item.click(timeout=5000)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


def sign_in(page, base: Server, username: str, password: str = "demo1234") -> None:
    """Signs `username` in without the form's page: the test checks the password through
    the same service the form calls and takes the browser through ENTER_PATH with the
    one-time code, where the server sets the cookie as after a typed sign-in. The form
    costs a page load, a run and a password hash on the server per journey; the journeys
    about signing in (fresh office, task links, check-in, the meeting page, two servers)
    type into it (`sign_in_by_form`)."""
    from services import auth, db
    from ui.session import ENTER_PATH

    engine = db.make_engine(base.database_url)
    try:
        with db.transaction(engine) as session:
            result = auth.sign_in(session=session, username=username, password=password)
    finally:
        engine.dispose()
    assert result.handoff_code, f"{username} could not sign in: {result.error_key}"
    page.goto(f"{base}{ENTER_PATH}?code={result.handoff_code}&next=/")
    page.wait_for_url(f"{base}/", timeout=20000)
    page.wait_for_selector('[data-testid="stSidebar"] button:has-text("退出登录")', timeout=20000)
    wait_idle(page)


def sign_in_by_form(page, base: str, username: str, password: str = "demo1234") -> None:
    """Types into the sign-in form and waits for the board behind it."""
    page.goto(base)
    wait_idle(page)
    page.get_by_role("textbox", name="用户名").fill(username)
    page.get_by_role("textbox", name="密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # The browser passes through /session/enter, which sets the cookie, and comes back.
    page.wait_for_url(f"{base}/", timeout=20000)
    page.wait_for_selector('[data-testid="stSidebar"] button:has-text("退出登录")', timeout=20000)
    wait_idle(page)
