"""Issue 19's visit rules on hand-made cases: major changes, campaigns, corrected and
voided visits, the monthly visit rate (月探访率), and 高龄 derived from the birth date."""

from datetime import date

import pytest
from sqlmodel import select

from models.accounts import Role
from models.audit import AuditEntry
from models.elders import ElderChange, Visit, VisitCampaign
from services import elders, major_changes, visit_campaigns, visit_fixes, visit_plan, visits
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account
from tests.services.test_elders import elder, elders_world, visit

TODAY = date(2026, 11, 24)


@pytest.fixture
def w(session):
    return elders_world(session)


def plan_names(session, w, day=TODAY):
    overdue = visit_plan.overdue_elders(session=session, actor=w.shuji, today=day).rows
    week = visit_plan.due_this_week(session=session, actor=w.shuji, today=day).rows
    return dict(zip(overdue["name"], overdue["overdue_by"], strict=True)), dict(
        zip(week["name"], week["due_in"], strict=True)
    )


# --- major changes -----------------------------------------------------------------------


def test_a_major_change_makes_a_visit_due_within_a_day_until_a_visit_after_it(session, w):
    # 一般 (90 days), visited 11-20: not due for months
    e = elder(session, w, "出院老人", born=date(1956, 1, 1))
    visit(session, e, date(2026, 11, 20))
    assert plan_names(session, w) == ({}, {})
    worker = make_account(session, "wg", Role.grid_worker, w.community_id)
    major_changes.change_record(
        session=session, actor=worker, elder_id=e, kind="discharge", occurred_on=TODAY, today=TODAY
    )
    session.commit()
    # the day of the change: due tomorrow; the day after: due today; then overdue
    assert plan_names(session, w) == ({}, {"出院老人": 1})
    assert plan_names(session, w, date(2026, 11, 25)) == ({}, {"出院老人": 0})
    assert plan_names(session, w, date(2026, 11, 27)) == ({"出院老人": 2}, {})
    plan = visit_plan.elder_plan(session=session, actor=w.shuji, elder_id=e, today=TODAY)
    assert (plan.change_day, plan.next_due) == (TODAY, date(2026, 11, 25))
    assert (
        visit_plan.overdue_count(session=session, community_ids=None, today=date(2026, 11, 27)) == 1
    )
    # a visit the same day counts as after the change: off both lists
    visits.visit_record(
        session=session, actor=worker, elder_id=e, visited_on=TODAY, mode="电话", today=TODAY
    )
    session.commit()
    assert plan_names(session, w, date(2026, 11, 27)) == ({}, {})
    # a change before the last visit asks for nothing
    major_changes.change_record(
        session=session,
        actor=worker,
        elder_id=e,
        kind="fall",
        occurred_on=date(2026, 11, 10),
        today=TODAY,
    )
    session.commit()
    assert plan_names(session, w) == ({}, {})
    page = elders.elder_page(session=session, actor=w.shuji, elder_id=e, today=TODAY)
    assert [(c.kind, c.occurred_on) for c in page.changes] == [
        ("discharge", TODAY),
        ("fall", date(2026, 11, 10)),
    ]


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"kind": "flood"}, "elders.change_kind_invalid"),
        ({"occurred_on": date(2026, 11, 25)}, "elders.change_future"),
        ({"occurred_on": None}, "elders.change_future"),
        ({"occurred_on": date(2025, 12, 31)}, "visits.before_registration"),
        ({"kind": "other", "note": "  "}, "elders.change_note_required"),
    ],
)
def test_a_bad_major_change_is_refused_and_nothing_is_written(session, w, values, key):
    e = elder(session, w, "老人")
    change = {"kind": "fall", "occurred_on": TODAY, "note": ""} | values
    with pytest.raises(BoardError) as err:
        major_changes.change_record(
            session=session, actor=w.shuji, elder_id=e, today=TODAY, **change
        )
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(ElderChange)).all() == []


def test_who_records_a_major_change(session, w):
    e = elder(session, w, "老人")
    volunteer = make_account(session, "zy", Role.volunteer, w.community_id)
    worker = make_account(session, "wg", Role.grid_worker, w.community_id)
    assert {
        role: major_changes.can_record_change(a)
        for role, a in (("secretary", w.shuji), ("grid_worker", worker), ("volunteer", volunteer))
    } == {"secretary": True, "grid_worker": True, "volunteer": False}
    with pytest.raises(BoardError):
        major_changes.change_record(
            session=session,
            actor=volunteer,
            elder_id=e,
            kind="fall",
            occurred_on=TODAY,
            today=TODAY,
        )


# --- campaigns ---------------------------------------------------------------------------


def test_a_campaign_tracks_who_of_its_group_was_visited(session, w):
    """高温探访 of the 高风险 tier over 3 days from 11-20 (deadline 11-23 included)."""
    a = elder(session, w, "甲", situations="独居", registered=date(2026, 1, 1))  # 86, alone
    b = elder(session, w, "乙", situations="失智", born=date(1956, 1, 1))
    c = elder(session, w, "丙", care_level=3, born=date(1956, 1, 1))
    d = elder(session, w, "丁", situations="独居", born=date(1956, 1, 1))  # 70: 一般
    elder(session, w, "戊", situations="独居", active=False)  # not in care
    other = factories.world(session, "前进社区")
    day = date(2026, 11, 20)
    started = visit_campaigns.campaign_start(
        session=session,
        actor=w.shuji,
        name="高温探访",
        group_kind="tier",
        group_value="高风险",
        days=3,
        today=day,
    )
    session.commit()
    visit(session, a, date(2026, 11, 21))  # in the window
    visit(session, b, date(2026, 11, 19))  # before the start: not counted
    visit(session, c, date(2026, 11, 24))  # after the deadline: not counted
    visit(session, d, date(2026, 11, 21))  # not asked
    session.add(Visit(elder_id=b, visited_on=date(2026, 11, 22), mode="上门", voided=True))
    session.commit()
    [progress] = visit_campaigns.campaign_progress(session=session, actor=w.shuji, today=TODAY)
    assert (progress.id, progress.asked, progress.visited, progress.is_open) == (
        started,
        3,
        1,
        False,
    )
    assert [name for _, name in progress.left] == ["丙", "乙"]  # by name
    # the other community's secretary sees nothing of it
    assert visit_campaigns.campaign_progress(session=session, actor=other.shuji, today=TODAY) == []
    # a situation as the group
    visit_campaigns.campaign_start(
        session=session,
        actor=w.shuji,
        name="春节探访",
        group_kind="situation",
        group_value="独居",
        days=10,
        today=TODAY,
    )
    session.commit()
    latest = visit_campaigns.campaign_progress(session=session, actor=w.shuji, today=TODAY)[0]
    assert (latest.name, latest.asked, latest.visited, latest.is_open) == ("春节探访", 2, 0, True)


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"name": " "}, "elders.campaign_name_required"),
        ({"days": 0}, "elders.campaign_days_invalid"),
        ({"days": 91}, "elders.campaign_days_invalid"),
        ({"group_kind": "grid"}, "elders.campaign_group_invalid"),
        ({"group_kind": "situation", "group_value": "高龄"}, "elders.campaign_group_invalid"),
        ({"group_value": "没有的分级"}, "elders.campaign_group_invalid"),
        ({"group_kind": "situation", "group_value": "特困"}, "elders.campaign_empty"),
    ],
)
def test_a_bad_campaign_is_refused_and_nothing_is_written(session, w, values, key):
    elder(session, w, "甲", situations="独居")
    campaign = {
        "name": "高温探访",
        "group_kind": "tier",
        "group_value": "高风险",
        "days": 7,
    } | values
    with pytest.raises(BoardError) as err:
        visit_campaigns.campaign_start(session=session, actor=w.shuji, today=TODAY, **campaign)
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(VisitCampaign)).all() == []


# --- corrected and voided visits ---------------------------------------------------------


def test_every_figure_follows_a_corrected_or_voided_visit(session, w):
    """甲 (weekly) visited 11-20; 乙 (weekly) never. The 11-20 visit was 乙's, on 11-03."""
    a = elder(session, w, "甲", situations="独居", registered=date(2026, 10, 20))
    b = elder(session, w, "乙", situations="独居", registered=date(2026, 10, 20))
    visit(session, a, date(2026, 10, 27))
    visit(session, a, date(2026, 11, 20))
    wrong = session.exec(select(Visit.id).where(Visit.visited_on == date(2026, 11, 20))).one()
    nov = {"start": date(2026, 11, 1), "end": date(2026, 12, 1)}

    def figures():
        rates = visits.on_time_by_community(session=session, community_ids=None, **nov, today=TODAY)
        by_month = visits.visits_by_month(session=session, community_ids=None, **nov)
        plans = {
            e: visit_plan.elder_plan(session=session, actor=w.shuji, elder_id=e, today=TODAY)
            for e in (a, b)
        }
        return (
            {name: plan.last_visit for name, plan in zip("甲乙", plans.values(), strict=True)},
            plan_names(session, w)[0],
            (int(rates["due"].sum()), int(rates["on_time"].sum())),
            by_month["visits"].sum(),
            visits.monthly_visit_rate(session=session, community_ids=None, **nov, today=TODAY),
        )

    # 甲: 11-03, 11-10 and 11-17 missed, 11-20 late; 乙: 10-27 … 11-17 missed (11-03, 11-10,
    # 11-17 in November)
    assert figures() == (
        {"甲": date(2026, 11, 20), "乙": None},
        {"乙": 28},
        (6, 0),
        1,
        0.5,
    )
    visit_fixes.visit_correct(
        session=session,
        actor=w.shuji,
        visit_id=wrong,
        visited_on=date(2026, 11, 3),
        elder_id=b,
        reason="记错了老人和日期",
        today=TODAY,
    )
    session.commit()
    # 甲: last 10-27 (28 days ago), 11-03, 11-10, 11-17 missed; 乙: 11-03 is late (14 days
    # after registering; the due date it missed, 10-27, is October's), 11-10 and 11-17 missed
    assert figures() == (
        {"甲": date(2026, 10, 27), "乙": date(2026, 11, 3)},
        {"甲": 21, "乙": 14},
        (5, 0),
        1,
        0.5,
    )
    visit_fixes.visit_void(session=session, actor=w.shuji, visit_id=wrong, reason="没有这次探访")
    session.commit()
    assert figures() == (
        {"甲": date(2026, 10, 27), "乙": None},
        {"甲": 21, "乙": 28},
        (6, 0),
        0,
        0.0,
    )
    # kept in the history, marked; both fixes audited
    page = elders.elder_page(session=session, actor=w.shuji, elder_id=b, today=TODAY)
    assert [(v.id, v.voided, v.fix_reason) for v in page.history] == [(wrong, True, "没有这次探访")]
    changes = session.exec(
        select(AuditEntry.changes)
        .where(AuditEntry.table_name == "visit", AuditEntry.action == "update")
        .order_by(AuditEntry.id)
    ).all()
    assert len(changes) == 2 and "elder_id" in changes[0] and "voided" in changes[1]


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"reason": " "}, "visits.fix_reason_required"),
        ({"visited_on": date(2026, 11, 25)}, "visits.future"),
        ({"visited_on": date(2025, 12, 31)}, "visits.before_registration"),
        ({"visited_on": date(2026, 11, 20)}, "visits.nothing_corrected"),
        ({"elder": "gone", "visited_on": date(2026, 11, 11)}, "visits.after_deactivation"),
        ({"elder": "elsewhere"}, "access.other_community"),
    ],
)
def test_a_bad_correction_is_refused_and_nothing_changes(session, w, values, key):
    e = elder(session, w, "老人")
    gone = elder(session, w, "已搬走", active=False, deactivated_on=date(2026, 11, 10))
    other = factories.world(session, "前进社区")
    session.commit()
    elsewhere = elders.elder_create(
        session=session,
        actor=other.shuji,
        name="别处老人",
        birth_date=date(1940, 1, 1),
        address="前进社区1号楼",
        community_id=other.community_id,
        today=date(2026, 1, 1),
    )
    visit(session, e, date(2026, 11, 20))
    visit_id = session.exec(select(Visit.id)).one()
    targets = {"same": e, "gone": gone, "elsewhere": elsewhere}
    fix = {"visited_on": date(2026, 11, 20), "reason": "记错", "elder": "same"} | values
    with pytest.raises(BoardError) as err:
        visit_fixes.visit_correct(
            session=session,
            actor=w.shuji,
            visit_id=visit_id,
            visited_on=fix["visited_on"],
            elder_id=targets[fix["elder"]],
            reason=fix["reason"],
            today=TODAY,
        )
    assert err.value.key == key
    session.rollback()
    row = session.get(Visit, visit_id)
    assert (row.elder_id, row.visited_on, row.fix_reason) == (e, date(2026, 11, 20), "")


def test_only_staff_fix_visits_and_a_void_is_final(session, w):
    e = elder(session, w, "老人")
    visit(session, e, date(2026, 11, 20))
    visit_id = session.exec(select(Visit.id)).one()
    worker = make_account(session, "wg", Role.grid_worker, w.community_id)
    assert (visit_fixes.can_fix_visits(w.shuji), visit_fixes.can_fix_visits(worker)) == (
        True,
        False,
    )
    with pytest.raises(BoardError) as err:
        visit_fixes.visit_void(session=session, actor=worker, visit_id=visit_id, reason="错")
    assert err.value.key == "access.denied"
    visit_fixes.visit_void(session=session, actor=w.shuji, visit_id=visit_id, reason="错")
    session.commit()
    with pytest.raises(BoardError) as err:
        visit_fixes.visit_void(session=session, actor=w.shuji, visit_id=visit_id, reason="错")
    assert err.value.key == "visits.already_voided"


# --- 月探访率 -------------------------------------------------------------------------------


def test_the_monthly_visit_rate_on_a_small_data_set(session, w):
    """October and November 2026, today 11-24.

    甲 registered 09-01, visited 10-05 and 11-02: under care both months, visited both.
    乙 registered 10-15, visited 10-20 (and a voided visit on 11-10): Oct yes, Nov no.
    丙 registered 11-05, never visited: November only, not visited.
    丁 deactivated 11-01, visited 10-30: October visited; in November not under care
        (left on the 1st).
    戊 deactivated 10-01 (left on the 1st): under care in neither month.
    己 registered 11-25 (tomorrow) would be in no month so far: not made (services refuse).

    October: under care 甲 乙 丁 (3), visited 3 → 100%.
    November: under care 甲 乙 丙 (3), visited 甲 → 1/3.
    Both months: (3 + 1) / (3 + 3) = 4/6.
    """
    a = elder(session, w, "甲", registered=date(2026, 9, 1))
    b = elder(session, w, "乙", registered=date(2026, 10, 15))
    elder(session, w, "丙", registered=date(2026, 11, 5))
    d = elder(
        session,
        w,
        "丁",
        registered=date(2026, 9, 1),
        active=False,
        deactivated_on=date(2026, 11, 1),
    )
    elder(
        session,
        w,
        "戊",
        registered=date(2026, 9, 1),
        active=False,
        deactivated_on=date(2026, 10, 1),
    )
    for e, day in ((a, date(2026, 10, 5)), (a, date(2026, 11, 2)), (b, date(2026, 10, 20))):
        visit(session, e, day)
    visit(session, d, date(2026, 10, 30))
    session.add(Visit(elder_id=b, visited_on=date(2026, 11, 10), mode="上门", voided=True))
    session.commit()

    def rate(start, end, today=TODAY, ids=None):
        return visits.monthly_visit_rate(
            session=session, community_ids=ids, start=start, end=end, today=today
        )

    assert rate(date(2026, 10, 1), date(2026, 11, 1)) == 1.0
    assert rate(date(2026, 11, 1), date(2026, 12, 1)) == pytest.approx(1 / 3)
    assert rate(date(2026, 10, 1), date(2026, 12, 1)) == pytest.approx(4 / 6)
    # the year: months after today are left out, September: 甲 丁 戊 under care, none visited
    assert rate(date(2026, 1, 1), date(2027, 1, 1)) == pytest.approx(4 / 9)
    # on 11-03, November so far: 甲 (visited 11-02) and 乙 under care (丙 not yet)
    assert rate(date(2026, 11, 1), date(2026, 12, 1), today=date(2026, 11, 3)) == 0.5
    assert rate(date(2026, 1, 1), date(2026, 2, 1)) is None  # nobody under care
    other = factories.world(session, "前进社区")
    assert rate(date(2026, 11, 1), date(2026, 12, 1), ids=[other.community_id]) is None
    figures = visits.visit_figures(
        session=session,
        community_ids=None,
        start=date(2026, 11, 1),
        end=date(2026, 12, 1),
        today=TODAY,
    )
    assert figures["visit_rate"] == pytest.approx(1 / 3)


# --- 高龄 ---------------------------------------------------------------------------------


def test_old_age_is_derived_from_the_birth_date_never_a_tag(session, w):
    """Defect (issue 19): the 高龄 tag changed nothing; now it is not a tag at all."""
    with pytest.raises(BoardError) as err:
        elders.elder_create(
            session=session,
            actor=w.shuji,
            name="李",
            birth_date=date(1960, 1, 1),
            address="址",
            community_id=w.community_id,
            today=TODAY,
            situations=["高龄"],
        )
    assert err.value.key == "elders.situation_unknown"
    session.rollback()
    young = elder(session, w, "七十九", born=date(1946, 11, 25))
    old = elder(session, w, "八十", born=date(1946, 11, 24))
    registry = elders.elder_registry(session=session, actor=w.shuji, today=TODAY)
    assert dict(zip(registry["name"], registry["old"], strict=True)) == {
        "七十九": False,
        "八十": True,
    }
    assert [
        elders.elder_page(session=session, actor=w.shuji, elder_id=e, today=TODAY).old
        for e in (young, old)
    ] == [False, True]
