"""The privacy notice (views/privacy.py) for a signed-out visitor, in Chinese and
English, with the street's real periods and each office's contact; its links from the
sign-in page and the public programme, whose form states its purpose; a registration
made there by signed-in staff names them; and the retention page (views/retention.py):
the street admin's only, periods refused out of their bounds with nothing written, the
dry run, and the run asked first."""

from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pytest
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from models.accounts import Account
from models.base import LOCAL_TZ, local_today
from models.elders import Elder
from models.events import Event, Registration
from models.org import Community, Street
from services import db, events, retention
from services.auth import actor_of
from services.i18n import translate
from tests.conftest import ROOT, app_test, sign_in_token
from ui import actions

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


@contextmanager
def _write(engine):
    with db.transaction(engine) as s:
        yield s
    actions.clear_reads()


def _texts(at) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.markdown]
    parts += [e.value for e in at.caption] + [e.value for e in at.info]
    parts += [e.value for e in at.success] + [e.value for e in at.error]
    return " ".join(str(p) for p in parts)


def _privacy_links(at, lang="zh_CN") -> list:
    label = translate("nav.privacy", lang)
    return [link for link in at.get("page_link") if link.proto.label == label]


@pytest.fixture
def office(demo_engine):
    """The demo board with the street's own periods and one office's contact filled in."""
    with _write(demo_engine) as s:
        street = s.exec(select(Street)).first() or Street(name="大学西路街道")
        street.registrant_phone_days, street.inactive_retention_years = 45, 4
        s.add(street)
        row = s.exec(select(Community).where(Community.name == "四千米社区")).one()
        row.person_in_charge, row.office_phone = "王主任", "0471-6661234"
        s.add(row)
    return demo_engine


def test_the_notice_is_public_and_states_the_real_periods_and_whom_to_ask(office):
    at = app_test(office, None, "views/privacy.py")
    assert not at.exception
    text = _texts(at)
    assert translate("nav.privacy") in text
    assert translate("privacy.keep.people", years=4) in text
    assert translate("privacy.keep.registrants", days=45) in text
    assert translate("privacy.keep.access_log", months=6) in text
    assert translate("privacy.sensitive") in text
    assert "我的信息" in text  # where a volunteer sees and corrects their own data
    contacts = at.dataframe[0].value
    row = contacts[contacts["社区"] == "四千米社区"].iloc[0]
    assert (row["负责人"], row["办公电话"]) == ("王主任", "0471-6661234")

    english = app_test(office, None, "views/privacy.py", lang="en")
    text = _texts(english)
    assert "Privacy notice" in text and "45 days after the event" in text
    assert "4 years after an elder or a volunteer is deactivated" in text
    assert 'on the "My information" page' in text
    assert list(english.dataframe[0].value.columns) == [
        "Community",
        "Person in charge",
        "Office phone",
    ]


def test_the_sign_in_page_and_the_programme_link_the_notice(office):
    login = app_test(office, None)
    assert login.text_input(key="login_username")  # the sign-in page
    assert _privacy_links(login)

    programme = app_test(office, None, "views/programme.py")
    assert _privacy_links(programme)  # under the events
    eid = _an_event(office)
    programme.query_params["event"] = str(eid)
    programme.run()
    programme.button(key=f"programme_open_{eid}").click().run()
    form = programme.get("form")[0]
    assert translate("privacy.registration_purpose", days=45) in [c.value for c in form.caption]
    assert len(_privacy_links(programme)) == 2  # in the form too


def _an_event(engine) -> int:
    with Session(engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
    starts = datetime.combine(local_today() + timedelta(days=3), time(14, 30), LOCAL_TZ)
    with _write(engine) as s:
        eid = events.event_create(
            session=s,
            actor=shuji,
            title="马头琴体验课",
            category="arts",
            community_id=shuji.community_id,
            venue="社区文化广场",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=10,
            waitlist=True,
        )
        events.event_set_status(session=s, actor=shuji, event_id=eid, status="published")
    return eid


def _register(at, eid, phone):
    at.query_params["event"] = str(eid)
    at.run()
    at.button(key=f"programme_open_{eid}").click().run()
    at.text_input(key=f"programme_name_{eid}").input("乌日娜")
    at.text_input(key=f"programme_phone_{eid}").input(phone)
    return at.button(key=f"FormSubmitter:programme_form_{eid}-提交报名").click().run()


def test_a_registration_by_signed_in_staff_names_them_and_a_public_one_no_one(demo_engine):
    eid = _an_event(demo_engine)
    _register(app_test(demo_engine, "shuji", "views/programme.py"), eid, "13904711234")
    _register(app_test(demo_engine, None, "views/programme.py"), eid, "13904715678")
    with Session(demo_engine) as s:
        shuji = s.exec(select(Account.id).where(Account.username == "shuji")).one()
        by_phone = {
            r.phone: r.registered_by
            for r in s.exec(select(Registration).where(Registration.event_id == eid))
        }
    assert by_phone == {"13904711234": shuji, "13904715678": None}


def test_the_retention_page_is_the_admins_and_refuses_periods_out_of_bounds(demo_engine):
    with pytest.raises(ValueError):  # not in a secretary's navigation
        app_test(demo_engine, "shuji").switch_page("views/retention.py")
    direct = AppTest.from_file(str(ROOT / "views/retention.py"), default_timeout=30)
    direct.session_state["auth_token"] = sign_in_token(demo_engine, "shuji")
    direct.run()  # asked for by its address: refused
    denied = translate("access.denied_page", page=translate("nav.retention"))
    assert [e.value for e in direct.error] == [denied]

    at = app_test(demo_engine, "admin", "views/retention.py")
    assert not at.exception
    at.number_input(key="retention_access_log_months").set_value(5)
    at.number_input(key="retention_registrant_phone_days").set_value(60)
    at.button(key="FormSubmitter:retention_settings-保存").click().run()
    assert translate("retention.bounds.access_log_months", low=6, high=120) in [
        e.value for e in at.error
    ]
    with Session(demo_engine) as s:
        assert retention.retention_settings(session=s) == retention.DEFAULTS  # nothing written

    at.number_input(key="retention_access_log_months").set_value(12)
    at.button(key="FormSubmitter:retention_settings-保存").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert retention.retention_settings(session=s) == retention.RetentionSettings(12, 3, 60)


def test_the_dry_run_lists_what_the_confirmed_run_then_changes(demo_engine):
    today = local_today()
    with _write(demo_engine) as s:  # one elder of the demo who left four years ago
        elder = s.exec(select(Elder).where(col(Elder.active)).order_by(col(Elder.id))).first()
        elder.active, elder.deactivated_on = False, today - timedelta(days=4 * 366)
        elder_id = elder.id
        s.add(elder)
    with Session(demo_engine) as s:
        report = retention.retention_report(session=s, today=today)
        past_event = s.get(Event, report.events[0].event_id)
    assert elder_id in [p.id for p in report.elders]

    at = app_test(demo_engine, "admin", "views/retention.py")
    assert translate("retention.elders", n=len(report.elders)) in _texts(at)
    assert translate("retention.registrations", n=report.registrations) in _texts(at)
    tables = [frame.value for frame in at.dataframe]
    assert elder_id in list(tables[0]["编号"])
    assert past_event.title in list(tables[-1]["活动"])

    run = f"retention_run_{today:%Y%m%d}"
    at.button(key=run).click().run()
    question = translate(
        "retention.question",
        elders=len(report.elders),
        volunteers=len(report.volunteers),
        registrations=report.registrations,
        access_log=report.access_log_entries,
    )
    assert question in [w.value for w in at.warning]
    with Session(demo_engine) as s:
        assert s.get(Elder, elder_id).anonymised_on is None  # asked, not yet done
    at.button(key=f"retention_run_yes_{today:%Y%m%d}").click().run()
    assert not at.exception
    done = translate(
        "retention.done",
        elders=len(report.elders),
        volunteers=len(report.volunteers),
        registrations=report.registrations,
        access_log=report.access_log_entries,
    )
    assert done in [e.value for e in at.success]
    assert translate("retention.nothing_due") in _texts(at)
    with Session(demo_engine) as s:
        assert s.get(Elder, elder_id).name == f"已匿名#{elder_id}"
        assert retention.retention_report(session=s, today=today).nothing_due
