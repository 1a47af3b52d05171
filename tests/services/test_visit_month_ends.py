"""The kept figures of months that are over (services/visit_month_ends.py) always equal
the figures computed afresh from the data: after every kind of write that can change
them (which works them out again itself), and a reader racing a writer keeps nothing
stale."""

from datetime import date

import pytest
from sqlmodel import select

from models.elders import CHANGE_KINDS, Elder, VisitMonthEnd
from models.org import Community
from services import (
    db,
    elders,
    major_changes,
    visit_fixes,
    visit_month_ends,
    visit_plan,
    visit_policy,
    visits,
)
from services.visit_month_ends import MonthEnd, care_per_community, month_ends
from tests import factories
from tests.services.test_elders import elder, elders_world

TODAY = date(2026, 11, 24)
MONTHS = [date(2026, m, 1) for m in range(1, 11)]  # January to October: over on TODAY


def fresh(session, community_ids) -> dict[date, MonthEnd]:
    """The oracle: each month computed from the data now, nothing kept."""
    figures = {}
    for month in MONTHS:
        following = visit_month_ends.next_month(month)
        last_day = date.fromordinal(following.toordinal() - 1)
        overdue = visit_plan.overdue_per_community(session, community_ids, last_day)
        care = care_per_community(session, community_ids, month, following)
        ids = community_ids or list(session.exec(select(Community.id)).all())
        on_time = visits.on_time_per_community(session, ids, month, following)
        figures[month] = MonthEnd(
            overdue=sum(overdue.values()),
            under_care=sum(n for n, _ in care.values()),
            visited=sum(v for _, v in care.values()),
            due=sum(d for d, _ in on_time.values()),
            on_time=sum(m for _, m in on_time.values()),
        )
    return figures


def kept_rows(engine) -> int:
    with db.read_session(engine) as s:
        return len(s.exec(select(VisitMonthEnd)).all())


def check(engine, community_ids) -> None:
    """Read twice through a read session (the second from kept rows): both equal the
    oracle."""
    for _ in range(2):
        with db.read_session(engine) as s:
            assert month_ends(s, community_ids, MONTHS, TODAY) == fresh(s, community_ids)


@pytest.fixture
def two(session):
    here = elders_world(session)
    there = factories.world(session, "大召社区")
    session.commit()
    return here, there


def test_kept_figures_follow_every_kind_of_write(engine, session, two):
    here, there = two
    alone = elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    other = elder(session, here, "李爷爷", registered=date(2026, 3, 15))
    far = elder(session, there, "王奶奶", registered=date(2026, 1, 10))
    check(engine, None)
    check(engine, [here.community_id])
    assert kept_rows(engine) == 2 * len(MONTHS)

    def write(fn, actor=here.shuji, **kwargs):
        with db.transaction(engine) as s:
            return fn(session=s, actor=actor, **kwargs)

    # a visit today changes nothing kept; one entered late its month on, in the write
    write(visits.visit_record, elder_id=alone, visited_on=TODAY, mode="上门", today=TODAY)
    assert kept_rows(engine) == 2 * len(MONTHS)
    late = write(
        visits.visit_record, elder_id=alone, visited_on=date(2026, 6, 3), mode="上门", today=TODAY
    )
    assert kept_rows(engine) == 2 * len(MONTHS)  # worked out again, not removed
    check(engine, None)
    write(
        visit_fixes.visit_correct,
        visit_id=late,
        visited_on=date(2026, 4, 20),
        elder_id=other,
        reason="记错了日子",
        today=TODAY,
    )
    check(engine, None)
    write(visit_fixes.visit_void, visit_id=late, reason="重复录入")
    check(engine, None)
    write(
        major_changes.change_record,
        elder_id=other,
        kind=CHANGE_KINDS[0],
        occurred_on=date(2026, 8, 30),
        today=TODAY,
    )
    check(engine, None)
    write(
        elders.elder_deactivate,
        elder_id=other,
        reason="搬离本社区",
        today=date(2026, 9, 15),
    )
    check(engine, None)
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
    check(engine, None)
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
    assert kept_rows(engine) == 2 * len(MONTHS)  # every month of every community, again
    check(engine, None)


def test_a_reader_keeps_nothing_when_a_write_committed_while_it_computed(
    engine, session, two, monkeypatch
):
    here, _ = two
    alone = elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    real = visit_plan.overdue_per_community

    def a_write_commits_meanwhile(s, ids, day):
        counted = real(s, ids, day)
        if day.month == 3:
            with db.transaction(engine) as w:
                visits.visit_record(
                    session=w,
                    actor=here.shuji,
                    elder_id=alone,
                    visited_on=date(2026, 3, 2),
                    mode="上门",
                    today=TODAY,
                )
        return counted

    monkeypatch.setattr(visit_plan, "overdue_per_community", a_write_commits_meanwhile)
    with db.read_session(engine) as s:
        month_ends(s, None, MONTHS, TODAY)
    assert kept_rows(engine) == 0  # computed partly before the visit: not kept
    monkeypatch.setattr(visit_plan, "overdue_per_community", real)
    check(engine, None)


def test_a_writing_session_keeps_nothing(engine, session, two):
    here, _ = two
    elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    assert month_ends(session, None, MONTHS, TODAY) == fresh(session, None)
    assert kept_rows(engine) == 0


def test_a_new_phone_number_keeps_the_kept_figures_and_plans(engine, session, two):
    here, _ = two
    alone = elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    check(engine, None)
    kept = kept_rows(engine)
    with db.transaction(engine) as s:
        row = s.get(Elder, alone)
        row.phone = "13800000000"  # what no figure reads
        s.add(row)
    assert kept_rows(engine) == kept
    with db.transaction(engine) as s:
        row = s.get(Elder, alone)
        row.care_level = 3  # what the tiers read
        s.add(row)
    assert kept_rows(engine) == kept  # every month of its community, worked out again
    check(engine, None)


def test_after_a_write_readers_work_nothing_out(engine, session, two, monkeypatch):
    """The write that made kept figures stale worked them out: the dashboard's next
    read (of a tier change, the slowest) only reads them."""
    here, _ = two
    alone = elder(session, here, "独居老人", situations="独居", registered=date(2026, 2, 1))
    check(engine, None)
    with db.transaction(engine) as s:
        visits.visit_record(
            session=s,
            actor=here.shuji,
            elder_id=alone,
            visited_on=date(2026, 5, 6),
            mode="上门",
            today=TODAY,
        )
    with db.transaction(engine) as s:
        policy = visit_policy.policy_view(session=s, actor=here.admin, community_id=None)
        tier = policy.tiers[0]
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
        expected = fresh(s, None)

    def computed(*_args):
        raise AssertionError("a reader worked out a kept month-end")

    monkeypatch.setattr(visit_month_ends, "_figures", computed)
    with db.read_session(engine) as s:
        assert month_ends(s, None, MONTHS, TODAY) == expected
