"""Sign-up rules on a fresh database: capacity under concurrency, waitlist, overlaps,
refusals, check-in/out hours and approval."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from models.accounts import Role
from models.audit import AuditEntry
from models.base import utcnow
from models.volunteers import HoursStatus, Signup, SignupStatus, Task, TaskStatus
from services import db, signups, task_board
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account


def _volunteer_actor(session, w, n: int):
    actor = make_account(session, f"v{n}", Role.volunteer, w.community_id)
    factories.volunteer(session, w.community_id, f"志愿者{n}", account=actor)
    return actor


def _statuses(session, task_id):
    rows = session.exec(
        select(Signup.status)
        .where(Signup.task_id == task_id)
        .order_by(Signup.created_at, Signup.id)
    )
    return [str(s) for s in rows]


def test_places_then_waitlist_then_promotion_in_arrival_order(session, w):
    task_id = factories.task(session, w.community_id, capacity=2)
    people = [_volunteer_actor(session, w, i) for i in range(4)]
    results = [signups.signup_create(session=session, actor=p, task_id=task_id) for p in people]
    session.commit()
    assert [r.status for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.position for r in results[2:]] == [1, 2]
    promoted = signups.signup_cancel(
        session=session, actor=people[0], signup_id=results[0].signup_id
    )
    session.commit()
    assert promoted == [results[2].signup_id]
    assert _statuses(session, task_id) == ["cancelled", "confirmed", "confirmed", "waitlisted"]
    assert session.get(Task, task_id).taken == 2


def test_fifty_concurrent_signups_for_ten_places(engine, session, w):
    task_id = factories.task(session, w.community_id, capacity=10)
    people = [_volunteer_actor(session, w, i) for i in range(50)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)

    def press(actor):
        barrier.wait()
        try:
            with db.transaction(engine) as s:
                signups.signup_create(session=s, actor=actor, task_id=task_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=press, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as s:
        statuses = [str(x) for x in s.exec(select(Signup.status).where(Signup.task_id == task_id))]
        assert statuses.count("confirmed") == 10
        assert statuses.count("waitlisted") == 40
        assert len(statuses) == 50
        assert s.get(Task, task_id).taken == 10


def test_overlapping_confirmed_signups_are_refused(session, w):
    first = factories.task(session, w.community_id, starts_in=timedelta(days=1), hours=3)
    second = factories.task(
        session, w.community_id, starts_in=timedelta(days=1, hours=2), title="社区巡查"
    )
    actor = _volunteer_actor(session, w, 1)
    signups.signup_create(session=session, actor=actor, task_id=first)
    with pytest.raises(BoardError) as err:
        signups.signup_create(session=session, actor=actor, task_id=second)
    assert err.value.key == "signups.overlap" and err.value.params == {"title": "探访独居老人"}


@pytest.mark.parametrize(
    ("setup", "key"),
    [
        ({"status": TaskStatus.closed}, "signups.task_closed"),
        ({"status": TaskStatus.cancelled}, "signups.task_cancelled"),
        ({"starts_in": timedelta(hours=-1)}, "signups.task_past"),
    ],
)
def test_refusals_write_nothing(session, w, setup, key):
    task_id = factories.task(session, w.community_id, **setup)
    actor = _volunteer_actor(session, w, 1)
    before = session.exec(select(func.count()).select_from(AuditEntry)).one()
    with pytest.raises(BoardError) as err:
        signups.signup_create(session=session, actor=actor, task_id=task_id)
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(func.count()).select_from(Signup)).one() == 0
    assert session.exec(select(func.count()).select_from(AuditEntry)).one() == before


def test_inactive_volunteer_and_double_signup_are_refused(session, w):
    task_id = factories.task(session, w.community_id)
    actor = make_account(session, "old", Role.volunteer, w.community_id)
    factories.volunteer(session, w.community_id, "老王", account=actor, active=False)
    with pytest.raises(BoardError) as err:
        signups.signup_create(session=session, actor=actor, task_id=task_id)
    assert err.value.key == "signups.volunteer_inactive"
    other = _volunteer_actor(session, w, 2)
    signups.signup_create(session=session, actor=other, task_id=task_id)
    with pytest.raises(BoardError) as err:
        signups.signup_create(session=session, actor=other, task_id=task_id)
    assert err.value.key == "signups.already"


def test_hours_are_capped_at_the_window_and_count_once_approved(session, w):
    task_id = factories.task(session, w.community_id, starts_in=timedelta(days=1), hours=2)
    task = session.get(Task, task_id)
    actor = _volunteer_actor(session, w, 1)
    result = signups.signup_create(session=session, actor=actor, task_id=task_id)
    signups.signup_check_in(
        session=session, actor=actor, signup_id=result.signup_id, now=factories.at(task, -30)
    )
    hours = signups.signup_check_out(
        session=session, actor=actor, signup_id=result.signup_id, now=factories.at(task, 150)
    )
    assert hours == 2.0  # 30 minutes early and late are outside the window
    signup = session.get(Signup, result.signup_id)
    assert signup.hours_status == HoursStatus.pending
    with pytest.raises(BoardError):
        signups.signup_approve_hours(session=session, actor=actor, signup_id=signup.id)
    signups.signup_set_hours(
        session=session,
        actor=w.shuji,
        signup_id=signup.id,
        hours=2.5,
        reason="签退时间有误",
        now=factories.at(task, 150),
    )
    signups.signup_approve_hours(session=session, actor=w.shuji, signup_id=signup.id)
    session.commit()
    signup = session.get(Signup, result.signup_id)
    assert (signup.hours, signup.hours_status, signup.approved_by) == (2.5, "approved", w.shuji.id)


def test_no_show_and_bad_hours(session, w):
    task_id = factories.task(session, w.community_id)
    task = session.get(Task, task_id)
    actor = _volunteer_actor(session, w, 1)
    result = signups.signup_create(session=session, actor=actor, task_id=task_id)
    signups.signup_mark_no_show(
        session=session, actor=w.shuji, signup_id=result.signup_id, now=factories.at(task, 5)
    )
    assert session.get(Signup, result.signup_id).status == SignupStatus.no_show
    with pytest.raises(BoardError) as err:
        signups.signup_set_hours(
            session=session,
            actor=w.shuji,
            signup_id=result.signup_id,
            hours=3,
            reason="补录",
            now=factories.at(task, 5),
        )
    assert err.value.key == "signups.not_confirmed"  # a no-show checks in first


def test_open_tasks_lists_soonest_first_with_places_left(session, w):
    later = factories.task(session, w.community_id, starts_in=timedelta(days=5), title="晚")
    sooner = factories.task(session, w.community_id, starts_in=timedelta(days=1), title="早")
    factories.task(session, w.community_id, status=TaskStatus.closed, title="关")
    actor = _volunteer_actor(session, w, 1)
    signups.signup_create(session=session, actor=actor, task_id=sooner)
    cards = task_board.open_tasks(session=session, actor=actor)
    assert [c.id for c in cards] == [sooner, later]
    assert cards[0].places_left == 1 and cards[0].own.status == "confirmed"
    assert cards[1].own is None and cards[1].can_sign_up


def test_waitlist_position_after_a_re_signup_is_at_the_back(session, w):
    """A re-signup keeps its row (an old, small id) but arrives last: the position
    compares (created_at, id), not each of them on its own."""
    task_id = factories.task(session, w.community_id, capacity=1)
    task = session.get(Task, task_id)
    a, b, c = (_volunteer_actor(session, w, i) for i in range(3))
    base = task.starts_at - timedelta(days=1)
    signups.signup_create(session=session, actor=a, task_id=task_id, now=base)
    rb = signups.signup_create(
        session=session, actor=b, task_id=task_id, now=base + timedelta(minutes=1)
    )
    rc = signups.signup_create(
        session=session, actor=c, task_id=task_id, now=base + timedelta(minutes=2)
    )
    assert (rb.position, rc.position) == (1, 2)
    signups.signup_cancel(session=session, actor=b, signup_id=rb.signup_id)
    again = signups.signup_create(
        session=session, actor=b, task_id=task_id, now=base + timedelta(minutes=3)
    )
    session.commit()
    assert again.signup_id == rb.signup_id < rc.signup_id  # the same, older row
    assert (again.status, again.position) == ("waitlisted", 2)
    assert signups.waitlist_position(session, session.get(Signup, rc.signup_id)) == 1
    roster = task_board.task_roster(session=session, actor=w.shuji, task_id=task_id)
    assert [(e.signup_id, e.position) for e in roster.signups][1:] == [
        (rc.signup_id, 1),
        (rb.signup_id, 2),
    ]


# --- the one rule for the time windows, at its edges ----------------------------------

MINUTE = timedelta(minutes=1)


def _signed_up(session, w, *, capacity=2, hours=2):
    """A confirmed volunteer on a task two days ahead: (task, actor, signup id)."""
    task_id = factories.task(session, w.community_id, capacity=capacity, hours=hours)
    actor = _volunteer_actor(session, w, 1)
    sid = signups.signup_create(session=session, actor=actor, task_id=task_id).signup_id
    session.commit()
    return session.get(Task, task_id), actor, sid


def _refused(fn, key, **kwargs):
    with pytest.raises(BoardError) as err:
        fn(**kwargs)
    assert err.value.key == key
    return err.value


def test_check_in_opens_two_hours_before_the_start_and_closes_at_the_end(session, w):
    task, actor, sid = _signed_up(session, w)
    opens, ends = task.starts_at - timedelta(hours=2), task.ends_at
    kw = {"session": session, "actor": actor, "signup_id": sid}
    err = _refused(signups.signup_check_in, "signups.check_in_not_yet", now=opens - MINUTE, **kw)
    assert err.params["hours"] == "2"
    _refused(signups.signup_check_in, "signups.check_in_over", now=ends + MINUTE, **kw)
    assert session.get(Signup, sid).status == "confirmed"
    signups.signup_check_in(now=opens, **kw)  # exactly two hours before: open
    assert session.get(Signup, sid).status == "attended"
    _refused(signups.signup_check_in, "signups.already_checked_in", now=opens, **kw)

    state = signups.SignupState(
        status="confirmed", task_status="open", starts_at=task.starts_at, ends_at=ends
    )
    assert signups.check_in_rule(state, ends).ok  # exactly at the end: still open
    assert not signups.check_in_rule(state, ends + MINUTE).ok


def test_check_out_only_after_check_in_and_not_before_the_start(session, w):
    task, actor, sid = _signed_up(session, w)
    start, end = task.starts_at, task.ends_at
    kw = {"session": session, "actor": actor, "signup_id": sid}
    _refused(signups.signup_check_out, "signups.not_checked_in", now=start, **kw)
    signups.signup_check_in(now=start - timedelta(hours=1), **kw)
    _refused(
        signups.signup_check_out,
        "signups.check_out_not_yet",
        now=start - MINUTE,
        early_ok=True,
        **kw,
    )
    # before the end it is early: refused until confirmed
    err = _refused(signups.signup_check_out, "signups.check_out_early", now=end - MINUTE, **kw)
    assert "at" in err.params
    assert session.get(Signup, sid).check_out_at is None
    assert signups.signup_check_out(now=start, early_ok=True, **kw) == 0.0  # at the start
    _refused(signups.signup_check_out, "signups.already_checked_out", now=end, **kw)


def test_check_out_at_the_end_needs_no_confirmation(session, w):
    task, actor, sid = _signed_up(session, w)
    kw = {"session": session, "actor": actor, "signup_id": sid}
    signups.signup_check_in(now=task.starts_at, **kw)
    state = signups.SignupState.of(session.get(Signup, sid), task)
    assert signups.check_out_is_early(state, task.ends_at - MINUTE)
    assert not signups.check_out_is_early(state, task.ends_at)
    assert signups.signup_check_out(now=task.ends_at, **kw) == 2.0


def test_staff_undo_a_check_out_and_the_volunteer_checks_out_again(session, w):
    task, actor, sid = _signed_up(session, w)
    kw = {"session": session, "signup_id": sid}
    signups.signup_check_in(actor=actor, now=task.starts_at, **kw)
    signups.signup_check_out(actor=actor, now=factories.at(task, 30), early_ok=True, **kw)
    assert session.get(Signup, sid).hours == 0.5
    _refused(signups.signup_undo_check_out, "access.denied", actor=actor, **kw)
    signups.signup_undo_check_out(actor=w.shuji, **kw)
    row = session.get(Signup, sid)
    assert (row.status, row.check_out_at, row.hours, row.hours_status) == (
        "attended",
        None,
        0.0,
        "none",
    )
    _refused(signups.signup_undo_check_out, "signups.not_checked_out", actor=w.shuji, **kw)
    assert signups.signup_check_out(actor=actor, now=task.ends_at, **kw) == 2.0
    signups.signup_approve_hours(actor=w.shuji, **kw)
    _refused(signups.signup_undo_check_out, "signups.hours_approved", actor=w.shuji, **kw)
    audited = session.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.table_name == "signup", AuditEntry.row_id == sid)
    ).one()
    assert audited >= 5  # sign-up, in, out, undo, out, approve: each one audited


def test_no_show_only_from_the_start(session, w):
    task, _actor, sid = _signed_up(session, w)
    kw = {"session": session, "actor": w.shuji, "signup_id": sid}
    _refused(
        signups.signup_mark_no_show, "signups.no_show_not_yet", now=task.starts_at - MINUTE, **kw
    )
    assert session.get(Signup, sid).status == "confirmed"
    signups.signup_mark_no_show(now=task.starts_at, **kw)
    assert session.get(Signup, sid).status == "no_show"
    # a no-show who turns up after all checks in while check-in is open
    signups.signup_check_in(now=factories.at(task, 10), **kw)
    assert session.get(Signup, sid).status == "attended"


@pytest.mark.parametrize(
    ("hours", "ok"), [(0.24, False), (0.25, True), (24, True), (24.01, False), (30, False)]
)
def test_hours_entered_by_staff_are_between_a_quarter_and_24(session, w, hours, ok):
    task, _actor, sid = _signed_up(session, w)
    kw = {"session": session, "actor": w.shuji, "signup_id": sid, "hours": hours, "reason": "补录"}
    _refused(signups.signup_set_hours, "signups.hours_not_yet", now=task.starts_at - MINUTE, **kw)
    if ok:
        signups.signup_set_hours(now=task.starts_at, **kw)
        assert (session.get(Signup, sid).hours, session.get(Signup, sid).status) == (
            hours,
            "attended",
        )
    else:
        err = _refused(signups.signup_set_hours, "signups.hours_invalid", now=task.starts_at, **kw)
        assert err.params == {"min": "0.25", "max": "24"}
        assert session.get(Signup, sid).hours == 0


def test_a_confirmed_place_is_cancelled_only_before_the_start(session, w):
    task, actor, sid = _signed_up(session, w, capacity=1)
    other = _volunteer_actor(session, w, 2)
    waiting = signups.signup_create(session=session, actor=other, task_id=task.id).signup_id
    _refused(
        signups.signup_cancel,
        "signups.cancel_started",
        session=session,
        actor=actor,
        signup_id=sid,
        now=task.starts_at,
    )
    # a waitlisted entry can leave at any time
    assert (
        signups.signup_cancel(session=session, actor=other, signup_id=waiting, now=task.starts_at)
        == []
    )
    assert (
        signups.signup_cancel(
            session=session, actor=actor, signup_id=sid, now=task.starts_at - MINUTE
        )
        == []
    )
    assert session.get(Signup, sid).status == "cancelled"


def test_signup_actions_say_what_belongs_on_an_entry(session, w):
    start = utcnow() + timedelta(days=1)
    state = signups.SignupState(
        status="confirmed", task_status="open", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    early = signups.signup_actions(state, now=start - timedelta(hours=3))
    assert (early.check_in.shown, early.check_in.reason) == (True, "signups.check_in_not_yet")
    assert not early.check_out.shown  # not checked in: no check-out button at all
    assert (early.no_show.shown, early.no_show.reason) == (True, "signups.no_show_not_yet")
    assert early.cancel.ok and not early.undo_check_out.shown and not early.approve.shown
    cancelled = signups.signup_actions(
        signups.SignupState(
            status="confirmed", task_status="cancelled", starts_at=start, ends_at=start
        ),
        now=start,
    )
    assert not any(v.shown for v in (cancelled.check_in, cancelled.check_out, cancelled.no_show))


# --- what the volunteer sees of their entry ------------------------------------------


def test_the_waitlist_position_is_shown_and_kept_current(session, w):
    task_id = factories.task(session, w.community_id, capacity=1)
    a, b, c = (_volunteer_actor(session, w, i) for i in range(3))
    ra = signups.signup_create(session=session, actor=a, task_id=task_id)
    rb = signups.signup_create(session=session, actor=b, task_id=task_id)
    signups.signup_create(session=session, actor=c, task_id=task_id)
    session.commit()

    def seen_by(actor):
        card = next(
            x for x in task_board.open_tasks(session=session, actor=actor) if x.id == task_id
        )
        mine = task_board.my_tasks(session=session, actor=actor)
        return card.own.position, next(r.position for r in mine if r.task_id == task_id)

    assert seen_by(c) == (2, 2)
    signups.signup_cancel(session=session, actor=b, signup_id=rb.signup_id)
    session.commit()
    assert seen_by(c) == (1, 1)
    signups.signup_cancel(session=session, actor=a, signup_id=ra.signup_id)
    session.commit()
    card = next(x for x in task_board.open_tasks(session=session, actor=c) if x.id == task_id)
    assert (card.own.status, card.own.position, card.own.waitlisted) == ("confirmed", None, False)


def test_a_checked_in_volunteer_is_not_offered_the_waitlist(session, w):
    task_id = factories.task(session, w.community_id, capacity=1, starts_in=timedelta(hours=1))
    actor = _volunteer_actor(session, w, 1)
    sid = signups.signup_create(session=session, actor=actor, task_id=task_id).signup_id
    signups.signup_check_in(session=session, actor=actor, signup_id=sid)
    session.commit()
    card = next(x for x in task_board.open_tasks(session=session, actor=actor) if x.id == task_id)
    assert (card.own.status, card.places_left, card.can_sign_up) == ("attended", 0, False)
    _refused(
        signups.signup_create, "signups.already", session=session, actor=actor, task_id=task_id
    )


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("open", None),
        ("full", None),
        ("closed", "signups.link.closed"),
        ("done", "signups.link.closed"),
        ("cancelled", "signups.link.cancelled"),
        ("draft", "signups.link.missing"),
        ("started", "signups.link.started"),
        ("elsewhere", "signups.link.elsewhere"),
        ("missing", "signups.link.missing"),
    ],
)
def test_a_task_link_says_why_it_cannot_be_shown(session, w, case, reason):
    actor = _volunteer_actor(session, w, 1)
    other = factories.world(session, "前进社区")
    if case == "missing":
        task_id = 12345
    elif case == "elsewhere":
        task_id = factories.task(session, other.community_id)
    elif case == "started":
        task_id = factories.task(session, w.community_id, starts_in=timedelta(minutes=-1))
    elif case == "full":
        task_id = factories.task(session, w.community_id, capacity=1)
        signups.signup_create(
            session=session, actor=_volunteer_actor(session, w, 2), task_id=task_id
        )
    elif case == "open":
        task_id = factories.task(session, w.community_id)
    else:
        task_id = factories.task(session, w.community_id, status=TaskStatus(case))
    link = task_board.task_link(session=session, actor=actor, task_id=task_id)
    assert link.reason == reason
    assert (link.card is not None) == (reason is None)
    if case == "full":
        assert link.card.places_left == 0 and link.card.can_sign_up


def test_a_link_to_a_started_task_of_ones_own_points_to_my_tasks(session, w):
    task_id = factories.task(session, w.community_id, starts_in=timedelta(hours=1))
    actor = _volunteer_actor(session, w, 1)
    signups.signup_create(session=session, actor=actor, task_id=task_id)
    link = task_board.task_link(
        session=session, actor=actor, task_id=task_id, now=utcnow() + timedelta(hours=1)
    )
    assert (link.reason, link.mine) == ("signups.link.started", True)


@pytest.mark.parametrize(
    ("status", "holds_place", "waitlisted", "no_show", "cancellable", "can_sign_up"),
    [
        ("confirmed", True, False, False, True, False),
        ("attended", True, False, False, False, False),
        ("waitlisted", False, True, False, True, False),
        ("no_show", False, False, True, False, False),
        ("cancelled", False, False, False, False, True),
    ],
)
def test_a_card_says_what_the_volunteer_can_do_with_their_own_entry(
    status, holds_place, waitlisted, no_show, cancellable, can_sign_up
):
    start = utcnow() + timedelta(days=1)
    own = task_board.OwnSignup(
        signup_id=1, status=status, position=1 if status == "waitlisted" else None
    )
    card = task_board.TaskCard(
        id=1,
        title="探访",
        kind="elder_visit",
        community="四千米社区",
        place="社区",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=2,
        taken=1,
        waitlisted=0,
        status="open",
        required_skills="",
        description="",
        own=own,
    )
    assert (own.holds_place, own.waitlisted, own.no_show, own.cancellable) == (
        holds_place,
        waitlisted,
        no_show,
        cancellable,
    )
    assert card.can_sign_up == can_sign_up


# --- hours by source: 签到 (check-in and -out) apart from 补录 (staff) --------------------


def test_hours_by_check_out_and_by_staff_are_kept_apart_with_who_and_why(session, w):
    task, actor, sid = _signed_up(session, w)
    signups.signup_check_in(session=session, actor=actor, signup_id=sid, now=task.starts_at)
    signups.signup_check_out(
        session=session, actor=actor, signup_id=sid, now=task.ends_at
    )  # 2 h by check-out
    row = session.get(Signup, sid)
    assert (row.hours, row.hours_source, row.hours_entered_by, row.hours_reason) == (
        2.0,
        "check",
        None,
        "",
    )
    kw = {"session": session, "actor": w.shuji, "signup_id": sid, "hours": 3, "now": task.ends_at}
    for blank in ("", "   ", None):
        _refused(signups.signup_set_hours, "signups.hours_reason_required", reason=blank, **kw)
        assert session.get(Signup, sid).hours == 2.0  # nothing written
    signups.signup_set_hours(reason=" 签退时漏记了收尾的一小时 ", **kw)
    row = session.get(Signup, sid)
    assert (row.hours, row.hours_source, row.hours_entered_by, row.hours_reason) == (
        3.0,
        "staff",
        w.shuji.id,
        "签退时漏记了收尾的一小时",
    )
    signups.signup_undo_check_out(session=session, actor=w.shuji, signup_id=sid)
    row = session.get(Signup, sid)
    assert (row.hours, row.hours_source, row.hours_entered_by, row.hours_reason) == (
        0.0,
        "check",
        None,
        "",
    )
