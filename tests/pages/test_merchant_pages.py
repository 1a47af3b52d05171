"""The merchant register (商户名册): empty, refused and successful submissions, an edit
that lands on the picked merchant, deactivation that asks and says what it leaves open;
the filings calendar, the merchants to help as a deadline nears, a request in one tap
and a filed mark."""

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from models.proxy import Merchant, MerchantFiling, ProxyRequest
from services import filings
from tests.conftest import app_test
from tests.pages.conftest import open_tab


def _merchants(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Merchant)).one()


def test_an_empty_merchant_is_refused_and_a_second_press_registers_nothing(demo_engine):
    before = _merchants(demo_engine)
    at = open_tab(app_test(demo_engine, "shuji", "views/merchants.py"), "merchants_tab", "登记商户")
    submit = "FormSubmitter:merchants_new-创建"
    at.button(key=submit).click().run()
    assert "请填写店名、店主和地址" in [e.value for e in at.error]
    assert _merchants(demo_engine) == before
    at.text_input(key="merchants_shop").input("草原奶茶铺")
    at.text_input(key="merchants_owner").input("其木格")
    at.text_input(key="merchants_address").input("大学西路8号")
    at.text_input(key="merchants_phone").input("12345")
    at.button(key=submit).click().run()
    assert "请填写 11 位手机号，例如 13812345678" in [e.value for e in at.error]
    assert _merchants(demo_engine) == before
    at.text_input(key="merchants_phone").input("13847110001")
    at.button(key=submit).click().run()
    assert "已登记商户 草原奶茶铺" in [m.value for m in at.success]
    assert at.text_input(key="merchants_shop").value == ""
    at.button(key=submit).click().run()  # pressed again on the emptied form
    assert _merchants(demo_engine) == before + 1


def test_an_edit_lands_on_the_picked_merchant_who_stays_picked(demo_engine):
    at = app_test(demo_engine, "shuji", "views/merchants.py")
    options = at.selectbox(key="merchants_pick")
    first = options.value
    with Session(demo_engine) as s:
        other = s.exec(
            select(Merchant).where(
                Merchant.community_id == 1, Merchant.active, Merchant.id != first
            )
        ).first()
    at.selectbox(key="merchants_pick").set_value(other.id).run()
    assert at.text_input(key=f"merchants_edit_shop_{other.id}").value == other.shop_name
    at.text_input(key=f"merchants_edit_shop_{other.id}").input(other.shop_name + "（新店）")
    at.button(key=f"FormSubmitter:merchants_edit_{other.id}-保存").click().run()
    assert not at.error
    assert "已保存" in [m.value for m in at.success]
    assert at.selectbox(key="merchants_pick").value == other.id
    with Session(demo_engine) as s:
        assert s.get(Merchant, other.id).shop_name == other.shop_name + "（新店）"
        assert s.get(Merchant, first).shop_name != other.shop_name + "（新店）"


def test_deactivating_a_merchant_asks_and_leaves_its_open_requests_open(demo_engine):
    with Session(demo_engine) as s:
        merchant_id, open_n = s.exec(
            select(ProxyRequest.merchant_id, func.count())
            .join(Merchant, Merchant.id == ProxyRequest.merchant_id)
            .where(
                Merchant.community_id == 1,
                ProxyRequest.status.in_(["submitted", "accepted", "in_progress"]),
            )
            .group_by(ProxyRequest.merchant_id)
        ).first()
    at = app_test(demo_engine, "shuji", "views/merchants.py")
    at.selectbox(key="merchants_pick").set_value(merchant_id).run()
    at.button(key=f"merchants_deactivate_{merchant_id}").click().run()
    question = " ".join(w.value for w in at.warning)
    assert f"它还有 {open_n} 个未办结的代办：不会被关闭" in question
    with Session(demo_engine) as s:
        assert s.get(Merchant, merchant_id).active
    at.button(key=f"merchants_deactivate_yes_{merchant_id}").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        assert not s.get(Merchant, merchant_id).active
        still_open = s.exec(
            select(func.count())
            .select_from(ProxyRequest)
            .where(
                ProxyRequest.merchant_id == merchant_id,
                ProxyRequest.status.in_(["submitted", "accepted", "in_progress"]),
            )
        ).one()
    assert still_open == open_n
    assert any("已停用商户" in m.value for m in at.success)
    at.toggle(key="merchants_inactive").set_value(True).run()
    at.selectbox(key="merchants_pick").set_value(merchant_id).run()
    at.button(key=f"merchants_reactivate_{merchant_id}").click().run()
    with Session(demo_engine) as s:
        assert s.get(Merchant, merchant_id).active


@pytest.mark.parametrize("username", ["dazhao", "admin"])
def test_the_calendar_and_in_june_the_annual_reports_not_filed(demo_engine, monkeypatch, username):
    """On 10 June 20 days remain of the annual report's window: every merchant who has
    not filed is listed (30 with their buttons, the rest counted); one tap takes a
    request due 20 June (the kind's 10 days, before 30 June); another is marked filed."""
    june = date(2026, 6, 10)
    monkeypatch.setattr("ui.filters.today", lambda: june)
    at = app_test(demo_engine, username, "views/merchants.py")
    assert not at.error
    assert at.subheader[0].value == "申报日历（个体工商户）"
    calendar = at.dataframe[0].value
    assert calendar.iloc[:, 0].tolist() == ["年报/年检", "经营所得汇算清缴"]
    assert calendar.iloc[:, 1].tolist() == ["2026-01-01 – 2026-06-30", "2026-01-01 – 2026-03-31"]
    assert calendar.iloc[:, 2].tolist() == ["申报中", "未开放"]
    assert at.subheader[1].value.startswith("临近截止、尚未办理")
    take = [b.key for b in at.button if b.key.startswith("filings_take_annual_report_")]
    assert len(take) >= 2
    first, second = (int(k.rsplit("_", 1)[1]) for k in take[:2])
    at.button(key=f"filings_take_annual_report_{first}").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        request = s.exec(
            select(ProxyRequest)
            .where(ProxyRequest.merchant_id == first, ProxyRequest.kind == "annual_report")
            .order_by(ProxyRequest.id.desc())
        ).first()
    assert (request.due_on, request.detail) == (
        date(2026, 6, 20),
        "代办 2025 年度报告（截止 6 月 30 日）",
    )
    assert f"filings_take_annual_report_{first}" not in [b.key for b in at.button]
    assert f"代办中：#{request.id}" in [c.value for c in at.caption]
    at.date_input(key=f"filings_filed_on_annual_report_{second}").set_value(date(2026, 6, 8))
    at.button(key=f"filings_mark_ok_annual_report_{second}").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        mark = s.exec(
            select(MerchantFiling).where(
                MerchantFiling.merchant_id == second,
                MerchantFiling.kind == "annual_report",
                MerchantFiling.year == 2026,
            )
        ).one()
    assert (mark.kind, mark.year, mark.filed_on) == ("annual_report", 2026, date(2026, 6, 8))
    assert second in filings.filed_merchants(
        Session(demo_engine), filings.FilingKind.annual_report, 2026
    )
    assert f"filings_take_annual_report_{second}" not in [b.key for b in at.button]
