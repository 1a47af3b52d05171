"""Proxy pages: intake by a secretary, the agent's queue on a phone with the five-level
rating, the 差评 rectifications and their call-backs, the charts."""

import json

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type stubs
from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.org import Community, Street
from models.proxy import Merchant, ProxyRectification, ProxyRequest
from models.volunteers import Task
from services import proxy_figures
from services.periods import PeriodKind, period_containing, trend_window
from tests.conftest import DEMO_TODAY, app_test, make_account, make_community


def _account_id(engine, username):
    with Session(engine) as s:
        return s.exec(select(Account.id).where(Account.username == username)).one()


def _merchant_of(engine, community: str) -> int:
    with Session(engine) as s:
        return s.exec(
            select(Merchant.id)
            .join(Community, col(Community.id) == col(Merchant.community_id))
            .where(Community.name == community, col(Merchant.active))
            .order_by(col(Merchant.id))
            .limit(1)
        ).one()


def _open_tab(at, label):
    """The board's tabs run lazily: only the open one renders."""
    at.session_state["proxy_tab"] = label
    return at.run()


def test_secretary_takes_in_a_request(demo_engine):
    at = app_test(demo_engine, "dazhao", "views/proxy_board.py")
    assert at.tabs[0].label == "代办看板"
    assert at.caption[0].value.startswith("在办 ")
    assert not at.get("vega_lite_chart")  # the charts tab is not open, so not computed
    _open_tab(at, "受理新代办")
    assert at.selectbox(key="proxy_merchant").value is None  # no merchant picked for you
    at.selectbox(key="proxy_merchant").set_value(_merchant_of(demo_engine, "大召社区")).run()
    with Session(demo_engine) as s:
        merchant = s.get(Merchant, at.selectbox(key="proxy_merchant").value).shop_name
    at.selectbox(key="proxy_kind").set_value("utilities")
    at.text_area(key="proxy_detail").input("代缴本月电费 320 元")
    at.button(key="FormSubmitter:proxy_new-受理").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(ProxyRequest).order_by(ProxyRequest.id.desc())).first()
    assert (row.kind, row.detail, row.status) == ("utilities", "代缴本月电费 320 元", "submitted")
    assert (row.due_on - row.requested_on).days == 3
    # The outcome shows by the form, and the form is empty again: a second press adds nothing.
    assert [m.value for m in at.success] == [f"已受理 {merchant} · 大召社区 的代办"]
    assert at.success[0].proto  # drawn in the intake's own slot, by the form
    assert at.text_area(key="proxy_detail").value == ""
    assert at.selectbox(key="proxy_merchant").value is None
    at.button(key="FormSubmitter:proxy_new-受理").click().run()
    assert [e.value for e in at.error] == ["请选择商户"]
    with Session(demo_engine) as s:
        assert s.exec(select(ProxyRequest).order_by(ProxyRequest.id.desc())).first().id == row.id


def test_an_empty_intake_is_refused_with_what_is_missing(demo_engine):
    at = _open_tab(app_test(demo_engine, "dazhao", "views/proxy_board.py"), "受理新代办")
    with Session(demo_engine) as s:
        before = len(s.exec(select(ProxyRequest.id)).all())
    at.button(key="FormSubmitter:proxy_new-受理").click().run()
    assert [e.value for e in at.error] == ["请选择商户"]
    at.selectbox(key="proxy_merchant").set_value(_merchant_of(demo_engine, "大召社区")).run()
    at.button(key="FormSubmitter:proxy_new-受理").click().run()
    assert [e.value for e in at.error] == ["请填写具体内容：商户要办什么"]
    with Session(demo_engine) as s:
        assert len(s.exec(select(ProxyRequest.id)).all()) == before


def test_agent_works_the_queue_and_closes_with_a_rating(demo_engine):
    at = app_test(demo_engine, "daiban", "views/proxy_queue.py")
    keys = [b.key for b in at.button if b.key and b.key.startswith("queue_")]
    assert keys, "the demo agent has requests"
    request_id = int(keys[0].rsplit("_", 1)[1])
    assert all(k.rsplit("_", 1)[1].isdigit() for k in keys), "every button names its request"
    for step in ("accepted", "in_progress"):
        if f"queue_{step}_{request_id}" in [b.key for b in at.button]:
            at.button(key=f"queue_{step}_{request_id}").click().run()
            assert not at.error
    at.button(key=f"FormSubmitter:queue_done_{request_id}-办结").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.get(ProxyRequest, request_id)
    assert row.status == "done" and row.done_at is not None
    assert row.agent_account_id == _account_id(demo_engine, "daiban")
    # closed without a rating: the office is asked to call the merchant back
    assert row.satisfaction is None
    office = app_test(demo_engine, "dazhao", "views/proxy_board.py")
    heading = next(m.value for m in office.markdown if m.value.startswith("**待回访**"))
    assert int(heading.rsplit("(", 1)[1].rstrip(")")) >= 1
    office.selectbox(key="proxy_pick").set_value(request_id).run()
    assert not office.error
    assert [i.value for i in office.info] == ["已办结但商户还没有评价，请回访"]
    assert office.button(key=f"FormSubmitter:proxy_rate_{request_id}-保存评价")


def test_agent_closes_with_a_bad_rating_and_the_office_calls_back(demo_engine, monkeypatch):
    """The rating is one of the five words; 不满意 opens a rectification the secretary
    sees (with its deadline) on the 差评整改 tab, and the call-back closes it."""
    monkeypatch.setattr("ui.filters.today", lambda: DEMO_TODAY)
    at = app_test(demo_engine, "daiban", "views/proxy_queue.py")
    request_id = int(next(b.key for b in at.button if b.key.startswith("queue_")).rsplit("_", 1)[1])
    for step in ("accepted", "in_progress"):
        if f"queue_{step}_{request_id}" in [b.key for b in at.button]:
            at.button(key=f"queue_{step}_{request_id}").click().run()
    rating = at.button_group(key=f"queue_rating_{request_id}")
    assert list(rating.options) == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    rating.set_value(2)
    at.text_input(key=f"queue_feedback_{request_id}").input("办得太慢")
    at.button(key=f"FormSubmitter:queue_done_{request_id}-办结").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.get(ProxyRequest, request_id)
        rect = s.exec(
            select(ProxyRectification).where(ProxyRectification.request_id == request_id)
        ).one()
    assert (row.status, row.satisfaction, row.feedback) == ("done", 2, "办得太慢")
    assert rect.called_at is None and rect.deadline > rect.opened_on

    office = _open_tab(app_test(demo_engine, "dazhao", "views/proxy_board.py"), "差评整改")
    assert not office.error
    assert [m.label for m in office.metric] == ["本月差评整改率", "本年差评整改率"]
    assert any("回访办结的件数" in c.value for c in office.caption)
    card = next(m.value for m in office.markdown if "办得太慢" in m.value or "不满意" in m.value)
    assert "不满意" in card
    office.button_group(key=f"rect_outcome_{rect.id}").set_value("resolved")
    office.text_area(key=f"rect_note_{rect.id}").input("已道歉并说明办理时限")
    office.button(key=f"FormSubmitter:rect_callback_{rect.id}-记录回访并办结").click().run()
    assert not office.error
    with Session(demo_engine) as s:
        closed = s.get(ProxyRectification, rect.id)
    assert (closed.outcome, closed.note, closed.called_by_account_id) == (
        "resolved",
        "已道歉并说明办理时限",
        _account_id(demo_engine, "dazhao"),
    )
    assert f"rect_callback_{rect.id}" not in [f.key for f in office.get("form")]


def test_only_the_street_admin_sets_the_working_days_to_rectify(demo_engine):
    office = _open_tab(app_test(demo_engine, "dazhao", "views/proxy_board.py"), "差评整改")
    assert "rect_days_value" not in [n.key for n in office.number_input]
    admin = _open_tab(app_test(demo_engine, "admin", "views/proxy_board.py"), "差评整改")
    assert admin.number_input(key="rect_days_value").value == 5
    admin.number_input(key="rect_days_value").set_value(10)
    admin.button(key="FormSubmitter:rect_days-保存").click().run()
    assert not admin.error
    with Session(demo_engine) as s:
        assert s.exec(select(Street.rectification_days)).one() == 10
    # the street admin sees every community's open rectifications, named
    assert any(":gray[" in m.value for m in admin.markdown if "**" in m.value)


def _ids(engine, stmt):
    with Session(engine) as s:
        return s.exec(stmt).all()


def test_agent_rejects_a_request_from_the_phone_with_a_reason(demo_engine):
    at = app_test(demo_engine, "daiban", "views/proxy_queue.py")
    request_id = int(
        next(b.key for b in at.button if b.key and b.key.startswith("queue_reject_")).rsplit("_")[
            -1
        ]
    )
    at.button(key=f"queue_reject_{request_id}").click().run()  # asks, in place
    assert at.warning[0].value.startswith("退回后这条代办不再办理")
    at.button(key=f"queue_reject_yes_{request_id}").click().run()  # no reason yet: refused
    assert [e.value for e in at.error] == ["请填写退回原因"]
    at.text_input(key=f"queue_reject_reason_{request_id}").input("商户已自行在网上办理")
    at.button(key=f"queue_reject_yes_{request_id}").click().run()
    assert not at.error
    assert at.success[0].value.startswith("已退回：")
    with Session(demo_engine) as s:
        row = s.get(ProxyRequest, request_id)
    assert (row.status, row.reject_reason) == ("rejected", "商户已自行在网上办理")
    assert f"queue_reject_{request_id}" not in [b.key for b in at.button]


def test_street_admin_takes_in_a_request_for_an_agent_of_the_merchants_community(demo_engine):
    dazhao = _ids(demo_engine, select(Community.id).where(Community.name == "大召社区"))[0]
    merchant = _ids(demo_engine, select(Merchant.id).where(Merchant.community_id == dazhao))[0]
    daiban = _account_id(demo_engine, "daiban")
    at = _open_tab(app_test(demo_engine, "admin", "views/proxy_board.py"), "受理新代办")
    at.selectbox(key="proxy_merchant").set_value(merchant).run()
    agents = at.selectbox(key="proxy_new_agent")
    assert "赵代办" in agents.options
    agents.set_value(daiban)
    at.text_area(key="proxy_detail").input("街道受理：代缴水费")
    at.button(key="FormSubmitter:proxy_new-受理").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(ProxyRequest).order_by(ProxyRequest.id.desc())).first()
    assert (row.merchant_id, row.agent_account_id, row.detail) == (
        merchant,
        daiban,
        "街道受理：代缴水费",
    )


def test_street_admin_reassigns_on_the_board_and_the_history_shows_it(demo_engine):
    daiban = _account_id(demo_engine, "daiban")
    dazhao = _account_id(demo_engine, "dazhao")
    at = app_test(demo_engine, "admin", "views/proxy_board.py")
    on_board = at.selectbox(key="proxy_pick").options
    request_id = next(
        rid
        for rid in _ids(
            demo_engine,
            select(ProxyRequest.id)
            .join(Community, Community.id == ProxyRequest.community_id)
            .where(
                Community.name == "大召社区",
                ProxyRequest.status == "submitted",
                ProxyRequest.agent_account_id == daiban,
            ),
        )
        if any(o.startswith(f"#{rid} ") for o in on_board)
    )
    at.selectbox(key="proxy_pick").set_value(request_id).run()
    agent = at.selectbox(key=f"proxy_agent_{request_id}")
    assert {"赵代办", "大召社区书记"} <= set(agent.options)
    agent.set_value(dazhao)
    at.button(key=f"proxy_assign_{request_id}").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert s.get(ProxyRequest, request_id).agent_account_id == dazhao
    history = at.dataframe[0].value
    assert history.iloc[-1].tolist()[1:] == ["指派代办员", "街道管理员", "赵代办 → 大召社区书记"]


def test_board_charts_per_community_and_agent(demo_engine, monkeypatch):
    """The quality charts draw the numbers service_quality computes in SQL, over the
    trend window of the page's today. That today is pinned to the day the demo data was
    made for: on the calendar's today the page's window moves with the month (in
    December 2026 it is 2026-01..12, not 2025-12..2026-11) and the demo's data ages out."""
    monkeypatch.setattr("ui.filters.today", lambda: DEMO_TODAY)
    at = _open_tab(app_test(demo_engine, "dazhao", "views/proxy_board.py"), "统计图表")
    charts = {json.loads(c.proto.spec)["title"]["text"]: c for c in at.get("vega_lite_chart")}
    for measure in ("办结用时中位数", "按时办结率", "商户平均满意度"):
        assert f"{measure}（各社区）" in charts and f"{measure}（各代办员）" in charts
    drawn = pa.ipc.open_stream(
        charts["按时办结率（各代办员）"].proto.datasets[0].data.data
    ).read_all()
    window = trend_window(period_containing(PeriodKind.month, DEMO_TODAY))
    with Session(demo_engine) as s:
        community = s.exec(select(Community.id).where(Community.name == "大召社区")).one()
        quality = proxy_figures.service_quality(
            session=s, community_ids=[community], start=window.start, end=window.end, by="agent"
        )
    assert len(quality) >= 2
    drawn_rates = dict(
        zip(drawn["agent"].to_pylist(), drawn["on_time_rate"].to_pylist(), strict=True)
    )
    assert drawn_rates == {
        name or "未指派": rate
        for name, rate in zip(quality["agent"], quality["on_time_rate"], strict=True)
    }


def test_a_request_spawns_one_task_and_its_card_shows_it(demo_engine):
    at = app_test(demo_engine, "dazhao", "views/proxy_board.py")
    request_id = at.selectbox(key="proxy_pick").value
    with Session(demo_engine) as s:
        shop = s.exec(
            select(Merchant.shop_name)
            .join(ProxyRequest, ProxyRequest.merchant_id == Merchant.id)
            .where(ProxyRequest.id == request_id)
        ).one()
    assert at.text_input(key=f"proxy_task_title_{request_id}").value == f"红色代办：{shop}"
    at.button(key=f"proxy_spawn_{request_id}").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        tasks = s.exec(select(Task).where(Task.proxy_request_id == request_id)).all()
    assert [(x.title, x.kind) for x in tasks] == [(f"红色代办：{shop}", "proxy_errand")]
    # the request card shows its task, and offers no second one
    shown = [m.value for m in at.markdown]
    assert any(v.startswith(f"志愿者任务：红色代办：{shop}（招募中") for v in shown)
    assert f"proxy_spawn_{request_id}" not in [b.key for b in at.button]
    assert any("不能重复发布" in c.value for c in at.caption)


def test_intake_without_merchants_says_to_register_one_first(engine, session):
    community_id = make_community(session)
    make_account(session, "xinshuji", Role.secretary, community_id, password="demo1234")
    at = _open_tab(app_test(engine, "xinshuji", "views/proxy_board.py"), "受理新代办")
    assert not at.exception
    assert [i.value for i in at.info] == ["还没有登记商户：先在商户名册里登记，再受理代办"]
    assert not [b for b in at.button if b.key and b.key.startswith("FormSubmitter:proxy_new")]
