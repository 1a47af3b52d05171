"""The monthly event counts (services/event_months.py) and hours counts
(services/hours_months.py) always equal a recount of the base rows: after random-ish
writes through the services (events created, published, edited to another month, category
or capacity, cancelled, closed; parties registered, cancelled, checked in; tasks moved,
hours entered, approved, corrected) and direct row changes the services never make
(deletes, approved hours changed), and after the demo's bulk load. The figures and
charts read from the counts equal the same figures read from the base rows alone."""

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from models.accounts import Role
from models.base import local, utcnow
from models.events import Event, EventMonth, EventStatus, Registration, RegistrationStatus
from models.volunteers import HoursMonth, HoursStatus, Signup, Task, TaskStatus
from services import event_figures, event_months, events, hours_months, signups, tasks
from services import volunteers as volunteer_service
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account
from tests.services.event_setup import edit, register


def kept_events(session) -> dict:
    rows = session.exec(select(EventMonth)).all()
    return {
        (r.community_id, r.month, r.category): (r.events, r.capacity, r.confirmed, r.attended)
        for r in rows
        if (r.events, r.capacity, r.confirmed, r.attended) != (0, 0, 0, 0)
    }


def recounted_events(session) -> dict:
    """The oracle: published and done events with their registrations, counted in Python."""
    counts: dict = {}
    for e in session.exec(select(Event)).all():
        if EventStatus(e.status) not in (EventStatus.published, EventStatus.done):
            continue
        key = (e.community_id, local(e.starts_at).strftime("%Y-%m"), e.category)
        n, cap, conf, att = counts.get(key, (0, 0, 0, 0))
        for r in session.exec(select(Registration).where(Registration.event_id == e.id)):
            if RegistrationStatus(r.status) == RegistrationStatus.confirmed:
                conf += r.party_size
            if r.attended:
                att += r.party_size
        counts[key] = (n + 1, cap + e.capacity, conf, att)
    return counts


def kept_hours(session) -> dict:
    rows = session.exec(select(HoursMonth)).all()
    return {
        (r.community_id, r.month): (r.signups, round(r.hours, 6))
        for r in rows
        if r.signups or r.hours
    }


def recounted_hours(session) -> dict:
    counts: dict = {}
    for s, t in session.exec(select(Signup, Task).join(Task, Task.id == Signup.task_id)).all():
        if HoursStatus(s.hours_status) != HoursStatus.approved:
            continue
        key = (t.community_id, local(t.starts_at).strftime("%Y-%m"))
        n, h = counts.get(key, (0, 0.0))
        counts[key] = (n + 1, h + s.hours)
    return {k: (n, round(h, 6)) for k, (n, h) in counts.items()}


def _tolerant(kept: dict, recounted: dict) -> bool:
    return kept.keys() == recounted.keys() and all(
        kept[k][0] == recounted[k][0] and kept[k][1] == pytest.approx(recounted[k][1]) for k in kept
    )


def test_event_counts_follow_every_write(session, w):
    other = factories.world(session, "大召社区")
    session.commit()
    rng = random.Random(16)
    worlds = [w, other]
    event_ids: list[int] = []
    phones = iter(range(13900000000, 13999999999))
    for step in range(90):
        op = rng.choice(
            ["create", "create", "status", "edit", "register", "register", "register",
             "cancel_reg", "attend", "past", "delete_reg", "delete_event", "close"]
        )  # fmt: skip
        try:
            if op == "create" or not event_ids:
                world = rng.choice(worlds)
                starts = utcnow() + timedelta(days=rng.randint(3, 90), hours=rng.randint(0, 23))
                eid = events.event_create(
                    session=session,
                    actor=world.shuji,
                    title=f"活动{step}",
                    category=rng.choice(events.CATEGORIES),
                    community_id=world.community_id,
                    venue="社区党群服务中心",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    capacity=rng.randint(1, 12),
                )
                event_ids.append(eid)
                if rng.random() < 0.7:
                    events.event_set_status(
                        session=session, actor=world.shuji, event_id=eid, status="published"
                    )
            else:
                eid = rng.choice(event_ids)
                event = session.get(Event, eid)
                world = w if event.community_id == w.community_id else other
                if op == "status":
                    target = rng.choice(["published", "cancelled", "done"])
                    events.event_set_status(
                        session=session, actor=world.shuji, event_id=eid, status=target
                    )
                elif op == "edit":
                    starts = utcnow() + timedelta(days=rng.randint(3, 120))
                    edit(
                        session,
                        world,
                        eid,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=3),
                        category=rng.choice(events.CATEGORIES),
                        capacity=max(event.taken, rng.randint(1, 15)),
                    )
                elif op == "register":
                    register(session, eid, str(next(phones)), rng.randint(1, 4))
                elif op == "cancel_reg":
                    live = session.exec(
                        select(Registration).where(
                            Registration.event_id == eid,
                            Registration.status != RegistrationStatus.cancelled,
                        )
                    ).first()
                    if live is not None:
                        from services import registrations

                        registrations.registration_cancel(
                            session=session, actor=world.shuji, registration_id=live.id
                        )
                elif op == "attend":  # checked in at the door (set directly: no door here)
                    for r in session.exec(
                        select(Registration).where(Registration.event_id == eid)
                    ).all()[:2]:
                        r.attended = not r.attended
                        session.add(r)
                elif op == "past":  # the event has begun (moved directly, as time passes)
                    event.starts_at = utcnow() - timedelta(days=rng.randint(0, 70))
                    event.ends_at = event.starts_at + timedelta(hours=2)
                    session.add(event)
                elif op == "close":
                    events.event_close(
                        session=session,
                        actor=world.shuji,
                        event_id=eid,
                        summary="圆满结束",
                        photo_captions="",
                    )
                elif op == "delete_reg":
                    r = session.exec(
                        select(Registration).where(Registration.event_id == eid)
                    ).first()
                    if r is not None:
                        session.delete(r)
                elif op == "delete_event":
                    for r in session.exec(select(Registration).where(Registration.event_id == eid)):
                        session.delete(r)
                    session.flush()
                    if session.exec(select(Task).where(Task.event_id == eid)).first() is None:
                        session.delete(event)
                        event_ids.remove(eid)
            session.commit()
        except BoardError:
            session.rollback()
        assert kept_events(session) == recounted_events(session), (step, op)
    assert len(recounted_events(session)) > 5


def test_hours_counts_follow_every_write(session, w):
    other = factories.world(session, "大召社区")
    session.commit()
    rng = random.Random(7)
    worlds = {w.community_id: w, other.community_id: other}
    people = []
    for i in range(12):
        world = w if i % 2 else other
        actor = make_account(session, f"hv{i}", Role.volunteer, world.community_id)
        factories.volunteer(session, world.community_id, f"志愿者{i}", account=actor)
        people.append((world, actor))
    task_ids = []
    ops = {"task": 2, "signup": 8, "hours": 6, "approve": 6, "move": 2, "cancel_task": 1,
           "change_approved": 2, "unapprove": 1, "delete_signup": 1, "delete_task": 1}  # fmt: skip
    peak = 0
    for step in range(150):
        op = rng.choices(list(ops), weights=list(ops.values()))[0]
        try:
            if op == "task" or not task_ids:
                cid = rng.choice(list(worlds))
                task_ids.append(
                    factories.task(
                        session, cid, capacity=3, starts_in=timedelta(days=rng.randint(2, 60))
                    )
                )
            else:
                tid = rng.choice(task_ids)
                task = session.get(Task, tid)
                world = worlds[task.community_id]
                here = [a for wd, a in people if wd.community_id == task.community_id]
                mine = session.exec(
                    select(Signup).where(Signup.task_id == tid).order_by(Signup.id)
                ).all()
                later = task.starts_at.replace(tzinfo=None) + timedelta(hours=1)
                if op == "signup":
                    signups.signup_create(session=session, actor=rng.choice(here), task_id=tid)
                elif op == "hours" and (held := [x for x in mine if x.status == "confirmed"]):
                    signups.signup_set_hours(
                        session=session,
                        actor=world.shuji,
                        signup_id=rng.choice(held).id,
                        hours=rng.choice([0.5, 1.25, 2, 3.1]),
                        reason="忘记签退",
                        now=_aware(later),
                    )
                elif op == "approve" and (
                    pending := [x for x in mine if x.hours_status == "pending"]
                ):
                    signups.signup_approve_hours(
                        session=session, actor=world.shuji, signup_id=rng.choice(pending).id
                    )
                elif op == "move":
                    starts = utcnow() + timedelta(days=rng.randint(-60, 90))
                    if rng.random() < 0.5:
                        tasks.task_update(
                            session=session,
                            actor=world.shuji,
                            task_id=tid,
                            title=task.title,
                            place="社区",
                            starts_at=starts,
                            ends_at=starts + timedelta(hours=2),
                            capacity=task.capacity,
                        )
                    else:  # moved directly (to another community too)
                        task.starts_at = starts
                        task.ends_at = starts + timedelta(hours=2)
                        task.community_id = rng.choice(list(worlds))
                        session.add(task)
                elif op == "cancel_task":
                    tasks.task_set_status(
                        session=session, actor=world.shuji, task_id=tid, status=TaskStatus.cancelled
                    )
                elif op in ("change_approved", "unapprove") and mine:
                    s = rng.choice(mine)
                    if op == "change_approved":
                        s.hours = rng.choice([0.0, 1.5, 4])
                    else:
                        s.hours_status = rng.choice(list(HoursStatus))
                    session.add(s)
                elif op == "delete_signup" and mine:
                    session.delete(rng.choice(mine))
                elif op == "delete_task":
                    for s in mine:
                        session.delete(s)
                    session.flush()
                    session.delete(task)
                    task_ids.remove(tid)
            session.commit()
        except BoardError:
            session.rollback()
        assert _tolerant(kept_hours(session), recounted_hours(session)), (step, op)
        peak = max(peak, sum(n for n, _ in recounted_hours(session).values()))
    assert peak >= 3  # the writes did approve hours


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value.replace(tzinfo=UTC)


def test_the_demo_is_counted_after_its_bulk_load(demo_engine):
    with Session(demo_engine) as s:
        assert kept_events(s) == recounted_events(s)
        assert _tolerant(kept_hours(s), recounted_hours(s))
        approved = s.exec(
            select(func.count())
            .select_from(Signup)
            .where(Signup.hours_status == HoursStatus.approved)
        ).one()
        assert sum(n for n, _ in kept_hours(s).values()) == approved


def _live_only(start, end, upto=None):
    """Every day of the period read from the base rows (what the figures were before)."""
    return None, [(start, end)] if start < end else []


def test_figures_from_the_counts_equal_the_figures_from_the_rows(demo_engine, monkeypatch):
    today = local(utcnow()).date()
    this_month = today.replace(day=1)
    periods = [
        (event_months.add_months(this_month, -12), event_months.add_months(this_month, 1)),
        (event_months.add_months(this_month, -1), this_month),
        (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        (today - timedelta(days=100), today + timedelta(days=3)),  # not whole months
    ]
    with Session(demo_engine) as s:
        community = s.exec(select(Event.community_id)).first()
        results = []
        for live in (False, True):
            if live:
                monkeypatch.setattr(event_months, "split", _live_only)
                monkeypatch.setattr(event_figures, "split", _live_only)
            got = []
            for ids in (None, [community]):
                for start, end in periods:
                    kw = {"session": s, "community_ids": ids, "start": start, "end": end}
                    got.append(event_figures.event_figures(**kw))
                    got.append(event_figures.events_by_month(**kw))
                    got.append(event_figures.event_rates_by_month(**kw))
                    got.append(volunteer_service.hours_by_month(**kw))
            results.append(got)
        from_counts, from_rows = results
        assert len(from_counts) == len(from_rows)
        for a, b in zip(from_counts, from_rows, strict=True):
            if isinstance(a, dict):
                assert a == b
            else:
                assert len(a) == len(b)
                assert a.reset_index(drop=True).equals(b.reset_index(drop=True)), (a, b)
        assert any(len(x) > 10 for x in from_counts if not isinstance(x, dict))


def test_rebuild_recounts_what_was_kept(session, w):
    factories.task(session, w.community_id)
    session.commit()
    event_months.rebuild(session)
    hours_months.rebuild(session)
    session.commit()
    assert kept_events(session) == recounted_events(session)
    assert _tolerant(kept_hours(session), recounted_hours(session))
