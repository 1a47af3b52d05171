"""The fixed-seed demo loader shared by `make run`, the tests and the benchmark.

`load_demo(engine, size="community" | "street" | "district", seed=42)` fills an empty,
migrated database. Each domain has its own step module; every step bulk-inserts in SQL
and reports progress.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from models.org import Community
from services import event_months, hours_months, proxy_months, visit_months
from services.settings import DATA_DIR

DEMO_PASSWORD = "demo1234"


@dataclass(frozen=True)
class DemoSize:
    communities: int
    volunteers: int
    elders: int
    visits: int
    proxy_requests: int
    events: int
    signups: int
    years: int
    cases: int  # residents' cases in the last year (issue 13)


SIZES = {
    "community": DemoSize(
        communities=5,
        volunteers=150,
        elders=240,
        visits=2400,
        proxy_requests=400,
        events=40,
        signups=1200,
        years=1,
        cases=375,
    ),
    "street": DemoSize(
        communities=20,
        volunteers=3000,
        elders=6000,
        visits=150_000,
        proxy_requests=30_000,
        events=2000,
        signups=60_000,
        years=3,
        cases=1500,
    ),
    # The street's communities with five times their people and history (issue 16): what
    # the benchmark checks the pages against as the data grows.
    "district": DemoSize(
        communities=20,
        volunteers=15_000,
        elders=30_000,
        visits=750_000,
        proxy_requests=150_000,
        events=10_000,
        signups=300_000,
        years=3,
        cases=7500,
    ),
}


@dataclass
class DemoContext:
    """What one step hands the next: the session, the random source, and the ids made."""

    session: Session
    rng: random.Random
    size: DemoSize
    today: date
    progress: Callable[[str, float], None]
    ids: dict[str, Any] = field(default_factory=dict)

    def bulk_insert(self, table: Any, rows: list[dict], label: str, chunk: int = 5000) -> None:
        """Inserts rows in chunks, reporting progress as it goes."""
        for start in range(0, len(rows), chunk):
            self.session.execute(insert(table), rows[start : start + chunk])
            self.progress(label, min(1.0, (start + chunk) / max(1, len(rows))))

    def yaml(self, name: str) -> Any:
        return yaml.safe_load(Path(DATA_DIR, name).read_text(encoding="utf-8"))


def _steps() -> list[tuple[str, Callable[[DemoContext], None]]]:
    """In dependency order: tasks after the elders, requests and events they link to;
    the residents' cases last."""
    from services.demo import cases, core, elders, events, proxy, volunteers

    return [
        ("core", core.seed),
        ("volunteers", volunteers.seed_people),
        ("elders", elders.seed),
        ("proxy", proxy.seed),
        ("events", events.seed),
        ("tasks", volunteers.seed_tasks),
        ("cases", cases.seed),  # last: the steps before draw the same random numbers as ever
    ]


def _advance_sequences(session: Session) -> None:
    """Steps insert explicit ids; PostgreSQL's id sequences must then move past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in SQLModel.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def has_data(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Community)).one() > 0


def load_demo(
    engine: Engine,
    *,
    size: str = "community",
    seed: int = 42,
    today: date | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, Any]:
    """Fills an empty database with demo data in one transaction; returns the ids made."""
    if has_data(engine):
        raise RuntimeError("The database already holds data; demo data goes into an empty one.")
    with Session(engine) as session:
        ctx = DemoContext(
            session=session,
            rng=random.Random(seed),
            size=SIZES[size],
            today=today or date.today(),
            progress=progress or (lambda _label, _fraction: None),
        )
        for _name, step in _steps():
            step(ctx)
        visit_months.rebuild(session)  # the visits went in by bulk insert
        event_months.rebuild(session)  # the events and registrations too
        hours_months.rebuild(session)  # and the tasks and sign-ups
        proxy_months.rebuild(session)  # and the proxy requests
        _advance_sequences(session)
        session.commit()
    return ctx.ids
