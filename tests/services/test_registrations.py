"""Registrations: party sizes against capacity under concurrency, the waitlist and its
promotion in arrival order, the rules of registering, cancelling by the registrant or
by staff, looking an entry up, and check-in at the door."""

import random
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models.audit import AuditEntry
from models.base import utcnow
from models.events import Event, Registration
from services import db, event_reads, events, registrations
from services.errors import BoardError
from tests import factories
from tests.services.event_setup import make_event, register, statuses


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
    registrations.registration_cancel(session=session, code=first.code, phone="13800000001")
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
        ({}, {"phone": "  "}, "events.phone_required"),
        ({}, {"name": " "}, "events.name_required"),
        ({}, {"party": None}, "events.party_required"),
        ({"starts_in": timedelta(hours=-1)}, {}, "events.past"),
        ({"capacity": 1, "waitlist": False}, {"party": 2}, "events.full"),
    ],
)
def test_registration_rules(session, w, setup, args, key):
    eid = make_event(session, w, **setup)
    with pytest.raises(BoardError) as err:
        register(
            session,
            eid,
            args.get("phone", "13800000001"),
            args.get("party", 1),
            name=args.get("name", "居民"),
        )
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
    eid = make_event(session, w, starts_in=timedelta(minutes=30))
    result = register(session, eid, "13800000001", 2)
    assert (
        registrations.registration_check_in(
            session=session, actor=w.shuji, event_id=eid, code=result.code.lower()
        )
        == "居民"
    )
    for code, key in (
        (result.code, "events.already_in"),
        ("ZZZZZZ", "events.code_unknown"),
        ("  ", "events.code_required"),
    ):
        with pytest.raises(BoardError) as err:
            registrations.registration_check_in(
                session=session, actor=w.shuji, event_id=eid, code=code
            )
        assert err.value.key == key


@pytest.mark.parametrize(
    ("before_start", "allowed"),
    [(timedelta(hours=1, seconds=1), False), (timedelta(hours=1), True)],
)
def test_check_in_follows_the_door_window(session, w, before_start, allowed):
    eid = make_event(session, w, starts_in=timedelta(days=7))
    r = register(session, eid, "13800000001")
    starts = session.get(Event, eid).starts_at
    call = dict(session=session, actor=w.shuji, event_id=eid, code=r.code)
    if allowed:
        assert registrations.registration_check_in(**call, now=starts - before_start) == "居民"
        return
    with pytest.raises(BoardError) as err:
        registrations.registration_check_in(**call)  # a week before: the landed code let it through
    assert err.value.key == "events.door_not_yet"
    with pytest.raises(BoardError) as err:
        registrations.registration_check_in(**call, now=starts - before_start)
    assert err.value.key == "events.door_not_yet"
    with pytest.raises(BoardError) as err:
        registrations.registration_check_in(**call, now=starts + timedelta(days=2))
    assert err.value.key == "events.door_over"
    assert session.exec(select(Registration)).one().attended is False


def test_staff_cancel_a_registration_for_a_caller_and_the_waitlist_moves_up(session, w):
    eid = make_event(session, w, capacity=3)
    first = register(session, eid, "13800000001", 3)
    register(session, eid, "13800000002", 2)
    done = registrations.registration_cancel(
        session=session, code=first.code, phone="", actor=w.shuji
    )
    session.commit()
    assert (len(done.promoted), done.name, done.event_id) == (1, "居民", eid)
    assert statuses(session, eid) == {"13800000001": "cancelled", "13800000002": "confirmed"}
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.table_name == "registration", AuditEntry.action == "update"
        )
    ).first()
    assert entry.account_id == w.shuji.id


def test_a_volunteer_or_other_community_cannot_cancel_for_a_caller(session, w):
    other = factories.world(session, "归化社区")
    eid = make_event(session, w)
    r = register(session, eid, "13800000001")
    with pytest.raises(BoardError) as err:
        registrations.registration_cancel(session=session, code=r.code, phone="", actor=other.shuji)
    assert err.value.key == "access.other_community"


@pytest.mark.parametrize("typed", ["138 0000 0001", "138-0000-0001", " 13800000001 "])
def test_cancel_by_phone_normalises_it_as_on_registration(session, w, typed):
    eid = make_event(session, w)
    r = register(session, eid, "138 0000 0001")
    assert statuses(session, eid) == {"13800000001": "confirmed"}
    registrations.registration_cancel(session=session, code=r.code.lower(), phone=typed)
    assert statuses(session, eid) == {"13800000001": "cancelled"}


def test_cancel_with_a_wrong_phone_is_refused(session, w):
    eid = make_event(session, w)
    r = register(session, eid, "13800000001")
    for typed in ("13800000002", "12345"):
        with pytest.raises(BoardError) as err:
            registrations.registration_cancel(session=session, code=r.code, phone=typed)
        assert err.value.key == "events.registration_not_found"
    for code, typed in ((r.code, ""), ("", "13800000001"), (" ", " ")):
        with pytest.raises(BoardError) as err:
            registrations.registration_cancel(session=session, code=code, phone=typed)
        assert err.value.key == "events.code_phone_required"
    assert statuses(session, eid) == {"13800000001": "confirmed"}


def test_check_in_refused_for_a_cancelled_event(session, w):
    eid = make_event(session, w)
    r = register(session, eid, "13800000001")
    events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="cancelled")
    with pytest.raises(BoardError) as err:
        registrations.registration_check_in(
            session=session, actor=w.shuji, event_id=eid, code=r.code
        )
    assert err.value.key == "events.check_in_cancelled"
    row = session.exec(select(Registration)).one()
    assert (row.attended, row.checked_in_at) == (False, None)


def test_the_waitlist_position_is_kept_current_for_the_registrant(session, w):
    eid = make_event(session, w, capacity=2)
    first = register(session, eid, "13800000001", 2)
    a = register(session, eid, "13800000002", 2)
    b = register(session, eid, "13800000003", 1)
    assert (a.position, b.position) == (1, 2)

    def seen(r, phone):
        view = registrations.registration_lookup(session=session, code=r.code.lower(), phone=phone)
        return view.status, view.position

    assert seen(b, "138 0000 0003") == ("waitlisted", 2)
    registrations.registration_cancel(session=session, code=a.code, phone="13800000002")
    assert seen(b, "13800000003") == ("waitlisted", 1)
    assert seen(a, "13800000002") == ("cancelled", None)
    registrations.registration_cancel(session=session, code=first.code, phone="13800000001")
    assert seen(b, "13800000003") == ("confirmed", None)
    roster = event_reads.event_roster(session=session, actor=w.shuji, event_id=eid)
    assert [(e.status, e.can_cancel, e.can_check_in) for e in roster.entries] == [
        ("cancelled", False, False),
        ("cancelled", False, False),
        ("confirmed", True, True),
    ]
    with pytest.raises(BoardError) as err:
        registrations.registration_lookup(session=session, code=b.code, phone="13800000009")
    assert err.value.key == "events.registration_not_found"


def test_an_attended_registration_cannot_be_cancelled(session, w):
    eid = make_event(session, w, starts_in=timedelta(minutes=20))
    r = register(session, eid, "13800000001")
    registrations.registration_check_in(session=session, actor=w.shuji, event_id=eid, code=r.code)
    with pytest.raises(BoardError) as err:
        registrations.registration_cancel(session=session, code=r.code, phone="13800000001")
    assert err.value.key == "events.cancel_attended"
    with pytest.raises(BoardError) as err:
        registrations.registration_cancel(session=session, code=r.code, phone="13800000001")
    assert err.value.key == "events.cancel_attended"
    registration = session.exec(select(Registration)).one()
    with pytest.raises(BoardError) as err:
        registrations.registration_cancel(
            session=session, actor=w.shuji, registration_id=registration.id
        )
    assert err.value.key == "events.cancel_attended"


@pytest.mark.parametrize(
    ("status", "begun", "closed"),
    [
        ("draft", False, "gone"),
        ("published", False, None),
        ("published", True, "past"),
        ("done", False, "past"),
        ("cancelled", False, "cancelled"),
    ],
)
def test_an_event_takes_registrations_while_published_and_not_begun(status, begun, closed):
    now = utcnow()
    starts = now - timedelta(minutes=1) if begun else now + timedelta(days=1)
    event = Event(status=status, starts_at=starts, ends_at=starts + timedelta(hours=2))
    assert registrations.registration_closed(event, now) == closed
