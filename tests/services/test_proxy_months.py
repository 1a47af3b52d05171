"""The proxy summaries (services/proxy_months.py) always equal a recount of the requests:
after random-ish writes through the services (taken in, moved on, reassigned, done with
or without a rating, rated later, rejected) and after the demo's bulk load; and the
figures read from them equal the same figures counted from the requests, for whole
months and for periods that are not."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from models.accounts import Role
from models.base import local
from models.proxy import (
    ProxyDoneMonth,
    ProxyIntakeMonth,
    ProxyRectification,
    ProxyRequest,
    ProxyRequestChange,
    ProxyStatus,
)
from services import merchants, proxy, proxy_figures, proxy_months
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account


def kept(session) -> tuple[dict, dict]:
    intake = {
        (c, m, k): n
        for c, m, k, n in session.exec(
            select(
                ProxyIntakeMonth.community_id,
                ProxyIntakeMonth.month,
                ProxyIntakeMonth.kind,
                ProxyIntakeMonth.requests,
            )
        )
        if n
    }
    done = {
        (row.community_id, row.month, row.agent_id): (
            row.done,
            row.on_time,
            row.rated,
            row.rating_sum,
        )
        for row in session.exec(select(ProxyDoneMonth))
        if any((row.done, row.on_time, row.rated, row.rating_sum))
    }
    return intake, done


def recounted(session) -> tuple[dict, dict]:
    """The oracle: the requests, counted in Python."""
    intake: Counter = Counter()
    done: dict = {}
    for r in session.exec(select(ProxyRequest)):
        intake[(r.community_id, r.requested_on.strftime("%Y-%m"), r.kind)] += 1
        if r.status == ProxyStatus.done:
            key = (r.community_id, local(r.done_at).strftime("%Y-%m"), r.agent_account_id or 0)
            n, in_time, rated, total = done.get(key, (0, 0, 0, 0))
            done[key] = (
                n + 1,
                in_time + (local(r.done_at).date() <= r.due_on),
                rated + (r.satisfaction is not None),
                total + (r.satisfaction or 0),
            )
    return dict(intake), done


def figures_by_hand(session, community_ids, start: date, end: date) -> dict:
    rows = [
        r
        for r in session.exec(select(ProxyRequest))
        if community_ids is None or r.community_id in community_ids
    ]
    done = [
        r for r in rows if r.status == ProxyStatus.done and start <= local(r.done_at).date() < end
    ]
    ratings = [r.satisfaction for r in done if r.satisfaction is not None]
    return {
        "requests": sum(start <= r.requested_on < end for r in rows),
        "done": len(done),
        "satisfaction": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "on_time_rate": (
            sum(local(r.done_at).date() <= r.due_on for r in done) / len(done) if done else None
        ),
    }


def test_random_writes_keep_the_summaries_equal_to_a_recount(session):
    w = factories.proxy_world(session)
    other = factories.world(session, "海拉尔社区")
    second_agent = make_account(session, "daiban2", Role.grid_worker, w.community_id)
    shop = merchants.merchant_create(
        session=session,
        actor=other.shuji,
        community_id=other.community_id,
        shop_name="草原羊绒店",
        owner_name="李老板",
        phone="13847119999",
        address="海拉尔路3号",
    )
    session.commit()
    places = [
        (w.shuji, w.merchant, [w.agent.id, second_agent.id, None]),
        (other.shuji, shop, [None]),
    ]
    rng = random.Random(16)
    ids: list[tuple[int, object]] = []
    start = date(2026, 8, 20)
    for step in range(160):
        day = start + timedelta(days=step // 2)
        actor, merchant, agents = rng.choice(places)
        action = rng.random()
        open_ones = [
            (rid, a) for rid, a in ids if session.get(ProxyRequest, rid).status in proxy.OPEN
        ]
        try:
            if action < 0.35 or not open_ones:
                rid = proxy.request_create(
                    session=session,
                    actor=actor,
                    merchant_id=merchant,
                    kind=rng.choice(proxy.KINDS),
                    detail=f"第 {step} 单",
                    today=day,
                    agent_account_id=rng.choice(agents),
                )
                ids.append((rid, actor))
            else:
                rid, owner = rng.choice(open_ones)
                request = session.get(ProxyRequest, rid)
                # around local midnight, so on-time and the month both depend on the zone
                now = datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC) + timedelta(
                    minutes=rng.choice((-30, 30, 90, 60 * 24 * 3))
                )
                if action < 0.5 and owner is w.shuji:
                    proxy.request_assign(
                        session=session,
                        actor=owner,
                        request_id=rid,
                        agent_account_id=rng.choice(agents),
                    )
                elif action < 0.6:
                    proxy.request_advance(
                        session=session,
                        actor=owner,
                        request_id=rid,
                        to_status=ProxyStatus.rejected,
                        note="不办了",
                    )
                elif request.status != ProxyStatus.in_progress:
                    proxy.request_advance(
                        session=session,
                        actor=owner,
                        request_id=rid,
                        to_status=proxy.next_statuses(ProxyStatus(request.status))[0],
                    )
                else:
                    proxy.request_close(
                        session=session,
                        actor=owner,
                        request_id=rid,
                        satisfaction=rng.choice((None, *proxy.RATINGS)),
                        now=now,
                    )
            session.commit()
        except BoardError:
            session.rollback()
        if step % 20 == 19:
            # the call-back: unrated done requests get their rating later
            for rid, owner in ids:
                request = session.get(ProxyRequest, rid)
                if request.status == ProxyStatus.done and request.satisfaction is None:
                    proxy.request_rate(
                        session=session, actor=owner, request_id=rid, satisfaction=rng.randint(1, 5)
                    )
                    session.commit()
                    break
            assert kept(session) == recounted(session)
    intake, done = kept(session)
    assert kept(session) == recounted(session)
    assert len(intake) > 10 and len(done) > 4
    assert {agent for _c, _m, agent in done} > {0}
    # a request deleted (no service deletes one; the summaries follow anyway)
    last = ids[-1][0]
    for child in (ProxyRequestChange, ProxyRectification):
        for row in session.exec(select(child).where(child.request_id == last)):
            session.delete(row)
    session.flush()
    session.delete(session.get(ProxyRequest, last))
    session.flush()
    assert kept(session) == recounted(session)
    session.rollback()
    # the figures read from the summaries, for whole months and for periods that are not
    for community_ids in (None, [w.community_id], [other.community_id]):
        for a, b in (
            (date(2026, 9, 1), date(2026, 10, 1)),
            (date(2026, 8, 1), date(2026, 12, 1)),
            (date(2026, 8, 25), date(2026, 11, 3)),
            (date(2026, 9, 10), date(2026, 9, 20)),
            (date(2026, 10, 1), date(2026, 10, 1)),
        ):
            figures = proxy_figures.proxy_figures(
                session=session, community_ids=community_ids, start=a, end=b
            )
            expected = figures_by_hand(session, community_ids, a, b)
            assert {k: figures[k] for k in expected} == pytest.approx(expected), (a, b)
            by_month = proxy_figures.requests_by_month(
                session=session, community_ids=community_ids, start=a, end=b
            )
            assert int(by_month["requests"].sum()) == expected["requests"]
            quality = proxy_figures.service_quality(
                session=session, community_ids=community_ids, start=a, end=b, by="agent"
            )
            assert int(quality["done"].sum()) == expected["done"]


def test_the_demo_is_counted_after_its_bulk_load(demo_engine):
    with Session(demo_engine) as s:
        assert kept(s) == recounted(s)
        proxy_months.rebuild(s)
        assert kept(s) == recounted(s)
