"""Reading the audit trail (staff): who changed what, and when, as a person reads it.

Each entry names the record by what people call it (an elder's or volunteer's name, a
task's title, a shop, a case's number) rather than by table and id, says the action in
words and lists the changes field by field, before beside after, in the reader's language
(services/audit_text.py). The names of the records on one page are looked up with one
query per table, never one per entry.

Who sees which entries: the street admin all of them; a secretary the entries about her
community's records (whoever made them: a resident registering on the public page, a
lock after wrong passwords) and the entries made by accounts of her community (an export,
a record since deleted). Personal data of a record of another community is masked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, null, or_
from sqlalchemy.sql import Subquery
from sqlmodel import Session, SQLModel, col, func, select

from models.accounts import Account
from models.audit import AuditEntry
from models.base import local_today
from models.cases import Case, CaseDepartment, CasePhoto, CaseStep, Mediation
from models.certificates import ServiceCertificate
from models.elders import Elder, ElderChange, Referral, Visit, VisitCampaign, VisitTier
from models.events import Event, Registration
from models.imports import ImportBatch
from models.org import Community, Grid, Street
from models.privacy import CorrectionRequest
from models.proxy import (
    Merchant,
    MerchantFiling,
    ProxyRectification,
    ProxyRequest,
    ProxyRequestChange,
)
from models.volunteers import Signup, Task, TaskSeries, Team, Volunteer
from services import audit_text
from services.access import STAFF, Actor, mask_name
from services.db import local_bounds
from services.i18n import translate

PAGE_SIZE = 30  # entries a page shows
DEFAULT_DAYS = 30  # the date filter's default span, ending today


@dataclass(frozen=True)
class _Naming:
    """How the records of one table are named, and which community each belongs to:
    the name, an optional detail (a signup's task, a visit's day) and the joins they need."""

    base: type[SQLModel]
    name: Any
    community: Any = None
    detail: Any = None
    joins: tuple[tuple[type[SQLModel], Any], ...] = ()

    def rows(self) -> Subquery:
        """(id, name, detail, community_id) of every record of the table."""
        stmt = select(
            self.base.id.label("id"),  # type: ignore[attr-defined]
            self.name.label("name"),
            (self.detail if self.detail is not None else null()).label("detail"),
            (self.community if self.community is not None else null()).label("community_id"),
        ).select_from(self.base)
        for target, on in self.joins:
            stmt = stmt.join(target, on)
        return stmt.subquery()


def _day(column: Any) -> Any:
    return cast(column, String)


_NAMING: dict[str, _Naming] = {
    "volunteer": _Naming(Volunteer, Volunteer.name, Volunteer.community_id),
    "elder": _Naming(Elder, Elder.name, Elder.community_id),
    "merchant": _Naming(Merchant, Merchant.shop_name, Merchant.community_id),
    "event": _Naming(Event, Event.title, Event.community_id),
    "task": _Naming(Task, Task.title, Task.community_id),
    "task_series": _Naming(TaskSeries, TaskSeries.title, TaskSeries.community_id),
    "team": _Naming(Team, Team.name, Team.community_id),
    "community": _Naming(Community, Community.name, Community.id),
    "grid": _Naming(Grid, Grid.name, Grid.community_id),
    "street": _Naming(Street, Street.name),
    "account": _Naming(Account, Account.display_name, Account.community_id),
    "resident_case": _Naming(Case, Case.number, Case.community_id),
    "casedepartment": _Naming(CaseDepartment, CaseDepartment.name),
    "visitcampaign": _Naming(VisitCampaign, VisitCampaign.name, VisitCampaign.community_id),
    "visittier": _Naming(VisitTier, VisitTier.name, VisitTier.community_id),
    "servicecertificate": _Naming(
        ServiceCertificate, ServiceCertificate.number, ServiceCertificate.community_id
    ),
    "importbatch": _Naming(ImportBatch, ImportBatch.file_name, ImportBatch.community_id),
    "proxyrequest": _Naming(
        ProxyRequest,
        Merchant.shop_name,
        ProxyRequest.community_id,
        _day(ProxyRequest.requested_on),
        ((Merchant, col(ProxyRequest.merchant_id) == Merchant.id),),
    ),
    "proxyrequestchange": _Naming(
        ProxyRequestChange,
        Merchant.shop_name,
        ProxyRequest.community_id,
        _day(ProxyRequest.requested_on),
        (
            (ProxyRequest, col(ProxyRequestChange.request_id) == ProxyRequest.id),
            (Merchant, col(ProxyRequest.merchant_id) == Merchant.id),
        ),
    ),
    "proxyrectification": _Naming(
        ProxyRectification,
        Merchant.shop_name,
        ProxyRectification.community_id,
        _day(ProxyRectification.opened_on),
        (
            (ProxyRequest, col(ProxyRectification.request_id) == ProxyRequest.id),
            (Merchant, col(ProxyRequest.merchant_id) == Merchant.id),
        ),
    ),
    "merchantfiling": _Naming(
        MerchantFiling,
        Merchant.shop_name,
        Merchant.community_id,
        _day(MerchantFiling.year),
        ((Merchant, col(MerchantFiling.merchant_id) == Merchant.id),),
    ),
    "signup": _Naming(
        Signup,
        Volunteer.name,
        Task.community_id,
        Task.title,
        (
            (Task, col(Signup.task_id) == Task.id),
            (Volunteer, col(Signup.volunteer_id) == Volunteer.id),
        ),
    ),
    "registration": _Naming(
        Registration,
        Registration.name,
        Event.community_id,
        Event.title,
        ((Event, col(Registration.event_id) == Event.id),),
    ),
    "visit": _Naming(
        Visit,
        Elder.name,
        Elder.community_id,
        _day(Visit.visited_on),
        ((Elder, col(Visit.elder_id) == Elder.id),),
    ),
    "referral": _Naming(
        Referral,
        Elder.name,
        Elder.community_id,
        _day(Referral.due_on),
        ((Elder, col(Referral.elder_id) == Elder.id),),
    ),
    "elderchange": _Naming(
        ElderChange,
        Elder.name,
        Elder.community_id,
        _day(ElderChange.occurred_on),
        ((Elder, col(ElderChange.elder_id) == Elder.id),),
    ),
    "casestep": _Naming(
        CaseStep, Case.number, Case.community_id, joins=((Case, col(CaseStep.case_id) == Case.id),)
    ),
    "casephoto": _Naming(
        CasePhoto,
        Case.number,
        Case.community_id,
        joins=((Case, col(CasePhoto.case_id) == Case.id),),
    ),
    "mediation": _Naming(
        Mediation,
        Case.number,
        Case.community_id,
        joins=((Case, col(Mediation.case_id) == Case.id),),
    ),
    "correctionrequest": _Naming(
        CorrectionRequest,
        Volunteer.name,
        CorrectionRequest.community_id,
        CorrectionRequest.field,
        ((Volunteer, col(CorrectionRequest.volunteer_id) == Volunteer.id),),
    ),
}
# Tables whose record name is a person's name (masked for a reader who may not see it).
_PERSON_NAMED = frozenset(
    {"volunteer", "elder", "registration", "signup", "visit", "referral", "elderchange"}
    | {"correctionrequest"}
)
# What names a record that has no id, or is gone: the first of these in its changes.
_NAME_FIELDS = (
    "name",
    "title",
    "shop_name",
    "number",
    "file_name",
    "day",
    "stars",
    "file",
    "category",
)


# --- what a page shows --------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    before: str  # empty for a record's creation
    after: str


@dataclass(frozen=True)
class TrailLine:
    """One entry as a person reads it, in their language."""

    id: int
    at: datetime
    who: str
    action: str
    module: str
    record_type: str
    record: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class TrailPage:
    lines: list[TrailLine]
    total: int  # entries matching the filters
    page: int  # 1-based, clamped to the pages there are
    pages: int


@dataclass(frozen=True)
class TrailFilters:
    """What the reader narrowed the trail to; the dates are local days, both included."""

    start: date = field(default_factory=lambda: local_today() - timedelta(days=DEFAULT_DAYS))
    end: date = field(default_factory=local_today)
    account_id: int | None = None
    module: str | None = None
    record: str = ""


@dataclass(frozen=True)
class Person:
    id: int
    name: str


# --- which entries ------------------------------------------------------------------------


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _about(tables: Iterable[str], which: Any) -> ColumnElement[bool]:
    """Entries about a record of `tables` that `which(rows)` selects, one subquery each."""
    terms = []
    for table in tables:
        rows = _NAMING[table].rows()
        ids = select(rows.c.id).where(which(rows))
        terms.append(and_(col(AuditEntry.table_name) == table, col(AuditEntry.row_id).in_(ids)))
    return or_(*terms) if terms else false()


def _in_scope(actor: Actor) -> ColumnElement[bool] | None:
    """None for the street admin: every entry."""
    ids = actor.community_ids()
    if ids is None:
        return None
    return or_(
        col(Account.community_id).in_(ids),
        _about(_NAMING, lambda rows: rows.c.community_id.in_(ids)),
    )


def _named(text: str) -> ColumnElement[bool]:
    """Entries about a record whose name (or detail: a signup's task) holds `text`."""
    pattern = _like(text)
    return _about(
        _NAMING,
        lambda rows: or_(
            rows.c.name.like(pattern, escape="\\"), rows.c.detail.like(pattern, escape="\\")
        ),
    )


def _where(actor: Actor, filters: TrailFilters) -> list[ColumnElement[bool]]:
    begin, finish = local_bounds(filters.start, filters.end + timedelta(days=1))
    terms = [col(AuditEntry.at) >= begin, col(AuditEntry.at) < finish]
    scope = _in_scope(actor)
    if scope is not None:
        terms.append(scope)
    if filters.account_id is not None:
        terms.append(col(AuditEntry.account_id) == filters.account_id)
    if filters.module:
        tables = [t for t, m in audit_text.MODULES.items() if m == filters.module]
        terms.append(col(AuditEntry.table_name).in_(tables))
    if filters.record.strip():
        terms.append(_named(filters.record.strip()))
    return terms


# --- reading ------------------------------------------------------------------------------


def audit_trail(
    *,
    session: Session,
    actor: Actor,
    lang: str,
    filters: TrailFilters | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> TrailPage:
    """One page of the entries the actor may read that match `filters`, newest first."""
    actor.require(STAFF)
    filters = filters or TrailFilters()
    terms = _where(actor, filters)
    base = select(AuditEntry.id).join(
        Account, col(AuditEntry.account_id) == Account.id, isouter=True
    )
    total = session.exec(select(func.count()).select_from(base.where(*terms).subquery())).one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    stmt = (
        select(AuditEntry, Account.display_name)
        .join(Account, col(AuditEntry.account_id) == Account.id, isouter=True)
        .where(*terms)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    found = [(entry, who, _changes(entry)) for entry, who in session.exec(stmt)]
    names = _names(session, _wanted(found))
    values = audit_text.ValueText(lang, {k: v[0] for k, v in names.items()})
    lines = [
        _line(entry, who, changes, actor, lang, names, values) for entry, who, changes in found
    ]
    return TrailPage(lines, total, page, pages)


def audit_people(*, session: Session, actor: Actor) -> list[Person]:
    """The accounts whose changes the actor may filter by: of her community for a
    secretary, every account for the street admin; by name."""
    actor.require(STAFF)
    stmt = select(Account.id, Account.display_name)
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(Account.community_id).in_(ids))
    return [Person(i, n) for i, n in session.exec(stmt.order_by(Account.display_name))]


def _changes(entry: AuditEntry) -> dict[str, Any]:
    try:
        data = json.loads(entry.changes or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _wanted(found: Iterable[tuple[AuditEntry, object, dict[str, Any]]]) -> dict[str, set[int]]:
    """The records to name: each entry's own, and those its values point to."""
    wanted: dict[str, set[int]] = {}
    for entry, _, changes in found:
        if entry.row_id is not None:
            wanted.setdefault(entry.table_name, set()).add(entry.row_id)
        for name, value in changes.items():
            target = audit_text.reference(entry.table_name, name)
            if target:
                wanted.setdefault(target, set()).update(audit_text.referenced_ids(value))
            if isinstance(value, dict):  # an export's filters
                for key, inner in value.items():
                    inner_target = audit_text.reference(entry.table_name, key)
                    if inner_target:
                        wanted.setdefault(inner_target, set()).update(
                            audit_text.referenced_ids(inner)
                        )
    return wanted


def _names(
    session: Session, wanted: dict[str, set[int]]
) -> dict[tuple[str, int], tuple[str, int | None]]:
    """{(table, id): (name, community_id)}, one query per table."""
    names: dict[tuple[str, int], tuple[str, int | None]] = {}
    for table, ids in wanted.items():
        if table not in _NAMING or not ids:
            continue
        rows = _NAMING[table].rows()
        for rid, name, detail, community_id in session.execute(
            select(rows.c.id, rows.c.name, rows.c.detail, rows.c.community_id).where(
                rows.c.id.in_(sorted(ids))
            )
        ):
            names[(table, rid)] = (f"{name} · {detail}" if detail else str(name), community_id)
    return names


def _line(
    entry: AuditEntry,
    who: str | None,
    changes: dict[str, Any],
    actor: Actor,
    lang: str,
    names: dict[tuple[str, int], tuple[str, int | None]],
    values: audit_text.ValueText,
) -> TrailLine:
    table = entry.table_name
    named = names.get((table, entry.row_id)) if entry.row_id is not None else None
    community = named[1] if named else None
    full = actor.is_street_admin or community in (None, actor.community_id)
    if named:
        record = named[0]
        if not full and table in _PERSON_NAMED:
            first, _, rest = record.partition(" · ")
            record = " · ".join(p for p in (mask_name(first), rest) if p)
    else:
        record = _fallback_name(entry, changes, values, full)
    paired = entry.action in audit_text.PAIRED
    shown = []
    for name, value in changes.items():
        if name in audit_text.HIDDEN:
            continue
        if paired and isinstance(value, list) and len(value) == 2:
            before = values(table, name, value[0], full=full) or "—"
            after = values(table, name, value[1], full=full) or "—"
        else:
            if name in audit_text.NOT_ON_CREATION:
                continue
            before, after = "", values(table, name, value, full=full)
            if not after:  # a creation lists what it was made with
                continue
        shown.append(Change(audit_text.field_text(table, name, lang), before, after))
    return TrailLine(
        id=entry.id,
        at=entry.at,
        who=who or translate("audit_view.who_none", lang),
        action=audit_text.action_text(entry.action, changes, lang),
        module=audit_text.module_text(table, lang),
        record_type=audit_text.record_type_text(table, lang),
        record=record,
        changes=tuple(shown),
    )


def _fallback_name(
    entry: AuditEntry, changes: dict[str, Any], values: audit_text.ValueText, full: bool
) -> str:
    """A record with no id (a calendar day, a star level), or since deleted: named by
    what its entry holds; else by its id."""
    for name in _NAME_FIELDS:
        if changes.get(name) not in (None, ""):
            return values(entry.table_name, name, changes[name], full=full)
    return f"#{entry.row_id}" if entry.row_id is not None else ""
