"""好差评 (issue 19): the five levels of the government service evaluation, one rating per
request; a 差评 (不满意 or worse) opens a rectification due N working days after the
rating (the street's setting, default 5), closed by a call-back; the board's open
rectifications and the 差评 rectification rate, on hand-made cases."""

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from models.audit import AuditEntry
from models.base import LOCAL_TZ
from models.org import Street
from models.proxy import ProxyRectification, ProxyRequest
from services import merchants, proxy, proxy_figures, rectifications
from services.errors import BoardError
from tests import factories

TODAY = date(2026, 11, 24)


@pytest.fixture
def w(session):
    return factories.proxy_world(session)


_n = iter(range(1, 10_000))


def done_request(session, w, *, requested_on=date(2026, 9, 1), actor=None) -> int:
    actor = actor or w.shuji
    rid = proxy.request_create(
        session=session,
        actor=actor,
        merchant_id=merchants.merchant_list(session=session, actor=actor)["id"].iloc[0].item(),
        kind="utilities",
        detail=f"代缴水电费（第 {next(_n)} 单）",
        today=requested_on,
    )
    for step in ("accepted", "in_progress", "done"):
        proxy.request_advance(session=session, actor=actor, request_id=rid, to_status=step)
    session.commit()
    return rid


def rate(session, w, rid, rating, at, actor=None):
    proxy.request_rate(
        session=session, actor=actor or w.shuji, request_id=rid, satisfaction=rating, now=at
    )
    session.commit()


def beijing(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_TZ)


def test_the_five_levels_are_stored_5_to_1_and_nothing_else(session, w):
    for rating in (5, 4, 3, 2, 1):
        rid = done_request(session, w)
        rate(session, w, rid, rating, beijing(TODAY, 10))
        assert session.get(ProxyRequest, rid).satisfaction == rating
    rid = done_request(session, w)
    for wrong in (0, 6, 4.5, True, -1):
        with pytest.raises(BoardError) as err:
            rate(session, w, rid, wrong, beijing(TODAY, 10))
        assert err.value.key == "proxy.rating_invalid"
        session.rollback()
    assert session.get(ProxyRequest, rid).satisfaction is None


def test_one_rating_per_request(session, w):
    rid = done_request(session, w)
    rate(session, w, rid, 5, beijing(TODAY, 10))
    with pytest.raises(BoardError) as err:
        rate(session, w, rid, 1, beijing(TODAY, 11))
    assert err.value.key == "proxy.already_rated"
    session.rollback()
    stored = session.get(ProxyRequest, rid)
    assert (stored.satisfaction, stored.rated_at) == (5, beijing(TODAY, 10).astimezone(UTC))
    assert session.exec(select(ProxyRectification)).all() == []


# rated at (Beijing time) -> the rectification's deadline, 5 working days after the
# local day of the rating (that day not counted), by the published holiday schedule
DEADLINES = [
    (beijing(date(2026, 11, 20), 15), date(2026, 11, 27)),  # an ordinary Friday
    # Wed 30 Sep 04:00 in Beijing (still Tue 29 Sep in UTC): 8, 9, 10 (Saturday worked
    # in exchange), 12 and 13 Oct; counted from the UTC day it would be 12 Oct
    (beijing(date(2026, 9, 30), 4), date(2026, 10, 13)),
]


@pytest.mark.parametrize(("rated_at", "deadline"), DEADLINES)
@pytest.mark.parametrize("rating", [2, 1])
def test_a_bad_rating_opens_a_rectification_due_in_five_working_days(
    session, w, rating, rated_at, deadline
):
    rid = done_request(session, w)
    rate(session, w, rid, rating, rated_at)
    rect = session.exec(select(ProxyRectification)).one()
    assert (rect.request_id, rect.opened_on, rect.deadline) == (
        rid,
        rated_at.date(),
        deadline,
    )
    assert rect.called_at is None
    created = session.exec(
        select(AuditEntry).where(AuditEntry.table_name == "proxyrectification")
    ).one()
    assert (created.action, created.account_id) == ("create", w.shuji.id)


@pytest.mark.parametrize("rating", [5, 4, 3])
def test_satisfied_ratings_open_nothing(session, w, rating):
    rate(session, w, done_request(session, w), rating, beijing(TODAY, 10))
    assert session.exec(select(ProxyRectification)).all() == []


def test_closing_with_a_bad_rating_opens_a_rectification_too(session, w):
    rid = proxy.request_create(
        session=session,
        actor=w.shuji,
        merchant_id=w.merchant,
        kind="parcels",
        detail="代收快递",
        today=TODAY,
        agent_account_id=w.agent.id,
    )
    for step in ("accepted", "in_progress"):
        proxy.request_advance(session=session, actor=w.agent, request_id=rid, to_status=step)
    proxy.request_close(
        session=session,
        actor=w.agent,
        request_id=rid,
        satisfaction=2,
        feedback="快递放错了地方",
        now=beijing(date(2026, 11, 20), 15),
    )
    session.commit()
    rect = session.exec(select(ProxyRectification)).one()
    assert (rect.request_id, rect.deadline) == (rid, date(2026, 11, 27))


def test_the_admin_sets_the_working_days(session, w):
    assert rectifications.rectification_days(session=session) == 5  # no street row yet
    for wrong in (0, 31, 2.5, True):
        with pytest.raises(BoardError) as err:
            rectifications.set_rectification_days(session=session, actor=w.admin, days=wrong)
        assert err.value.key == "rectification.days_invalid"
        session.rollback()
    with pytest.raises(BoardError) as err:
        rectifications.set_rectification_days(session=session, actor=w.shuji, days=10)
    assert err.value.key == "access.denied"
    session.rollback()
    rectifications.set_rectification_days(session=session, actor=w.admin, days=10)
    session.commit()
    assert session.exec(select(Street.rectification_days)).one() == 10
    entry = session.exec(select(AuditEntry).where(AuditEntry.table_name == "street")).all()[-1]
    assert json.loads(entry.changes) == {"rectification_days": [5, 10]}
    # a Friday's 差评 now has 10 working days: Friday 4 December
    rate(session, w, done_request(session, w), 1, beijing(date(2026, 11, 20), 15))
    assert session.exec(select(ProxyRectification.deadline)).one() == date(2026, 12, 4)


def _bad(session, w, rated_at: datetime) -> int:
    rate(session, w, done_request(session, w), 2, rated_at)
    return session.exec(
        select(ProxyRectification.id).order_by(ProxyRectification.id.desc())
    ).first()


def test_a_call_back_closes_the_rectification_once(session, w):
    rect = _bad(session, w, beijing(date(2026, 11, 20), 15))
    for outcome, note, key in (
        ("fixed", "已整改", "rectification.outcome_invalid"),
        ("resolved", "  ", "rectification.note_required"),
    ):
        with pytest.raises(BoardError) as err:
            rectifications.record_call_back(
                session=session, actor=w.shuji, rectification_id=rect, outcome=outcome, note=note
            )
        assert err.value.key == key
        session.rollback()
    with pytest.raises(BoardError) as err:  # the agent who did the work does not call back
        rectifications.record_call_back(
            session=session, actor=w.agent, rectification_id=rect, outcome="resolved", note="好"
        )
    assert err.value.key == "access.denied"
    session.rollback()
    other = factories.world(session, "前进社区")
    with pytest.raises(BoardError) as err:
        rectifications.record_call_back(
            session=session, actor=other.shuji, rectification_id=rect, outcome="resolved", note="好"
        )
    assert err.value.key == "access.other_community"
    session.rollback()
    called = beijing(date(2026, 11, 25), 16)
    rectifications.record_call_back(
        session=session,
        actor=w.shuji,
        rectification_id=rect,
        outcome="resolved",
        note="已向商户道歉，快递已找回",
        now=called,
    )
    session.commit()
    row = session.get(ProxyRectification, rect)
    assert (row.called_at, row.called_by_account_id, row.outcome, row.note) == (
        called.astimezone(UTC),
        w.shuji.id,
        "resolved",
        "已向商户道歉，快递已找回",
    )
    with pytest.raises(BoardError) as err:
        rectifications.record_call_back(
            session=session, actor=w.shuji, rectification_id=rect, outcome="explained", note="再次"
        )
    assert err.value.key == "rectification.closed"
    session.rollback()
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.table_name == "proxyrectification")
    ).all()[-1]
    assert (entry.action, entry.account_id, set(json.loads(entry.changes))) == (
        "update",
        w.shuji.id,
        {"called_at", "called_by_account_id", "outcome", "note"},
    )


def test_the_board_lists_open_rectifications_nearest_deadline_first(session, w):
    late = _bad(session, w, beijing(date(2026, 11, 10), 9))  # due Tue 17 Nov
    soon = _bad(session, w, beijing(date(2026, 11, 20), 9))  # due Fri 27 Nov
    closed = _bad(session, w, beijing(date(2026, 11, 19), 9))
    rectifications.record_call_back(
        session=session, actor=w.shuji, rectification_id=closed, outcome="explained", note="已解释"
    )
    other = factories.world(session, "前进社区")
    session.commit()
    listed = rectifications.open_rectifications(session=session, actor=w.shuji, today=TODAY)
    assert [(r.id, r.deadline, r.days_left, r.overdue) for r in listed] == [
        (late, date(2026, 11, 17), -7, True),
        (soon, date(2026, 11, 27), 3, False),
    ]
    assert listed[0].shop_name == "老绥元烧卖馆" and listed[0].rating == 2
    assert rectifications.open_rectifications(session=session, actor=other.shuji, today=TODAY) == []
    assert len(rectifications.open_rectifications(session=session, actor=w.admin, today=TODAY)) == 2
    with pytest.raises(BoardError):
        rectifications.open_rectifications(session=session, actor=w.agent, today=TODAY)


def test_the_rectification_rate_on_a_small_data_set(session, w):
    """November 2026: three 差评 (one called back at 23:00 on its deadline day, one a day
    late, one still open) and one 满意; a 差评 of October is outside the period.
    Rate = 差评 closed with a call-back by their deadline / all 差评 rated = 1/3."""
    in_time = _bad(session, w, beijing(date(2026, 11, 20), 15))  # due 27 Nov
    late = _bad(session, w, beijing(date(2026, 11, 10), 15))  # due 17 Nov
    _bad(session, w, beijing(date(2026, 11, 23), 15))  # open
    rate(session, w, done_request(session, w), 4, beijing(date(2026, 11, 12), 10))
    october = _bad(session, w, beijing(date(2026, 10, 30), 15))
    for rect, when in (
        (in_time, beijing(date(2026, 11, 27), 23)),
        (late, beijing(date(2026, 11, 18), 9)),
        (october, beijing(date(2026, 11, 2), 9)),
    ):
        rectifications.record_call_back(
            session=session,
            actor=w.shuji,
            rectification_id=rect,
            outcome="resolved",
            note="已回访",
            now=when,
        )
    session.commit()
    figure = proxy_figures.rectification_rate(
        session=session, community_ids=None, start=date(2026, 11, 1), end=date(2026, 12, 1)
    )
    assert figure == {"bad": 3, "rectified": 1, "rate": pytest.approx(1 / 3)}
    october_figure = proxy_figures.rectification_rate(
        session=session,
        community_ids=[w.community_id],
        start=date(2026, 10, 1),
        end=date(2026, 11, 1),
    )
    assert october_figure == {"bad": 1, "rectified": 1, "rate": 1.0}
    assert proxy_figures.rectification_rate(
        session=session, community_ids=[], start=date(2026, 11, 1), end=date(2026, 12, 1)
    ) == {"bad": 0, "rectified": 0, "rate": None}


def test_a_call_back_a_second_after_the_deadline_day_is_late(session, w):
    rect = _bad(session, w, beijing(date(2026, 11, 20), 15))  # due 27 Nov
    rectifications.record_call_back(
        session=session,
        actor=w.shuji,
        rectification_id=rect,
        outcome="resolved",
        note="已回访",
        now=beijing(date(2026, 11, 28), 0) + timedelta(seconds=1),
    )
    session.commit()
    figure = proxy_figures.rectification_rate(
        session=session, community_ids=None, start=date(2026, 11, 1), end=date(2026, 12, 1)
    )
    assert (figure["bad"], figure["rectified"]) == (1, 0)
