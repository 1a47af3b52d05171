"""Cached reads go stale only when a write touched their tables and communities, and a
write through another engine (a second app server) is seen at once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, select

from models.elders import Elder
from models.versions import DataVersion
from services import data_versions, db, elders, proxy, proxy_figures, visits
from services.access import Actor
from tests import factories
from ui import actions

TODAY = date(2026, 11, 24)
calls: list[str] = []


def elders_named(*, session: Session, actor: Actor) -> list[str]:
    """A service read, counted (read() resolves it by its module path)."""
    calls.append(actor.username)
    rows = session.exec(
        select(Elder.name).where(Elder.community_id == actor.community_id).order_by(Elder.id)
    )
    return list(rows)


def versions(engine) -> dict[str, int]:
    with db.read_session(engine) as s:
        return dict(s.exec(select(DataVersion.scope, DataVersion.version)).all())


@pytest.fixture
def two(session):
    a = factories.world(session, "四千米社区")
    b = factories.world(session, "大召社区")
    session.commit()
    return a, b


def add_elder(engine, actor: Actor, name: str, today: date = TODAY) -> int:
    with db.transaction(engine) as s:
        return elders.elder_create(
            session=s,
            actor=actor,
            name=name,
            birth_date=date(1940, 1, 1),
            address="测试路1号",
            community_id=actor.community_id,
            today=today,
        )


def test_a_write_gives_its_tables_and_community_new_versions(engine, session, two):
    a, b = two
    before = versions(engine)
    elder = add_elder(engine, a.shuji, "张奶奶")
    with db.transaction(engine) as s:
        visits.visit_record(
            session=s, actor=a.shuji, elder_id=elder, visited_on=TODAY, mode="上门", today=TODAY
        )
    after = versions(engine)
    ca, cb = a.community_id, b.community_id
    assert after[f"elder:{ca}"] != before.get(f"elder:{ca}", 0)
    assert after["elder:*"] != before.get("elder:*", 0)
    # a visit has no community of its own: it counts for its elder's
    assert f"visit:{ca}" in after and "visit:*" in after
    assert f"visit:{cb}" not in after and f"elder:{cb}" not in after
    assert "visit:?" not in after


def test_a_refused_write_changes_no_version(engine, session, two):
    a, _ = two
    before = versions(engine)
    with pytest.raises(RuntimeError), db.transaction(engine) as s:
        s.add(
            Elder(
                name="李爷爷",
                birth_date=date(1940, 1, 1),
                address="x",
                community_id=a.community_id,
                registered_on=TODAY,
            )
        )
        s.flush()
        raise RuntimeError("refused after the flush")
    assert versions(engine) == before


def test_a_bulk_update_changes_the_version_of_every_community(engine, session, two):
    a, _ = two
    add_elder(engine, a.shuji, "张奶奶")
    with db.transaction(engine) as s:
        s.exec(update(Elder).values(address="新地址"))  # type: ignore[call-overload]
    assert "elder:?" in versions(engine)


def test_the_tables_a_read_names_are_collected(engine, two):
    a, _ = two
    with db.read_session(engine) as s, data_versions.tables_read() as tables:
        s.exec(select(func.count()).select_from(Elder)).one()
        elders.elder_registry(session=s, actor=a.shuji, today=TODAY)
    assert {"elder"} <= tables and "volunteer" not in tables


def test_a_cached_read_is_kept_until_its_community_changes(engine, two, tmp_path):
    a, b = two
    actions.clear_reads()
    calls.clear()
    add_elder(engine, a.shuji, "张奶奶")
    assert actions.read(elders_named, actor=a.shuji) == ["张奶奶"]
    assert actions.read(elders_named, actor=a.shuji) == ["张奶奶"]
    runs = len(calls)
    # another community's write leaves it cached
    add_elder(engine, b.shuji, "王爷爷")
    assert actions.read(elders_named, actor=a.shuji) == ["张奶奶"]
    assert len(calls) == runs
    # a write through a second engine (another app server on the same database) is seen
    other_server = db.make_engine(str(engine.url))
    add_elder(other_server, a.shuji, "李奶奶")
    other_server.dispose()
    assert actions.read(elders_named, actor=a.shuji) == ["张奶奶", "李奶奶"]
    assert len(calls) == runs + 1
    actions.clear_reads()


def record_visit(engine, actor: Actor, elder_id: int, day: date) -> None:
    with db.transaction(engine) as s:
        visits.visit_record(
            session=s, actor=actor, elder_id=elder_id, visited_on=day, mode="上门", today=TODAY
        )


@pytest.mark.parametrize("chart", [visits.visits_by_month, visits.overdue_trend])
def test_a_cached_chart_of_kept_figures_sees_the_next_visit(engine, two, chart):
    """The monthly visit counts and the overdue trend are read from figures kept at write
    time or in memory: no query of the chart names the visits, yet a visit is seen."""
    a, _ = two
    actions.clear_reads()
    elder_id = add_elder(engine, a.shuji, "张奶奶", today=date(2026, 6, 1))
    window = {
        "community_ids": [a.community_id],
        "start": date(2026, 1, 1),
        "end": date(2026, 12, 1),
    }
    if chart is visits.overdue_trend:
        window["today"] = TODAY
    before = actions.read(chart, **window)
    assert actions.read(chart, **window).equals(before)  # served again while nothing changed
    record_visit(engine, a.shuji, elder_id, TODAY)
    after = actions.read(chart, **window)
    assert not after.equals(before)
    actions.clear_reads()


def test_a_cached_proxy_chart_of_monthly_counts_sees_the_next_request(engine, session):
    """The requests per month are read from counts kept in the requests' transactions."""
    w = factories.proxy_world(session)
    actions.clear_reads()
    window = {"community_ids": [w.community_id], "start": date(2026, 1, 1), "end": date(2027, 1, 1)}
    before = actions.read(proxy_figures.requests_by_month, **window)
    with db.transaction(engine) as s:
        proxy.request_create(
            session=s,
            actor=w.shuji,
            merchant_id=w.merchant,
            kind=proxy.KINDS[0],
            detail="代缴电费",
            today=TODAY,
        )
    after = actions.read(proxy_figures.requests_by_month, **window)
    assert int(after["requests"].sum()) == int(before["requests"].sum()) + 1
    actions.clear_reads()


def test_a_table_is_no_argument_of_a_cached_read():
    # a cached read is keyed by the repr of its arguments, and a table's repr leaves
    # rows out: two different tables could share a key
    import pandas as pd

    with pytest.raises(TypeError):
        actions._key("services.x.y", {"rows": pd.DataFrame({"a": range(100)})}, ())
    assert actions._key("services.x.y", {"b": 1, "a": [2]}, (("elder:1", 3),)) == actions._key(
        "services.x.y", {"a": [2], "b": 1}, (("elder:1", 3),)
    )


def test_a_value_read_once_a_session_counts_for_every_read_that_uses_it(engine):
    """The second read takes the communities from the session's memo, with no statement,
    and still depends on the community table: adding a community makes it stale too."""
    from services import visit_plan

    with db.read_session(engine) as s:
        with data_versions.tables_read() as first:
            visit_plan.community_names(s)
        with data_versions.tables_read() as second:
            visit_plan.community_names(s)
    assert "community" in first and "community" in second
