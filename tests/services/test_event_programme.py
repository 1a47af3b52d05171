"""The public programme: by community, no personal data, and where a public link leads."""

import dataclasses
from datetime import timedelta

from models.base import utcnow
from models.events import Event
from services import event_programme, event_reads, events, registrations
from tests import factories
from tests.services.event_setup import make_event, register


def test_programme_filters_by_community(session, w):
    other = factories.world(session, "归化社区")
    here = make_event(session, w)
    there = make_event(session, other, title="马头琴欣赏会")
    make_event(session, other, publish=False, title="草稿活动")
    assert {c.id for c in event_programme.programme(session=session)} == {here, there}
    assert [
        c.id for c in event_programme.programme(session=session, community_id=other.community_id)
    ] == [there]
    assert event_programme.programme_communities(session=session) == [
        event_programme.ProgrammeCommunity(w.community_id, "四千米社区"),
        event_programme.ProgrammeCommunity(other.community_id, "归化社区"),
    ]


def test_programme_holds_no_personal_data(session, w):
    eid = make_event(session, w, capacity=10)
    make_event(session, w, publish=False)
    r = register(session, eid, "13800000001", 4, name="乌日娜")
    register(session, eid, "13800000002", 2, name="王建国")
    cards = event_programme.programme(session=session)
    assert [c.id for c in cards] == [eid] and cards[0].places_left == 4
    # a card has no field for a registrant, and no value on it names one or their phone
    fields = {f.name for f in dataclasses.fields(event_reads.EventCard)}
    assert not fields & {"name", "phone", "code", "registrations"}
    shown = " ".join(str(v) for v in dataclasses.asdict(cards[0]).values())
    for private in ("乌日娜", "王建国", "13800000001", "13800000002", r.code):
        assert private not in shown
    event = session.get(Event, eid)
    event.starts_at = utcnow() - timedelta(hours=1)  # the event has begun
    session.add(event)
    registrations.registration_check_in(session=session, actor=w.shuji, event_id=eid, code=r.code)
    session.commit()
    assert event_programme.programme(session=session) == []  # begun: off the programme


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
    found = {
        eid: event_programme.programme_link(session=session, event_id=eid)
        for eid in (live, full, full_waitlist, draft, past, cancelled, 999, None)
    }
    # (what is said above the list, the event shown): a full event without a waitlist
    # is still shown, saying so; None is a link without an event number
    assert {eid: (link.reason, link.event_id) for eid, link in found.items()} == {
        live: (None, live),
        full: ("events.link_full", full),
        full_waitlist: (None, full_waitlist),
        draft: ("events.link_gone", None),
        past: ("events.link_past", None),
        cancelled: ("events.link_cancelled", None),
        999: ("events.link_gone", None),
        None: ("events.link_gone", None),
    }
    assert [c.id for c in event_programme.programme(session=session, event_id=live)] == [live]
