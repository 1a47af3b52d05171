"""Visits recorded in error (记错老人、记错日期): corrected or voided by staff, with a
reason, and kept.

A correction moves a visit to its right day or elder; a void takes it out of every figure
(last visit, the overdue lists and counts, the on-time and monthly visit rates, visits by
month, hazards). Neither deletes anything: the visit stays in the elder's history (a
voided one marked), every change is audited, and the visit aggregates kept in memory are
forgotten (services/visit_memory.py reads the audited visit changes).

Not here: recording a visit (services/visits.py).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from models.elders import Elder, Visit
from services import audit
from services.access import STAFF, Actor, get_scoped
from services.errors import BoardError


def can_fix_visits(actor: Actor) -> bool:
    """Staff correct and void visits; field workers ask the office."""
    return actor.role in STAFF


def _open(session: Session, actor: Actor, visit_id: int, reason: str) -> tuple[Visit, str]:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise BoardError("common.not_found")
    get_scoped(session, actor, Elder, visit.elder_id)
    if visit.voided:
        raise BoardError("visits.already_voided")
    reason = (reason or "").strip()
    if not reason:
        raise BoardError("visits.fix_reason_required")
    return visit, reason


def visit_correct(
    *,
    session: Session,
    actor: Actor,
    visit_id: int,
    visited_on: date | None,
    elder_id: int,
    reason: str,
    today: date,
) -> None:
    """Moves a visit to its right day and elder (one the actor may act on): the day may
    not be in the future, before the elder's registration or after their deactivation."""
    visit, reason = _open(session, actor, visit_id, reason)
    elder = get_scoped(session, actor, Elder, elder_id)
    if visited_on is None or visited_on > today:
        raise BoardError("visits.future")
    if visited_on < elder.registered_on:
        raise BoardError("visits.before_registration", day=elder.registered_on.isoformat())
    if elder.deactivated_on is not None and visited_on > elder.deactivated_on:
        raise BoardError("visits.after_deactivation", day=elder.deactivated_on.isoformat())
    if (visit.visited_on, visit.elder_id) == (visited_on, elder_id):
        raise BoardError("visits.nothing_corrected")
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=visit,
        values={"visited_on": visited_on, "elder_id": elder_id, "fix_reason": reason},
    )


def visit_void(*, session: Session, actor: Actor, visit_id: int, reason: str) -> None:
    """Voids a visit that did not happen: kept in the history, counted nowhere."""
    visit, reason = _open(session, actor, visit_id, reason)
    audit.apply_changes(
        session, actor_id=actor.id, row=visit, values={"voided": True, "fix_reason": reason}
    )
