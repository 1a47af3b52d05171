"""Proxy requests: the state machine and its history, what the board and the queue offer
per status, intake rules, overdue, ratings, and the figures (median days in SQL)."""

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from sqlmodel import select

from models.accounts import Role
from models.audit import AuditEntry
from models.proxy import ProxyRequest, ProxyRequestChange, ProxyStatus
from models.volunteers import Task
from services import proxy, proxy_board, proxy_figures
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account

TODAY = date(2026, 11, 24)


@pytest.fixture
def w(session):
    return factories.proxy_world(
        session, business_type="餐饮", licence_due=TODAY + timedelta(days=20)
    )


_serial = itertools.count(1)


def new_request(session, w, kind="parcels", **kw):
    rid = proxy.request_create(
        session=session,
        actor=w.shuji,
        merchant_id=w.merchant,
        kind=kind,
        detail=f"代收快递（第 {next(_serial)} 单）",
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
            detail="代收快递",
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
# The state machine, written out: from each status, where a request may move next (in
# the flow's order). Never read from proxy.TRANSITIONS: this table is what it must be.
ALLOWED = {
    "submitted": ("accepted", "rejected"),
    "accepted": ("in_progress", "rejected"),
    "in_progress": ("done", "rejected"),
    "done": (),
    "rejected": (),
}


@pytest.mark.parametrize(("start", "target"), list(product(list(ProxyStatus), list(ProxyStatus))))
def test_every_transition(session, w, start, target):
    rid = new_request(session, w)
    walk(session, w.shuji, rid, *REACH[start.value])
    allowed = target.value in ALLOWED[start.value]
    if allowed:
        walk(session, w.shuji, rid, target)
        assert session.get(ProxyRequest, rid).status == target
    else:
        with pytest.raises(BoardError) as err:
            walk(session, w.shuji, rid, target)
        assert err.value.key == "proxy.transition_invalid"
        assert session.get(ProxyRequest, rid).status == start


# What a card offers per status (the services decide; the pages only draw it):
# (one-press steps, close with a rating, reject with a reason, assign and volunteer task)
BOARD_OFFERS = {
    "submitted": (("accepted",), False, True, True),
    "accepted": (("in_progress",), False, True, True),
    "in_progress": ((), True, True, True),
    "done": ((), False, False, False),
    "rejected": ((), False, False, False),
}


def _offers(card):
    return (
        tuple(s.value for s in card.steps),
        card.can_close,
        card.can_reject,
        card.can_assign and card.can_spawn_task,
    )


@pytest.mark.parametrize("status", list(REACH))
def test_each_card_says_what_may_be_done_next(session, w, status):
    rid = new_request(session, w)
    walk(session, w.shuji, rid, *REACH[status])
    session.commit()
    board = proxy_board.request_board(session=session, actor=w.shuji, today=TODAY)
    card = next(c for c in board.cards() if c.id == rid)
    assert card.status == status
    assert tuple(s.value for s in card.next_statuses) == ALLOWED[status]
    assert _offers(card) == BOARD_OFFERS[status]
    # the assigned agent moves and closes their own request, but assigns nothing and
    # publishes no task; their queue holds only the open ones
    queue = proxy_board.agent_queue(session=session, actor=w.agent, today=TODAY)
    mine = [c for c in queue if c.id == rid]
    if ALLOWED[status]:
        steps, can_close, can_reject, _ = BOARD_OFFERS[status]
        assert [_offers(c) for c in mine] == [(steps, can_close, can_reject, False)]
    else:
        assert mine == []


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
    queue = proxy_board.agent_queue(session=session, actor=w.agent, today=TODAY + timedelta(days=1))
    assert [c.id for c in queue] == [late, later] and [c.overdue for c in queue] == [True, False]
    walk(session, w.agent, later, "accepted", "in_progress")
    proxy.request_close(session=session, actor=w.agent, request_id=later, satisfaction=None)
    board = proxy_board.request_board(session=session, actor=w.shuji, today=TODAY)
    assert [(c.id, c.needs_call) for c in board.groups["call_back"]] == [(later, True)]
    assert board.groups["done"] == []  # the recently done column holds rated ones
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
    figures = proxy_figures.proxy_figures(
        session=session, community_ids=None, start=date(2026, 11, 1), end=date(2026, 12, 31)
    )
    assert figures["requests"] == 3 and figures["done"] == 3
    assert figures["satisfaction"] == 4.0
    # done at 02:00 UTC = 10:00 Beijing time, 1, 2 and 9 days after the request day:
    # 1.42, 2.42 and 9.42 days from its local midnight
    assert figures["median_days_to_done"] == pytest.approx(2.4, abs=0.05)
    assert figures["on_time_rate"] == pytest.approx(1 / 3)  # parcels are due next day


def test_default_task_title_in_the_users_language_and_no_second_task(session, w):
    from datetime import time

    rid = new_request(session, w)
    spawn = dict(
        session=session,
        actor=w.shuji,
        request_id=rid,
        day=TODAY + timedelta(days=1),
        start=time(10),
    )
    proxy.request_spawn_task(title="", lang="en", **spawn)
    session.commit()
    with pytest.raises(BoardError) as err:
        proxy.request_spawn_task(title="再来一个", **spawn)
    assert err.value.key == "proxy.task_exists"
    assert err.value.params == {"title": "Red proxy errand: 老绥元烧卖馆"}
    session.rollback()
    assert len(session.exec(select(Task)).all()) == 1
    linked = proxy_board.request_tasks(session=session, actor=w.shuji, request_id=rid)
    assert [(x.title, x.status, x.capacity, x.taken) for x in linked] == [
        ("Red proxy errand: 老绥元烧卖馆", "open", 1, 0)
    ]
    # once that task is cancelled, the office may publish a new one
    task = session.exec(select(Task)).one()
    task.status = "cancelled"
    session.commit()
    proxy.request_spawn_task(title="第二次取件", **spawn)
    session.commit()
    assert [
        x.title for x in proxy_board.request_tasks(session=session, actor=w.shuji, request_id=rid)
    ] == [
        "第二次取件",
        "Red proxy errand: 老绥元烧卖馆",
    ]


def _bulk_requests(session, w, n, **values):
    """n requests written straight to the table (the board's volume, without n service calls)."""
    rows = [
        ProxyRequest(
            merchant_id=w.merchant,
            community_id=w.community_id,
            kind="utilities",
            detail="代缴电费",
            agent_account_id=w.agent.id,
            **{k: v(i) if callable(v) else v for k, v in values.items()},
        )
        for i in range(n)
    ]
    session.add_all(rows)
    session.commit()
    return [r.id for r in rows]


def test_board_shows_open_requests_however_many_unrated_done_wait(session, w):
    """1,600 old done requests without a rating (more than the board ever showed) must not
    push the open ones off the board: they form their own call-back group, newest first."""
    old = datetime(2025, 3, 1, 2, tzinfo=UTC)
    _bulk_requests(
        session,
        w,
        1600,
        requested_on=date(2025, 2, 20),
        due_on=date(2025, 2, 23),
        status=ProxyStatus.done,
        done_at=lambda i: old + timedelta(hours=i),
    )
    newest_unrated = old + timedelta(hours=1599)
    late = new_request(session, w, due_on=TODAY)
    fresh = new_request(session, w, due_on=TODAY + timedelta(days=5))
    started = new_request(session, w)
    walk(session, w.agent, started, "accepted", "in_progress")
    rated = new_request(session, w)
    walk(session, w.agent, rated, "accepted", "in_progress")
    proxy.request_close(session=session, actor=w.agent, request_id=rated, satisfaction=4)
    session.commit()

    board = proxy_board.request_board(
        session=session, actor=w.shuji, today=TODAY + timedelta(days=1)
    )
    assert [c.id for c in board.groups["submitted"]] == [late, fresh]  # overdue first
    assert [c.overdue for c in board.groups["submitted"]] == [True, False]
    assert [c.id for c in board.groups["in_progress"]] == [started]
    assert [c.id for c in board.groups["done"]] == [rated]
    assert board.overdue == 1
    assert board.totals["call_back"] == 1600 and board.hidden("call_back") == 1600 - 20
    assert len(board.groups["call_back"]) == 20
    assert all(c.needs_call for c in board.groups["call_back"])
    assert (
        board.groups["call_back"][0].id
        == session.exec(select(ProxyRequest.id).where(ProxyRequest.done_at == newest_unrated)).one()
    )


def test_board_limits_each_open_column_and_counts_the_rest(session, w):
    ids = _bulk_requests(
        session,
        w,
        7,
        requested_on=TODAY,
        due_on=lambda i: TODAY + timedelta(days=7 - i),
        status=ProxyStatus.accepted,
    )
    new_request(session, w)
    board = proxy_board.request_board(session=session, actor=w.shuji, today=TODAY, open_limit=3)
    assert [c.id for c in board.groups["accepted"]] == ids[::-1][:3]  # soonest due first
    assert (board.totals["accepted"], board.hidden("accepted")) == (7, 4)
    assert board.totals["submitted"] == 1 and len(board.groups["submitted"]) == 1


def test_reassignment_shows_in_the_history(session, w):
    rid = new_request(session, w)
    other = make_account(session, "other", Role.volunteer, w.community_id)
    proxy.request_assign(session=session, actor=w.shuji, request_id=rid, agent_account_id=other.id)
    proxy.request_assign(session=session, actor=w.shuji, request_id=rid, agent_account_id=other.id)
    proxy.request_assign(session=session, actor=w.shuji, request_id=rid, agent_account_id=None)
    session.commit()
    history = proxy_board.request_history(session=session, actor=w.shuji, request_id=rid)
    assert history[["from", "to", "by", "note"]].values.tolist()[1:] == [
        ["submitted", "assigned", w.shuji.username, "daiban → other"],
        ["submitted", "assigned", w.shuji.username, "other → —"],
    ]
    assert session.get(ProxyRequest, rid).agent_account_id is None
    audited = session.exec(
        select(AuditEntry.changes).where(
            AuditEntry.table_name == "proxyrequest",
            AuditEntry.row_id == rid,
            AuditEntry.action == "update",
        )
    ).all()
    assert [json.loads(c)["agent_account_id"] for c in audited] == [
        [w.agent.id, other.id],
        [other.id, None],
    ]


def test_an_agent_cannot_take_an_unassigned_request_but_may_reject_their_own(session, w):
    rid = proxy.request_create(
        session=session,
        actor=w.shuji,
        merchant_id=w.merchant,
        kind="policy",
        detail="咨询个体户补贴政策",
        today=TODAY,
    )
    session.commit()
    with pytest.raises(BoardError) as err:
        walk(session, w.agent, rid, "accepted")
    assert err.value.key == "proxy.not_your_request"
    assert session.get(ProxyRequest, rid).agent_account_id is None
    proxy.request_assign(
        session=session, actor=w.shuji, request_id=rid, agent_account_id=w.agent.id
    )
    proxy.request_advance(
        session=session, actor=w.agent, request_id=rid, to_status="rejected", note="商户已自行办理"
    )
    session.commit()
    row = session.get(ProxyRequest, rid)
    assert (row.status, row.reject_reason) == ("rejected", "商户已自行办理")


def test_no_volunteer_task_for_a_closed_request(session, w):
    from datetime import time

    rid = new_request(session, w)
    proxy.request_advance(
        session=session, actor=w.shuji, request_id=rid, to_status="rejected", note="商户已自行办理"
    )
    session.commit()
    with pytest.raises(BoardError) as err:
        proxy.request_spawn_task(
            session=session,
            actor=w.shuji,
            request_id=rid,
            title="",
            day=TODAY + timedelta(days=1),
            start=time(10),
        )
    assert err.value.key == "proxy.closed"
    session.rollback()
    assert session.exec(select(Task)).all() == []


def _intake(session, w, **kw):
    values = {"merchant_id": w.merchant, "kind": "parcels", "detail": "代收三件快递"} | kw
    return proxy.request_create(session=session, actor=w.shuji, today=TODAY, **values)


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"merchant_id": None}, "proxy.merchant_pick"),
        ({"detail": ""}, "proxy.detail_required"),
        ({"detail": "   "}, "proxy.detail_required"),
    ],
)
def test_intake_needs_a_merchant_and_what_they_ask(session, w, values, key):
    with pytest.raises(BoardError) as err:
        _intake(session, w, **values)
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(ProxyRequest)).all() == []


def test_the_same_request_twice_is_taken_in_once(session, w):
    first = _intake(session, w)
    session.commit()
    with pytest.raises(BoardError) as err:
        _intake(session, w, detail=" 代收三件快递 ")
    assert (err.value.key, err.value.params) == ("proxy.duplicate", {"id": first})
    session.rollback()
    assert len(session.exec(select(ProxyRequest)).all()) == 1
    # Once the first is closed, the merchant may ask the same again.
    walk(session, w.shuji, first, "rejected")
    session.commit()
    assert _intake(session, w) != first
