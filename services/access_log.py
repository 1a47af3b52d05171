"""The access log (访问日志): who looked at or took away whose personal data, when, and
from which page (网络安全法 art. 21: kept at least six months; 个人信息保护法).

Three kinds of entry: a full record of one elder, volunteer or merchant opened on screen
(`record_view`, called by the page that shows it, at most once per browser session and
record per 30 minutes: ui/access_log.note_view), a file of personal data taken away (an
Excel register, one person's data) and a document printed (a certificate's PDF): those
call `log_access` in the transaction that builds the file, so a file made is a file
logged. Entries are never edited; `prune` removes those older than the street's
`access_log_months`, the one deletion the law asks for.

A write to the log changes only the log's own data version (services/data_versions.py
versions each table apart), so logging a view leaves every other cached read of the
page cached.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, delete, false, or_
from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.base import local
from models.elders import Elder
from models.events import Registration
from models.org import Community, Street
from models.privacy import AccessKind, AccessLogEntry
from models.proxy import Merchant
from models.volunteers import Volunteer
from services.access import Actor, get_scoped, page_spec
from services.db import local_bounds
from services.errors import BoardError
from services.i18n import translate

# Whose record an entry is about: one person's ("register" is a whole list of people).
RECORD_TYPES = ("elder", "volunteer", "merchant", "registration", "register")
# The full records a page shows one at a time (record_view).
VIEWED: dict[str, type[Elder] | type[Volunteer] | type[Merchant]] = {
    "elder": Elder,
    "volunteer": Volunteer,
    "merchant": Merchant,
}
# Every signed-in role but the meeting screen, which shows no one: which role may open
# which full record is the page's own rule (services/access.PAGES); the log only refuses
# a record of another community.
VIEWERS = frozenset(Role) - {Role.display}
SEARCHERS = frozenset({Role.admin})
SEARCH_LIMIT = 500  # entries a search shows, newest first
DETAIL_MAX = 2000  # AccessLogEntry.detail's length
# What a record is named by in the log, and found by in a search (a merchant by its
# owner's name too).
_NAME_COLUMN = {
    "elder": (Elder, Elder.name),
    "volunteer": (Volunteer, Volunteer.name),
    "merchant": (Merchant, Merchant.shop_name),
    "registration": (Registration, Registration.name),
}


# --- writing ------------------------------------------------------------------------------


def _detail_json(detail: Mapping[str, object] | None) -> str:
    """`detail` as JSON that fits the column: long texts (a search typed into a filter)
    are cut until it does, so logging never refuses the export it records. DEL is
    escaped (json leaves it raw, and the row check refuses control characters)."""
    values = dict(detail or {})
    for cut in (None, 200, 40):
        if cut is not None:
            values = {k: _cut(v, cut) for k, v in values.items()}
        text = json.dumps(values, ensure_ascii=False, default=str).replace("\x7f", "\\u007f")
        if len(text) <= DETAIL_MAX:
            return text
    return json.dumps({"cut": True})


def _cut(value: object, limit: int) -> object:
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, Mapping):
        return {str(k): _cut(v, limit) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_cut(v, limit) for v in value[:20]]
    return value


def log_access(
    session: Session,
    *,
    actor: Actor,
    kind: AccessKind,
    record_type: str,
    record_id: int | None,
    community_id: int | None,
    page: str,
    detail: Mapping[str, object] | None = None,
) -> None:
    """Adds one entry in the caller's transaction (no commit): `actor` did `kind` with
    the record (`record_type`, `record_id`; "register" and None for a whole list) of
    `community_id`, on the page `page` (its key in services/access.PAGES)."""
    if record_type not in RECORD_TYPES:
        raise BoardError("access_log.unknown_record")
    session.add(
        AccessLogEntry(
            account_id=actor.id,
            role=actor.role.value,
            kind=AccessKind(kind),
            record_type=record_type,
            record_id=record_id,
            community_id=community_id,
            page=page[:40],
            detail=_detail_json(detail),
        )
    )


def record_view(
    *, session: Session, actor: Actor, record_type: str, record_id: int, page: str
) -> None:
    """The full record of one elder, volunteer or merchant was shown to `actor` on
    `page`: logged, or refused (nothing logged) when the record is of another community
    or does not exist."""
    model = VIEWED.get(record_type)
    if model is None:
        raise BoardError("access_log.unknown_record")
    row = get_scoped(session, actor, model, record_id, roles=VIEWERS)
    log_access(
        session,
        actor=actor,
        kind=AccessKind.view,
        record_type=record_type,
        record_id=record_id,
        community_id=row.community_id,
        page=page,
    )


# --- keeping ------------------------------------------------------------------------------


def kept_months(*, session: Session) -> int:
    """How many months entries are kept: the street's setting (edited on the retention
    page), or its default before the street is named."""
    months = session.exec(select(Street.access_log_months).order_by(col(Street.id))).first()
    return months if months is not None else Street.model_fields["access_log_months"].default


def _months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it is shorter)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def prune_before(*, session: Session, today: date) -> date:
    """The first local day whose entries are still kept on `today`."""
    return _months_before(today, kept_months(session=session))


def prune(session: Session, *, today: date) -> int:
    """Deletes the entries from before the street's `access_log_months` ending `today`
    (an entry of that first day is kept), in the caller's transaction; returns how many.
    The caller audits the count with the rest of its run (services/retention.py)."""
    first_kept = prune_before(session=session, today=today)
    cutoff, _ = local_bounds(first_kept, first_kept)
    result = session.exec(delete(AccessLogEntry).where(col(AccessLogEntry.at) < cutoff))
    return int(result.rowcount or 0)


# --- searching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessLine:
    """One entry as the admin reads it, in their language."""

    at: datetime  # local
    who: str
    role: str
    kind: str
    record: str  # the record's type and name: 志愿者 · 王芳
    community: str
    page: str
    detail: str


@dataclass(frozen=True)
class AccessSearch:
    lines: list[AccessLine]
    more: bool  # more entries matched than are shown


@dataclass(frozen=True)
class Viewer:
    """An account that appears in the log, for the 'who' filter."""

    id: int
    name: str
    username: str


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _named(record_type: str | None, name: str) -> ColumnElement[bool]:
    """Entries about a record whose name holds `name`: elders, volunteers, registrants
    by name, merchants by shop or owner; one subquery per record type."""
    pattern = _like(name)
    terms = []
    for kind, (model, column) in _NAME_COLUMN.items():
        if record_type not in (None, kind):
            continue
        found: ColumnElement[bool] = col(column).like(pattern, escape="\\")
        if model is Merchant:
            found = or_(found, col(Merchant.owner_name).like(pattern, escape="\\"))
        ids = select(model.id).where(found)  # type: ignore[attr-defined]
        terms.append(
            and_(col(AccessLogEntry.record_type) == kind, col(AccessLogEntry.record_id).in_(ids))
        )
    return or_(*terms) if terms else false()


def _names(session: Session, wanted: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """The names of the records the shown entries are about: one query per record type."""
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        if kind not in _NAME_COLUMN or not ids:
            continue
        model, column = _NAME_COLUMN[kind]
        key = model.id  # type: ignore[attr-defined]
        for rid, name in session.exec(select(key, column).where(col(key).in_(ids))):
            names[(kind, rid)] = name
    return names


def _detail_text(detail: dict, lang: str) -> str:
    """What the entry's detail says, in words: 42 行 · 志愿者名册_四千米社区_2026-11-25.xlsx."""
    parts = []
    if "rows" in detail:
        parts.append(translate("access_log.detail.rows", lang, n=detail["rows"]))
    if detail.get("sensitive"):
        parts.append(translate("access_log.detail.sensitive", lang))
    if detail.get("certificate"):
        parts.append(translate("access_log.detail.certificate", lang, number=detail["certificate"]))
    if detail.get("file"):
        parts.append(str(detail["file"]))
    return " · ".join(parts)


def _record_text(entry: AccessLogEntry, detail: dict, name: str | None, lang: str) -> str:
    kind = translate(f"access_log.type.{entry.record_type}", lang)
    if entry.record_type == "register" and detail.get("register"):
        register = translate(f"exports.register.{detail['register']}", lang)
        return f"{kind} · {register}"
    if entry.record_id is None:
        return kind
    shown = name if name is not None else translate("access_log.record_gone", lang)
    return f"{kind} · {shown}"


def _page_title(key: str, lang: str) -> str:
    try:
        return translate(page_spec(key).title_key, lang)
    except KeyError:
        return key


def access_log_search(
    *,
    session: Session,
    actor: Actor,
    lang: str,
    start: date,
    end: date,
    account_id: int | None = None,
    record_type: str | None = None,
    name: str = "",
    kind: AccessKind | None = None,
    limit: int = SEARCH_LIMIT,
) -> AccessSearch:
    """The entries from `start` to `end` (local days, both included), newest first, by
    who looked (`account_id`), whose record (`record_type`, and a `name` found among the
    elders, volunteers, merchants and registrants) and `kind`; the street admin's."""
    actor.require(SEARCHERS)
    begin, finish = local_bounds(start, date.fromordinal(end.toordinal() + 1))
    stmt = (
        select(AccessLogEntry, Account.display_name, Community.name)
        .join(Account, col(AccessLogEntry.account_id) == Account.id, isouter=True)
        .join(Community, col(AccessLogEntry.community_id) == Community.id, isouter=True)
        .where(col(AccessLogEntry.at) >= begin, col(AccessLogEntry.at) < finish)
    )
    if account_id is not None:
        stmt = stmt.where(AccessLogEntry.account_id == account_id)
    if record_type is not None:
        stmt = stmt.where(AccessLogEntry.record_type == record_type)
    if kind is not None:
        stmt = stmt.where(AccessLogEntry.kind == kind)
    if name.strip():
        stmt = stmt.where(_named(record_type, name.strip()))
    stmt = stmt.order_by(col(AccessLogEntry.at).desc(), col(AccessLogEntry.id).desc())
    found = list(session.exec(stmt.limit(limit + 1)))
    shown = found[:limit]
    wanted: dict[str, set[int]] = {}
    for entry, _, _ in shown:
        if entry.record_id is not None:
            wanted.setdefault(entry.record_type, set()).add(entry.record_id)
    names = _names(session, wanted)
    lines = []
    for entry, who, community in shown:
        detail = json.loads(entry.detail or "{}")
        lines.append(
            AccessLine(
                at=local(entry.at),
                who=who or "—",
                role=translate(f"role.{entry.role}", lang) if entry.role else "",
                kind=translate(f"access_log.kind.{entry.kind}", lang),
                record=_record_text(
                    entry, detail, names.get((entry.record_type, entry.record_id or 0)), lang
                ),
                community=community or "",
                page=_page_title(entry.page, lang),
                detail=_detail_text(detail, lang),
            )
        )
    return AccessSearch(lines, more=len(found) > limit)


def access_log_viewers(*, session: Session, actor: Actor) -> list[Viewer]:
    """The accounts that appear in the log, by name: who the admin may filter on."""
    actor.require(SEARCHERS)
    rows = session.exec(
        select(Account.id, Account.display_name, Account.username)
        .where(col(Account.id).in_(select(AccessLogEntry.account_id).distinct()))
        .order_by(col(Account.display_name), col(Account.id))
    )
    return [Viewer(i, n, u) for i, n, u in rows]
