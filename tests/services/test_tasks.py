"""Tasks: cancelling takes its signups with it, editing keeps capacity honest and fills
from the waitlist, reopening serves the waitlist before newcomers."""

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from models.accounts import Role
from models.audit import AuditEntry
from models.base import utcnow
from models.volunteers import Signup, SignupStatus, Task, TaskKind, TaskStatus
from services import signups, task_board, tasks
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account


def _people(session, w, n):
    people = []
    for i in range(n):
        actor = make_account(session, f"p{i}", Role.volunteer, w.community_id)
        factories.volunteer(session, w.community_id, f"志愿者{i}", account=actor)
        people.append(actor)
    return people


def _status(session, signup_id):
    session.expire_all()
    return str(session.get(Signup, signup_id).status)


def test_cancelling_a_task_cancels_its_signups_and_frees_the_places(session, w):
    task_id = factories.task(session, w.community_id, capacity=2)
    people = _people(session, w, 3)
    results = [signups.signup_create(session=session, actor=p, task_id=task_id) for p in people]
    session.commit()
    tasks.task_set_status(
        session=session, actor=w.shuji, task_id=task_id, status=TaskStatus.cancelled
    )
    session.commit()
    assert [_status(session, r.signup_id) for r in results] == ["cancelled"] * 3
    task = session.get(Task, task_id)
    assert (task.status, task.taken) == ("cancelled", 0)
    audited = session.exec(
        select(AuditEntry.row_id).where(
            AuditEntry.table_name == "signup", AuditEntry.account_id == w.shuji.id
        )
    ).all()
    assert sorted(audited) == sorted(r.signup_id for r in results)

    # the volunteer still sees the task, marked cancelled
    mine = task_board.my_tasks(session=session, actor=people[0])
    assert [(r.task_id, r.state.task_status, r.state.status) for r in mine] == [
        (task_id, "cancelled", "cancelled")
    ]
    assert (mine[0].task_cancelled, mine[0].task_closed) == (True, False)


def test_check_in_and_out_are_refused_on_a_cancelled_task(session, w):
    task_id = factories.task(session, w.community_id, starts_in=timedelta(minutes=30))
    task = session.get(Task, task_id)
    first, second = _people(session, w, 2)
    a = signups.signup_create(session=session, actor=first, task_id=task_id)
    b = signups.signup_create(session=session, actor=second, task_id=task_id)
    signups.signup_check_in(session=session, actor=second, signup_id=b.signup_id)
    session.commit()
    tasks.task_set_status(
        session=session, actor=w.shuji, task_id=task_id, status=TaskStatus.cancelled
    )
    session.commit()
    for fn, actor, sid in (
        (signups.signup_check_in, first, a.signup_id),
        (signups.signup_check_in, w.shuji, a.signup_id),
        (signups.signup_check_out, second, b.signup_id),
    ):
        with pytest.raises(BoardError) as err:
            fn(session=session, actor=actor, signup_id=sid, now=factories.at(task, 10))
        assert err.value.key == "signups.task_cancelled_no_check"
    assert session.get(Signup, b.signup_id).check_out_at is None


def test_capacity_cannot_drop_below_the_confirmed(session, w):
    task_id = factories.task(session, w.community_id, capacity=3)
    for p in _people(session, w, 3):
        signups.signup_create(session=session, actor=p, task_id=task_id)
    session.commit()
    task = session.get(Task, task_id)
    with pytest.raises(BoardError) as err:
        tasks.task_update(
            session=session,
            actor=w.shuji,
            task_id=task_id,
            title=task.title,
            place="党群服务中心",
            starts_at=task.starts_at,
            ends_at=task.ends_at,
            capacity=2,
        )
    assert (err.value.key, err.value.params) == ("tasks.capacity_below_confirmed", {"n": 3})
    session.rollback()
    assert session.get(Task, task_id).capacity == 3


def test_editing_a_task_and_more_places_promote_the_waitlist_in_order(session, w):
    task_id = factories.task(session, w.community_id, capacity=1)
    results = [
        signups.signup_create(session=session, actor=p, task_id=task_id)
        for p in _people(session, w, 4)
    ]
    session.commit()
    task = session.get(Task, task_id)
    starts = task.starts_at + timedelta(hours=1)
    promoted = tasks.task_update(
        session=session,
        actor=w.shuji,
        task_id=task_id,
        title="  重阳节探访  ",
        place="党群服务中心",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=3,
        required_skills="elder_care",
        description="带上慰问品",
    )
    session.commit()
    assert promoted == [results[1].signup_id, results[2].signup_id]
    assert [_status(session, r.signup_id) for r in results] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    task = session.get(Task, task_id)
    assert (task.title, task.place, task.capacity, task.taken) == (
        "重阳节探访",
        "党群服务中心",
        3,
        3,
    )
    assert (task.required_skills, task.description) == ("elder_care", "带上慰问品")
    assert task.starts_at == starts
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.table_name == "task", AuditEntry.action == "update")
    ).one()
    assert '"capacity": [1, 3]' in entry.changes


def test_a_cancelled_task_cannot_be_edited(session, w):
    task_id = factories.task(session, w.community_id, status=TaskStatus.cancelled)
    task = session.get(Task, task_id)
    with pytest.raises(BoardError) as err:
        tasks.task_update(
            session=session,
            actor=w.shuji,
            task_id=task_id,
            title="x",
            place="",
            starts_at=task.starts_at,
            ends_at=task.ends_at,
            capacity=5,
        )
    assert err.value.key == "tasks.finished"


def test_reopening_a_closed_task_serves_the_waitlist_before_newcomers(session, w):
    task_id = factories.task(session, w.community_id, capacity=2)
    a, b, c, newcomer = _people(session, w, 4)
    ra, _rb, rc = (
        signups.signup_create(session=session, actor=p, task_id=task_id) for p in (a, b, c)
    )
    session.commit()
    assert rc.status == "waitlisted"
    tasks.task_set_status(session=session, actor=w.shuji, task_id=task_id, status=TaskStatus.closed)
    signups.signup_cancel(session=session, actor=a, signup_id=ra.signup_id)
    session.commit()
    assert _status(session, rc.signup_id) == "waitlisted"  # closed: no promotion yet
    assert session.get(Task, task_id).taken == 1
    with pytest.raises(BoardError) as err:
        signups.signup_create(session=session, actor=newcomer, task_id=task_id)
    assert err.value.key == "signups.task_closed"
    session.rollback()

    tasks.task_set_status(session=session, actor=w.shuji, task_id=task_id, status=TaskStatus.open)
    session.commit()
    assert _status(session, rc.signup_id) == "confirmed"
    late = signups.signup_create(session=session, actor=newcomer, task_id=task_id)
    session.commit()
    assert (late.status, late.position) == ("waitlisted", 1)
    assert session.get(Task, task_id).taken == 2
    confirmed = session.exec(
        select(Signup).where(Signup.task_id == task_id, Signup.status == SignupStatus.confirmed)
    ).all()
    assert len(confirmed) == 2


# --- publishing: required fields, no twin from a double press --------------------------


START = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)


def _publish(session, w, **changes):
    starts = START
    values = {
        "title": "重阳节敬老活动服务",
        "kind": TaskKind.event_staff,
        "community_id": w.community_id,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "capacity": 5,
        "place": "社区党群服务中心",
    } | changes
    return tasks.task_create(session=session, actor=w.shuji, **values)


def _count(session):
    return session.exec(select(func.count()).select_from(Task)).one()


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"title": "   "}, "tasks.title_required"),
        ({"place": ""}, "tasks.place_required"),
        ({"place": "  "}, "tasks.place_required"),
        ({"capacity": 0}, "tasks.capacity_invalid"),
    ],
)
def test_a_task_needs_a_name_and_a_place(session, w, changes, key):
    with pytest.raises(BoardError) as err:
        _publish(session, w, **changes)
    assert err.value.key == key
    session.rollback()
    assert _count(session) == 0


def test_publishing_the_same_task_twice_makes_one_task(session, w):
    first = _publish(session, w, title=" 重阳节敬老活动服务 ")
    session.commit()
    with pytest.raises(BoardError) as err:
        _publish(session, w)
    assert (err.value.key, err.value.params) == ("tasks.duplicate", {"title": "重阳节敬老活动服务"})
    session.rollback()
    assert _count(session) == 1
    # another time or place is another task; a cancelled one can be published anew
    _publish(session, w, place="社区广场")
    tasks.task_set_status(
        session=session, actor=w.shuji, task_id=first, status=TaskStatus.cancelled
    )
    _publish(session, w)
    session.commit()
    assert _count(session) == 3


def test_editing_keeps_the_name_and_place_required(session, w):
    task_id = _publish(session, w)
    task = session.get(Task, task_id)
    with pytest.raises(BoardError) as err:
        tasks.task_update(
            session=session,
            actor=w.shuji,
            task_id=task_id,
            title=task.title,
            place=" ",
            starts_at=task.starts_at,
            ends_at=task.ends_at,
            capacity=5,
        )
    assert err.value.key == "tasks.place_required"


def test_the_next_statuses_of_a_task():
    expected = {
        "draft": ["open", "cancelled"],
        "open": ["closed", "done", "cancelled"],
        "closed": ["open", "done", "cancelled"],
        "done": [],
        "cancelled": [],
    }
    assert {s: [str(x) for x in tasks.next_statuses(s)] for s in expected} == expected


@pytest.mark.parametrize(
    ("status", "next_statuses", "can_cancel", "editable", "is_open", "is_cancelled"),
    [
        ("draft", ["open"], True, True, False, False),
        ("open", ["closed", "done"], True, True, True, False),
        ("closed", ["open", "done"], True, True, False, False),
        ("done", [], False, False, False, False),
        ("cancelled", [], False, False, False, True),
    ],
)
def test_a_task_card_says_what_staff_can_do_with_it(
    session, w, status, next_statuses, can_cancel, editable, is_open, is_cancelled
):
    task_id = factories.task(session, w.community_id, status=TaskStatus(status))
    card = task_board.task_card(session=session, actor=w.shuji, task_id=task_id)
    assert [str(s) for s in card.next_statuses] == next_statuses
    assert (card.can_cancel, card.editable, card.is_open, card.is_cancelled) == (
        can_cancel,
        editable,
        is_open,
        is_cancelled,
    )


@pytest.mark.parametrize(
    ("task_status", "task_cancelled", "task_closed"),
    [
        ("open", False, False),
        ("closed", False, True),
        ("done", False, True),
        ("cancelled", True, False),
    ],
)
def test_my_tasks_say_whether_the_task_is_off_or_closed(
    session, w, task_status, task_cancelled, task_closed
):
    task_id = factories.task(session, w.community_id)
    (person,) = _people(session, w, 1)
    signups.signup_create(session=session, actor=person, task_id=task_id)
    session.get(Task, task_id).status = TaskStatus(task_status)
    session.flush()
    (row,) = task_board.my_tasks(session=session, actor=person)
    assert (row.task_cancelled, row.task_closed) == (task_cancelled, task_closed)


def test_cancelling_a_task_says_how_many_signups_went_with_it(session, w):
    task_id = factories.task(session, w.community_id, capacity=1)
    for p in _people(session, w, 3):
        signups.signup_create(session=session, actor=p, task_id=task_id)
    session.commit()
    assert (
        tasks.task_set_status(
            session=session, actor=w.shuji, task_id=task_id, status=TaskStatus.cancelled
        )
        == 3
    )
