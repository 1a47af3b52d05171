"""Service teams (服务队): members, a leader, and the hours they gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from models.org import Community
from models.volunteers import HoursStatus, Signup, Task, Team, TeamMember, Volunteer
from services import audit
from services.access import STAFF, Actor, get_scoped, mask_phone
from services.db import local_bounds
from services.errors import BoardError


def _check_leader(session: Session, leader_id: int | None, community_id: int) -> None:
    if leader_id is not None:
        leader = session.get(Volunteer, leader_id)
        if leader is None or leader.community_id != community_id:
            raise BoardError("teams.leader_invalid")


def team_create(
    *,
    session: Session,
    actor: Actor,
    name: str,
    community_id: int,
    purpose: str = "",
    leader_id: int | None = None,
) -> int:
    actor.require(STAFF)
    actor.require_community(community_id)
    name = (name or "").strip()
    if not name:
        raise BoardError("teams.name_required")
    if session.exec(
        select(Team.id).where(Team.community_id == community_id, Team.name == name)
    ).first():
        raise BoardError("teams.name_taken", name=name)
    _check_leader(session, leader_id, community_id)
    team = Team(name=name, community_id=community_id, purpose=purpose.strip(), leader_id=leader_id)
    session.add(team)
    audit.record(session, actor_id=actor.id, action="create", row=team)
    if leader_id is not None:
        session.flush()
        team_member_add(
            session=session, actor=actor, team_id=team.id, volunteer_id=leader_id, today=None
        )
    return team.id


def team_update(
    *,
    session: Session,
    actor: Actor,
    team_id: int,
    name: str,
    purpose: str,
    leader_id: int | None,
) -> None:
    """Edits name, purpose and leader (active is changed only by team_set_active)."""
    team = get_scoped(session, actor, Team, team_id)
    name = (name or "").strip()
    if not name:
        raise BoardError("teams.name_required")
    if session.exec(
        select(Team.id).where(
            Team.community_id == team.community_id, Team.name == name, Team.id != team_id
        )
    ).first():
        raise BoardError("teams.name_taken", name=name)
    _check_leader(session, leader_id, team.community_id)
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=team,
        values={"name": name, "purpose": purpose.strip(), "leader_id": leader_id},
    )


def team_set_active(*, session: Session, actor: Actor, team_id: int, active: bool) -> None:
    """Deactivates (never deletes) a team, or brings it back. Nothing else changes:
    members, leader and hours stay; an inactive team only takes no new members."""
    team = get_scoped(session, actor, Team, team_id)
    if team.active == active:
        raise BoardError(
            "teams.already_active" if active else "teams.already_inactive", name=team.name
        )
    audit.apply_changes(session, actor_id=actor.id, row=team, values={"active": active})


def team_member_add(
    *, session: Session, actor: Actor, team_id: int, volunteer_id: int, today: date | None
) -> None:
    team = get_scoped(session, actor, Team, team_id)
    if not team.active:
        raise BoardError("teams.inactive")
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.community_id != team.community_id:
        raise BoardError("teams.member_invalid")
    member = session.get(TeamMember, (team_id, volunteer_id))
    if member is not None and member.active:
        raise BoardError("teams.already_member", name=volunteer.name)
    if member is None:
        member = TeamMember(
            team_id=team_id, volunteer_id=volunteer_id, joined_on=today or date.today()
        )
        session.add(member)
    else:
        member.active = True
        session.add(member)
    audit.record(
        session,
        actor_id=actor.id,
        action="member_add",
        row=team,
        changes={"volunteer_id": volunteer_id},
    )


def team_member_remove(*, session: Session, actor: Actor, team_id: int, volunteer_id: int) -> bool:
    """Ends a membership (kept in the records as inactive): the volunteer's hours no
    longer count for the team (see team_list). A leader who leaves leaves the team
    without a leader. Returns whether the volunteer was the leader."""
    team = get_scoped(session, actor, Team, team_id)
    member = session.get(TeamMember, (team_id, volunteer_id))
    if member is None or not member.active:
        raise BoardError("teams.not_member")
    member.active = False
    session.add(member)
    was_leader = team.leader_id == volunteer_id
    if was_leader:
        audit.apply_changes(session, actor_id=actor.id, row=team, values={"leader_id": None})
    audit.record(
        session,
        actor_id=actor.id,
        action="member_remove",
        row=team,
        changes={"volunteer_id": volunteer_id},
    )
    return was_leader


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    community: str
    purpose: str
    leader: str
    leader_id: int | None
    members: int
    hours_month: float
    hours_year: float
    active: bool
    community_id: int = 0


def team_list(*, session: Session, actor: Actor, today: date) -> list[TeamRow]:
    """Teams in scope with member counts and approved hours this month and this year.

    The rule for a team's hours: the approved hours of its *current* members on tasks
    that start in the period (from the 1st of the month / of January, Asia/Shanghai).
    Hours given before someone joined count; a former member's hours do not; a volunteer
    in two teams counts in both, so team figures are not to be added up.
    """
    actor.require(STAFF)
    month_start, _ = local_bounds(today.replace(day=1), today)
    year_start, _ = local_bounds(today.replace(month=1, day=1), today)
    members = (
        select(col(TeamMember.team_id), func.count().label("n"))
        .where(TeamMember.active)
        .group_by(col(TeamMember.team_id))
        .subquery()
    )
    leader = select(col(Volunteer.id), col(Volunteer.name)).subquery()
    stmt = (
        select(Team, Community.name, leader.c.name, members.c.n)
        .join(Community, col(Community.id) == Team.community_id)
        .join(leader, leader.c.id == Team.leader_id, isouter=True)
        .join(members, members.c.team_id == Team.id, isouter=True)
        .order_by(col(Team.community_id), col(Team.name))
    )
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(Team.community_id).in_(ids))
    hours = _team_hours(session, month_start=month_start, year_start=year_start)
    teams = []
    for t, community, leader_name, n in session.exec(stmt):
        this_month, this_year = hours.get(t.id, (0.0, 0.0))
        teams.append(
            TeamRow(
                id=t.id,
                name=t.name,
                community=community,
                purpose=t.purpose,
                leader=leader_name or "",
                leader_id=t.leader_id,
                members=n or 0,
                hours_month=round(this_month, 1),
                hours_year=round(this_year, 1),
                active=t.active,
                community_id=t.community_id,
            )
        )
    return teams


def _team_hours(
    session: Session, *, month_start: datetime, year_start: datetime
) -> dict[int, tuple[float, float]]:
    """Per team: the approved hours of its current members on tasks that start from
    `month_start` and from `year_start` (the rule of team_list)."""

    def since(start: datetime) -> ColumnElement[float]:
        return func.sum(case((col(Task.starts_at) >= start, col(Signup.hours)), else_=0.0))

    rows = session.exec(
        select(col(TeamMember.team_id), since(month_start), since(year_start))
        .join(Signup, col(Signup.volunteer_id) == TeamMember.volunteer_id)
        .join(Task, col(Task.id) == Signup.task_id)
        .where(
            TeamMember.active,
            Signup.hours_status == HoursStatus.approved,
            col(Task.starts_at) >= year_start,
        )
        .group_by(col(TeamMember.team_id))
    )
    return {team_id: (month or 0.0, year or 0.0) for team_id, month, year in rows}


def team_members(*, session: Session, actor: Actor, team_id: int) -> list[tuple[int, str]]:
    get_scoped(session, actor, Team, team_id)
    rows = session.exec(
        select(Volunteer.id, Volunteer.name)
        .join(TeamMember, col(TeamMember.volunteer_id) == Volunteer.id)
        .where(TeamMember.team_id == team_id, TeamMember.active)
        .order_by(col(Volunteer.name))
    )
    return [(vid, name) for vid, name in rows]


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    phone: str  # masked: enough to tell two people of the same name apart


def team_candidates(*, session: Session, actor: Actor, team_id: int) -> list[Candidate]:
    """Every active volunteer of the team's community who is not a current member, by
    name. No row limit: the picker is searchable."""
    team = get_scoped(session, actor, Team, team_id)
    current = select(TeamMember.volunteer_id).where(
        TeamMember.team_id == team_id, TeamMember.active
    )
    rows = session.exec(
        select(Volunteer.id, Volunteer.name, Volunteer.phone)
        .where(
            Volunteer.community_id == team.community_id,
            Volunteer.active,
            col(Volunteer.id).not_in(current),
        )
        .order_by(col(Volunteer.name), col(Volunteer.id))
    )
    return [Candidate(vid, name, mask_phone(phone)) for vid, name, phone in rows]
