"""Chart building blocks: pure functions DataFrame -> chart, one consistent theme.

Every chart the board shows or exports is built here or by a function of the same
shape in the feature's own charts code, so a test can check the spec without a browser.
Frames carry aggregates only (counts, sums, rates per month, per community): never names,
phones or addresses.

A chart is a Vega-Lite spec (`VegaLite`): its layout (marks, encodings, titles, theme)
and the rows it draws. Altair builds and validates each layout once per kind of chart,
titles and size, and the layout is kept: building an Altair chart costs 15-40 ms, and
a dashboard draws eight of them at every run, while the layout changes only with the
language. The rows are the frame's, each time.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import altair as alt
import pandas as pd
from altair.utils.data import to_values
from pandas.api.types import is_datetime64_any_dtype

FONT = "Noto Sans CJK SC"
PALETTE = ["#C8102E", "#E8A33D", "#2F6F9F", "#4E9A5B", "#8A5A9E", "#6B7B8C", "#D96C4E", "#3E8E8E"]
MAX_ROWS = 5000  # no chart sends the browser more rows than this
# Sizes for export; on screen Streamlit stretches the chart to its container.
WIDTH = 720
HEIGHT = 320
HEIGHT_LARGE = 480
_DATA = "table"  # the name of a chart's one dataset


@dataclass(frozen=True)
class VegaLite:
    """A chart: `layout` (a Vega-Lite spec without data, shared between charts of the
    same kind: never changed in place) and the `rows` it draws."""

    layout: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The full Vega-Lite spec (for st.vega_lite_chart and the PNG export)."""
        spec = copy.deepcopy(self.layout)
        spec["data"] = {"name": _DATA}
        spec["datasets"] = {_DATA: self.rows}
        return spec

    def properties(self, **properties: Any) -> VegaLite:
        """The same chart with top-level properties set (height, width)."""
        return replace(self, layout={**self.layout, **properties})


def themed(chart: alt.Chart | alt.LayerChart, *, title: str, large: bool = False) -> alt.Chart:
    """Applies the board's look: CJK font, palette, title; larger type for the projector."""
    size = 30 if large else 16
    label = 20 if large else 12
    return (
        chart.properties(
            title=alt.Title(title, fontSize=size, anchor="start"),
            width=WIDTH,
            height=HEIGHT_LARGE if large else HEIGHT,
        )
        .configure(font=FONT)
        .configure_range(category=PALETTE)
        .configure_axis(labelFontSize=label, titleFontSize=label, grid=False)
        .configure_legend(labelFontSize=label, titleFontSize=label, orient="bottom")
        .configure_view(stroke=None)
    )


def _check(frame: pd.DataFrame) -> pd.DataFrame:
    if len(frame) > MAX_ROWS:
        raise ValueError(f"a chart gets at most {MAX_ROWS} rows, not {len(frame)}: aggregate first")
    return frame


def _tooltip(x: str, y: str, color: str | None) -> list[str]:
    """Typed fields: an empty frame (a quiet month) gives Altair nothing to infer from."""
    return [f"{x}:N", f"{y}:Q"] + ([f"{color}:N"] if color else [])


def _named(codes: pd.Series, t, prefix: str) -> list[str]:
    """Each row's code (a kind, a category) by its translated name: each name looked up
    once, not once a row (a year of months by four kinds is 48 rows)."""
    names = {code: t(f"{prefix}.{code}") for code in codes.unique()}
    return [names[code] for code in codes]


def _axis(y_format: str | None) -> alt.Axis:
    return alt.Axis(format=y_format) if y_format else alt.Axis()


def _chart(frame: pd.DataFrame, build: Any, **options: Any) -> VegaLite:
    """`frame`'s rows in the layout `build(**options)` gives (kept per options)."""
    _check(frame)
    return VegaLite(_layout(build, tuple(sorted(options.items()))), _rows(frame))


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as plain JSON values, by pandas' own JSON writer: Altair's
    sanitizer (to_values) took five times longer and was the largest cost of building
    a cold dashboard's charts. A frame with dates or times goes through Altair's, which
    writes them as Vega-Lite reads them."""
    if any(is_datetime64_any_dtype(dtype) for dtype in frame.dtypes):
        return to_values(frame)["values"]  # type: ignore[return-value]
    rows: list[dict[str, Any]] = json.loads(
        frame.to_json(orient="records", force_ascii=False, double_precision=15)
    )
    return rows


@lru_cache(maxsize=2048)
def _layout(build: Any, options: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """A chart's spec without its data. Every field's type is given (x:N, y:Q), so the
    layout does not depend on the rows."""
    spec = build(**dict(options)).to_dict()
    spec.pop("data", None)
    spec.pop("datasets", None)
    return spec


def _bar_layout(
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    color: str | None,
    color_title: str | None,
    large: bool,
    horizontal: bool,
    y_format: str | None,
) -> alt.Chart:
    x_enc = alt.X(f"{x}:N", title=x_title, sort=None, axis=alt.Axis(labelAngle=0))
    y_enc = alt.Y(f"{y}:Q", title=y_title, axis=_axis(y_format))
    if horizontal:
        x_enc, y_enc = (
            alt.X(f"{y}:Q", title=y_title, axis=_axis(y_format)),
            alt.Y(f"{x}:N", title=x_title, sort="-x"),
        )
    encoding = {"x": x_enc, "y": y_enc, "tooltip": _tooltip(x, y, color)}
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color_title or color)
    chart = alt.Chart(alt.NamedData(_DATA)).mark_bar(cornerRadiusEnd=3, color=PALETTE[0])
    return themed(chart.encode(**encoding), title=title, large=large)


def _line_layout(
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    color: str | None,
    color_title: str | None,
    large: bool,
    y_format: str | None,
) -> alt.Chart:
    encoding = {
        "x": alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        "y": alt.Y(f"{y}:Q", title=y_title, axis=_axis(y_format)),
        "tooltip": _tooltip(x, y, color),
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color_title or color)
    chart = alt.Chart(alt.NamedData(_DATA)).mark_line(point=True, strokeWidth=3, color=PALETTE[0])
    return themed(chart.encode(**encoding), title=title, large=large)


def bar_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    color_title: str | None = None,
    large: bool = False,
    horizontal: bool = False,
    y_format: str | None = None,
) -> VegaLite:
    """Bars of y per x (stacked by color if given)."""
    return _chart(
        frame,
        _bar_layout,
        x=x,
        y=y,
        title=title,
        x_title=x_title,
        y_title=y_title,
        color=color,
        color_title=color_title,
        large=large,
        horizontal=horizontal,
        y_format=y_format,
    )


def line_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    color_title: str | None = None,
    large: bool = False,
    y_format: str | None = None,
) -> VegaLite:
    """A line of y over x (one line per color if given), with points."""
    return _chart(
        frame,
        _line_layout,
        x=x,
        y=y,
        title=title,
        x_title=x_title,
        y_title=y_title,
        color=color,
        color_title=color_title,
        large=large,
        y_format=y_format,
    )


# --- the board's charts: (frame, t, large) -> chart; t translates a message key -------------


def volunteer_hours_chart(frame: pd.DataFrame, t, large: bool = False) -> VegaLite:
    monthly = frame.groupby("month", as_index=False).agg(hours=("hours", "sum"))
    return bar_chart(
        monthly,
        x="month",
        y="hours",
        title=t("chart.hours.title"),
        x_title=t("chart.month"),
        y_title=t("chart.hours.y"),
        large=large,
    )


def visits_by_month_chart(frame: pd.DataFrame, t, large: bool = False) -> VegaLite:
    labelled = frame.assign(mode=_named(frame["mode"], t, "visits.mode"))
    return bar_chart(
        labelled,
        x="month",
        y="visits",
        color="mode",
        color_title=t("chart.visits.mode"),
        title=t("chart.visits.title"),
        x_title=t("chart.month"),
        y_title=t("chart.visits.y"),
        large=large,
    )


def on_time_chart(frame: pd.DataFrame, t, large: bool = False) -> VegaLite:
    return bar_chart(
        frame[["community", "rate"]],
        x="community",
        y="rate",
        title=t("chart.on_time.title"),
        x_title=t("chart.community"),
        y_title=t("chart.on_time.y"),
        y_format="%",
        large=large,
        horizontal=len(frame) > 6,
    )


def overdue_trend_chart(frame: pd.DataFrame, t, large: bool = False) -> VegaLite:
    return line_chart(
        frame,
        x="month",
        y="overdue",
        title=t("chart.overdue.title"),
        x_title=t("chart.month"),
        y_title=t("chart.overdue.y"),
        large=large,
    )


def requests_by_month_chart(frame: pd.DataFrame, t, large: bool = False) -> VegaLite:
    labelled = frame.assign(kind=_named(frame["kind"], t, "proxy.kind"))
    return bar_chart(
        labelled,
        x="month",
        y="requests",
        color="kind",
        color_title=t("chart.requests.kind"),
        title=t("chart.requests.title"),
        x_title=t("chart.month"),
        y_title=t("chart.requests.y"),
        large=large,
    )


def satisfaction_chart(frame: pd.DataFrame, t, large: bool = False) -> VegaLite:
    """Average rating (1-5) per community."""
    return bar_chart(
        frame[["community", "satisfaction"]].dropna(),
        x="community",
        y="satisfaction",
        title=t("chart.satisfaction.title"),
        x_title=t("chart.community"),
        y_title=t("chart.satisfaction.y"),
        large=large,
        horizontal=len(frame) > 6,
    )


def events_by_month_chart(frame: pd.DataFrame, t, large: bool = False) -> VegaLite:
    labelled = frame.assign(category=_named(frame["category"], t, "events.category"))
    return bar_chart(
        labelled,
        x="month",
        y="events",
        color="category",
        color_title=t("chart.events.category"),
        title=t("chart.events.title"),
        x_title=t("chart.month"),
        y_title=t("chart.events.y"),
        large=large,
    )


def event_rates_chart(frame: pd.DataFrame, t, large: bool = False) -> VegaLite:
    long = frame.melt(
        id_vars="month",
        value_vars=["fill_rate", "attendance_rate"],
        var_name="rate",
        value_name="value",
    )
    long["rate"] = _named(long["rate"], t, "chart.events")
    return line_chart(
        long,
        x="month",
        y="value",
        color="rate",
        color_title=t("chart.events.rate"),
        title=t("chart.events.rates_title"),
        x_title=t("chart.month"),
        y_title=t("chart.events.rate"),
        y_format="%",
        large=large,
    )


def cases_by_month_chart(frame: pd.DataFrame, t, large: bool = False) -> VegaLite:
    """Residents' cases reported per month, stacked by category."""
    labelled = frame.assign(case_category=_named(frame["case_category"], t, "cases.category"))
    chart = bar_chart(
        labelled,
        x="month",
        y="cases",
        color="case_category",
        color_title=t("chart.cases.category"),
        title=t("chart.cases.title"),
        x_title=t("chart.month"),
        y_title=t("chart.cases.y"),
        large=large,
    )
    # nine categories: one colour more than the palette, so that none shares a colour
    encoding = chart.layout["encoding"]
    color = encoding["color"] | {"scale": {"range": [*PALETTE, "#B5838D"]}}
    return replace(chart, layout=chart.layout | {"encoding": encoding | {"color": color}})


# --- proxy services (issue 5): service quality per community or per agent -----------------


def _proxy_quality_chart(
    frame: pd.DataFrame, t, *, by: str, measure: str, large: bool, y_format: str | None = None
) -> VegaLite:
    """One bar per community (or agent) of a service_quality column; unassigned labelled."""
    data = frame[[by, measure]].dropna()
    data = data.assign(**{by: [name or t("proxy.unassigned") for name in data[by]]})
    chart = bar_chart(
        data,
        x=by,
        y=measure,
        title=t(f"chart.proxy.{measure}.{by}"),
        x_title=t(f"proxy.col.{by}"),
        y_title=t(f"chart.proxy.{measure}.y"),
        y_format=y_format,
        large=large,
        horizontal=len(data) > 6,
    )
    # a street of 20 communities: give each bar room for its label
    return chart.properties(height=max(HEIGHT_LARGE if large else HEIGHT, 24 * len(data)))


def proxy_median_days_chart(
    frame: pd.DataFrame, t, large: bool = False, *, by: str = "community"
) -> VegaLite:
    """Median days from request to done (column median_days) per community or agent."""
    return _proxy_quality_chart(frame, t, by=by, measure="median_days", large=large)


def proxy_on_time_chart(
    frame: pd.DataFrame, t, large: bool = False, *, by: str = "community"
) -> VegaLite:
    """Share of requests done by their due date (column on_time_rate, 0-1) as percent."""
    return _proxy_quality_chart(frame, t, by=by, measure="on_time_rate", large=large, y_format="%")


def proxy_satisfaction_chart(
    frame: pd.DataFrame, t, large: bool = False, *, by: str = "community"
) -> VegaLite:
    """Average merchant rating (1-5, column satisfaction) per community or agent."""
    return _proxy_quality_chart(frame, t, by=by, measure="satisfaction", large=large)
