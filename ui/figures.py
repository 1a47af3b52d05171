"""How the dashboard shows a figure: number formats and the change against last period."""

from __future__ import annotations

from services.dashboard import Figure
from ui.i18n import t


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
    if delta is None or abs(delta) < 1e-9:
        return None
    if figure.fmt == "rate":
        return t("dashboard.delta_points", n=f"{delta * 100:+.0f}")
    if figure.fmt == "score":
        return f"{delta:+.1f}"
    if figure.fmt == "days":
        return t("dashboard.unit.days", n=f"{delta:+.1f}")
    return f"{delta:+,.0f}"


def delta_color(figure: Figure) -> str:
    return "normal" if figure.higher_is_better else "inverse"
