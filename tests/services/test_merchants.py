"""Merchants (商户): required fields, one shop name per community, licences falling due,
and what deactivating a merchant does to its open requests (nothing: they are finished
one by one)."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from models.proxy import Merchant, ProxyRequest
from services import filings, merchants, proxy
from services.errors import BoardError
from tests import factories

TODAY = date(2026, 11, 24)


@pytest.fixture
def w(session):
    return factories.world(session, "大召社区")


def _merchant(session, w, **kw):
    values = {
        "community_id": w.community_id,
        "shop_name": "老绥元烧卖馆",
        "owner_name": "王老板",
        "phone": "13847112345",
        "address": "大召前街12号",
        "licence_due": TODAY + timedelta(days=20),
    } | kw
    return merchants.merchant_create(session=session, actor=w.shuji, **values)


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"shop_name": " "}, "proxy.merchant_required"),
        ({"owner_name": ""}, "proxy.merchant_required"),
        ({"address": ""}, "proxy.merchant_required"),
        ({"phone": ""}, "volunteers.phone_invalid"),
        ({"phone": "0471-6961234"}, "volunteers.phone_invalid"),
    ],
)
def test_a_merchant_needs_shop_owner_phone_and_address(session, w, values, key):
    with pytest.raises(BoardError) as err:
        _merchant(session, w, **values)
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(Merchant)).all() == []


def test_a_double_press_registers_one_merchant_and_an_edit_cannot_take_a_name(session, w):
    first = _merchant(session, w)
    session.commit()
    with pytest.raises(BoardError) as err:
        _merchant(session, w)
    assert err.value.key == "proxy.merchant_taken"
    session.rollback()
    second = _merchant(session, w, shop_name="小召烧麦")
    session.commit()
    edit = {
        "owner_name": "李老板",
        "phone": "13847112346",
        "address": "小召前街1号",
        "business_type": "",
        "licence_due": None,
        "notes": "",
    }
    with pytest.raises(BoardError) as err:
        merchants.merchant_update(
            session=session, actor=w.shuji, merchant_id=second, shop_name="老绥元烧卖馆", **edit
        )
    assert err.value.key == "proxy.merchant_taken"
    session.rollback()
    merchants.merchant_update(
        session=session, actor=w.shuji, merchant_id=second, shop_name="小召烧麦馆", **edit
    )
    session.commit()
    assert session.get(Merchant, second).shop_name == "小召烧麦馆"
    assert session.get(Merchant, first).active and session.get(Merchant, second).active


def test_licences_due_within_30_days(session, w):
    _merchant(session, w)  # licence due in 20 days
    _merchant(session, w, shop_name="小召烧麦", licence_due=TODAY + timedelta(days=31))
    _merchant(session, w, shop_name="塞上老街茶馆", licence_due=TODAY)
    _merchant(session, w, shop_name="蒙古奶茶馆", licence_due=TODAY - timedelta(days=1))
    frame = filings.filings_due(session=session, actor=w.shuji, today=TODAY)
    assert frame[["shop_name", "what", "days_left"]].values.tolist() == [
        ["塞上老街茶馆", "licence", 0],
        ["老绥元烧卖馆", "licence", 20],
    ]


def test_deactivating_keeps_open_requests_and_refuses_new_ones(session, w):
    merchant = _merchant(session, w)
    done = proxy.request_create(
        session=session,
        actor=w.shuji,
        merchant_id=merchant,
        kind="parcels",
        detail="代收快递",
        today=TODAY,
    )
    for step in ("accepted", "in_progress", "done"):
        proxy.request_advance(session=session, actor=w.shuji, request_id=done, to_status=step)
    still_open = proxy.request_create(
        session=session,
        actor=w.shuji,
        merchant_id=merchant,
        kind="licence",
        detail="办营业执照",
        today=TODAY,
    )
    session.commit()
    assert (
        merchants.merchant_open_requests(session=session, actor=w.shuji, merchant_id=merchant) == 1
    )
    assert merchants.merchant_deactivate(session=session, actor=w.shuji, merchant_id=merchant) == 1
    session.commit()
    assert session.get(ProxyRequest, still_open).status == "submitted"  # not closed
    assert merchants.merchant_list(session=session, actor=w.shuji).empty
    assert filings.filings_due(session=session, actor=w.shuji, today=TODAY).empty
    assert merchants.merchant_list(session=session, actor=w.shuji, active=False)["id"].tolist() == [
        merchant
    ]
    with pytest.raises(BoardError) as err:
        proxy.request_create(
            session=session,
            actor=w.shuji,
            merchant_id=merchant,
            kind="utilities",
            detail="缴电费",
            today=TODAY,
        )
    assert err.value.key == "proxy.merchant_invalid"
    session.rollback()
    with pytest.raises(BoardError) as err:
        merchants.merchant_deactivate(session=session, actor=w.shuji, merchant_id=merchant)
    assert err.value.key == "proxy.merchant_already_inactive"
    session.rollback()
    # the open request can still be finished
    proxy.request_advance(
        session=session, actor=w.shuji, request_id=still_open, to_status="accepted"
    )
    session.commit()


def test_a_merchant_comes_back_unless_its_name_was_taken_meanwhile(session, w):
    merchant = _merchant(session, w)
    merchants.merchant_deactivate(session=session, actor=w.shuji, merchant_id=merchant)
    session.commit()
    merchants.merchant_reactivate(session=session, actor=w.shuji, merchant_id=merchant)
    session.commit()
    assert session.get(Merchant, merchant).active
    with pytest.raises(BoardError) as err:
        merchants.merchant_reactivate(session=session, actor=w.shuji, merchant_id=merchant)
    assert err.value.key == "proxy.merchant_already_active"
    session.rollback()
    merchants.merchant_deactivate(session=session, actor=w.shuji, merchant_id=merchant)
    _merchant(session, w)  # a new shop of the same name opens
    session.commit()
    with pytest.raises(BoardError) as err:
        merchants.merchant_reactivate(session=session, actor=w.shuji, merchant_id=merchant)
    assert err.value.key == "proxy.merchant_taken"
