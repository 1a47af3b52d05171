"""Backups of the whole board, and restoring one on a fresh install (备份与恢复).

SQLite: the online backup API copies the live database in one step, under one read
transaction; in WAL mode (services/db.py) the board keeps writing meanwhile, and the copy
is the database as it stood at one moment: a write is in it whole or not at all.
PostgreSQL: pg_dump in its custom format (-Fc), itself one snapshot, and pg_restore. The
password reaches them through the environment (PGPASSWORD), never their command line,
which every user of the machine can read in the process list.

A file's name says what and when: board-backup_<engine>_<YYYY-MM-DD_HHMMSS>.<sqlite3|dump>
(local time); rotation deletes only files named so. A restore replaces everything: it
refuses a database that holds an office's data unless forced, and a forced restore first
backs up what it replaces. The migrations then bring an older backup up to date.

Not here: who may start a restore (no one in the browser: `make restore` on the server).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from glob import glob
from pathlib import Path
from typing import BinaryIO

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session

from models.accounts import Role
from models.base import LOCAL_TZ, utcnow
from services import audit, migrate
from services.access import Actor
from services.db import get_engine, make_engine
from services.errors import BoardError
from services.settings import DATA_DIR, get_settings

BACKUP_DIR_ENV = "BOARD_BACKUP_DIR"
SUFFIX = {"sqlite": "sqlite3", "postgresql": "dump"}
NAME = re.compile(r"^board-backup_(sqlite|postgresql)_(\d{4}-\d{2}-\d{2}_\d{6})\.(sqlite3|dump)$")
_STAMP = "%Y-%m-%d_%H%M%S"
_SQLITE_HEADER = b"SQLite format 3\x00"
_PG_HEADER = b"PGDMP"  # the first bytes of a pg_dump custom-format archive
# Tables whose rows mean an office uses this database (the migrations fill settings
# tables, such as the visit tiers, on every fresh install).
_OFFICE_TABLES = ("account", "community")
# Into a database emptied first (_pg_drop_tables; --clean --if-exists then drops only what
# of the archive's objects outlived its tables); all or nothing; without the owners and
# grants of the machine the backup came from (its roles need not exist here).
_PG_RESTORE = (
    "--clean",
    "--if-exists",
    "--no-owner",
    "--no-acl",
    "--single-transaction",
    "--exit-on-error",
)


@dataclass(frozen=True)
class BackupFile:
    """A backup in the backup directory: its name, where it is, bytes, local time made."""

    name: str
    path: Path
    size: int
    made_at: datetime
    engine: str


def size_text(size: int) -> str:
    """2.3 MB, 840 kB: a backup's size as people read it (the same in both languages)."""
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(size, 1) / 1000:.0f} kB"


def backup_dir() -> Path:
    """Where backups go: BOARD_BACKUP_DIR, else data/backups."""
    return Path(os.environ.get(BACKUP_DIR_ENV) or DATA_DIR / "backups")


def backup_name(engine_name: str, at: datetime) -> str:
    """board-backup_sqlite_2026-12-06_023000.sqlite3 for a backup made at `at` (local)."""
    return f"board-backup_{engine_name}_{at.astimezone(LOCAL_TZ):{_STAMP}}.{SUFFIX[engine_name]}"


def parse_name(name: str) -> tuple[str, datetime] | None:
    """(engine, local time made) of a backup's file name; None for any other file."""
    match = NAME.match(name)
    if not match or SUFFIX[match[1]] != match[3]:
        return None
    try:
        made = datetime.strptime(match[2], _STAMP).replace(tzinfo=LOCAL_TZ)
    except ValueError:  # 2026-02-30: named like a backup, but not one we made
        return None
    return match[1], made


# --- making a backup -------------------------------------------------------------------


def backup_to(target: Path | BinaryIO, *, engine: Engine | None = None) -> None:
    """Writes a consistent backup of the live database to a path or a binary buffer."""
    engine = engine or get_engine()
    if isinstance(target, Path):
        _backup_to_path(engine, target)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "backup"
        _backup_to_path(engine, path)
        with path.open("rb") as fh:
            shutil.copyfileobj(fh, target)


def _backup_to_path(engine: Engine, path: Path) -> None:
    if engine.dialect.name == "sqlite":
        source = _sqlite_path(engine.url)
        if not source.is_file():  # connecting would make an empty database there
            raise BoardError("backup.no_database", path=str(source))
        _sqlite_copy(source, path, into_backup=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        _pg_run("pg_dump", ["--format=custom", "--no-owner", f"--file={path}"], _pg_env(engine.url))


def backup_make(
    directory: Path | None = None, *, engine: Engine | None = None, now: datetime | None = None
) -> BackupFile:
    """A backup file in `directory` (default: backup_dir()), named for what and when.

    Written under a temporary name and renamed when complete, so that a listing or a
    rotation never sees half a backup."""
    engine = engine or get_engine()
    directory = directory or backup_dir()
    name = backup_name(engine.dialect.name, now or utcnow())
    path = directory / name
    if path.exists():
        raise BoardError("backup.exists", name=name)
    partial = directory / f".{name}.partial"
    try:
        _backup_to_path(engine, partial)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return _file_of(path)


def _file_of(path: Path) -> BackupFile:
    parsed = parse_name(path.name)
    assert parsed is not None, path
    return BackupFile(path.name, path, path.stat().st_size, parsed[1], parsed[0])


def backup_list(directory: Path | None = None) -> list[BackupFile]:
    """The backups in `directory`, newest first (other files are not backups)."""
    directory = directory or backup_dir()
    if not directory.is_dir():
        return []
    found = [_file_of(p) for p in directory.iterdir() if p.is_file() and parse_name(p.name)]
    return sorted(found, key=lambda f: (f.made_at, f.name), reverse=True)


def rotate(directory: Path, keep_daily: int = 14, keep_monthly: int = 12) -> list[Path]:
    """Deletes the backups no longer kept; returns what it deleted.

    Kept, for each engine apart: the newest backup of each of the `keep_daily` latest days
    that have one, and the first backup of each of the `keep_monthly` latest months. Days
    and months with no backup do not count, so a board that stopped backing up keeps its
    last backups. Only files named like a backup are ever deleted."""
    removed = []
    for engine_name in SUFFIX:
        files = sorted(
            (f for f in backup_list(directory) if f.engine == engine_name),
            key=lambda f: f.made_at,
        )
        newest_of_day: dict[date, BackupFile] = {}
        first_of_month: dict[tuple[int, int], BackupFile] = {}
        for f in files:
            newest_of_day[f.made_at.date()] = f
            first_of_month.setdefault((f.made_at.year, f.made_at.month), f)
        kept = {newest_of_day[d].name for d in sorted(newest_of_day)[-keep_daily:]} | {
            first_of_month[m].name for m in sorted(first_of_month)[-keep_monthly:]
        }
        for f in files:
            if f.name not in kept:
                f.path.unlink()
                removed.append(f.path)
    return removed


def backup_create(*, session: Session, actor: Actor, directory: Path | None = None) -> BackupFile:
    """The street admin's backup from the browser: made in the backup directory, which is
    then rotated, and recorded in the audit trail (who, when, which file, its size)."""
    actor.require(frozenset({Role.admin}))
    directory = directory or backup_dir()
    # The backup reads through a connection of its own, before this session writes.
    made = backup_make(directory, engine=session.get_bind().engine)
    rotate(directory)
    audit.record_event(
        session,
        actor_id=actor.id,
        action="backup",
        table_name="backup",
        changes={"file": made.name, "bytes": made.size},
    )
    return made


# --- restoring -------------------------------------------------------------------------


def holds_data(engine: Engine) -> bool:
    """Whether an office already uses this database: any account or community."""
    names = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return any(
            conn.execute(select(func.count()).select_from(table(name))).scalar_one() > 0
            for name in _OFFICE_TABLES
            if name in names
        )


def restore_from(path: Path, *, force: bool = False, url: str | None = None) -> BackupFile | None:
    """Restores the backup at `path` into the configured database (or `url`), then
    migrates it to this version of the board.

    Refused when the database already holds an office's data, unless `force`: then what
    it held is first backed up into the backup directory (that backup is returned). On
    SQLite the copy replaces the database in one transaction; on PostgreSQL the tables
    are dropped first and pg_restore runs in one transaction: if it fails, the database
    is left empty (and what it held, when forced, is in the backup returned)."""
    url = url or get_settings().database_url
    engine = make_engine(url)
    try:
        engine_name = engine.dialect.name
        _check_backup(path, engine_name, url)
        kept = None
        if holds_data(engine):
            if not force:
                raise BoardError("backup.not_empty")
            kept = backup_make(backup_dir(), engine=engine)
        if engine_name == "sqlite":
            _sqlite_copy(path, _sqlite_path(engine.url), into_backup=False)
        else:
            _pg_drop_tables(engine)
            args = [*_PG_RESTORE, f"--dbname={engine.url.database}", str(path)]
            _pg_run("pg_restore", args, _pg_env(engine.url))
    finally:
        engine.dispose()
    migrate.upgrade(url)
    return kept


def _check_backup(path: Path, engine_name: str, url: str) -> None:
    """A backup of this board, for this engine, from this version of it or an older one."""
    if not path.is_file():
        raise BoardError("backup.no_file", path=str(path))
    with path.open("rb") as fh:
        head = fh.read(len(_SQLITE_HEADER))
    kind = "sqlite" if head == _SQLITE_HEADER else "postgresql" if head[:5] == _PG_HEADER else ""
    if not kind:
        raise BoardError("backup.not_backup", path=str(path))
    if kind != engine_name:
        raise BoardError("backup.wrong_engine", backup=kind, board=engine_name)
    revision = _sqlite_revision(path) if kind == "sqlite" else _pg_revision(path)
    if revision is None:
        raise BoardError("backup.not_backup", path=str(path))
    scripts = ScriptDirectory.from_config(migrate.alembic_config(url))
    try:
        scripts.get_revision(revision)
    except CommandError:
        raise BoardError("backup.too_new", revision=revision) from None


# --- SQLite ----------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BoardError("backup.no_database_file")
    return Path(url.database)


def _sqlite_copy(source: Path, dest: Path, *, into_backup: bool) -> None:
    """Copies one SQLite database over another with the online backup API.

    The copy is made in one step (pages=-1), under one read transaction of the source: the
    source as it stood at one moment, however many writers commit meanwhile. A backup is
    left in rollback-journal mode: one self-contained file, with no -wal file beside it."""
    if not into_backup:
        _sqlite_check(source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(dest, timeout=30)) as dst,
    ):
        src.backup(dst, pages=-1)
        if into_backup:
            dst.execute("PRAGMA journal_mode=DELETE")


def _sqlite_check(path: Path) -> None:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        (result,) = conn.execute("PRAGMA quick_check").fetchone()
    if result != "ok":
        raise BoardError("backup.damaged", detail=str(result))


def _sqlite_revision(path: Path) -> str | None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:  # no such table, or not a database after all
        return None
    return row[0] if row else None


# --- PostgreSQL ------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """The newest installed pg_dump / pg_restore (a dump needs one at least as new as the
    server), else the one on the PATH."""
    found = [Path(p) for p in glob(f"/usr/lib/postgresql/*/bin/{name}")]
    versioned = [p for p in found if p.parts[-3].isdigit()]
    if versioned:
        return str(max(versioned, key=lambda p: int(p.parts[-3])))
    on_path = shutil.which(name)
    if on_path is None:
        raise BoardError("backup.no_pg_tool", tool=name)
    return on_path


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's variables for the database of `url`: the password among them, so that it
    is on no command line."""
    env = dict(os.environ)
    values = {
        "PGHOST": url.host or url.query.get("host"),
        "PGPORT": url.port,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": url.query.get("sslmode"),
    }
    env.update({var: str(value) for var, value in values.items() if value})
    return env


def _pg_run(tool: str, args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [_pg_tool(tool), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        detail = " ".join(done.stderr.strip().splitlines()[-3:])
        raise BoardError("backup.tool_failed", tool=tool, detail=detail)
    return done.stdout


def _pg_revision(path: Path) -> str | None:
    """The migration a custom-format dump was taken at, read from the file itself."""
    script = _pg_run(
        "pg_restore",
        ["--data-only", "--table=alembic_version", "--file=-", str(path)],
        dict(os.environ),
    )
    lines = script.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            return lines[i + 1].strip() if lines[i + 1].strip() != "\\." else None
    return None


def _pg_drop_tables(engine: Engine) -> None:
    """Drops every table of the database's schema, so that the restore (of a backup older
    than this install's schema too) finds nothing in its way; then the migrations run."""
    names = inspect(engine).get_table_names()
    if not names:
        return
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {', '.join(map(quote, names))} CASCADE")


def printable_url(url: str) -> str:
    """The URL as it may be printed: without its password."""
    return make_url(url).render_as_string(hide_password=True)
