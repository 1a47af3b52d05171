"""The workflow of a resident's case (需求 → 满意), after the grid-management standard:
上报 → 受理 (or 不予受理) → 派遣 (the clock starts) → 处置 → 反馈 → 核查结案 → 回访评价,
with 吹哨 (the community asks the street, which calls in a department) and 整改 after a
call-back of 不满意 or worse.

FROM says in which statuses each action may be taken; `_may` who may take it. Every
action loads its case through `_visible` (scope: the street admin every case, a
secretary their community's, a grid worker the cases of their grids and those they
reported or were given, a volunteer those given to them), refuses in any other status
naming the status, writes one CaseStep with who and when, and moves Case.updated_at;
the case's changes are audited. A case is never satisfied without a recorded call-back.

The time limit starts at the dispatch: due_on is the dispatch's local day plus the
category's limit (services/case_settings.py), in working days over the office's own
calendar (services/working_days.py), or the same day for 当场解决. Each dispatch sets
it anew from its own day; an extension moves it, with a reason and who approved it.
While a case is rectified, its due day is `rectify_due`.

Lists, one case in full (with its photos) and the 满意清单: services/case_lists.py;
mediation records: services/mediations.py; photos taken at the report and with the
result, in the same transaction: services/case_photos.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Integer, cast, false, func, or_, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.base import local, utcnow
from models.cases import (
    SATISFACTION_LEVELS,
    SATISFIED_FROM,
    Case,
    CaseCategory,
    CaseDepartment,
    CaseNumber,
    CasePhotoStage,
    CaseSource,
    CaseStatus,
    CaseStep,
    CaseStepKind,
    CaseUrgency,
)
from models.elders import Elder, Visit
from models.org import Grid
from models.volunteers import Team
from services import audit, case_photos
from services.access import FIELD, STAFF, Actor
from services.case_settings import calendar_overrides, limit_of
from services.checks import required_text, valid_phone
from services.errors import BoardError, Label
from services.rectifications import rectification_days
from services.working_days import add_working_days

S = CaseStatus


class CaseAction(StrEnum):
    accept = "accept"
    decline = "decline"
    dispatch = "dispatch"
    escalate = "escalate"
    department_answer = "department_answer"
    start = "start"
    feedback = "feedback"
    close = "close"
    send_back = "send_back"
    call_back = "call_back"
    unreachable = "unreachable"
    extend = "extend"
    note = "note"


FINAL = frozenset({S.declined, S.satisfied, S.unreachable})
# the statuses an action may be taken in
FROM: dict[CaseAction, frozenset[CaseStatus]] = {
    CaseAction.accept: frozenset({S.reported}),
    CaseAction.decline: frozenset({S.reported}),
    CaseAction.dispatch: frozenset({S.accepted, S.escalated}),
    CaseAction.escalate: frozenset({S.accepted, S.dispatched, S.in_progress}),
    CaseAction.department_answer: frozenset({S.dispatched}),
    CaseAction.start: frozenset({S.dispatched, S.rectifying}),
    CaseAction.feedback: frozenset({S.dispatched, S.in_progress}),
    CaseAction.close: frozenset({S.handled}),
    CaseAction.send_back: frozenset({S.handled}),
    CaseAction.call_back: frozenset({S.closed}),
    CaseAction.unreachable: frozenset({S.closed}),
    CaseAction.extend: frozenset({S.dispatched, S.in_progress, S.rectifying}),
    CaseAction.note: frozenset(CaseStatus) - FINAL,
}
# actions only the office takes (the secretary of the community, the street admin)
STAFF_ACTIONS = frozenset(
    {
        CaseAction.accept,
        CaseAction.decline,
        CaseAction.department_answer,
        CaseAction.close,
        CaseAction.send_back,
        CaseAction.call_back,
        CaseAction.unreachable,
        CaseAction.extend,
    }
)
# where the clock runs: a case past its due day in these is overdue
RUNNING = frozenset({S.dispatched, S.in_progress, S.rectifying})
ASSIGNABLE_ROLES = frozenset({Role.secretary, Role.grid_worker, Role.volunteer})


# --- who sees which case ----------------------------------------------------------------


def _grids_worked_by(actor: Actor) -> ColumnElement[bool]:
    return col(Case.grid_id).in_(select(col(Grid.id)).where(Grid.worker_account_id == actor.id))


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL: the cases the actor may see (the one home of the rule; lists and every action
    use it)."""
    if actor.role == Role.admin:
        return true()
    if actor.role == Role.secretary:
        return col(Case.community_id) == actor.community_id
    if actor.role == Role.grid_worker:
        return (col(Case.community_id) == actor.community_id) & or_(
            _grids_worked_by(actor),
            col(Case.reported_by) == actor.id,
            col(Case.assignee_account_id) == actor.id,
        )
    if actor.role == Role.volunteer:
        return col(Case.assignee_account_id) == actor.id
    return false()


def can_see_cases(actor: Actor) -> bool:
    return actor.role != Role.display


def visible_case(session: Session, actor: Actor, case_id: int, *, lock: bool = True) -> Case:
    """The case when the actor may see it; locked for the rest of the transaction when it
    is to be changed (two people pressing at once take turns)."""
    if not can_see_cases(actor):
        raise BoardError("access.denied")
    case = session.get(Case, case_id, with_for_update=lock)
    if case is None:
        raise BoardError("common.not_found")
    actor.require_community(case.community_id)
    if not session.exec(select(col(Case.id)).where(Case.id == case_id, visible_to(actor))).first():
        raise BoardError("cases.not_yours")
    return case


# --- who may do what --------------------------------------------------------------------


def _may(actor: Actor, case: Case, action: CaseAction) -> bool:
    """Whether the actor's role (and tie to the case) lets them take the action."""
    if action in STAFF_ACTIONS:
        return actor.role in STAFF
    if action == CaseAction.escalate:  # the community blows the whistle to the street
        return actor.role == Role.secretary
    if action == CaseAction.dispatch:  # an escalated case: the street calls a department
        return actor.role == Role.admin if case.status == S.escalated else actor.role in STAFF
    if action in (CaseAction.start, CaseAction.feedback):
        return actor.role in STAFF or case.assignee_account_id == actor.id
    return True  # a note: anyone who sees the case


def _ready(case: Case, action: CaseAction) -> bool:
    """What the action needs of the case besides its status."""
    if action == CaseAction.department_answer:
        return case.department_id is not None and case.department_answered_at is None
    return True


def allowed_actions(actor: Actor, case: Case) -> tuple[CaseAction, ...]:
    """The actions the actor may take on the case now (what the page offers)."""
    return tuple(
        a for a in CaseAction if case.status in FROM[a] and _may(actor, case, a) and _ready(case, a)
    )


def _take(session: Session, actor: Actor, case_id: int, action: CaseAction) -> Case:
    """The case for `action`: visible to the actor, in a status the action is taken in,
    and the actor's to take; else refused, nothing written."""
    case = visible_case(session, actor, case_id)
    if case.status not in FROM[action]:
        raise BoardError(
            "cases.refused_in_status",
            action=Label(f"cases.action.{action.value}"),
            status=Label(f"cases.status.{case.status.value}"),
        )
    if not _may(actor, case, action):
        raise BoardError("access.denied")
    return case


def add_step(
    session: Session,
    actor: Actor,
    case: Case,
    kind: CaseStepKind,
    now: datetime,
    changes: dict[str, object] | None = None,
    **step: object,
) -> None:
    """Writes the step with who and when, and the case's changes (audited)."""
    audit.apply_changes(
        session, actor_id=actor.id, row=case, values={**(changes or {}), "updated_at": now}
    )
    session.add(
        CaseStep(
            case_id=case.id,
            kind=kind,
            at=now,
            account_id=actor.id,
            account_name=actor.display_name[:40],
            **step,  # type: ignore[arg-type]
        )
    )


# --- 上报: a new case -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseDraft:
    """What an intake form (or a visit) asks for a new case."""

    category: str
    description: str
    source: str = CaseSource.patrol.value
    urgency: str = CaseUrgency.normal.value
    grid_id: int | None = None
    community_id: int | None = None  # the street admin's choice when no grid is given
    place: str = ""
    resident_name: str = ""
    resident_phone: str = ""
    elder_id: int | None = None


def next_number(session: Session, year: int) -> str:
    """The next case number of the year, "2026-0123": a counter row counted up in this
    transaction (a second reporter at the same moment waits for it and gets the next);
    the first of a year starts after any number of that year already given."""
    given = (
        select(func.max(cast(func.substr(col(Case.number), 6), Integer)))
        .where(col(Case.number).like(f"{year}-%"))
        .scalar_subquery()
    )
    bind = session.connection()
    upsert = sqlite_insert if bind.dialect.name == "sqlite" else postgresql_insert
    table = CaseNumber.__table__  # type: ignore[attr-defined]
    stmt = (
        upsert(table)
        .values(year=year, last=func.coalesce(given, 0) + 1)
        .on_conflict_do_update(index_elements=["year"], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return f"{year}-{bind.execute(stmt).scalar_one():04d}"


def _choice(value: str, enum_cls: type[StrEnum], field: str) -> str:
    if value not in {m.value for m in enum_cls}:
        raise BoardError("validation.not_a_choice", field=Label(f"field.{field}"))
    return value


def _place_of(session: Session, actor: Actor, draft: CaseDraft) -> tuple[int, int | None]:
    """The community and grid of a case reported directly: a grid worker names one of
    their grids; a secretary a grid of their community or none; the street admin a grid
    or a community."""
    if draft.grid_id is not None:
        grid = session.get(Grid, draft.grid_id)
        if grid is None or not grid.active:
            raise BoardError("cases.grid_invalid")
        actor.require_community(grid.community_id)
        if actor.role == Role.grid_worker and grid.worker_account_id != actor.id:
            raise BoardError("cases.not_your_grid")
        return grid.community_id, grid.id
    if actor.role == Role.grid_worker:
        raise BoardError("cases.grid_required")
    community_id = actor.community_id if actor.community_id is not None else draft.community_id
    if community_id is None:
        raise BoardError("cases.community_required")
    return community_id, None


def _new_case(
    session: Session,
    actor: Actor,
    draft: CaseDraft,
    community_id: int,
    grid_id: int | None,
    now: datetime,
    **extra: object,
) -> int:
    phone = (draft.resident_phone or "").strip()
    case = Case(
        number=next_number(session, local(now).year),
        community_id=community_id,
        grid_id=grid_id,
        source=CaseSource(_choice(draft.source, CaseSource, "source")),
        category=CaseCategory(_choice(draft.category, CaseCategory, "category")),
        urgency=CaseUrgency(_choice(draft.urgency, CaseUrgency, "urgency")),
        place=" ".join((draft.place or "").split()),
        description=required_text(draft.description, "cases.description_required"),
        resident_name=(draft.resident_name or "").strip(),
        resident_phone=valid_phone(phone) if phone else "",
        reported_at=now,
        reported_by=actor.id,
        updated_at=now,
        **extra,  # type: ignore[arg-type]
    )
    session.add(case)
    audit.record(session, actor_id=actor.id, action="create", row=case)
    session.add(
        CaseStep(
            case_id=case.id,
            kind=CaseStepKind.report,
            at=now,
            account_id=actor.id,
            account_name=actor.display_name[:40],
        )
    )
    return case.id


def case_report(
    *,
    session: Session,
    actor: Actor,
    draft: CaseDraft,
    photos: Sequence[bytes] = (),
    now: datetime | None = None,
) -> int:
    """上报: a grid worker for one of their grids, a secretary for their community, the
    street admin for any; the case waits to be accepted. Up to three photos of what was
    found go with it (a bad one refuses the report). Returns its id."""
    actor.require(FIELD)
    now = now or utcnow()
    community_id, grid_id = _place_of(session, actor, draft)
    elder_id = draft.elder_id
    if elder_id is not None:
        elder = session.get(Elder, elder_id)
        if elder is None or elder.community_id != community_id:
            raise BoardError("cases.elder_invalid")
    prepared = case_photos.prepare(photos)
    case_id = _new_case(session, actor, draft, community_id, grid_id, now, elder_id=elder_id)
    case_photos.attach(session, actor, case_id, CasePhotoStage.report, prepared, now)
    return case_id


def case_report_from_visit(
    session: Session, actor: Actor, visit: Visit, elder: Elder, draft: CaseDraft, need: str
) -> int:
    """A need found on an elder's visit becomes a case in the visit's own transaction
    (services/visits.py): whoever may record the visit reports it, in the elder's grid,
    found on a round (巡查/走访); described as the visit's need when the draft says
    nothing."""
    return _new_case(
        session,
        actor,
        CaseDraft(
            category=draft.category,
            description=(draft.description or "").strip() or need,
            source=CaseSource.patrol.value,
            urgency=draft.urgency,
            place=draft.place,
        ),
        elder.community_id,
        elder.grid_id,
        utcnow(),
        elder_id=elder.id,
        visit_id=visit.id,
    )


# --- 受理 / 不予受理 ----------------------------------------------------------------------


def case_accept(
    *, session: Session, actor: Actor, case_id: int, note: str = "", now: datetime | None = None
) -> None:
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.accept)
    add_step(
        session,
        actor,
        case,
        CaseStepKind.accept,
        now,
        {"status": S.accepted, "accepted_at": now},
        note=(note or "").strip(),
    )


def case_decline(
    *, session: Session, actor: Actor, case_id: int, reason: str, now: datetime | None = None
) -> None:
    """不予受理, with the reason (final)."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.decline)
    reason = required_text(reason, "cases.reason_required")
    add_step(
        session,
        actor,
        case,
        CaseStepKind.decline,
        now,
        {"status": S.declined, "decline_reason": reason},
        note=reason,
    )


# --- 派遣 and 吹哨 ----------------------------------------------------------------------


def due_for(session: Session, case: Case, dispatched_on: date) -> date:
    """The time limit's last day for a case dispatched on `dispatched_on`."""
    if case.urgency == CaseUrgency.on_the_spot:
        return dispatched_on
    limit = limit_of(session, case.category)
    if not limit.working_days:
        return dispatched_on + timedelta(days=limit.days)
    return add_working_days(dispatched_on, limit.days, calendar_overrides(session))


def _target(
    session: Session,
    case: Case,
    account_id: int | None,
    team_id: int | None,
    department_id: int | None,
) -> tuple[dict[str, object], str]:
    """The dispatch's assignee columns and its name: a person or a team of the community
    for an accepted case, a department for an escalated one."""
    if sum(x is not None for x in (account_id, team_id, department_id)) != 1:
        raise BoardError("cases.dispatch_target_required")
    if case.status == S.escalated and department_id is None:
        raise BoardError("cases.escalated_to_department")
    if case.status != S.escalated and department_id is not None:
        raise BoardError("cases.department_needs_escalation")
    none: dict[str, object] = {
        "assignee_account_id": None,
        "assignee_team_id": None,
        "department_id": None,
        "department_answered_at": None,
    }
    if account_id is not None:
        account = session.get(Account, account_id)
        if (
            account is None
            or not account.active
            or account.community_id != case.community_id
            or account.role not in ASSIGNABLE_ROLES
        ):
            raise BoardError("cases.assignee_invalid")
        return none | {"assignee_account_id": account.id}, account.display_name[:80]
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or not team.active or team.community_id != case.community_id:
            raise BoardError("cases.team_invalid")
        return none | {"assignee_team_id": team.id}, team.name
    department = session.get(CaseDepartment, department_id)
    if department is None or not department.active:
        raise BoardError("cases.department_invalid")
    return none | {"department_id": department.id}, department.name


def case_dispatch(
    *,
    session: Session,
    actor: Actor,
    case_id: int,
    account_id: int | None = None,
    team_id: int | None = None,
    department_id: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> date:
    """派遣: to a person (an account of the community) or a volunteer team, or, for an
    escalated case, by the street to a department. The clock starts: returns due_on."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.dispatch)
    changes, to_whom = _target(session, case, account_id, team_id, department_id)
    due = due_for(session, case, local(now).date())
    add_step(
        session,
        actor,
        case,
        CaseStepKind.dispatch,
        now,
        changes | {"status": S.dispatched, "dispatched_at": now, "due_on": due},
        note=(note or "").strip(),
        to_whom=to_whom,
        new_due=due,
    )
    return due


def case_escalate(
    *, session: Session, actor: Actor, case_id: int, reason: str, now: datetime | None = None
) -> None:
    """吹哨: the community cannot solve it and asks the street, with the reason."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.escalate)
    reason = required_text(reason, "cases.reason_required")
    add_step(
        session,
        actor,
        case,
        CaseStepKind.escalate,
        now,
        {"status": S.escalated, "escalated_at": now},
        note=reason,
    )


def case_department_answer(
    *, session: Session, actor: Actor, case_id: int, note: str, now: datetime | None = None
) -> None:
    """报到: the department the case was dispatched to answered (once per dispatch)."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.department_answer)
    if case.department_id is None:
        raise BoardError("cases.no_department")
    if case.department_answered_at is not None:
        raise BoardError("cases.department_answered")
    note = required_text(note, "cases.note_required")
    add_step(
        session,
        actor,
        case,
        CaseStepKind.department_answer,
        now,
        {"department_answered_at": now},
        note=note,
    )


# --- 处置, 反馈, 核查结案 ------------------------------------------------------------------


def case_start(
    *, session: Session, actor: Actor, case_id: int, note: str = "", now: datetime | None = None
) -> None:
    """处置 begins (the assignee, or the office for a team or a department); also the
    start of a rectification."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.start)
    add_step(
        session,
        actor,
        case,
        CaseStepKind.start,
        now,
        {"status": S.in_progress},
        note=(note or "").strip(),
    )


def case_feedback(
    *,
    session: Session,
    actor: Actor,
    case_id: int,
    result: str,
    photos: Sequence[bytes] = (),
    now: datetime | None = None,
) -> None:
    """反馈: what was done, for the office to check, with up to three photos of it."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.feedback)
    result = required_text(result, "cases.result_required")
    case_photos.attach(
        session, actor, case_id, CasePhotoStage.result, case_photos.prepare(photos), now
    )
    add_step(
        session,
        actor,
        case,
        CaseStepKind.feedback,
        now,
        {"status": S.handled, "handled_at": now, "result": result},
        note=result,
    )


def case_close(
    *,
    session: Session,
    actor: Actor,
    case_id: int,
    resolved: bool,
    note: str = "",
    now: datetime | None = None,
) -> None:
    """核查结案: the office checked the result, the need met or not; the case waits for
    its call-back. closed_at is the first closing (a rectification keeps it)."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.close)
    if not isinstance(resolved, bool):
        raise BoardError("cases.resolved_required")
    changes: dict[str, object] = {"status": S.closed, "resolved": resolved}
    if case.closed_at is None:
        changes["closed_at"] = now
    add_step(session, actor, case, CaseStepKind.close, now, changes, note=(note or "").strip())


def case_send_back(
    *, session: Session, actor: Actor, case_id: int, note: str, now: datetime | None = None
) -> None:
    """核查不通过: the result did not hold; back to 处置, with what is missing."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.send_back)
    note = required_text(note, "cases.note_required")
    add_step(
        session, actor, case, CaseStepKind.send_back, now, {"status": S.in_progress}, note=note
    )


# --- 回访评价 ---------------------------------------------------------------------------


def case_call_back(
    *,
    session: Session,
    actor: Actor,
    case_id: int,
    level: int,
    note: str = "",
    now: datetime | None = None,
) -> None:
    """回访: the resident's level (5 非常满意 … 1 非常不满意). 基本满意 or better: satisfied
    (the 满意清单); worse: rectification (整改), due the street's rectification days
    (working days) after the call-back's day."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.call_back)
    if isinstance(level, bool) or level not in SATISFACTION_LEVELS:
        raise BoardError("cases.level_invalid")
    note = (note or "").strip()
    changes: dict[str, object] = {"called_back_at": now, "satisfaction": level}
    if level >= SATISFIED_FROM:
        add_step(
            session,
            actor,
            case,
            CaseStepKind.call_back,
            now,
            changes | {"status": S.satisfied},
            note=note,
            level=level,
        )
        return
    due = add_working_days(
        local(now).date(), rectification_days(session=session), calendar_overrides(session)
    )
    add_step(session, actor, case, CaseStepKind.call_back, now, changes, note=note, level=level)
    add_step(
        session,
        actor,
        case,
        CaseStepKind.reopen,
        now,
        {"status": S.rectifying, "rectify_due": due},
        new_due=due,
    )


def case_unreachable(
    *, session: Session, actor: Actor, case_id: int, note: str, now: datetime | None = None
) -> None:
    """No call-back possible (no resident to ask, or not reached after tries): final,
    never counted satisfied."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.unreachable)
    note = required_text(note, "cases.note_required")
    add_step(
        session, actor, case, CaseStepKind.unreachable, now, {"status": S.unreachable}, note=note
    )


# --- 延期 and notes ---------------------------------------------------------------------


def current_due(case: Case) -> date | None:
    """The day the case must be done by now: the rectification's, else the dispatch's."""
    return case.rectify_due or case.due_on


def case_extend(
    *,
    session: Session,
    actor: Actor,
    case_id: int,
    new_due: date,
    reason: str,
    approved_by: str,
    now: datetime | None = None,
) -> None:
    """延期: a later due day, with the reason and who approved it."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.extend)
    due = current_due(case)
    if not isinstance(new_due, date) or due is None or new_due <= due:
        raise BoardError("cases.extend_later", day=due.isoformat() if due else "")
    reason = required_text(reason, "cases.reason_required")
    approved = " ".join(required_text(approved_by, "cases.approved_by_required").split())
    field = "rectify_due" if case.rectify_due is not None else "due_on"
    add_step(
        session,
        actor,
        case,
        CaseStepKind.extend,
        now,
        {field: new_due},
        note=reason,
        new_due=new_due,
        approved_by=approved,
    )


def case_note(
    *, session: Session, actor: Actor, case_id: int, note: str, now: datetime | None = None
) -> None:
    """A note on an open case, by anyone who sees it."""
    now = now or utcnow()
    case = _take(session, actor, case_id, CaseAction.note)
    add_step(
        session,
        actor,
        case,
        CaseStepKind.note,
        now,
        note=required_text(note, "cases.note_required"),
    )
