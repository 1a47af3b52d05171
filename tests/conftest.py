"""Fixtures: a fresh database per test, the demo database, signed-in AppTests.

By default each test gets its own SQLite file. With BOARD_TEST_DATABASE_URL set to a
PostgreSQL URL (CI does this), the same tests run there, the schema made anew per test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

import models  # noqa: F401
from models.accounts import Role
from models.base import local_today
from services import auth, db, demo, settings, visit_memory
from services.access import Actor

os.environ.setdefault("BOARD_SECRET_KEY", "test-secret-key-not-for-production")
# The reminders' sender thread stays off in tests: a served demo would make its reminders,
# and every journey's bell would count them (server.py starts it unless this is 0).
os.environ.setdefault("BOARD_OUTBOX_THREAD", "0")
# The test demo's today is the day the suite runs: the pages read the clock (open tasks,
# the programme, check-in windows), and a demo built for a fixed day ran out of future
# tasks and events within weeks (18 page tests failed 26 days after it).
DEMO_TODAY = local_today()
ROOT = Path(__file__).resolve().parent.parent


def _worker_url(url: str) -> str:
    """Under pytest-xdist each worker has a PostgreSQL database of its own (board_test_gw0,
    ...), so the PostgreSQL run can use both cores; made on first use, by _pg_database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


PG_BASE_URL = os.environ.get("BOARD_TEST_DATABASE_URL", "")
PG_URL = _worker_url(PG_BASE_URL)


def use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> Engine:
    """Points the whole app (services, ui, AppTest scripts) at url."""
    monkeypatch.setenv("DATABASE_URL", url)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    visit_memory.forget()  # a fresh database at a URL used before (PostgreSQL) starts clean
    return db.get_engine()


@pytest.fixture(autouse=True, scope="session")
def _pg_database() -> None:
    """Makes this worker's PostgreSQL database when it is not the one the run was given."""
    if not PG_URL or PG_URL == PG_BASE_URL:
        return
    name = make_url(PG_URL).database
    admin = create_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).first()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()


@pytest.fixture(scope="session")
def pg_schema() -> None:
    """PostgreSQL: the schema is built once per run; each test then empties the tables."""
    eng = db.make_engine(PG_URL)
    SQLModel.metadata.drop_all(eng)
    SQLModel.metadata.create_all(eng)
    eng.dispose()


def _emptied(eng: Engine) -> None:
    """Every table of the models emptied and its ids restarted: one statement, where
    dropping and creating ~25 tables took most of each PostgreSQL test's time."""
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with eng.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    """A fresh, empty database with the full schema."""
    if PG_URL:
        request.getfixturevalue("pg_schema")
        eng = use_database(monkeypatch, PG_URL)
        SQLModel.metadata.create_all(eng)  # a test before may have dropped tables
        _emptied(eng)
    else:
        shutil.copy(request.getfixturevalue("schema_template"), tmp_path / "board.db")
        eng = use_database(monkeypatch, f"sqlite:///{tmp_path / 'board.db'}")
    yield eng
    eng.dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database with the full schema, made once per worker and copied for
    each test: making the ~50 tables and their indexes took 70–110 ms a test."""
    path = tmp_path_factory.mktemp("schema") / "empty.db"
    eng = db.make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(eng)
    eng.dispose()
    return path


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The community-sized demo, built once per test run (SQLite file)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    eng = db.make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(eng)
    demo.load_demo(eng, size="community", seed=42, today=DEMO_TODAY)
    eng.dispose()
    return path


@pytest.fixture
def demo_engine(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A private copy of the demo database, so a test may write to it."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    eng = use_database(monkeypatch, f"sqlite:///{path}")
    yield eng
    eng.dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2 with the production parameters costs ~0.9 s a hash: seconds per test that
    makes accounts. Under test the same algorithm runs with its smallest parameters
    (services/auth.py keeps the real ones; a real server re-hashes on the next sign-in)."""
    from argon2 import PasswordHasher

    real, real_dummy = auth._hasher, auth._DUMMY_HASH
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    auth._DUMMY_HASH = auth._hasher.hash("not-a-real-password")
    yield
    auth._hasher, auth._DUMMY_HASH = real, real_dummy


# --- factories ------------------------------------------------------------------


def make_community(session: Session, name: str = "四千米社区") -> int:
    from models.org import Community

    row = Community(name=name, street="大学西路街道", district="赛罕区")
    session.add(row)
    session.commit()
    return row.id


def make_account(
    session: Session,
    username: str,
    role: Role,
    community_id: int | None,
    password: str = "secret123",
) -> Actor:
    from models.accounts import Account

    row = Account(
        username=username,
        password_hash=auth.hash_password(password),
        display_name=username,
        role=role,
        community_id=community_id,
    )
    session.add(row)
    session.commit()
    return auth.actor_of(row)


def sign_in_token(engine: Engine, username: str, password: str = demo.DEMO_PASSWORD) -> str:
    with db.transaction(engine) as s:
        result = auth.sign_in(session=s, username=username, password=password)
    assert result.token, result.error_key
    return result.token


def app_test(
    engine: Engine,
    username: str | None,
    page: str | None = None,
    *,
    lang: str = "zh_CN",
    timeout: float = 30,
):
    """An AppTest of the board signed in as username (None: signed out), optionally on page."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["ui_lang"] = lang
    if username:
        at.session_state["auth_token"] = sign_in_token(engine, username)
    if page:  # straight to the page: the role's home page is not rendered first
        at.switch_page(page)
    at.run()
    return at
