"""Registers as Excel workbooks: each register page exports what it shows, with its
filters applied, in the reader's language.

One small writer makes every file alike: typed cells (hours are numbers, days are Excel
dates, times local datetimes, yes/no as 是/否), a frozen header row with an autofilter,
column widths, and every cell through services/exports.inert so no cell is ever a
formula. One short function per register says its columns and reads its rows through
the service its page already uses, with the same filter arguments.

What a role may take away is decided in one place, `personal_columns`: sensitive fields
(services/sensitive.py) only when staff tick "include sensitive fields" for the elders and
visits registers, never by default. Exporting a register with people's names, phones or
addresses is recorded, in the transaction that builds the file, in the audit trail
(action "export") and in the access log (services/access_log.py: the register, filters,
row count, whether sensitive fields went with it, the file name). No streamlit here.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, col, func, select

from models.base import local
from models.elders import Elder
from models.org import Community
from models.privacy import AccessKind
from models.volunteers import HoursStatus, Signup
from services import (
    access_log,
    audit,
    elders,
    event_reads,
    merchants,
    proxy_board,
    task_board,
    teams,
    volunteers,
)
from services.access import Actor, mask_address, mask_phone, page_spec
from services.errors import BoardError
from services.exports import export_file_name, inert
from services.i18n import translator
from services.org import street_get
from services.sensitive import SENSITIVE_AREAS, open_situations_text
from services.visit_content import AREAS, area_text

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 100_000  # rows a register export asks its list for (the lists' own caps stay)
Translate = Callable[..., str]


# --- who may take what away ------------------------------------------------------------


# The registers that can carry sensitive fields, when staff opt in.
WITH_SENSITIVE = frozenset({"elders", "visits"})


@dataclass(frozen=True)
class PersonalColumns:
    """What an export holds of people's personal data for one actor."""

    full_contact: bool  # phones, addresses, birth dates, guardians in full (else masked)
    sensitive: bool  # health notes, care level, sensitive situations, visits' 健康 and 经济


def offers_sensitive(actor: Actor, register: str) -> bool:
    """Whether the export of `register` offers the actor to include sensitive fields."""
    return actor.sees_personal_data and register in WITH_SENSITIVE


def personal_columns(actor: Actor, include_sensitive: bool = False) -> PersonalColumns:
    """The one decision of what personal data an export carries: contacts in full for
    staff (secretary, admin), masked for everyone else, even for what their own screens
    show unmasked (an elder they visit): a file leaves the board. Sensitive fields only
    when staff opt in (include_sensitive); asked by anyone else, refused."""
    staff = actor.sees_personal_data
    if include_sensitive and not staff:
        raise BoardError("sensitive.export_refused")
    return PersonalColumns(full_contact=staff, sensitive=include_sensitive)


def _phone(shown: PersonalColumns, phone: str) -> str:
    return phone if shown.full_contact or not phone else mask_phone(phone)


def _address(shown: PersonalColumns, address: str) -> str:
    return address if shown.full_contact or not address else mask_address(address)


# --- the writer ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column: its header's message key (and parameters), its kind and width."""

    key: str
    kind: str = "text"  # text, int, float, date, datetime, bool
    width: float = 14
    params: tuple[tuple[str, object], ...] = ()


NUMBER_FORMATS = {"int": "0", "float": "0.0#", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}


@dataclass(frozen=True)
class Sheet:
    """A register's rows, one value per column, as the register function read them."""

    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]


def _cell(value: Any, kind: str, tr: Translate) -> Any:
    """A value as Excel keeps it: datetimes local and naive (Excel has no time zones),
    booleans as 是/否, empty values as empty cells, text inert."""
    if value is None or value != value or value == "":  # None, NaN, NaT, no text
        return None
    if kind == "datetime" and isinstance(value, datetime):
        return local(value).replace(tzinfo=None)
    if kind == "date" and isinstance(value, datetime):
        return local(value).date() if value.tzinfo else value.date()
    if kind == "date" and isinstance(value, date):
        return value
    if kind == "bool":
        return tr("common.yes") if value else tr("common.no")
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return inert(str(value))


def workbook(title: str, sheet: Sheet, tr: Translate) -> bytes:
    """The rows as one worksheet: a bold, frozen header row with an autofilter, typed
    cells with a number format per kind, and columns wide enough to read."""
    book = Workbook()
    ws = book.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = title[:31]
    ws.append([inert(tr(c.key, **dict(c.params))) for c in sheet.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        ws.append([_cell(v, c.kind, tr) for v, c in zip(row, sheet.columns, strict=True)])
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        number_format = NUMBER_FORMATS.get(column.kind)
        if number_format:
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the registers ----------------------------------------------------------------------


def _volunteers(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    **filters: Any,
) -> Sheet:
    found = volunteers.volunteer_list(
        session=session, actor=actor, today=today, limit=EXPORT_LIMIT, **filters
    )
    f = found.rows
    return Sheet(
        (
            Column("exports.col.name", width=12),
            Column("exports.col.phone", width=15),
            Column("exports.col.community", width=14),
            Column("exports.col.grid", width=12),
            Column("exports.col.skills", width=24),
            Column("exports.col.party_member", "bool", 8),
            Column("exports.col.in_register", "bool", 8),
            Column("exports.col.approved_hours", "float", 14),
            Column("exports.col.stars", "int", 8),
            Column("exports.col.no_shows", "int", 12, (("year", today.year),)),
        ),
        [
            (
                name,
                _phone(shown, phone),
                community,
                grid,
                "、".join(tr(f"volunteers.skill.{s}") for s in skills.split(",") if s),
                party,
                active,
                hours,
                stars,
                no_shows,
            )
            for name, phone, community, grid, skills, party, active, hours, stars, no_shows in zip(
                f["name"],
                f["phone"],
                f["community"],
                f["grid"],
                f["skills"],
                f["party_member"],
                f["active"],
                f["hours"],
                f["stars"],
                f["no_shows"],
                strict=True,
            )
        ],
    )


def _teams(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    **filters: Any,
) -> Sheet:
    rows = teams.team_list(session=session, actor=actor, today=today, **filters)
    return Sheet(
        (
            Column("exports.col.team", width=18),
            Column("exports.col.community", width=14),
            Column("exports.col.leader", width=12),
            Column("exports.col.members", "int", 8),
            Column("exports.col.hours_month", "float", 14),
            Column("exports.col.hours_year", "float", 14),
            Column("exports.col.purpose", width=30),
            Column("exports.col.in_use", "bool", 8),
        ),
        [
            (
                r.name,
                r.community,
                r.leader,
                r.members,
                r.hours_month,
                r.hours_year,
                r.purpose,
                r.active,
            )
            for r in rows
        ],
    )


def _elders(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    **filters: Any,
) -> Sheet:
    """The registry as listed (its scope, filters and cap), with each elder's gender,
    registration day and situations; for staff the birth date and, when they opted in,
    the sensitive situations, care level and health notes."""
    f = elders.elder_registry(session=session, actor=actor, today=today, **filters)
    ids = [int(i) for i in f["id"]]
    details = {e.id: e for e in session.exec(select(Elder).where(col(Elder.id).in_(ids)))}
    columns = [
        Column("exports.col.name", width=12),
        Column("exports.col.gender", width=6),
        Column("exports.col.age", "int", 6),
        Column("exports.col.old", "bool", 6),
        Column("exports.col.tier", width=10),
        Column("exports.col.community", width=14),
        Column("exports.col.grid", width=12),
        Column("exports.col.address", width=28),
        Column("exports.col.phone", width=15),
        Column("exports.col.visitors", width=18),
        Column("exports.col.registered_on", "date", 12),
        Column("exports.col.in_care", "bool", 8),
        Column("exports.col.situations", width=18),
    ]
    if shown.full_contact:
        columns.append(Column("exports.col.birth_date", "date", 12))
    if shown.sensitive:
        columns += [
            Column("exports.col.care_level", "int", 8),
            Column("exports.col.health_notes", width=30),
        ]
    rows = []
    for i, name, age, old, tier, community, grid, address, phone, visitors, active in zip(
        ids,
        f["name"],
        f["age"],
        f["old"],
        f["tier"],
        f["community"],
        f["grid"],
        f["address"],
        f["phone"],
        f["visitors"],
        f["active"],
        strict=True,
    ):
        e = details[i]
        situations = e.situations if shown.sensitive else open_situations_text(e.situations)
        row: tuple[Any, ...] = (
            name,
            tr(f"exports.gender.{e.gender}") if e.gender else "",
            age,
            old,
            tier,
            community,
            grid,
            _address(shown, address),
            _phone(shown, phone),
            visitors,
            e.registered_on,
            active,
            "、".join(tr(f"elders.situation.{s}") for s in situations.split(",") if s),
        )
        if shown.full_contact:
            row += (e.birth_date,)
        if shown.sensitive:
            row += (e.care_level, e.health_notes)
        rows.append(row)
    return Sheet(tuple(columns), rows)


def _visits(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    *,
    elder_id: int,
) -> Sheet:
    """One elder's visits as their timeline lists them; the 健康 and 经济 areas only when
    staff opted in to sensitive fields."""
    page = elders.elder_page(session=session, actor=actor, elder_id=elder_id, today=today)
    areas = [a for a in AREAS if shown.sensitive or a not in SENSITIVE_AREAS]
    return Sheet(
        (
            Column("exports.col.elder", width=12),
            Column("exports.col.visited_on", "date", 12),
            Column("exports.col.mode", width=8),
            Column("exports.col.visitor", width=12),
            Column("exports.col.wellbeing", width=8),
            *(Column(f"visits.area.{a}", width=24) for a in areas),
            Column("exports.col.follow_up", width=24),
            Column("exports.col.voided", "bool", 8),
            Column("exports.col.fix_reason", width=20),
        ),
        [
            (
                page.name,
                v.visited_on,
                tr(f"visits.mode.{v.mode}"),
                v.visitor,
                tr(f"visits.wellbeing.{v.wellbeing}") if v.wellbeing else "",
                *(area_text(v.content, a, tr) for a in areas),
                v.follow_up,
                v.voided,
                v.fix_reason,
            )
            for v in page.history
        ],
    )


def _approved_hours(session: Session, task_ids: Sequence[int]) -> dict[int, tuple[int, float]]:
    """Per task: how many volunteers have approved hours on it, and their sum."""
    if not task_ids:
        return {}
    rows = session.exec(
        select(col(Signup.task_id), func.count(), func.coalesce(func.sum(Signup.hours), 0.0))
        .where(col(Signup.task_id).in_(task_ids), Signup.hours_status == HoursStatus.approved)
        .group_by(col(Signup.task_id))
    ).all()
    return {task_id: (n, float(hours)) for task_id, n, hours in rows}


def _tasks(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    **filters: Any,
) -> Sheet:
    cards = task_board.task_list(session=session, actor=actor, limit=EXPORT_LIMIT, **filters)
    hours = _approved_hours(session, [c.id for c in cards])
    return Sheet(
        (
            Column("exports.col.task", width=22),
            Column("exports.col.task_kind", width=10),
            Column("exports.col.community", width=14),
            Column("exports.col.place", width=18),
            Column("exports.col.starts_at", "datetime", 17),
            Column("exports.col.ends_at", "datetime", 17),
            Column("exports.col.capacity", "int", 8),
            Column("exports.col.confirmed", "int", 8),
            Column("exports.col.waitlisted", "int", 8),
            Column("exports.col.status", width=8),
            Column("exports.col.volunteers_with_hours", "int", 10),
            Column("exports.col.approved_hours", "float", 14),
        ),
        [
            (
                c.title,
                tr(f"tasks.kind.{c.kind}"),
                c.community,
                c.place,
                c.starts_at,
                c.ends_at,
                c.capacity,
                c.taken,
                c.waitlisted,
                tr(f"tasks.status.{c.status}"),
                *hours.get(c.id, (0, 0.0)),
            )
            for c in cards
        ],
    )


def _task_roster(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    *,
    task_id: int,
) -> Sheet:
    roster = task_board.task_roster(session=session, actor=actor, task_id=task_id)
    return Sheet(
        (
            Column("exports.col.task", width=22),
            Column("exports.col.name", width=12),
            Column("exports.col.phone", width=15),
            Column("exports.col.status", width=8),
            Column("exports.col.waitlist_place", "int", 8),
            Column("exports.col.check_in", "datetime", 17),
            Column("exports.col.check_out", "datetime", 17),
            Column("exports.col.hours", "float", 10),
            Column("exports.col.hours_status", width=10),
        ),
        [
            (
                roster.task.title,
                e.volunteer,
                _phone(shown, e.phone),
                tr(f"signups.status.{e.state.status}"),
                e.position,
                e.state.check_in_at,
                e.state.check_out_at,
                *_hours(e.state.hours, e.state.hours_status, tr),
            )
            for e in roster.signups
        ],
    )


def _hours(hours: float, status: str, tr: Translate) -> tuple[float | None, str]:
    """A sign-up's hours and their state; both empty while it has none."""
    if status == HoursStatus.none:
        return None, ""
    return hours, tr(f"signups.hours.{status}")


def _request_sheet(
    cards: Sequence[proxy_board.RequestCard], shown: PersonalColumns, tr: Translate
) -> Sheet:
    return Sheet(
        (
            Column("exports.col.request_no", "int", 8),
            Column("exports.col.shop", width=18),
            Column("exports.col.owner", width=10),
            Column("exports.col.phone", width=15),
            Column("exports.col.shop_address", width=24),
            Column("exports.col.community", width=14),
            Column("exports.col.request_kind", width=14),
            Column("exports.col.detail", width=28),
            Column("exports.col.requested_on", "date", 12),
            Column("exports.col.due_on", "date", 12),
            Column("exports.col.status", width=8),
            Column("exports.col.agent", width=12),
            Column("exports.col.overdue", "bool", 8),
            Column("exports.col.rating", width=10),
            Column("exports.col.reject_reason", width=20),
        ),
        [
            (
                c.id,
                c.shop_name,
                c.owner_name,
                _phone(shown, c.phone),
                _address(shown, c.address),
                c.community,
                tr(f"proxy.kind.{c.kind}"),
                c.detail,
                c.requested_on,
                c.due_on,
                tr(f"proxy.status.{c.status}"),
                c.agent,
                c.overdue,
                tr(f"proxy.rating.{c.satisfaction}") if c.satisfaction else "",
                c.reject_reason,
            )
            for c in cards
        ],
    )


def _proxy_requests(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    **filters: Any,
) -> Sheet:
    """The requests the board shows (each group as far as the board lists it)."""
    board = proxy_board.request_board(session=session, actor=actor, today=today, **filters)
    return _request_sheet(board.cards(), shown, tr)


def _proxy_queue(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    **filters: Any,
) -> Sheet:
    queue = proxy_board.agent_queue(session=session, actor=actor, today=today, **filters)
    return _request_sheet(queue, shown, tr)


def _events(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    **filters: Any,
) -> Sheet:
    cards = event_reads.event_list(session=session, actor=actor, limit=EXPORT_LIMIT, **filters)
    return Sheet(
        (
            Column("exports.col.event", width=22),
            Column("exports.col.category", width=10),
            Column("exports.col.community", width=14),
            Column("exports.col.venue", width=18),
            Column("exports.col.starts_at", "datetime", 17),
            Column("exports.col.ends_at", "datetime", 17),
            Column("exports.col.capacity", "int", 8),
            Column("exports.col.registered_people", "int", 10),
            Column("exports.col.waitlisted", "int", 8),
            Column("exports.col.attended_people", "int", 10),
            Column("exports.col.status", width=8),
            Column("exports.col.organiser", width=16),
            Column("exports.col.partner", width=16),
        ),
        [
            (
                c.title,
                tr(f"events.category.{c.category}"),
                c.community,
                c.venue,
                c.starts_at,
                c.ends_at,
                c.capacity,
                c.taken,
                c.waitlisted,
                c.attended,
                tr(f"events.status.{c.status}"),
                c.organiser,
                c.partner,
            )
            for c in cards
        ],
    )


def _registrations(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    *,
    event_id: int,
) -> Sheet:
    roster = event_reads.event_roster(session=session, actor=actor, event_id=event_id)
    return Sheet(
        (
            Column("exports.col.code", width=8),
            Column("exports.col.name", width=12),
            Column("exports.col.phone", width=15),
            Column("exports.col.party_size", "int", 8),
            Column("exports.col.tourist", "bool", 8),
            Column("exports.col.status", width=8),
            Column("exports.col.waitlist_place", "int", 8),
            Column("exports.col.attended", "bool", 8),
            Column("exports.col.checked_in_at", "datetime", 17),
        ),
        [
            (
                e.code,
                e.name,
                _phone(shown, e.phone),
                e.party_size,
                e.visitor,
                tr(f"events.reg.{e.status}"),
                e.position,
                e.attended,
                e.checked_in_at,
            )
            for e in roster.entries
        ],
    )


def _merchants(
    session: Session,
    actor: Actor,
    shown: PersonalColumns,
    tr: Translate,
    today: date,
    **filters: Any,
) -> Sheet:
    f = merchants.merchant_list(session=session, actor=actor, **filters)
    columns = [
        Column("exports.col.shop", width=18),
        Column("exports.col.owner", width=10),
        Column("exports.col.phone", width=15),
        Column("exports.col.shop_address", width=24),
        Column("exports.col.business_type", width=12),
        Column("exports.col.community", width=14),
        Column("exports.col.licence_due", "date", 12),
    ]
    if shown.full_contact:
        columns.append(Column("exports.col.notes", width=24))
    rows = []
    for shop, owner, phone, address, kind, community, due, notes in zip(
        f["shop_name"],
        f["owner_name"],
        f["phone"],
        f["address"],
        f["business_type"],
        f["community"],
        f["licence_due"],
        f["notes"],
        strict=True,
    ):
        row = (shop, owner, _phone(shown, phone), _address(shown, address), kind, community, due)
        rows.append((*row, notes) if shown.full_contact else row)
    return Sheet(tuple(columns), rows)


@dataclass(frozen=True)
class Register:
    """A register that can be exported: the page it is exported from (who may open the
    page may export it), the table its audit entry names, whether it holds personal
    data (names, phones, addresses: its exports are audited), and the function that
    reads its rows."""

    page: str
    table: str
    personal: bool
    build: Callable[..., Sheet]


REGISTERS: dict[str, Register] = {
    "volunteers": Register("volunteers", "volunteer", True, _volunteers),
    "teams": Register("teams", "team", True, _teams),
    "elders": Register("elders", "elder", True, _elders),
    "visits": Register("elders", "visit", True, _visits),
    "tasks": Register("tasks", "task", False, _tasks),
    "task_roster": Register("tasks", "signup", True, _task_roster),
    "proxy_requests": Register("proxy_board", "proxyrequest", True, _proxy_requests),
    "proxy_queue": Register("proxy_queue", "proxyrequest", True, _proxy_queue),
    "events": Register("events", "event", False, _events),
    "registrations": Register("events", "registration", True, _registrations),
    "merchants": Register("merchants", "merchant", True, _merchants),
}


# --- file names and the export itself ----------------------------------------------------


def _scope_name(session: Session, actor: Actor, community_id: int | None, tr: Translate) -> str:
    """The community the export covers (the one filtered on, or the actor's), or for the
    street admin over every community the street's name."""
    cid = community_id if community_id is not None else actor.community_id
    if cid is not None:
        community = session.get(Community, cid)
        if community is not None:
            return community.name
    street = street_get(session=session).name
    if not street:
        street = session.exec(select(Community.street).order_by(col(Community.id))).first() or ""
    return street or tr("exports.whole_street")


def export_name(
    *,
    session: Session,
    actor: Actor,
    register: str,
    lang: str,
    today: date,
    community_id: int | None = None,
) -> str:
    """The file's name, saying what and when without spaces:
    志愿者名册_四千米社区_2026-11-25.xlsx (register, scope, local day)."""

    tr = translator(lang)
    scope = _scope_name(session, actor, community_id, tr)
    return export_file_name(tr(f"exports.register.{register}"), scope, today, "xlsx")


def register_export(
    *,
    session: Session,
    actor: Actor,
    register: str,
    lang: str,
    today: date,
    filters: dict[str, Any],
    include_sensitive: bool = False,
) -> bytes:
    """The register `register` as the actor's page shows it with `filters` (the page's
    own filter arguments), as an .xlsx file in `lang`; refused to whoever may not open
    the register's page, and `include_sensitive` to whoever it is not offered to
    (offers_sensitive). An export of personal data is recorded in the audit trail
    (action "export") and the access log, with its row count, filters and file name."""
    spec = REGISTERS.get(register)
    if spec is None:
        raise BoardError("exports.unknown_register")
    actor.require(page_spec(spec.page).roles)
    if include_sensitive and register not in WITH_SENSITIVE:
        raise BoardError("sensitive.export_refused")
    shown = personal_columns(actor, include_sensitive)

    tr = translator(lang)
    sheet = spec.build(session, actor, shown, tr, today, **filters)
    data = workbook(tr(f"exports.register.{register}"), sheet, tr)
    if spec.personal:
        name = export_name(
            session=session,
            actor=actor,
            register=register,
            lang=lang,
            today=today,
            community_id=filters.get("community_id"),
        )
        _record_export(session, actor, register, spec, len(sheet.rows), filters, shown, name)
    return data


def _record_export(
    session: Session,
    actor: Actor,
    register: str,
    spec: Register,
    rows: int,
    filters: dict[str, Any],
    shown: PersonalColumns,
    name: str,
) -> None:
    """The audit entry of an export (no one row of the register's table but a list of
    them) and its access-log entry, which says whether sensitive fields went with it."""
    given = {k: v for k, v in filters.items() if v is not None}
    audit.record_event(
        session,
        actor_id=actor.id,
        action="export",
        table_name=spec.table,
        changes={"rows": rows, "filters": given, "file": name},
    )
    access_log.log_access(
        session,
        actor=actor,
        kind=AccessKind.export,
        record_type="register",
        record_id=None,
        community_id=given.get("community_id", actor.community_id),
        page=spec.page,
        detail={
            "register": register,
            "filters": given,
            "rows": rows,
            "sensitive": shown.sensitive,
            "file": name,
        },
    )
