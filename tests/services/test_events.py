"""The life of an event: staffing (one linked task), edits that follow through to the
waitlist and the staffing task, cancelling with everything it changes in one
transaction, and what cancelling would change, said beforehand."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models.audit import AuditEntry
from models.base import utcnow
from models.events import Event
from models.volunteers import Signup, Task
from services import db, events, tasks
from services.errors import BoardError
from tests import factories
from tests.services.event_setup import edit, make_event, register, statuses


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


@pytest.mark.parametrize(
    ("status", "ends_in", "refused"),
    [
        ("draft", timedelta(days=1), "events.staff_draft"),
        ("published", timedelta(days=1), None),
        ("published", timedelta(0), "events.staff_over"),  # ends now: over
        ("done", timedelta(days=1), "events.staff_over"),
        ("cancelled", timedelta(days=1), "events.staff_cancelled"),
    ],
)
def test_volunteers_are_asked_for_only_while_the_event_is_published_and_not_over(
    status, ends_in, refused
):
    now = utcnow()
    assert events.staffing_refused(status=status, ends_at=now + ends_in, now=now) == refused


def test_the_status_changes_allowed(session, w):
    """Written out: draft → published or cancelled; published → done or cancelled;
    done and cancelled are final."""
    allowed = {
        ("draft", "published"),
        ("draft", "cancelled"),
        ("published", "done"),
        ("published", "cancelled"),
    }
    steps_to = {
        "draft": (),
        "published": ("published",),
        "done": ("published", "done"),
        "cancelled": ("cancelled",),
    }
    for start, steps in steps_to.items():
        for target in steps_to:
            eid = make_event(session, w, publish=False)
            for step in steps:
                events.event_set_status(session=session, actor=w.shuji, event_id=eid, status=step)
            if (start, target) in allowed:
                events.event_set_status(session=session, actor=w.shuji, event_id=eid, status=target)
                assert session.get(Event, eid).status == target
            else:
                with pytest.raises(BoardError) as err:
                    events.event_set_status(
                        session=session, actor=w.shuji, event_id=eid, status=target
                    )
                assert err.value.key == "events.status_invalid"
