"""The events' figures: events held, attendees, attendance and fill rates."""

from datetime import timedelta

import pytest

from models.base import utcnow
from models.events import Event
from services import event_figures, registrations
from tests.services.event_setup import make_event, register


def test_figures_count_the_events_held_and_the_people_who_came(session, w):
    eid = make_event(session, w, capacity=10)
    make_event(session, w, publish=False)  # a draft counts for nothing
    r = register(session, eid, "13800000001", 4, name="乌日娜")
    register(session, eid, "13800000002", 2, name="王建国")
    event = session.get(Event, eid)
    event.starts_at = utcnow() - timedelta(hours=1)  # the event has begun
    session.add(event)
    registrations.registration_check_in(session=session, actor=w.shuji, event_id=eid, code=r.code)
    session.commit()
    today = utcnow().date()
    figures = event_figures.event_figures(
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
