"""Event registrations: party sizes against capacity under concurrency, the waitlist and
promotion, the rules, check-in and the figures."""

import dataclasses
import io
import random
import threading
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from models.audit import AuditEntry
from models.base import LOCAL_TZ, utcnow
from models.events import Event, Registration
from models.volunteers import Signup, Task
from services import db, events, tasks
from services.errors import BoardError
from tests import factories


def make_event(
    session,
    w,
    *,
    capacity=10,
    starts_in=timedelta(days=3),
    waitlist=True,
    publish=True,
    title="齐包非遗烧卖体验",
):
    starts = utcnow() + starts_in
    eid = events.event_create(
        session=session,
        actor=w.shuji,
        title=title,
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


def register(session, eid, phone, party=1, name="居民", **kw):
    return events.registration_create(
        session=session, event_id=eid, name=name, phone=phone, party_size=party, **kw
    )


def statuses(session, eid):
    rows = session.exec(select(Registration).where(Registration.event_id == eid)).all()
    return {r.phone: str(r.status) for r in rows}


def edit(session, w, eid, **changes):
    event = session.get(Event, eid)
    values = {
        "title": event.title,
        "category": event.category,
        "venue": event.venue,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": event.capacity,
        "organiser": event.organiser,
        "partner": event.partner,
        "description": event.description,
        "waitlist": event.waitlist,
    }
    return events.event_update(
        session=session, actor=w.shuji, event_id=eid, **{**values, **changes}
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
        events.registration_check_in(
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
            events.registration_check_in(session=session, actor=w.shuji, event_id=eid, code=code)
        assert err.value.key == key


def _at(local_stamp: str) -> datetime:
    return datetime.fromisoformat(local_stamp).replace(tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("now", "open_", "reason"),
    [
        ("2026-12-05 13:29:59", False, "events.door_not_yet"),  # 1 h before 14:30, less 1 s
        ("2026-12-05 13:30:00", True, None),  # opens one hour before the start
        ("2026-12-05 16:30:00", True, None),  # the end of the event
        ("2026-12-05 23:59:59", True, None),  # late entries, that evening
        ("2026-12-06 00:00:00", False, "events.door_over"),  # the next local day
        ("2026-11-28 14:30:00", False, "events.door_not_yet"),  # a week before
    ],
)
def test_the_door_window_at_its_edges(now, open_, reason):
    """One rule: from one hour before the start to the end of the (Asia/Shanghai) day
    on which the event ends."""
    door = events.door(
        status="published",
        starts_at=_at("2026-12-05 14:30"),
        ends_at=_at("2026-12-05 16:30"),
        now=_at(now),
    )
    assert (door.open, door.reason) == (open_, reason)
    assert door.params == {"at": "2026-12-05 13:30"}
    assert door.closes_at == _at("2026-12-06 00:00")


def test_the_door_of_an_event_past_midnight_closes_with_its_last_day():
    door = events.door(
        status="published",
        starts_at=_at("2026-12-31 22:00"),
        ends_at=_at("2027-01-01 01:00"),
        now=_at("2027-01-01 23:00"),
    )
    assert door.open and door.closes_at == _at("2027-01-02 00:00")


@pytest.mark.parametrize(
    ("status", "reason"),
    [("draft", "events.door_draft"), ("cancelled", "events.door_closed"), ("done", None)],
)
def test_no_door_for_a_draft_or_a_cancelled_event(status, reason):
    door = events.door(
        status=status,
        starts_at=_at("2026-12-05 14:30"),
        ends_at=_at("2026-12-05 16:30"),
        now=_at("2026-12-05 14:00"),
    )
    assert door.reason == reason


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
        assert events.registration_check_in(**call, now=starts - before_start) == "居民"
        return
    with pytest.raises(BoardError) as err:
        events.registration_check_in(**call)  # a week before: the landed code let it through
    assert err.value.key == "events.door_not_yet"
    with pytest.raises(BoardError) as err:
        events.registration_check_in(**call, now=starts - before_start)
    assert err.value.key == "events.door_not_yet"
    with pytest.raises(BoardError) as err:
        events.registration_check_in(**call, now=starts + timedelta(days=2))
    assert err.value.key == "events.door_over"
    assert session.exec(select(Registration)).one().attended is False


def test_staffing_creates_one_linked_task_and_a_second_request_changes_its_places(session, w):
    eid = make_event(session, w)
    first = events.event_request_staff(session=session, actor=w.shuji, event_id=eid, volunteers=3)
    assert first.created
    second = events.event_request_staff(session=session, actor=w.shuji, event_id=eid, volunteers=5)
    session.commit()
    assert (second.task_id, second.created) == (first.task_id, False)
    task = session.exec(select(Task)).one()  # still one task
    assert (task.event_id, task.kind, task.capacity) == (eid, "event_staff", 5)
    assert task.title == "活动服务：齐包非遗烧卖体验"
    assert session.get(Event, eid).volunteers_needed == 5


def test_staffing_title_in_the_requesting_language(session, w):
    eid = make_event(session, w)
    events.event_request_staff(
        session=session, actor=w.shuji, event_id=eid, volunteers=2, lang="en"
    )
    assert session.exec(select(Task.title)).one() == "Event service: 齐包非遗烧卖体验"


@pytest.mark.parametrize(
    ("setup", "key"),
    [
        ({"publish": False}, "events.staff_draft"),
        ({"cancel": True}, "events.staff_cancelled"),
        ({"starts_in": timedelta(hours=-3)}, "events.staff_over"),
    ],
)
def test_staffing_refused_for_draft_cancelled_or_past_events(session, w, setup, key):
    cancel = setup.pop("cancel", False)
    eid = make_event(session, w, **setup)
    if cancel:
        events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="cancelled")
        session.commit()
    with pytest.raises(BoardError) as err:
        events.event_request_staff(session=session, actor=w.shuji, event_id=eid, volunteers=3)
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(Task)).all() == []


def test_more_capacity_promotes_the_waitlist_in_arrival_order(session, w):
    eid = make_event(session, w, capacity=4)
    register(session, eid, "13800000001", 4)
    register(session, eid, "13800000002", 3)
    register(session, eid, "13800000003", 2)
    register(session, eid, "13800000004", 4)
    session.commit()
    promoted = edit(session, w, eid, capacity=10, title="齐包烧卖体验（加场）")
    session.commit()
    assert len(promoted) == 2  # the party of 4 that came last does not fit in the 1 left
    assert statuses(session, eid) == {
        "13800000001": "confirmed",
        "13800000002": "confirmed",
        "13800000003": "confirmed",
        "13800000004": "waitlisted",
    }
    session.expire_all()
    event = session.get(Event, eid)
    assert (event.taken, event.capacity, event.title) == (9, 10, "齐包烧卖体验（加场）")
    changes = session.exec(
        select(AuditEntry.row_id).where(
            AuditEntry.table_name == "registration", AuditEntry.action == "update"
        )
    ).all()
    assert sorted(changes) == sorted(promoted)


def test_capacity_cannot_fall_below_the_people_confirmed(session, w):
    eid = make_event(session, w, capacity=10)
    register(session, eid, "13800000001", 6)
    with pytest.raises(BoardError) as err:
        edit(session, w, eid, capacity=5)
    assert (err.value.key, err.value.params) == ("events.capacity_below_confirmed", {"n": 6})


def test_editing_moves_the_staffing_task_and_a_cancelled_event_cannot_be_edited(session, w):
    eid = make_event(session, w)
    events.event_request_staff(session=session, actor=w.shuji, event_id=eid, volunteers=2)
    new_start = utcnow() + timedelta(days=5)
    edit(
        session,
        w,
        eid,
        starts_at=new_start,
        ends_at=new_start + timedelta(hours=3),
        venue="社区文化广场",
    )
    session.commit()
    task = session.exec(select(Task)).one()
    assert (task.starts_at, task.ends_at, task.place) == (
        new_start,
        new_start + timedelta(hours=3),
        "社区文化广场",
    )
    events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="cancelled")
    with pytest.raises(BoardError) as err:
        edit(session, w, eid, title="改名")
    assert err.value.key == "events.finished"


def test_staff_cancel_a_registration_for_a_caller_and_the_waitlist_moves_up(session, w):
    eid = make_event(session, w, capacity=3)
    first = register(session, eid, "13800000001", 3)
    register(session, eid, "13800000002", 2)
    done = events.registration_cancel(session=session, code=first.code, phone="", actor=w.shuji)
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
        events.registration_cancel(session=session, code=r.code, phone="", actor=other.shuji)
    assert err.value.key == "access.other_community"


@pytest.mark.parametrize("typed", ["138 0000 0001", "138-0000-0001", " 13800000001 "])
def test_cancel_by_phone_normalises_it_as_on_registration(session, w, typed):
    eid = make_event(session, w)
    r = register(session, eid, "138 0000 0001")
    assert statuses(session, eid) == {"13800000001": "confirmed"}
    events.registration_cancel(session=session, code=r.code.lower(), phone=typed)
    assert statuses(session, eid) == {"13800000001": "cancelled"}


def test_cancel_with_a_wrong_phone_is_refused(session, w):
    eid = make_event(session, w)
    r = register(session, eid, "13800000001")
    for typed in ("13800000002", "12345"):
        with pytest.raises(BoardError) as err:
            events.registration_cancel(session=session, code=r.code, phone=typed)
        assert err.value.key == "events.registration_not_found"
    for code, typed in ((r.code, ""), ("", "13800000001"), (" ", " ")):
        with pytest.raises(BoardError) as err:
            events.registration_cancel(session=session, code=code, phone=typed)
        assert err.value.key == "events.code_phone_required"
    assert statuses(session, eid) == {"13800000001": "confirmed"}


def _staffed_event_with_people(session, w):
    eid = make_event(session, w, capacity=3)
    register(session, eid, "13800000001", 2)
    register(session, eid, "13800000002", 2)  # waitlisted
    staffing = events.event_request_staff(
        session=session, actor=w.shuji, event_id=eid, volunteers=2
    )
    vid = factories.volunteer(session, w.community_id)
    session.add(Signup(task_id=staffing.task_id, volunteer_id=vid, status="confirmed"))
    task = session.get(Task, staffing.task_id)
    task.taken = 1
    session.add(task)
    session.commit()
    return eid, staffing.task_id


def test_cancelling_an_event_cancels_its_registrations_and_staffing_task(session, w):
    eid, task_id = _staffed_event_with_people(session, w)
    n = events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="cancelled")
    session.commit()
    session.expire_all()
    assert n == 2
    assert statuses(session, eid) == {"13800000001": "cancelled", "13800000002": "cancelled"}
    assert session.get(Event, eid).taken == 0
    assert session.get(Task, task_id).status == "cancelled"
    audited = session.exec(
        select(AuditEntry.table_name, AuditEntry.row_id).where(AuditEntry.action == "update")
    ).all()
    assert {table for table, _ in audited} >= {"event", "registration", "task"}
    assert len([1 for table, _ in audited if table == "registration"]) == 2


def test_cancelling_an_event_is_one_transaction(engine, session, w, monkeypatch):
    eid, task_id = _staffed_event_with_people(session, w)

    def broken(**_kw):
        raise BoardError("tasks.status_not_allowed")

    monkeypatch.setattr(tasks, "task_set_status", broken)
    with pytest.raises(BoardError), db.transaction(engine) as s:
        events.event_set_status(session=s, actor=w.shuji, event_id=eid, status="cancelled")
    with Session(engine) as s:
        assert s.get(Event, eid).status == "published"
        assert s.get(Event, eid).taken == 2
        assert statuses(s, eid) == {"13800000001": "confirmed", "13800000002": "waitlisted"}
        assert s.get(Task, task_id).status == "open"


def test_check_in_refused_for_a_cancelled_event(session, w):
    eid = make_event(session, w)
    r = register(session, eid, "13800000001")
    events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="cancelled")
    with pytest.raises(BoardError) as err:
        events.registration_check_in(session=session, actor=w.shuji, event_id=eid, code=r.code)
    assert err.value.key == "events.check_in_cancelled"
    row = session.exec(select(Registration)).one()
    assert (row.attended, row.checked_in_at) == (False, None)


def test_sign_in_sheet_is_set_up_for_printing_with_phones_masked(session, w):
    eid = make_event(session, w, capacity=5)
    register(session, eid, "13812341234", 2, name="乌日娜")
    register(session, eid, "13900001111", 3, name="王建国")
    register(session, eid, "13700002222", 2, name="候补者")  # waitlisted: not on the sheet
    gone = register(session, eid, "13600003333", 1, name="取消者")
    events.registration_cancel(session=session, code=gone.code, phone="13600003333")
    session.commit()
    data = events.event_sign_in_sheet(session=session, actor=w.shuji, event_id=eid)
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "齐包非遗烧卖体验 · 签到表"
    assert "社区党群服务中心" in values[1][0] and "时间：" in values[1][0]
    assert values[2][0] == "正式报名 2 组，共 5 人"
    assert values[3] == ("序号", "姓名", "手机号", "人数", "签到码", "签名")
    codes = {r.name: r.code for r in session.exec(select(Registration))}
    assert values[4:] == [
        (1, "乌日娜", "138****1234", 2, codes["乌日娜"], None),
        (2, "王建国", "139****1111", 3, codes["王建国"], None),
    ]
    assert "13812341234" not in repr(values)
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation) == (9, "portrait")  # 9 is A4
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.print_options.gridLines


def test_programme_filters_by_community(session, w):
    other = factories.world(session, "归化社区")
    here = make_event(session, w)
    there = make_event(session, other, title="马头琴欣赏会")
    make_event(session, other, publish=False, title="草稿活动")
    assert {c.id for c in events.programme(session=session)} == {here, there}
    assert [c.id for c in events.programme(session=session, community_id=other.community_id)] == [
        there
    ]
    assert events.programme_communities(session=session) == [
        events.ProgrammeCommunity(w.community_id, "四千米社区"),
        events.ProgrammeCommunity(other.community_id, "归化社区"),
    ]


def test_programme_holds_no_personal_data_and_figures(session, w):
    eid = make_event(session, w, capacity=10)
    make_event(session, w, publish=False)
    r = register(session, eid, "13800000001", 4, name="乌日娜")
    register(session, eid, "13800000002", 2, name="王建国")
    cards = events.programme(session=session)
    assert [c.id for c in cards] == [eid] and cards[0].places_left == 4
    # a card has no field for a registrant, and no value on it names one or their phone
    fields = {f.name for f in dataclasses.fields(events.EventCard)}
    assert not fields & {"name", "phone", "code", "registrations"}
    shown = " ".join(str(v) for v in dataclasses.asdict(cards[0]).values())
    for private in ("乌日娜", "王建国", "13800000001", "13800000002", r.code):
        assert private not in shown
    event = session.get(Event, eid)
    event.starts_at = utcnow() - timedelta(hours=1)  # the event has begun
    session.add(event)
    events.registration_check_in(session=session, actor=w.shuji, event_id=eid, code=r.code)
    session.commit()
    assert events.programme(session=session) == []  # begun: off the programme
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


def test_the_waitlist_position_is_kept_current_for_the_registrant(session, w):
    eid = make_event(session, w, capacity=2)
    first = register(session, eid, "13800000001", 2)
    a = register(session, eid, "13800000002", 2)
    b = register(session, eid, "13800000003", 1)
    assert (a.position, b.position) == (1, 2)

    def seen(r, phone):
        view = events.registration_lookup(session=session, code=r.code.lower(), phone=phone)
        return view.status, view.position

    assert seen(b, "138 0000 0003") == ("waitlisted", 2)
    events.registration_cancel(session=session, code=a.code, phone="13800000002")
    assert seen(b, "13800000003") == ("waitlisted", 1)
    assert seen(a, "13800000002") == ("cancelled", None)
    events.registration_cancel(session=session, code=first.code, phone="13800000001")
    assert seen(b, "13800000003") == ("confirmed", None)
    roster = events.event_roster(session=session, actor=w.shuji, event_id=eid)
    assert roster[["status", "can_cancel", "can_check_in"]].values.tolist() == [
        ["cancelled", False, False],
        ["cancelled", False, False],
        ["confirmed", True, True],
    ]
    with pytest.raises(BoardError) as err:
        events.registration_lookup(session=session, code=b.code, phone="13800000009")
    assert err.value.key == "events.registration_not_found"


def test_the_roster_numbers_the_waitlist_in_arrival_order(session, w):
    eid = make_event(session, w, capacity=1)
    for phone in ("13800000001", "13800000002", "13800000003"):
        register(session, eid, phone)
    roster = events.event_roster(session=session, actor=w.shuji, event_id=eid)
    assert roster["position"].tolist()[1:] == [1, 2]
    assert roster["position"].isna().tolist() == [True, False, False]


def test_an_attended_registration_cannot_be_cancelled(session, w):
    eid = make_event(session, w, starts_in=timedelta(minutes=20))
    r = register(session, eid, "13800000001")
    events.registration_check_in(session=session, actor=w.shuji, event_id=eid, code=r.code)
    with pytest.raises(BoardError) as err:
        events.registration_cancel(session=session, code=r.code, phone="13800000001")
    assert err.value.key == "events.cancel_attended"
    with pytest.raises(BoardError) as err:
        events.registration_cancel(session=session, code=r.code, phone="13800000001")
    assert err.value.key == "events.cancel_attended"
    registration = session.exec(select(Registration)).one()
    with pytest.raises(BoardError) as err:
        events.registration_cancel(session=session, actor=w.shuji, registration_id=registration.id)
    assert err.value.key == "events.cancel_attended"


def test_what_a_card_allows_by_status(session, w):
    eid = make_event(session, w, publish=False)

    def card():
        return next(c for c in events.event_list(session=session, actor=w.shuji) if c.id == eid)

    draft = card()
    assert (draft.next_statuses, draft.can_cancel, draft.editable) == (["published"], True, True)
    assert not draft.can_staff() and not draft.can_summarise()
    events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="published")
    published = card()
    assert (published.next_statuses, published.can_cancel) == (["done"], True)
    assert published.can_staff() and not published.can_summarise()
    assert published.can_summarise(now=published.starts_at)
    assert not published.can_staff(now=published.ends_at)
    events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="cancelled")
    cancelled = card()
    assert (cancelled.next_statuses, cancelled.can_cancel, cancelled.editable) == ([], False, False)
    assert cancelled.cancelled and not cancelled.door(now=cancelled.starts_at).open


def test_cancel_effects_say_what_else_changes(session, w):
    eid = make_event(session, w, capacity=3)
    register(session, eid, "13800000001", 2)
    register(session, eid, "13800000002", 2)
    effects = events.event_cancel_effects(session=session, actor=w.shuji, event_id=eid)
    assert effects == events.CancelEffects(
        registrations=2, people=4, staff_task=False, volunteers=0
    )
    events.event_request_staff(session=session, actor=w.shuji, event_id=eid, volunteers=2)
    effects = events.event_cancel_effects(session=session, actor=w.shuji, event_id=eid)
    assert (effects.staff_task, effects.volunteers) == (True, 0)


def test_a_programme_link_says_why_it_cannot_be_shown(session, w):
    live = make_event(session, w)
    full = make_event(session, w, capacity=1, waitlist=False)
    register(session, full, "13800000001")
    full_waitlist = make_event(session, w, capacity=1)
    register(session, full_waitlist, "13800000001")
    draft = make_event(session, w, publish=False)
    past = make_event(session, w, starts_in=timedelta(minutes=-5))
    cancelled = make_event(session, w)
    events.event_set_status(session=session, actor=w.shuji, event_id=cancelled, status="cancelled")
    assert {
        eid: events.programme_link(session=session, event_id=eid)
        for eid in (live, full, full_waitlist, draft, past, cancelled, 999)
    } == {
        live: None,
        full: "events.link_full",
        full_waitlist: None,
        draft: "events.link_gone",
        past: "events.link_past",
        cancelled: "events.link_cancelled",
        999: "events.link_gone",
    }
    assert [c.id for c in events.programme(session=session, event_id=live)] == [live]


def test_a_staff_event_link_says_why_it_cannot_be_shown(session, w):
    other = factories.world(session, "归化社区")
    mine = make_event(session, w)
    theirs = make_event(session, other)
    over = make_event(session, w, starts_in=timedelta(hours=-3))
    assert events.event_link(session=session, actor=w.shuji, event_id=mine) is None
    assert (
        events.event_link(session=session, actor=w.shuji, event_id=theirs)
        == "events.link_other_community"
    )
    assert events.event_link(session=session, actor=w.shuji, event_id=over) == "events.link_past"
    assert events.event_link(session=session, actor=w.shuji, event_id=999) == "events.link_gone"
    assert events.event_link(session=session, actor=w.admin, event_id=theirs) is None
