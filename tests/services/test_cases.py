"""The workflow of a resident's case: the table of transitions written out here (not
read from services/cases.py), every allowed pair taken by the right people, every other
pair refused with nothing written, scope and roles refused, the time limit over weekends,
holidays and the office's calendar days, extensions, call-backs and case numbers."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from models.base import LOCAL_TZ
from models.cases import CalendarDay, Case, CaseLimit, CaseStep
from services import cases, db
from services.access import Actor
from services.cases import CaseDraft
from services.errors import BoardError
from tests.services.case_setup import (
    FRIDAY,
    PATHS,
    CaseWorld,
    case_in,
    case_world,
    do,
    report,
    status_of,
    steps,
)


@pytest.fixture
def w(session) -> CaseWorld:
    return case_world(session)


A, SEC, GW, ASSIGNEE = "admin", "secretary", "grid_worker", "assignee"
# (from status, action) -> (to status, who may take it). The dispatch from escalated goes
# to a department; department_answer is for a case dispatched to a department.
ALLOWED: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("reported", "accept"): ("accepted", {SEC, A}),
    ("reported", "decline"): ("declined", {SEC, A}),
    ("accepted", "dispatch"): ("dispatched", {SEC, A}),
    ("accepted", "escalate"): ("escalated", {SEC}),
    ("dispatched", "escalate"): ("escalated", {SEC}),
    ("in_progress", "escalate"): ("escalated", {SEC}),
    ("escalated", "dispatch"): ("dispatched", {A}),
    ("dispatched", "department_answer"): ("dispatched", {SEC, A}),
    ("dispatched", "start"): ("in_progress", {ASSIGNEE, SEC, A}),
    ("rectifying", "start"): ("in_progress", {ASSIGNEE, SEC, A}),
    ("dispatched", "feedback"): ("handled", {ASSIGNEE, SEC, A}),
    ("in_progress", "feedback"): ("handled", {ASSIGNEE, SEC, A}),
    ("handled", "close"): ("closed", {SEC, A}),
    ("handled", "send_back"): ("in_progress", {SEC, A}),
    ("closed", "call_back"): ("satisfied", {SEC, A}),  # level 4; level 2: rectifying
    ("closed", "unreachable"): ("unreachable", {SEC, A}),
    ("dispatched", "extend"): ("dispatched", {SEC, A}),
    ("in_progress", "extend"): ("in_progress", {SEC, A}),
    ("rectifying", "extend"): ("rectifying", {SEC, A}),
    ("reported", "note"): ("reported", {GW, SEC, A}),
    ("accepted", "note"): ("accepted", {GW, SEC, A}),
    ("escalated", "note"): ("escalated", {GW, SEC, A}),
    ("dispatched", "note"): ("dispatched", {ASSIGNEE, SEC, A}),
    ("in_progress", "note"): ("in_progress", {ASSIGNEE, SEC, A}),
    ("handled", "note"): ("handled", {GW, SEC, A}),
    ("closed", "note"): ("closed", {GW, SEC, A}),
    ("rectifying", "note"): ("rectifying", {GW, SEC, A}),
}
STATUSES = list(PATHS)
ACTIONS = [
    "accept",
    "decline",
    "dispatch",
    "escalate",
    "department_answer",
    "start",
    "feedback",
    "close",
    "send_back",
    "call_back",
    "unreachable",
    "extend",
    "note",
]


def prepared(session: Session, w: CaseWorld, status: str, action: str) -> int:
    """A case in `status`, ready for `action`."""
    if (status, action) == ("escalated", "dispatch"):
        return case_in(session, w, "escalated")
    if (status, action) == ("dispatched", "department_answer"):
        case_id = case_in(session, w, "escalated")
        do(session, w, "dispatch", w.admin, case_id, account_id=None, department_id=w.department_id)
        return case_id
    return case_in(session, w, status)


def actor_for(w: CaseWorld, who: str) -> Actor:
    return {A: w.admin, SEC: w.shuji, GW: w.wangge, ASSIGNEE: w.wangge}[who]


def args_for(w: CaseWorld, status: str, action: str) -> dict[str, object]:
    if (status, action) == ("escalated", "dispatch"):
        return {"account_id": None, "department_id": w.department_id}
    return {}


@pytest.mark.parametrize(("status", "action"), list(ALLOWED), ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_every_allowed_transition_works_for_each_role_allowed(session, w, status, action):
    to, who = ALLOWED[(status, action)]
    for role in sorted(who):
        case_id = prepared(session, w, status, action)
        before = steps(session, case_id)
        do(session, w, action, actor_for(w, role), case_id, **args_for(w, status, action))
        assert status_of(session, case_id) == to
        added = session.exec(
            select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id.desc())
        ).first()
        assert steps(session, case_id) == before + 1
        assert added.account_id == actor_for(w, role).id
        assert added.account_name == actor_for(w, role).display_name
        assert session.get(Case, case_id).updated_at == FRIDAY


@pytest.mark.parametrize(("status", "action"), list(ALLOWED), ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_other_roles_are_refused_and_nothing_is_written(session, w, status, action):
    _, who = ALLOWED[(status, action)]
    case_id = prepared(session, w, status, action)
    # the grid's worker (who reported it and was given it), the worker of another grid
    # of the community, a volunteer of the community: each refused unless listed
    others = [w.admin, w.shuji, w.wangge, w.wangge2, w.zhiyuan]
    allowed_actors = {actor_for(w, r).id for r in who}
    for actor in others:
        if actor.id in allowed_actors:
            continue
        before = steps(session, case_id)
        with pytest.raises(BoardError) as err:
            do(session, w, action, actor, case_id, **args_for(w, status, action))
        assert err.value.key in {"access.denied", "cases.not_yours"}
        assert steps(session, case_id) == before
        assert status_of(session, case_id) == status


def test_every_other_pair_is_refused_naming_the_status_and_writes_nothing(session, w):
    refused = [(s, a) for s in STATUSES for a in ACTIONS if (s, a) not in ALLOWED]
    assert len(refused) == len(STATUSES) * len(ACTIONS) - len(ALLOWED)
    for status in STATUSES:
        case_id = case_in(session, w, status)
        row = session.get(Case, case_id)
        before = (steps(session, case_id), row.updated_at, row.due_on, row.status)
        for s, action in refused:
            if s != status:
                continue
            actor = w.shuji if action == "escalate" else w.admin
            with pytest.raises(BoardError) as err:
                do(session, w, action, actor, case_id)
            assert err.value.key == "cases.refused_in_status", (status, action)
            assert str(err.value.params["status"]) == f"cases.status.{status}"
            session.expire_all()
            row = session.get(Case, case_id)
            assert (steps(session, case_id), row.updated_at, row.due_on, row.status) == before


def test_the_refusal_reads_in_the_users_language(session, w):
    from services.i18n import translate

    case_id = case_in(session, w, "reported")
    with pytest.raises(BoardError) as err:
        do(session, w, "close", w.shuji, case_id)
    params = {k: translate(v, "zh_CN") for k, v in err.value.params.items()}
    assert "已上报" in translate(err.value.key, "zh_CN", **params)


def test_other_communities_cases_are_refused(session, w):
    case_id = case_in(session, w, "reported")
    with pytest.raises(BoardError) as err:
        do(session, w, "accept", w.other_shuji, case_id)
    assert err.value.key == "access.other_community"
    with pytest.raises(BoardError) as err:
        do(session, w, "note", w.huiyi, case_id)
    assert err.value.key == "access.denied"
    assert status_of(session, case_id) == "reported" and steps(session, case_id) == 1


def test_a_grid_worker_reports_only_in_their_grids(session, w):
    with pytest.raises(BoardError) as err:
        report(session, w, grid_id=w.other_grid_id)
    assert err.value.key == "cases.not_your_grid"
    session.rollback()
    with pytest.raises(BoardError) as err:
        report(session, w, grid_id=None)
    assert err.value.key == "cases.grid_required"
    session.rollback()
    with pytest.raises(BoardError) as err:
        report(session, w, actor=w.zhiyuan)
    assert err.value.key == "access.denied"
    session.rollback()
    with pytest.raises(BoardError):
        report(session, w, actor=w.other_shuji)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Case)).one() == 0
    # the secretary may report without a grid; the case is the community's
    case_id = report(session, w, actor=w.shuji, grid_id=None)
    row = session.get(Case, case_id)
    assert (row.community_id, row.grid_id, row.reported_by) == (w.community_id, None, w.shuji.id)


def test_bad_input_is_refused_and_nothing_is_written(session, w):
    for kw, key in [
        ({"category": "ufo"}, "validation.not_a_choice"),
        ({"resident_phone": "12345"}, "volunteers.phone_invalid"),
    ]:
        with pytest.raises(BoardError) as err:
            report(session, w, **kw)
        assert err.value.key == key
        session.rollback()
    with pytest.raises(BoardError) as err:
        cases.case_report(
            session=session,
            actor=w.wangge,
            draft=CaseDraft(category="facilities", description="  ", grid_id=w.grid_id),
        )
    assert err.value.key == "cases.description_required"
    session.rollback()
    assert session.exec(select(func.count()).select_from(Case)).one() == 0
    case_id = case_in(session, w, "reported")
    for action, kw, key in [
        ("decline", {"reason": " "}, "cases.reason_required"),
    ]:
        with pytest.raises(BoardError) as err:
            do(session, w, action, w.shuji, case_id, **kw)
        assert err.value.key == key
    assert steps(session, case_id) == 1


def test_who_sees_a_case(session, w):
    case_id = case_in(session, w, "dispatched")  # reported by wangge, given to wangge
    for actor in (w.admin, w.shuji, w.wangge):
        do(session, w, "note", actor, case_id)
    for actor, key in [
        (w.wangge2, "cases.not_yours"),  # another grid, not theirs
        (w.zhiyuan, "cases.not_yours"),  # a volunteer sees only what is given to them
        (w.other_shuji, "access.other_community"),
    ]:
        with pytest.raises(BoardError) as err:
            do(session, w, "note", actor, case_id)
        assert err.value.key == key
    # given to the volunteer, the volunteer sees it, starts it and feeds back
    other = case_in(session, w, "accepted")
    do(session, w, "dispatch", w.shuji, other, account_id=w.zhiyuan.id)
    do(session, w, "start", w.zhiyuan, other)
    do(session, w, "feedback", w.zhiyuan, other)
    assert status_of(session, other) == "handled"


def test_a_dispatch_goes_to_one_person_team_or_department_of_the_community(session, w):
    case_id = case_in(session, w, "accepted")
    for kw, key in [
        ({"account_id": w.other_shuji.id}, "cases.assignee_invalid"),
        ({"account_id": w.huiyi.id}, "cases.assignee_invalid"),
        ({"account_id": None}, "cases.dispatch_target_required"),
        ({"team_id": w.team_id}, "cases.dispatch_target_required"),  # two targets
        (
            {"account_id": None, "department_id": w.department_id},
            "cases.department_needs_escalation",
        ),
    ]:
        with pytest.raises(BoardError) as err:
            do(session, w, "dispatch", w.shuji, case_id, **kw)
        assert err.value.key == key
    do(session, w, "dispatch", w.shuji, case_id, account_id=None, team_id=w.team_id)
    row = session.get(Case, case_id)
    assert (row.assignee_team_id, row.assignee_account_id) == (w.team_id, None)
    last = session.exec(select(CaseStep).order_by(CaseStep.id.desc())).first()
    assert (last.kind, last.to_whom) == ("dispatch", "红马甲服务队")


def test_the_street_dispatches_an_escalated_case_to_a_department_which_answers(session, w):
    case_id = case_in(session, w, "in_progress")
    do(session, w, "escalate", w.shuji, case_id)
    with pytest.raises(BoardError) as err:
        do(session, w, "dispatch", w.admin, case_id)  # to a person: not for an escalated case
    assert err.value.key == "cases.escalated_to_department"
    later = FRIDAY + timedelta(days=3)  # Monday
    cases.case_dispatch(
        session=session, actor=w.admin, case_id=case_id, department_id=w.department_id, now=later
    )
    session.commit()
    row = session.get(Case, case_id)
    assert (row.status, row.department_id, row.assignee_account_id) == (
        "dispatched",
        w.department_id,
        None,
    )
    assert row.due_on == date(2026, 11, 26)  # a dispatch sets the due from its own day
    do(session, w, "department_answer", w.shuji, case_id)
    assert session.get(Case, case_id).department_answered_at is not None
    with pytest.raises(BoardError) as err:
        do(session, w, "department_answer", w.admin, case_id)
    assert err.value.key == "cases.department_answered"


# --- the time limit ---------------------------------------------------------------------


def dispatched_on(session, w, when: datetime, category="facilities", urgency="normal") -> date:
    case_id = report(session, w, category=category, urgency=urgency)
    do(session, w, "accept", w.shuji, case_id)
    due = cases.case_dispatch(
        session=session, actor=w.shuji, case_id=case_id, account_id=w.wangge.id, now=when
    )
    session.commit()
    assert session.get(Case, case_id).due_on == due
    return due


def test_due_counts_working_days_over_a_weekend(session, w):
    assert dispatched_on(session, w, FRIDAY) == date(2026, 11, 25)  # Mon, Tue, Wed
    assert dispatched_on(session, w, FRIDAY, category="complaint") == date(2026, 12, 9)  # 13
    assert dispatched_on(session, w, FRIDAY, category="neighbour_dispute") == date(2026, 12, 20)
    assert dispatched_on(session, w, FRIDAY, urgency="on_the_spot") == date(2026, 11, 20)


def test_due_counts_over_the_national_holiday(session, w):
    eve = datetime(2026, 9, 30, 15, 0, tzinfo=LOCAL_TZ)
    # 1-7 October are holidays; Saturday 10 October is worked in exchange
    assert dispatched_on(session, w, eve) == date(2026, 10, 10)


def test_due_honours_the_offices_calendar_days_and_the_edited_limit(session, w):
    session.add(CalendarDay(day=date(2026, 11, 23), working=False, note="区里放假"))
    session.commit()
    assert dispatched_on(session, w, FRIDAY) == date(2026, 11, 26)
    session.add(CalendarDay(day=date(2026, 11, 21), working=True, note="周六上班"))
    session.add(CaseLimit(category="facilities", days=1, working_days=True))
    session.commit()
    assert dispatched_on(session, w, FRIDAY) == date(2026, 11, 21)


def test_a_dispatch_after_midnight_counts_from_its_local_day(session, w):
    # 00:30 on Friday in Shanghai is still Thursday in UTC
    friday_early = datetime(2026, 11, 20, 0, 30, tzinfo=LOCAL_TZ)
    assert dispatched_on(session, w, friday_early) == date(2026, 11, 25)


def test_an_extension_moves_the_due_day_with_reason_and_approver(session, w):
    case_id = case_in(session, w, "in_progress")
    due = session.get(Case, case_id).due_on
    for kw, key in [
        ({"new_due": due}, "cases.extend_later"),
        ({"reason": " "}, "cases.reason_required"),
        ({"approved_by": ""}, "cases.approved_by_required"),
    ]:
        with pytest.raises(BoardError) as err:
            do(session, w, "extend", w.shuji, case_id, **kw)
        assert err.value.key == key
    assert session.get(Case, case_id).due_on == due
    do(session, w, "extend", w.shuji, case_id, new_due=due + timedelta(days=5))
    assert session.get(Case, case_id).due_on == due + timedelta(days=5)
    last = session.exec(select(CaseStep).order_by(CaseStep.id.desc())).first()
    assert (last.kind, last.new_due, last.approved_by, last.note) == (
        "extend",
        due + timedelta(days=5),
        "王书记",
        "等配件",
    )


# --- close and call-back ----------------------------------------------------------------


def test_close_keeps_the_first_closing_day(session, w):
    case_id = case_in(session, w, "handled")
    do(session, w, "send_back", w.shuji, case_id)
    assert session.get(Case, case_id).closed_at is None
    do(session, w, "feedback", w.wangge, case_id)
    first = FRIDAY + timedelta(days=1)
    cases.case_close(session=session, actor=w.shuji, case_id=case_id, resolved=False, now=first)
    session.commit()
    cases.case_call_back(session=session, actor=w.shuji, case_id=case_id, level=1, now=first)
    session.commit()
    do(session, w, "start", w.wangge, case_id)
    do(session, w, "feedback", w.wangge, case_id)
    do(session, w, "close", w.shuji, case_id, resolved=True)
    row = session.get(Case, case_id)
    assert row.closed_at == first and row.resolved is True


def test_call_back_levels(session, w):
    satisfied = case_in(session, w, "closed")
    do(session, w, "call_back", w.shuji, satisfied, level=3)
    row = session.get(Case, satisfied)
    assert (row.status, row.satisfaction, row.rectify_due) == ("satisfied", 3, None)

    unhappy = case_in(session, w, "closed")
    do(session, w, "call_back", w.shuji, unhappy, level=2)
    row = session.get(Case, unhappy)
    # the street's 5 working days from Friday 20 November: Mon 23 … Fri 27
    assert (row.status, row.satisfaction, row.rectify_due) == ("rectifying", 2, date(2026, 11, 27))
    kinds = session.exec(
        select(CaseStep.kind, CaseStep.level)
        .where(CaseStep.case_id == unhappy)
        .order_by(CaseStep.id)
    ).all()
    assert kinds[-2:] == [("call_back", 2), ("reopen", None)]
    # the rectification: started, fed back, closed, called back again
    do(session, w, "extend", w.shuji, unhappy, new_due=date(2026, 12, 4))
    assert session.get(Case, unhappy).rectify_due == date(2026, 12, 4)
    for action, actor in [("start", w.wangge), ("feedback", w.wangge), ("close", w.shuji)]:
        do(session, w, action, actor, unhappy)
    do(session, w, "call_back", w.shuji, unhappy, level=5)
    assert status_of(session, unhappy) == "satisfied"

    with pytest.raises(BoardError) as err:
        do(session, w, "call_back", w.shuji, case_in(session, w, "closed"), level=6)
    assert err.value.key == "cases.level_invalid"


def test_no_case_is_satisfied_without_a_recorded_call_back(session, w):
    for status in STATUSES:
        case_in(session, w, status)
    satisfied = session.exec(select(Case).where(Case.status == "satisfied")).all()
    assert satisfied
    for row in satisfied:
        call_backs = session.exec(
            select(CaseStep).where(CaseStep.case_id == row.id, CaseStep.kind == "call_back")
        ).all()
        assert call_backs and call_backs[-1].level == row.satisfaction >= 3
        assert row.called_back_at is not None


# --- case numbers -----------------------------------------------------------------------


def test_case_numbers_count_per_year(session, w):
    first, second = report(session, w), report(session, w)
    assert [session.get(Case, i).number for i in (first, second)] == ["2026-0001", "2026-0002"]
    next_year = cases.case_report(
        session=session,
        actor=w.wangge,
        draft=CaseDraft(category="help", description="求助", grid_id=w.grid_id),
        now=datetime(2027, 1, 1, 0, 5, tzinfo=LOCAL_TZ),  # 2026 in UTC, 2027 in Shanghai
    )
    session.commit()
    assert session.get(Case, next_year).number == "2027-0001"


def test_numbering_continues_after_numbers_already_given(session, w):
    """Cases written without the counter (an import) are not numbered again."""
    session.add(
        Case(
            number="2026-0041",
            community_id=w.community_id,
            source="patrol",
            category="help",
            description="导入",
            reported_by=w.shuji.id,
        )
    )
    session.commit()
    assert session.get(Case, report(session, w)).number == "2026-0042"


def test_two_reporters_at_the_same_moment_get_two_numbers(engine, session, w):
    barrier = threading.Barrier(2)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def reporter() -> None:
        try:
            barrier.wait()
            with db.transaction(engine) as s:
                case_id = cases.case_report(
                    session=s,
                    actor=w.wangge,
                    draft=CaseDraft(category="help", description="同时上报", grid_id=w.grid_id),
                    now=FRIDAY,
                )
                s.flush()
                numbers.append(s.get(Case, case_id).number)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=reporter) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == ["2026-0001", "2026-0002"]
