"""The demo's year of residents' cases (issue 13, community size): every case's status is
where its steps lead through the workflow's transitions (written out here, not imported),
its timestamps are in order, its number is unique, and the mix is what an office sees:
most satisfied, a few declined, open, overdue, escalated and rectified, and disputes
mediated with nearly every one ending in an agreement."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models.cases import Case, CaseDepartment, CaseNumber, CaseStep, Mediation
from services import case_figures, db
from tests.conftest import DEMO_TODAY

# step kind -> the statuses it may be taken in, and the status it leaves (None: unchanged)
STEPS = {
    "report": ({None}, "reported"),
    "accept": ({"reported"}, "accepted"),
    "decline": ({"reported"}, "declined"),
    "escalate": ({"accepted", "dispatched", "in_progress"}, "escalated"),
    "dispatch": ({"accepted", "escalated"}, "dispatched"),
    "department_answer": ({"dispatched", "in_progress"}, None),
    "start": ({"dispatched", "rectifying"}, "in_progress"),
    "mediation": ({"dispatched", "in_progress", "handled"}, None),
    "extend": ({"dispatched", "in_progress", "rectifying"}, None),
    "feedback": ({"dispatched", "in_progress"}, "handled"),
    "send_back": ({"handled"}, "in_progress"),
    "close": ({"handled"}, "closed"),
    "call_back": ({"closed"}, None),  # satisfied from 基本满意 (3) up; else reopened
    "reopen": ({"closed"}, "rectifying"),
    "unreachable": ({"closed"}, "unreachable"),
}


@pytest.fixture(scope="module")
def demo(demo_template):
    engine = db.make_engine(f"sqlite:///{demo_template}")
    with Session(engine) as s:
        cases = s.exec(select(Case)).all()
        steps = defaultdict(list)
        for step in s.exec(select(CaseStep).order_by(CaseStep.id)):
            steps[step.case_id].append(step)
        mediations = {m.case_id: m for m in s.exec(select(Mediation))}
        departments = s.exec(select(CaseDepartment)).all()
        numbers = {n.year: n.last for n in s.exec(select(CaseNumber))}
        attention = case_figures.cases_needing_attention(
            session=s, community_ids=None, today=DEMO_TODAY
        )
    engine.dispose()
    return cases, steps, mediations, departments, numbers, attention


def test_every_status_is_where_its_steps_lead(demo):
    cases, steps, *_ = demo
    assert 300 <= len(cases) <= 400  # a community-sized year: about 375
    for case in cases:
        status = None
        for step in steps[case.id]:
            allowed, after = STEPS[step.kind]
            assert status in allowed, (case.number, step.kind, status)
            if step.kind == "call_back":
                after = "satisfied" if step.level >= 3 else None
                assert case.called_back_at is not None
            status = after or status
        assert case.status == status, case.number


def test_timestamps_follow_the_workflow(demo):
    cases, steps, *_ = demo
    for case in cases:
        stamps = [s.at for s in steps[case.id]]
        assert stamps == sorted(stamps), case.number
        assert stamps[0] == case.reported_at and case.updated_at == stamps[-1]
        first = {}
        last = {}
        for step in steps[case.id]:
            first.setdefault(step.kind, step.at)
            last[step.kind] = step.at
        # reported ≤ accepted ≤ dispatched ≤ handled ≤ closed ≤ called back, each first time
        chain = ["report", "accept", "dispatch", "feedback", "close", "call_back"]
        present = [first[k] for k in chain if k in first]
        assert present == sorted(present), case.number
        assert case.accepted_at == first.get("accept")
        assert case.dispatched_at == last.get("dispatch")
        assert case.handled_at == last.get("feedback")  # the latest 反馈 (after 整改)
        assert case.called_back_at == last.get("call_back")
        assert case.reported_at.date() <= DEMO_TODAY + timedelta(days=1)
        assert case.closed_at == first.get("close"), case.number  # the first closing
        kinds = {s.kind for s in steps[case.id]}
        if "dispatch" in kinds:
            assert case.due_on is not None
            assert (
                sum(
                    x is not None
                    for x in (case.assignee_account_id, case.assignee_team_id, case.department_id)
                )
                == 1
            )


def test_numbers_are_unique_per_year_and_counted(demo):
    cases, _, _, _, numbers, _ = demo
    given = [c.number for c in cases]
    assert len(set(given)) == len(given)
    assert all(re.fullmatch(r"20\d\d-\d{4}", n) for n in given)
    per_year = Counter(int(n[:4]) for n in given)
    assert numbers == dict(per_year)  # the next case reported continues after them


def test_the_mix_an_office_sees(demo):
    cases, steps, mediations, departments, _, attention = demo
    status = Counter(c.status for c in cases)
    assert status["satisfied"] / len(cases) > 0.8
    assert status["declined"] > 0
    assert attention.open > 0 and attention.overdue > 0
    kinds = Counter(s.kind for case_steps in steps.values() for s in case_steps)
    assert kinds["escalate"] > 0 and kinds["department_answer"] > 0
    assert kinds["reopen"] > 0  # 差评 rectified
    assert kinds["extend"] > 0
    assert {d.name for d in departments} == {
        "城管执法队",
        "房管所",
        "供水公司",
        "派出所",
        "市场监管所",
    }
    assert all(d.contact_name and d.contact_phone for d in departments)
    assert {c.department_id for c in cases if c.department_id} <= {d.id for d in departments}
    disputes = {c.id for c in cases if c.category.endswith("_dispute")}
    assert set(mediations) <= disputes
    mediated = [m for m in mediations.values() if m.outcome is not None]
    assert len(mediated) >= 40  # a street's 200 a year, a quarter of it
    agreed = sum(m.outcome in ("written", "oral") for m in mediated) / len(mediated)
    assert 0.93 <= agreed < 1  # a few fail and are referred on
