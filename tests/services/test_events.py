"""Event registrations: party sizes against capacity under concurrency, the waitlist and
promotion, the rules, check-in and the figures."""

import random
import threading
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from models.base import utcnow
from models.events import Event, Registration
from models.volunteers import Task
from services import db, events
from services.errors import BoardError
from tests import factories


@pytest.fixture
def w(session):
    return factories.world(session)


def make_event(
    session, w, *, capacity=10, starts_in=timedelta(days=3), waitlist=True, publish=True
):
    starts = utcnow() + starts_in
    eid = events.event_create(
        session=session,
        actor=w.shuji,
        title="齐包非遗烧卖体验",
        category="heritage",
        community_id=w.community_id,
        venue="社区党群服务中心",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=capacity,
        waitlist=waitlist,
    )
    if publish:
        events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="published")
    session.commit()
    return eid


def register(session, eid, phone, party=1, **kw):
    return events.registration_create(
        session=session, event_id=eid, name="居民", phone=phone, party_size=party, **kw
    )


def test_concurrent_parties_never_overbook(engine, session, w):
    eid = make_event(session, w, capacity=20)
    rng = random.Random(7)
    parties = [rng.randint(1, 4) for _ in range(30)]
    errors, barrier = [], threading.Barrier(30)

    def press(i, size):
        barrier.wait()
        try:
            with db.transaction(engine) as s:
                register(s, eid, f"1380000{i:04d}", size)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=press, args=(i, size)) for i, size in enumerate(parties)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as s:
        rows = s.exec(select(Registration).where(Registration.event_id == eid)).all()
        confirmed = sum(r.party_size for r in rows if r.status == "confirmed")
        assert len(rows) == 30
        assert confirmed == s.get(Event, eid).taken <= 20
        assert confirmed >= 20 - 3  # only a party that did not fit is left waiting


def test_waitlist_promotion_in_arrival_order(session, w):
    eid = make_event(session, w, capacity=4)
    first = register(session, eid, "13800000001", 3)
    big = register(session, eid, "13800000002", 3)
    small = register(session, eid, "13800000003", 1)
    assert (first.status, big.status, small.status) == ("confirmed", "waitlisted", "confirmed")
    events.registration_cancel(session=session, code=first.code, phone="13800000001")
    session.commit()
    statuses = {r.phone: str(r.status) for r in session.exec(select(Registration))}
    assert statuses == {
        "13800000001": "cancelled",
        "13800000002": "confirmed",
        "13800000003": "confirmed",
    }
    assert session.get(Event, eid).taken == 4


@pytest.mark.parametrize(
    ("setup", "args", "key"),
    [
        ({}, {"party": 11}, "events.party_invalid"),
        ({}, {"party": 0}, "events.party_invalid"),
        ({}, {"phone": "12345"}, "volunteers.phone_invalid"),
        ({"starts_in": timedelta(hours=-1)}, {}, "events.past"),
        ({"capacity": 1, "waitlist": False}, {"party": 2}, "events.full"),
    ],
)
def test_registration_rules(session, w, setup, args, key):
    eid = make_event(session, w, **setup)
    with pytest.raises(BoardError) as err:
        register(session, eid, args.get("phone", "13800000001"), args.get("party", 1))
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(Registration)).all() == []


def test_cancelled_event_and_duplicate_phone(session, w):
    eid = make_event(session, w)
    register(session, eid, "13800000001")
    with pytest.raises(BoardError) as err:
        register(session, eid, "13800000001")
    assert err.value.key == "events.duplicate_phone"
    events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="cancelled")
    with pytest.raises(BoardError) as err:
        register(session, eid, "13800000002")
    assert err.value.key == "events.cancelled"


def test_check_in_by_code(session, w):
    eid = make_event(session, w)
    result = register(session, eid, "13800000001", 2)
    assert (
        events.registration_check_in(
            session=session, actor=w.shuji, event_id=eid, code=result.code.lower()
        )
        == "居民"
    )
    with pytest.raises(BoardError) as err:
        events.registration_check_in(session=session, actor=w.shuji, event_id=eid, code=result.code)
    assert err.value.key == "events.already_in"
    with pytest.raises(BoardError) as err:
        events.registration_check_in(session=session, actor=w.shuji, event_id=eid, code="ZZZZZZ")
    assert err.value.key == "events.code_unknown"


def test_staffing_creates_a_linked_task(session, w):
    eid = make_event(session, w)
    events.event_request_staff(session=session, actor=w.shuji, event_id=eid, volunteers=3)
    task = session.exec(select(Task)).one()
    assert (task.event_id, task.kind, task.capacity) == (eid, "event_staff", 3)


def test_programme_holds_no_personal_data_and_figures(session, w):
    eid = make_event(session, w, capacity=10)
    make_event(session, w, publish=False)
    r = register(session, eid, "13800000001", 4)
    register(session, eid, "13800000002", 2)
    cards = events.programme(session=session)
    assert [c.id for c in cards] == [eid] and cards[0].places_left == 4
    assert "13800000001" not in repr(cards)
    event = session.get(Event, eid)
    event.starts_at = utcnow() - timedelta(hours=1)  # the event has begun
    session.add(event)
    events.registration_check_in(session=session, actor=w.shuji, event_id=eid, code=r.code)
    session.commit()
    today = utcnow().date()
    figures = events.event_figures(
        session=session,
        community_ids=None,
        start=today - timedelta(days=2),
        end=today + timedelta(days=2),
    )
    assert figures == {
        "events": 1,
        "attendees": 4,
        "attendance_rate": pytest.approx(4 / 6),
        "fill_rate": pytest.approx(0.6),
    }
    assert date.today()
