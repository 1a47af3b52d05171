"""The 人民调解 record of a dispute case: only disputes, only the office; an agreement
needs its terms, a failed mediation where it was referred; the 回访 on performance only
after an agreement; every save a step of the case."""

from datetime import date

import pytest
from sqlmodel import func, select

from models.cases import CaseStep, Mediation
from services import mediations
from services.errors import BoardError
from services.mediations import MediationDraft
from tests.services.case_setup import CaseWorld, case_world, do, report

TODAY = date(2026, 11, 24)
DRAFT = MediationDraft(
    parties="3号楼502 王某；3号楼402 李某",
    source="application",
    mediator_name="赵调解员",
    facts="楼上漏水，楼下天花板受损",
)


@pytest.fixture
def w(session) -> CaseWorld:
    return case_world(session)


def save(session, w, case_id, actor=None, **kw):
    draft = MediationDraft(**(DRAFT.__dict__ | kw))
    try:
        mediations.mediation_save(
            session=session, actor=actor or w.shuji, case_id=case_id, draft=draft, today=TODAY
        )
    except BoardError:
        session.rollback()
        raise
    session.commit()


def mediation_steps(session, case_id) -> int:
    return session.exec(
        select(func.count())
        .select_from(CaseStep)
        .where(CaseStep.case_id == case_id, CaseStep.kind == "mediation")
    ).one()


def test_a_dispute_is_mediated_to_a_written_agreement_and_its_performance_checked(session, w):
    case_id = report(session, w, category="neighbour_dispute")
    do(session, w, "accept", w.shuji, case_id)
    save(session, w, case_id)  # recorded before the mediation
    save(
        session,
        w,
        case_id,
        mediated_on=date(2026, 11, 22),
        outcome="written",
        terms="王某修好防水层，赔偿李某 800 元",
        perform_by=date(2026, 12, 10),
    )
    row = session.exec(select(Mediation)).one()
    assert (row.outcome, row.terms, row.perform_by, row.referred_to) == (
        "written",
        "王某修好防水层，赔偿李某 800 元",
        date(2026, 12, 10),
        "",
    )
    mediations.mediation_check(
        session=session,
        actor=w.shuji,
        case_id=case_id,
        checked_on=TODAY,
        performed=True,
        note="已赔偿",
        today=TODAY,
    )
    session.commit()
    view = mediations.mediation_of(session=session, actor=w.admin, case_id=case_id)
    assert view is not None and view.agreed
    assert (view.performance_checked_on, view.performed, view.performance_note) == (
        TODAY,
        True,
        "已赔偿",
    )
    assert mediation_steps(session, case_id) == 3
    assert session.exec(select(func.count()).select_from(Mediation)).one() == 1


def test_a_failed_mediation_names_where_it_was_referred(session, w):
    case_id = report(session, w, category="family_dispute")
    with pytest.raises(BoardError) as err:
        save(session, w, case_id, mediated_on=TODAY, outcome="failed")
    assert err.value.key == "mediations.referred_required"
    save(session, w, case_id, mediated_on=TODAY, outcome="failed", referred_to="区法院")
    with pytest.raises(BoardError) as err:
        mediations.mediation_check(
            session=session,
            actor=w.shuji,
            case_id=case_id,
            checked_on=TODAY,
            performed=True,
            note="",
            today=TODAY,
        )
    assert err.value.key == "mediations.no_agreement"


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"outcome": "oral"}, "mediations.day_required"),
        ({"outcome": "oral", "mediated_on": TODAY}, "mediations.terms_required"),
        ({"mediated_on": date(2026, 11, 25)}, "mediations.future"),
        ({"parties": " "}, "mediations.parties_required"),
        ({"mediator_name": ""}, "mediations.mediator_required"),
        ({"source": "rumour"}, "validation.not_a_choice"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(session, w, kw, key):
    case_id = report(session, w, category="property_dispute")
    with pytest.raises(BoardError) as err:
        save(session, w, case_id, **kw)
    assert err.value.key == key
    assert session.exec(select(func.count()).select_from(Mediation)).one() == 0
    assert mediation_steps(session, case_id) == 0


def test_only_disputes_and_only_the_office(session, w):
    lamp = report(session, w, category="facilities")
    with pytest.raises(BoardError) as err:
        save(session, w, lamp)
    assert err.value.key == "mediations.not_a_dispute"
    dispute = report(session, w, category="neighbour_dispute")
    for actor, key in [
        (w.wangge, "access.denied"),
        (w.other_shuji, "access.other_community"),
    ]:
        with pytest.raises(BoardError) as err:
            save(session, w, dispute, actor=actor)
        assert err.value.key == key
    assert session.exec(select(func.count()).select_from(Mediation)).one() == 0
