"""Issue 11: the database itself refuses what the services refuse (migration 0003).

Raw inserts and updates that go around every service must fail on both engines (CI runs
this file on PostgreSQL too), and the migration upgrades a database that already holds
a year of the demo office's records.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import models  # noqa: F401
from models.base import utcnow
from services import db, demo
from services.migrate import alembic_config
from tests.conftest import DEMO_TODAY, PG_URL


@pytest.fixture
def migrated(tmp_path):
    """A database built by the migrations alone, with one community and its records."""
    url = PG_URL or f"sqlite:///{tmp_path / 'migrated.db'}"
    engine = db.make_engine(url)
    if PG_URL:
        with engine.begin() as conn:
            SQLModel.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    command.upgrade(alembic_config(url), "head")
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO community (id, name, street, district, active) "
                "VALUES (1, '甲社区', '街道', '区', true)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO task (id, title, kind, community_id, place, starts_at, ends_at,"
                " capacity, taken, required_skills, description, status, created_at)"
                " VALUES (1, '任务', 'other', 1, '', :s, :e, 2, 0, '', '', 'open', :s)"
            ),
            {"s": now, "e": now + timedelta(hours=1)},
        )
        conn.execute(
            text(
                "INSERT INTO merchant (shop_name, owner_name, phone, address, business_type,"
                " community_id, notes, active) VALUES ('便民超市', '王', '1', '街', '', 1, '', true)"
            )
        )
    yield engine
    engine.dispose()


REFUSED = [
    "UPDATE task SET capacity = 0",
    "UPDATE task SET taken = 3",
    "UPDATE task SET taken = -1",
    "UPDATE task SET status = 'hacked'",
    "UPDATE task SET kind = 'party'",
    "INSERT INTO merchant (shop_name, owner_name, phone, address, business_type, community_id,"
    " notes, active) VALUES ('便民超市', '李', '2', '街', '', 1, '', true)",
    "INSERT INTO elder (name, birth_date, phone, address, community_id, situations, care_level,"
    " health_notes, guardian_name, guardian_phone, registered_on, active, deactivated_reason)"
    " VALUES ('李', '1940-01-01', '', '址', 1, '', -3, '', '', '', '2026-01-01', true, '')",
    "INSERT INTO visittier (community_id, name, interval_days, conditions, active)"
    " VALUES (NULL, '一般', 0, '[]', true)",
]


@pytest.mark.parametrize("statement", REFUSED, ids=range(len(REFUSED)))
def test_a_raw_write_that_breaks_a_rule_is_refused_by_the_database(migrated, statement):
    with pytest.raises(IntegrityError), migrated.begin() as conn:
        conn.execute(text(statement))


def test_uniqueness_holds_for_the_living_only(migrated):
    with migrated.begin() as conn:
        # a closed shop may share the name of a new one
        conn.execute(text("UPDATE merchant SET active = false"))
        conn.execute(
            text(
                "INSERT INTO merchant (shop_name, owner_name, phone, address, business_type,"
                " community_id, notes, active) VALUES ('便民超市', '李', '2', '街', '', 1, '', true)"
            )
        )
        # a tier of the street's name in a community's own set, and a removed one again
        conn.execute(
            text(
                "INSERT INTO visittier (community_id, name, interval_days, conditions, active)"
                " VALUES (1, '高风险', 7, '[]', true), (NULL, '高风险', 14, '[]', false)"
            )
        )
    with pytest.raises(IntegrityError), migrated.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO visittier (community_id, name, interval_days, conditions, active)"
                " VALUES (NULL, '高风险', 30, '[]', true)"
            )
        )


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite file of an office that upgrades")
def test_an_office_with_a_year_of_records_upgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'office.db'}"
    config = alembic_config(url)
    # The demo is written by today's models, so it is loaded at head and taken down to
    # 0002 (the schema an office ran before the database enforced the rules), with its
    # records, then brought up again: every migration since runs over a year of data.
    command.upgrade(config, "head")
    engine = db.make_engine(url)
    demo.load_demo(engine, size="community", seed=42, today=DEMO_TODAY)
    command.downgrade(config, "0002")
    command.upgrade(config, "head")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE elder SET care_level = 9"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM visit")).scalar() > 0
    command.downgrade(config, "0002")
    with engine.begin() as conn:  # down again: the rule is the services' alone
        conn.execute(text("UPDATE elder SET care_level = 9 WHERE id = 1"))
    engine.dispose()
    assert date.today()
