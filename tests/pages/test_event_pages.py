"""Events pages: the public programme (signed out), registration, and the staff page."""

from sqlmodel import Session, select

from models.base import utcnow
from models.events import Event, Registration
from models.org import Community
from models.volunteers import Task
from services import db, events
from tests.conftest import app_test


def _upcoming_event(engine) -> Event:
    with Session(engine) as s:
        return s.exec(
            select(Event)
            .where(Event.status == "published", Event.community_id == 1)
            .order_by(Event.starts_at.desc())
        ).first()


def test_anyone_with_the_link_registers_on_the_programme(demo_engine):
    at = app_test(demo_engine, None, "pages/programme.py")
    assert at.title[0].value == "活动预告"
    event = _upcoming_event(demo_engine)
    at.toggle(key=f"programme_open_{event.id}").set_value(True).run()
    at.text_input(key=f"programme_name_{event.id}").input("乌日娜")
    at.text_input(key=f"programme_phone_{event.id}").input("13904711234")
    at.number_input(key=f"programme_party_{event.id}").set_value(3)
    at.button(key=f"FormSubmitter:programme_form_{event.id}-提交报名").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(Registration).where(Registration.phone == "13904711234")).one()
        assert (row.event_id, row.party_size, row.name) == (event.id, 3, "乌日娜")
    assert row.code in at.success[0].value
    texts = " ".join(m.value for m in at.markdown)
    assert "13904711234" not in texts  # no personal data on the public page


def test_duplicate_phone_is_refused_with_a_clear_message(demo_engine):
    event = _upcoming_event(demo_engine)
    with Session(demo_engine) as s:
        phone = s.exec(
            select(Registration.phone).where(
                Registration.event_id == event.id, Registration.status != "cancelled"
            )
        ).first()
    at = app_test(demo_engine, None, "pages/programme.py")
    at.toggle(key=f"programme_open_{event.id}").set_value(True).run()
    at.text_input(key=f"programme_name_{event.id}").input("重复")
    at.text_input(key=f"programme_phone_{event.id}").input(phone)
    at.button(key=f"FormSubmitter:programme_form_{event.id}-提交报名").click().run()
    assert [e.value for e in at.error] == ["这个手机号已经报名了本场活动"]


def test_secretary_creates_publishes_and_checks_in(demo_engine):
    at = app_test(demo_engine, "shuji", "pages/events.py")
    at.text_input(key="events_title").input("驼绒编织体验课")
    at.text_input(key="events_venue").input("社区活动室")
    at.button(key="FormSubmitter:events_new-创建活动").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        event = s.exec(select(Event).where(Event.title == "驼绒编织体验课")).one()
    assert event.status == "draft"
    at.button(key="events_to_published").click().run()
    with Session(demo_engine) as s:
        assert s.get(Event, event.id).status == "published"
        s.add(
            Registration(
                event_id=event.id,
                name="游客甲",
                phone="13800001111",
                party_size=2,
                status="confirmed",
                code="ABCDEF",
            )
        )
        event_row = s.get(Event, event.id)
        event_row.taken = 2
        s.add(event_row)
        s.commit()
    at.text_input(key="events_checkin_code").input("abcdef")
    at.button(key="events_checkin").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert s.exec(select(Registration).where(Registration.code == "ABCDEF")).one().attended


def _event_with_waitlist(engine) -> tuple[Event, list[Registration]]:
    """An upcoming published event of community 1, made full, with two parties waiting."""
    event = _upcoming_event(engine)
    with db.transaction(engine) as s:
        row = s.get(Event, event.id)
        row.capacity = max(row.taken, 1)
        s.add(row)
        s.flush()
        for phone, party in (("13904710001", 2), ("13904710002", 1)):
            events.registration_create(
                session=s, event_id=event.id, name="候补居民", phone=phone, party_size=party
            )
    with Session(engine) as s:
        event = s.get(Event, event.id)
        waiting = s.exec(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status == "waitlisted")
            .order_by(Registration.created_at, Registration.id)
        ).all()
    assert waiting
    return event, list(waiting)


def _on_event(engine, event_id: int, username: str = "shuji"):
    at = app_test(engine, username, "pages/events.py")
    at.session_state["events_pick"] = event_id
    return at.run()


def test_secretary_edits_an_event_and_more_places_go_to_the_waitlist(demo_engine):
    event, waiting = _event_with_waitlist(demo_engine)
    at = _on_event(demo_engine, event.id)
    more = sum(r.party_size for r in waiting)
    at.text_input(key=f"events_edit_venue_{event.id}").input("社区文化广场")
    at.number_input(key=f"events_edit_capacity_{event.id}").set_value(event.capacity + more)
    at.button(key=f"FormSubmitter:events_edit_{event.id}-保存修改").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.get(Event, event.id)
        assert (row.capacity, row.venue) == (event.capacity + more, "社区文化广场")
        assert {s.get(Registration, r.id).status for r in waiting} == {"confirmed"}
        assert row.taken == event.taken + more
    assert (
        at.success[0].value == f"已保存对“{event.title}”的修改，{len(waiting)} 组候补转为正式报名"
    )


def test_capacity_below_the_confirmed_is_refused_on_the_page(demo_engine):
    event, _ = _event_with_waitlist(demo_engine)
    at = _on_event(demo_engine, event.id)
    at.number_input(key=f"events_edit_capacity_{event.id}").set_value(1)
    at.button(key=f"FormSubmitter:events_edit_{event.id}-保存修改").click().run()
    assert [e.value for e in at.error] == [
        f"已有 {event.taken} 人正式报名，名额不能少于 {event.taken}"
    ]
    with Session(demo_engine) as s:
        assert s.get(Event, event.id).capacity == event.capacity


def test_staff_cancel_a_registration_for_a_caller(demo_engine):
    event, waiting = _event_with_waitlist(demo_engine)
    with Session(demo_engine) as s:
        confirmed = s.exec(
            select(Registration).where(
                Registration.event_id == event.id, Registration.status == "confirmed"
            )
        ).first()
    at = _on_event(demo_engine, event.id)
    at.button(key=f"events_cancel_{confirmed.id}").click().run()
    assert not at.error
    assert at.success[0].value == f"已取消 {confirmed.name} 的报名"
    with Session(demo_engine) as s:
        assert s.get(Registration, confirmed.id).status == "cancelled"
        assert s.get(Event, event.id).taken <= event.taken  # freed places went to the waitlist
        first = s.get(Registration, waiting[0].id)
        assert first.status == (
            "confirmed" if waiting[0].party_size <= confirmed.party_size else "waitlisted"
        )


def test_cancelling_an_event_cancels_its_registrations_and_volunteer_task(demo_engine):
    event, _ = _event_with_waitlist(demo_engine)
    at = _on_event(demo_engine, event.id)
    at.button(key="events_staff").click().run()
    assert at.success[0].value == "已发布 3 个志愿者名额"
    at.number_input(key="events_staff_n").set_value(5)
    at.button(key="events_staff").click().run()
    assert at.success[0].value == "志愿者任务已改为 5 个名额"
    with Session(demo_engine) as s:
        live = s.exec(
            select(Registration).where(
                Registration.event_id == event.id, Registration.status != "cancelled"
            )
        ).all()
        staff = s.exec(select(Task).where(Task.event_id == event.id)).all()
        assert [(t.capacity, t.status, t.title) for t in staff] == [
            (5, "open", f"活动服务：{event.title}")
        ]
    at.button(key="events_to_cancelled").click().run()
    assert at.success[0].value == f"活动已取消，{len(live)} 条报名已一并取消"
    with Session(demo_engine) as s:
        assert s.get(Event, event.id).status == "cancelled"
        assert {s.get(Registration, r.id).status for r in live} == {"cancelled"}
        assert s.get(Task, staff[0].id).status == "cancelled"
    assert "活动已取消，不再签到" in [i.value for i in at.info]


def test_staffing_is_not_offered_for_a_draft_event(demo_engine):
    at = app_test(demo_engine, "shuji", "pages/events.py")
    at.text_input(key="events_title").input("草稿活动")
    at.text_input(key="events_venue").input("社区活动室")
    at.button(key="FormSubmitter:events_new-创建活动").click().run()
    with Session(demo_engine) as s:
        draft = s.exec(select(Event).where(Event.title == "草稿活动")).one()
    assert (at.selectbox(key="events_pick").value, draft.status) == (draft.id, "draft")
    assert "events_to_published" in [b.key for b in at.button]
    assert "events_staff" not in [b.key for b in at.button]


def test_programme_filters_by_community_and_shows_no_personal_data(demo_engine):
    at = app_test(demo_engine, None, "pages/programme.py")
    box = at.selectbox(key="programme_community")
    assert (box.value, box.options[0]) == (0, "全部社区")
    with Session(demo_engine) as s:
        name = s.get(Community, 1).name
        titles = {
            e.title
            for e in s.exec(
                select(Event).where(
                    Event.status == "published",
                    Event.community_id == 1,
                    Event.starts_at > utcnow(),
                )
            )
        }
        phones = s.exec(select(Registration.phone)).all()
    everywhere = len(at.subheader)
    box.set_value(1).run()
    shown = [h.value for h in at.subheader]
    assert set(shown) <= titles and len(shown) >= 1 and len(shown) < everywhere
    assert all(name in m.value for m in at.markdown if ":material/location_on:" in m.value)
    page = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert not any(p in page for p in phones)
