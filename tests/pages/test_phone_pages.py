"""The phone, as volunteers and agents use it (issue 17): where each role lands and its
bottom bar, the agent's queue with its filters and counts, cards instead of tables,
tap-to-call and map links, and the events' register control a button."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from models.accounts import Account
from models.proxy import Merchant, ProxyRequest, ProxyStatus
from models.volunteers import Volunteer
from services import db
from services.proxy import OPEN
from tests.conftest import DEMO_TODAY, app_test

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _bar(at) -> list[str]:
    """The labels of the bottom bar's page links ([] when the page has no bar)."""
    for child in at.main.children.values():
        if str(getattr(child.proto, "id", "")).endswith("-phone_bar"):
            return [link.proto.label for link in child.children.values()]
    return []


def _open_requests(engine, username: str) -> list[int]:
    with Session(engine) as s:
        agent = s.exec(select(Account.id).where(Account.username == username)).one()
        return list(
            s.exec(
                select(ProxyRequest.id)
                .where(ProxyRequest.agent_account_id == agent, col(ProxyRequest.status).in_(OPEN))
                .order_by(col(ProxyRequest.id))
            ).all()
        )


def _set_due(engine, due: dict[int, date]) -> None:
    with db.transaction(engine) as s:
        for request_id, day in due.items():
            row = s.get(ProxyRequest, request_id)
            assert row is not None
            row.requested_on = min(row.requested_on, day)
            row.due_on = day


def test_each_role_lands_on_its_page_with_its_bottom_bar(demo_engine):
    volunteer = app_test(demo_engine, "zhiyuan")
    assert volunteer.title[0].value == "我的任务"
    assert _bar(volunteer)[:2] == ["报名服务", "我的任务"] and len(_bar(volunteer)) <= 3
    agent = app_test(demo_engine, "daiban")  # a volunteer with open proxy requests
    assert agent.title[0].value == "我的代办"
    assert _bar(agent)[:2] == ["我的代办", "我的任务"] and len(_bar(agent)) <= 3
    grid = app_test(demo_engine, "wangge")
    assert grid.title[0].value == "记录探访"
    assert _bar(grid) == ["记录探访", "关爱老人", "任务管理"]
    secretary = app_test(demo_engine, "shuji")
    assert secretary.title[0].value == "工作看板"
    assert _bar(secretary) == []
    # never on the meeting screen
    assert _bar(app_test(demo_engine, "wangge", "views/meeting.py")) == []


def test_an_agent_whose_requests_are_all_closed_lands_on_my_tasks(demo_engine):
    with db.transaction(demo_engine) as s:
        for request_id in _open_requests(demo_engine, "daiban"):
            s.get(ProxyRequest, request_id).status = ProxyStatus.rejected
    at = app_test(demo_engine, "daiban")
    assert at.title[0].value == "我的任务"


def test_the_queue_filters_overdue_and_due_today_with_their_counts(demo_engine, monkeypatch):
    monkeypatch.setattr("ui.filters.today", lambda: DEMO_TODAY)
    ids = _open_requests(demo_engine, "daiban")
    assert len(ids) >= 3, "the demo agent has requests"
    late, today, *later = ids
    _set_due(
        demo_engine,
        {
            late: DEMO_TODAY - timedelta(days=2),
            today: DEMO_TODAY,
            **{i: DEMO_TODAY + timedelta(days=5) for i in later},
        },
    )
    at = app_test(demo_engine, "daiban", "views/proxy_queue.py")
    shown = lambda: {  # noqa: E731
        int(b.key.rsplit("_", 1)[1]) for b in at.button if b.key.startswith("queue_")
    }
    filters = at.button_group(key="queue_filter")
    assert list(filters.options) == [f"全部 {len(ids)}", "已逾期 1", "今天到期 1"]
    assert shown() == set(ids)
    filters.set_value("overdue").run()
    assert shown() == {late}
    at.button_group(key="queue_filter").set_value("today").run()
    assert shown() == {today}
    # the agent's own merchant: a tap calls the full number; the address opens a map
    card = next(m.value for m in at.markdown if ":material/call:" in m.value)
    with Session(demo_engine) as s:
        phone = s.get(Merchant, s.get(ProxyRequest, today).merchant_id).phone
    assert f"(tel:{phone})" in card
    assert "https://uri.amap.com/search?keyword=" in card
    assert not at.dataframe


def test_volunteer_pages_show_cards_not_tables(demo_engine):
    mine = app_test(demo_engine, "zhiyuan", "views/my_tasks.py")
    assert not mine.dataframe
    past = [m.value for m in mine.markdown if m.value.startswith("已签到")]
    assert past and all("小时" in p for p in past)  # status · hours · confirmed, on cards
    open_tasks = app_test(demo_engine, "zhiyuan", "views/open_tasks.py")
    assert not open_tasks.dataframe
    places = [m.value for m in open_tasks.markdown if ":material/location_on:" in m.value]
    assert places and all("uri.amap.com/search?keyword=" in p for p in places)
    assert all("&city=" in p for p in places)  # within the street's district


def test_staff_see_a_volunteer_s_phone_as_a_tap_to_call_link(demo_engine):
    with Session(demo_engine) as s:
        zhiyuan = s.exec(
            select(Volunteer)
            .join(Account, col(Account.id) == col(Volunteer.account_id))
            .where(Account.username == "zhiyuan")
        ).one()
    office = app_test(demo_engine, "shuji", "views/volunteers.py")
    office.selectbox(key="volunteers_pick").set_value(zhiyuan.id).run()
    assert f":material/call: [{zhiyuan.phone}](tel:{zhiyuan.phone})" in [
        m.value for m in office.markdown
    ]


def test_the_register_control_is_a_button_that_opens_the_form(demo_engine):
    at = app_test(demo_engine, None, "views/programme.py")
    opens = [b for b in at.button if b.key and b.key.startswith("programme_open_")]
    assert opens, "the demo has events open for registration"
    assert not [w for w in at.toggle if w.key.startswith("programme_open_")]
    event_id = int(opens[0].key.rsplit("_", 1)[1])
    assert not at.get("form") or all(
        f"programme_form_{event_id}" not in str(f.proto) for f in at.get("form")
    )
    opens[0].click().run()
    assert at.text_input(key=f"programme_phone_{event_id}")  # the form is open
    assert not [b for b in at.button if b.key == f"programme_open_{event_id}"]
