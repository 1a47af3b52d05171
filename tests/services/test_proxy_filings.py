"""The filings calendar of a 个体工商户 (issue 19): the annual report (1 January - 30 June,
for the year before) and the business-income tax settlement (1 January - 31 March); a
merchant has filed when a request of the kind was done within the window or staff
marked it filed; those not filed are listed from 30 days before the window's end, with
a proxy request taken in one step. Hand-made cases, answers stated."""

import json
from datetime import date, datetime, time

import pytest
from sqlmodel import select

from models.audit import AuditEntry
from models.base import LOCAL_TZ
from models.proxy import FilingKind, MerchantFiling, ProxyRequest
from services import filings, merchants, proxy
from services.errors import BoardError
from tests import factories


@pytest.fixture
def w(session):
    world = factories.world(session, "大召社区")
    world.shops = {}
    for shop in ("老绥元烧卖馆", "德顺源烧卖", "蒙古奶茶馆"):
        world.shops[shop] = merchants.merchant_create(
            session=session,
            actor=world.shuji,
            community_id=world.community_id,
            shop_name=shop,
            owner_name="王老板",
            phone="13847112345",
            address="大召前街12号",
        )
    session.commit()
    return world


def done_on(session, w, shop: str, kind: str, day: date, hour: int = 10) -> int:
    """A request of `kind` for the shop, taken in and done on `day` at `hour` (Beijing)."""
    rid = proxy.request_create(
        session=session,
        actor=w.shuji,
        merchant_id=w.shops[shop],
        kind=kind,
        detail=f"{kind} {day}",
        today=day,
    )
    for step in ("accepted", "in_progress"):
        proxy.request_advance(session=session, actor=w.shuji, request_id=rid, to_status=step)
    proxy.request_advance(
        session=session,
        actor=w.shuji,
        request_id=rid,
        to_status="done",
        now=datetime.combine(day, time(hour), LOCAL_TZ),
    )
    session.commit()
    return rid


def listed(session, w, today: date) -> list[list]:
    frame = filings.filings_due(session=session, actor=w.shuji, today=today)
    return frame[["shop_name", "what", "due", "days_left"]].values.tolist()


def test_the_windows():
    assert filings.window(FilingKind.annual_report, 2026) == (date(2026, 1, 1), date(2026, 6, 30))
    assert filings.window(FilingKind.tax_settlement, 2027) == (date(2027, 1, 1), date(2027, 3, 31))


def test_the_annual_report_is_listed_from_30_days_before_30_june_for_those_not_filed(session, w):
    # 老绥元 filed through a request done in March; 德顺源 is marked filed by staff
    done_on(session, w, "老绥元烧卖馆", "annual_report", date(2026, 3, 10))
    filings.mark_filed(
        session=session,
        actor=w.shuji,
        merchant_id=w.shops["德顺源烧卖"],
        kind="annual_report",
        filed_on=date(2026, 5, 20),
        today=date(2026, 5, 25),
    )
    session.commit()
    assert listed(session, w, date(2026, 5, 30)) == []  # 31 days left: not yet
    assert listed(session, w, date(2026, 5, 31)) == [
        ["蒙古奶茶馆", "annual_report", date(2026, 6, 30), 30]
    ]
    assert listed(session, w, date(2026, 6, 30)) == [
        ["蒙古奶茶馆", "annual_report", date(2026, 6, 30), 0]
    ]
    assert listed(session, w, date(2026, 7, 1)) == []  # the window has closed


def test_the_tax_settlement_is_listed_in_march_and_last_years_filing_does_not_count(session, w):
    done_on(session, w, "老绥元烧卖馆", "tax_settlement", date(2025, 3, 20))  # last year's
    done_on(session, w, "德顺源烧卖", "tax_settlement", date(2026, 2, 3))
    assert listed(session, w, date(2026, 3, 10)) == [
        ["老绥元烧卖馆", "tax_settlement", date(2026, 3, 31), 21],
        ["蒙古奶茶馆", "tax_settlement", date(2026, 3, 31), 21],
    ]


def test_a_request_done_after_the_window_closed_at_beijing_midnight_does_not_count(session, w):
    # done 1 July 00:30 Beijing time, still 30 June in UTC: too late for 2026's window
    done_on(session, w, "蒙古奶茶馆", "annual_report", date(2026, 6, 20))
    late = done_on(session, w, "老绥元烧卖馆", "annual_report", date(2026, 6, 25))
    session.get(ProxyRequest, late).done_at = datetime.combine(
        date(2026, 7, 1), time(0, 30), LOCAL_TZ
    )
    session.commit()
    assert filings.filed_merchants(session, FilingKind.annual_report, 2026) == {
        w.shops["蒙古奶茶馆"]
    }


def test_the_calendar_counts_who_has_filed(session, w):
    done_on(session, w, "老绥元烧卖馆", "annual_report", date(2026, 3, 10))
    lines = filings.filing_calendar(session=session, actor=w.shuji, today=date(2026, 3, 20))
    assert [(x.kind, x.first, x.last, x.merchants, x.filed) for x in lines] == [
        ("annual_report", date(2026, 1, 1), date(2026, 6, 30), 3, 1),
        ("tax_settlement", date(2026, 1, 1), date(2026, 3, 31), 3, 0),
    ]
    assert [x.is_open(date(2026, 4, 1)) for x in lines] == [True, False]


@pytest.mark.parametrize(
    ("kind", "filed_on", "key"),
    [
        ("annual_report", None, "filings.day_invalid"),
        ("annual_report", date(2025, 12, 31), "filings.day_invalid"),  # before the window
        ("annual_report", date(2026, 6, 6), "filings.day_invalid"),  # after today
        ("tax_settlement", date(2026, 4, 1), "filings.day_invalid"),  # after the window
        ("licence", date(2026, 6, 1), "filings.kind_invalid"),
    ],
)
def test_a_filed_mark_needs_a_day_in_the_window(session, w, kind, filed_on, key):
    with pytest.raises(BoardError) as err:
        filings.mark_filed(
            session=session,
            actor=w.shuji,
            merchant_id=w.shops["蒙古奶茶馆"],
            kind=kind,
            filed_on=filed_on,
            today=date(2026, 6, 5),
        )
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(MerchantFiling)).all() == []


def test_a_filed_mark_is_audited_and_taken_once(session, w):
    mark = dict(
        session=session,
        actor=w.shuji,
        merchant_id=w.shops["蒙古奶茶馆"],
        kind="annual_report",
        filed_on=date(2026, 6, 1),
        today=date(2026, 6, 5),
    )
    filings.mark_filed(**mark)
    session.commit()
    entry = session.exec(select(AuditEntry).where(AuditEntry.table_name == "merchantfiling")).one()
    assert (entry.action, entry.account_id) == ("create", w.shuji.id)
    assert json.loads(entry.changes)["filed_on"] == "2026-06-01"
    with pytest.raises(BoardError) as err:
        filings.mark_filed(**mark)
    assert err.value.key == "filings.already_filed"
    session.rollback()
    other = factories.world(session, "前进社区")
    with pytest.raises(BoardError) as err:
        filings.mark_filed(**(mark | {"actor": other.shuji, "kind": "tax_settlement"}))
    assert err.value.key == "access.other_community"


def test_one_tap_takes_a_request_due_by_the_filings_deadline(session, w):
    today = date(2026, 6, 25)
    rid = filings.take_request(
        session=session,
        actor=w.shuji,
        merchant_id=w.shops["蒙古奶茶馆"],
        what="annual_report",
        today=today,
    )
    session.commit()
    request = session.get(ProxyRequest, rid)
    # the kind's usual 10 days would be 5 July: the window ends on 30 June
    assert (request.kind, request.detail, request.due_on, request.status) == (
        "annual_report",
        "代办 2025 年度报告（截止 6 月 30 日）",
        date(2026, 6, 30),
        "submitted",
    )
    frame = filings.filings_due(session=session, actor=w.shuji, today=today)
    row = frame[frame["shop_name"] == "蒙古奶茶馆"].iloc[0]
    assert row["open_request"] == rid
    assert frame[frame["shop_name"] != "蒙古奶茶馆"]["open_request"].isna().all()
    with pytest.raises(BoardError) as err:  # a second tap takes no second request
        filings.take_request(
            session=session,
            actor=w.shuji,
            merchant_id=w.shops["蒙古奶茶馆"],
            what="annual_report",
            today=today,
        )
    assert err.value.key == "proxy.duplicate"
    session.rollback()
    # in English, and early in the window the kind's usual days hold
    rid = filings.take_request(
        session=session,
        actor=w.shuji,
        merchant_id=w.shops["德顺源烧卖"],
        what="tax_settlement",
        today=date(2026, 2, 2),
        lang="en",
    )
    request = session.get(ProxyRequest, rid)
    assert (request.detail, request.due_on) == (
        "Business income tax settlement for 2025 (by 31 March)",
        date(2026, 2, 12),
    )


def test_a_licence_request_and_a_refused_kind(session, w):
    merchants.merchant_update(
        session=session,
        actor=w.shuji,
        merchant_id=w.shops["老绥元烧卖馆"],
        shop_name="老绥元烧卖馆",
        owner_name="王老板",
        phone="13847112345",
        address="大召前街12号",
        business_type="餐饮",
        licence_due=date(2026, 12, 1),
        notes="",
    )
    rid = filings.take_request(
        session=session,
        actor=w.shuji,
        merchant_id=w.shops["老绥元烧卖馆"],
        what="licence",
        today=date(2026, 11, 24),
    )
    request = session.get(ProxyRequest, rid)
    # the kind's usual 15 days would be 9 December: the licence expires on 1 December
    assert (request.kind, request.detail, request.due_on) == (
        "licence",
        "代办证照延续（2026-12-01 到期）",
        date(2026, 12, 1),
    )
    with pytest.raises(BoardError) as err:
        filings.take_request(
            session=session,
            actor=w.shuji,
            merchant_id=w.shops["老绥元烧卖馆"],
            what="parcels",
            today=date(2026, 11, 24),
        )
    assert err.value.key == "filings.kind_invalid"
