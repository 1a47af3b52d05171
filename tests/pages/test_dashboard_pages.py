"""The staff dashboard per role: figures with real numbers, the comparison for the street
admin, and charts that send only aggregates."""

import io
import json

import pyarrow as pa
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import Session, select
from streamlit.runtime.media_file_manager import MediaFileManager

from models.accounts import Account, Role
from models.elders import Elder, Visit
from services import dashboard
from services.access import Actor
from services.visits import visit_record
from tests.conftest import DEMO_TODAY, ROOT, app_test, sign_in_token
from tests.pages.conftest import open_tab
from ui import actions
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


def test_the_monthly_visit_rate_stands_next_to_the_on_time_rate_with_its_definition(
    demo_engine,
):
    """月探访率 of 四千米社区 this month, recomputed here from the rows by its definition:
    elders under care in the month with a visit that stands in it / elders under care."""
    at = app_test(demo_engine, "shuji")
    labels = [m.label for m in at.metric]
    assert labels[labels.index("按时探访率") + 1] == "月探访率"
    start, now = today().replace(day=1), today()
    with Session(demo_engine) as s:
        rows = s.exec(
            select(Elder.id, Elder.registered_on, Elder.active, Elder.deactivated_on).where(
                Elder.community_id == 1
            )
        ).all()
        visited = set(
            s.exec(
                select(Visit.elder_id).where(
                    Visit.visited_on >= start, Visit.visited_on <= now, ~Visit.voided
                )
            )
        )
    cared = [i for i, reg, active, gone in rows if reg <= now and (active or gone > start)]
    rate = sum(1 for i in cared if i in visited) / len(cared)
    shown = {m.label: m.value for m in at.metric}["月探访率"]
    assert shown == f"{rate:.0%}"
    captions = " ".join(c.value for c in at.caption)
    assert "月探访率 = 当月在册老人中至少有一次有效探访" in captions
    assert "按时探访率 = 按分级间隔按时完成的探访" in captions


def test_street_admin_compares_communities(demo_engine):
    at = open_tab(app_test(demo_engine, "admin", "views/dashboard.py"), "dashboard_tab", "社区对比")
    at.toggle(key="dashboard_compare").set_value(True).run()
    table = at.dataframe[-1].value  # the comparison comes after the overdue alert
    assert table["社区"].tolist()[:5] == [
        "四千米社区",
        "前进社区",
        "金润社区",
        "义和巷社区",
        "大召社区",
    ]
    at.selectbox(key="dashboard_compare_figure").set_value("visits").run()
    chart = at.get("vega_lite_chart")[-1]
    spec = json.loads(chart.proto.spec)
    assert spec["title"]["text"] == "各社区对比：探访老人次数"
    drawn = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()
    expected = at.dataframe[-1].value.set_index("社区")["探访老人次数"]
    drawn_visits = drawn.set_index("community")["visits"]
    assert {k: f"{v:,}" for k, v in drawn_visits.items()} == expected.to_dict()
    assert all(v.endswith("%") for v in at.dataframe[-1].value["按时探访率"])


def test_every_chart_sends_at_most_5000_rows(demo_engine):
    """Every chart has data and none sends more than it draws. The demo's month is the one
    of DEMO_TODAY, whatever the calendar says: early in a real month some charts are empty."""
    at = app_test(demo_engine, "admin", "views/dashboard.py")
    at.date_input(key="dashboard_anchor").set_value(DEMO_TODAY).run()
    charts = at.get("vega_lite_chart")
    assert len(charts) == len(dashboard.CHARTS)
    for chart in charts:
        rows = [pa.ipc.open_stream(d.data.data).read_all().num_rows for d in chart.proto.datasets]
        assert rows and 0 < max(rows) <= 5000


def test_secretary_sees_the_overdue_elders_first_and_a_visit_clears_one(demo_engine):
    at = app_test(demo_engine, "shuji")
    alert = at.error[0].value
    first = at.dataframe[0].value
    most_overdue = first["姓名"].iloc[0]
    overdue_total = int(alert.split(" 位老人")[0])
    assert overdue_total > 0 and most_overdue
    with Session(demo_engine) as s:
        elder = s.exec(select(Elder).where(Elder.name == most_overdue)).first()
        account = s.exec(select(Account).where(Account.username == "shuji")).one()
        actor = Actor(account.id, "shuji", account.display_name, Role.secretary, 1)
        visit_record(
            session=s,
            actor=actor,
            elder_id=elder.id,
            visited_on=today(),
            mode="上门",
            today=today(),
        )
        s.commit()
    actions.clear_reads()  # as ui.actions.write does after every write
    at = app_test(demo_engine, "shuji")
    if overdue_total == 1:
        assert at.success[0].value.startswith("所有老人都在探访周期内")
        assert not at.error
    else:
        assert int(at.error[0].value.split(" 位老人")[0]) == overdue_total - 1
        assert most_overdue not in at.dataframe[0].value["姓名"].tolist()


def test_switching_language_keeps_the_chosen_period_with_new_labels(demo_engine):
    at = app_test(demo_engine, "shuji")
    at.selectbox(key="dashboard_period_kind").set_value("quarter").run()
    at.selectbox(key="ui_lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Dashboard"
    period = at.selectbox(key="dashboard_period_kind")
    assert period.value == "quarter"
    assert period.options == ["Month", "Quarter", "Year", "Custom"]
    # (A further AppTest run would re-format the value outside the script, where t()
    # sees the default language; a browser sends the label it was given.)


def test_street_admin_sees_the_five_longest_waiting_of_every_overdue_elder(demo_engine):
    at = app_test(demo_engine, "admin", "views/dashboard.py")
    total = int(at.error[0].value.split(" 位老人")[0])
    assert total > 5
    waiting = at.dataframe[0].value["逾期天数"].tolist()
    assert len(waiting) == 5 and waiting == sorted(waiting, reverse=True)
    assert f"共 {total} 位" in " ".join(c.value for c in at.caption)


def _runs_of_reads(monkeypatch) -> list[str]:
    """The service reads that ran (missed the cache) from now on, by module.name."""
    runs: list[str] = []
    real = actions._resolve

    def resolve(path: str):
        runs.append(path.removeprefix("services."))
        return real(path)

    monkeypatch.setattr(actions, "_resolve", resolve)
    return runs


CHART_READS = {f"{spec.data.__module__}.{spec.data.__qualname__}" for spec in dashboard.CHARTS}


def test_the_charts_are_read_and_built_only_when_a_tab_shows_them(demo_engine, monkeypatch):
    """Lazy tabs: the comparison tab open, no chart frame is read; the export tab reads the
    frames for its workbook and builds the charts only when the PDF is asked for."""
    actions.clear_reads()
    at = open_tab(app_test(demo_engine, "admin", "views/dashboard.py"), "dashboard_tab", "社区对比")
    assert not at.get("vega_lite_chart") and not at.get("download_button")
    actions.clear_reads()
    runs = _runs_of_reads(monkeypatch)
    open_tab(at, "dashboard_tab", "社区对比")
    assert not {f"services.{r}" for r in runs} & CHART_READS
    open_tab(at, "dashboard_tab", "导出")
    assert {f"services.{r}" for r in runs} & CHART_READS == CHART_READS
    assert {b.key for b in at.get("download_button")} == {"dashboard_pdf", "dashboard_excel"}
    assert not at.get("vega_lite_chart")
    open_tab(at, "dashboard_tab", "图表")
    assert len(at.get("vega_lite_chart")) == len(dashboard.CHARTS)


def test_an_elders_edit_runs_again_only_the_visit_figures_and_charts(demo_engine, monkeypatch):
    """Each feature's figures and each chart are cached on their own: after an elder's
    phone is corrected, the dashboard runs the visits' reads again, not the hours', the
    requests', the events' or the cases'."""
    actions.clear_reads()
    at = open_tab(app_test(demo_engine, "admin", "views/dashboard.py"), "dashboard_tab", "图表")
    runs = _runs_of_reads(monkeypatch)
    at.run()
    assert runs == []  # nothing written: every read from the cache
    with Session(demo_engine) as s:
        elder = s.exec(select(Elder).where(Elder.active)).first()
        elder.phone = "13900001111"
        s.add(elder)
        s.commit()
    at.run()
    assert not at.exception
    ran = set(runs)
    assert "visits.visit_figures" in ran and "visit_plan.plan_lists" in ran
    assert not ran & {
        "volunteers.volunteer_figures",
        "volunteers.hours_by_month",
        "proxy_figures.proxy_figures",
        "proxy_figures.requests_by_month",
        "event_figures.event_figures",
        "event_figures.events_by_month",
        "case_figures.case_figures",
    }, ran


def _downloads(monkeypatch) -> dict:
    """The files the page's download buttons offer, by file name: Streamlit keeps a
    button's data callable and calls it on the click, outside the page's run (as here)."""
    offered: dict = {}
    real = MediaFileManager.add_deferred

    def kept(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        offered[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", kept)
    return offered


def test_the_exports_say_what_and_when_and_the_pdf_holds_the_figures_as_text(
    demo_engine, monkeypatch
):
    offered = _downloads(monkeypatch)
    at = app_test(demo_engine, "shuji", "views/dashboard.py")
    offered.clear()  # the charts tab's PNGs
    open_tab(at, "dashboard_tab", "导出")
    day = today()
    stem = f"数据看板_四千米社区_{day:%Y-%m}_{day.isoformat()}"
    assert set(offered) == {f"{stem}.pdf", f"{stem}.xlsx"}
    shown = {m.label: m.value for m in at.metric}

    pdf = PdfReader(io.BytesIO(offered[f"{stem}.pdf"]()))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "四千米社区 社区服务工作汇报" in text and "\x00" not in text
    for label, value in shown.items():
        assert label in text and value in text

    book = load_workbook(io.BytesIO(offered[f"{stem}.xlsx"]()))
    rows = list(book["关键数据"].iter_rows(values_only=True))
    assert rows[0] == ("指标", "本期", "上期", "较上期", "单位")
    figures = {row[0]: row for row in rows[1:]}
    assert set(figures) == set(shown)
    assert shown["探访老人次数"] == f"{figures['探访老人次数'][1]:,.0f}"
    assert all(isinstance(row[1], int | float) or row[1] is None for row in rows[1:])

    offered.clear()
    open_tab(at, "dashboard_tab", "图表")
    assert f"志愿服务时长_四千米社区_{day:%Y-%m}_{day.isoformat()}.png" in offered
    assert not [name for name in offered if " " in name]


def test_the_pdf_is_in_the_language_of_the_page_that_offered_it(demo_engine, monkeypatch):
    """The file is made after the page's run, where the session's language is unknown."""
    from streamlit.testing.v1 import AppTest

    offered = _downloads(monkeypatch)
    # One run, on the export tab: AppTest calls a widget's format_func outside the run
    # when it runs again, in Chinese, and the English period picker then fails.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["ui_lang"] = "en"
    at.session_state["auth_token"] = sign_in_token(demo_engine, "shuji")
    at.session_state["dashboard_tab"] = "Export"
    at.switch_page("views/dashboard.py").run()
    (pdf_name,) = [name for name in offered if name.endswith(".pdf")]
    assert pdf_name.startswith("dashboard_")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(offered[pdf_name]())).pages)
    assert "Page 1 of" in text and "Compared with" in text
    assert "关键数据" not in text and "第 1 页" not in text


def test_a_cold_street_dashboard_asks_for_the_communities_once(demo_engine):
    """Its reads share one session a run: the street's community ids and names, which
    five figures ask for, are each read once (ten statements before, a round trip each
    on PostgreSQL)."""
    from sqlalchemy import event

    at = app_test(demo_engine, "admin", "views/dashboard.py")
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    actions.clear_reads()
    event.listen(demo_engine, "before_cursor_execute", note)
    try:
        at.run()
    finally:
        event.remove(demo_engine, "before_cursor_execute", note)
    assert not at.exception and at.title[0].value == "工作看板"
    ids = [s for s in seen if s == "SELECT community.id FROM community ORDER BY community.id"]
    names = [s for s in seen if s == "SELECT community.id, community.name FROM community"]
    named_some = [
        s for s in seen if s.startswith("SELECT community.id, community.name FROM community WHERE")
    ]
    assert len(ids) == 1 and len(names) == 1 and not named_some
