"""The figures of residents' cases (issue 13) on the dashboard (secretary, street admin)
and the meeting screen (display), from a known data set in 2024, a year the demo's cases
do not reach: the numbers shown are the ones stated here. The meeting screen shows no
resident's name, phone or the case's description."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from models.accounts import Account
from models.base import LOCAL_TZ
from models.cases import Case, CaseStep, Mediation
from services import dashboard
from tests.conftest import app_test
from tests.pages.conftest import open_tab
from ui.filters import today

pytestmark = pytest.mark.usefixtures("fresh_read_cache")
IN_2024 = date(2024, 6, 1)
RESIDENT, PHONE, DESCRIPTION = "欧阳春花", "13912345678", "楼上卫生间漏水殃及楼下"


def bj(day: str, hhmm: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=LOCAL_TZ).astimezone(UTC)


def _known_2024(engine) -> None:
    """四千米社区 (id 1): four cases, three decided within 24 h (75%); two closed, one
    resolved (50%), one by its last day (50%), after 2 and 5 days (median 3.5); two
    call-backs, 满意 and 不满意 (50%); one dispute mediated to a written agreement (100%).
    前进社区 (id 2): one case accepted within the hour."""
    with Session(engine) as s:
        shuji = s.exec(select(Account).where(Account.username == "shuji")).one()
        rows = [
            # (community, number, category, reported, decided, closed, due, resolved)
            (1, "2024-0001", "facilities", bj("2024-03-01"), bj("2024-03-01", "15:00"),
             bj("2024-03-03", "16:00"), date(2024, 3, 6), True),
            (1, "2024-0002", "neighbour_dispute", bj("2024-03-10"), bj("2024-03-11", "08:00"),
             bj("2024-03-15", "10:00"), date(2024, 3, 13), False),
            (1, "2024-0003", "policy", bj("2024-04-02"), bj("2024-04-02", "10:00"),
             None, None, None),
            (1, "2024-0004", "help", bj("2024-05-06"), bj("2024-05-08", "09:00"),
             None, None, None),
            (2, "2024-0005", "sanitation", bj("2024-05-07"), bj("2024-05-07", "09:30"),
             None, None, None),
        ]  # fmt: skip
        ids = []
        for cid, number, category, reported, decided, closed, due, resolved in rows:
            row = Case(
                number=number,
                community_id=cid,
                source="walk_in",
                category=category,
                description=DESCRIPTION,
                resident_name=RESIDENT,
                resident_phone=PHONE,
                reported_at=reported,
                reported_by=shuji.id,
                status="closed" if closed else "accepted",
                accepted_at=decided,
                closed_at=closed,
                due_on=due,
                resolved=resolved,
            )
            s.add(row)
            s.flush()
            ids.append(row.id)
            for kind, at in (("report", reported), ("accept", decided)):
                s.add(CaseStep(case_id=row.id, kind=kind, at=at, account_id=shuji.id,
                               account_name="王书记"))  # fmt: skip
        for case_id, at, level in ((ids[0], bj("2024-03-04"), 4), (ids[1], bj("2024-03-16"), 2)):
            s.add(CaseStep(case_id=case_id, kind="call_back", at=at, account_id=shuji.id,
                           account_name="王书记", level=level))  # fmt: skip
        s.add(
            Mediation(
                case_id=ids[1],
                parties=f"{RESIDENT}与楼上住户",
                source="application",
                mediator_name="王书记",
                mediated_on=date(2024, 3, 14),
                outcome="written",
            )
        )
        s.commit()


def _year_2024(at, prefix: str):
    at.selectbox(key=f"{prefix}_period_kind").set_value("year").run()
    at.date_input(key=f"{prefix}_anchor").set_value(IN_2024).run()
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_secretary_sees_the_case_figures_of_her_community(demo_engine):
    _known_2024(demo_engine)
    at = _year_2024(app_test(demo_engine, "shuji"), "dashboard")
    at = open_tab(at, "dashboard_tab", "需求与调解")
    assert not at.exception
    shown = _metrics(at)
    assert shown["上报件数"] == "4"
    assert shown["响应率"] == "75%"
    assert shown["按时办结率"] == "50%"
    assert shown["解决率"] == "50%"
    assert shown["满意率"] == "50%"
    assert shown["办结天数中位数"] == "3.5 天"
    assert shown["调解纠纷"] == "1"
    assert shown["调解成功率"] == "100%"
    helps = {m.label: m.proto.help for m in at.metric}
    assert helps["响应率"].startswith(
        "响应率 = 24 小时内作出受理决定（立案或不予受理）的件数 ÷ 上报件数"
    )
    # one community: the figures per grid (the cases above have none)
    table = at.dataframe[-1].value
    assert table["网格"].tolist() == ["未分网格"]
    assert table["上报件数"].tolist() == ["4"]
    chart = json.loads(at.get("vega_lite_chart")[-1].proto.spec)
    assert chart["title"]["text"] == "每月上报的需求和纠纷（按类别）"


def test_a_year_without_cases_shows_dashes_not_zero_percent(demo_engine):
    at = open_tab(
        _year_2024(app_test(demo_engine, "shuji"), "dashboard"), "dashboard_tab", "需求与调解"
    )
    shown = _metrics(at)
    assert shown["上报件数"] == "0"
    assert shown["响应率"] == shown["满意率"] == shown["调解成功率"] == "—"
    assert shown["办结天数中位数"] == "—"


def test_street_admin_compares_the_communities(demo_engine):
    _known_2024(demo_engine)
    at = _year_2024(app_test(demo_engine, "admin", "views/dashboard.py"), "dashboard")
    at = open_tab(at, "dashboard_tab", "需求与调解")
    shown = _metrics(at)
    assert shown["上报件数"] == "5"
    assert shown["响应率"] == "80%"  # 4 of 5
    table = at.dataframe[-1].value.set_index("社区")
    assert table.loc["四千米社区", "上报件数"] == "4"
    assert table.loc["前进社区", "响应率"] == "100%"
    assert table.loc["前进社区", "解决率"] == "—"


def test_the_dashboard_says_how_many_cases_are_open_and_overdue(demo_engine):
    """Recounted from the rows by the definition: open in these statuses; overdue where
    the clock runs and the rectification's (else the dispatch's) last day is past."""
    open_statuses = {"reported", "accepted", "escalated", "dispatched", "in_progress",
                     "handled", "rectifying"}  # fmt: skip
    with Session(demo_engine) as s:
        rows = s.exec(
            select(Case.status, Case.due_on, Case.rectify_due).where(Case.community_id == 1)
        ).all()
    is_open = [r for r in rows if r.status in open_statuses]
    overdue = [
        r
        for r in is_open
        if r.status in ("dispatched", "in_progress", "rectifying")
        and (r.rectify_due or r.due_on) is not None
        and (r.rectify_due or r.due_on) < today()
    ]
    at = app_test(demo_engine, "shuji")
    texts = [w.value for w in at.warning] + [i.value for i in at.info]
    said = next(x for x in texts if x.startswith("需求案件"))
    assert f"在办 {len(is_open)} 件" in said
    assert (f"其中 {len(overdue)} 件" in said) if overdue else ("没有超期" in said)


def test_the_meeting_screen_shows_the_case_figures_without_personal_data(demo_engine):
    _known_2024(demo_engine)
    at = _year_2024(app_test(demo_engine, "huiyi"), "meeting")
    at.session_state["meeting_screen"] = 1 + [c.key for c in dashboard.CHARTS].index("cases")
    at.run()
    assert at.title[0].value == "需求与调解"
    shown = _metrics(at)
    assert shown["上报件数"] == "4" and shown["满意率"] == "50%"
    assert shown["调解成功率"] == "100%"
    sent = [str(e.value) for e in [*at.title, *at.caption, *at.markdown, *at.text]]
    sent += [f"{m.label} {m.value} {m.proto.help}" for m in at.metric]
    for chart in at.get("vega_lite_chart"):
        sent += [chart.proto.spec, *(str(d) for d in chart.proto.datasets)]
    everything = "\n".join(sent)
    for personal in (RESIDENT, PHONE, DESCRIPTION, "王书记"):
        assert personal not in everything


def test_a_rise_in_cases_reported_is_neither_good_nor_bad_news():
    """More cases reported can be more trust as much as more trouble: its change is grey,
    a faster median green when it falls, a higher satisfaction green when it rises."""
    from services.dashboard import CASE_FIGURES, Figure
    from ui.figures import delta_color

    def color(key: str) -> str:
        spec = next(s for s in CASE_FIGURES if s.key == key)
        return delta_color(
            Figure(key, 5, 3, spec.fmt, None, higher_is_better=spec.higher_is_better)
        )

    assert color("cases_reported") == "off"
    assert color("disputes_mediated") == "off"
    assert color("case_median_days") == "inverse"
    assert color("case_satisfaction_rate") == "normal"


def test_a_change_that_rounds_to_nothing_is_not_shown():
    """A satisfaction 0.02 lower said "-0.0" on the tile and in the PDF."""
    from services.dashboard import Figure
    from ui.figures import format_delta

    def delta(value, previous, fmt):
        return format_delta(Figure("x", value, previous, fmt, None, higher_is_better=True))

    assert delta(4.50, 4.52, "score") is None
    assert delta(4.5, 4.3, "score") == "+0.2"
    assert delta(0.801, 0.798, "rate") is None
    assert delta(12, 12.3, "int") is None
    assert delta(12, 10, "int") == "+2"
