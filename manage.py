"""Command line for the board's housekeeping.

python manage.py prepare                 migrate; load demo data on first start
python manage.py migrate                 apply the Alembic migrations
python manage.py seed --size street      migrate and load demo data into an empty database
python manage.py backup [--dir D]        back the database up into D (data/backups), rotate
python manage.py restore FILE [--force]  restore a backup onto this install, then migrate
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from services import backup, demo, migrate
from services.db import get_engine
from services.errors import BoardError
from services.i18n import translate
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


def cmd_backup(args) -> None:
    directory = Path(args.dir) if args.dir else backup.backup_dir()
    made = backup.backup_make(directory)
    print(f"Backup written: {made.path} ({backup.size_text(made.size)})", file=sys.stderr)
    for path in backup.rotate(directory):
        print(f"  rotated out: {path.name}", file=sys.stderr)


def cmd_restore(args) -> None:
    url = get_settings().database_url
    kept = backup.restore_from(Path(args.file), force=args.force)
    if kept is not None:
        print(f"What the database held is kept in {kept.path}", file=sys.stderr)
    print(f"Restored {args.file} into {backup.printable_url(url)} and migrated.", file=sys.stderr)


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
    backup_cmd = sub.add_parser("backup", help="write a backup file and rotate the older ones")
    backup_cmd.add_argument(
        "--dir", help="where backups go (default: BOARD_BACKUP_DIR or data/backups)"
    )
    backup_cmd.set_defaults(fn=cmd_backup)
    restore = sub.add_parser("restore", help="restore a backup onto this install")
    restore.add_argument("file", help="a board-backup_… file")
    restore.add_argument("--force", action="store_true", help="replace a database that holds data")
    restore.set_defaults(fn=cmd_restore)
    args = parser.parse_args(argv)
    try:
        args.fn(args)
    except BoardError as err:  # a refusal, said in both languages, and a failed exit
        for lang in ("zh_CN", "en"):
            print(translate(err.key, lang, **err.params), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
