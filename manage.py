"""Command line for the board's housekeeping.

python manage.py prepare                 migrate; load demo data on first start
python manage.py migrate                 apply the Alembic migrations
python manage.py seed --size street      migrate and load demo data into an empty database
"""

from __future__ import annotations

import argparse
import sys
import time

from services import demo, migrate
from services.db import get_engine
from services.settings import get_settings


def _progress():
    last = {"label": None, "pct": -1}
    started = time.perf_counter()

    def report(label: str, fraction: float) -> None:
        pct = int(fraction * 100)
        if label != last["label"] or pct >= last["pct"] + 10 or pct == 100:
            elapsed = time.perf_counter() - started
            print(f"  [{elapsed:6.1f}s] {label:<24} {pct:3d}%", file=sys.stderr, flush=True)
            last.update(label=label, pct=pct)

    return report


def cmd_migrate(_args) -> None:
    migrate.upgrade(get_settings().database_url)


def cmd_prepare(_args) -> None:
    settings = get_settings()
    migrate.upgrade(settings.database_url)
    engine = get_engine()
    if demo.has_data(engine):
        return
    if settings.demo:
        print("First start: loading the demo data (BOARD_DEMO=0 to start empty)…", file=sys.stderr)
        demo.load_demo(engine, size="community", progress=_progress())
    else:
        print("First start without demo data: open the board to create the admin.", file=sys.stderr)


def cmd_seed(args) -> None:
    url = args.database or get_settings().database_url
    migrate.upgrade(url)
    started = time.perf_counter()
    demo.load_demo(get_engine(url), size=args.size, seed=args.seed, progress=_progress())
    print(f"Loaded the {args.size} demo in {time.perf_counter() - started:.1f}s", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate").set_defaults(fn=cmd_migrate)
    sub.add_parser("prepare").set_defaults(fn=cmd_prepare)
    seed = sub.add_parser("seed")
    seed.add_argument("--size", choices=sorted(demo.SIZES), default="community")
    seed.add_argument("--seed", type=int, default=42)
    seed.add_argument("--database", help="database URL (default: DATABASE_URL)")
    seed.set_defaults(fn=cmd_seed)
    args = parser.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()
