"""Command line for the board's housekeeping.

python manage.py prepare                 migrate; load demo data on first start
python manage.py migrate                 apply the Alembic migrations
python manage.py seed --size street      migrate and load demo data into an empty database
python manage.py backup [--dir D]        back the database up into D (data/backups), rotate
python manage.py restore FILE [--force]  restore a backup onto this install, then migrate
python manage.py retention [--apply]     what the retention rules would change today (a dry
                                         run); --apply anonymises, masks and prunes it
python manage.py outbox send [--loop N]  send the reminders' group messages that are due
                                         (--loop: and the day's reminders, every N seconds)
python manage.py outbox remind           make the day's reminders (tomorrow's tasks,
                                         visits and proxy requests falling due)
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from models.base import local_today
from services import backup, demo, migrate, outbox, reminders, retention
from services.db import get_engine, read_session, transaction
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


def _print_report(report: retention.RetentionReport) -> None:
    cut = report.cutoffs
    print(f"Retention on {report.today} (a dry run: nothing changed)")
    print(
        f"  elders deactivated before {cut.people}, to anonymise: {len(report.elders)}"
        + "".join(f"\n    #{p.id} {p.community} {p.name} since {p.since}" for p in report.elders)
    )
    print(
        f"  volunteers deactivated before {cut.people}, to anonymise: {len(report.volunteers)}"
        + "".join(
            f"\n    #{p.id} {p.community} {p.name} since {p.since}" for p in report.volunteers
        )
    )
    print(
        f"  registrants' phones of events ended before {cut.registrations}, to mask: "
        f"{report.registrations}"
        + "".join(
            f"\n    event #{e.event_id} {e.title} ({e.community}) ended {e.ended_on}: "
            f"{len(e.registration_ids)}"
            for e in report.events
        )
    )
    print(f"  access-log entries before {cut.access_log}, to delete: {report.access_log_entries}")
    if report.undated:
        print(
            f"  inactive people without a day of deactivation, left as they are: {report.undated}"
        )


def cmd_retention(args) -> None:
    today = local_today()
    if not args.apply:
        with read_session() as session:
            _print_report(retention.retention_report(session=session, today=today))
        print("Run with --apply to make these changes.", file=sys.stderr)
        return
    with transaction() as session:
        done = retention.apply_retention(session=session, actor=None, today=today)
    print(
        f"Retention on {today}: {done.elders} elders and {done.volunteers} volunteers "
        f"anonymised, {done.registrations} registrants' phones masked, "
        f"{done.access_log_entries} access-log entries deleted."
    )


def cmd_outbox(args) -> None:
    if args.action == "remind":
        today = local_today()
        with transaction() as session:
            made = reminders.make_reminders(session=session, today=today)
        print(f"Reminders for {today}: {made} new messages.")
    elif args.loop:
        print(f"Sending every {args.loop:g} s (Ctrl-C stops)…", file=sys.stderr)
        reminders.run_sender(stop=threading.Event(), every=args.loop)
    else:
        done = outbox.send_due()
        print(
            f"Group messages: {len(done.sent)} sent, {len(done.retrying)} to retry, "
            f"{len(done.failed)} failed, {len(done.skipped)} skipped."
        )


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
    retention_cmd = sub.add_parser(
        "retention", help="what the retention rules change today (a dry run unless --apply)"
    )
    mode = retention_cmd.add_mutually_exclusive_group()
    mode.add_argument(
        "--dry-run", dest="apply", action="store_false", help="report only (the default)"
    )
    mode.add_argument("--apply", action="store_true", help="make the changes")
    retention_cmd.set_defaults(fn=cmd_retention, apply=False)  # a dry run unless --apply
    outbox_cmd = sub.add_parser("outbox", help="the reminders: send what is due, or make today's")
    outbox_cmd.add_argument("action", choices=["send", "remind"])
    outbox_cmd.add_argument(
        "--loop", type=float, metavar="N", help="send: keep sending every N seconds"
    )
    outbox_cmd.set_defaults(fn=cmd_outbox)
    args = parser.parse_args(argv)
    try:
        args.fn(args)
    except BoardError as err:  # a refusal, said in both languages, and a failed exit
        for lang in ("zh_CN", "en"):
            print(translate(err.key, lang, **err.params), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
