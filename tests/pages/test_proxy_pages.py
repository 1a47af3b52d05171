"""Proxy pages: intake by a secretary, the agent's queue on a phone, the merchant list."""

from sqlmodel import Session, select

from models.accounts import Account
from models.proxy import ProxyRequest
from tests.conftest import app_test


def _account_id(engine, username):
    with Session(engine) as s:
        return s.exec(select(Account.id).where(Account.username == username)).one()


def test_secretary_takes_in_a_request(demo_engine):
    at = app_test(demo_engine, "dazhao", "pages/proxy_board.py")
    assert at.tabs[0].label.startswith("代办看板（")
    at.selectbox(key="proxy_kind").set_value("utilities")
    at.text_area(key="proxy_detail").input("代缴本月电费 320 元")
    at.button(key="FormSubmitter:proxy_new-受理").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(ProxyRequest).order_by(ProxyRequest.id.desc())).first()
    assert (row.kind, row.detail, row.status) == ("utilities", "代缴本月电费 320 元", "submitted")
    assert (row.due_on - row.requested_on).days == 3


def test_agent_works_the_queue_and_closes_with_a_rating(demo_engine):
    at = app_test(demo_engine, "daiban", "pages/proxy_queue.py")
    keys = [b.key for b in at.button if b.key and b.key.startswith("queue_")]
    assert keys, "the demo agent has requests"
    request_id = int(keys[0].rsplit("_", 1)[1])
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


def test_merchant_page_lists_filings_due(demo_engine):
    at = app_test(demo_engine, "dazhao", "pages/merchants.py")
    assert at.subheader[0].value.startswith("30 天内到期的证照和年报")
    assert len(at.dataframe[1].value) > 0
