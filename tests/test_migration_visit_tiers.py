"""Migration 0006: the old interval rules become tiers without losing an office's edits,
and the 高龄 tag leaves the elders' situations (nothing else changes)."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import text

from services import db
from services.migrate import alembic_config
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="a SQLite file upgraded step by step")

ELDER = (
    "INSERT INTO elder (name, birth_date, phone, address, community_id, situations, care_level,"
    " health_notes, guardian_name, guardian_phone, registered_on, active, deactivated_reason)"
    " VALUES (:name, '1940-01-01', '', '址', 1, :situations, 0, '', '', '', '2026-01-01', true, '')"
)


def _office(tmp_path, rules):
    url = f"sqlite:///{tmp_path / 'office.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0005")
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO community (id, name, street, district, active) VALUES"
                " (1, '甲社区', '街道', '区', true), (2, '乙社区', '街道', '区', true)"
            )
        )
        for community_id, rule, days in rules:
            conn.execute(
                text(
                    "INSERT INTO visitpolicy (community_id, situation, interval_days)"
                    " VALUES (:c, :r, :d)"
                ),
                {"c": community_id, "r": rule, "d": days},
            )
        for name, situations in (("甲", "独居,高龄,失能"), ("乙", "高龄"), ("丙", "空巢")):
            conn.execute(text(ELDER), {"name": name, "situations": situations})
    command.upgrade(config, "0006")
    return engine


def _tiers(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT community_id, name, interval_days, conditions FROM visittier ORDER BY id")
        ).all()
    return [(c, n, d, json.loads(cond)) for c, n, d, cond in rows]


def test_an_office_on_the_old_defaults_gets_the_new_default_tiers(tmp_path):
    old = [(None, "独居", 7), (None, "失能", 7), (None, "age80", 14), (None, "care3", 7)]
    engine = _office(tmp_path, [*old, (None, "default", 30)])
    assert _tiers(engine) == [
        (
            None,
            "高风险",
            7,
            [
                {"age": 80, "situations": ["独居", "空巢", "留守"]},
                {"situations": ["失智"]},
                {"care": 3},
            ],
        ),
        (None, "重点", 30, [{"situations": ["失能", "重残", "计生特殊", "特困"]}]),
        (None, "一般", 90, []),
    ]
    with engine.connect() as conn:
        situations = conn.execute(text("SELECT name, situations FROM elder ORDER BY id")).all()
    assert [tuple(r) for r in situations] == [("甲", "独居,失能"), ("乙", ""), ("丙", "空巢")]
    engine.dispose()


def test_an_office_that_edited_its_rules_keeps_every_interval(tmp_path):
    rules = [
        (None, "独居", 10),
        (None, "高龄", 20),
        (None, "care2", 14),
        (None, "default", 45),
        (2, "空巢", 5),  # 乙社区's own rule over the street's
    ]
    engine = _office(tmp_path, rules)
    street = [
        (None, "独居", 10, [{"situations": ["独居"]}]),
        (None, "高龄", 20, [{"age": 80}]),
        (None, "照护2级以上", 14, [{"care": 2}]),
        (None, "一般", 45, []),
    ]
    own = [(2, name, days, cond) for _, name, days, cond in street]
    assert _tiers(engine) == [*street, *own, (2, "空巢", 5, [{"situations": ["空巢"]}])]
    engine.dispose()
