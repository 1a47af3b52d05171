"""Dates and times as users read them: 2026-11-24 14:30, Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime

from models.base import local, local_span


def _missing(value) -> bool:
    """None, or pandas' NaT/NaN for an empty cell."""
    return value is None or value != value  # NaT and NaN are not equal to themselves


def when(value: datetime | None) -> str:
    return "" if _missing(value) else local(value).strftime("%Y-%m-%d %H:%M")


def day(value: date | datetime | None) -> str:
    if _missing(value):
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return value.strftime("%Y-%m-%d")


def span(start: datetime, end: datetime) -> str:
    """2026-11-24 09:00–11:00, or both full stamps when the days differ."""
    return local_span(start, end)
