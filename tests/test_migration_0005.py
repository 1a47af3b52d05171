"""Migration 0005 sorts existing hours by source and marks star levels as announced.

Existing sign-ups (written before hours had a source): hours last set by staff (the
audit trail shows a change of hours without a check-out, or there is no check-out at
all) become 补录 (staff), with the author of that change as the one who entered them;
hours from a check-out stay 签到 (check). A volunteer's level under the default
thresholds counts as announced already.
"""

from alembic import command
from sqlalchemy import text

from services import db
from services.migrate import alembic_config

T = "'2026-05-01 02:00:00'"


def test_existing_hours_are_sorted_by_source_and_levels_count_as_announced(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0004")
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO community (id, name, street, district, active) "
                "VALUES (1, '四千米社区', '街道', '区', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO account (id, username, password_hash, display_name, role, active, "
                f"failed_attempts, created_at, must_change_password) VALUES "
                f"(7, 'shuji', 'x', '书记', 'secretary', 1, 0, {T}, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO volunteer (id, name, phone, community_id, skills, party_member, "
                "joined_on, active, note) VALUES "
                "(1, '甲', '13800000001', 1, '', 0, '2025-01-01', 1, ''), "
                "(2, '乙', '13800000002', 1, '', 0, '2025-01-01', 1, '')"
            )
        )
        for task_id in range(1, 9):
            conn.execute(
                text(
                    "INSERT INTO task (id, title, kind, community_id, place, starts_at, ends_at, "
                    "capacity, taken, required_skills, description, status, created_at) VALUES "
                    f"({task_id}, '任务{task_id}', 'other', 1, '活动室', {T}, {T}, 5, 1, '', '', "
                    f"'done', {T})"
                )
            )
        # 1: checked out (2 h); 2: checked out, then staff changed the hours (audited);
        # 3: hours without a check-out; 4–8: volunteer 乙, 5 × 24 h = 120 h by check-out
        rows = [
            (1, 1, 1, "'2026-05-01 04:00:00'", 2.0),
            (2, 2, 1, "'2026-05-01 04:00:00'", 3.5),
            (3, 3, 1, "NULL", 1.5),
            *((n, n, 2, "'2026-05-01 04:00:00'", 24.0) for n in range(4, 9)),
        ]
        for sid, task_id, vid, out, hours in rows:
            conn.execute(
                text(
                    "INSERT INTO signup (id, task_id, volunteer_id, status, created_at, "
                    "check_out_at, hours, hours_status) VALUES "
                    f"({sid}, {task_id}, {vid}, 'attended', {T}, {out}, {hours}, 'approved')"
                )
            )
        audit = [
            (1, None, 1, '{"check_out_at": [null, "2026-05-01T04:00:00"], "hours": [0.0, 2.0]}'),
            (2, None, 2, '{"check_out_at": [null, "2026-05-01T04:00:00"], "hours": [0.0, 2.0]}'),
            (3, 7, 2, '{"hours": [2.0, 3.5], "hours_status": ["pending", "pending"]}'),
            (4, 7, 2, '{"hours_status": ["pending", "approved"], "approved_by": [null, 7]}'),
        ]
        for aid, who, row_id, changes in audit:
            conn.execute(
                text(
                    "INSERT INTO auditentry (id, at, account_id, action, table_name, row_id, "
                    f"changes) VALUES (:id, {T}, :who, 'update', 'signup', :row, :changes)"
                ),
                {"id": aid, "who": who, "row": row_id, "changes": changes},
            )
    command.upgrade(config, "0005")
    with engine.connect() as conn:
        sources = conn.execute(
            text("SELECT id, hours_source, hours_entered_by, hours_reason FROM signup ORDER BY id")
        ).all()
        announced = conn.execute(
            text("SELECT id, stars_announced FROM volunteer ORDER BY id")
        ).all()
    assert [tuple(r) for r in sources] == [
        (1, "check", None, ""),
        (2, "staff", 7, ""),
        (3, "staff", None, ""),
        *((n, "check", None, "") for n in range(4, 9)),
    ]
    assert [tuple(r) for r in announced] == [(1, 0), (2, 1)]  # 7 h: none; 120 h: 1★
    command.downgrade(config, "0004")
    engine.dispose()
