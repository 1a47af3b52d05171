"""A team (服务队) signed up to a task as a whole.

Each active member goes through the ordinary sign-up (signups.signup_create with the
volunteer's id), so capacity, the waitlist and the overlap rule hold for a team exactly
as for one person: members are placed in name order while places last, the rest wait in
that order. A member the sign-up refuses (already signed up, holding an overlapping
task, inactive) is skipped with the reason; one refusal does not undo the others (each
member's sign-up runs in a savepoint).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from models.volunteers import Task, Team, TeamMember, Volunteer
from services import signups
from services.access import STAFF, Actor, get_scoped
from services.errors import BoardError


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str  # a message key (signups.already, signups.overlap, …)
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TeamSignupResult:
    confirmed: list[str] = field(default_factory=list)  # names that got a place
    waitlisted: list[str] = field(default_factory=list)  # names now waiting, in order
    skipped: list[Skipped] = field(default_factory=list)


def team_sign_up(*, session: Session, actor: Actor, task_id: int, team_id: int) -> TeamSignupResult:
    """Signs up every member of `team_id` to `task_id` (staff of the task's community; the
    team must be of the same community and active). Returns who got a place, who waits
    and who was skipped and why."""
    task = get_scoped(session, actor, Task, task_id, STAFF)
    team = get_scoped(session, actor, Team, team_id, STAFF)
    if team.community_id != task.community_id:
        raise BoardError("team_signup.other_community")
    if not team.active:
        raise BoardError("team_signup.team_inactive")
    members = session.exec(
        select(Volunteer.id, Volunteer.name, Volunteer.active)
        .join(TeamMember, col(TeamMember.volunteer_id) == Volunteer.id)
        .where(TeamMember.team_id == team_id, TeamMember.active)
        .order_by(col(Volunteer.name), col(Volunteer.id))
    ).all()
    if not members:
        raise BoardError("team_signup.no_members")
    confirmed: list[str] = []
    waitlisted: list[str] = []
    skipped: list[Skipped] = []
    for volunteer_id, name, active in members:
        if not active:
            skipped.append(Skipped(name, "signups.volunteer_inactive"))
            continue
        try:
            with session.begin_nested():
                result = signups.signup_create(
                    session=session, actor=actor, task_id=task_id, volunteer_id=volunteer_id
                )
        except BoardError as refusal:
            if refusal.key in (
                "signups.task_cancelled",
                "signups.task_closed",
                "signups.task_past",
            ):
                raise  # the task itself takes nobody: say so once, not per member
            skipped.append(Skipped(name, refusal.key, dict(refusal.params)))
            continue
        (confirmed if result.confirmed else waitlisted).append(name)
    return TeamSignupResult(confirmed, waitlisted, skipped)
