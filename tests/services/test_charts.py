"""Chart functions on hand-made frames: the right numbers and labels in the spec."""

import pandas as pd
import pytest

from services import charts
from services.i18n import translate


def t(key, **params):
    return translate(key, "zh_CN", **params)


def _data(chart) -> list[dict]:
    spec = chart.to_dict()
    name = next(iter(spec["datasets"]))
    return spec["datasets"][name]


def test_hours_chart_sums_communities_per_month():
    frame = pd.DataFrame(
        {
            "month": ["2026-10", "2026-10", "2026-11"],
            "community": ["甲", "乙", "甲"],
            "hours": [10.0, 5.0, 7.5],
        }
    )
    chart = charts.volunteer_hours_chart(frame, t)
    assert _data(chart) == [{"month": "2026-10", "hours": 15.0}, {"month": "2026-11", "hours": 7.5}]
    spec = chart.to_dict()
    assert spec["title"]["text"] == "志愿服务时长（每月）"
    assert spec["config"]["font"] == "Noto Sans CJK SC"


def test_requests_chart_translates_kinds():
    frame = pd.DataFrame({"month": ["2026-11"], "kind": ["parcels"], "requests": [4]})
    assert _data(charts.requests_by_month_chart(frame, t)) == [
        {"month": "2026-11", "kind": "代收快递", "requests": 4}
    ]


def test_event_rates_chart_has_both_rates_as_percent():
    frame = pd.DataFrame(
        {
            "month": ["2026-11"],
            "capacity": [40],
            "confirmed": [30],
            "attended": [27],
            "fill_rate": [0.75],
            "attendance_rate": [0.9],
        }
    )
    chart = charts.event_rates_chart(frame, t)
    assert sorted((d["rate"], d["value"]) for d in _data(chart)) == [
        ("到场率", 0.9),
        ("报名率", 0.75),
    ]
    assert chart.to_dict()["encoding"]["y"]["axis"]["format"] == "%"


def test_on_time_chart_lists_communities():
    frame = pd.DataFrame(
        {
            "community": ["四千米社区", "前进社区"],
            "due": [10, 8],
            "on_time": [9, 4],
            "rate": [0.9, 0.5],
        }
    )
    assert _data(charts.on_time_chart(frame, t)) == [
        {"community": "四千米社区", "rate": 0.9},
        {"community": "前进社区", "rate": 0.5},
    ]


def test_visits_chart_translates_modes():
    frame = pd.DataFrame(
        {
            "month": ["2026-11", "2026-11", "2026-11"],
            "mode": ["上门", "电话", "视频"],
            "visits": [5, 2, 1],
        }
    )
    english = charts.visits_by_month_chart(frame, lambda key, **p: translate(key, "en", **p))
    assert [(d["mode"], d["visits"]) for d in _data(english)] == [
        ("Home visit", 5),
        ("Phone call", 2),
        ("Video call", 1),
    ]
    assert [d["mode"] for d in _data(charts.visits_by_month_chart(frame, t))] == [
        "上门",
        "电话",
        "视频",
    ]
    assert frame["mode"].tolist() == ["上门", "电话", "视频"]  # the caller's frame is untouched


def test_large_charts_for_the_projector_and_the_row_cap():
    frame = pd.DataFrame({"month": ["2026-11"], "overdue": [3]})
    assert charts.overdue_trend_chart(frame, t, large=True).to_dict()["title"]["fontSize"] == 30
    with pytest.raises(ValueError):
        charts.bar_chart(
            pd.DataFrame({"x": range(5001), "y": range(5001)}),
            x="x",
            y="y",
            title="",
            x_title="",
            y_title="",
        )
