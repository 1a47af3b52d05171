"""Runs the benchmarks (bench/bench_*.py), prints the figures and records them in
bench/output/latest.json, from which bench/report.py writes the README's figures.

make bench                                 the board on the street demo, then the README
python bench/run.py board                  only bench/bench_board.py
python bench/run.py --size district        on the district demo (five times the street's
                                           people and history), each figure with its
                                           growth against the last street run recorded
python bench/run.py --size street district both sizes in one go (one floor)
python bench/run.py browser                Chromium on the community demo (make bench-browser)
BENCH_SIZE=district, BENCH_REPEAT=3        the same from the environment (3: a quick check)
DATABASE_URL=postgresql+psycopg://...      on that database instead of SQLite (migrated and
                                           filled with the demo when empty)

Exits 1 when a figure is over its target.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, record
from bench.common import RESULTS, Result, floor_result, quiet_streamlit, server_script_cache
from bench.database import SIZES, Database

# Run only when named: it starts a server and Chromium on the community demo (minutes).
ON_REQUEST = {"browser"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (bench_<name>.py)")
    parser.add_argument(
        "--size",
        nargs="+",
        choices=SIZES,
        default=os.environ.get("BENCH_SIZE", "street").split(","),
    )
    args = parser.parse_args(argv)
    here = Path(__file__).resolve().parent
    available = sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))
    names = args.names or [n for n in available if n not in ON_REQUEST]
    unknown = set(names) - set(available)
    if unknown:
        parser.error(f"no benchmark named {', '.join(sorted(unknown))} (have: {available})")
    quiet_streamlit()
    server_script_cache()
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        for size in getattr(module, "SIZES", args.size):  # a benchmark may fix its size
            print(f"\n== {name} ({size}) ==", flush=True)
            started, machine = datetime.now().astimezone(), record.machine()
            common.FLOOR_TARGETS = size != "district"
            first = len(RESULTS)
            database = module.run(size)
            results = RESULTS[first:]
            _growth(name, database, results)
            floor = floor_result() if any(r.is_page for r in results) else None
            record.save(name, database, results, floor, started, machine)
    over = [r for r in RESULTS if r.over]
    print(f"\n{len(RESULTS)} figures, {len(over)} over target (figures in {record.LATEST})")
    for result in over:
        print(f"  {result.line()}")
    return 1 if over else 0


def _growth(bench: str, database: Database, results: list[Result]) -> None:
    """Each district figure against the same figure of the last street run recorded for
    the same benchmark and database kind. A district page's target is its growth (over
    2x is over target): the ratios to the floor are the street's targets (issue 16),
    printed at the district size for information (common.FLOOR_TARGETS)."""
    if database.size != "district":
        return
    street = record.load().get(record.run_key(bench, replace(database, size="street")))
    if street is None:
        print("(no street run recorded for this database kind: no growth figures)")
        return
    medians = {f["label"]: f["median_ms"] for f in street["figures"]}
    print(f"\n-- growth, district / street (the street run of {street['date']}) --")
    for result in results:
        if result.label in medians:
            result.growth = result.median_ms / medians[result.label]
            print(result.line(), flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
