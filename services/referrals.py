"""Referrals (转介): a need found on a visit, handed to a named service with a deadline.

A referral is made with the visit that found the need (services/visits.py calls `refer`
in the same transaction), stays open until someone closes it as done or not possible,
with a note, the day and who, and is overdue while open after its deadline. Staff see
the referrals of their communities, a grid worker those of the elders of their grids;
volunteers report needs and the office refers them.

Not here: what a visit records (services/visit_content.py), follow-up tasks
(services/visits.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, case
from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.elders import REFERRAL_SERVICES, Elder, Referral, Visit
from models.org import Grid
from services import audit
from services.access import FIELD, Actor, get_scoped
from services.errors import BoardError

DEFAULT_DAYS = 7  # the deadline a referral is offered with
MAX_DAYS_AHEAD = 90  # a deadline further away is not a referral but a plan
OUTCOMES = ("done", "not_possible")
LIST_LIMIT = 300


def can_refer(actor: Actor) -> bool:
    """Who may refer a need and close a referral: staff and grid workers."""
    return actor.role in FIELD


@dataclass(frozen=True)
class ReferralDraft:
    """A referral asked for with a visit: the service (one of REFERRAL_SERVICES or typed
    in), what is referred (empty: the visit's needs note) and the deadline."""

    service: str
    due_on: date
    need: str = ""


def refer(
    session: Session, actor: Actor, visit: Visit, draft: ReferralDraft, need: str, today: date
) -> Referral:
    """Refers what the visit found (`need`, when the draft names nothing) to a service:
    the service named, a need, and a deadline from today to MAX_DAYS_AHEAD days on."""
    if not can_refer(actor):
        raise BoardError("referrals.volunteer_cannot_refer")
    service = " ".join(draft.service.split())
    what = draft.need.strip() or need.strip()
    if not service:
        raise BoardError("referrals.service_required")
    if not what:
        raise BoardError("referrals.need_required")
    if draft.due_on is None or not today <= draft.due_on <= today + timedelta(MAX_DAYS_AHEAD):
        raise BoardError("referrals.due_invalid", n=MAX_DAYS_AHEAD)
    referral = Referral(
        visit_id=visit.id,
        elder_id=visit.elder_id,
        service=service,
        need=what,
        due_on=draft.due_on,
        created_by=actor.id,
        created_on=today,
    )
    session.add(referral)
    audit.record(session, actor_id=actor.id, action="create", row=referral)
    return referral


def _grids_of(actor: Actor) -> ColumnElement[bool]:
    """SQL: the elder lives in a grid the actor works (grid workers)."""
    return col(Elder.grid_id).in_(select(col(Grid.id)).where(Grid.worker_account_id == actor.id))


def _scoped_elder(session: Session, actor: Actor, elder_id: int) -> Elder:
    """The elder of a referral, for staff of their community or the grid worker of their
    grid."""
    elder = get_scoped(session, actor, Elder, elder_id, roles=FIELD)
    if (
        actor.role == Role.grid_worker
        and not session.exec(
            select(col(Grid.id)).where(Grid.id == elder.grid_id, Grid.worker_account_id == actor.id)
        ).first()
    ):
        raise BoardError("referrals.not_your_grid")
    return elder


def referral_close(
    *,
    session: Session,
    actor: Actor,
    referral_id: int,
    outcome: str,
    note: str,
    closed_on: date | None,
    today: date,
) -> None:
    """Closes an open referral as done or not possible, with a note, on a day from the
    day it was made to today."""
    actor.require(FIELD)
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise BoardError("common.not_found")
    _scoped_elder(session, actor, referral.elder_id)
    if referral.state != "open":
        raise BoardError("referrals.already_closed")
    if outcome not in OUTCOMES:
        raise BoardError("referrals.outcome_invalid")
    if not (note or "").strip():
        raise BoardError("referrals.note_required")
    if closed_on is None or not referral.created_on <= closed_on <= today:
        raise BoardError("referrals.closed_on_invalid", day=referral.created_on.isoformat())
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=referral,
        values={
            "state": outcome,
            "closure_note": note.strip(),
            "closed_on": closed_on,
            "closed_by": actor.id,
            "closed_by_name": actor.display_name,
        },
    )


@dataclass(frozen=True)
class ReferralCard:
    """One referral as the lists show it; `can_close` says whether the actor may close it."""

    id: int
    elder_id: int
    elder: str
    service: str
    named_service: bool  # one of REFERRAL_SERVICES (shown translated), else as typed
    need: str
    due_on: date
    state: str
    created_on: date
    referred_by: str
    closed_on: date | None
    closed_by: str
    closure_note: str
    days_overdue: int  # open past its deadline: days since the deadline; else 0
    can_close: bool

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def referral_list(
    *, session: Session, actor: Actor, today: date, open_only: bool = True
) -> list[ReferralCard]:
    """Referrals in the actor's scope (staff: their communities; a grid worker: the elders
    of their grids), open ones first by deadline (so the overdue lead), then closed ones,
    the latest first."""
    actor.require(FIELD)
    stmt = (
        select(Referral, col(Elder.name), col(Account.display_name))
        .join(Elder, col(Elder.id) == Referral.elder_id)
        .join(Account, col(Account.id) == Referral.created_by)
    )
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(Elder.community_id).in_(ids))
    if actor.role == Role.grid_worker:
        stmt = stmt.where(_grids_of(actor))
    if open_only:
        stmt = stmt.where(Referral.state == "open")
    rows = session.exec(
        stmt.order_by(
            col(Referral.state) != "open",
            case((col(Referral.state) == "open", Referral.due_on)),
            col(Referral.closed_on).desc(),
            col(Referral.id),
        ).limit(LIST_LIMIT)
    ).all()
    return [
        ReferralCard(
            id=r.id,
            elder_id=r.elder_id,
            elder=elder_name,
            service=r.service,
            named_service=r.service in REFERRAL_SERVICES,
            need=r.need,
            due_on=r.due_on,
            state=r.state,
            created_on=r.created_on,
            referred_by=by,
            closed_on=r.closed_on,
            closed_by=r.closed_by_name,
            closure_note=r.closure_note,
            days_overdue=max(0, (today - r.due_on).days) if r.state == "open" else 0,
            can_close=r.state == "open",
        )
        for r, elder_name, by in rows
    ]


@dataclass(frozen=True)
class ReferralLine:
    """A referral as a visit's history shows it."""

    service: str
    named_service: bool
    due_on: date
    state: str
    overdue: bool


def referrals_of_visits(
    *, session: Session, visit_ids: list[int], today: date
) -> dict[int, tuple[ReferralLine, ...]]:
    """The referrals made with each of these visits."""
    found: dict[int, list[ReferralLine]] = {}
    if visit_ids:
        for r in session.exec(
            select(Referral).where(col(Referral.visit_id).in_(visit_ids)).order_by(col(Referral.id))
        ):
            found.setdefault(r.visit_id, []).append(
                ReferralLine(
                    service=r.service,
                    named_service=r.service in REFERRAL_SERVICES,
                    due_on=r.due_on,
                    state=r.state,
                    overdue=r.state == "open" and r.due_on < today,
                )
            )
    return {visit_id: tuple(lines) for visit_id, lines in found.items()}
