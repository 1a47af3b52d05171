"""How an audit entry reads to a person: the action in words, the module and the kind of
record a table holds, field names in the reader's language, and values as a page shows
them (local times, yes/no, labels of coded values, names instead of ids).

The writing side (services/audit.py) stores table and column names and plain values as
JSON; nothing here changes what is stored. No streamlit here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import SQLModel

import models  # noqa: F401  (every table in the metadata)
from models.base import UTCDateTime, local
from services.access import mask_address, mask_name, mask_phone
from services.i18n import catalog, translate

# The module each table belongs to, as the navigation names the work. Every table of
# models/ is here (tests/services/test_audit_view.py checks it), aggregates included.
MODULES: dict[str, str] = {
    "volunteer": "volunteers",
    "starthreshold": "volunteers",
    "hours_month": "volunteers",
    "team": "teams",
    "teammember": "teams",
    "task": "tasks",
    "task_series": "tasks",
    "signup": "tasks",
    "elder": "elders",
    "eldervisitor": "elders",
    "elderchange": "elders",
    "elder_due": "elders",
    "visittier": "elders",
    "visit": "visits",
    "visitcampaign": "visits",
    "visitcampaignelder": "visits",
    "referral": "visits",
    "visit_month": "visits",
    "visit_month_end": "visits",
    "visit_today": "visits",
    "proxyrequest": "proxy",
    "proxyrequestchange": "proxy",
    "proxyrectification": "proxy",
    "proxy_intake_month": "proxy",
    "proxy_done_month": "proxy",
    "merchant": "merchants",
    "merchantfiling": "merchants",
    "event": "events",
    "registration": "events",
    "event_month": "events",
    "resident_case": "cases",
    "casestep": "cases",
    "casephoto": "cases",
    "casenumber": "cases",
    "casedepartment": "cases",
    "caselimit": "cases",
    "calendarday": "cases",
    "mediation": "cases",
    "account": "accounts",
    "authsession": "accounts",
    "street": "org",
    "community": "org",
    "grid": "org",
    "importbatch": "imports",
    "importedrecord": "imports",
    "importmapping": "imports",
    "servicecertificate": "certificates",
    "access_log": "privacy",
    "correctionrequest": "privacy",
    "auditentry": "system",
    "data_version": "system",
    "message": "system",
    # not tables: the backups the admin made (services/backup.py), the retention runs
    # (services/retention.py)
    "backup": "system",
    "retention": "privacy",
}
MODULE_ORDER = tuple(dict.fromkeys(MODULES.values()))

# Stored changes of these actions are {field: [before, after]}; of every other action
# the values a record was made with (or what an event was about).
PAIRED = frozenset({"update", "assign"})

# Never shown: the key, and what is no one's to read in a trail (hashes, image bytes).
HIDDEN = frozenset(
    {"id", "password_hash", "token_hash", "handoff_hash", "data", "thumbnail", "digest"}
)

# Left out of a creation's list: said by the entry itself (who, when) or always the same
# for a new record.
NOT_ON_CREATION = frozenset(
    {"created_at", "created_by", "active", "taken", "stars_announced", "failed_attempts"}
)

# Coded values and the message keys that name them (a list field names each item).
VALUE_LABELS: dict[tuple[str, str], str] = {
    ("task", "kind"): "tasks.kind.",
    ("task", "status"): "tasks.status.",
    ("task_series", "kind"): "tasks.kind.",
    ("task_series", "rule"): "series.repeat.",
    ("task", "required_skills"): "volunteers.skill.",
    ("volunteer", "skills"): "volunteers.skill.",
    ("signup", "status"): "signups.status.",
    ("signup", "check_in_way"): "rosters.way.",
    ("signup", "hours_status"): "signups.hours.",
    ("event", "status"): "events.status.",
    ("event", "category"): "events.category.",
    ("registration", "status"): "events.reg.",
    ("proxyrequest", "kind"): "proxy.kind.",
    ("proxyrequest", "status"): "proxy.status.",
    ("proxyrectification", "outcome"): "rectification.outcome.",
    ("merchantfiling", "kind"): "filings.detail.",
    ("resident_case", "status"): "cases.status.",
    ("resident_case", "category"): "cases.category.",
    ("resident_case", "source"): "cases.source.",
    ("resident_case", "urgency"): "cases.urgency.",
    ("caselimit", "category"): "cases.category.",
    ("casestep", "kind"): "cases.step.",
    ("mediation", "source"): "mediations.source.",
    ("mediation", "outcome"): "mediations.outcome.",
    ("account", "role"): "role.",
    ("elder", "situations"): "elders.situation.",
    ("visittier", "situations"): "elders.situation.",
    ("elder", "gender"): "exports.gender.",
    ("volunteer", "gender"): "exports.gender.",
    ("elderchange", "kind"): "elders.change.",
    ("visit", "mode"): "visits.mode.",
    ("visit", "wellbeing"): "visits.wellbeing.",
    ("visit", "hazards"): "visits.hazard.",
    ("visit", "health"): "visits.health.",
    ("visit", "economy"): "visits.economy.",
    ("visit", "family"): "visits.family.",
    ("visit", "needs"): "visits.need.",
    ("referral", "state"): "visits.referral_state.",
    ("referral", "service"): "referrals.service.",
    ("importbatch", "kind"): "imports.kind.",
}
LISTS = frozenset(
    {
        ("task", "required_skills"),
        ("volunteer", "skills"),
        ("elder", "situations"),
        ("visit", "hazards"),
        ("visit", "health"),
        ("visit", "economy"),
        ("visit", "family"),
        ("visit", "needs"),
    }
)

# Personal data and how it is masked for a reader who may not see it in full.
PERSON_TABLES = frozenset({"volunteer", "elder", "registration"})  # their `name` is a person's
_MASKS: dict[str, Callable[[str], str]] = {
    "phone": mask_phone,
    "guardian_phone": mask_phone,
    "resident_phone": mask_phone,
    "owner_name": mask_name,
    "guardian_name": mask_name,
    "resident_name": mask_name,
    "address": mask_address,
}
_HIDDEN_FROM_OTHERS = frozenset(
    {"health_notes", "health_note", "care_level", "situations", "birth_date", "health", "parties"}
)

# Fields that hold the id of a record of another table, beyond the declared foreign keys
# (and the ones named alike in several tables).
_REFERENCES_BY_NAME = {"visitors": "account", "account_id": "account"}


def _foreign_keys() -> dict[tuple[str, str], str]:
    keys: dict[tuple[str, str], str] = {}
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            for fk in column.foreign_keys:
                keys[(table.name, column.name)] = fk.column.table.name
    return keys


def _by_name() -> dict[str, str]:
    """A field name that points to the same table wherever it is declared (volunteer_id,
    community_id, …), for fields written by events on another table: a team's member_add
    names a volunteer_id, an export's filters a community_id."""
    targets: dict[str, set[str]] = {}
    for (_, field), target in _FOREIGN_KEYS.items():
        targets.setdefault(field, set()).add(target)
    unique = {field: next(iter(t)) for field, t in targets.items() if len(t) == 1}
    return unique | _REFERENCES_BY_NAME


_FOREIGN_KEYS = _foreign_keys()
_BY_NAME = _by_name()
_DATETIMES = frozenset(
    (table.name, column.name)
    for table in SQLModel.metadata.tables.values()
    for column in table.columns
    if isinstance(column.type, UTCDateTime)
)


def reference(table: str, field: str) -> str | None:
    """The table whose record `field` of `table` names by its id, if any."""
    return _FOREIGN_KEYS.get((table, field)) or _BY_NAME.get(field)


def referenced_ids(value: object) -> list[int]:
    """The ids in a stored value: one, a list, or a [before, after] pair of lists."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list):
        return [i for item in value for i in referenced_ids(item)]
    return []


def _has(key: str) -> bool:
    return key in catalog("zh_CN")


def action_text(action: str, changes: dict[str, Any], lang: str) -> str:
    """新建, 修改, 停用, 恢复, 作废, 导出 …: an update that only (de)activated or voided a
    record says so; an action no label knows reads as stored."""
    if action == "update":
        for field, word in (("active", "deactivate"), ("voided", "void")):
            pair = changes.get(field)
            if isinstance(pair, list) and len(pair) == 2 and pair[0] != pair[1]:
                if field == "active" and pair[1]:
                    word = "reactivate"
                return translate(f"audit_view.action.{word}", lang)
    key = f"audit_view.action.{action}"
    return translate(key, lang) if _has(key) else action


def module_text(table: str, lang: str) -> str:
    module = MODULES.get(table)
    return translate(f"audit_view.module.{module}", lang) if module else table


def record_type_text(table: str, lang: str) -> str:
    key = f"audit_view.type.{table}"
    return translate(key, lang) if _has(key) else table


def field_text(table: str, field: str, lang: str) -> str:
    """The field's name in the reader's language: the table's own label first (a
    community's 名称, a volunteer's 姓名), then the shared one, then the raw name."""
    for key in (f"audit_view.field.{table}.{field}", f"audit_view.field.{field}"):
        if _has(key):
            return translate(key, lang)
    return field


def _coded(prefix: str, code: str, lang: str) -> str:
    return translate(prefix + code, lang) if _has(prefix + code) else code


class ValueText:
    """Writes the stored values of one page of entries as the reader reads them.

    `names` holds the names of the records the values point to, looked up beforehand
    (services/audit_view.py): {(table, id): name}."""

    def __init__(self, lang: str, names: dict[tuple[str, int], str]) -> None:
        self.lang = lang
        self.names = names

    def __call__(self, table: str, field: str, value: object, *, full: bool) -> str:
        """`full`: whether the reader may see this record's personal data unmasked."""
        if value is None or value == "" or value == []:
            return ""
        if not full and (shown := self._masked(table, field, value)) is not None:
            return shown
        target = reference(table, field)
        if target and referenced_ids(value):
            return "、".join(self._name(target, i) for i in referenced_ids(value))
        if isinstance(value, bool):
            return translate("audit_view.yes" if value else "audit_view.no", self.lang)
        if isinstance(value, dict):
            return "；".join(
                f"{field_text(table, k, self.lang)}：{self(table, k, v, full=full)}"
                for k, v in value.items()
                if k not in HIDDEN
            )
        if isinstance(value, list):
            return "、".join(self(table, field, item, full=full) for item in value)
        if isinstance(value, str):
            return self._text(table, field, value, full=full)
        return str(value)

    def _masked(self, table: str, field: str, value: object) -> str | None:
        if field == "name" and table in PERSON_TABLES:
            return mask_name(str(value))
        if field in _MASKS:
            return _MASKS[field](str(value))
        if field in _HIDDEN_FROM_OTHERS:
            return "***"
        return None

    def _name(self, table: str, record_id: int) -> str:
        return self.names.get((table, record_id), f"#{record_id}")

    def _text(self, table: str, field: str, value: str, *, full: bool) -> str:
        if (table, field) in _DATETIMES:
            try:
                return local(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return value
        prefix = VALUE_LABELS.get((table, field))
        if prefix and (table, field) in LISTS:
            return "、".join(_coded(prefix, code, self.lang) for code in value.split(",") if code)
        if prefix:
            return _coded(prefix, value, self.lang)
        if value[:1] in "[{":  # a JSON text (a tier's conditions): never shown raw
            try:
                parsed = json.loads(value)
            except ValueError:
                return value
            return self(table, field, parsed, full=full)
        return value
