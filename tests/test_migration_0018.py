"""Migration 0018 dates the volunteers who left before a volunteer kept the day: the
local day (Asia/Shanghai) of the latest audit entry that set `active` to false; one
brought back since, or with no such entry, keeps no day (retention leaves them be)."""

from alembic import command
from sqlalchemy import text

from services import db
from services.migrate import alembic_config


def test_volunteers_who_left_are_dated_from_the_audit_trail(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0017")
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO community (id, name, street, district, active, person_in_charge, "
                "office_phone) VALUES (1, '四千米社区', '街道', '区', 1, '', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO volunteer (id, name, gender, phone, community_id, skills, "
                "party_member, joined_on, active, note, stars_announced) VALUES "
                "(1, '甲', '', '13800000001', 1, '', 0, '2023-01-01', 0, '', 0), "
                "(2, '乙', '', '13800000002', 1, '', 0, '2023-01-01', 0, '', 0), "
                "(3, '丙', '', '13800000003', 1, '', 0, '2023-01-01', 1, '', 0), "
                "(4, '丁', '', '13800000004', 1, '', 0, '2023-01-01', 0, '', 0)"
            )
        )
        entries = [
            # 甲 left at 20:00 UTC on 1 March 2024: 2 March in Beijing
            (1, "'2023-01-01 02:00:00'", '{"name": "甲", "active": true}'),
            (1, "'2024-03-01 20:00:00'", '{"active": [true, false]}'),
            # 乙 left, came back, left again: the last leaving counts
            (2, "'2024-01-05 02:00:00'", '{"active": [true, false]}'),
            (2, "'2024-02-05 02:00:00'", '{"active": [false, true]}'),
            (2, "'2024-06-07 02:00:00'", '{"active": [true, false]}'),
            # 丙 left and came back: active, no day
            (3, "'2024-01-05 02:00:00'", '{"active": [true, false]}'),
            (3, "'2024-02-05 02:00:00'", '{"active": [false, true]}'),
        ]  # 丁: inactive with no entry at all
        for row_id, at, changes in entries:
            conn.execute(
                text(
                    "INSERT INTO auditentry (at, action, table_name, row_id, changes) "
                    f"VALUES ({at}, 'update', 'volunteer', {row_id}, '{changes}')"
                )
            )
    command.upgrade(config, "0018")
    with engine.connect() as conn:
        days = dict(conn.execute(text("SELECT id, deactivated_on FROM volunteer")).all())
    assert days == {1: "2024-03-02", 2: "2024-06-07", 3: None, 4: None}
