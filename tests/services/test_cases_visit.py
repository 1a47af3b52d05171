"""A need found on an elder's visit becomes a case in one step, in the visit's own
transaction: found on a round, in the elder's grid, tied to the elder and the visit;
when the case is refused, the visit is not written either."""

from datetime import date

import pytest
from sqlmodel import func, select

from models.cases import Case, CaseStep
from models.elders import Elder, ElderVisitor, Visit
from services import db, visit_policy, visits
from services.cases import CaseDraft
from services.errors import BoardError
from services.visit_content import Checklist, VisitContent
from tests.services.case_setup import CaseWorld, case_world

TODAY = date(2026, 11, 24)
NEED = VisitContent(needs=Checklist(("adaptation",), "卫生间需要扶手"))


@pytest.fixture
def w(session) -> CaseWorld:
    world = case_world(session)
    visit_policy.ensure_defaults(session)
    session.commit()
    return world


def an_elder(session, w: CaseWorld) -> int:
    row = Elder(
        name="李桂兰",
        birth_date=date(1940, 5, 1),
        address="3号楼2单元501",
        community_id=w.community_id,
        grid_id=w.grid_id,
        registered_on=date(2026, 1, 1),
    )
    session.add(row)
    session.commit()
    return row.id


def record(engine, actor, elder_id, draft):
    with db.transaction(engine) as s:
        return visits.visit_record(
            session=s,
            actor=actor,
            elder_id=elder_id,
            visited_on=TODAY,
            mode="上门",
            today=TODAY,
            content=NEED,
            case=draft,
        )


@pytest.mark.parametrize("who", ["wangge", "zhiyuan"])
def test_a_need_on_a_visit_becomes_a_case(engine, session, w, who):
    elder_id = an_elder(session, w)
    actor = getattr(w, who)
    session.add(ElderVisitor(elder_id=elder_id, account_id=actor.id))
    session.commit()
    visit_id = record(engine, actor, elder_id, CaseDraft(category="help", description=""))
    row = session.exec(select(Case)).one()
    assert (row.source, row.category, row.elder_id, row.visit_id) == (
        "patrol",
        "help",
        elder_id,
        visit_id,
    )
    assert (row.community_id, row.grid_id, row.status, row.reported_by) == (
        w.community_id,
        w.grid_id,
        "reported",
        actor.id,
    )
    assert row.description == "卫生间需要扶手"  # the visit's need, when nothing else is said
    step = session.exec(select(CaseStep)).one()
    assert (step.kind, step.account_id) == ("report", actor.id)


def test_a_refused_case_leaves_no_visit(engine, session, w):
    elder_id = an_elder(session, w)
    with pytest.raises(BoardError):
        record(engine, w.wangge, elder_id, CaseDraft(category="ufo", description="x"))
    assert session.exec(select(func.count()).select_from(Visit)).one() == 0
    assert session.exec(select(func.count()).select_from(Case)).one() == 0
