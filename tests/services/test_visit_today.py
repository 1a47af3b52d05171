"""The kept figures of the month in progress (services/visit_today.py) always equal a
fresh count, whatever was written, and the write that changes them works them out."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from models.elders import CHANGE_KINDS, Elder, VisitToday
from services import (
    db,
    elders,
    major_changes,
    visit_fixes,
    visit_plan,
    visit_policy,
    visit_today,
    visits,
)
from services.visit_today import TodayFigures, today_figures
from tests import factories
from tests.services.test_elders import elder, elders_world

TODAY = date(2026, 11, 24)


def fresh(session, community_ids) -> dict[int, TodayFigures]:
    """The oracle: counted from the data now, nothing kept."""
    overdue = visit_plan.overdue_per_community(session, community_ids, TODAY)
    on_time = visits.on_time_per_community(
        session, community_ids, date(2026, 11, 1), date(2026, 12, 1), TODAY
    )
    return {
        c: TodayFigures(overdue=overdue.get(c, 0), due=on_time[c][0], on_time=on_time[c][1])
        for c in community_ids
    }


def kept(engine) -> list[tuple[int, date]]:
    with db.read_session(engine) as s:
        rows = s.exec(select(VisitToday).order_by(VisitToday.community_id, VisitToday.day))
        return [(r.community_id, r.day) for r in rows]


def check(engine, community_ids) -> None:
    """Read twice through a read session (the second from kept rows): both equal the
    oracle."""
    for _ in range(2):
        with db.read_session(engine) as s:
            assert today_figures(s, community_ids, TODAY) == fresh(s, community_ids)


@pytest.fixture
def two(session):
    here = elders_world(session)
    there = factories.world(session, "大召社区")
    session.commit()
    return here, there


def test_kept_figures_follow_every_kind_of_write(engine, session, two):
    here, there = two
    both = [here.community_id, there.community_id]
    alone = elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    other = elder(session, here, "李爷爷", registered=date(2026, 3, 15))
    far = elder(session, there, "王奶奶", registered=date(2026, 1, 10))
    check(engine, both)
    assert kept(engine) == [(here.community_id, TODAY), (there.community_id, TODAY)]

    def write(fn, actor=here.shuji, **kwargs):
        with db.transaction(engine) as s:
            return fn(session=s, actor=actor, **kwargs)

    write(visits.visit_record, elder_id=alone, visited_on=TODAY, mode="上门", today=TODAY)
    assert len(kept(engine)) == 2  # worked out again, not removed
    check(engine, both)
    late = write(
        visits.visit_record, elder_id=other, visited_on=date(2026, 11, 3), mode="上门", today=TODAY
    )
    check(engine, both)
    write(
        visit_fixes.visit_correct,
        visit_id=late,
        visited_on=date(2026, 8, 20),
        elder_id=other,
        reason="记错了日子",
        today=TODAY,
    )
    check(engine, both)
    write(visit_fixes.visit_void, visit_id=late, reason="重复录入")
    check(engine, both)
    write(
        major_changes.change_record,
        elder_id=alone,
        kind=CHANGE_KINDS[0],
        occurred_on=date(2026, 11, 20),
        today=TODAY,
    )
    check(engine, both)
    write(elders.elder_deactivate, elder_id=other, reason="搬离本社区", today=TODAY)
    check(engine, both)
    row = session.get(Elder, far)
    write(
        elders.elder_update,
        actor=there.shuji,
        elder_id=far,
        name=row.name,
        birth_date=row.birth_date,
        address=row.address,
        today=TODAY,
        grid_id=None,
        phone=row.phone,
        situations=["独居"],  # now 高风险: weekly visits
        care_level=row.care_level,
        health_notes=row.health_notes,
        guardian_name="",
        guardian_phone="",
        visitor_ids=[],
    )
    check(engine, both)
    policy = visit_policy.policy_view(session=session, actor=here.admin, community_id=None)
    tier = policy.tiers[0]
    write(
        visit_policy.tier_save,
        actor=here.admin,
        community_id=None,
        tier_id=tier.id,
        name=tier.name,
        interval_days=tier.interval_days + 3,
        condition_sets=list(tier.condition_sets),
    )
    assert len(kept(engine)) == 2
    check(engine, both)


def test_after_a_tier_change_readers_work_nothing_out(engine, session, two, monkeypatch):
    """The street admin's save of the tiers works every community's figures out: the
    next person to open the dashboard only reads them."""
    here, there = two
    both = [here.community_id, there.community_id]
    elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    elder(session, there, "空巢老人", situations="空巢", registered=date(2026, 9, 1))
    check(engine, both)
    with db.transaction(engine) as s:
        tier = visit_policy.policy_view(session=s, actor=here.admin, community_id=None).tiers[0]
        visit_policy.tier_save(
            session=s,
            actor=here.admin,
            community_id=None,
            tier_id=tier.id,
            name=tier.name,
            interval_days=tier.interval_days - 2,
            condition_sets=list(tier.condition_sets),
        )
    with db.read_session(engine) as s:
        expected = fresh(s, both)

    def computed(*_args):
        raise AssertionError("a reader worked out kept figures of today")

    monkeypatch.setattr(visit_today, "_figures", computed)
    with db.read_session(engine) as s:
        assert today_figures(s, both, TODAY) == expected


def test_a_visit_works_out_only_its_own_communitys_figures(engine, session, two, monkeypatch):
    here, there = two
    alone = elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    elder(session, there, "空巢老人", situations="空巢", registered=date(2026, 9, 1))
    check(engine, [here.community_id, there.community_id])
    worked_out = []
    real = visit_today._figures
    monkeypatch.setattr(
        visit_today,
        "_figures",
        lambda s, ids, day: worked_out.append(ids) or real(s, ids, day),
    )
    with db.transaction(engine) as s:
        visits.visit_record(
            session=s,
            actor=here.shuji,
            elder_id=alone,
            visited_on=TODAY,
            mode="上门",
            today=TODAY,
        )
    assert worked_out == [[here.community_id]]


def test_a_reader_keeps_nothing_when_a_write_committed_while_it_computed(
    engine, session, two, monkeypatch
):
    here, _ = two
    alone = elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    real = visit_plan.overdue_per_community

    def a_write_commits_meanwhile(s, ids, day):
        counted = real(s, ids, day)
        with db.transaction(engine) as w:
            visits.visit_record(
                session=w,
                actor=here.shuji,
                elder_id=alone,
                visited_on=TODAY,
                mode="上门",
                today=TODAY,
            )
        return counted

    monkeypatch.setattr(visit_plan, "overdue_per_community", a_write_commits_meanwhile)
    with db.read_session(engine) as s:
        today_figures(s, [here.community_id], TODAY)
    assert kept(engine) == []  # computed partly before the visit: not kept
    monkeypatch.setattr(visit_plan, "overdue_per_community", real)
    check(engine, [here.community_id])


def test_only_the_latest_two_days_are_kept(engine, session, two):
    here, _ = two
    alone = elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    for day in (TODAY - timedelta(days=2), TODAY - timedelta(days=1), TODAY):
        with db.read_session(engine) as s:
            today_figures(s, [here.community_id], day)
    assert len(kept(engine)) == 3
    with db.transaction(engine) as s:
        visits.visit_record(
            session=s,
            actor=here.shuji,
            elder_id=alone,
            visited_on=TODAY,
            mode="上门",
            today=TODAY,
        )
    assert kept(engine) == [
        (here.community_id, TODAY - timedelta(days=1)),
        (here.community_id, TODAY),
    ]
    check(engine, [here.community_id])


def test_a_writing_session_keeps_nothing(engine, session, two):
    here, _ = two
    elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    assert today_figures(session, [here.community_id], TODAY) == fresh(session, [here.community_id])
    assert kept(engine) == []
