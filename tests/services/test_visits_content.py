"""What a visit records: the five content areas (健康, 经济, 赡养, 安全, 需求), each a
checklist with a note; stored in the area's order, refused when an item is not on the
area's list or the family answers contradict, shown back in the elder's history."""

from datetime import date

import pytest
from sqlmodel import select

from models.accounts import Role
from models.elders import Elder, Visit
from models.volunteers import Task
from services import elders, visit_policy, visits
from services.errors import BoardError
from services.i18n import LANGUAGES, catalog
from services.visit_content import AREAS, Checklist, VisitContent, content_of, item_key
from tests import factories
from tests.conftest import make_account

TODAY = date(2026, 11, 24)


@pytest.fixture
def w(session):
    world = factories.world(session)
    visit_policy.ensure_defaults(session)
    session.commit()
    return world


@pytest.fixture
def elder_id(session, w):
    row = Elder(
        name="李桂兰",
        birth_date=date(1940, 5, 1),
        address="四千米社区3号楼2单元501",
        community_id=w.community_id,
        registered_on=date(2026, 1, 1),
    )
    session.add(row)
    session.commit()
    return row.id


def record(session, w, elder_id, content, **kw):
    visit_id = visits.visit_record(
        session=session,
        actor=kw.pop("actor", w.shuji),
        elder_id=elder_id,
        visited_on=TODAY,
        mode="上门",
        today=TODAY,
        content=content,
        **kw,
    )
    session.commit()
    return visit_id


def test_the_areas_and_their_items():
    assert AREAS == {
        "health": ("unwell", "medication", "doctor", "low_mood", "memory"),
        "economy": ("hardship", "benefits", "bills", "fraud"),
        "family": ("visits", "calls", "rarely", "neglect"),
        "safety": ("gas", "electricity", "falls", "fire", "water", "heating"),
        "needs": ("care", "rehab", "company", "adaptation"),
    }


def test_every_area_and_item_reads_in_both_languages():
    keys = [item_key(area, item) for area, items in AREAS.items() for item in items]
    keys += [f"visits.{part}.{area}" for part in ("area", "area_note") for area in AREAS]
    for lang in LANGUAGES:
        assert [k for k in keys if k not in catalog(lang)] == [], lang
    assert catalog("zh_CN")["visits.hazard.heating"] == "取暖"
    assert catalog("zh_CN")["visits.need.adaptation"] == "适老化改造"


def test_a_visit_records_all_five_areas_in_their_order_and_the_history_shows_them(
    session, w, elder_id
):
    content = VisitContent(
        health=Checklist(("doctor", "unwell"), " 腿疼，走路不稳 "),
        economy=Checklist(("benefits",)),
        family=Checklist(("calls", "visits"), "女儿每周日来"),
        safety=Checklist(("heating", "gas"), "暖气不热"),
        needs=Checklist(("adaptation",), "卫生间需要扶手"),
    )
    visit_id = record(session, w, elder_id, content)
    row = session.get(Visit, visit_id)
    assert (row.health, row.health_note) == ("unwell,doctor", "腿疼，走路不稳")
    assert (row.economy, row.economy_note) == ("benefits", "")
    assert (row.family, row.family_note) == ("visits,calls", "女儿每周日来")
    assert (row.hazards, row.safety_note) == ("gas,heating", "暖气不热")
    assert (row.needs, row.needs_raised) == ("adaptation", "卫生间需要扶手")
    page = elders.elder_page(session=session, actor=w.shuji, elder_id=elder_id, today=TODAY)
    assert page.history[0].content == VisitContent(
        health=Checklist(("unwell", "doctor"), "腿疼，走路不稳"),
        economy=Checklist(("benefits",), ""),
        family=Checklist(("visits", "calls"), "女儿每周日来"),
        safety=Checklist(("gas", "heating"), "暖气不热"),
        needs=Checklist(("adaptation",), "卫生间需要扶手"),
    )


def test_nothing_ticked_is_a_visit_that_found_nothing(session, w, elder_id):
    visit_id = record(session, w, elder_id, VisitContent())
    row = session.get(Visit, visit_id)
    assert [row.health, row.economy, row.family, row.hazards, row.needs] == [""] * 5
    assert content_of(row) == VisitContent()


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (VisitContent(health=Checklist(("gas",))), "visits.item_invalid"),  # another area's
        (VisitContent(needs=Checklist(("money",))), "visits.item_invalid"),
        (VisitContent(safety=Checklist(("flood",))), "visits.item_invalid"),
        (VisitContent(family=Checklist(("rarely", "calls"))), "visits.family_contradiction"),
        (VisitContent(family=Checklist(("visits", "rarely"))), "visits.family_contradiction"),
    ],
)
def test_refused_content_writes_nothing(session, w, elder_id, content, key):
    with pytest.raises(BoardError) as err:
        record(session, w, elder_id, content)
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(Visit)).all() == []


def test_out_of_touch_with_neglect_is_a_true_answer(session, w, elder_id):
    visit_id = record(session, w, elder_id, VisitContent(family=Checklist(("neglect", "rarely"))))
    assert session.get(Visit, visit_id).family == "rarely,neglect"


def test_a_need_ticked_without_words_still_makes_a_follow_up_task(session, w, elder_id):
    task = visits.FollowUpTask(title="", day=date(2026, 11, 26))
    needs = VisitContent(needs=Checklist(("care", "adaptation")))
    record(session, w, elder_id, needs, follow_up_task=task)
    record(session, w, elder_id, needs, follow_up_task=task, lang="en", follow_up="再去")
    descriptions = session.exec(select(Task.description).order_by(Task.id)).all()
    assert descriptions == ["生活照料、适老化改造", "Daily care, Home adaptation"]


def test_a_follow_up_task_needs_a_need(session, w, elder_id):
    task = visits.FollowUpTask(title="回访", day=date(2026, 11, 26))
    unwell = VisitContent(health=Checklist(("unwell",), "发烧"))
    with pytest.raises(BoardError) as err:
        record(session, w, elder_id, unwell, follow_up_task=task)
    assert err.value.key == "visits.task_needs_need"


def test_a_volunteer_records_the_areas_for_their_own_elder(session, w, elder_id):
    volunteer = make_account(session, "zy", Role.volunteer, w.community_id)
    elders.elder_update(
        session=session,
        actor=w.shuji,
        elder_id=elder_id,
        name="李桂兰",
        birth_date=date(1940, 5, 1),
        address="四千米社区3号楼2单元501",
        today=TODAY,
        grid_id=None,
        phone="",
        situations=[],
        care_level=0,
        health_notes="",
        guardian_name="",
        guardian_phone="",
        visitor_ids=[volunteer.id],
    )
    session.commit()
    visit_id = record(
        session, w, elder_id, VisitContent(safety=Checklist(("falls",))), actor=volunteer
    )
    assert session.get(Visit, visit_id).hazards == "falls"
