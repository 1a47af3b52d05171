"""Importing an office's list (台账) of volunteers, elders or merchants into its community.

Three steps, as the page walks them: the file is read (services/import_files.py) and its
columns mapped (services/import_mapping.py); `import_check` says, row by row, what would
be stored and what is wrong with each bad row (in the user's language on the page and in
the Excel of bad rows); `import_run` writes the good rows in one transaction, only when
the file has no bad row or the user chose to import only the good ones, and records the
batch (ImportBatch, an ImportedRecord per record) in the audit trail. Staff undo a batch
as a whole on the day it was made (`import_undo`): what it created is deactivated, never
deleted.

Rows already in the board are bad rows ("already in the board"), so importing the same
file twice creates nothing the second time. A row matches a volunteer by phone (a phone
belongs to one volunteer of a community, services/volunteers.py), an elder by name and
birth date (among the active ones), a merchant by shop name or by owner and phone (among
the active ones). A 身份证号 gives the birth date and gender and is then dropped: it is
not stored, not logged, and masked in the Excel of bad rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, insert
from sqlmodel import Session, SQLModel, col, select

from models.accounts import Account
from models.base import local, utcnow
from models.elders import GENDERS, LIVING_SITUATIONS, Elder
from models.imports import ImportBatch, ImportedRecord, ImportKind
from models.org import Community, Grid
from models.proxy import Merchant
from models.volunteers import Signup, Task, TaskStatus, Volunteer
from services import audit, import_mapping, volunteers
from services.access import STAFF, Actor, get_scoped, mask_id_number
from services.checks import normalise_phone
from services.elders import age_on
from services.errors import BoardError, Label
from services.exports import frame_excel
from services.i18n import LANGUAGES, translate
from services.import_files import Cell, Table, cell_date, cell_text, read_table
from services.signups import CANCELLABLE
from services.validation import check_row
from services.volunteers import SKILLS

MODELS: dict[ImportKind, type[SQLModel]] = {
    ImportKind.volunteer: Volunteer,
    ImportKind.elder: Elder,
    ImportKind.merchant: Merchant,
}
CHUNK = 500  # rows written per flush (and a step of the progress bar)
Progress = Callable[[float], None]  # told the share done, 0.0 to 1.0


def import_read(data: bytes, file_name: str) -> Table:
    """The uploaded file as a table, its header row found among the top rows."""
    return read_table(data, file_name, is_header=import_mapping.is_known_header)


# --- what a cell means -------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why a row is bad: a message key and its parameters (Label: a field's name)."""

    key: str
    params: tuple[tuple[str, object], ...] = ()


def reason_text(reason: Reason, lang: str) -> str:
    params = {k: translate(v, lang) if isinstance(v, Label) else v for k, v in reason.params}
    return translate(reason.key, lang, **params)


def _field(name: str) -> Label:
    return Label(import_mapping.field_label_key(name))


class _Bad(Exception):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.reason = Reason(key, tuple(params.items()))


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"  # GB 11643: the check character by the weighted sum mod 11


def id_facts(text: str) -> tuple[date, str]:
    """The birth date and gender a 居民身份证号 states (18 characters with its check
    character, or the old 15 digits), or _Bad. The number itself goes no further."""
    number = re.sub(r"\s", "", text).upper()
    try:
        if re.fullmatch(r"\d{17}[\dX]", number):
            total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
            if ID_CHECK[total % 11] != number[17]:
                raise ValueError("check character")
            birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            return birth, GENDERS[0] if int(number[16]) % 2 else GENDERS[1]
        if re.fullmatch(r"\d{15}", number):
            birth = date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
            return birth, GENDERS[0] if int(number[14]) % 2 else GENDERS[1]
    except ValueError:
        pass
    raise _Bad("imports.bad_id")


_GENDER_WORDS = {"男": "男", "男性": "男", "m": "男", "male": "男", "女": "女", "女性": "女"}
_GENDER_WORDS |= {"f": "女", "female": "女"}
_NOTHING = {"无", "没有", "-", "—", "/", "否", "none", "n/a"}
_SPLIT = re.compile(r"[,，、/;；\s]+")
_YES = {"是", "yes", "y", "true", "1", "√"}


def _gender(text: str) -> str:
    if not text:
        return ""
    gender = _GENDER_WORDS.get(text.lower())
    if gender is None:
        raise _Bad("imports.bad_gender", value=text)
    return gender


def _party(text: str) -> bool:
    """政治面貌 中共党员 / 预备党员 (or 是 under 是否党员): a party member."""
    text = text.strip().lower()
    return text in _YES or ("党员" in text and "非" not in text)


def _words(lookup: dict[str, str], text: str, bad_key: str, ignored: set[str]) -> str:
    codes: list[str] = []
    for word in _SPLIT.split(text.strip()):
        if not word or word.lower() in _NOTHING or word in ignored:
            continue
        code = lookup.get(word.lower()) or lookup.get(re.sub(r"(老人|家庭|老年人)$", "", word))
        if code is None:
            raise _Bad(bad_key, value=word)
        if code not in codes:
            codes.append(code)
    return ",".join(codes)


def _labels(key_of: Callable[[str], str], codes: Sequence[str]) -> dict[str, str]:
    """Each code, and its label in every language, to the code (lower case)."""
    lookup = {code.lower(): code for code in codes}
    for code in codes:
        for lang in LANGUAGES:
            lookup[translate(key_of(code), lang).lower()] = code
    return lookup


# Words offices write for the board's skills, beside the skills' own labels.
SKILL_WORDS = {
    "助老": "elder_care",
    "陪护": "elder_care",
    "护理": "elder_care",
    "养老护理": "elder_care",
    "医疗": "first_aid",
    "医护": "first_aid",
    "跑腿": "errands",
    "代办": "errands",
    "文艺": "culture",
    "非遗": "culture",
    "教育": "teaching",
    "辅导": "teaching",
    "授课": "teaching",
    "开车": "driving",
    "维修": "repair",
    "电脑": "it",
    "手机": "it",
    "信息技术": "it",
}


def _skills(text: str) -> str:
    lookup = _labels(lambda s: f"volunteers.skill.{s}", SKILLS) | SKILL_WORDS
    codes = _words(lookup, text, "imports.unknown_skill", set()).split(",")
    return ",".join(sorted(c for c in codes if c))


def _situations(text: str) -> str:
    lookup = _labels(lambda s: f"elders.situation.{s}", LIVING_SITUATIONS)
    lookup |= {"计生特殊家庭": "计生特殊", "特困供养": "特困", "重度残疾": "重残"}
    codes = _words(lookup, text, "imports.unknown_situation", {"高龄"})  # 高龄: from the age
    return ",".join(s for s in LIVING_SITUATIONS if s in codes.split(","))


# --- checking the rows -----------------------------------------------------------------------


@dataclass
class _Context:
    """What the rows are checked against, read once for the whole file."""

    kind: ImportKind
    community_id: int
    today: date
    grids: dict[str, int]
    # volunteers: phone -> (name, active); a phone is one volunteer's, active or not
    phones: dict[str, tuple[str, bool]] = field(default_factory=dict)
    keys: set[tuple[Any, ...]] = field(default_factory=set)  # elders, merchants in the board
    seen: dict[tuple[Any, ...], int] = field(default_factory=dict)  # in the file -> row


def _context(session: Session, kind: ImportKind, community_id: int, today: date) -> _Context:
    grids = {
        name: gid
        for gid, name in session.exec(
            select(Grid.id, Grid.name).where(Grid.community_id == community_id, col(Grid.active))
        )
    }
    ctx = _Context(kind, community_id, today, grids)
    if kind == ImportKind.volunteer:
        ctx.phones = {
            phone: (name, active)
            for phone, name, active in session.exec(
                select(Volunteer.phone, Volunteer.name, Volunteer.active).where(
                    Volunteer.community_id == community_id
                )
            )
        }
    elif kind == ImportKind.elder:
        ctx.keys = {
            ("elder", name, birth)
            for name, birth in session.exec(
                select(col(Elder.name), col(Elder.birth_date)).where(
                    Elder.community_id == community_id, col(Elder.active)
                )
            )
        }
    else:
        for shop, owner, phone in session.exec(
            select(Merchant.shop_name, Merchant.owner_name, Merchant.phone).where(
                Merchant.community_id == community_id, col(Merchant.active)
            )
        ):
            ctx.keys |= {("shop", shop), ("owner", owner, phone)}
    return ctx


@dataclass(frozen=True)
class CheckedRow:
    number: int  # the row in the file, as Excel numbers it
    values: dict[str, Any]  # what would be stored (the model's fields)
    reasons: tuple[Reason, ...]  # empty for a good row

    @property
    def ok(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class ImportReport:
    kind: ImportKind
    rows: tuple[CheckedRow, ...]
    grids: dict[int, str]  # the community's grids by id (what the preview shows)

    @property
    def good(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def bad(self) -> int:
        return len(self.rows) - self.good


class _Row:
    """One row's cells by field, collecting every reason it is bad."""

    def __init__(self, cells: dict[str, Cell]) -> None:
        self.cells = cells
        self.reasons: list[Reason] = []

    def text(self, name: str, *, required: bool = False) -> str:
        value = cell_text(self.cells.get(name))
        if required and not value:
            self.reasons.append(Reason("imports.missing", (("field", _field(name)),)))
        return value

    def phone(self, name: str, *, required: bool = False) -> str:
        raw = self.text(name, required=required)
        if not raw:
            return ""
        phone = normalise_phone(raw)
        if phone is None:
            self.reasons.append(Reason("imports.bad_phone", (("field", _field(name)),)))
            return raw
        return phone

    def day(self, name: str, *, latest: date | None = None) -> date | None:
        try:
            value = cell_date(self.cells.get(name))
        except (ValueError, OverflowError):
            value, bad = None, True
        else:
            bad = value is not None and (
                value.year < 1900 or (latest is not None and value > latest)
            )
        if bad:
            raw = cell_text(self.cells.get(name))
            self.reasons.append(
                Reason("imports.bad_date", (("field", _field(name)), ("value", raw)))
            )
            return None
        return value

    def parsed(self, fn: Callable[[str], Any], name: str, default: Any = "") -> Any:
        try:
            return fn(self.text(name))
        except _Bad as bad:
            self.reasons.append(bad.reason)
            return default


def _grid_id(row: _Row, ctx: _Context) -> int | None:
    name = row.text("grid")
    if not name:
        return None
    if name not in ctx.grids:
        row.reasons.append(Reason("imports.unknown_grid", (("name", name),)))
        return None
    return ctx.grids[name]


def _volunteer(row: _Row, ctx: _Context) -> dict[str, Any]:
    name, phone = row.text("name", required=True), row.phone("phone", required=True)
    gender = row.parsed(_gender, "gender")
    if row.text("id_number"):
        facts = row.parsed(id_facts, "id_number", None)
        gender = gender or (facts[1] if facts else "")
    return {
        "name": name,
        "phone": phone,
        "gender": gender,
        "grid_id": _grid_id(row, ctx),
        "skills": row.parsed(_skills, "skills"),
        "party_member": _party(row.text("party")),
        "joined_on": row.day("joined_on", latest=ctx.today) or ctx.today,
        "note": row.text("note"),
    }


def _elder(row: _Row, ctx: _Context) -> dict[str, Any]:
    name, address = row.text("name", required=True), row.text("address", required=True)
    gender = row.parsed(_gender, "gender")
    birth = row.day("birth_date", latest=ctx.today)
    if row.text("id_number"):
        facts = row.parsed(id_facts, "id_number", None)
        if facts:
            birth, gender = birth or facts[0], gender or facts[1]
    if birth is None and not row.text("birth_date"):
        row.reasons.append(Reason("imports.missing", (("field", _field("birth_date")),)))
    elif birth is not None and (birth > ctx.today or age_on(birth, ctx.today) > 120):
        row.reasons.append(
            Reason("imports.bad_date", (("field", _field("birth_date")), ("value", str(birth))))
        )
    return {
        "name": name,
        "gender": gender,
        "birth_date": birth,
        "phone": row.phone("phone"),
        "address": address,
        "grid_id": _grid_id(row, ctx),
        "situations": row.parsed(_situations, "situations"),
        "guardian_name": row.text("guardian_name"),
        "guardian_phone": row.phone("guardian_phone"),
        "health_notes": row.text("health_notes"),
        "registered_on": ctx.today,
    }


def _merchant(row: _Row, ctx: _Context) -> dict[str, Any]:
    return {
        "shop_name": row.text("shop_name", required=True),
        "owner_name": row.text("owner_name", required=True),
        "phone": row.phone("phone", required=True),
        "address": row.text("address", required=True),
        "business_type": row.text("business_type"),
        "licence_due": row.day("licence_due"),
        "notes": row.text("notes"),
    }


_VALUES = {
    ImportKind.volunteer: _volunteer,
    ImportKind.elder: _elder,
    ImportKind.merchant: _merchant,
}


def _keys(kind: ImportKind, values: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The keys a row matches others by (in the file and in the board)."""
    if kind == ImportKind.volunteer:
        return [("phone", values["phone"])]
    if kind == ImportKind.elder:
        return [("elder", values["name"], values["birth_date"])]
    return [("shop", values["shop_name"]), ("owner", values["owner_name"], values["phone"])]


def _matches(row: _Row, values: dict[str, Any], ctx: _Context, number: int) -> None:
    """Adds "already in the board" and "twice in the file" when they hold."""
    if row.reasons:
        return  # a row with a missing or bad key field matches nothing reliably
    keys = _keys(ctx.kind, values)
    if ctx.kind == ImportKind.volunteer and values["phone"] in ctx.phones:
        name, active = ctx.phones[values["phone"]]
        if name != values["name"]:
            row.reasons.append(Reason("imports.phone_taken", (("name", name),)))
        else:
            row.reasons.append(
                Reason("imports.in_board" if active else "imports.in_board_inactive")
            )
    elif any(key in ctx.keys for key in keys):
        row.reasons.append(Reason("imports.in_board"))
    first = next((ctx.seen[key] for key in keys if key in ctx.seen), None)
    if first is not None:
        row.reasons.append(Reason("imports.duplicate", (("row", first),)))
    for key in keys:
        ctx.seen.setdefault(key, number)


def _model_check(
    kind: ImportKind, values: dict[str, Any], community_id: int
) -> tuple[SQLModel, Reason | None]:
    """The row as it would be stored, and whether it breaks the board's own rules of
    every stored row (lengths, control characters)."""
    record = MODELS[kind](community_id=community_id, **values)
    try:
        check_row(record)
    except BoardError as err:
        return record, Reason(err.key, tuple(err.params.items()))
    return record, None


def _check(
    session: Session,
    *,
    kind: ImportKind,
    community_id: int,
    table: Table,
    mapping: Sequence[str],
    today: date,
    progress: Progress | None = None,
) -> tuple[ImportReport, list[SQLModel]]:
    """The report, and the records of the good rows, ready to be added."""
    fields = import_mapping.fields_of(kind)
    if len(mapping) != len(table.headers) or any(f and f not in fields for f in mapping):
        raise BoardError("imports.mapping_invalid")
    chosen = [f for f in mapping if f]
    for name in chosen:
        if chosen.count(name) > 1:
            raise BoardError("imports.field_twice", field=_field(name))
    for name in import_mapping.REQUIRED[kind]:
        if name not in chosen and not (name == "birth_date" and "id_number" in chosen):
            raise BoardError("imports.column_missing", field=_field(name))
    ctx = _context(session, kind, community_id, today)
    checked, records = [], []
    for i, source in enumerate(table.rows):
        row = _Row({name: source.cells[c] for c, name in enumerate(mapping) if name})
        values = _VALUES[kind](row, ctx)
        _matches(row, values, ctx, source.number)
        if not row.reasons:
            record, reason = _model_check(kind, values, community_id)
            if reason is None:
                records.append(record)
            else:
                row.reasons.append(reason)
        checked.append(CheckedRow(source.number, values, tuple(row.reasons)))
        if progress and i % CHUNK == 0:
            progress(0.3 * i / len(table.rows))
    grids = {gid: name for name, gid in ctx.grids.items()}
    return ImportReport(kind, tuple(checked), grids), records


def _in_community(session: Session, actor: Actor, community_id: int) -> None:
    actor.require(STAFF)
    actor.require_community(community_id)
    community = session.get(Community, community_id)
    if community is None or not community.active:
        raise BoardError("common.not_found")


def import_check(
    *,
    session: Session,
    actor: Actor,
    community_id: int,
    kind: ImportKind,
    table: Table,
    mapping: tuple[str, ...],
    today: date,
) -> ImportReport:
    """Every row of the file as it would be stored, and each bad row's reasons: a missing
    required field, a bad phone, an impossible date, an unknown grid, living situation
    or skill, an ID number whose check character is wrong, twice in the file, already in
    the board. Refused outright when a required field has no column."""
    _in_community(session, actor, community_id)
    report, _ = _check(
        session, kind=kind, community_id=community_id, table=table, mapping=mapping, today=today
    )
    return report


# --- importing and undoing -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    created: int
    skipped: int


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_run(
    *,
    session: Session,
    actor: Actor,
    community_id: int,
    kind: ImportKind,
    file_name: str,
    table: Table,
    mapping: tuple[str, ...],
    good_only: bool,
    today: date,
    progress: Progress | None = None,
) -> ImportResult:
    """Stores the file's good rows in one transaction: refused when any row is bad and
    the user did not choose to import only the good ones, or when no row is good. The
    batch (file name, counts), a record of each row created, the mapping (remembered for
    the community's next file) and one audit entry are written with them."""
    _in_community(session, actor, community_id)
    report, records = _check(
        session,
        kind=kind,
        community_id=community_id,
        table=table,
        mapping=mapping,
        today=today,
        progress=progress,
    )
    if report.bad and not good_only:
        raise BoardError("imports.has_bad_rows", n=report.bad)
    if not records:
        raise BoardError("imports.nothing_to_import")
    created: list[int] = []
    for done, part in enumerate(_chunks(records)):
        session.add_all(part)
        session.flush()
        created += [getattr(r, "id") for r in part]  # noqa: B009 (SQLModel has no `id`)
        if progress:
            progress(0.3 + 0.65 * min(1.0, (done + 1) * CHUNK / len(records)))
    name = re.split(r"[\\/]", file_name)[-1].strip()[:200] or "-"
    batch = ImportBatch(
        community_id=community_id,
        kind=kind,
        file_name=name,
        row_count=len(report.rows),
        created_count=len(created),
        skipped_count=report.bad,
        imported_by=actor.id,
    )
    session.add(batch)
    session.flush()
    session.execute(
        insert(ImportedRecord), [{"batch_id": batch.id, "record_id": rid} for rid in created]
    )
    import_mapping.remember(
        session, community_id=community_id, kind=kind, headers=table.headers, mapping=mapping
    )
    audit.record(session, actor_id=actor.id, action="import", row=batch)
    if progress:
        progress(1.0)
    return ImportResult(batch.id, len(created), report.bad)


def can_undo(batch: ImportBatch, today: date) -> bool:
    """An import is undone as a whole, once, on the (local) day it was made."""
    return batch.undone_at is None and local(batch.created_at).date() == today


def _upcoming_signups(session: Session, volunteer_ids: list[int], now: datetime) -> set[int]:
    """Of these volunteers, those with a live sign-up on a task still to come."""
    return set(
        session.exec(
            select(Signup.volunteer_id)
            .join(Task, col(Task.id) == Signup.task_id)
            .where(
                col(Signup.volunteer_id).in_(volunteer_ids),
                col(Signup.status).in_(CANCELLABLE),
                Task.status != TaskStatus.cancelled,
                col(Task.starts_at) > now,
            )
        )
    )


def import_undo(*, session: Session, actor: Actor, batch_id: int, today: date, lang: str) -> int:
    """Deactivates every record the batch created that is still active (an elder with
    the reason "import undone"; a volunteer's sign-ups to come are cancelled as when
    staff deactivate them), by staff of the batch's community, on the day of the
    import, once. Returns how many were deactivated."""
    batch = get_scoped(session, actor, ImportBatch, batch_id)
    if batch.undone_at is not None:
        raise BoardError("imports.already_undone")
    if not can_undo(batch, today):
        raise BoardError("imports.undo_too_late")
    model: Any = MODELS[ImportKind(batch.kind)]
    ids = list(
        session.exec(select(ImportedRecord.record_id).where(ImportedRecord.batch_id == batch_id))
    )
    rows: list[Any] = []
    for part in _chunks(ids):
        rows += session.exec(select(model).where(col(model.id).in_(part), col(model.active))).all()
    now = utcnow()
    signed_up = (
        _upcoming_signups(session, [r.id for r in rows], now)
        if batch.kind == ImportKind.volunteer
        else set()
    )
    reason = translate("imports.undone_reason", lang, batch=batch.id)[:200]
    for row in rows:
        if row.id in signed_up:  # their sign-ups are cancelled, the waitlists move up
            volunteers.volunteer_set_active(
                session=session, actor=actor, volunteer_id=row.id, active=False, now=now
            )
            continue
        row.active = False
        if isinstance(row, Elder):
            row.deactivated_reason, row.deactivated_on = reason, today
        elif isinstance(row, Volunteer):
            row.deactivated_on = today
        session.add(row)
    batch.undone_at, batch.undone_by = now, actor.id
    session.add(batch)
    audit.record(
        session,
        actor_id=actor.id,
        action="undo",
        row=batch,
        changes={"undone_at": now, "deactivated": len(rows)},
    )
    return len(rows)


@dataclass(frozen=True)
class ImportLine:
    id: int
    kind: ImportKind
    file_name: str
    at: datetime  # local
    by: str
    rows: int
    created: int
    skipped: int
    undone_at: datetime | None  # local
    can_undo: bool


def import_list(
    *, session: Session, actor: Actor, community_id: int, today: date, limit: int = 20
) -> list[ImportLine]:
    """The community's latest imports, newest first, each saying whether it can still be
    undone today."""
    _in_community(session, actor, community_id)
    stmt = (
        select(ImportBatch, Account.display_name)
        .join(Account, col(Account.id) == ImportBatch.imported_by)
        .where(ImportBatch.community_id == community_id)
        .order_by(col(ImportBatch.created_at).desc(), col(ImportBatch.id).desc())
        .limit(limit)
    )
    return [
        ImportLine(
            id=batch.id,
            kind=ImportKind(batch.kind),
            file_name=batch.file_name,
            at=local(batch.created_at),
            by=who,
            rows=batch.row_count,
            created=batch.created_count,
            skipped=batch.skipped_count,
            undone_at=local(batch.undone_at) if batch.undone_at else None,
            can_undo=can_undo(batch, today),
        )
        for batch, who in session.exec(stmt)
    ]


def imported_count(*, session: Session, actor: Actor, community_id: int) -> int:
    """How many imports the community has made (the page's empty state)."""
    _in_community(session, actor, community_id)
    return session.exec(
        select(func.count())
        .select_from(ImportBatch)
        .where(ImportBatch.community_id == community_id)
    ).one()


# --- files the page offers ------------------------------------------------------------------


def _shown(kind: ImportKind, values: dict[str, Any], grids: dict[int, str], lang: str) -> list:
    shown: list[Any] = []
    for name in import_mapping.fields_of(kind):
        if name == "id_number":
            continue
        if name == "grid":
            shown.append(grids.get(values["grid_id"], "") if values["grid_id"] else "")
        elif name == "party":
            shown.append(translate("imports.yes" if values["party_member"] else "imports.no", lang))
        elif name == "skills":
            skills = [s for s in values["skills"].split(",") if s]
            shown.append("、".join(translate(f"volunteers.skill.{s}", lang) for s in skills))
        elif name == "situations":
            situations = [s for s in values["situations"].split(",") if s]
            shown.append("、".join(translate(f"elders.situation.{s}", lang) for s in situations))
        else:
            shown.append(values.get(name))
    return shown


def preview_frame(report: ImportReport, lang: str, limit: int = 10) -> pd.DataFrame:
    """The first good rows as they will be stored, headed in the reader's language."""
    names = [n for n in import_mapping.fields_of(report.kind) if n != "id_number"]
    rows = [_shown(report.kind, r.values, report.grids, lang) for r in report.rows if r.ok][:limit]
    return pd.DataFrame(
        rows, columns=[translate(import_mapping.field_label_key(n), lang) for n in names]
    )


def bad_rows(report: ImportReport, lang: str) -> pd.DataFrame:
    """The bad rows: their row number in the file, the name they give (the shop's, for
    merchants) and every reason, in the reader's language."""
    name = "shop_name" if report.kind == ImportKind.merchant else "name"
    return pd.DataFrame(
        [
            (r.number, r.values[name], "；".join(reason_text(x, lang) for x in r.reasons))
            for r in report.rows
            if not r.ok
        ],
        columns=[
            translate("imports.row", lang),
            translate(import_mapping.field_label_key(name), lang),
            translate("imports.reasons", lang),
        ],
    )


def _workbook(headers: Sequence[str], rows: Sequence[Sequence[object]], lang: str) -> bytes:
    """One sheet headed `headers`, through the board's one Excel writer (every cell
    inert, columns sized): services/exports.frame_excel."""
    frame = pd.DataFrame([list(r) for r in rows], columns=list(headers))
    return frame_excel({translate("nav.imports", lang): frame})


def bad_rows_excel(report: ImportReport, table: Table, mapping: Sequence[str], lang: str) -> bytes:
    """The bad rows as the file had them, with their row number and a reason column, for
    the office to correct: every cell inert (text never becomes a formula), an ID
    number masked."""
    reasons = {r.number: r.reasons for r in report.rows if not r.ok}
    masked = {i for i, name in enumerate(mapping) if name == "id_number"}
    rows = [
        [
            row.number,
            *(mask_id_number(cell_text(c)) if i in masked else c for i, c in enumerate(row.cells)),
            "；".join(reason_text(x, lang) for x in reasons[row.number]),
        ]
        for row in table.rows
        if row.number in reasons
    ]
    headers = [
        translate("imports.row", lang),
        *(h or f"#{i + 1}" for i, h in enumerate(table.headers)),
        translate("imports.reasons", lang),
    ]
    return _workbook(headers, rows, lang)


def import_template(kind: ImportKind) -> bytes:
    """An empty list to fill in: the register's columns headed in Chinese (the offices'
    own words), required ones starred."""
    required = import_mapping.REQUIRED[kind]
    headers = [
        translate(import_mapping.field_label_key(name), "zh_CN") + ("*" if name in required else "")
        for name in import_mapping.fields_of(kind)
    ]
    return _workbook(headers, [], "zh_CN")
