"""Volunteers (志愿者): registry, profiles, approved hours (签到 and 补录 apart), no-shows
per year, and the service record a volunteer's hours can be exported as. The star
thresholds and levels are services/stars.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from sqlalchemy import ColumnElement, Subquery, and_, case, func, literal
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from models.accounts import Account, Role
from models.base import local, local_today, utcnow
from models.org import Community, Grid
from models.volunteers import (
    HoursMonth,
    HoursSource,
    HoursStatus,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
    Team,
    TeamMember,
    Volunteer,
)
from services import audit, auth, event_months, signups
from services.access import FIELD, STAFF, Actor, get_scoped, mask_phone
from services.checks import valid_phone
from services.db import local_bounds, month_of
from services.errors import BoardError
from services.stars import StarLevel, star_level, star_thresholds

SKILLS = ("elder_care", "first_aid", "errands", "culture", "teaching", "driving", "repair", "it")


def _skills(skills: Iterable[str] | str) -> str:
    items = skills.split(",") if isinstance(skills, str) else skills
    items = [s.strip() for s in items if s and s.strip()]
    unknown = [s for s in items if s not in SKILLS]
    if unknown:
        raise BoardError("volunteers.skill_unknown", skill=unknown[0])
    return ",".join(sorted(set(items)))


def _check_grid(session: Session, grid_id: int | None, community_id: int) -> None:
    if grid_id is not None:
        grid = session.get(Grid, grid_id)
        if grid is None or grid.community_id != community_id:
            raise BoardError("volunteers.grid_invalid")


def volunteer_create(
    *,
    session: Session,
    actor: Actor,
    name: str,
    phone: str,
    community_id: int,
    grid_id: int | None = None,
    skills: Iterable[str] | str = (),
    party_member: bool = False,
    joined_on: date | None = None,
    note: str = "",
    account_id: int | None = None,
) -> int:
    actor.require(STAFF)
    actor.require_community(community_id)
    name = (name or "").strip()
    if not name:
        raise BoardError("volunteers.name_required")
    phone = valid_phone(phone)
    _check_grid(session, grid_id, community_id)
    duplicate = session.exec(
        select(Volunteer.id).where(Volunteer.community_id == community_id, Volunteer.phone == phone)
    ).first()
    if duplicate:
        raise BoardError("volunteers.phone_taken", phone=phone)
    volunteer = Volunteer(
        name=name,
        phone=phone,
        community_id=community_id,
        grid_id=grid_id,
        skills=_skills(skills),
        party_member=party_member,
        joined_on=joined_on or local_today(),
        note=note.strip(),
        account_id=account_id,
    )
    session.add(volunteer)
    audit.record(session, actor_id=actor.id, action="create", row=volunteer)
    return volunteer.id


def volunteer_update(
    *,
    session: Session,
    actor: Actor,
    volunteer_id: int,
    name: str,
    phone: str,
    grid_id: int | None,
    skills: Iterable[str] | str,
    party_member: bool,
    note: str = "",
) -> None:
    volunteer = get_scoped(session, actor, Volunteer, volunteer_id)
    name = (name or "").strip()
    if not name:
        raise BoardError("volunteers.name_required")
    phone = valid_phone(phone)
    _check_grid(session, grid_id, volunteer.community_id)
    duplicate = session.exec(
        select(Volunteer.id).where(
            Volunteer.community_id == volunteer.community_id,
            Volunteer.phone == phone,
            Volunteer.id != volunteer_id,
        )
    ).first()
    if duplicate:
        raise BoardError("volunteers.phone_taken", phone=phone)
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=volunteer,
        values={
            "name": name,
            "phone": phone,
            "grid_id": grid_id,
            "skills": _skills(skills),
            "party_member": party_member,
            "note": note.strip(),
        },
    )


def _upcoming_signups(session: Session, volunteer_id: int, now: datetime) -> list[Signup]:
    """The volunteer's confirmed or waitlisted sign-ups on tasks that have not started
    (and are not cancelled)."""
    return list(
        session.exec(
            select(Signup)
            .join(Task, col(Task.id) == Signup.task_id)
            .where(
                Signup.volunteer_id == volunteer_id,
                col(Signup.status).in_(signups.CANCELLABLE),
                Task.status != TaskStatus.cancelled,
                col(Task.starts_at) > now,
            )
            .order_by(col(Task.starts_at), col(Signup.id))
        )
    )


def volunteer_upcoming_signups(
    *, session: Session, actor: Actor, volunteer_id: int, now: datetime | None = None
) -> int:
    """How many sign-ups deactivating this volunteer would cancel (said before asking)."""
    get_scoped(session, actor, Volunteer, volunteer_id)
    return len(_upcoming_signups(session, volunteer_id, now or utcnow()))


def volunteer_set_active(
    *,
    session: Session,
    actor: Actor,
    volunteer_id: int,
    active: bool,
    now: datetime | None = None,
) -> int:
    """Deactivates (never deletes) a volunteer, or brings them back; their history,
    hours, teams and sign-in account stay.

    Deactivating also cancels their sign-ups on tasks that have not started yet
    (confirmed or waitlisted; each freed place goes to the first on that task's
    waitlist), since an inactive volunteer can no longer sign up or be counted on.
    Returns how many sign-ups were cancelled (0 when reactivating)."""
    volunteer = get_scoped(session, actor, Volunteer, volunteer_id)
    if volunteer.active == active:
        raise BoardError(
            "volunteers.already_active" if active else "volunteers.already_inactive",
            name=volunteer.name,
        )
    now = now or utcnow()
    left_on = None if active else local(now).date()
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=volunteer,
        values={"active": active, "deactivated_on": left_on},
    )
    if active:
        return 0
    upcoming = _upcoming_signups(session, volunteer_id, now)
    for signup in upcoming:
        signups.signup_cancel(session=session, actor=actor, signup_id=signup.id, now=now)
    return len(upcoming)


def approved_hours_subquery() -> Subquery:
    """Approved hours per volunteer (volunteer_id, hours)."""
    return (
        select(col(Signup.volunteer_id), func.coalesce(func.sum(Signup.hours), 0.0).label("hours"))
        .where(Signup.hours_status == HoursStatus.approved)
        .group_by(col(Signup.volunteer_id))
        .subquery()
    )


def no_shows_subquery(year: int) -> Subquery:
    """No-shows per volunteer (volunteer_id, no_shows) on tasks that started in `year`
    (Asia/Shanghai): sign-ups marked as not turning up."""
    begin, finish = local_bounds(date(year, 1, 1), date(year + 1, 1, 1))
    return (
        select(col(Signup.volunteer_id), func.count().label("no_shows"))
        .join(Task, col(Task.id) == Signup.task_id)
        .where(
            Signup.status == SignupStatus.no_show,
            col(Task.starts_at) >= begin,
            col(Task.starts_at) < finish,
        )
        .group_by(col(Signup.volunteer_id))
        .subquery()
    )


@dataclass(frozen=True)
class VolunteerList:
    total: int  # every volunteer matching the filters
    rows: pd.DataFrame  # the first `limit` of them


def volunteer_list(
    *,
    session: Session,
    actor: Actor,
    community_id: int | None = None,
    grid_id: int | None = None,
    team_id: int | None = None,
    skill: str | None = None,
    active: bool | None = True,
    search: str = "",
    limit: int = 500,
    today: date | None = None,
) -> VolunteerList:
    """Volunteers in scope matching the filters: how many in all, and the first `limit`
    (by community and name) with approved hours, stars and no-shows this year (the year
    of `today`); phones masked for non-staff."""

    conditions: list[ColumnElement[bool]] = []
    ids = actor.community_ids(community_id)
    if ids is not None:
        conditions.append(col(Volunteer.community_id).in_(ids))
    if grid_id is not None:
        conditions.append(col(Volunteer.grid_id) == grid_id)
    if team_id is not None:
        members = select(TeamMember.volunteer_id).where(
            TeamMember.team_id == team_id, TeamMember.active
        )
        conditions.append(col(Volunteer.id).in_(members))
    if skill:
        skills = literal(",") + col(Volunteer.skills) + literal(",")
        conditions.append(skills.like(f"%,{skill},%"))
    if active is not None:
        conditions.append(col(Volunteer.active) == active)
    if search.strip():
        like = f"%{search.strip()}%"
        conditions.append(col(Volunteer.name).like(like) | col(Volunteer.phone).like(like))

    total = session.exec(select(func.count()).select_from(Volunteer).where(*conditions)).one()
    hours = approved_hours_subquery()
    missed = no_shows_subquery((today or local_today()).year)
    # sqlmodel's select() types at most four columns: the fifth is named by the Select type
    list_select = Select[Volunteer, str, str | None, float, int]
    found = session.exec(
        list_select(
            Volunteer,
            col(Community.name),
            col(Grid.name),
            func.coalesce(hours.c.hours, 0.0),
            func.coalesce(missed.c.no_shows, 0),
        )
        .join(Community, col(Community.id) == Volunteer.community_id)
        .join(Grid, col(Grid.id) == Volunteer.grid_id, isouter=True)
        .join(hours, hours.c.volunteer_id == Volunteer.id, isouter=True)
        .join(missed, missed.c.volunteer_id == Volunteer.id, isouter=True)
        .where(*conditions)
        .order_by(col(Volunteer.community_id), col(Volunteer.name))
        .limit(limit)
    ).all()
    rows = [
        (v.id, v.name, v.phone, community, grid, v.skills, v.party_member, v.active, h, n)
        for v, community, grid, h, n in found
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "id",
            "name",
            "phone",
            "community",
            "grid",
            "skills",
            "party_member",
            "active",
            "hours",
            "no_shows",
        ],
    )
    if not actor.sees_personal_data:
        frame["phone"] = frame["phone"].map(mask_phone)
    thresholds = star_thresholds(session)
    frame["stars"] = frame["hours"].map(lambda h: star_level(h, thresholds).stars)
    return VolunteerList(total=total, rows=frame)


@dataclass(frozen=True)
class SignupLine:
    signup_id: int
    task_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    hours: float
    hours_status: str
    hours_source: str  # check (签到) or staff (补录)
    entered_by: str  # who entered 补录 hours ("" for 签到)
    reason: str  # why they were entered ("" for 签到)


@dataclass(frozen=True)
class HoursBySource:
    """Approved hours of a volunteer, 签到 (check-in and -out) and 补录 (staff) apart."""

    check: float
    staff: float

    @property
    def total(self) -> float:
        return round(self.check + self.staff, 2)


@dataclass(frozen=True)
class VolunteerProfile:
    id: int
    name: str
    phone: str  # masked unless the actor sees personal data
    community_id: int
    community: str
    grid_id: int | None
    grid: str
    skills: list[str]
    party_member: bool
    joined_on: date
    active: bool
    note: str
    teams: list[str]
    approved_hours: float
    approved_by_source: HoursBySource
    pending_hours: float
    star: StarLevel
    no_shows_by_year: dict[int, int]  # year → no-shows on tasks of that year (staff only)
    signups: list[SignupLine] = field(default_factory=list)
    account_username: str | None = None  # the linked sign-in account, if any


def volunteer_profile(*, session: Session, actor: Actor, volunteer_id: int) -> VolunteerProfile:
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise BoardError("common.not_found")
    own = volunteer.account_id is not None and volunteer.account_id == actor.id
    staff = actor.role in FIELD
    if not own:
        actor.require(FIELD)
        actor.require_community(volunteer.community_id)
    approved_check, approved_staff, pending = session.exec(
        select(
            func.coalesce(func.sum(_hours_if(HoursStatus.approved, HoursSource.check)), 0.0),
            func.coalesce(func.sum(_hours_if(HoursStatus.approved, HoursSource.staff)), 0.0),
            func.coalesce(func.sum(_hours_if(HoursStatus.pending)), 0.0),
        ).where(Signup.volunteer_id == volunteer_id)
    ).one()
    by_source = HoursBySource(round(approved_check, 2), round(approved_staff, 2))
    teams = session.exec(
        select(Team.name)
        .join(TeamMember, and_(col(TeamMember.team_id) == Team.id, col(TeamMember.active)))
        .where(TeamMember.volunteer_id == volunteer_id)
        .order_by(col(Team.name))
    ).all()
    lines = service_lines(session, volunteer_id, limit=50)
    community = session.get(Community, volunteer.community_id)
    assert community is not None  # the volunteer's foreign key
    grid = session.get(Grid, volunteer.grid_id) if volunteer.grid_id else None
    account = session.get(Account, volunteer.account_id) if volunteer.account_id else None
    return VolunteerProfile(
        id=volunteer.id,
        name=volunteer.name,
        phone=volunteer.phone if actor.sees_personal_data or own else mask_phone(volunteer.phone),
        community_id=volunteer.community_id,
        community=community.name,
        grid_id=volunteer.grid_id,
        grid=grid.name if grid else "",
        skills=[s for s in volunteer.skills.split(",") if s],
        party_member=volunteer.party_member,
        joined_on=volunteer.joined_on,
        active=volunteer.active,
        note=volunteer.note if actor.sees_personal_data else "",
        teams=list(teams),
        approved_hours=by_source.total,
        approved_by_source=by_source,
        pending_hours=round(pending, 2),
        star=star_level(by_source.total, star_thresholds(session)),
        no_shows_by_year=_no_shows_by_year(session, volunteer_id) if not own or staff else {},
        signups=lines,
        account_username=account.username if account else None,
    )


def _hours_if(status: HoursStatus, source: HoursSource | None = None) -> ColumnElement[float]:
    """A sign-up's hours when its hours are in `status` (and from `source`, if given),
    else NULL, to be summed."""
    condition = col(Signup.hours_status) == status
    if source is not None:
        condition = and_(condition, col(Signup.hours_source) == source)
    return case((condition, col(Signup.hours)))


def service_lines(session: Session, volunteer_id: int, *, limit: int | None) -> list[SignupLine]:
    """A volunteer's sign-ups, latest task first, with where each one's hours came from."""
    stmt = (
        select(Signup, Task, col(Account.display_name))
        .join(Task, col(Task.id) == Signup.task_id)
        .join(Account, col(Account.id) == Signup.hours_entered_by, isouter=True)
        .where(Signup.volunteer_id == volunteer_id)
        .order_by(col(Task.starts_at).desc(), col(Signup.id).desc())
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        SignupLine(
            s.id,
            s.task_id,
            task.title,
            task.starts_at,
            task.ends_at,
            str(s.status),
            s.hours,
            str(s.hours_status),
            str(s.hours_source),
            entered_by or "",
            s.hours_reason,
        )
        for s, task, entered_by in session.exec(stmt).all()
    ]


def _no_shows_by_year(session: Session, volunteer_id: int) -> dict[int, int]:
    """Year (of the task's start, Asia/Shanghai) → the volunteer's no-shows, latest first."""
    year = func.substr(month_of(session, Task.starts_at), 1, 4)
    rows = session.exec(
        select(year, func.count())
        .select_from(Signup)
        .join(Task, col(Task.id) == Signup.task_id)
        .where(Signup.volunteer_id == volunteer_id, Signup.status == SignupStatus.no_show)
        .group_by(year)
        .order_by(year.desc())
    ).all()
    return {int(y): n for y, n in rows}


def volunteer_of_account(*, session: Session, actor: Actor) -> int | None:
    """The volunteer record linked to the signed-in account, if any."""
    return session.exec(select(Volunteer.id).where(Volunteer.account_id == actor.id)).first()


# --- the volunteer's sign-in account --------------------------------------------------


def volunteer_account_create(
    *, session: Session, actor: Actor, volunteer_id: int, username: str, password: str
) -> int:
    """Creates a volunteer-role sign-in account for this volunteer and links it, in one
    transaction (the account is named after the volunteer, in their community)."""
    volunteer = get_scoped(session, actor, Volunteer, volunteer_id)
    if volunteer.account_id is not None:
        raise BoardError("volunteers.account_linked_already")
    account_id = auth.account_create(
        session=session,
        actor=actor,
        username=username,
        password=password,
        display_name=volunteer.name,
        role=Role.volunteer,
        community_id=volunteer.community_id,
    )
    audit.apply_changes(
        session, actor_id=actor.id, row=volunteer, values={"account_id": account_id}
    )
    return account_id


def volunteer_account_link(
    *, session: Session, actor: Actor, volunteer_id: int, account_id: int
) -> None:
    """Links an existing volunteer-role account (same community, not linked yet)."""
    volunteer = get_scoped(session, actor, Volunteer, volunteer_id)
    if volunteer.account_id is not None:
        raise BoardError("volunteers.account_linked_already")
    if account_id not in {
        a.id
        for a in auth.unlinked_volunteer_accounts(
            session=session, actor=actor, community_id=volunteer.community_id
        )
    }:
        raise BoardError("volunteers.account_invalid")
    audit.apply_changes(
        session, actor_id=actor.id, row=volunteer, values={"account_id": account_id}
    )


# --- figures for the dashboard --------------------------------------------------------


def volunteer_figures(
    *,
    session: Session,
    community_ids: list[int] | None,
    start: date,
    end: date,
    today: date | None = None,
) -> dict:
    """Approved hours, active volunteers and signups for tasks that started in [start, end).
    Sums over the period: `today` (the dashboard's common signature) changes nothing."""
    begin, finish = local_bounds(start, end)
    approved = col(Signup.hours_status) == HoursStatus.approved
    stmt = (
        select(
            func.coalesce(func.sum(_hours_if(HoursStatus.approved)), 0.0),
            func.count(func.distinct(case((approved, col(Signup.volunteer_id))))),
            func.count(case((col(Signup.status).in_(signups.HOLDING), 1))),
        )
        .join(Task, col(Task.id) == Signup.task_id)
        .where(col(Task.starts_at) >= begin, col(Task.starts_at) < finish)
    )
    if community_ids is not None:
        stmt = stmt.where(col(Task.community_id).in_(community_ids))
    hours, active, places = session.exec(stmt).one()
    return {"hours": round(hours, 1), "active_volunteers": active, "signups": places}


def hours_by_month(
    *, session: Session, community_ids: list[int] | None, start: date, end: date
) -> pd.DataFrame:
    """Approved hours per month and community (month as "2026-11", Asia/Shanghai): whole
    months from the counts kept at every write (services/hours_months.py), the days of a
    month cut by the period from the sign-ups of those days."""
    whole, rest = event_months.split(start, end)
    pieces: list[tuple[date, list]] = []  # per part of the period: its rows, in order
    if whole is not None:
        stmt = (
            select(col(HoursMonth.month), col(Community.name), func.sum(HoursMonth.hours))
            .join(Community, col(Community.id) == HoursMonth.community_id)
            .where(
                col(HoursMonth.month) >= whole[0].strftime("%Y-%m"),
                col(HoursMonth.month) < whole[1].strftime("%Y-%m"),
            )
            .group_by(col(HoursMonth.month), col(Community.name))
            .having(func.sum(HoursMonth.signups) > 0)
            .order_by(col(HoursMonth.month), col(Community.name))
        )
        if community_ids is not None:
            stmt = stmt.where(col(HoursMonth.community_id).in_(community_ids))
        pieces.append((whole[0], list(session.exec(stmt).all())))
    for a, b in rest:
        begin, finish = local_bounds(a, b)
        month = month_of(session, Task.starts_at)
        stmt = (
            select(month.label("month"), col(Community.name), func.sum(Signup.hours))
            .join(Task, col(Task.id) == Signup.task_id)
            .join(Community, col(Community.id) == Task.community_id)
            .where(
                Signup.hours_status == HoursStatus.approved,
                col(Task.starts_at) >= begin,
                col(Task.starts_at) < finish,
            )
            .group_by(month, col(Community.name))
            .order_by(month, col(Community.name))
        )
        if community_ids is not None:
            stmt = stmt.where(col(Task.community_id).in_(community_ids))
        pieces.append((a, list(session.exec(stmt).all())))
    rows = [row for _, part in sorted(pieces, key=lambda p: p[0]) for row in part]
    frame = pd.DataFrame(rows, columns=["month", "community", "hours"])
    frame["hours"] = frame["hours"].astype(float).round(1)
    return frame
