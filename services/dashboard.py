"""The dashboard: key figures with the change against the previous period, the charts
of the meeting screen, and the comparison between communities.

Each feature computes its own figures in SQL (`volunteer_figures`, `visit_figures`,
`proxy_figures`, `event_figures`, `case_figures`, and the monthly data functions); this
module only composes them. The residents' cases (需求与调解) have figures of their own
(CASE_FIGURES), shown in their own section, and one chart among the others. Everything returned is aggregate: counts, sums, rates per month or per
community, never a person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import pandas as pd
from sqlmodel import Session

from services import case_figures, charts, event_figures, proxy_figures, visits, volunteers
from services.periods import Period, previous, trend_window


class FigureProvider(Protocol):
    """A feature's key figures for [start, end); `today` is the day figures that are a
    state rather than a sum (elders overdue now) are taken on."""

    def __call__(
        self,
        *,
        session: Session,
        community_ids: list[int] | None,
        start: date,
        end: date,
        today: date,
    ) -> dict: ...


class FrameProvider(Protocol):
    """A chart's data for [start, end), aggregated in SQL."""

    def __call__(
        self, *, session: Session, community_ids: list[int] | None, start: date, end: date
    ) -> pd.DataFrame: ...


@dataclass(frozen=True)
class FigureSpec:
    key: str  # message key suffix: dashboard.fig.<key>
    provider: FigureProvider  # the feature's figures function
    field: str  # the value in that function's dict
    fmt: str  # int, hours, rate, score, days
    page_key: str | None  # the page the figure links to, if any
    # whether a rise is good news (its change shown green), bad (red), or None: neither
    # (more cases reported can be more trust as much as more trouble: grey)
    higher_is_better: bool | None = True
    defined: bool = False  # a rate said in words beside it: dashboard.def.<key>


_VOLUNTEERS = volunteers.volunteer_figures
_VISITS = visits.visit_figures
_PROXY = proxy_figures.proxy_figures
_EVENTS = event_figures.event_figures

FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("hours", _VOLUNTEERS, "hours", "hours", "tasks"),
    FigureSpec("active_volunteers", _VOLUNTEERS, "active_volunteers", "int", "volunteers"),
    FigureSpec("visits", _VISITS, "visits", "int", "elders"),
    FigureSpec("on_time_rate", _VISITS, "on_time_rate", "rate", "elders", defined=True),
    FigureSpec("visit_rate", _VISITS, "visit_rate", "rate", "elders", defined=True),
    FigureSpec(
        "overdue_elders", _VISITS, "overdue_elders", "int", "elders", higher_is_better=False
    ),
    FigureSpec("requests_done", _PROXY, "done", "int", "proxy_board"),
    FigureSpec("satisfaction", _PROXY, "satisfaction", "score", "proxy_board"),
    FigureSpec("events", _EVENTS, "events", "int", "events"),
    FigureSpec("attendance_rate", _EVENTS, "attendance_rate", "rate", "events"),
)

# 需求与调解 (issue 13): every one defined in words (dashboard.def.<key>)
_CASES = case_figures.case_figures
CASE_FIGURES: tuple[FigureSpec, ...] = tuple(
    FigureSpec(key, _CASES, key, fmt, None, higher_is_better=better, defined=True)
    for key, fmt, better in (
        ("cases_reported", "int", None),
        ("case_response_rate", "rate", True),
        ("case_on_time_rate", "rate", True),
        ("case_resolution_rate", "rate", True),
        ("case_satisfaction_rate", "rate", True),
        ("case_median_days", "days", False),
        ("disputes_mediated", "int", None),
        ("mediation_success_rate", "rate", True),
    )
)


@dataclass(frozen=True)
class Figure:
    key: str
    value: float | None
    previous: float | None
    fmt: str
    page_key: str | None
    higher_is_better: bool | None
    defined: bool = False

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _provider_values(
    session: Session,
    community_ids: list[int] | None,
    period: Period,
    today: date,
    specs: tuple[FigureSpec, ...] = FIGURES,
) -> dict[FigureProvider, dict]:
    return {
        provider: provider(
            session=session,
            community_ids=community_ids,
            start=period.start,
            end=period.end,
            # the clock: a figure of a period that is over reads its kept month-ends
            # (services/visit_month_ends.py); each provider counts only its period
            today=today,
        )
        for provider in providers_of(specs)
    }


def key_figures(
    *, session: Session, community_ids: list[int] | None, period: Period, today: date
) -> list[Figure]:
    """Every key figure for the period and the period before it."""
    return _figures(session, community_ids, period, today, FIGURES)


def case_key_figures(
    *, session: Session, community_ids: list[int] | None, period: Period, today: date
) -> list[Figure]:
    """The figures of residents' cases for the period and the period before it."""
    return _figures(session, community_ids, period, today, CASE_FIGURES)


def _figures(
    session: Session,
    community_ids: list[int] | None,
    period: Period,
    today: date,
    specs: tuple[FigureSpec, ...],
) -> list[Figure]:
    now = _provider_values(session, community_ids, period, today, specs)
    before = _provider_values(session, community_ids, previous(period), today, specs)
    return figures_of(specs, now, before)


def providers_of(specs: tuple[FigureSpec, ...]) -> list[FigureProvider]:
    """The feature functions `specs` take their values from, each once."""
    return list(dict.fromkeys(spec.provider for spec in specs))


def figures_of(
    specs: tuple[FigureSpec, ...],
    now: dict[FigureProvider, dict],
    before: dict[FigureProvider, dict],
) -> list[Figure]:
    """The figures of `specs` from their providers' values for the period (`now`) and the
    period before it. A page reads each provider on its own (ui/figures.py), so a write
    makes stale only the figures of the data it changed."""
    return [
        Figure(
            key=spec.key,
            value=now[spec.provider].get(spec.field),
            previous=before[spec.provider].get(spec.field),
            fmt=spec.fmt,
            page_key=spec.page_key,
            higher_is_better=spec.higher_is_better,
            defined=spec.defined,
        )
        for spec in specs
    ]


def community_comparison(
    *, session: Session, communities: list[tuple[int, str]], period: Period, today: date
) -> pd.DataFrame:
    """One row per community with its key figures for the period (street admin)."""
    rows = []
    for community_id, name in communities:
        values = _provider_values(session, [community_id], period, today)
        row: dict[str, object] = {"community": name}
        for spec in FIGURES:
            row[spec.key] = values[spec.provider].get(spec.field)
        rows.append(row)
    return pd.DataFrame(rows, columns=["community", *[s.key for s in FIGURES]])


def comparison_chart(
    table: pd.DataFrame, figure_key: str, t: Callable[..., str], large: bool = False
) -> charts.VegaLite:
    """One key figure side by side for each community of the comparison table."""
    spec = next(s for s in FIGURES if s.key == figure_key)
    frame = table[["community", figure_key]].dropna()
    return charts.bar_chart(
        frame,
        x="community",
        y=figure_key,
        title=t("dashboard.compare_chart", figure=t(f"dashboard.fig.{figure_key}")),
        x_title=t("dashboard.col.community"),
        y_title=t(f"dashboard.fig.{figure_key}"),
        y_format="%" if spec.fmt == "rate" else None,
        horizontal=len(frame) > 6,
        large=large,
    )


# --- the meeting charts -------------------------------------------------------------


@dataclass(frozen=True)
class ChartSpec:
    key: str  # message key suffix for the plain-words title: dashboard.chart.<key>
    data: FrameProvider
    build: Callable[[pd.DataFrame, Callable[[str], str], bool], charts.VegaLite]
    trend: bool = True  # monthly trend: drawn over the 12 months up to the period's end


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("hours", volunteers.hours_by_month, charts.volunteer_hours_chart),
    ChartSpec("visits", visits.visits_by_month, charts.visits_by_month_chart),
    ChartSpec("on_time", visits.on_time_by_community, charts.on_time_chart, trend=False),
    ChartSpec("overdue", visits.overdue_trend, charts.overdue_trend_chart),
    ChartSpec("requests", proxy_figures.requests_by_month, charts.requests_by_month_chart),
    ChartSpec(
        "satisfaction", proxy_figures.service_quality, charts.satisfaction_chart, trend=False
    ),
    ChartSpec("events", event_figures.events_by_month, charts.events_by_month_chart),
    ChartSpec("event_rates", event_figures.event_rates_by_month, charts.event_rates_chart),
    ChartSpec("cases", case_figures.cases_by_month, charts.cases_by_month_chart),
)


def chart_window(spec: ChartSpec, period: Period) -> Period:
    """The days a chart draws: the 12 months up to the period's end for a trend, else
    the period."""
    return trend_window(period) if spec.trend else period


def chart_frames(
    *, session: Session, community_ids: list[int] | None, period: Period
) -> dict[str, pd.DataFrame]:
    """The data of every meeting chart, aggregated in SQL by the features."""
    frames = {}
    for spec in CHARTS:
        window = chart_window(spec, period)
        frames[spec.key] = spec.data(
            session=session, community_ids=community_ids, start=window.start, end=window.end
        )
    return frames


# --- the charts' data as tables people read (Excel export) ---------------------------

# Columns holding a code, and the message key of its label.
_CODE_LABELS = {
    "kind": "proxy.kind.{}",
    "category": "events.category.{}",
    "case_category": "cases.category.{}",
}
_RATE_COLUMNS = ("rate", "on_time_rate", "fill_rate", "attendance_rate")


def chart_table(frame: pd.DataFrame, t: Callable[[str], str]) -> pd.DataFrame:
    """A chart's data as a table for people: codes as their labels, rates in percent, and
    headers in the reader's language (dashboard.col.<column>)."""
    table = frame.copy()
    for column, key in _CODE_LABELS.items():
        if column in table:
            table[column] = [t(key.format(code)) for code in table[column]]
    for column in _RATE_COLUMNS:
        if column in table:
            table[column] = (table[column] * 100).round(1)
    return table.rename(columns={c: t(f"dashboard.col.{c}") for c in table.columns})
