"""The 人民调解 record of a dispute case (人民调解法 2011; DOMAIN_RULES §5): the parties,
how the case came (申请/主动/移交/委托), the facts, the mediator, the outcome (an
agreement, written or oral, with its terms and deadline; or none, referred on), and
later the 回访 on whether the agreement is performed.

Only the dispute categories carry one, one per case; the office (secretary, admin)
records and edits it, each save a CaseStep(kind=mediation) in the case's history.
The outcomes feed the figures (services of the dashboard: mediated, success rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models.base import utcnow
from models.cases import (
    DISPUTES,
    Case,
    CaseStatus,
    CaseStepKind,
    Mediation,
    MediationOutcome,
    MediationSource,
)
from services import audit
from services.access import STAFF, Actor
from services.cases import add_step, visible_case
from services.checks import required_text
from services.errors import BoardError, Label

AGREED = frozenset({MediationOutcome.written, MediationOutcome.oral})


@dataclass(frozen=True)
class MediationDraft:
    parties: str
    source: str
    mediator_name: str
    facts: str = ""
    mediated_on: date | None = None
    outcome: str | None = None  # None: not mediated yet
    terms: str = ""
    perform_by: date | None = None
    referred_to: str = ""


def _dispute(session: Session, actor: Actor, case_id: int) -> Case:
    actor.require(STAFF)
    case = visible_case(session, actor, case_id)
    if case.category not in DISPUTES:
        raise BoardError("mediations.not_a_dispute")
    if case.status == CaseStatus.declined:
        raise BoardError("mediations.case_declined")
    return case


def _values(draft: MediationDraft, today: date) -> dict[str, object]:
    """The record's fields from the form: an agreement needs its terms; a failed
    mediation where it was referred; nothing is dated in the future."""
    if draft.source not in {s.value for s in MediationSource}:
        raise BoardError("validation.not_a_choice", field=Label("field.source"))
    outcome = MediationOutcome(draft.outcome) if draft.outcome else None
    if draft.outcome and draft.outcome not in {o.value for o in MediationOutcome}:
        raise BoardError("validation.not_a_choice", field=Label("field.outcome"))
    if draft.mediated_on is not None and draft.mediated_on > today:
        raise BoardError("mediations.future")
    if outcome is not None and draft.mediated_on is None:
        raise BoardError("mediations.day_required")
    terms = (draft.terms or "").strip()
    referred = " ".join((draft.referred_to or "").split())
    if outcome in AGREED and not terms:
        raise BoardError("mediations.terms_required")
    if outcome == MediationOutcome.failed and not referred:
        raise BoardError("mediations.referred_required")
    if draft.perform_by is not None and draft.mediated_on and draft.perform_by < draft.mediated_on:
        raise BoardError("mediations.perform_by_invalid")
    agreed = outcome in AGREED
    return {
        "parties": required_text(draft.parties, "mediations.parties_required"),
        "source": MediationSource(draft.source),
        "facts": (draft.facts or "").strip(),
        "mediator_name": " ".join(
            required_text(draft.mediator_name, "mediations.mediator_required").split()
        ),
        "mediated_on": draft.mediated_on,
        "outcome": outcome,
        "terms": terms if agreed else "",
        "perform_by": draft.perform_by if agreed else None,
        "referred_to": referred if outcome == MediationOutcome.failed else "",
    }


def mediation_save(
    *, session: Session, actor: Actor, case_id: int, draft: MediationDraft, today: date
) -> None:
    """Records the dispute's mediation, or changes it."""
    case = _dispute(session, actor, case_id)
    values = _values(draft, today)
    row = session.exec(select(Mediation).where(Mediation.case_id == case_id)).first()
    if row is None:
        row = Mediation(case_id=case_id, **values)  # type: ignore[arg-type]
        session.add(row)
        audit.record(session, actor_id=actor.id, action="create", row=row)
    else:
        audit.apply_changes(session, actor_id=actor.id, row=row, values=values)
    add_step(session, actor, case, CaseStepKind.mediation, utcnow())


def mediation_check(
    *,
    session: Session,
    actor: Actor,
    case_id: int,
    checked_on: date,
    performed: bool,
    note: str,
    today: date,
) -> None:
    """回访 on the agreement: performed or not, on a day from the mediation to today."""
    case = _dispute(session, actor, case_id)
    row = session.exec(select(Mediation).where(Mediation.case_id == case_id)).first()
    if row is None or row.outcome not in AGREED:
        raise BoardError("mediations.no_agreement")
    if not isinstance(checked_on, date) or checked_on > today:
        raise BoardError("mediations.future")
    if row.mediated_on is not None and checked_on < row.mediated_on:
        raise BoardError("mediations.check_before_mediation", day=row.mediated_on.isoformat())
    if not isinstance(performed, bool):
        raise BoardError("mediations.performed_required")
    note = (note or "").strip()
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=row,
        values={
            "performance_checked_on": checked_on,
            "performed": performed,
            "performance_note": note,
        },
    )
    add_step(session, actor, case, CaseStepKind.mediation, utcnow(), note=note)


@dataclass(frozen=True)
class MediationView:
    parties: str
    source: str
    facts: str
    mediator_name: str
    mediated_on: date | None
    outcome: str | None
    terms: str
    perform_by: date | None
    referred_to: str
    performance_checked_on: date | None
    performed: bool | None
    performance_note: str

    @property
    def agreed(self) -> bool:
        return self.outcome in AGREED


def mediation_of(*, session: Session, actor: Actor, case_id: int) -> MediationView | None:
    """The case's mediation record, for the office (parties are named: staff only)."""
    actor.require(STAFF)
    visible_case(session, actor, case_id, lock=False)
    row = session.exec(select(Mediation).where(Mediation.case_id == case_id)).first()
    if row is None:
        return None
    return MediationView(
        parties=row.parties,
        source=row.source.value,
        facts=row.facts,
        mediator_name=row.mediator_name,
        mediated_on=row.mediated_on,
        outcome=row.outcome.value if row.outcome else None,
        terms=row.terms,
        perform_by=row.perform_by,
        referred_to=row.referred_to,
        performance_checked_on=row.performance_checked_on,
        performed=row.performed,
        performance_note=row.performance_note,
    )
