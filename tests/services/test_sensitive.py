"""Sensitive fields of an elder (health notes, care level, 失能 and the like, a visit's 健康
and 经济 areas): only staff and the elder's own visitors get them from the services."""

from datetime import date

import pytest

from models.accounts import Role
from models.elders import Elder, ElderVisitor, Visit
from services import elders, sensitive, visit_plan, visit_policy
from services.visit_content import Checklist, VisitContent
from services.visit_policy import Conditions
from tests import factories
from tests.conftest import make_account

TODAY = date(2026, 11, 24)
NOTE = "糖尿病足HN7Q"  # the elder's health notes
VISIT_NOTE = "血压偏高VH3Z"  # a visit's health note
MONEY_NOTE = "低保待批EC9K"  # a visit's economy note


@pytest.fixture
def w(session):
    """One community: staff, a grid worker and a volunteer assigned to 李大爷 (失能, care
    level 3), a grid worker who is not; 赵奶奶 (独居, 86) whom no one is assigned to."""
    world = factories.world(session)
    visit_policy.ensure_defaults(session)
    cid = world.community_id
    li = Elder(
        name="李大爷",
        birth_date=date(1950, 3, 1),
        address="四千米社区3号楼2单元501",
        phone="13912345678",
        community_id=cid,
        situations="独居,失能",
        care_level=3,
        health_notes=NOTE,
        registered_on=date(2026, 1, 1),
    )
    zhao = Elder(
        name="赵奶奶",
        birth_date=date(1940, 3, 1),
        address="四千米社区5号楼101",
        community_id=cid,
        situations="独居",
        registered_on=date(2026, 1, 1),
    )
    session.add_all([li, zhao])
    session.flush()
    assigned = make_account(session, "wg_mine", Role.grid_worker, cid)
    other = make_account(session, "wg_other", Role.grid_worker, cid)
    volunteer = make_account(session, "zy_mine", Role.volunteer, cid)
    for account in (assigned, volunteer):
        session.add(ElderVisitor(elder_id=li.id, account_id=account.id))
    session.add(
        Visit(
            elder_id=li.id,
            visited_on=date(2026, 6, 1),
            mode="上门",
            health="unwell",
            health_note=VISIT_NOTE,
            economy="hardship",
            economy_note=MONEY_NOTE,
            family="visits",
            family_note="儿子每周来",
        )
    )
    session.commit()
    return {
        "ids": (li.id, zhao.id),
        "staff": world.shuji,
        "admin": world.admin,
        "assigned": assigned,
        "other": other,
        "volunteer": volunteer,
    }


def test_who_may_see_them(session, w):
    li, zhao = w["ids"]
    seen = {
        who: sensitive.sensitive_visible(session, w[who], [li, zhao])
        for who in ("staff", "admin", "assigned", "other", "volunteer")
    }
    assert seen == {
        "staff": {li, zhao},
        "admin": {li, zhao},
        "assigned": {li},
        "other": set(),
        "volunteer": {li},
    }
    assert sensitive.may_see_sensitive(session, w["assigned"], li)
    assert not sensitive.may_see_sensitive(session, w["other"], li)
    assert sensitive.sensitive_visible(session, w["other"], []) == set()


def test_one_elders_page_for_each_role(session, w):
    li, _ = w["ids"]
    for who in ("staff", "assigned", "volunteer"):
        page = elders.elder_page(session=session, actor=w[who], elder_id=li, today=TODAY)
        assert page.sensitive_shown, who
        assert (page.situations, page.care_level, page.health_notes) == (["独居", "失能"], 3, NOTE)
        (visit,) = page.history
        assert visit.content.health == Checklist(("unwell",), VISIT_NOTE)
        assert visit.content.economy == Checklist(("hardship",), MONEY_NOTE)
    page = elders.elder_page(session=session, actor=w["other"], elder_id=li, today=TODAY)
    assert not page.sensitive_shown
    assert (page.situations, page.care_level, page.health_notes) == (["独居"], None, None)
    (visit,) = page.history
    assert visit.content.health == Checklist() and visit.content.economy == Checklist()
    assert visit.content.family == Checklist(("visits",), "儿子每周来")  # the rest stays


def test_one_elders_plan_says_why_only_to_those_who_may_know(session, w):
    # 李大爷 is 高风险 by his care level: the tier's name and interval go to anyone who
    # may open him, the reason (care level 3) only to staff and his visitors
    li, zhao = w["ids"]
    for who in ("staff", "assigned", "other"):
        plan = visit_plan.elder_plan(session=session, actor=w[who], elder_id=li, today=TODAY)
        shown = who != "other"
        assert plan.placement.reason == (Conditions(care=3) if shown else None), who
        assert plan.reason_withheld is not shown, who
        assert plan.placement.tier.name and plan.interval > 0
    plan = visit_plan.elder_plan(session=session, actor=w["other"], elder_id=zhao, today=TODAY)
    assert plan.placement.reason == Conditions(age=80, situations=("独居", "空巢", "留守"))
    assert not plan.reason_withheld


def test_the_lists_carry_no_sensitive_value_for_others(session, w):
    li, zhao = w["ids"]
    for who, shown in (("staff", {li, zhao}), ("assigned", {li}), ("other", set())):
        registry = elders.elder_registry(session=session, actor=w[who], today=TODAY)
        overdue = visit_plan.overdue_elders(session=session, actor=w[who], today=TODAY).rows
        for rows in (registry, overdue):
            flags = dict(zip(rows["id"], rows["sensitive_shown"], strict=True))
            assert {i for i, f in flags.items() if f} == shown, who
            situations = dict(zip(rows["id"], rows["situations"], strict=True))
            assert situations[li] == ("独居,失能" if li in shown else "独居"), who
            assert situations[zhao] == "独居"
        care = dict(zip(registry["id"], registry["care_level"], strict=True))
        reason = dict(zip(registry["id"], registry["reason"], strict=True))
        # 李大爷 is 高风险 by his care level (3): a reason that would tell it
        assert care[li] == (3 if li in shown else None), who
        assert reason[li] == (Conditions(care=3) if li in shown else None), who
        assert reason[zhao] == Conditions(age=80, situations=("独居", "空巢", "留守")), who
        withheld = dict(zip(registry["id"], registry["reason_withheld"], strict=True))
        assert withheld == {li: li not in shown, zhao: False}, who
        assert set(registry["tier"]) == {"高风险"}  # the tier itself stays: it says how often


def test_the_rules_that_decide_what_is_sensitive():
    assert sensitive.open_situations(
        ["独居", "失能", "空巢", "失智", "重残", "特困", "计生特殊"]
    ) == [
        "独居",
        "空巢",
    ]
    assert sensitive.open_situations_text("留守,重残") == "留守"
    assert sensitive.reason_is_sensitive(Conditions(situations=("失智",)))
    assert sensitive.reason_is_sensitive(Conditions(care=3))
    assert not sensitive.reason_is_sensitive(Conditions(age=80, situations=("独居",)))
    assert not sensitive.reason_is_sensitive(None)
    content = VisitContent(
        health=Checklist(("unwell",), "x"),
        economy=Checklist(("bills",), "y"),
        needs=Checklist(("care",), "z"),
    )
    assert sensitive.open_content(content) == VisitContent(needs=Checklist(("care",), "z"))
