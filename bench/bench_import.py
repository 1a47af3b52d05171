"""Importing an office's list of 5,000 rows (issue 14: under 30 s with a progress bar).

Each figure is the whole import as the page makes it: the .xlsx file read, its columns
mapped, every row checked, and the good rows written in one transaction (the batch, its
records, the audit entry, and for elders their visit plans, kept at the commit). Every
timed run imports into a community of its own, on an empty SQLite database made for
this benchmark (the demo databases of the other benchmarks stay as they are).

python bench/bench_import.py        prints the figures (bench/run.py runs it too)
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, Result
from bench.database import Database

SIZES = ("street",)  # the figure does not depend on the demo's size
ROWS = 5_000
RUNS = 3  # timed runs of each register (a run writes 5,000 rows)
TARGET_MS = 30_000
GRIDS = ("第一网格", "第二网格", "第三网格", "第四网格")


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def volunteer_file(rng: random.Random) -> bytes:
    header: list[object] = ["姓名", "性别", "手机号", "所属网格", "技能", "政治面貌", "备注"]
    rows: list[list[object]] = [
        [
            f"志愿者{i}",
            rng.choice("男女"),
            str(13_000_000_000 + i),
            rng.choice(GRIDS),
            rng.choice(["助老陪护", "急救、驾驶", "", "电脑手机"]),
            rng.choice(["中共党员", "群众"]),
            "",
        ]
        for i in range(ROWS)
    ]
    return _xlsx([["四千米社区志愿者台账"], header, *rows])


def elder_file(rng: random.Random) -> bytes:
    header: list[object] = [
        "姓名",
        "性别",
        "出生日期",
        "联系电话",
        "家庭住址",
        "所属网格",
        "居住情况",
    ]
    rows: list[list[object]] = [
        [
            f"老人{i}",
            rng.choice("男女"),
            date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 30)),
            str(13_100_000_000 + i),
            f"幸福小区{i // 100 + 1}号楼{i % 100 + 1}室",
            rng.choice(GRIDS),
            rng.choice(["独居", "空巢", "", "独居、失能"]),
        ]
        for i in range(ROWS)
    ]
    return _xlsx([["四千米社区老人台账"], header, *rows])


def _setup(url: str):
    """An empty board with a street admin; returns them and a maker of communities."""
    from sqlmodel import SQLModel

    from models.accounts import Account, Role
    from models.org import Community, Grid
    from services import auth
    from services.db import get_engine, transaction

    SQLModel.metadata.create_all(get_engine(url))
    with transaction() as s:
        admin = Account(username="admin", password_hash="-", display_name="admin", role=Role.admin)
        s.add(admin)
        s.flush()
        actor = auth.actor_of(admin)
    made = iter(range(1, 1000))

    def community() -> int:
        with transaction() as s:
            row = Community(name=f"社区{next(made)}", street="街道", district="区")
            s.add(row)
            s.flush()
            s.add_all(Grid(community_id=row.id, name=name) for name in GRIDS)
            return row.id

    return actor, community


def import_once(actor, community_id: int, kind, data: bytes) -> int:
    """The page's steps: read, map, check and import (the check runs in the import)."""
    from services import import_mapping, imports
    from services.db import read_session, transaction
    from ui.filters import today

    table = imports.import_read(data, "台账.xlsx")
    with read_session() as s:
        mapping = import_mapping.proposed_mapping(
            session=s, actor=actor, community_id=community_id, kind=kind, headers=table.headers
        )
    with transaction() as s:
        result = imports.import_run(
            session=s,
            actor=actor,
            community_id=community_id,
            kind=kind,
            file_name="台账.xlsx",
            table=table,
            mapping=mapping,
            good_only=False,
            today=today(),
            progress=lambda share: None,
        )
    assert result.created == len(table.rows), result
    return result.created


def _timed(label: str, fn: Callable[[], object]) -> Result:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    result = Result(label, statistics.median(samples), max(samples), RUNS, target_ms=TARGET_MS)
    RESULTS.append(result)
    print(result.line(), flush=True)
    return result


def run(size: str) -> Database:
    from models.imports import ImportKind
    from services import db, settings

    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    url = f"sqlite:///{folder / 'import.db'}"
    os.environ["DATABASE_URL"] = url
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    actor, community = _setup(url)
    rng = random.Random(7)
    files = {ImportKind.volunteer: volunteer_file(rng), ImportKind.elder: elder_file(rng)}
    for kind, data in files.items():
        _timed(
            f"import {ROWS:,} {kind.value}s from .xlsx (read, check, write)",
            lambda kind=kind, data=data: import_once(actor, community(), kind, data),
        )
    return Database(url, "sqlite", size, None)


if __name__ == "__main__":
    from bench.common import quiet_streamlit

    quiet_streamlit()
    run("street")
