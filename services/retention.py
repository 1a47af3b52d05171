"""How long personal data is kept (个人信息保护法 art. 19 and 47, 网络安全法 art. 21), and
what the privacy notice says about it.

Three rules, with periods the street admin sets (models.org.Street):

- an elder or a volunteer deactivated more than `inactive_retention_years` ago is
  anonymised: the row stays with its id, community, grid, dates, visits, sign-ups and
  hours (every figure counts it as before), but its name becomes a neutral label
  (已匿名#<id>), its phones, address, guardian, health notes and the free text about the
  person (a visit's notes, a major change's note, a referral's need and closure) are
  cleared, and of the birth date only the year is kept (1 January), for the age groups;
- a registrant's phone is masked in the database (138****5678) once the event ended
  more than `registrant_phone_days` ago; the live events' lookups and check-in by code
  are untouched;
- access-log entries older than `access_log_months` are deleted (services/access_log.py,
  the one deletion the law asks for).

The audit trail of an anonymised row would otherwise keep what was removed (a creation
holds every value, a change the old one beside the new): the same fields are blanked in
its entries, and the run itself is audited with its counts only.

The period counts from an elder's or a volunteer's `deactivated_on` (a volunteer who
left before the column was added was dated from the audit trail by migration 0018). A
person made inactive without one is never anonymised by a guess; the report counts them
as undated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from models.accounts import Role
from models.audit import AuditEntry
from models.base import local
from models.elders import Elder, ElderChange, Referral, Visit
from models.events import Event, Registration
from models.org import Community, Street
from models.privacy import AccessLogEntry, CorrectionRequest
from models.volunteers import Volunteer
from services import access_log, audit
from services.access import Actor, mask_name, mask_phone
from services.db import local_bounds
from services.errors import BoardError
from services.org import street_row

ADMIN = frozenset({Role.admin})
LABEL = "已匿名#{id}"  # the name an anonymised person is left with: stored data, not UI text
CHUNK = 500  # ids per IN (...): well under SQLite's and PostgreSQL's parameter limits

# Each setting's bounds (the database's CHECK constraints, migration 0018): the access log
# at least six months (网络安全法 art. 21).
BOUNDS = {
    "access_log_months": (6, 120),
    "inactive_retention_years": (1, 30),
    "registrant_phone_days": (1, 365),
}

# What anonymising clears, per table: the value each field is left with ("" for text).
ELDER_CLEARED = (
    "phone",
    "address",
    "health_notes",
    "guardian_name",
    "guardian_phone",
    "deactivated_reason",
)
VISIT_NOTES = (
    "health_note",
    "economy_note",
    "family_note",
    "safety_note",
    "needs_raised",
    "follow_up",
)
VOLUNTEER_CLEARED = ("phone", "note")


# --- settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionSettings:
    access_log_months: int
    inactive_retention_years: int
    registrant_phone_days: int


DEFAULTS = RetentionSettings(6, 3, 30)


def retention_settings(*, session: Session) -> RetentionSettings:
    """The street's periods (the defaults while the board has no street row)."""
    row = session.exec(select(Street).order_by(col(Street.id))).first()
    if row is None:
        return DEFAULTS
    return RetentionSettings(
        row.access_log_months, row.inactive_retention_years, row.registrant_phone_days
    )


def retention_settings_set(
    *,
    session: Session,
    actor: Actor,
    access_log_months: int,
    inactive_retention_years: int,
    registrant_phone_days: int,
) -> None:
    """The street admin sets the three periods; a value out of its bounds (or not a whole
    number) is refused with the bounds named, and nothing is written."""
    actor.require(ADMIN)
    values = {
        "access_log_months": access_log_months,
        "inactive_retention_years": inactive_retention_years,
        "registrant_phone_days": registrant_phone_days,
    }
    for field, value in values.items():
        low, high = BOUNDS[field]
        whole = isinstance(value, int | float) and not isinstance(value, bool)
        if not whole or value != int(value) or not low <= value <= high:
            raise BoardError(f"retention.bounds.{field}", low=low, high=high)
    audit.apply_changes(
        session,
        actor_id=actor.id,
        row=street_row(session),
        values={field: int(value) for field, value in values.items()},
    )


# --- the cut-off days ----------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _local_midnight(day: date) -> datetime:
    return local_bounds(day, day)[0]


@dataclass(frozen=True)
class Cutoffs:
    """A record is due when its day is before the cut-off (the period has fully run)."""

    people: date  # deactivated before this day
    registrations: date  # the event ended (local day) before this day
    access_log: date  # logged before local midnight of this day (services/access_log.py)


def cutoffs(session: Session, settings: RetentionSettings, today: date) -> Cutoffs:
    return Cutoffs(
        people=_years_before(today, settings.inactive_retention_years),
        registrations=date.fromordinal(today.toordinal() - settings.registrant_phone_days),
        access_log=access_log.prune_before(session=session, today=today),
    )


# --- what is due --------------------------------------------------------------------------


@dataclass(frozen=True)
class DuePerson:
    """An elder or a volunteer to anonymise, as the admin sees it in the dry run."""

    id: int
    community: str
    name: str  # masked: the report is about dates, not people
    since: date  # deactivated on


@dataclass(frozen=True)
class DueEvent:
    """An event whose registrants' phones are to be masked."""

    event_id: int
    title: str
    community: str
    ended_on: date
    registration_ids: tuple[int, ...]


@dataclass(frozen=True)
class RetentionReport:
    today: date
    settings: RetentionSettings
    cutoffs: Cutoffs
    elders: list[DuePerson]
    volunteers: list[DuePerson]
    events: list[DueEvent]
    access_log_entries: int
    undated: int  # inactive people without a day of deactivation: left as they are

    @property
    def registrations(self) -> int:
        return sum(len(e.registration_ids) for e in self.events)

    @property
    def nothing_due(self) -> bool:
        return not (self.elders or self.volunteers or self.events or self.access_log_entries)


def _communities(session: Session) -> dict[int, str]:
    return dict(session.exec(select(Community.id, Community.name)).all())


def _due_elders(session: Session, before: date) -> tuple[list[Elder], int]:
    inactive = session.exec(
        select(Elder)
        .where(col(Elder.active).is_(False), col(Elder.anonymised_on).is_(None))
        .order_by(col(Elder.deactivated_on), col(Elder.id))
    ).all()
    due = [e for e in inactive if e.deactivated_on is not None and e.deactivated_on < before]
    return due, sum(1 for e in inactive if e.deactivated_on is None)


def _due_volunteers(session: Session, before: date) -> tuple[list[tuple[Volunteer, date]], int]:
    inactive = session.exec(
        select(Volunteer)
        .where(col(Volunteer.active).is_(False), col(Volunteer.anonymised_on).is_(None))
        .order_by(col(Volunteer.deactivated_on), col(Volunteer.id))
    ).all()
    due = [
        (v, v.deactivated_on)
        for v in inactive
        if v.deactivated_on is not None and v.deactivated_on < before
    ]
    return due, sum(1 for v in inactive if v.deactivated_on is None)


def _due_registrations(session: Session, before: date) -> list[tuple[Event, list[int]]]:
    rows = session.exec(
        select(Event, Registration.id)
        .join(Registration, col(Registration.event_id) == Event.id)
        .where(
            col(Registration.phone_masked_on).is_(None),
            col(Event.ends_at) < _local_midnight(before),
        )
        .order_by(col(Event.ends_at), col(Event.id), col(Registration.id))
    ).all()
    by_event: dict[int, tuple[Event, list[int]]] = {}
    for event, registration_id in rows:
        by_event.setdefault(event.id, (event, []))[1].append(registration_id)
    return list(by_event.values())


def _old_access_log(session: Session, before: date) -> int:
    return session.exec(
        select(func.count())
        .select_from(AccessLogEntry)
        .where(col(AccessLogEntry.at) < _local_midnight(before))
    ).one()


def retention_report(*, session: Session, today: date) -> RetentionReport:
    """The dry run: every record each rule would change today, with its day. Writes
    nothing."""
    settings = retention_settings(session=session)
    cut = cutoffs(session, settings, today)
    names = _communities(session)
    elders, undated_elders = _due_elders(session, cut.people)
    volunteers, undated_volunteers = _due_volunteers(session, cut.people)
    return RetentionReport(
        today=today,
        settings=settings,
        cutoffs=cut,
        elders=[
            DuePerson(e.id, names.get(e.community_id, ""), mask_name(e.name), e.deactivated_on)
            for e in elders
            if e.deactivated_on is not None
        ],
        volunteers=[
            DuePerson(v.id, names.get(v.community_id, ""), mask_name(v.name), left)
            for v, left in volunteers
        ],
        events=[
            DueEvent(
                event.id,
                event.title,
                names.get(event.community_id, ""),
                local(event.ends_at).date(),
                tuple(ids),
            )
            for event, ids in _due_registrations(session, cut.registrations)
        ],
        access_log_entries=_old_access_log(session, cut.access_log),
        undated=undated_elders + undated_volunteers,
    )


# --- the real run -------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionDone:
    elders: int
    volunteers: int
    registrations: int
    access_log_entries: int


def apply_retention(*, session: Session, actor: Actor | None, today: date) -> RetentionDone:
    """Applies the three rules in one transaction, audited with the counts. `actor` is
    the street admin on the retention page, None for the server's scheduled run
    (`manage.py retention --apply`). A second run the same day changes nothing."""
    if actor is not None:
        actor.require(ADMIN)
    settings = retention_settings(session=session)
    cut = cutoffs(session, settings, today)
    elders, _ = _due_elders(session, cut.people)
    for elder in elders:
        _anonymise_elder(session, elder, today)
    volunteers, _ = _due_volunteers(session, cut.people)
    for volunteer, _left in volunteers:
        _anonymise_volunteer(session, volunteer, today)
    masked = 0
    for _event, ids in _due_registrations(session, cut.registrations):
        masked += _mask_registrations(session, ids, today)
    pruned = access_log.prune(session, today=today)
    done = RetentionDone(len(elders), len(volunteers), masked, pruned)
    audit.record_event(
        session,
        actor_id=actor.id if actor else None,
        action="retention",
        table_name="retention",
        changes={
            "today": today,
            "elders_anonymised": done.elders,
            "volunteers_anonymised": done.volunteers,
            "registrant_phones_masked": done.registrations,
            "access_log_pruned": done.access_log_entries,
        },
    )
    session.flush()
    return done


def label(row_id: int) -> str:
    return LABEL.format(id=row_id)


def _anonymise_elder(session: Session, elder: Elder, today: date) -> None:
    """Written directly, not through audit.apply_changes: its entry would hold every
    removed value as the old one."""
    values: dict[str, object] = {field: "" for field in ELDER_CLEARED}
    values["name"] = label(elder.id)
    values["birth_date"] = date(elder.birth_date.year, 1, 1)
    _set(elder, values | {"anonymised_on": today})
    session.add(elder)
    _scrub_audit(session, Elder, [elder.id], values)
    visits = session.exec(select(Visit).where(Visit.elder_id == elder.id)).all()
    notes = {field: "" for field in VISIT_NOTES}
    for visit in visits:
        _set(visit, notes)
        session.add(visit)
    _scrub_audit(session, Visit, [v.id for v in visits], notes)
    changes = session.exec(select(ElderChange).where(ElderChange.elder_id == elder.id)).all()
    for change in changes:
        _set(change, {"note": ""})
        session.add(change)
    _scrub_audit(session, ElderChange, [c.id for c in changes], {"note": ""})
    referrals = session.exec(select(Referral).where(Referral.elder_id == elder.id)).all()
    referral_text = {"need": "", "closure_note": ""}
    for referral in referrals:
        _set(referral, referral_text)
        session.add(referral)
    _scrub_audit(session, Referral, [r.id for r in referrals], referral_text)


def _anonymise_volunteer(session: Session, volunteer: Volunteer, today: date) -> None:
    values: dict[str, object] = {field: "" for field in VOLUNTEER_CLEARED}
    values["name"] = label(volunteer.id)
    _set(volunteer, values | {"anonymised_on": today})
    session.add(volunteer)
    _scrub_audit(session, Volunteer, [volunteer.id], values)
    if volunteer.account_id is not None:  # the visits they made carry their name
        visits = session.exec(
            select(Visit).where(Visit.visitor_account_id == volunteer.account_id)
        ).all()
        for visit in visits:
            _set(visit, {"visitor_name": values["name"]})
            session.add(visit)
        _scrub_audit(session, Visit, [v.id for v in visits], {"visitor_name": values["name"]})
    # what they asked to have corrected is data about them too
    requests = session.exec(
        select(CorrectionRequest).where(CorrectionRequest.volunteer_id == volunteer.id)
    ).all()
    texts = {"current_value": "", "requested": "", "resolution": ""}
    for request in requests:
        _set(request, texts)
        session.add(request)
    _scrub_audit(session, CorrectionRequest, [r.id for r in requests], texts)


def _mask_registrations(session: Session, ids: Sequence[int], today: date) -> int:
    count = 0
    for chunk in _chunks(ids):
        rows = session.exec(select(Registration).where(col(Registration.id).in_(chunk))).all()
        for registration in rows:
            masked = mask_phone(registration.phone)
            _scrub_audit(session, Registration, [registration.id], {"phone": masked})
            _set(registration, {"phone": masked, "phone_masked_on": today})
            session.add(registration)
            count += 1
    return count


def _set(row: SQLModel, values: Mapping[str, object]) -> None:
    for field, value in values.items():
        setattr(row, field, value)


def _scrub_audit(
    session: Session, model: type[SQLModel], ids: Sequence[int], values: Mapping[str, object]
) -> None:
    """Puts `values` in place of what the audit entries of these rows hold for the same
    fields (a creation's value, a change's old and new), so the trail keeps who did what
    and when but no longer the data removed."""
    for chunk in _chunks(ids):
        entries = session.exec(
            select(AuditEntry).where(
                AuditEntry.table_name == model.__tablename__, col(AuditEntry.row_id).in_(chunk)
            )
        ).all()
        for entry in entries:
            changes = _loads(entry.changes)
            touched = False
            for field, value in values.items():
                if field not in changes:
                    continue
                plain = value.isoformat() if isinstance(value, date) else value
                old = changes[field]
                changes[field] = [plain, plain] if isinstance(old, list) else plain
                touched = True
            if touched:
                entry.changes = json.dumps(changes, ensure_ascii=False)
                session.add(entry)


def _loads(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _chunks(ids: Sequence[int] | Iterable[int]) -> Iterator[list[int]]:
    items = list(ids)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# --- the privacy notice ---------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeContact:
    community: str
    person_in_charge: str
    office_phone: str


@dataclass(frozen=True)
class NoticeFacts:
    """What the privacy notice states from the data: the periods in force, and whom to
    ask in each active community (its office's public phone and person in charge)."""

    settings: RetentionSettings
    street: str
    contacts: list[OfficeContact]


def privacy_notice(*, session: Session) -> NoticeFacts:
    street = session.exec(select(Street.name).order_by(col(Street.id))).first() or ""
    rows = session.exec(
        select(Community).where(col(Community.active).is_(True)).order_by(col(Community.id))
    ).all()
    return NoticeFacts(
        settings=retention_settings(session=session),
        street=street,
        contacts=[OfficeContact(c.name, c.person_in_charge, c.office_phone) for c in rows],
    )
