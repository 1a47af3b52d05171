"""Events pages: the public programme (signed out), registration, and the staff page."""

from sqlmodel import Session, select

from models.events import Event, Registration
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
