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


QUALITY = pd.DataFrame(
    {
        "agent": ["赵代办", ""],
        "done": [12, 3],
        "satisfaction": [4.58, None],
        "on_time_rate": [0.917, 0.667],
        "median_days": [2.5, 6.0],
    }
)


def test_proxy_quality_charts_per_agent_have_the_numbers_and_labels():
    median = charts.proxy_median_days_chart(QUALITY, t, by="agent")
    assert _data(median) == [
        {"agent": "赵代办", "median_days": 2.5},
        {"agent": "未指派", "median_days": 6.0},
    ]
    spec = median.to_dict()
    assert spec["title"]["text"] == "办结用时中位数（各代办员）"
    assert spec["encoding"]["x"]["title"] == "代办员"
    on_time = charts.proxy_on_time_chart(QUALITY, t, by="agent")
    assert [d["on_time_rate"] for d in _data(on_time)] == [0.917, 0.667]
    assert on_time.to_dict()["encoding"]["y"]["axis"]["format"] == "%"
    rating = charts.proxy_satisfaction_chart(QUALITY, t, by="agent")
    assert _data(rating) == [{"agent": "赵代办", "satisfaction": 4.58}]  # unrated: no bar


def test_proxy_quality_charts_per_community_turn_sideways_when_many():
    frame = pd.DataFrame(
        {
            "community": [f"社区{i}" for i in range(8)],
            "median_days": [float(i) for i in range(8)],
        }
    )
    spec = charts.proxy_median_days_chart(frame, t).to_dict()
    assert spec["title"]["text"] == "办结用时中位数（各社区）"
    assert spec["encoding"]["y"]["field"] == "community"  # horizontal bars
    assert sum(d["median_days"] for d in _data(charts.proxy_median_days_chart(frame, t))) == 28.0
    street = pd.DataFrame({"community": [f"社区{i}" for i in range(20)], "on_time_rate": 0.9})
    assert charts.proxy_on_time_chart(street, t).to_dict()["height"] == 20 * 24  # room per label
    with pytest.raises(ValueError):
        charts.proxy_on_time_chart(pd.DataFrame({"community": range(6000), "on_time_rate": 0.5}), t)
