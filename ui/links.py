"""The record a link names (?task=, ?event=, ?request=, ?elder=, ?case=): one rule for
every page that follows a link. Only plain ASCII digits name a record, within the
database's integers; anything else in the address ("²", which str.isdigit() takes and
int() refuses; a 20-digit number, past what the database stores) names none."""

from __future__ import annotations

_LARGEST = 2**31 - 1  # INTEGER on PostgreSQL


def record_id(raw: str | None) -> int | None:
    if not raw or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if value <= _LARGEST else None
