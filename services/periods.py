"""Reporting periods for the dashboard: month, quarter, year or a custom range, and the
period just before, for the change figures. A period is [start, end) in local dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from services.errors import BoardError


class PeriodKind(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"
    custom = "custom"


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date  # inclusive
    end: date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def label(self) -> str:
        if self.kind == PeriodKind.month:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.quarter:
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == PeriodKind.year:
            return f"{self.start.year}"
        return f"{self.start:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def period_containing(
    kind: PeriodKind, today: date, start: date | None = None, end: date | None = None
) -> Period:
    """The month, quarter or year containing today, or the custom [start, end] (inclusive)."""
    kind = PeriodKind(kind)
    if kind == PeriodKind.month:
        first = today.replace(day=1)
        return Period(kind, first, _add_months(first, 1))
    if kind == PeriodKind.quarter:
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, first, _add_months(first, 3))
    if kind == PeriodKind.year:
        return Period(kind, date(today.year, 1, 1), date(today.year + 1, 1, 1))
    if start is None or end is None:
        raise BoardError("dashboard.period_incomplete")
    if end < start:
        raise BoardError("dashboard.period_reversed")
    if (end - start).days > 366 * 5:
        raise BoardError("dashboard.period_too_long")
    return Period(kind, start, end + timedelta(days=1))


def previous(period: Period) -> Period:
    """The period of the same kind just before (same length for a custom range)."""
    if period.kind == PeriodKind.month:
        return Period(period.kind, _add_months(period.start, -1), period.start)
    if period.kind == PeriodKind.quarter:
        return Period(period.kind, _add_months(period.start, -3), period.start)
    if period.kind == PeriodKind.year:
        return Period(period.kind, _add_months(period.start, -12), period.start)
    return Period(period.kind, period.start - timedelta(days=period.days), period.start)


def trend_window(period: Period, months: int = 12) -> Period:
    """The months leading up to the end of the period, for the monthly trend charts."""
    last_month = _add_months(period.last_day.replace(day=1), 1)
    start = min(period.start.replace(day=1), _add_months(last_month, -months))
    return Period(PeriodKind.custom, start, last_month)
