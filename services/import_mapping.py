"""Which column of an office's file goes to which field of the board.

The common headers of the lists offices keep are recognised with their variants (电话,
手机号, 联系电话, 联系方式 are all the phone); a header the office mapped by hand is
remembered per community and register (ImportMapping) and proposed first next time. A
column mapped to "" is left out. 身份证号 is read for the birth date and gender only: the
number itself is never stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlmodel import Session, col, select

from models.base import utcnow
from models.imports import ImportKind, ImportMapping
from services.access import STAFF, Actor
from services.i18n import LANGUAGES, translate

SKIP = ""  # the column is left out

_NAME = ("姓名", "名字", "名 字")
_PHONE = (
    "电话",
    "手机",
    "手机号",
    "手机号码",
    "联系电话",
    "联系方式",
    "电话号码",
    "联系手机",
    "本人电话",
    "本人手机",
)
_ADDRESS = ("住址", "家庭住址", "地址", "居住地址", "现住址", "家庭地址", "现居住地址")
_ID = ("身份证号", "身份证号码", "公民身份号码", "身份证")
_GRID = ("所属网格", "网格", "网格名称", "所在网格")
_NOTE = ("备注", "说明")

# Each register's fields in the order the templates list them, with the headers offices
# use for them (the translated field labels of both languages are recognised too).
HEADERS: dict[ImportKind, dict[str, tuple[str, ...]]] = {
    ImportKind.volunteer: {
        "name": (*_NAME, "志愿者姓名"),
        "gender": ("性别",),
        "phone": _PHONE,
        "id_number": _ID,
        "grid": _GRID,
        "skills": ("技能", "特长", "专业特长", "技能特长", "服务技能"),
        "party": ("政治面貌", "是否党员"),
        "joined_on": ("加入日期", "注册日期", "加入时间", "注册时间", "入队时间"),
        "note": _NOTE,
    },
    ImportKind.elder: {
        "name": (*_NAME, "老人姓名"),
        "gender": ("性别",),
        "birth_date": ("出生日期", "出生年月", "出生年月日", "生日"),
        "id_number": _ID,
        "phone": _PHONE,
        "address": _ADDRESS,
        "grid": _GRID,
        "situations": (
            "居住情况",
            "老人类型",
            "老人类别",
            "人员类别",
            "特殊情况",
            "居住状况",
            "类别",
        ),
        "guardian_name": ("监护人", "监护人姓名", "紧急联系人", "子女姓名", "联系人"),
        "guardian_phone": (
            "监护人电话",
            "监护人联系电话",
            "紧急联系人电话",
            "子女电话",
            "联系人电话",
        ),
        "health_notes": ("健康状况", "身体状况", *_NOTE),
    },
    ImportKind.merchant: {
        "shop_name": ("店名", "商户名称", "店铺名称", "商户名", "字号名称", "字号", "名称"),
        "owner_name": (
            "经营者",
            "负责人",
            "经营者姓名",
            "店主",
            "法定代表人",
            "法人",
            *_NAME,
        ),
        "phone": _PHONE,
        "address": (*_ADDRESS, "经营地址", "店铺地址", "经营场所"),
        "business_type": ("经营类别", "经营范围", "行业", "行业类别", "经营类型", "类型"),
        "licence_due": (
            "营业执照到期",
            "营业执照到期日",
            "营业执照到期日期",
            "执照到期",
            "执照到期日",
            "证照到期",
            "证照到期日",
            "许可证到期",
        ),
        "notes": _NOTE,
    },
}
# Without these a row cannot be stored (an elder's birth date may come from 身份证号).
REQUIRED: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.volunteer: ("name", "phone"),
    ImportKind.elder: ("name", "birth_date", "address"),
    ImportKind.merchant: ("shop_name", "owner_name", "phone", "address"),
}

_NOISE = re.compile(r"[\s*＊:：]|[（(][^）)]*[）)]")


def fields_of(kind: ImportKind) -> tuple[str, ...]:
    return tuple(HEADERS[kind])


def field_label_key(field: str) -> str:
    return f"imports.field.{field}"


def normalise(header: str) -> str:
    """A header without blanks, stars, colons and bracketed notes ("手机号（必填）*")."""
    return _NOISE.sub("", header or "").lower()


def _variants(kind: ImportKind) -> list[tuple[str, str]]:
    """(normalised header, field), longest header first: 监护人电话 before 电话."""
    pairs = {
        normalise(v): f
        for f, variants in HEADERS[kind].items()
        for v in (*variants, *(translate(field_label_key(f), lang) for lang in LANGUAGES))
    }
    return sorted(pairs.items(), key=lambda p: -len(p[0]))


def recognise(kind: ImportKind, header: str) -> str:
    """The field a header names in `kind`'s register, or SKIP: an exact match of a known
    header first, else the longest known header it contains ("老人联系电话" is the phone)."""
    text = normalise(header)
    if not text:
        return SKIP
    variants = _variants(kind)
    for known, field in variants:
        if text == known:
            return field
    for known, field in variants:
        if len(known) >= 2 and known in text:
            return field
    return SKIP


def is_known_header(header: str) -> bool:
    """Whether any register recognises `header` (how the header row is found)."""
    return any(recognise(kind, header) for kind in ImportKind)


def _remembered(session: Session, community_id: int, kind: ImportKind) -> dict[str, str]:
    rows = session.exec(
        select(ImportMapping).where(
            ImportMapping.community_id == community_id, ImportMapping.kind == kind.value
        )
    )
    return {row.header: row.field for row in rows}


def proposed_mapping(
    *,
    session: Session,
    actor: Actor,
    community_id: int,
    kind: ImportKind,
    headers: tuple[str, ...],
) -> tuple[str, ...]:
    """The field proposed for each column: the office's own choice for that header when
    it made one, else the recognised one; each field once (the first column wins)."""
    actor.require(STAFF)
    actor.require_community(community_id)
    remembered = _remembered(session, community_id, kind)
    fields = fields_of(kind)
    taken: set[str] = set()
    proposal = []
    for header in headers:
        field = remembered.get(header[:100], recognise(kind, header))
        if field not in fields or field in taken:
            field = SKIP
        taken.add(field)
        proposal.append(field)
    return tuple(proposal)


def remember(
    session: Session,
    *,
    community_id: int,
    kind: ImportKind,
    headers: Sequence[str],
    mapping: Sequence[str],
) -> None:
    """Keeps the office's choice for each named column, for its next file (in the
    import's transaction)."""
    existing = {
        row.header: row
        for row in session.exec(
            select(ImportMapping).where(
                ImportMapping.community_id == community_id,
                ImportMapping.kind == kind.value,
                col(ImportMapping.header).in_([h[:100] for h in headers]),
            )
        )
    }
    for header, field in zip(headers, mapping, strict=True):
        header = header[:100]
        if not header:
            continue
        row = existing.get(header)
        if row is None:
            row = ImportMapping(community_id=community_id, kind=kind.value, header=header)
            existing[header] = row
        elif row.field == field:
            continue
        row.field = field
        row.updated_at = utcnow()
        session.add(row)
