"""How the dashboard shows a figure: number formats and the change against last period."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from services import dashboard
from services.dashboard import Figure, FigureSpec
from services.periods import Period, previous
from ui.actions import read
from ui.i18n import t


def key_figures(
    specs: tuple[FigureSpec, ...],
    *,
    community_ids: list[int] | None,
    period: Period,
    today: date,
) -> list[Figure]:
    """The figures of `specs` for the period against the period before, each feature's
    figures read and cached on their own: an elder's edit makes the visits' figures run
    again, not the hours', the requests' or the events' (one cached read of them all
    ran every feature's queries again after any write)."""

    def values(of: Period) -> dict:
        return {
            provider: read(
                provider, community_ids=community_ids, start=of.start, end=of.end, today=today
            )
            for provider in dashboard.providers_of(specs)
        }

    return dashboard.figures_of(specs, values(period), values(previous(period)))


def chart_frames(*, community_ids: list[int] | None, period: Period) -> dict[str, pd.DataFrame]:
    """Every meeting chart's data, each chart's read and cached on its own (as
    key_figures)."""
    frames = {}
    for spec in dashboard.CHARTS:
        window = dashboard.chart_window(spec, period)
        frames[spec.key] = read(
            spec.data, community_ids=community_ids, start=window.start, end=window.end
        )
    return frames


def format_value(value: float | None, fmt: str) -> str:
    if value is None:
        return "—"
    if fmt == "rate":
        return f"{value:.0%}"
    if fmt == "hours":
        return t("dashboard.unit.hours", n=f"{value:,.0f}")
    if fmt == "score":
        return f"{value:.1f} / 5"
    if fmt == "days":
        return t("dashboard.unit.days", n=f"{value:.1f}")
    return f"{value:,.0f}"


def format_delta(figure: Figure) -> str | None:
    """'+12' or '-3%' against the previous period; None when there is nothing to compare."""
    delta = figure.delta
    if delta is None:
        return None
    # shown as rounded: a change that rounds to nothing is none ("-0.0" said otherwise)
    shown = round(delta * 100) if figure.fmt == "rate" else round(delta, 1)
    if figure.fmt not in ("rate", "score", "days"):
        shown = round(delta)
    if shown == 0:
        return None
    if figure.fmt == "rate":
        return t("dashboard.delta_points", n=f"{delta * 100:+.0f}")
    if figure.fmt == "score":
        return f"{delta:+.1f}"
    if figure.fmt == "days":
        return t("dashboard.unit.days", n=f"{delta:+.1f}")
    return f"{delta:+,.0f}"


def delta_color(figure: Figure) -> str:
    """Green for good news, red for bad; grey where a rise is neither."""
    if figure.higher_is_better is None:
        return "off"
    return "normal" if figure.higher_is_better else "inverse"


def figure_tiles(figures: list[Figure], *, per_row: int, help_text) -> None:
    """The figures as bordered metric tiles, `per_row` to a row: the value, the change
    against the period before (coloured by whether higher is better), `help_text(figure)`
    (None: no help) behind the tile's question mark."""
    for row_start in range(0, len(figures), per_row):
        cols = st.columns(per_row)
        for col, figure in zip(cols, figures[row_start : row_start + per_row], strict=False):
            col.metric(
                t(f"dashboard.fig.{figure.key}"),
                format_value(figure.value, figure.fmt),
                delta=format_delta(figure),
                delta_color=delta_color(figure),
                border=True,
                help=help_text(figure),
            )
