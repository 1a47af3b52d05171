"""Writes the figures of bench/output/latest.json into the README's Performance section,
between `<!-- bench:start -->` and `<!-- bench:end -->`; nothing else in the file changes.

python bench/report.py        (make bench runs it after the benchmark)
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import record
from bench.common import ROOT

README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
BENCH_ORDER = {"board": 0, "browser": 1}
SIZE_ORDER = {"community": 0, "street": 1, "district": 2}


def main() -> int:
    runs = record.load()
    if not runs:
        print(f"no figures yet in {record.LATEST}: run `make bench` first", file=sys.stderr)
        return 1
    text = README.read_text(encoding="utf-8")
    if text.count(START) != 1 or text.count(END) != 1:
        print(f"README.md needs one {START} … {END} pair", file=sys.stderr)
        return 1
    head, rest = text.split(START)
    _, tail = rest.split(END)
    README.write_text(f"{head}{START}\n{figures(runs)}{END}{tail}", encoding="utf-8")
    print(f"README.md: figures of {len(runs)} run(s) written")
    return 0


def figures(runs: dict[str, dict]) -> str:
    """A table per run, with its database, demo size, machine and date."""

    def order(run: dict) -> tuple:
        return (
            BENCH_ORDER.get(run["bench"], 9),
            SIZE_ORDER.get(run["size"], 9),
            run["database"] != "sqlite",
        )

    return "".join(_table(run) for run in sorted(runs.values(), key=order))


def _table(run: dict) -> str:
    m = run["machine"]
    when = datetime.fromisoformat(run["date"]).strftime("%Y-%m-%d %H:%M")
    built = f", demo built in {run['demo_build_s']:.0f} s" if run["demo_build_s"] else ""
    lines = [
        f"**{run['bench']}, {run['size']} demo, {run['database']}**: {when}, {m['cpu']}, "
        f"{m['cores']} cores, load {m['load_1min']} at the start{built}.",
        "",
        "| figure | median | worst | runs | x floor | growth | target | verdict |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for f in [run["floor"], *run["figures"]] if run["floor"] else run["figures"]:
        ratio = f"{f['ratio']:.1f}x" if f["ratio"] is not None else ""
        growth = f"{f['growth']:.1f}x" if f["growth"] is not None else ""
        lines.append(
            f"| {f['label']} | {f['median_ms']:,.0f} ms | {f['worst_ms']:,.0f} ms | {f['runs']} "
            f"| {ratio} | {growth} | {f['target']} | {f['verdict']} |"
        )
    return "\n".join(lines) + "\n\n"


if __name__ == "__main__":
    sys.exit(main())
