"""The real server on 127.0.0.1 with a copy of the demo database, and Debian's Chromium.

Screenshots go under test-output/<test name>/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(str):
    """The base URL (a str), plus the server's database URL for test setup."""

    database_url: str


@contextmanager
def serve(db_path: Path, **env_vars: str) -> Iterator[Server]:
    """The board served on 127.0.0.1 from the SQLite file db_path, with env_vars set."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (scripts/system-deps.sh)")
    port = _free_port()
    url = f"sqlite:///{db_path}"
    env = {**os.environ, "DATABASE_URL": url, "BOARD_SECRET_KEY": "browser-test-key", **env_vars}
    log = open(db_path.with_suffix(".log"), "w")  # noqa: SIM115 (closed below)
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
        pytest.fail(f"server did not start: {db_path.with_suffix('.log').read_text()}")
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


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
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


def sign_in(page, base: str, username: str, password: str = "demo1234") -> None:
    page.goto(base)
    wait_idle(page)
    page.get_by_role("textbox", name="用户名").fill(username)
    page.get_by_role("textbox", name="密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # The browser passes through /session/enter, which sets the cookie, and comes back.
    page.wait_for_url(f"{base}/", timeout=20000)
    page.wait_for_selector('[data-testid="stSidebar"] button:has-text("退出登录")', timeout=20000)
    wait_idle(page)
