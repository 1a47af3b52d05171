"""The dashboard's Excel sheets: the charts' data as tables people read."""

import pandas as pd

from services.dashboard import chart_table
from services.i18n import translate


def test_codes_become_labels_and_rates_percent_in_chinese():
    frame = pd.DataFrame(
        {
            "month": ["2026-10", "2026-11"],
            "kind": ["annual_report", "parcels"],
            "requests": [6, 3],
        }
    )
    table = chart_table(frame, lambda key: translate(key, "zh_CN"))
    assert list(table.columns) == ["月份", "代办类别", "代办件数"]
    assert table["代办类别"].tolist() == [
        translate("proxy.kind.annual_report", "zh_CN"),
        translate("proxy.kind.parcels", "zh_CN"),
    ]
    assert not any(label.startswith("proxy.kind") for label in table["代办类别"])
    assert table["代办件数"].tolist() == [6, 3]


def test_rates_are_percent_and_headers_follow_the_language():
    frame = pd.DataFrame({"community": ["四千米社区"], "due": [8], "on_time": [6], "rate": [0.75]})
    table = chart_table(frame, lambda key: translate(key, "en"))
    assert list(table.columns) == ["Community", "Visits due", "Visits on time", "On-time rate (%)"]
    assert table["On-time rate (%)"].tolist() == [75.0]
    assert frame["rate"].tolist() == [0.75]  # the chart's own frame is left as it was
