"""Backup and restore (services/backup.py): a backup restored into an empty database gives
back every row of every table; a backup taken while the board writes is one moment's
database; a restore refuses a database in use unless forced; rotation keeps what it says.

The SQLite tests make their own files (they run the same in the PostgreSQL run); the
PostgreSQL restore runs with BOARD_TEST_DATABASE_URL (scripts/with-postgres.sh) and skips
otherwise.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, text
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel, select

import models  # noqa: F401  (every table on the metadata)
from models.accounts import Account, AuthSession, Role
from models.audit import AuditEntry
from models.base import LOCAL_TZ, utcnow
from models.cases import CalendarDay, Case, CasePhoto, CasePhotoStage
from models.certificates import ServiceCertificate
from models.elders import VisitMonthEnd, VisitToday
from models.imports import ImportBatch, ImportedRecord, ImportKind, ImportMapping
from models.messages import Message, MessageChannel, MessageKind
from models.org import Community, Street
from models.privacy import AccessKind, AccessLogEntry, CorrectionRequest
from models.volunteers import SeriesRule, StarThreshold, TaskKind, TaskSeries, Volunteer
from services import backup, db, demo, migrate
from services.errors import BoardError
from tests.conftest import DEMO_TODAY, PG_BASE_URL, PG_URL


@pytest.fixture(autouse=True)
def backup_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Backups of these tests (a forced restore's too) go to the test's own directory."""
    path = tmp_path / "backups"
    monkeypatch.setenv(backup.BACKUP_DIR_ENV, str(path))
    return path


def _filled(url: str) -> Engine:
    """A database made as an install makes it (the migrations), holding the community
    demo and a row in every table the demo leaves empty."""
    migrate.upgrade(url)
    engine = db.make_engine(url)
    demo.load_demo(engine, size="community", seed=42, today=DEMO_TODAY)
    _fill_the_rest(engine)
    return engine


def _fill_the_rest(engine: Engine) -> None:
    with db.transaction(engine) as s:
        community = s.exec(select(Community).order_by(Community.id)).first()
        account = s.exec(select(Account).where(Account.role == Role.admin)).first()
        volunteer = s.exec(select(Volunteer).order_by(Volunteer.id)).first()
        case = s.exec(select(Case).order_by(Case.id)).first()
        assert community and account and volunteer and case
        now = utcnow()
        batch = ImportBatch(
            community_id=community.id,
            kind=ImportKind.volunteer,
            file_name="志愿者名册.xlsx",
            row_count=1,
            created_count=1,
            skipped_count=0,
            imported_by=account.id,
        )
        s.add(batch)
        s.flush()
        s.add_all(
            [
                Street(name="大学西路街道", district="赛罕区", setup_step=5),
                StarThreshold(stars=1, hours=90),
                CalendarDay(day=date(2026, 10, 9), working=False, note="街道调休"),
                VisitMonthEnd(community_id=community.id, month="2026-10", overdue=3),
                VisitToday(community_id=community.id, day=date(2026, 11, 24), overdue=2),
                AuditEntry(account_id=account.id, action="create", table_name="x", row_id=1),
                AuthSession(
                    token_hash="a" * 64, account_id=account.id, expires_at=now + timedelta(days=1)
                ),
                ImportedRecord(batch_id=batch.id, record_id=volunteer.id),
                ImportMapping(
                    community_id=community.id, kind="volunteer", header="姓名", field="name"
                ),
                ServiceCertificate(
                    number="ZYFW-2026-000001",
                    volunteer_id=volunteer.id,
                    community_id=community.id,
                    period_start=date(2026, 1, 1),
                    period_end=date(2026, 11, 30),
                    service_count=3,
                    total_hours=7.5,
                    digest="0" * 64,
                    person_in_charge="王书记",
                    contact_phone="0471-6661234",
                    issued_by=account.id,
                ),
                AccessLogEntry(
                    account_id=account.id,
                    role="admin",
                    kind=AccessKind.view,
                    record_type="volunteer",
                    record_id=volunteer.id,
                    community_id=community.id,
                    page="volunteers",
                ),
                TaskSeries(
                    community_id=community.id,
                    title="爱心阿姨每周二探访",
                    kind=TaskKind.elder_visit,
                    capacity=4,
                    rule=SeriesRule.weekly,
                    weekdays="1",
                    starts=time(9, 0),
                    minutes=120,
                    first_day=date(2026, 12, 1),
                    until=date(2027, 1, 26),
                ),
                Message(
                    key="task_tomorrow:signup=1:day=2026-12-02",
                    kind=MessageKind.task_tomorrow,
                    channel=MessageChannel.board,
                    account_id=account.id,
                    community_id=community.id,
                    record_type="task",
                    params='{"title": "探访"}',
                ),
                CorrectionRequest(
                    volunteer_id=volunteer.id,
                    community_id=community.id,
                    field="phone",
                    current_value=volunteer.phone,
                    requested="13900001111",
                ),
                CasePhoto(
                    case_id=case.id,
                    stage=CasePhotoStage.report,
                    data=b"\xff\xd8\xff\xe0 a photo \x00\x01",
                    thumbnail=b"\xff\xd8\xff\xe0 thumb",
                    width=640,
                    height=480,
                    taken_by=account.id,
                ),
            ]
        )


def _rows(engine: Engine) -> dict[str, list[tuple]]:
    """Every table's rows, ordered by the primary key."""
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(core_select(table).order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def _revision(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


@pytest.fixture(scope="module")
def source_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The filled SQLite database, built once for this module."""
    path = tmp_path_factory.mktemp("backup") / "source.db"
    _filled(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def source(source_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "source.db"
    shutil.copy(source_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _fresh_install(url: str) -> None:
    """What `make run` with BOARD_DEMO=0 leaves before anyone signs in: the migrations."""
    migrate.upgrade(url)


# --- SQLite ----------------------------------------------------------------------------


def test_backup_then_restore_into_an_empty_database_gives_every_row_back(source, tmp_path):
    made = backup.backup_make(tmp_path / "out", engine=source)
    target_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _fresh_install(target_url)

    assert backup.restore_from(made.path, url=target_url) is None  # nothing there to keep

    target = db.make_engine(target_url)
    expected, restored = _rows(source), _rows(target)
    assert [name for name, rows in expected.items() if not rows] == [], "a row in every table"
    for name in expected:
        assert restored[name] == expected[name], name
    assert _revision(target) == _revision(source)
    target.dispose()


def test_a_backup_is_one_file_named_for_what_and_when(source, tmp_path):
    at = datetime(2026, 12, 6, 18, 30, 5, tzinfo=UTC)  # 02:30:05 on the 7th in Beijing
    made = backup.backup_make(tmp_path / "out", engine=source, now=at)

    assert made.name == "board-backup_sqlite_2026-12-07_023005.sqlite3"
    assert made.made_at == datetime(2026, 12, 7, 2, 30, 5, tzinfo=LOCAL_TZ)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [made.name]  # no -wal
    with closing(sqlite3.connect(made.path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    with pytest.raises(BoardError) as refused:  # the same second again
        backup.backup_make(tmp_path / "out", engine=source, now=at)
    assert refused.value.key == "backup.exists"

    buffer = io.BytesIO()
    backup.backup_to(buffer, engine=source)
    assert buffer.getvalue()[:16] == b"SQLite format 3\x00"
    assert len(buffer.getvalue()) == made.size


def test_a_backup_taken_while_the_board_writes_is_one_moment(source, tmp_path):
    """A writer commits two audit entries per transaction while backups are taken: every
    backup passes the integrity check and holds whole transactions only."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        i = 0
        try:
            while not stop.is_set():
                i += 1
                with db.transaction(source) as s:
                    for half in (1, 2):
                        s.add(AuditEntry(action=f"pair{half}", table_name="pair", row_id=i))
        except BaseException as err:  # reported by the test below
            errors.append(err)

    thread = threading.Thread(target=writer)
    thread.start()
    counts = []
    try:
        for n in range(6):
            path = tmp_path / f"during-{n}.sqlite3"
            backup.backup_to(path, engine=source)
            with closing(sqlite3.connect(path)) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                halves = conn.execute(
                    "SELECT row_id, count(*) FROM auditentry WHERE table_name = 'pair' "
                    "GROUP BY row_id"
                ).fetchall()
            assert all(count == 2 for _, count in halves), "a transaction cut in half"
            counts.append(len(halves))
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert counts == sorted(counts) and counts[-1] > counts[0], "the writer wrote meanwhile"


def test_restore_refuses_a_database_that_holds_data_unless_forced(source, tmp_path, backup_dir):
    made = backup.backup_make(tmp_path / "out", engine=source)
    in_use = tmp_path / "in_use.db"
    shutil.copy(made.path, in_use)
    url = f"sqlite:///{in_use}"
    with db.transaction(db.make_engine(url)) as s:
        s.add(Community(name="只在这里的社区", street="大学西路街道", district="赛罕区"))

    def communities() -> list[str]:
        eng = db.make_engine(url)
        with eng.connect() as conn:
            names = list(conn.execute(core_select(Community.name)).scalars())
        eng.dispose()
        return names

    with pytest.raises(BoardError) as refused:
        backup.restore_from(made.path, url=url)
    assert refused.value.key == "backup.not_empty"
    assert "只在这里的社区" in communities()  # nothing was touched

    kept = backup.restore_from(made.path, url=url, force=True)

    assert "只在这里的社区" not in communities()
    assert kept is not None and kept.path.parent == backup_dir
    with closing(sqlite3.connect(kept.path)) as conn:  # what was replaced is kept
        assert conn.execute(
            "SELECT count(*) FROM community WHERE name = '只在这里的社区'"
        ).fetchone() == (1,)


def test_restore_refuses_what_is_not_a_backup_of_this_board(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _fresh_install(url)
    text_file = tmp_path / "notes.sqlite3"
    text_file.write_text("not a database")
    dump = tmp_path / "board.dump"
    dump.write_bytes(b"PGDMP\x01\x0f\x00 rest of an archive")
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    too_new = tmp_path / "too_new.sqlite3"
    with closing(sqlite3.connect(too_new)) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
        conn.commit()

    refusals = {}
    for path in (tmp_path / "missing.sqlite3", text_file, dump, other, too_new):
        with pytest.raises(BoardError) as refused:
            backup.restore_from(path, url=url)
        refusals[path.name] = (refused.value.key, refused.value.params)

    assert refusals == {
        "missing.sqlite3": ("backup.no_file", {"path": str(tmp_path / "missing.sqlite3")}),
        "notes.sqlite3": ("backup.not_backup", {"path": str(text_file)}),
        "board.dump": ("backup.wrong_engine", {"backup": "postgresql", "board": "sqlite"}),
        "other.sqlite3": ("backup.not_backup", {"path": str(other)}),
        "too_new.sqlite3": ("backup.too_new", {"revision": "9999"}),
    }


def test_an_older_backup_comes_up_to_date(tmp_path):
    """A backup taken before migration 0015 is restored and migrated: the community
    gains the columns 0015 added."""
    old_url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(migrate.alembic_config(old_url), "0014")
    old = db.make_engine(old_url)
    with old.begin() as conn:
        conn.execute(
            text("INSERT INTO community (name, street, district, active) VALUES (:n, :s, :d, 1)"),
            {"n": "前进社区", "s": "大学西路街道", "d": "赛罕区"},
        )
    made = backup.backup_make(tmp_path / "out", engine=old)
    old.dispose()
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _fresh_install(url)

    backup.restore_from(made.path, url=url)

    target = db.make_engine(url)
    with db.read_session(target) as s:
        community = s.exec(select(Community)).one()
    assert (community.name, community.person_in_charge, community.office_phone) == (
        "前进社区",
        "",
        "",
    )
    scripts = ScriptDirectory.from_config(migrate.alembic_config(url))
    assert _revision(target) == scripts.get_current_head()
    target.dispose()


def test_backup_create_is_the_street_admins_and_is_audited(session, w, tmp_path):
    made = backup.backup_create(session=session, actor=w.admin, directory=tmp_path / "out")
    session.commit()

    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "backup")).one()
    assert (entry.account_id, entry.table_name) == (w.admin.id, "backup")
    assert json.loads(entry.changes) == {"file": made.name, "bytes": made.size}
    assert made.path.stat().st_size == made.size > 0

    with pytest.raises(BoardError) as refused:
        backup.backup_create(session=session, actor=w.shuji, directory=tmp_path / "out")
    assert refused.value.key == "access.denied"
    assert len(backup.backup_list(tmp_path / "out")) == 1


# --- rotation --------------------------------------------------------------------------


def _name(day: date, hhmmss: str = "023000", engine: str = "sqlite") -> str:
    return f"board-backup_{engine}_{day:%Y-%m-%d}_{hhmmss}.{backup.SUFFIX[engine]}"


def test_rotation_keeps_the_last_days_and_the_first_of_each_month(tmp_path):
    """A year of nightly backups (1 January to 6 December 2026), a second backup on two
    days, an older PostgreSQL one, and files that are not backups."""
    day, nightly = date(2026, 1, 1), []
    while day <= date(2026, 12, 6):
        nightly.append(_name(day))
        day += timedelta(days=1)
    extra = [_name(date(2026, 12, 5), "101500"), _name(date(2026, 12, 1), "093000")]
    postgres = [_name(date(2025, 6, 1), engine="postgresql")]
    not_backups = [
        "notes.txt",
        "board-backup_sqlite_2026-02-30_023000.sqlite3",  # no such day
        "board-backup_sqlite_2026-01-01_023000.dump",  # the wrong suffix for its engine
        ".board-backup_sqlite_2026-12-06_023000.sqlite3.partial",
        "board-backup_sqlite_2026-01-01_023000.sqlite3.bak",
    ]
    for name in nightly + extra + postgres + not_backups:
        (tmp_path / name).write_bytes(b"x")
    folder = "board-backup_sqlite_2025-01-01_023000.sqlite3.d"
    (tmp_path / folder).mkdir()

    removed = backup.rotate(tmp_path, keep_daily=14, keep_monthly=12)

    kept = sorted(p.name for p in tmp_path.iterdir())
    expected_backups = [
        # the first of each of the twelve months (1 December's first is its 02:30 one)
        *(_name(date(2026, m, 1)) for m in range(1, 13)),
        # the newest of each of the last fourteen days: 23 November to 6 December
        *(_name(date(2026, 11, d)) for d in range(23, 31)),
        _name(date(2026, 12, 1), "093000"),
        *(_name(date(2026, 12, d)) for d in (2, 3, 4)),
        _name(date(2026, 12, 5), "101500"),
        _name(date(2026, 12, 6)),
        # PostgreSQL's are rotated apart: its one backup is its newest
        _name(date(2025, 6, 1), engine="postgresql"),
    ]
    assert kept == sorted([*expected_backups, *not_backups, folder])
    assert len(removed) == len(nightly) + len(extra) + len(postgres) - len(expected_backups)
    assert _name(date(2026, 12, 5)) in {p.name for p in removed}  # the older of its day


def test_backup_list_is_newest_first_with_sizes(tmp_path):
    for name, size in ((_name(date(2026, 12, 1)), 10), (_name(date(2026, 12, 2)), 2_500_000)):
        (tmp_path / name).write_bytes(b"x" * size)
    (tmp_path / "other.txt").write_text("x")

    listed = backup.backup_list(tmp_path)

    assert [(f.name, f.size, backup.size_text(f.size)) for f in listed] == [
        (_name(date(2026, 12, 2)), 2_500_000, "2.5 MB"),
        (_name(date(2026, 12, 1)), 10, "0 kB"),
    ]


# --- PostgreSQL ------------------------------------------------------------------------


@pytest.fixture
def pg_databases() -> Iterator[tuple[str, str]]:
    """Two databases of this worker's own: the board in use and a fresh install."""
    if not PG_URL:
        pytest.skip("PostgreSQL: set BOARD_TEST_DATABASE_URL (scripts/with-postgres.sh)")
    base = make_url(PG_URL)
    urls = [
        base.set(database=f"{base.database}_{role}").render_as_string(hide_password=False)
        for role in ("backup_source", "backup_target")
    ]
    admin = create_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")

    def drop(conn, url: str) -> None:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    with admin.connect() as conn:
        for url in urls:
            drop(conn, url)
            conn.exec_driver_sql(f'CREATE DATABASE "{make_url(url).database}"')
    yield urls[0], urls[1]
    with admin.connect() as conn:
        for url in urls:
            drop(conn, url)
    admin.dispose()


def test_restore_on_postgresql_gives_every_row_back(pg_databases, tmp_path):
    source_url, target_url = pg_databases
    source = _filled(source_url)
    made = backup.backup_make(tmp_path / "out", engine=source)
    assert made.name.startswith("board-backup_postgresql_") and made.name.endswith(".dump")
    _fresh_install(target_url)

    backup.restore_from(made.path, url=target_url)

    target = db.make_engine(target_url)
    expected, restored = _rows(source), _rows(target)
    assert [name for name, rows in expected.items() if not rows] == []
    for name in expected:
        assert restored[name] == expected[name], name
    assert _revision(target) == _revision(source)
    with pytest.raises(BoardError) as refused:  # now it holds the office's data
        backup.restore_from(made.path, url=target_url)
    assert refused.value.key == "backup.not_empty"
    # the sequences go on after the restored ids: a new row gets a new id
    with db.transaction(target) as s:
        s.add(Community(name="新社区", street="大学西路街道", district="赛罕区"))
    with target.connect() as conn:
        assert (
            conn.execute(core_select(func.count()).select_from(Community)).scalar_one()
            == len(expected["community"]) + 1
        )
    source.dispose()
    target.dispose()


def test_the_postgresql_password_is_on_no_command_line(tmp_path, monkeypatch):
    """pg_dump is given the password through its environment: a command line is readable
    by every user of the machine (ps)."""
    ran = {}

    def run(args, *, env, **_kwargs):
        ran.update(args=args, env=env)
        Path(args[-1].removeprefix("--file=")).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(backup.subprocess, "run", run)
    monkeypatch.setattr(backup, "_pg_tool", lambda name: f"/usr/bin/{name}")
    engine = create_engine("postgresql+psycopg://board:s3cret@db.example:5433/board")

    made = backup.backup_make(tmp_path, engine=engine)

    assert made.name.startswith("board-backup_postgresql_") and made.name.endswith(".dump")
    assert not [a for a in ran["args"] if "s3cret" in a]
    assert ran["args"][:2] == ["/usr/bin/pg_dump", "--format=custom"]
    env = ran["env"]
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.example",
        "5433",
        "board",
        "board",
    )
    assert env["PGPASSWORD"] == "s3cret"
