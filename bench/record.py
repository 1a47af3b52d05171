"""The figures as JSON: bench/output/latest.json, which bench/report.py turns into the
README's Performance figures.

The file holds the latest run of each benchmark, size and database kind ("board · street ·
sqlite", "browser · community · sqlite", ...): a run replaces its own entry and keeps the
others, so `make bench-browser` or a district run does not drop the street figures.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from bench.common import OUTPUT, Result
from bench.database import Database

LATEST = OUTPUT / "latest.json"


def machine() -> dict:
    """What the figures were taken on; the load average says how busy it was."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "cores": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 2)}


def run_key(bench: str, database: Database) -> str:
    return f"{bench} · {database.size} · {database.kind}"


def load() -> dict[str, dict]:
    """The runs recorded so far, by run_key."""
    if not LATEST.exists():
        return {}
    return json.loads(LATEST.read_text(encoding="utf-8"))["runs"]


def save(
    bench: str,
    database: Database,
    results: list[Result],
    floor: Result | None,
    started: datetime,
    machine_then: dict,
) -> None:
    runs = load()
    runs[run_key(bench, database)] = {
        "bench": bench,
        "size": database.size,
        "database": database.kind,
        "date": started.isoformat(timespec="seconds"),
        "machine": machine_then,
        "demo_build_s": database.build_s,
        "floor": floor.as_json() if floor else None,
        "figures": [r.as_json() for r in results],
    }
    OUTPUT.mkdir(parents=True, exist_ok=True)
    LATEST.write_text(
        json.dumps({"runs": runs}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
