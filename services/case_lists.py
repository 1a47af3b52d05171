"""The lists of residents' cases: mine (reported by me or given to me), my grids'
(a grid worker), the community's (the office) with its filters, one case in full with
its history and what the actor may do, and the 满意清单 that can be shown to residents.

Every list is limited and paged in SQL, and only ever holds what services/cases.py
`visible_to` lets the actor see. A resident's phone is masked for everyone but the
office; the 满意清单 holds no name, phone, home or description at all.

Flags: overdue = the clock runs (dispatched, in progress, rectifying) and its due day
(the rectification's, else the dispatch's) is past; due soon = that day is today or the
next working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy import case as when
from sqlalchemy import select as core_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.base import local
from models.cases import (
    DISPUTES,
    Case,
    CaseCategory,
    CaseDepartment,
    CasePhoto,
    CaseStatus,
    CaseStep,
)
from models.elders import Elder
from models.org import Community, Grid
from models.volunteers import Team
from services.access import FIELD, STAFF, Actor, mask_phone
from services.case_settings import calendar_overrides
from services.cases import RUNNING, CaseAction, allowed_actions, visible_case, visible_to
from services.errors import BoardError
from services.working_days import add_working_days

S = CaseStatus
PAGE_SIZE = 20


class StatusGroup(StrEnum):
    open = "open"  # reported … handled: the office or a handler has work to do
    call_back = "call_back"  # closed: waiting for the call-back
    rectifying = "rectifying"
    done = "done"  # satisfied, unreachable, declined


GROUPS: dict[StatusGroup, frozenset[CaseStatus]] = {
    StatusGroup.open: frozenset(
        {S.reported, S.accepted, S.escalated, S.dispatched, S.in_progress, S.handled}
    ),
    StatusGroup.call_back: frozenset({S.closed}),
    StatusGroup.rectifying: frozenset({S.rectifying}),
    StatusGroup.done: frozenset({S.satisfied, S.unreachable, S.declined}),
}


class View(StrEnum):
    mine = "mine"  # reported by me or given to me
    grid = "grid"  # the grids I work (grid workers)
    community = "community"  # every case I may see (the office)


def views_for(actor: Actor) -> tuple[View, ...]:
    """The lists a role has: a volunteer only theirs; a grid worker theirs and their
    grids'; the office every case of its scope (and theirs)."""
    if actor.role in STAFF:
        return (View.community, View.mine)
    if actor.role == Role.grid_worker:
        return (View.grid, View.mine)
    if actor.role == Role.volunteer:
        return (View.mine,)
    return ()


def _due() -> ColumnElement[date]:
    return func.coalesce(col(Case.rectify_due), col(Case.due_on))


def _running() -> ColumnElement[bool]:
    return col(Case.status).in_([s.value for s in RUNNING])


def _overdue(today: date) -> ColumnElement[bool]:
    return and_(_running(), _due() < today)


def _due_soon(today: date, next_day: date) -> ColumnElement[bool]:
    return and_(_running(), _due() >= today, _due() <= next_day)


def _next_working_day(session: Session, today: date) -> date:
    return add_working_days(today, 1, calendar_overrides(session))


@dataclass(frozen=True)
class Filters:
    """The office's filters on a list (all optional)."""

    group: StatusGroup | None = None
    overdue: bool = False
    due_soon: bool = False
    escalated: bool = False  # asked of the street (吹哨), still open
    department_id: int | None = None
    category: str | None = None


def _where(
    actor: Actor, view: View, filters: Filters, today: date, next_day: date
) -> list[ColumnElement[bool]]:
    if view not in views_for(actor):
        raise BoardError("access.denied")
    where = [visible_to(actor)]
    if view == View.mine:
        where.append(
            or_(col(Case.reported_by) == actor.id, col(Case.assignee_account_id) == actor.id)
        )
    elif view == View.grid:
        where.append(
            col(Case.grid_id).in_(select(col(Grid.id)).where(Grid.worker_account_id == actor.id))
        )
    if filters.group is not None:
        where.append(col(Case.status).in_([s.value for s in GROUPS[filters.group]]))
    if filters.overdue:
        where.append(_overdue(today))
    if filters.due_soon:
        where.append(_due_soon(today, next_day))
    if filters.escalated:
        where.append(col(Case.escalated_at).is_not(None))
        where.append(col(Case.status).in_([s.value for s in GROUPS[StatusGroup.open]]))
    if filters.department_id is not None:
        where.append(col(Case.department_id) == filters.department_id)
    if filters.category:
        where.append(col(Case.category) == filters.category)
    return where


@dataclass(frozen=True)
class CaseRow:
    """A case as the lists show it: no resident named."""

    id: int
    number: str
    category: str
    status: str
    urgency: str
    community: str
    grid: str
    place: str
    description: str
    reported_at: datetime
    due: date | None
    to_whom: str  # the person, team or department it was dispatched to
    escalated: bool
    overdue: bool
    due_soon: bool


@dataclass(frozen=True)
class CasePage:
    rows: tuple[CaseRow, ...]
    total: int
    page: int
    pages: int


def _assignee_names() -> tuple[ColumnElement[str], list[tuple[Any, Any]]]:
    """SQL: the name of whom a case was dispatched to, with the outer joins it needs."""
    person, team, dept = aliased(Account), aliased(Team), aliased(CaseDepartment)
    name = func.coalesce(person.display_name, team.name, dept.name, "")
    joins = [
        (person, person.id == Case.assignee_account_id),
        (team, team.id == Case.assignee_team_id),
        (dept, dept.id == Case.department_id),
    ]
    return name, joins


def case_list(
    *,
    session: Session,
    actor: Actor,
    today: date,
    view: View = View.mine,
    filters: Filters = Filters(),
    page: int = 0,
) -> CasePage:
    """One page of a list: the cases still to finish first (the overdue ones leading, then
    those waiting for the office with no due day yet, then by due day), the newest
    reported first among equals; the done ones last, the latest finished first."""
    next_day = _next_working_day(session, today)
    where = _where(actor, view, filters, today, next_day)
    total = session.exec(select(func.count()).select_from(Case).where(*where)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    name, joins = _assignee_names()
    done = col(Case.status).in_([s.value for s in GROUPS[StatusGroup.done]])
    stmt = (
        select(Case, col(Community.name), col(Grid.name), name)
        .join(Community, col(Community.id) == Case.community_id)
        .join(Grid, col(Grid.id) == Case.grid_id, isouter=True)
    )
    for alias, on in joins:
        stmt = stmt.join(alias, on, isouter=True)
    rows = session.exec(
        stmt.where(*where)
        .order_by(
            done,
            _overdue(today).desc(),
            when((done, None), else_=_due().is_not(None)),
            when((done, None), else_=_due()),
            when((done, col(Case.updated_at)), else_=col(Case.reported_at)).desc(),
            col(Case.id).desc(),
        )
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return CasePage(
        rows=tuple(
            _row(c, community, grid, to_whom, today, next_day)
            for c, community, grid, to_whom in rows
        ),
        total=total,
        page=page,
        pages=pages,
    )


def _row(
    case: Case, community: str, grid: str | None, to_whom: str, today: date, next_day: date
) -> CaseRow:
    due = case.rectify_due or case.due_on
    running = case.status in RUNNING and due is not None
    return CaseRow(
        id=case.id,
        number=case.number,
        category=case.category.value,
        status=case.status.value,
        urgency=case.urgency.value,
        community=community,
        grid=grid or "",
        place=case.place,
        description=case.description,
        reported_at=case.reported_at,
        due=due,
        to_whom=to_whom or "",
        escalated=case.escalated_at is not None,
        overdue=running and due < today,  # type: ignore[operator]
        due_soon=running and today <= due <= next_day,  # type: ignore[operator]
    )


@dataclass(frozen=True)
class CaseCounts:
    """The numbers beside the lists."""

    mine: int
    grid: int
    open: int
    overdue: int
    due_soon: int
    escalated: int
    call_back: int
    rectifying: int


def case_counts(*, session: Session, actor: Actor, today: date) -> CaseCounts:
    """How many cases of the actor's scope are in each list (one query)."""
    if actor.role == Role.display:
        raise BoardError("access.denied")
    next_day = _next_working_day(session, today)

    def count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(when((and_(*conditions), 1), else_=0)), 0)

    mine = or_(col(Case.reported_by) == actor.id, col(Case.assignee_account_id) == actor.id)
    grid = col(Case.grid_id).in_(select(col(Grid.id)).where(Grid.worker_account_id == actor.id))
    open_ = col(Case.status).in_([s.value for s in GROUPS[StatusGroup.open]])
    row = session.execute(  # eight columns: more than sqlmodel's select types
        core_select(
            count(mine),
            count(grid),
            count(open_),
            count(_overdue(today)),
            count(_due_soon(today, next_day)),
            count(open_, col(Case.escalated_at).is_not(None)),
            count(col(Case.status) == S.closed.value),
            count(col(Case.status) == S.rectifying.value),
        ).where(visible_to(actor))
    ).one()
    return CaseCounts(*(int(n) for n in row))


# --- one case in full -------------------------------------------------------------------


@dataclass(frozen=True)
class StepLine:
    kind: str
    at: datetime
    who: str
    note: str
    to_whom: str
    level: int | None
    new_due: date | None
    approved_by: str


@dataclass(frozen=True)
class PhotoThumb:
    """A photo of the case as its card shows it: the thumbnail; the photo itself is read
    when asked for (`case_photo`)."""

    id: int
    stage: str  # report or result (CasePhotoStage)
    thumbnail: bytes
    at: datetime
    who: str


@dataclass(frozen=True)
class CaseDetail:
    """A case with its history and the actions the actor may take (the page shows only
    those)."""

    row: CaseRow
    source: str
    resident_name: str
    resident_phone: str  # masked unless the actor is the office
    elder: str
    decline_reason: str
    result: str
    resolved: bool | None
    satisfaction: int | None
    department_answered_at: datetime | None
    is_dispute: bool
    steps: tuple[StepLine, ...]
    actions: tuple[CaseAction, ...]
    photos: tuple[PhotoThumb, ...]  # in the order taken


def case_detail(*, session: Session, actor: Actor, case_id: int, today: date) -> CaseDetail:
    case = visible_case(session, actor, case_id, lock=False)
    next_day = _next_working_day(session, today)
    community = session.get(Community, case.community_id)
    grid = session.get(Grid, case.grid_id) if case.grid_id else None
    name, joins = _assignee_names()
    stmt = select(name).select_from(Case)
    for alias, on in joins:
        stmt = stmt.join(alias, on, isouter=True)
    to_whom = session.exec(stmt.where(Case.id == case_id)).one()
    elder = session.get(Elder, case.elder_id) if case.elder_id else None
    steps = session.exec(
        select(CaseStep).where(CaseStep.case_id == case_id).order_by(col(CaseStep.id))
    ).all()
    phone = case.resident_phone
    return CaseDetail(
        row=_row(
            case,
            community.name if community else "",
            grid.name if grid else None,
            to_whom,
            today,
            next_day,
        ),
        source=case.source.value,
        resident_name=case.resident_name,
        resident_phone=phone if actor.sees_personal_data or not phone else mask_phone(phone),
        elder=elder.name if elder else "",
        decline_reason=case.decline_reason,
        result=case.result,
        resolved=case.resolved,
        satisfaction=case.satisfaction,
        department_answered_at=case.department_answered_at,
        is_dispute=case.category in DISPUTES,
        steps=tuple(
            StepLine(
                s.kind.value,
                s.at,
                s.account_name,
                s.note,
                s.to_whom,
                s.level,
                s.new_due,
                s.approved_by,
            )
            for s in steps
        ),
        actions=allowed_actions(actor, case),
        photos=_thumbs(session, case_id),
    )


def _thumbs(session: Session, case_id: int) -> tuple[PhotoThumb, ...]:
    rows = session.execute(  # five columns: more than sqlmodel's select types
        core_select(
            col(CasePhoto.id),
            col(CasePhoto.stage),
            col(CasePhoto.thumbnail),
            col(CasePhoto.created_at),
            col(Account.display_name),
        )
        .join(Account, col(Account.id) == CasePhoto.taken_by)
        .where(col(CasePhoto.case_id) == case_id)
        .order_by(col(CasePhoto.id))
    ).all()
    return tuple(PhotoThumb(i, stage.value, thumb, at, who) for i, stage, thumb, at, who in rows)


@dataclass(frozen=True)
class PhotoFile:
    data: bytes
    content_type: str
    width: int
    height: int


def case_photo(*, session: Session, actor: Actor, photo_id: int) -> PhotoFile:
    """One photo in full, to whoever may see its case (else refused as the case is)."""
    photo = session.get(CasePhoto, photo_id)
    if photo is None:
        raise BoardError("common.not_found")
    visible_case(session, actor, photo.case_id, lock=False)
    return PhotoFile(photo.data, photo.content_type, photo.width, photo.height)


# --- a case's link ----------------------------------------------------------------------


def case_link(*, session: Session, actor: Actor, case_id: int) -> str | None:
    """What a case's link (/cases?case=N) opens on: None when the actor may see the case,
    else why not, in this order: no such case, a case of another community, a case of
    the community that is not the actor's (another grid's, not reported by or given to
    them). Says nothing more of a case the actor may not see."""
    case = session.get(Case, case_id)
    if case is None:
        return "cases.link.missing"
    ids = actor.community_ids()
    if ids is not None and case.community_id not in ids:
        return "cases.link.elsewhere"
    if not session.exec(select(col(Case.id)).where(Case.id == case_id, visible_to(actor))).first():
        return "cases.link.not_yours"
    return None


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class DispatchChoices:
    """Whom the case may be dispatched to: people and teams of its community, or the
    street's departments (an escalated case)."""

    people: tuple[Choice, ...]
    teams: tuple[Choice, ...]
    departments: tuple[Choice, ...]


def dispatch_choices(*, session: Session, actor: Actor, case_id: int) -> DispatchChoices:
    case = visible_case(session, actor, case_id, lock=False)
    if case.status == S.escalated:
        departments = session.exec(
            select(CaseDepartment.id, CaseDepartment.name)
            .where(col(CaseDepartment.active))
            .order_by(col(CaseDepartment.name))
        ).all()
        return DispatchChoices((), (), tuple(Choice(i, n) for i, n in departments))
    people = session.exec(
        select(Account.id, Account.display_name)
        .where(
            Account.community_id == case.community_id,
            col(Account.active),
            col(Account.role).in_([Role.secretary, Role.grid_worker, Role.volunteer]),
        )
        .order_by(col(Account.role), col(Account.display_name))
    ).all()
    teams = session.exec(
        select(Team.id, Team.name)
        .where(Team.community_id == case.community_id, col(Team.active))
        .order_by(col(Team.name))
    ).all()
    return DispatchChoices(
        tuple(Choice(i, n) for i, n in people), tuple(Choice(i, n) for i, n in teams), ()
    )


@dataclass(frozen=True)
class GridChoice:
    id: int
    name: str
    community: str


def report_grids(*, session: Session, actor: Actor) -> tuple[GridChoice, ...]:
    """The grids the actor may report a case in: a grid worker's own, the office's
    community's (the street admin: every active grid)."""
    actor.require(FIELD)
    stmt = (
        select(Grid.id, Grid.name, Community.name)
        .join(Community, col(Community.id) == Grid.community_id)
        .where(col(Grid.active))
        .order_by(col(Community.name), col(Grid.name))
    )
    if actor.role == Role.grid_worker:
        stmt = stmt.where(Grid.worker_account_id == actor.id)
    elif actor.community_id is not None:
        stmt = stmt.where(Grid.community_id == actor.community_id)
    return tuple(GridChoice(i, n, c) for i, n, c in session.exec(stmt).all())


# --- 满意清单 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfiedRow:
    """A satisfied case as residents may see it: no name, phone, home or description."""

    number: str
    category: str
    grid: str
    month: str  # the month it was closed, 2026-11
    result: str


@dataclass(frozen=True)
class SatisfiedPage:
    rows: tuple[SatisfiedRow, ...]
    total: int
    page: int
    pages: int


def satisfied_list(
    *, session: Session, actor: Actor, community_id: int | None = None, page: int = 0
) -> SatisfiedPage:
    """满意清单: the satisfied cases of the actor's community (the street admin: every
    community, or the one asked for), the latest closed first. Anyone signed in but the
    meeting display (the meeting screen has its own aggregate page)."""
    if actor.role == Role.display:
        raise BoardError("access.denied")
    where: list[ColumnElement[bool]] = [col(Case.status) == S.satisfied.value]
    ids = actor.community_ids(community_id)
    if ids is not None:
        where.append(col(Case.community_id).in_(ids))
    total = session.exec(select(func.count()).select_from(Case).where(*where)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = session.execute(  # five columns: more than sqlmodel's select types
        core_select(
            col(Case.number),
            col(Case.category),
            col(Grid.name),
            col(Case.closed_at),
            col(Case.result),
        )
        .join(Grid, col(Grid.id) == Case.grid_id, isouter=True)
        .where(*where)
        .order_by(col(Case.closed_at).desc(), col(Case.id).desc())
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return SatisfiedPage(
        rows=tuple(
            SatisfiedRow(
                number=number,
                category=CaseCategory(category).value,
                grid=grid or "",
                month=local(closed).strftime("%Y-%m") if closed else "",
                result=result,
            )
            for number, category, grid, closed, result in rows
        ),
        total=total,
        page=page,
        pages=pages,
    )


def case_number_of_visit(*, session: Session, actor: Actor, visit_id: int) -> str | None:
    """The number of the case raised from a visit (the visit form says it), when the
    actor may see the case."""
    return session.exec(
        select(col(Case.number)).where(Case.visit_id == visit_id, visible_to(actor))
    ).first()
