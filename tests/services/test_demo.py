"""The demo loader: deterministic for a seed, refuses a database that holds data."""

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

import models
from services import demo
from services.db import make_engine
from tests.conftest import DEMO_TODAY


def _counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {
            name: s.exec(select(func.count()).select_from(table)).one()
            for name, table in SQLModel.metadata.tables.items()
            if name != "authsession"
        }


def test_community_demo_is_deterministic(demo_template, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    SQLModel.metadata.create_all(engine)
    demo.load_demo(engine, size="community", seed=42, today=DEMO_TODAY)
    template = make_engine(f"sqlite:///{demo_template}")
    assert _counts(engine) == _counts(template)
    with Session(engine) as s, Session(template) as t:
        names = [c.name for c in s.exec(select(models.Community).order_by(models.Community.id))]
        assert names == [
            c.name for c in t.exec(select(models.Community).order_by(models.Community.id))
        ]
    assert names[:5] == ["四千米社区", "前进社区", "金润社区", "义和巷社区", "大召社区"]


def test_demo_accounts_exist_with_their_roles(demo_template):
    engine = make_engine(f"sqlite:///{demo_template}")
    with Session(engine) as s:
        roles = {a.username: a.role for a in s.exec(select(models.Account))}
    assert roles["admin"] == "admin" and roles["shuji"] == "secretary"
    assert roles["wangge"] == "grid_worker" and roles["zhiyuan"] == "volunteer"
    assert roles["huiyi"] == "display"


def test_demo_refuses_a_database_with_data(demo_template):
    engine = make_engine(f"sqlite:///{demo_template}")
    with pytest.raises(RuntimeError):
        demo.load_demo(engine, size="community")


def test_demo_loads_on_the_test_engine_and_new_rows_get_fresh_ids(engine):
    """On PostgreSQL (CI) too: the loader's explicit ids must not collide with new rows."""
    demo.load_demo(engine, size="community", seed=1, today=DEMO_TODAY)
    with Session(engine) as s:
        community = models.Community(name="新建社区", street="大学西路街道", district="赛罕区")
        s.add(community)
        s.commit()
        assert community.id == s.exec(select(func.max(models.Community.id))).one()
        assert s.exec(select(func.count()).select_from(models.Visit)).one() > 1000
