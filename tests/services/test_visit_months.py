"""The monthly visit counts (services/visit_months.py) always equal a count of the visits
that stand: after visits are recorded, corrected to another elder or month, voided, and
after the demo's bulk load; and the monthly chart reads the same figures from them."""

from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlmodel import select

from models.elders import Elder, Visit, VisitMonth
from services import visit_fixes, visit_months, visits
from tests import factories
from tests.services.test_elders import elder, elders_world

TODAY = date(2026, 11, 24)


def kept(session) -> dict[tuple[int, str, str], int]:
    rows = session.exec(
        select(VisitMonth.community_id, VisitMonth.month, VisitMonth.mode, VisitMonth.visits)
    ).all()
    return {(c, m, mode): n for c, m, mode, n in rows if n}


def recounted(session) -> dict[tuple[int, str, str], int]:
    """The oracle: the visits that stand, counted in Python."""
    counts: dict[tuple[int, str, str], int] = {}
    for visit, community_id in session.exec(
        select(Visit, Elder.community_id).join(Elder, Elder.id == Visit.elder_id)
    ).all():
        if not visit.voided:
            key = (community_id, visit.visited_on.strftime("%Y-%m"), visit.mode)
            counts[key] = counts.get(key, 0) + 1
    return counts


def record(session, actor, elder_id, day, mode="上门") -> int:
    visit_id = visits.visit_record(
        session=session, actor=actor, elder_id=elder_id, visited_on=day, mode=mode, today=TODAY
    )
    session.commit()
    return visit_id


def test_recorded_corrected_and_voided_visits_are_counted_in_their_month(session):
    w = elders_world(session)
    other = factories.world(session, "大召社区")
    session.commit()
    here = elder(session, w, "张奶奶")
    there = elder(session, other, "王爷爷")
    first = record(session, w.shuji, here, date(2026, 10, 5))
    record(session, w.shuji, here, date(2026, 11, 2), mode="电话")
    record(session, other.shuji, there, date(2026, 11, 3))
    assert (
        kept(session)
        == recounted(session)
        == {
            (w.community_id, "2026-10", "上门"): 1,
            (w.community_id, "2026-11", "电话"): 1,
            (other.community_id, "2026-11", "上门"): 1,
        }
    )
    # corrected to another month, then voided
    visit_fixes.visit_correct(
        session=session,
        actor=w.shuji,
        visit_id=first,
        visited_on=date(2026, 9, 30),
        elder_id=here,
        reason="记错日期",
        today=TODAY,
    )
    session.commit()
    assert kept(session) == recounted(session)
    assert (w.community_id, "2026-09", "上门") in kept(session)
    assert (w.community_id, "2026-10", "上门") not in kept(session)
    visit_fixes.visit_void(session=session, actor=w.shuji, visit_id=first, reason="没有上门")
    session.commit()
    assert kept(session) == recounted(session)
    assert (w.community_id, "2026-09", "上门") not in kept(session)


def test_the_demo_is_counted_after_its_bulk_load(demo_engine):
    from sqlmodel import Session

    with Session(demo_engine) as s:
        assert kept(s) == recounted(s)
        assert (
            sum(kept(s).values())
            == s.exec(select(func.count()).select_from(Visit).where(~Visit.voided)).one()
        )


def test_the_monthly_chart_reads_the_same_figures_as_a_count_of_visits(demo_engine):
    from sqlmodel import Session

    with Session(demo_engine) as s:
        community = s.exec(select(Elder.community_id)).first()
        for community_ids in (None, [community]):
            start, end = date(2025, 12, 1), date(2026, 12, 1)
            from_counts = visits.visits_by_month(
                session=s, community_ids=community_ids, start=start, end=end
            )
            # the same months, counted from the visits (a window that is not whole months)
            counted = visits.visits_by_month(
                session=s, community_ids=community_ids, start=start, end=date(2026, 11, 30)
            )
            november = visits.visits_by_month(
                session=s, community_ids=community_ids, start=date(2026, 11, 30), end=end
            )
            by_hand = (
                pd.concat([counted, november])
                .groupby(["month", "mode"], as_index=False)["visits"]
                .sum()
                .sort_values(["month", "mode"])
                .reset_index(drop=True)
            )
            assert len(from_counts) > 10
            pd.testing.assert_frame_equal(
                from_counts.reset_index(drop=True), by_hand, check_dtype=False
            )
            assert visit_months.is_whole_months(start, end)
