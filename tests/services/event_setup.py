"""Shared setup for the event service tests: an event of the test community, a
registration, the statuses of an event's registrations, an edit with some fields changed."""

from datetime import timedelta

from sqlmodel import select

from models.base import utcnow
from models.events import Event, Registration
from services import events, registrations


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
    return registrations.registration_create(
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
