"""The settings of residents' cases the street admin edits: each category's time limit,
the departments the street calls in (吹哨, 部门报到), and the office's own changes to the
working-day calendar (a local holiday, a weekend day worked).

Time limits follow 12345 practice (DOMAIN_RULES §4): 投诉/举报 13 working days, the
disputes one month of mediation (30 calendar days), everything else 3 working days; a
category without a row of its own keeps its default (DEFAULT_LIMITS, also the rows the
migration inserts). Departments are deactivated, never deleted: old cases name them.
A calendar day is a setting, not a record of anyone's work, so removing it deletes the
row (audited).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from models.accounts import Role
from models.cases import CalendarDay, CaseCategory, CaseDepartment, CaseLimit
from services import audit
from services.access import Actor
from services.checks import required_text, valid_phone
from services.errors import BoardError, Label
from services.working_days import Overrides

ADMIN = frozenset({Role.admin})
LIMIT_DAYS = range(0, 91)


@dataclass(frozen=True)
class Limit:
    """A category's time limit: `days` working days after the dispatch, or calendar days
    when `working_days` is false."""

    days: int
    working_days: bool = True


DEFAULT_LIMITS: dict[CaseCategory, Limit] = {
    CaseCategory.facilities: Limit(3),
    CaseCategory.sanitation: Limit(3),
    CaseCategory.property_dispute: Limit(30, working_days=False),
    CaseCategory.neighbour_dispute: Limit(30, working_days=False),
    CaseCategory.family_dispute: Limit(30, working_days=False),
    CaseCategory.policy: Limit(3),
    CaseCategory.help: Limit(3),
    CaseCategory.complaint: Limit(13),
    CaseCategory.other: Limit(3),
}


# --- time limits ------------------------------------------------------------------------


def limits(*, session: Session) -> dict[CaseCategory, Limit]:
    """Every category's time limit: its row, else its default."""
    found = {
        row.category: Limit(row.days, row.working_days) for row in session.exec(select(CaseLimit))
    }
    return {c: found.get(c.value, DEFAULT_LIMITS[c]) for c in CaseCategory}


def limit_of(session: Session, category: CaseCategory) -> Limit:
    row = session.exec(select(CaseLimit).where(CaseLimit.category == category.value)).first()
    return Limit(row.days, row.working_days) if row else DEFAULT_LIMITS[category]


def limits_set(*, session: Session, actor: Actor, limits: Mapping[str, Limit]) -> int:
    """The street admin sets categories' limits (0 to 90 days, working or calendar), all
    in one step; returns how many changed."""
    actor.require(ADMIN)
    changed = 0
    for category, limit in limits.items():
        if category not in {c.value for c in CaseCategory}:
            raise BoardError("validation.not_a_choice", field=Label("field.category"))
        days = limit.days
        if isinstance(days, bool) or not isinstance(days, int) or days not in LIMIT_DAYS:
            raise BoardError("cases.limit_days_invalid", high=LIMIT_DAYS[-1])
        row = session.exec(select(CaseLimit).where(CaseLimit.category == category)).first()
        if row is None:
            row = CaseLimit(category=category, days=days, working_days=bool(limit.working_days))
            session.add(row)
            audit.record(session, actor_id=actor.id, action="create", row=row)
            changed += 1
        elif audit.apply_changes(
            session,
            actor_id=actor.id,
            row=row,
            values={"days": days, "working_days": bool(limit.working_days)},
        ):
            changed += 1
    return changed


# --- departments ------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    contact_name: str
    contact_phone: str
    active: bool


def department_list(*, session: Session, active_only: bool = False) -> list[DepartmentRow]:
    """The departments, active ones first, by name (any signed-in staff may read them:
    a dispatch names one)."""
    stmt = select(CaseDepartment).order_by(
        col(CaseDepartment.active).desc(), col(CaseDepartment.name)
    )
    if active_only:
        stmt = stmt.where(col(CaseDepartment.active))
    return [
        DepartmentRow(d.id, d.name, d.contact_name, d.contact_phone, d.active)
        for d in session.exec(stmt)
    ]


def _department_values(name: str, contact_name: str, contact_phone: str) -> dict[str, object]:
    phone = (contact_phone or "").strip()
    return {
        "name": " ".join(required_text(name, "cases.department_name_required").split()),
        "contact_name": (contact_name or "").strip(),
        "contact_phone": valid_phone(phone) if phone else "",
    }


def _name_taken(session: Session, name: str, other_than: int | None = None) -> bool:
    stmt = select(col(CaseDepartment.id)).where(CaseDepartment.name == name)
    if other_than is not None:
        stmt = stmt.where(CaseDepartment.id != other_than)
    return session.exec(stmt).first() is not None


def department_create(
    *, session: Session, actor: Actor, name: str, contact_name: str = "", contact_phone: str = ""
) -> int:
    actor.require(ADMIN)
    values = _department_values(name, contact_name, contact_phone)
    if _name_taken(session, str(values["name"])):
        raise BoardError("cases.department_exists", name=values["name"])
    row = CaseDepartment(**values)  # type: ignore[arg-type]
    session.add(row)
    audit.record(session, actor_id=actor.id, action="create", row=row)
    return row.id


def department_update(
    *,
    session: Session,
    actor: Actor,
    department_id: int,
    name: str,
    contact_name: str,
    contact_phone: str,
    active: bool = True,
) -> None:
    """Renames a department, changes its contact, or (active=False) deactivates it."""
    actor.require(ADMIN)
    row = session.get(CaseDepartment, department_id)
    if row is None:
        raise BoardError("common.not_found")
    values = _department_values(name, contact_name, contact_phone)
    if _name_taken(session, str(values["name"]), other_than=department_id):
        raise BoardError("cases.department_exists", name=values["name"])
    audit.apply_changes(
        session, actor_id=actor.id, row=row, values=values | {"active": bool(active)}
    )


# --- the office's calendar days ---------------------------------------------------------


@dataclass(frozen=True)
class CalendarDayRow:
    day: date
    working: bool
    note: str


def calendar_day_list(*, session: Session) -> list[CalendarDayRow]:
    return [
        CalendarDayRow(r.day, r.working, r.note)
        for r in session.exec(select(CalendarDay).order_by(col(CalendarDay.day)))
    ]


def calendar_overrides(session: Session) -> Overrides:
    """The office's changes to the working-day calendar, for services/working_days.py."""
    return {row.day: row.working for row in session.exec(select(CalendarDay))}


def calendar_day_set(
    *, session: Session, actor: Actor, day: date, working: bool, note: str
) -> None:
    """Makes `day` a holiday (working=False) or a working day, with a note saying why
    (a local holiday, a weekend worked in exchange); a day set before is changed."""
    actor.require(ADMIN)
    if not isinstance(day, date):
        raise BoardError("cases.day_required")
    note = required_text(note, "cases.calendar_note_required")
    row = session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day, working=bool(working), note=note)
        session.add(row)
        audit.record(session, actor_id=actor.id, action="create", row=row)
        return
    audit.apply_changes(
        session, actor_id=actor.id, row=row, values={"working": bool(working), "note": note}
    )


def calendar_day_remove(*, session: Session, actor: Actor, day: date) -> None:
    """The day follows the State Council's schedule again."""
    actor.require(ADMIN)
    row = session.get(CalendarDay, day)
    if row is None:
        raise BoardError("common.not_found")
    audit.record(
        session,
        actor_id=actor.id,
        action="delete",
        row=row,
        changes={"day": day, "working": row.working, "note": row.note},
    )
    session.delete(row)
