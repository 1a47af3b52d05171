"""The database a benchmark run measures: a demo-sized SQLite file built once per size
(bench/output/<size>.db), or the PostgreSQL database DATABASE_URL names (migrated and
filled with the demo once, when it is empty).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from bench.common import OUTPUT

SEED = 7
SIZES = ("street", "district")


@dataclass(frozen=True)
class Database:
    url: str
    kind: str  # "sqlite" or "postgresql"
    size: str
    build_s: float | None  # seconds to load the demo, when this run loaded it


def demo_database(size: str) -> Database:
    """Points the app (services, AppTest scripts) at the benchmark database of `size`: the
    PostgreSQL one of DATABASE_URL when given, else bench/output/<size>.db."""
    from services import db, settings, visit_memory

    given = os.environ.get("DATABASE_URL", "")
    database = _postgresql(given, size) if given.startswith("postgresql") else sqlite_demo(size)
    os.environ["DATABASE_URL"] = database.url
    # One process may measure two sizes in turn: nothing of the first may serve the second.
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    visit_memory.forget()
    return database


def sqlite_demo(size: str) -> Database:
    """bench/output/<size>.db, built once into a .partial file and renamed when complete:
    a broken build is not reused. One built before is brought to the latest migration
    (delete it to rebuild it after a change to the demo loader)."""
    from services import migrate

    path = OUTPUT / f"{size}.db"
    if path.exists():
        migrate.upgrade(f"sqlite:///{path}")
        return Database(f"sqlite:///{path}", "sqlite", size, None)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.db")
    partial.unlink(missing_ok=True)
    build_s = _load(f"sqlite:///{partial}", size, where=str(path))
    partial.rename(path)
    return Database(f"sqlite:///{path}", "sqlite", size, build_s)


def _postgresql(url: str, size: str) -> Database:
    """The demo size of a database filled before cannot be told from its rows: a filled
    database is measured as it is, and said to hold the size asked for."""
    from services import demo, migrate
    from services.db import make_engine

    migrate.upgrade(url)
    engine = make_engine(url)
    filled = demo.has_data(engine)
    engine.dispose()
    build_s = None if filled else _load(url, size, where="the PostgreSQL database", migrated=True)
    return Database(url, "postgresql", size, build_s)


def _load(url: str, size: str, *, where: str, migrated: bool = False) -> float:
    from services import demo, migrate
    from services.db import make_engine

    print(f"Building the {size}-sized demo into {where} …", flush=True)
    started = time.perf_counter()
    if not migrated:
        migrate.upgrade(url)
    engine = make_engine(url)
    demo.load_demo(engine, size=size, seed=SEED)
    engine.dispose()
    build_s = time.perf_counter() - started
    print(f"  built in {build_s:.1f}s", flush=True)
    return build_s
