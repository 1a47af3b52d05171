"""Two app servers on one PostgreSQL (issue 16): a sign-in on server A is a sign-in on
server B (the session row is in the database, the cookie is signed with the same
BOARD_SECRET_KEY), and a visit recorded through A is seen at once on B's pages, which
had been read and cached on B before the write: the elders page's overdue count (a
cached read, services/data_versions.py) and the dashboard's key figures (a cached read
over services/visit_memory.py). B is never restarted.

Runs only against PostgreSQL: scripts/with-postgres.sh .venv/bin/pytest -m browser
tests/browser/test_two_servers.py (make test-postgres runs it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import create_engine, func
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from models.accounts import Account
from models.elders import Visit
from services import db, visit_plan
from services.auth import COOKIE_NAME, actor_of
from tests.browser.conftest import DESKTOP, rerun, serve, sign_in_by_form, wait_idle
from tests.conftest import PG_BASE_URL, PG_URL, ROOT
from ui.filters import today

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="needs PostgreSQL (scripts/with-postgres.sh, make test-postgres)"
)

SECRET = "two-servers-shared-key"  # the same on every server: a cookie signed by one is good on all


@pytest.fixture
def shared_database() -> Iterator[str]:
    """A PostgreSQL database of its own (the test database may hold tables made by other
    tests), prepared as `make run` prepares one: migrations, then the demo."""
    base = make_url(PG_BASE_URL)
    name = f"{base.database}_two_servers"
    url = base.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "BOARD_DEMO": "1", "BOARD_SECRET_KEY": SECRET}
    subprocess.run(
        [sys.executable, "manage.py", "prepare"], cwd=ROOT, env=env, check=True, timeout=600
    )
    yield url
    drop()
    admin.dispose()


def _shuji_overdue(url: str) -> tuple[int, list[tuple[int, str]]]:
    """shuji's overdue elders as the database has them now: (total, [(id, name), ...])."""
    engine = db.make_engine(url)
    with Session(engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
        overdue = visit_plan.overdue_elders(session=s, actor=shuji, today=today())
    engine.dispose()
    rows = overdue.rows
    return overdue.total, [(int(i), n) for i, n in zip(rows["id"], rows["name"], strict=True)]


def _visits(url: str, elder_id: int | None = None) -> int:
    engine = db.make_engine(url)
    with Session(engine) as s:
        query = select(func.count()).select_from(Visit)
        if elder_id is not None:
            query = query.where(Visit.elder_id == elder_id)
        n = s.exec(query).one()
    engine.dispose()
    return n


def _number(text: str) -> int:
    found = re.search(r"\d[\d,]*", text)
    assert found, f"no number in {text!r}"
    return int(found.group().replace(",", ""))


def _elders_overdue_shown(page, base: str) -> int:
    """Opens the elders page (its first tab: the overdue list) and reads 逾期未探访 N 人."""
    page.goto(f"{base}/elders")
    wait_idle(page)
    heading = page.locator("h2", has_text=re.compile(r"逾期未探访 \d+ 人"))
    heading.wait_for(timeout=20000)
    return _number(heading.inner_text())


def _dashboard_shown(page, base: str) -> dict[str, int]:
    """Opens the dashboard and reads the overdue alert and two key figures."""
    page.goto(f"{base}/dashboard")
    wait_idle(page)
    alert = page.get_by_text(re.compile(r"\d+ 位老人已超过探访周期未探访"))
    alert.wait_for(timeout=20000)
    shown = {"alert": _number(alert.inner_text())}
    for key, label in (("visits", "探访老人次数"), ("overdue", "逾期未探访的老人")):
        metric = page.locator('[data-testid="stMetric"]', has_text=label)
        shown[key] = _number(metric.locator('[data-testid="stMetricValue"]').inner_text())
    return shown


def _signed_in_as_shuji(page) -> None:
    page.wait_for_selector('[data-testid="stSidebar"] button:has-text("退出登录")', timeout=20000)


def test_a_write_through_one_server_is_seen_at_once_on_the_other(
    shared_database, browser, output_dir, tmp_path
):
    url = shared_database
    total, overdue = _shuji_overdue(url)
    assert total > 0, "the demo has overdue elders in shuji's community"
    elder_id, name = overdue[0]  # the most overdue: the one the visit form offers first
    visits_before, elder_visits_before = _visits(url), _visits(url, elder_id)
    with ExitStack() as stack:
        a = stack.enter_context(serve(url, log_path=tmp_path / "a.log", BOARD_SECRET_KEY=SECRET))
        b = stack.enter_context(serve(url, log_path=tmp_path / "b.log", BOARD_SECRET_KEY=SECRET))
        assert a != b and a.database_url == b.database_url == url

        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page_a = context.new_page()
        sign_in_by_form(page_a, a, "shuji")
        # The cookie is scoped to the host, not the port: the browser sends it to B too.
        cookie = next(c for c in context.cookies(a) if c["name"] == COOKIE_NAME)
        assert cookie["domain"] == "127.0.0.1" and cookie["httpOnly"]
        assert any(c["name"] == COOKIE_NAME for c in context.cookies(b))

        # B: signed in by the cookie alone (a new Streamlit session, nothing typed on B)
        page_b = context.new_page()
        before_b = _dashboard_shown(page_b, b)
        _signed_in_as_shuji(page_b)
        assert before_b["alert"] == before_b["overdue"] == total
        elders_b = _elders_overdue_shown(page_b, b)
        assert elders_b == total
        # seen twice: the second view of each page is B's cache, read before the write
        assert _dashboard_shown(page_b, b) == before_b
        assert _elders_overdue_shown(page_b, b) == total
        page_b.wait_for_timeout(1500)  # the table draws on a canvas after the run
        page_b.screenshot(path=str(output_dir / "1-b-elders-before.png"), full_page=True)
        # without the cookie B asks for a sign-in: it is the cookie that signs in
        stranger = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        anonymous = stranger.new_page()
        anonymous.goto(f"{b}/elders")
        wait_idle(anonymous)
        anonymous.get_by_role("button", name="登录").wait_for(timeout=20000)
        stranger.close()

        # A: its own pages cached too, then the visit recorded through A's page
        assert _elders_overdue_shown(page_a, a) == total
        page_a.goto(f"{a}/visit_record")
        wait_idle(page_a)
        page_a.wait_for_selector("h1:has-text('记录探访')")
        assert page_a.locator(".st-key-visit_elder input").input_value().startswith(f"⚠ {name}")
        with rerun(page_a):
            page_a.get_by_role("button", name="保存探访记录").click()
        card = page_a.locator(f".st-key-visit_card_{elder_id}")
        card.get_by_text(f"已记录对 {name} 的探访").wait_for(timeout=20000)
        wait_idle(page_a)
        page_a.screenshot(path=str(output_dir / "2-a-visit-recorded.png"), full_page=True)
        assert _visits(url, elder_id) == elder_visits_before + 1  # through A, in the database
        assert _visits(url) == visits_before + 1
        total_after, overdue_after = _shuji_overdue(url)
        assert total_after == total - 1 and elder_id not in dict(overdue_after)

        # B, not restarted: its cached pages show the write at once
        assert _elders_overdue_shown(page_b, b) == total - 1
        page_b.wait_for_timeout(1500)  # the table draws on a canvas after the run
        page_b.screenshot(path=str(output_dir / "3-b-elders-after.png"), full_page=True)
        after_b = _dashboard_shown(page_b, b)
        page_b.wait_for_timeout(1500)
        page_b.screenshot(path=str(output_dir / "4-b-dashboard-after.png"), full_page=True)
        assert after_b == {
            "alert": total - 1,
            "overdue": total - 1,
            "visits": before_b["visits"] + 1,
        }
        # and A agrees
        assert _elders_overdue_shown(page_a, a) == total - 1
        context.close()
