"""The staff dashboard per role: figures with real numbers, the comparison for the street
admin, and charts that send only aggregates."""

import pyarrow as pa
from sqlalchemy import func
from sqlmodel import Session, select

from models.elders import Elder, Visit
from services import dashboard
from tests.conftest import app_test
from ui.filters import today


def test_secretary_sees_every_figure_for_the_month(demo_engine):
    at = app_test(demo_engine, "shuji")
    assert at.title[0].value == "工作看板"
    metrics = {m.label: m.value for m in at.metric}
    assert len(metrics) == len(dashboard.FIGURES)
    start = today().replace(day=1)
    with Session(demo_engine) as s:
        visits = s.exec(
            select(func.count())
            .select_from(Visit)
            .join(Elder)
            .where(Elder.community_id == 1, Visit.visited_on >= start)
        ).one()
    assert metrics["探访老人次数"] == f"{visits:,}"
    assert len(at.get("vega_lite_chart")) == len(dashboard.CHARTS)


def test_street_admin_compares_communities(demo_engine):
    at = app_test(demo_engine, "admin", "pages/dashboard.py")
    at.toggle(key="dashboard_compare").set_value(True).run()
    table = at.dataframe[0].value
    assert table["社区"].tolist()[:5] == [
        "四千米社区",
        "前进社区",
        "金润社区",
        "义和巷社区",
        "大召社区",
    ]


def test_every_chart_sends_at_most_5000_rows(demo_engine):
    at = app_test(demo_engine, "admin", "pages/dashboard.py")
    charts = at.get("vega_lite_chart")
    assert len(charts) == len(dashboard.CHARTS)
    for chart in charts:
        rows = [pa.ipc.open_stream(d.data.data).read_all().num_rows for d in chart.proto.datasets]
        assert rows and 0 < max(rows) <= 5000
