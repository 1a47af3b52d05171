"""Proxy requests: the state machine and its history, intake rules, overdue, ratings,
and the figures (median days in SQL)."""

from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from sqlmodel import select

from models.accounts import Role
from models.proxy import ProxyRequest, ProxyRequestChange, ProxyStatus
from models.volunteers import Task
from services import proxy
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account

TODAY = date(2026, 11, 24)


@pytest.fixture
def w(session):
    world = factories.world(session, "大召社区")
    world.agent = make_account(session, "daiban", Role.volunteer, world.community_id)
    world.merchant = proxy.merchant_create(
        session=session,
        actor=world.shuji,
        community_id=world.community_id,
        shop_name="老绥元烧卖馆",
        owner_name="王老板",
        phone="13847112345",
        address="大召前街12号",
        business_type="餐饮",
        licence_due=TODAY + timedelta(days=20),
    )
    session.commit()
    return world


def new_request(session, w, kind="parcels", **kw):
    rid = proxy.request_create(
        session=session,
        actor=w.shuji,
        merchant_id=w.merchant,
        kind=kind,
        detail="代收快递",
        today=TODAY,
        agent_account_id=w.agent.id,
        **kw,
    )
    session.commit()
    return rid


def walk(session, actor, rid, *steps):
    for step in steps:
        proxy.request_advance(
            session=session,
            actor=actor,
            request_id=rid,
            to_status=step,
            note="原因" if step == "rejected" else "",
        )


def test_due_date_defaults_by_kind_and_past_due_is_refused(session, w):
    rid = new_request(session, w, kind="licence")
    assert session.get(ProxyRequest, rid).due_on == TODAY + timedelta(days=15)
    with pytest.raises(BoardError) as err:
        proxy.request_create(
            session=session,
            actor=w.shuji,
            merchant_id=w.merchant,
            kind="parcels",
            detail="",
            today=TODAY,
            due_on=TODAY - timedelta(days=1),
        )
    assert err.value.key == "proxy.due_past"


REACH = {  # the steps that lead to each status
    "submitted": [],
    "accepted": ["accepted"],
    "in_progress": ["accepted", "in_progress"],
    "done": ["accepted", "in_progress", "done"],
    "rejected": ["rejected"],
}


@pytest.mark.parametrize(("start", "target"), list(product(list(ProxyStatus), list(ProxyStatus))))
def test_every_transition(session, w, start, target):
    rid = new_request(session, w)
    walk(session, w.shuji, rid, *REACH[start.value])
    allowed = target in proxy.TRANSITIONS[start]
    if allowed:
        walk(session, w.shuji, rid, target)
        assert session.get(ProxyRequest, rid).status == target
    else:
        with pytest.raises(BoardError) as err:
            walk(session, w.shuji, rid, target)
        assert err.value.key == "proxy.transition_invalid"
        assert session.get(ProxyRequest, rid).status == start


def test_history_records_each_change_with_who(session, w):
    rid = new_request(session, w)
    walk(session, w.agent, rid, "accepted", "in_progress", "done")
    session.commit()
    changes = session.exec(
        select(ProxyRequestChange)
        .where(ProxyRequestChange.request_id == rid)
        .order_by(ProxyRequestChange.id)
    ).all()
    assert [(c.from_status, c.to_status) for c in changes] == [
        (None, "submitted"),
        ("submitted", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "done"),
    ]
    assert [c.by_account_id for c in changes] == [w.shuji.id, w.agent.id, w.agent.id, w.agent.id]


def test_rejection_needs_a_reason(session, w):
    rid = new_request(session, w)
    with pytest.raises(BoardError) as err:
        proxy.request_advance(
            session=session, actor=w.shuji, request_id=rid, to_status="rejected", note=" "
        )
    assert err.value.key == "proxy.reason_required"


def test_other_volunteers_cannot_touch_a_request(session, w):
    rid = new_request(session, w)
    other = make_account(session, "other", Role.volunteer, w.community_id)
    with pytest.raises(BoardError) as err:
        walk(session, other, rid, "accepted")
    assert err.value.key == "proxy.not_your_request"


def test_overdue_first_in_the_queue_and_unrated_done_flagged(session, w):
    late = new_request(session, w, due_on=TODAY)
    later = new_request(session, w, due_on=TODAY + timedelta(days=3))
    queue = proxy.agent_queue(session=session, actor=w.agent, today=TODAY + timedelta(days=1))
    assert [c.id for c in queue] == [late, later] and [c.overdue for c in queue] == [True, False]
    walk(session, w.agent, later, "accepted", "in_progress")
    proxy.request_close(session=session, actor=w.agent, request_id=later, satisfaction=None)
    board = proxy.request_board(session=session, actor=w.shuji, today=TODAY)
    assert [c.needs_call for c in board["done"]] == [True]
    proxy.request_rate(
        session=session, actor=w.shuji, request_id=later, satisfaction=5, feedback="很满意"
    )
    assert session.get(ProxyRequest, later).satisfaction == 5
    with pytest.raises(BoardError):
        proxy.request_rate(session=session, actor=w.shuji, request_id=later, satisfaction=6)


def test_a_request_spawns_a_volunteer_task(session, w):
    from datetime import time

    rid = new_request(session, w)
    proxy.request_spawn_task(
        session=session,
        actor=w.shuji,
        request_id=rid,
        title="",
        day=TODAY + timedelta(days=1),
        start=time(10),
    )
    task = session.exec(select(Task)).one()
    assert (task.proxy_request_id, task.kind, task.title) == (
        rid,
        "proxy_errand",
        "红色代办：老绥元烧卖馆",
    )


def test_figures_with_median(session, w):
    for days_taken, rating in ((1, 5), (2, 4), (9, 3)):
        rid = new_request(session, w)
        walk(session, w.shuji, rid, "accepted", "in_progress")
        done_at = datetime.combine(
            TODAY + timedelta(days=days_taken), datetime.min.time(), UTC
        ) + timedelta(hours=2)
        proxy.request_advance(
            session=session, actor=w.shuji, request_id=rid, to_status="done", now=done_at
        )
        proxy.request_rate(session=session, actor=w.shuji, request_id=rid, satisfaction=rating)
    session.commit()
    figures = proxy.proxy_figures(
        session=session, community_ids=None, start=date(2026, 11, 1), end=date(2026, 12, 31)
    )
    assert figures["requests"] == 3 and figures["done"] == 3
    assert figures["satisfaction"] == 4.0
    assert figures["median_days_to_done"] == pytest.approx(2.1, abs=0.05)
    assert figures["on_time_rate"] == pytest.approx(1 / 3)  # parcels are due next day


def test_merchants_due_soon(session, w):
    frame = proxy.merchants_due_soon(session=session, actor=w.shuji, today=TODAY)
    assert frame[["shop_name", "what", "days_left"]].values.tolist() == [
        ["老绥元烧卖馆", "licence", 20]
    ]
