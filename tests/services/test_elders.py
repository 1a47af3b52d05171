"""Visit intervals, the overdue list, visit rules and who sees what (fixed dates)."""

from datetime import date

import pytest
from sqlmodel import select

from models.accounts import Role
from models.elders import Elder, ElderVisitor, Visit
from models.volunteers import Task
from services import elders, visit_policy, visits
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account

TODAY = date(2026, 11, 24)


@pytest.fixture
def w(session):
    world = factories.world(session)
    visit_policy.ensure_defaults(session)
    session.commit()
    return world


def elder(
    session,
    w,
    name,
    *,
    born=date(1950, 5, 1),
    situations="",
    registered=date(2026, 1, 1),
    active=True,
):
    row = Elder(
        name=name,
        birth_date=born,
        phone="13912345678",
        address="四千米社区3号楼2单元501",
        community_id=w.community_id,
        situations=situations,
        registered_on=registered,
        active=active,
        health_notes="高血压",
    )
    session.add(row)
    session.commit()
    return row.id


def visit(session, elder_id, day):
    session.add(Visit(elder_id=elder_id, visited_on=day, mode="上门"))
    session.commit()


def interval(session, elder_id):
    expr = visit_policy.interval_expr(session, TODAY)
    return session.exec(select(expr).select_from(Elder).where(Elder.id == elder_id)).one()


def test_most_frequent_applying_rule_wins(session, w):
    alone = elder(session, w, "独居老人", situations="独居")
    old = elder(session, w, "高龄老人", born=date(1940, 1, 1))
    both = elder(session, w, "独居高龄", born=date(1940, 1, 1), situations="空巢,独居")
    plain = elder(session, w, "普通老人")
    assert [interval(session, e) for e in (alone, old, both, plain)] == [7, 14, 7, 30]


def test_a_community_rule_replaces_the_street_rule(session, w):
    plain = elder(session, w, "普通老人")
    visit_policy.policy_set(
        session=session, actor=w.shuji, community_id=w.community_id, rule="default", days=20
    )
    assert interval(session, plain) == 20
    with pytest.raises(BoardError) as err:
        visit_policy.policy_set(
            session=session, actor=w.shuji, community_id=None, rule="default", days=5
        )
    assert err.value.key == "access.denied"


def test_overdue_and_due_this_week(session, w):
    late = elder(session, w, "逾期", situations="独居")
    visit(session, late, date(2026, 11, 10))  # 14 days ago, interval 7: 7 days overdue
    soon = elder(session, w, "本周到期", situations="独居")
    visit(session, soon, date(2026, 11, 19))  # due 11-26
    fine = elder(session, w, "按时")
    visit(session, fine, date(2026, 11, 20))
    elder(session, w, "从未探访", registered=date(2026, 9, 1))  # 84 days since registration
    overdue = elders.overdue_elders(session=session, actor=w.shuji, today=TODAY).rows
    assert overdue["name"].tolist() == ["从未探访", "逾期"]
    assert overdue["overdue_by"].tolist() == [54, 7]
    assert overdue["unassigned"].all()
    week = elders.due_this_week(session=session, actor=w.shuji, today=TODAY).rows
    assert week["name"].tolist() == ["本周到期"]


def test_recording_a_visit_clears_the_overdue_entry(session, w):
    late = elder(session, w, "逾期", situations="独居")
    visit(session, late, date(2026, 11, 1))
    visits.visit_record(
        session=session, actor=w.shuji, elder_id=late, visited_on=TODAY, mode="电话", today=TODAY
    )
    session.commit()
    assert elders.overdue_elders(session=session, actor=w.shuji, today=TODAY).total == 0


@pytest.mark.parametrize(
    ("day", "key"),
    [(date(2026, 11, 25), "visits.future"), (date(2025, 12, 31), "visits.before_registration")],
)
def test_bad_visit_dates_are_refused(session, w, day, key):
    e = elder(session, w, "老人")
    with pytest.raises(BoardError) as err:
        visits.visit_record(
            session=session, actor=w.shuji, elder_id=e, visited_on=day, mode="上门", today=TODAY
        )
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(Visit)).all() == []


def test_deactivated_elders_leave_the_list_but_keep_history(session, w):
    e = elder(session, w, "搬走的老人", situations="独居")
    visit(session, e, date(2026, 10, 1))
    elders.elder_deactivate(
        session=session, actor=w.shuji, elder_id=e, reason="搬离本社区", today=TODAY
    )
    session.commit()
    assert elders.overdue_elders(session=session, actor=w.shuji, today=TODAY).total == 0
    page = elders.elder_page(session=session, actor=w.shuji, elder_id=e, today=TODAY)
    assert len(page.history) == 1 and not page.active and page.deactivated_reason == "搬离本社区"
    with pytest.raises(BoardError):
        elders.elder_deactivate(
            session=session, actor=w.shuji, elder_id=e, reason="  ", today=TODAY
        )


def test_a_need_becomes_a_follow_up_task_in_one_step(session, w):
    e = elder(session, w, "老人")
    visits.visit_record(
        session=session,
        actor=w.shuji,
        elder_id=e,
        visited_on=TODAY,
        mode="上门",
        today=TODAY,
        hazards=["gas"],
        needs_raised="燃气灶打火困难，需要维修",
        follow_up_task=visits.FollowUpTask(title="上门维修燃气灶", day=date(2026, 11, 26)),
    )
    session.commit()
    task = session.exec(select(Task)).one()
    assert (task.elder_id, task.kind, task.description) == (
        e,
        "elder_visit",
        "燃气灶打火困难，需要维修",
    )
    assert session.exec(select(Visit.hazards)).one() == "gas"


def test_volunteer_sees_only_assigned_elders_and_only_what_the_visit_needs(session, w):
    mine = elder(session, w, "我的老人", situations="独居")
    other = elder(session, w, "别人的老人", situations="独居")
    volunteer = make_account(session, "zy", Role.volunteer, w.community_id)
    worker = make_account(session, "wg", Role.grid_worker, w.community_id)
    session.add(ElderVisitor(elder_id=mine, account_id=volunteer.id))
    session.commit()
    listed = elders.overdue_elders(session=session, actor=volunteer, today=TODAY).rows
    assert listed["name"].tolist() == ["我的老人"]
    assert listed["phone"].tolist() == ["13912345678"]
    page = elders.elder_page(session=session, actor=volunteer, elder_id=mine, today=TODAY)
    assert page.phone == "13912345678" and page.health_notes is None and page.guardian_phone is None
    with pytest.raises(BoardError):
        elders.elder_page(session=session, actor=volunteer, elder_id=other, today=TODAY)
    with pytest.raises(BoardError):
        visits.visit_record(
            session=session,
            actor=volunteer,
            elder_id=other,
            visited_on=TODAY,
            mode="上门",
            today=TODAY,
        )
    seen = elders.overdue_elders(session=session, actor=worker, today=TODAY).rows
    assert set(seen["phone"]) == {"139****5678"}
    assert all(a.endswith("****") for a in seen["address"])


def test_figures_and_charts(session, w):
    a = elder(session, w, "甲", situations="独居")
    b = elder(session, w, "乙")
    for day in (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)):
        visit(session, a, day)
    figures = visits.visit_figures(
        session=session,
        community_ids=None,
        start=date(2026, 11, 1),
        end=date(2026, 12, 1),
        today=TODAY,
    )
    # a: 30 days / 7 = 4 due, 3 made; b: 1 due, 0 made -> 3 / 5
    assert figures["visits"] == 3 and figures["on_time_rate"] == pytest.approx(0.6)
    assert figures["overdue_elders"] == 2
    by_month = visits.visits_by_month(
        session=session, community_ids=None, start=date(2026, 1, 1), end=date(2026, 12, 1)
    )
    assert by_month.to_dict("records") == [{"month": "2026-11", "mode": "上门", "visits": 3}]
    del b
