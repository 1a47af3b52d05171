"""A volunteer's request to correct what the board holds about them (PIPL art. 46: 更正权),
and its resolution by the staff of their community.

The volunteer names what is wrong (one of FIELDS: a field of their record, their hours,
their teams, or "other") and says what is right. While a request about a field is open,
another about the same field is refused: the office answers one at a time. The staff of
the volunteer's community (or the street admin) resolve it:

- done: corrected as asked. For the simple fields of APPLICABLE (name, phone, skills) the
  staff member may apply the value in the same step, through the volunteer update of
  services/volunteers.py (its checks and its audit entry); anything else they correct
  where it lives (hours on the task's roster, a team on 服务队) and mark it done.
- declined: not corrected, with the reason the volunteer reads on 我的信息.

Every step is audited. What the board held when the request was made is kept beside it
(`current_value`), so the staff see what the volunteer saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.base import utcnow
from models.org import Grid
from models.privacy import CorrectionRequest, CorrectionStatus
from models.volunteers import Volunteer
from services import audit, volunteers
from services.access import STAFF, Actor, get_scoped
from services.errors import BoardError

# What a volunteer may ask to correct, in the order the form offers them.
FIELDS = (
    "name",
    "gender",
    "phone",
    "grid",
    "skills",
    "party_member",
    "joined_on",
    "note",
    "teams",
    "hours",
    "other",
)
# The fields staff may correct in the resolving step (services/volunteers.volunteer_update).
APPLICABLE = ("name", "phone", "skills")
REQUESTED_MAX = 500
RESOLUTION_MAX = 500
LIST_LIMIT = 300

Translate = Callable[..., str]


def value_text(field: str, value: str, tr: Translate) -> str:
    """A value of a correction as the reader reads it: skills by name, yes/no for 党员."""
    if field == "skills":
        return "、".join(tr(f"volunteers.skill.{s}") for s in value.split(",") if s)
    if field == "party_member" and value in ("true", "false"):
        return tr("common.yes" if value == "true" else "common.no")
    return value


def _held(session: Session, volunteer: Volunteer, field: str) -> str:
    """What the board holds now for `field`, as text ("" for what is not one value)."""
    if field == "grid":
        grid = session.get(Grid, volunteer.grid_id) if volunteer.grid_id else None
        return grid.name if grid else ""
    if field == "party_member":
        return "true" if volunteer.party_member else "false"
    if field == "joined_on":
        return volunteer.joined_on.isoformat()
    if field in ("name", "gender", "phone", "skills", "note"):
        return str(getattr(volunteer, field))
    return ""


def _skill_codes(text: str) -> str:
    codes = sorted({s.strip() for s in text.split(",") if s.strip()})
    unknown = [s for s in codes if s not in volunteers.SKILLS]
    if unknown:
        raise BoardError("volunteers.skill_unknown", skill=unknown[0])
    return ",".join(codes)


def _own_volunteer(session: Session, actor: Actor) -> Volunteer:
    """The volunteer record of the signed-in volunteer: the only one they may ask about."""
    volunteer_id = volunteers.volunteer_of_account(session=session, actor=actor)
    volunteer = session.get(Volunteer, volunteer_id) if volunteer_id is not None else None
    if actor.role != Role.volunteer or volunteer is None:
        raise BoardError("signups.no_volunteer_record")
    return volunteer


def correction_create(*, session: Session, actor: Actor, field: str, requested: str) -> int:
    """The signed-in volunteer asks for `field` of their own record to be corrected to
    `requested` (skills: comma-separated skill codes). Refused while a request about the
    same field is open."""
    volunteer = _own_volunteer(session, actor)
    if field not in FIELDS:
        raise BoardError("corrections.field_unknown")
    requested = (requested or "").strip()
    if field == "skills":
        requested = _skill_codes(requested)
    if not requested and field != "skills":
        raise BoardError("corrections.requested_required")
    if len(requested) > REQUESTED_MAX:
        raise BoardError("corrections.too_long", n=REQUESTED_MAX)
    already = session.exec(
        select(CorrectionRequest.id).where(
            CorrectionRequest.volunteer_id == volunteer.id,
            CorrectionRequest.field == field,
            CorrectionRequest.status == CorrectionStatus.open,
        )
    ).first()
    if already is not None:
        raise BoardError("corrections.already_open")
    held = _held(session, volunteer, field)
    if field in APPLICABLE and requested == held:
        raise BoardError("corrections.same_as_held")
    row = CorrectionRequest(
        volunteer_id=volunteer.id,
        community_id=volunteer.community_id,
        field=field,
        current_value=held[:200],
        requested=requested,
        created_by=actor.id,
    )
    session.add(row)
    audit.record(session, actor_id=actor.id, action="create", row=row)
    return row.id


def _apply(session: Session, actor: Actor, request: CorrectionRequest, value: str) -> None:
    """Writes `value` into the volunteer's record through the volunteer update (its
    checks: a name, a valid phone not taken, known skills; its audit entry)."""
    if request.field not in APPLICABLE:
        raise BoardError("corrections.cannot_apply")
    volunteer = get_scoped(session, actor, Volunteer, request.volunteer_id)
    fields = {
        "name": volunteer.name,
        "phone": volunteer.phone,
        "skills": volunteer.skills,
    }
    fields[request.field] = _skill_codes(value) if request.field == "skills" else value
    volunteers.volunteer_update(
        session=session,
        actor=actor,
        volunteer_id=volunteer.id,
        grid_id=volunteer.grid_id,
        party_member=volunteer.party_member,
        note=volunteer.note,
        **fields,
    )


def correction_resolve(
    *,
    session: Session,
    actor: Actor,
    correction_id: int,
    done: bool,
    resolution: str = "",
    apply_value: str | None = None,
    now: datetime | None = None,
) -> None:
    """Resolves an open request as done (with `apply_value`: the value written into the
    volunteer's record, for a field of APPLICABLE) or declined (a reason is required).
    Staff of the volunteer's community, or the street admin."""
    request = get_scoped(session, actor, CorrectionRequest, correction_id, STAFF)
    if request.status != CorrectionStatus.open:
        raise BoardError("corrections.already_resolved")
    resolution = (resolution or "").strip()
    if len(resolution) > RESOLUTION_MAX:
        raise BoardError("corrections.too_long", n=RESOLUTION_MAX)
    if not done and not resolution:
        raise BoardError("corrections.reason_required")
    if apply_value is not None:
        if not done:
            raise BoardError("corrections.cannot_apply")
        _apply(session, actor, request, apply_value.strip())
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=request,
        values={
            "status": CorrectionStatus.done if done else CorrectionStatus.declined,
            "resolution": resolution,
            "resolved_by": actor.id,
            "resolved_at": now or utcnow(),
        },
    )


@dataclass(frozen=True)
class CorrectionLine:
    """A request as the volunteer and the staff read it."""

    id: int
    volunteer_id: int
    volunteer: str
    community_id: int
    field: str
    current_value: str
    requested: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str  # the staff member's name ("" while open)
    resolution: str

    @property
    def can_apply(self) -> bool:
        """The staff may write the requested value into the record when resolving."""
        return self.status == CorrectionStatus.open and self.field in APPLICABLE


def _lines(session: Session, *conditions) -> list[CorrectionLine]:
    rows = session.exec(
        select(CorrectionRequest, col(Volunteer.name), col(Account.display_name))
        .join(Volunteer, col(Volunteer.id) == CorrectionRequest.volunteer_id)
        .join(Account, col(Account.id) == CorrectionRequest.resolved_by, isouter=True)
        .where(*conditions)
        .order_by(col(CorrectionRequest.created_at).desc(), col(CorrectionRequest.id).desc())
        .limit(LIST_LIMIT)
    ).all()
    return [
        CorrectionLine(
            id=r.id,
            volunteer_id=r.volunteer_id,
            volunteer=name,
            community_id=r.community_id,
            field=r.field,
            current_value=r.current_value,
            requested=r.requested,
            status=str(r.status),
            created_at=r.created_at,
            resolved_at=r.resolved_at,
            resolved_by=resolver or "",
            resolution=r.resolution,
        )
        for r, name, resolver in rows
    ]


def corrections_of_volunteer(session: Session, volunteer_id: int) -> list[CorrectionLine]:
    """A volunteer's requests, latest first (for their own page and their data export:
    the caller has checked who asks)."""
    return _lines(session, CorrectionRequest.volunteer_id == volunteer_id)


def correction_list(
    *, session: Session, actor: Actor, open_only: bool = True
) -> list[CorrectionLine]:
    """The requests of the actor's communities (staff): the open ones, oldest first, or
    (open_only=False) every request, latest first."""
    actor.require(STAFF)
    conditions: list[ColumnElement[bool]] = []
    ids = actor.community_ids()
    if ids is not None:
        conditions.append(col(CorrectionRequest.community_id).in_(ids))
    if open_only:
        conditions.append(col(CorrectionRequest.status) == CorrectionStatus.open)
        return list(reversed(_lines(session, *conditions)))
    return _lines(session, *conditions)
