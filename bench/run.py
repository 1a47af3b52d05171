"""Runs every benchmark (bench/bench_*.py) on the street-sized demo and prints the figures.

make bench                  all of them (exits 1 when a figure is over its target)
python bench/run.py tasks   only bench/bench_tasks.py
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, street_database


def main(names: list[str]) -> int:
    street_database()
    here = Path(__file__).resolve().parent
    modules = sorted(p.stem for p in here.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m.removeprefix("bench_") in names]
    for name in modules:
        print(f"\n== {name} ==", flush=True)
        importlib.import_module(f"bench.{name}").run()
    over = [r for r in RESULTS if r.target_ms is not None and r.median_ms > r.target_ms]
    print(f"\n{len(RESULTS)} figures, {len(over)} over target")
    for result in over:
        print(f"  {result.line()}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
