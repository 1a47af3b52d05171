"""The staff page's reads: what a card allows by status, where a link leads, the roster
and the printable sign-in sheet."""

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlmodel import select

from models.events import Registration
from models.privacy import AccessKind, AccessLogEntry
from services import event_reads, events, registrations
from tests import factories
from tests.services.event_setup import make_event, register


def test_what_a_card_allows_by_status(session, w):
    eid = make_event(session, w, publish=False)

    def card():
        return next(
            c for c in event_reads.event_list(session=session, actor=w.shuji) if c.id == eid
        )

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
    door = cancelled.door(now=cancelled.starts_at)
    assert door.shut and not door.open


def test_the_roster_numbers_the_waitlist_in_arrival_order(session, w):
    eid = make_event(session, w, capacity=1)
    for phone in ("13800000001", "13800000002", "13800000003"):
        register(session, eid, phone)
    roster = event_reads.event_roster(session=session, actor=w.shuji, event_id=eid)
    assert [e.position for e in roster.entries] == [None, 1, 2]
    assert roster.waiting == 2


def test_sign_in_sheet_is_set_up_for_printing_with_phones_masked(session, w):
    eid = make_event(session, w, capacity=5)
    register(session, eid, "13812341234", 2, name="乌日娜")
    register(session, eid, "13900001111", 3, name="王建国")
    register(session, eid, "13700002222", 2, name="候补者")  # waitlisted: not on the sheet
    gone = register(session, eid, "13600003333", 1, name="取消者")
    registrations.registration_cancel(session=session, code=gone.code, phone="13600003333")
    session.commit()
    data = event_reads.event_sign_in_sheet(session=session, actor=w.shuji, event_id=eid)
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
    # residents' names on paper: the print is in the access log
    logged = session.exec(select(AccessLogEntry)).one()
    assert (logged.kind, logged.record_type, logged.page) == (
        AccessKind.print,
        "register",
        "events",
    )


def test_a_staff_event_link_says_why_it_cannot_be_shown(session, w):
    other = factories.world(session, "归化社区")
    mine = make_event(session, w)
    theirs = make_event(session, other)
    over = make_event(session, w, starts_in=timedelta(hours=-3))

    def found(actor, eid):
        link = event_reads.event_link(session=session, actor=actor, event_id=eid)
        return link.reason, link.event_id, link.among_all

    # (what is said above the list, the event picked, picked among all events)
    assert {eid: found(w.shuji, eid) for eid in (mine, theirs, over, 999, None)} == {
        mine: (None, mine, False),
        theirs: ("events.link_other_community", None, False),
        over: ("events.link_past", over, True),
        999: ("events.link_gone", None, False),
        None: ("events.link_gone", None, False),
    }
    assert found(w.admin, theirs) == (None, theirs, False)


def test_the_roster_says_what_may_be_done_with_each_registration(session, w):
    eid = make_event(session, w, capacity=3, starts_in=timedelta(minutes=30))
    came = register(session, eid, "13800000001", 1, name="来了")
    register(session, eid, "13800000002", 2, name="确认")
    register(session, eid, "13800000003", 2, name="候补")
    gone = register(session, eid, "13800000004", 1, name="取消")  # waitlisted, then cancelled
    registrations.registration_check_in(
        session=session, actor=w.shuji, event_id=eid, code=came.code
    )
    registrations.registration_cancel(session=session, code=gone.code, phone="13800000004")
    roster = event_reads.event_roster(session=session, actor=w.shuji, event_id=eid)
    # (name, status, position, can_cancel, can_check_in, frees_places)
    assert [
        (e.name, e.status, e.position, e.can_cancel, e.can_check_in, e.frees_places)
        for e in roster.entries
    ] == [
        ("来了", "confirmed", None, False, False, False),
        ("确认", "confirmed", None, True, True, True),
        ("候补", "waitlisted", 1, True, False, False),
        ("取消", "cancelled", None, False, False, False),
    ]
    assert (roster.waiting, roster.printable) == (1, True)


def test_no_sign_in_sheet_is_offered_while_nobody_holds_a_place(session, w):
    eid = make_event(session, w, capacity=1)
    register(session, eid, "13800000001", 2)  # too many for the one place: waiting
    roster = event_reads.event_roster(session=session, actor=w.shuji, event_id=eid)
    assert (len(roster.entries), roster.waiting, roster.printable) == (1, 1, False)
    empty = make_event(session, w)
    roster = event_reads.event_roster(session=session, actor=w.shuji, event_id=empty)
    assert (roster.entries, roster.waiting, roster.printable) == ([], 0, False)
