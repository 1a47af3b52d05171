"""The merchant register (商户名册): empty, refused and successful submissions, an edit
that lands on the picked merchant, deactivation that asks and says what it leaves open."""

from sqlalchemy import func
from sqlmodel import Session, select

from models.proxy import Merchant, ProxyRequest
from tests.conftest import app_test


def _merchants(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Merchant)).one()


def test_an_empty_merchant_is_refused_and_a_second_press_registers_nothing(demo_engine):
    before = _merchants(demo_engine)
    at = app_test(demo_engine, "shuji", "views/merchants.py")
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
