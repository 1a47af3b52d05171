"""The lists of cases: who sees which, the filters (status group, overdue, due soon,
escalated, department, category), counts, paging, one case in full (phone masked but
for the office, only the actions allowed), and the 满意清单 without personal data."""

from dataclasses import fields
from datetime import date, datetime

import pytest

from models.base import LOCAL_TZ
from models.cases import Case
from services import case_lists, cases
from services.case_lists import Filters, StatusGroup, View
from services.errors import BoardError
from tests.services.case_setup import CaseWorld, case_in, case_world, do, report

TODAY = date(2026, 11, 24)  # a Tuesday; cases dispatched on Friday 20 November


@pytest.fixture
def w(session) -> CaseWorld:
    return case_world(session)


def numbers(page) -> list[str]:
    return [r.number for r in page.rows]


def listed(session, actor, view, **filters) -> list[str]:
    return numbers(
        case_lists.case_list(
            session=session, actor=actor, today=TODAY, view=view, filters=Filters(**filters)
        )
    )


def test_who_sees_which_list(session, w):
    mine = case_in(session, w, "dispatched")  # reported by wangge in grid 1, given to wangge
    other_grid = report(session, w, actor=w.wangge2, grid_id=w.other_grid_id)
    given = case_in(session, w, "accepted")
    do(session, w, "dispatch", w.shuji, given, account_id=w.zhiyuan.id)
    n = {i: cases_number(session, i) for i in (mine, other_grid, given)}
    assert set(listed(session, w.wangge, View.grid)) == {n[mine], n[given]}
    assert set(listed(session, w.wangge, View.mine)) == {n[mine], n[given]}  # reported both
    assert set(listed(session, w.wangge2, View.grid)) == {n[other_grid]}
    assert listed(session, w.zhiyuan, View.mine) == [n[given]]
    assert set(listed(session, w.shuji, View.community)) == set(n.values())
    assert listed(session, w.other_shuji, View.community) == []
    assert set(listed(session, w.admin, View.community)) == set(n.values())
    for actor, view in [
        (w.zhiyuan, View.community),
        (w.wangge, View.community),
        (w.huiyi, View.mine),
    ]:
        with pytest.raises(BoardError):
            listed(session, actor, view)


def cases_number(session, case_id) -> str:
    return session.get(Case, case_id).number


def test_filters_and_counts(session, w):
    overdue = case_in(session, w, "in_progress")  # due Wed 25 November: due soon on Tuesday
    late = report(session, w)
    do(session, w, "accept", w.shuji, late)
    cases.case_dispatch(
        session=session,
        actor=w.shuji,
        case_id=late,
        account_id=w.wangge.id,
        now=datetime(2026, 11, 16, 9, 0, tzinfo=LOCAL_TZ),  # Monday: due Thursday 19
    )
    session.commit()
    escalated = case_in(session, w, "escalated")
    do(session, w, "dispatch", w.admin, escalated, account_id=None, department_id=w.department_id)
    waiting = case_in(session, w, "closed")
    rect = case_in(session, w, "rectifying")  # due Friday 27: neither
    done = case_in(session, w, "satisfied")
    dispute = report(session, w, category="neighbour_dispute")
    n = {k: cases_number(session, v) for k, v in locals().items() if isinstance(v, int)}
    s = w.shuji
    assert listed(session, s, View.community, overdue=True) == [n["late"]]
    assert set(listed(session, s, View.community, due_soon=True)) == {n["overdue"], n["escalated"]}
    assert listed(session, s, View.community, escalated=True) == [n["escalated"]]
    assert listed(session, s, View.community, department_id=w.department_id) == [n["escalated"]]
    assert listed(session, s, View.community, group=StatusGroup.call_back) == [n["waiting"]]
    assert listed(session, s, View.community, group=StatusGroup.rectifying) == [n["rect"]]
    assert listed(session, s, View.community, group=StatusGroup.done) == [n["done"]]
    assert listed(session, s, View.community, category="neighbour_dispute") == [n["dispute"]]
    everything = listed(session, s, View.community)
    assert everything[0] == n["late"]  # overdue first
    counts = case_lists.case_counts(session=session, actor=s, today=TODAY)
    assert (counts.overdue, counts.due_soon, counts.escalated) == (1, 2, 1)
    assert (counts.call_back, counts.rectifying, counts.open) == (1, 1, 4)
    row = next(
        r
        for r in case_lists.case_list(
            session=session, actor=s, today=TODAY, view=View.community
        ).rows
        if r.number == n["escalated"]
    )
    assert (row.to_whom, row.escalated, row.due) == ("供水公司", True, date(2026, 11, 25))


def test_finished_cases_come_last_the_latest_finished_first(session, w):
    """A declined case has no due day: it must not rank among the ones still to do."""
    declined = report(session, w)
    do(session, w, "decline", w.shuji, declined)
    satisfied = case_in(session, w, "satisfied")  # finished after the declined one
    to_do = report(session, w)
    n = {k: cases_number(session, v) for k, v in locals().items() if isinstance(v, int)}
    assert listed(session, w.shuji, View.community) == [n["to_do"], n["satisfied"], n["declined"]]


def test_lists_are_paged(session, w):
    for _ in range(case_lists.PAGE_SIZE + 3):
        report(session, w)
    first = case_lists.case_list(session=session, actor=w.shuji, today=TODAY, view=View.community)
    last = case_lists.case_list(
        session=session, actor=w.shuji, today=TODAY, view=View.community, page=5
    )
    assert (first.total, first.pages, len(first.rows)) == (23, 2, 20)
    assert (last.page, len(last.rows)) == (1, 3)
    assert not set(numbers(first)) & set(numbers(last))


def test_the_detail_masks_the_phone_but_for_the_office_and_offers_only_allowed_actions(session, w):
    case_id = case_in(session, w, "dispatched")
    office = case_lists.case_detail(session=session, actor=w.shuji, case_id=case_id, today=TODAY)
    worker = case_lists.case_detail(session=session, actor=w.wangge, case_id=case_id, today=TODAY)
    assert office.resident_phone == "13800001111"
    assert worker.resident_phone == "138****1111"
    assert [s.kind for s in office.steps] == ["report", "accept", "dispatch"]
    assert set(office.actions) == {"escalate", "feedback", "start", "extend", "note"}
    assert set(worker.actions) == {"start", "feedback", "note"}
    admin = case_lists.case_detail(session=session, actor=w.admin, case_id=case_id, today=TODAY)
    assert set(admin.actions) == {"feedback", "start", "extend", "note"}  # the street never 吹哨
    with pytest.raises(BoardError):
        case_lists.case_detail(session=session, actor=w.wangge2, case_id=case_id, today=TODAY)


def test_dispatch_choices_are_the_communitys_or_the_departments(session, w):
    accepted = case_in(session, w, "accepted")
    choices = case_lists.dispatch_choices(session=session, actor=w.shuji, case_id=accepted)
    assert {c.name for c in choices.people} == {"shuji", "wangge", "wangge2", "zhiyuan"}
    assert [c.name for c in choices.teams] == ["红马甲服务队"] and choices.departments == ()
    escalated = case_in(session, w, "escalated")
    choices = case_lists.dispatch_choices(session=session, actor=w.admin, case_id=escalated)
    assert [c.name for c in choices.departments] == ["供水公司"] and choices.people == ()


def test_the_satisfied_list_has_no_personal_data(session, w):
    case_id = case_in(session, w, "satisfied")
    case_in(session, w, "closed")
    assert [f.name for f in fields(case_lists.SatisfiedRow)] == [
        "number",
        "category",
        "grid",
        "month",
        "result",
    ]
    for actor in (w.shuji, w.wangge, w.zhiyuan, w.admin):
        page = case_lists.satisfied_list(session=session, actor=actor)
        assert [(r.number, r.category, r.grid, r.month, r.result) for r in page.rows] == [
            (cases_number(session, case_id), "facilities", "第一网格", "2026-11", "已更换灯泡")
        ]
    assert case_lists.satisfied_list(session=session, actor=w.other_shuji).rows == ()
    with pytest.raises(BoardError):
        case_lists.satisfied_list(session=session, actor=w.huiyi)
