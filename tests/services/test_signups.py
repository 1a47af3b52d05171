"""Sign-up rules on a fresh database: capacity under concurrency, waitlist, overlaps,
refusals, check-in/out hours and approval."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from models.accounts import Role
from models.audit import AuditEntry
from models.volunteers import HoursStatus, Signup, SignupStatus, Task, TaskStatus
from services import db, signups
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account


@pytest.fixture
def w(session):
    return factories.world(session)


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
    signups.signup_set_hours(session=session, actor=w.shuji, signup_id=signup.id, hours=2.5)
    signups.signup_approve_hours(session=session, actor=w.shuji, signup_id=signup.id)
    session.commit()
    signup = session.get(Signup, result.signup_id)
    assert (signup.hours, signup.hours_status, signup.approved_by) == (2.5, "approved", w.shuji.id)


def test_no_show_and_bad_hours(session, w):
    task_id = factories.task(session, w.community_id)
    actor = _volunteer_actor(session, w, 1)
    result = signups.signup_create(session=session, actor=actor, task_id=task_id)
    signups.signup_mark_no_show(session=session, actor=w.shuji, signup_id=result.signup_id)
    assert session.get(Signup, result.signup_id).status == SignupStatus.no_show
    with pytest.raises(BoardError) as err:
        signups.signup_set_hours(
            session=session, actor=w.shuji, signup_id=result.signup_id, hours=30
        )
    assert err.value.key == "signups.hours_invalid"


def test_open_tasks_lists_soonest_first_with_places_left(session, w):
    later = factories.task(session, w.community_id, starts_in=timedelta(days=5), title="晚")
    sooner = factories.task(session, w.community_id, starts_in=timedelta(days=1), title="早")
    factories.task(session, w.community_id, status=TaskStatus.closed, title="关")
    actor = _volunteer_actor(session, w, 1)
    signups.signup_create(session=session, actor=actor, task_id=sooner)
    cards = signups.open_tasks(session=session, actor=actor)
    assert [c.id for c in cards] == [sooner, later]
    assert cards[0].places_left == 1 and cards[0].my_status == "confirmed"


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
    assert signups._position(session, session.get(Signup, rc.signup_id)) == 1
    roster = signups.task_roster(session=session, actor=w.shuji, task_id=task_id)
    assert roster.signups["id"].tolist()[1:] == [rc.signup_id, rb.signup_id]
