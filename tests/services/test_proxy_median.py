"""The median days from a request to done (issue 19): days count from local midnight
(Asia/Shanghai) of the request day, and an even count takes the mean of the two middle
values. Hand-made cases, and the street's 2026 median recomputed from the demo rows."""

import statistics
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, col, select

from models.base import LOCAL_TZ
from models.proxy import ProxyRequest, ProxyStatus
from services import proxy, proxy_figures
from tests import factories

TODAY = date(2026, 11, 24)
PERIOD = {"start": date(2026, 11, 1), "end": date(2027, 1, 1)}


@pytest.fixture
def w(session):
    return factories.proxy_world(session)


def done_after(session, w, n: int, done_local: datetime) -> None:
    """Request number n, taken in on TODAY and done at done_local (Beijing time)."""
    rid = proxy.request_create(
        session=session,
        actor=w.shuji,
        merchant_id=w.merchant,
        kind="other",
        detail=f"帮忙联系维修（第 {n} 单）",
        today=TODAY,
    )
    for step in ("accepted", "in_progress"):
        proxy.request_advance(session=session, actor=w.shuji, request_id=rid, to_status=step)
    proxy.request_advance(
        session=session, actor=w.shuji, request_id=rid, to_status="done", now=done_local
    )
    session.commit()


def median(session) -> float:
    figures = proxy_figures.proxy_figures(session=session, community_ids=None, **PERIOD)
    return figures["median_days_to_done"]


def test_a_request_done_the_same_beijing_morning_counts_from_local_midnight(session, w):
    # taken in on 24 November, done at 12:00 Beijing time (04:00 UTC) that day: half a day
    done_after(session, w, 1, datetime.combine(TODAY, time(12), LOCAL_TZ))
    assert median(session) == 0.5
    by_community = proxy_figures.median_days_to_done(session=session, community_ids=None, **PERIOD)
    assert by_community.to_dict("records") == [{"community": "大召社区", "median_days": 0.5}]


def test_an_even_count_takes_the_mean_of_the_two_middle_values(session, w):
    # done at noon 1, 2, 4 and 9 days later: 1.5, 2.5, 4.5 and 9.5 days; median (2.5+4.5)/2
    for n, days in enumerate((1, 2, 4, 9)):
        done_after(
            session, w, n, datetime.combine(TODAY + timedelta(days=days), time(12), LOCAL_TZ)
        )
    assert median(session) == 3.5


def test_an_odd_count_takes_the_middle_value(session, w):
    # 1.5, 2.5 and 9.5 days: the middle one
    for n, days in enumerate((9, 1, 2)):
        done_after(
            session, w, n, datetime.combine(TODAY + timedelta(days=days), time(12), LOCAL_TZ)
        )
    assert median(session) == 2.5


def test_the_streets_2026_median_matches_the_demo_rows(demo_engine):
    """Recomputed in plain Python from the stored rows: done in 2026 (Beijing time), days
    from the local midnight of the request day to done."""
    start, end = date(2026, 1, 1), date(2027, 1, 1)
    with Session(demo_engine) as session:
        rows = session.exec(
            select(ProxyRequest.requested_on, ProxyRequest.done_at).where(
                col(ProxyRequest.status) == ProxyStatus.done
            )
        ).all()
        days = []
        for requested_on, done_at in rows:
            assert done_at is not None
            done_local = done_at.replace(tzinfo=UTC).astimezone(LOCAL_TZ)
            if start <= done_local.date() < end:
                midnight = datetime.combine(requested_on, time(0), LOCAL_TZ)
                days.append((done_local - midnight).total_seconds() / 86400)
        assert len(days) > 100
        expected = round(statistics.median(days), 1)
        figures = proxy_figures.proxy_figures(
            session=session, community_ids=None, start=start, end=end
        )
    assert figures["median_days_to_done"] == expected


def test_agents_medians_group_as_the_counts_do_by_name_and_none_is_its_own(session, w):
    # the median reads ids from the index and names its groups after: two agents who
    # share a display name are still one group (as service_quality counts them), and
    # requests done with no agent form the "" group
    from models.accounts import Account
    from tests.conftest import make_account

    twin = make_account(session, "daiban2", w.agent.role, w.community_id)
    session.get(Account, twin.id).display_name = "daiban"
    session.commit()
    for n, (agent, days) in enumerate(((w.agent, 1), (twin, 3), (None, 2), (None, 6))):
        done_after(
            session, w, n, datetime.combine(TODAY + timedelta(days=days), time(12), LOCAL_TZ)
        )
        rid = session.exec(select(ProxyRequest.id).order_by(col(ProxyRequest.id).desc())).first()
        session.get(ProxyRequest, rid).agent_account_id = agent.id if agent else None
        session.commit()
    by_agent = proxy_figures.median_days_to_done(
        session=session, community_ids=None, by="agent", **PERIOD
    )
    assert sorted(by_agent.to_dict("records"), key=lambda r: r["agent"]) == [
        {"agent": "", "median_days": 4.5},  # 2.5 and 6.5
        {"agent": "daiban", "median_days": 2.5},  # 1.5 and 3.5
    ]
    quality = proxy_figures.service_quality(
        session=session, community_ids=None, by="agent", **PERIOD
    )
    assert dict(zip(quality["agent"], quality["median_days"], strict=True)) == {
        "": 4.5,
        "daiban": 2.5,
    }
