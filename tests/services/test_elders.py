"""Visit intervals, the overdue list, visit rules and who sees what (fixed dates)."""

from datetime import date

import pytest
from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.elders import Elder, ElderVisitor, Visit, VisitTier
from models.org import Community
from models.volunteers import Task
from services import elders, visit_fixes, visit_plan, visit_policy, visits
from services.auth import actor_of
from services.errors import BoardError
from services.visit_content import Checklist, VisitContent
from tests import factories
from tests.conftest import DEMO_TODAY, make_account

TODAY = date(2026, 11, 24)


def elders_world(session):
    """A community with its staff and the default tiers (高风险 7, 重点 30, 一般 90)."""
    world = factories.world(session)
    visit_policy.ensure_defaults(session)
    session.commit()
    return world


@pytest.fixture
def w(session):
    return elders_world(session)


def elder(
    session,
    w,
    name,
    *,
    born=date(1940, 5, 1),  # 86 on TODAY: 独居, 空巢 or 留守 makes them 高风险 (weekly)
    situations="",
    registered=date(2026, 1, 1),
    active=True,
    care_level=0,
    deactivated_on=None,
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
        care_level=care_level,
        deactivated_on=deactivated_on,
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


def test_the_most_frequent_matching_tier_wins(session, w):
    """The default tiers on 2026-11-24 (an elder born 1946-11-25 is 79, 1946-11-24: 80)."""
    cases = {
        ("独居 79", date(1946, 11, 25), "独居", 0): 90,  # not yet 80: 一般
        ("独居 80", date(1946, 11, 24), "独居", 0): 7,  # 80 and alone: 高风险
        ("留守 86", date(1940, 5, 1), "留守", 0): 7,
        ("86 无", date(1940, 5, 1), "", 0): 90,  # old age alone is no condition set
        ("失智 70", date(1956, 1, 1), "失智", 0): 7,
        ("失能 70", date(1956, 1, 1), "失能", 0): 30,  # 重点
        ("特困 空巢 70", date(1956, 1, 1), "空巢,特困", 0): 30,
        ("失能 照护3", date(1956, 1, 1), "失能", 3): 7,  # both match: weekly wins
        ("照护2", date(1956, 1, 1), "", 2): 90,
        ("普通", date(1956, 1, 1), "", 0): 90,
    }
    ids = {
        key: elder(session, w, key[0], born=born, situations=situations, care_level=care)
        for key, (born, situations, care) in ((k, k[1:]) for k in cases)
    }
    assert {key: interval(session, ids[key]) for key in cases} == cases
    # the page says which tier and why
    placed = {
        name: (tier, reason)
        for name, tier, reason in zip(
            *(
                elders.elder_registry(session=session, actor=w.shuji, today=TODAY)[c]
                for c in ("name", "tier", "reason")
            ),
            strict=True,
        )
    }
    assert placed["独居 80"] == (
        "高风险",
        visit_policy.Conditions(age=80, situations=("独居", "空巢", "留守")),
    )
    assert placed["失能 照护3"] == ("高风险", visit_policy.Conditions(care=3))
    assert placed["失能 70"] == (
        "重点",
        visit_policy.Conditions(situations=("失能", "重残", "计生特殊", "特困")),
    )
    assert placed["普通"] == ("一般", None)


def _python_and_sql_intervals(session, day) -> tuple[dict[int, int], dict[int, int]]:
    """Every elder's interval on `day`: by place (one elder's page, the registry) and by
    interval_expr (the lists, the overdue count, the on-time rate)."""
    policy = visit_policy.effective_policy(session)
    python = {
        e.id: visit_plan.elder_placement(policy, e, day).interval
        for e in session.exec(select(Elder))
    }
    sql = dict(session.exec(select(col(Elder.id), visit_policy.interval_expr(session, day))).all())
    return python, sql


def test_python_and_sql_intervals_agree_for_every_elder_of_the_demo(demo_engine):
    """The two writings of the interval rule give the same days for every elder of the
    demo: with the street's rules, and with communities' own rules over them; on the
    demo's day and on a leap day (the 80th birthdays move)."""
    with Session(demo_engine) as session:
        communities = session.exec(select(col(Community.id)).order_by(col(Community.id))).all()
        first, second = communities[:2]
        for day in (DEMO_TODAY, date(2028, 2, 29)):
            python, sql = _python_and_sql_intervals(session, day)
            assert python == sql
            assert len(python) > 100 and set(python.values()) == {7, 30, 90}
        C = visit_policy.Conditions
        own = {
            first: [
                ("空巢高龄", 10, [C(age=85, situations=("空巢",))]),
                ("照护", 9, [C(care=2), C(age=95)]),
                ("一般", 20, []),
            ],
            second: [("独居", 5, [C(situations=("独居", "重残"))]), ("一般", 60, [])],
        }
        for community_id, tiers in own.items():
            for name, days, condition_sets in tiers:
                session.add(
                    VisitTier(
                        community_id=community_id,
                        name=name,
                        interval_days=days,
                        conditions=visit_policy.conditions_json(condition_sets),
                    )
                )
        session.flush()
        for day in (DEMO_TODAY, date(2028, 2, 29)):
            python, sql = _python_and_sql_intervals(session, day)
            assert python == sql
            assert {5, 7, 9, 10, 20, 30, 60, 90} <= set(python.values())


def test_one_elders_plan_and_the_plan_lists_agree_on_the_demo(demo_engine):
    """One elder's page (elder_plan, the interval in Python) and the lists (in SQL) say
    the same last visit, interval and days overdue (or left) for every elder listed."""
    with Session(demo_engine) as session:
        admin = actor_of(session.exec(select(Account).where(Account.username == "admin")).one())
        listed = [
            plan_list(session=session, actor=admin, today=DEMO_TODAY).rows
            for plan_list in (visit_plan.overdue_elders, visit_plan.due_this_week)
        ]
        assert all(len(rows) > 0 for rows in listed)
        for row in (row for rows in listed for row in rows.itertuples()):
            plan = visit_plan.elder_plan(
                session=session, actor=admin, elder_id=int(row.id), today=DEMO_TODAY
            )
            assert (plan.interval, plan.last_visit, (DEMO_TODAY - plan.next_due).days) == (
                row.interval,
                row.last_visit,
                row.overdue_by,
            )


def test_a_community_keeps_tiers_of_its_own_and_goes_back(session, w):
    plain = elder(session, w, "普通老人")
    view = visit_policy.policy_view(session=session, actor=w.shuji, community_id=w.community_id)
    assert (view.own, view.can_start_own, view.editable) == (False, True, False)
    with pytest.raises(BoardError) as err:  # the street's tiers: the street admin's
        visit_policy.tier_save(
            session=session,
            actor=w.shuji,
            community_id=None,
            tier_id=None,
            name="一般",
            interval_days=5,
            condition_sets=[],
        )
    assert err.value.key == "access.denied"
    visit_policy.own_tiers_start(session=session, actor=w.shuji, community_id=w.community_id)
    view = visit_policy.policy_view(session=session, actor=w.shuji, community_id=w.community_id)
    assert [(t.name, t.interval_days) for t in view.tiers] == [
        ("高风险", 7),
        ("重点", 30),
        ("一般", 90),
    ]
    default = next(t for t in view.tiers if t.is_default)
    visit_policy.tier_save(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        tier_id=default.id,
        name="一般",
        interval_days=60,
        condition_sets=[],
    )
    session.commit()
    assert interval(session, plain) == 60
    visit_policy.own_tiers_drop(session=session, actor=w.shuji, community_id=w.community_id)
    session.commit()
    assert interval(session, plain) == 90
    # kept, inactive (audited, never deleted)
    assert len(session.exec(select(VisitTier).where(~col(VisitTier.active))).all()) == 3


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"name": " "}, "elders.tier_name_required"),
        ({"interval_days": 0}, "elders.interval_invalid"),
        ({"interval_days": 367}, "elders.interval_invalid"),
        ({"condition_sets": [visit_policy.Conditions(age=121)]}, "elders.tier_age_invalid"),
        ({"condition_sets": [visit_policy.Conditions(care=5)]}, "elders.tier_care_invalid"),
        (
            {"condition_sets": [visit_policy.Conditions(situations=("高龄",))]},
            "elders.situation_unknown",
        ),
        ({"name": "重点"}, "elders.tier_name_taken"),
        ({"condition_sets": []}, "elders.default_exists"),  # a second default tier
    ],
)
def test_a_bad_tier_is_refused_and_nothing_is_written(session, w, values, key):
    tier = {
        "name": "独居",
        "interval_days": 14,
        "condition_sets": [visit_policy.Conditions(situations=("独居",))],
    } | values
    with pytest.raises(BoardError) as err:
        visit_policy.tier_save(
            session=session, actor=w.admin, community_id=None, tier_id=None, **tier
        )
    assert err.value.key == key
    session.rollback()
    assert len(session.exec(select(VisitTier)).all()) == 3


def test_the_default_tier_stays(session, w):
    tiers = visit_policy.policy_view(session=session, actor=w.admin, community_id=None).tiers
    default = next(t for t in tiers if t.is_default)
    with pytest.raises(BoardError) as err:
        visit_policy.tier_remove(session=session, actor=w.admin, tier_id=default.id)
    assert err.value.key == "elders.default_required"
    with pytest.raises(BoardError) as err:  # giving the only default tier conditions
        visit_policy.tier_save(
            session=session,
            actor=w.admin,
            community_id=None,
            tier_id=default.id,
            name="一般",
            interval_days=90,
            condition_sets=[visit_policy.Conditions(age=60)],
        )
    assert err.value.key == "elders.default_required"
    session.rollback()
    high = next(t for t in tiers if t.name == "高风险")
    visit_policy.tier_remove(session=session, actor=w.admin, tier_id=high.id)
    session.commit()
    alone = elder(session, w, "独居老人", situations="独居")
    assert interval(session, alone) == 90


def test_overdue_and_due_this_week(session, w):
    late = elder(session, w, "逾期", situations="独居")
    visit(session, late, date(2026, 11, 10))  # 14 days ago, interval 7: 7 days overdue
    soon = elder(session, w, "本周到期", situations="独居")
    visit(session, soon, date(2026, 11, 19))  # due 11-26
    fine = elder(session, w, "按时")
    visit(session, fine, date(2026, 11, 20))
    elder(session, w, "从未探访", situations="失能", registered=date(2026, 9, 1))  # 84 days
    overdue = visit_plan.overdue_elders(session=session, actor=w.shuji, today=TODAY).rows
    assert overdue["name"].tolist() == ["从未探访", "逾期"]
    assert overdue["overdue_by"].tolist() == [54, 7]
    assert overdue["unassigned"].all()
    week = visit_plan.due_this_week(session=session, actor=w.shuji, today=TODAY).rows
    assert week["name"].tolist() == ["本周到期"]


def test_recording_a_visit_clears_the_overdue_entry(session, w):
    late = elder(session, w, "逾期", situations="独居")
    visit(session, late, date(2026, 11, 1))
    visits.visit_record(
        session=session, actor=w.shuji, elder_id=late, visited_on=TODAY, mode="电话", today=TODAY
    )
    session.commit()
    assert visit_plan.overdue_elders(session=session, actor=w.shuji, today=TODAY).total == 0


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
    assert visit_plan.overdue_elders(session=session, actor=w.shuji, today=TODAY).total == 0
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
        content=VisitContent(
            safety=Checklist(("gas",)), needs=Checklist(note="燃气灶打火困难，需要维修")
        ),
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
    listed = visit_plan.overdue_elders(session=session, actor=volunteer, today=TODAY).rows
    assert listed["name"].tolist() == ["我的老人"]
    assert listed["phone"].tolist() == ["13912345678"]
    page = elders.elder_page(session=session, actor=volunteer, elder_id=mine, today=TODAY)
    # their visitor: the phone and what the visit needs (health notes), not the guardian
    assert page.phone == "13912345678" and page.health_notes == "高血压"
    assert page.guardian_phone is None and page.birth_date is None
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
    seen = visit_plan.overdue_elders(session=session, actor=worker, today=TODAY).rows
    assert set(seen["phone"]) == {"139****5678"}
    assert set(seen["address"]) == {"四千米社区3号楼****"}


def test_on_time_rate_counts_visits_within_the_interval_and_missed_due_dates(session, w):
    """November 2026, today 11-24: a due date has passed once its day is over (11-23)."""
    # weekly: 11-03 on time (7 days after 10-27); 11-20 late, missing 11-10 and 11-17
    a = elder(session, w, "甲", situations="独居", registered=date(2026, 10, 20))
    for day in (date(2026, 10, 27), date(2026, 11, 3), date(2026, 11, 20)):
        visit(session, a, day)
    # monthly, never visited: due 10-05 (October), 11-04 missed; 12-04 is outside
    elder(session, w, "乙", situations="失能", registered=date(2026, 9, 5))
    # care level 3: weekly (高风险); every visit 10 days apart misses one due date
    c = elder(session, w, "丙", care_level=3, registered=date(2026, 10, 1))
    for day in (date(2026, 11, 1), date(2026, 11, 11), date(2026, 11, 21)):
        visit(session, c, day)
    # deactivated on 11-10: due 11-06 missed, 11-13 and 11-20 no longer due
    d = elder(
        session,
        w,
        "丁",
        situations="独居",
        registered=date(2026, 10, 1),
        active=False,
        deactivated_on=date(2026, 11, 10),
    )
    visit(session, d, date(2026, 10, 30))
    elder(session, w, "戊", registered=date(2026, 12, 1))  # registered after the period
    nov = {"start": date(2026, 11, 1), "end": date(2026, 12, 1)}
    rates = visits.on_time_by_community(session=session, community_ids=None, **nov, today=TODAY)
    assert rates.to_dict("records") == [
        {"community": "四千米社区", "due": 7, "on_time": 1, "rate": round(1 / 7, 3)}
    ]
    figures = visits.visit_figures(session=session, community_ids=None, **nov, today=TODAY)
    assert figures["visits"] == 5 and figures["on_time_rate"] == pytest.approx(1 / 7)
    assert figures["overdue_elders"] == 1  # 乙
    # a week later 11-27 (甲) and 11-28 (丙) have passed too, and 乙's 11-30 still has not
    later = visits.on_time_by_community(
        session=session, community_ids=None, **nov, today=date(2026, 11, 29)
    )
    assert (later["due"].item(), later["on_time"].item()) == (9, 1)
    by_month = visits.visits_by_month(
        session=session, community_ids=None, start=date(2026, 1, 1), end=date(2026, 12, 1)
    )
    assert by_month.to_dict("records") == [
        {"month": "2026-10", "mode": "上门", "visits": 2},
        {"month": "2026-11", "mode": "上门", "visits": 5},
    ]


def test_on_time_rate_by_community_is_scoped(session, w):
    other = factories.world(session, "前进社区")
    late = elder(session, w, "甲", situations="独居", registered=date(2026, 10, 20))
    visit(session, late, date(2026, 11, 10))  # late: 10-27 and 11-03 missed; then 11-17
    session.add(
        Elder(
            name="乙",
            birth_date=date(1950, 1, 1),
            address="前进社区1号楼",
            community_id=other.community_id,
            situations="失能",
            registered_on=date(2026, 10, 25),
        )
    )
    session.commit()
    kept = session.exec(select(Elder.id).where(Elder.name == "乙")).one()
    visit(session, kept, date(2026, 11, 20))  # 26 days: on time (monthly)
    nov = {"start": date(2026, 11, 1), "end": date(2026, 12, 1), "today": TODAY}
    both = visits.on_time_by_community(session=session, community_ids=None, **nov)
    assert both[["community", "due", "on_time"]].to_dict("records") == [
        {"community": "四千米社区", "due": 2, "on_time": 0},  # 11-03, 11-17 (11-24: today)
        {"community": "前进社区", "due": 1, "on_time": 1},
    ]
    one = visits.on_time_by_community(session=session, community_ids=[other.community_id], **nov)
    assert one["community"].tolist() == ["前进社区"] and one["rate"].tolist() == [1.0]


def test_overdue_trend_counts_as_of_the_given_day(session, w):
    e = elder(session, w, "甲", situations="失能", registered=date(2026, 8, 1))  # monthly
    visit(session, e, date(2026, 9, 10))
    window = {"start": date(2026, 9, 1), "end": date(2026, 12, 1)}
    trend = visits.overdue_trend(session=session, community_ids=None, **window, today=TODAY)
    # 09-30: 20 days since; 10-31: 51; 11-24: 75
    assert trend.to_dict("records") == [
        {"month": "2026-09", "overdue": 0},
        {"month": "2026-10", "overdue": 1},
        {"month": "2026-11", "overdue": 1},
    ]
    early = visits.overdue_trend(
        session=session, community_ids=None, **window, today=date(2026, 10, 9)
    )
    # 10-09 is 29 days since the visit: not overdue yet; November has not come
    assert early.to_dict("records") == [
        {"month": "2026-09", "overdue": 0},
        {"month": "2026-10", "overdue": 0},
    ]


def test_a_tier_the_secretary_adds_puts_elders_in_it(session, w):
    cared = elder(session, w, "照护3级", care_level=3)
    light = elder(session, w, "照护2级", care_level=2)
    assert [interval(session, e) for e in (cared, light)] == [7, 90]  # 高风险, 一般
    visit_policy.own_tiers_start(session=session, actor=w.shuji, community_id=w.community_id)
    visit_policy.tier_save(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        tier_id=None,
        name="照护",
        interval_days=14,
        condition_sets=[visit_policy.Conditions(care=2), visit_policy.Conditions()],
    )
    session.commit()
    assert [interval(session, e) for e in (cared, light)] == [7, 14]  # the most frequent wins
    plan = visit_plan.elder_plan(session=session, actor=w.shuji, elder_id=light, today=TODAY)
    assert (plan.interval, plan.placement.tier.name) == (14, "照护")
    assert plan.placement.reason == visit_policy.Conditions(care=2)  # the empty set dropped
    visit(session, light, date(2026, 11, 5))  # 19 days ago: overdue by the new tier only
    overdue = visit_plan.overdue_elders(session=session, actor=w.shuji, today=TODAY).rows
    assert overdue.set_index("name").loc["照护2级", "overdue_by"] == 5


def test_an_elder_is_registered_with_care_level_and_visitors_in_one_step(session, w):
    worker = make_account(session, "wg", Role.grid_worker, w.community_id)
    elsewhere = factories.world(session, "前进社区")
    e = elders.elder_create(
        session=session,
        actor=w.shuji,
        name="乌云其其格",
        birth_date=date(1940, 3, 1),
        address="学府康都5号楼1单元302",
        community_id=w.community_id,
        today=TODAY,
        situations=["失能"],
        care_level=3,
        visitor_ids=[worker.id],
    )
    session.commit()
    row = session.get(Elder, e)
    assert (row.care_level, row.situations) == (3, "失能")
    assert session.exec(
        select(ElderVisitor.account_id).where(ElderVisitor.elder_id == e)
    ).all() == [worker.id]
    with pytest.raises(BoardError) as err:  # a visitor from another community is refused
        elders.elder_create(
            session=session,
            actor=w.shuji,
            name="另一位",
            birth_date=date(1940, 3, 1),
            address="学府康都5号楼",
            community_id=w.community_id,
            today=TODAY,
            visitor_ids=[elsewhere.shuji.id],
        )
    assert err.value.key == "elders.visitor_invalid"


def test_unassigned_elders_are_flagged_counted_and_filtered_on_the_registry(session, w):
    worker = make_account(session, "wg", Role.grid_worker, w.community_id)
    covered = elder(session, w, "有人探访")
    elder(session, w, "无人探访")
    elder(session, w, "已搬走", active=False)  # inactive: not counted
    session.add(ElderVisitor(elder_id=covered, account_id=worker.id))
    session.commit()
    registry = elders.elder_registry(session=session, actor=w.shuji, today=TODAY)
    flags = dict(zip(registry["name"], registry["unassigned"], strict=True))
    assert flags == {"有人探访": False, "无人探访": True}
    assert registry.set_index("name").loc["有人探访", "visitors"] == "wg"
    assert elders.unassigned_count(session=session, actor=w.shuji) == 1
    assert elders.unassigned_count(session=session, actor=worker) == 1
    only = elders.elder_registry(session=session, actor=w.shuji, today=TODAY, unassigned_only=True)
    assert only["name"].tolist() == ["无人探访"]


def test_the_top_overdue_rows_for_the_dashboard(session, w):
    for n, day in enumerate((date(2026, 11, 1), date(2026, 10, 1), date(2026, 11, 10))):
        e = elder(session, w, f"老人{n}", situations="独居")
        visit(session, e, day)
    top = visit_plan.overdue_elders(session=session, actor=w.shuji, today=TODAY, limit=2)
    assert top.total == 3
    assert top.rows["name"].tolist() == ["老人1", "老人0"]  # most overdue first
    assert top.rows["overdue_by"].tolist() == [47, 16]


def test_the_follow_up_task_gets_a_title_in_the_user_language(session, w):
    e = elder(session, w, "老人")
    visits.visit_record(
        session=session,
        actor=w.shuji,
        elder_id=e,
        visited_on=TODAY,
        mode="电话",
        today=TODAY,
        content=VisitContent(needs=Checklist(note="想办理高龄津贴")),
        follow_up_task=visits.FollowUpTask(title="  ", day=date(2026, 11, 26)),
        lang="en",
    )
    visits.visit_record(
        session=session,
        actor=w.shuji,
        elder_id=e,
        visited_on=TODAY,
        mode="上门",
        today=TODAY,
        content=VisitContent(needs=Checklist(note="灯泡坏了")),
        follow_up_task=visits.FollowUpTask(title="", day=date(2026, 11, 26)),
    )
    session.commit()
    titles = session.exec(select(Task.title).order_by(Task.id)).all()
    assert titles == ["Follow-up: 老人", "跟进：老人"]


def test_situations_and_modes_have_labels_in_both_languages():
    from models.elders import CHANGE_KINDS, LIVING_SITUATIONS, VISIT_MODES
    from services.i18n import LANGUAGES, catalog

    keys = [f"elders.situation.{s}" for s in LIVING_SITUATIONS]
    keys += [f"visits.mode.{m}" for m in VISIT_MODES]
    keys += [f"elders.change.{k}" for k in CHANGE_KINDS]
    for lang in LANGUAGES:
        assert [k for k in keys if k not in catalog(lang)] == [], lang
    assert catalog("en")["visits.mode.上门"] == "Home visit"


# --- registration and deactivation rules (issue 10) ----------------------------------------


def _register(session, w, **kw):
    values = {
        "name": "乌云其其格",
        "birth_date": date(1940, 2, 3),
        "address": "学府康都5号楼1单元302",
        "community_id": w.community_id,
        "today": TODAY,
    } | kw
    return elders.elder_create(session=session, actor=w.shuji, **values)


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"name": "  "}, "elders.required"),
        ({"address": ""}, "elders.required"),
        ({"birth_date": None}, "elders.required"),
        ({"birth_date": date(2026, 11, 25)}, "elders.birth_invalid"),
        ({"birth_date": date(1905, 11, 24)}, "elders.birth_invalid"),  # 121 years
        ({"care_level": 5}, "elders.care_level_invalid"),
        ({"care_level": -1}, "elders.care_level_invalid"),
        ({"phone": "12345"}, "volunteers.phone_invalid"),
        ({"guardian_phone": "0471-1234"}, "volunteers.phone_invalid"),
    ],
)
def test_an_elder_needs_name_birth_date_and_address_and_nothing_is_written(session, w, values, key):
    with pytest.raises(BoardError) as err:
        _register(session, w, **values)
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(Elder)).all() == []


def test_the_edges_of_a_registration_are_accepted(session, w):
    _register(session, w, care_level=4, birth_date=date(1906, 11, 24))  # 120 years old
    _register(session, w, name="另一位", care_level=0, phone="", guardian_phone="")
    session.commit()
    assert len(session.exec(select(Elder)).all()) == 2


def test_the_same_elder_is_registered_once_a_double_press_changes_nothing(session, w):
    first = _register(session, w)
    session.commit()
    with pytest.raises(BoardError) as err:
        _register(session, w, name=" 乌云其其格 ")
    assert (err.value.key, err.value.params) == ("elders.duplicate", {"name": "乌云其其格"})
    session.rollback()
    assert len(session.exec(select(Elder)).all()) == 1
    # the same name with another birth date is another person
    _register(session, w, birth_date=date(1941, 2, 3))
    # a closed record does not block registering the person again
    elders.elder_deactivate(
        session=session, actor=w.shuji, elder_id=first, reason="搬离本社区", today=TODAY
    )
    _register(session, w)
    session.commit()
    assert len(session.exec(select(Elder)).all()) == 3


def test_deactivation_keeps_the_visitors_and_is_refused_twice(session, w):
    e = elder(session, w, "老人", situations="独居")
    worker = make_account(session, "wg", Role.grid_worker, w.community_id)
    session.add(ElderVisitor(elder_id=e, account_id=worker.id))
    session.commit()
    assert visit_plan.overdue_elders(session=session, actor=w.shuji, today=TODAY).total == 1
    elders.elder_deactivate(
        session=session, actor=w.shuji, elder_id=e, reason="入住养老院", today=TODAY
    )
    session.commit()
    assert visit_plan.overdue_elders(session=session, actor=w.shuji, today=TODAY).total == 0
    assert visit_plan.due_this_week(session=session, actor=w.shuji, today=TODAY).total == 0
    assert session.exec(select(ElderVisitor.account_id)).all() == [worker.id]
    with pytest.raises(BoardError) as err:
        elders.elder_deactivate(
            session=session, actor=w.shuji, elder_id=e, reason="入住养老院", today=TODAY
        )
    assert err.value.key == "elders.already_inactive"
    session.rollback()
    elders.elder_reactivate(session=session, actor=w.shuji, elder_id=e)
    session.commit()
    assert visit_plan.overdue_elders(session=session, actor=w.shuji, today=TODAY).total == 1


def _visit(session, w, e, need="", **kw):
    values = {"visited_on": TODAY, "mode": "上门", "today": TODAY} | kw
    values["content"] = VisitContent(needs=Checklist(note=need))
    return visits.visit_record(session=session, actor=w.shuji, elder_id=e, **values)


def test_a_voided_visit_does_not_block_recording_it_again(session, w):
    """Voided in error (say, under the wrong visitor's hand), the visit can be entered again
    exactly as it was: only visits that stand count as the same visit."""
    e = elder(session, w, "老人")
    first = _visit(session, w, e, need="换灯泡")
    session.commit()
    visit_fixes.visit_void(session=session, actor=w.shuji, visit_id=first, reason="记错了")
    session.commit()
    second = _visit(session, w, e, need="换灯泡")
    session.commit()
    assert second != first
    standing = session.exec(select(Visit).where(~col(Visit.voided))).all()
    assert [v.id for v in standing] == [second]


def test_the_same_visit_is_recorded_once(session, w):
    e = elder(session, w, "老人")
    _visit(session, w, e, need="换灯泡")
    session.commit()
    with pytest.raises(BoardError) as err:
        _visit(session, w, e, need=" 换灯泡 ")  # a double press
    assert (err.value.key, err.value.params) == ("visits.duplicate", {"name": "老人"})
    session.rollback()
    assert len(session.exec(select(Visit)).all()) == 1
    # another way, another need, another day, or another visitor: another visit
    _visit(session, w, e, need="换灯泡", mode="电话")
    _visit(session, w, e, need="修水管")
    _visit(session, w, e, need="换灯泡", visited_on=date(2026, 11, 23))
    worker = make_account(session, "wg2", Role.grid_worker, w.community_id)
    visits.visit_record(
        session=session,
        actor=worker,
        elder_id=e,
        visited_on=TODAY,
        mode="上门",
        today=TODAY,
        content=VisitContent(needs=Checklist(note="换灯泡")),
    )
    session.commit()
    assert len(session.exec(select(Visit)).all()) == 5


def test_who_may_turn_a_need_into_a_task(session, w):
    volunteer = make_account(session, "zy2", Role.volunteer, w.community_id)
    worker = make_account(session, "wg3", Role.grid_worker, w.community_id)
    assert visits.can_make_task(w.shuji) and visits.can_make_task(worker)
    assert not visits.can_make_task(volunteer)


def test_what_each_role_may_do_with_an_elder(session, w):
    """The services say which actions the elders pages show (no page reads a role)."""
    here = elder(session, w, "在册老人")
    gone = elder(session, w, "已注销老人", active=False)
    worker = make_account(session, "wg4", Role.grid_worker, w.community_id)
    volunteer = make_account(session, "zy4", Role.volunteer, w.community_id)
    for e in (here, gone):
        session.add(ElderVisitor(elder_id=e, account_id=volunteer.id))
    session.commit()
    actors = {"admin": w.admin, "secretary": w.shuji, "grid_worker": worker, "volunteer": volunteer}
    # role: (register and edit elders, edit the interval table)
    assert {
        role: (elders.can_manage(a), visit_policy.can_edit_policy(a)) for role, a in actors.items()
    } == {
        "admin": (True, True),
        "secretary": (True, True),
        "grid_worker": (False, False),
        "volunteer": (False, False),
    }
    # (role, elder): (edit, deactivate, reactivate, record a visit)
    allowed = {}
    for role, a in actors.items():
        for state, e in (("active", here), ("inactive", gone)):
            page = elders.elder_page(session=session, actor=a, elder_id=e, today=TODAY)
            allowed[role, state] = (
                page.can_edit,
                page.can_deactivate,
                page.can_reactivate,
                page.can_record_visit,
            )
    assert allowed == {
        ("admin", "active"): (True, True, False, True),
        ("admin", "inactive"): (True, False, True, False),
        ("secretary", "active"): (True, True, False, True),
        ("secretary", "inactive"): (True, False, True, False),
        ("grid_worker", "active"): (False, False, False, True),
        ("grid_worker", "inactive"): (False, False, False, False),
        ("volunteer", "active"): (False, False, False, True),
        ("volunteer", "inactive"): (False, False, False, False),
    }


def test_the_lists_and_the_page_mask_phone_and_address_alike(session, w):
    """Staff and an elder's own visitors see the phone and address in full; other field
    workers see them masked, on every list and on the elder's page."""
    mine = elder(session, w, "我探访的老人", situations="独居")
    other = elder(session, w, "别人探访的老人", situations="独居")
    worker = make_account(session, "wg5", Role.grid_worker, w.community_id)
    session.add(ElderVisitor(elder_id=mine, account_id=worker.id))
    session.commit()
    full = ("13912345678", "四千米社区3号楼2单元501")
    masked = ("139****5678", "四千米社区3号楼****")
    for actor, expected in (
        (w.shuji, {mine: full, other: full}),
        (worker, {mine: full, other: masked}),
    ):
        for rows in (
            elders.elder_registry(session=session, actor=actor, today=TODAY),
            visit_plan.overdue_elders(session=session, actor=actor, today=TODAY).rows,
        ):
            shown = {
                int(i): (p, a)
                for i, p, a in zip(rows["id"], rows["phone"], rows["address"], strict=True)
            }
            assert shown == expected
        for elder_id, contact in expected.items():
            page = elders.elder_page(session=session, actor=actor, elder_id=elder_id, today=TODAY)
            assert (page.phone, page.address) == contact
