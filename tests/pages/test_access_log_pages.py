"""The access log on the pages: the volunteers and merchants pages log the full record
they show, once per session and record per 30 minutes; the street admin reads and
filters the log on 访问日志; nobody else opens it."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from models.accounts import Account
from models.privacy import AccessKind, AccessLogEntry
from services import access_log, db
from services.auth import actor_of
from tests.conftest import ROOT, app_test, sign_in_token
from ui.access_log import SEEN

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


def _logged(engine) -> list[tuple[str, str, int | None, str]]:
    with Session(engine) as s:
        rows = s.exec(
            select(Account.username, AccessLogEntry)
            .join(Account, col(Account.id) == AccessLogEntry.account_id)
            .order_by(col(AccessLogEntry.id))
        )
        return [(u, e.record_type, e.record_id, e.page) for u, e in rows]


def _older(at: AppTest, minutes: int) -> None:
    """Moves this session's memory of what it logged `minutes` into the past."""
    at.session_state[SEEN] = {
        k: v - timedelta(minutes=minutes) for k, v in at.session_state[SEEN].items()
    }


def test_the_volunteers_page_logs_the_volunteer_shown_once_per_half_hour(demo_engine):
    at = app_test(demo_engine, "shuji", "views/volunteers.py")
    assert not at.exception
    picked = at.session_state["volunteers_pick"]
    assert _logged(demo_engine) == [("shuji", "volunteer", picked, "volunteers")]
    at.run()  # a rerun (any click) while the record stays on screen
    _older(at, 29)
    at.run()
    assert len(_logged(demo_engine)) == 1
    _older(at, 2)  # 31 minutes since the entry
    at.run()
    assert _logged(demo_engine) == [("shuji", "volunteer", picked, "volunteers")] * 2


def test_the_merchants_page_logs_the_merchant_shown(demo_engine):
    at = app_test(demo_engine, "dazhao", "views/merchants.py")
    assert not at.exception
    picked = at.session_state["merchants_pick"]
    assert _logged(demo_engine) == [("dazhao", "merchant", picked, "merchants")]
    at.run()
    assert len(_logged(demo_engine)) == 1


def _log(engine, username: str, kind: AccessKind, record_type: str, record_id, page: str) -> None:
    with db.transaction(engine) as s:
        actor = actor_of(s.exec(select(Account).where(Account.username == username)).one())
        access_log.log_access(
            s,
            actor=actor,
            kind=kind,
            record_type=record_type,
            record_id=record_id,
            community_id=actor.community_id,
            page=page,
            detail={"register": "volunteers", "rows": 42, "file": "志愿者名册_四千米社区.xlsx"}
            if record_type == "register"
            else None,
        )


def test_the_admin_reads_and_filters_the_log(demo_engine):
    app_test(demo_engine, "shuji", "views/volunteers.py")  # a view, logged by the page
    _log(demo_engine, "shuji", AccessKind.export, "register", None, "volunteers")
    _log(demo_engine, "dazhao", AccessKind.print, "volunteer", None, "certificates")
    at = app_test(demo_engine, "admin", "views/access_log.py")
    assert not at.exception
    assert "6 个月" in at.caption[0].value
    table = at.dataframe[0].value
    assert list(table["操作"]) == ["打印", "导出", "查看"]
    assert list(table["查看人"]) == ["大召社区书记", "王书记", "王书记"]
    export = table.iloc[1]
    assert export["档案"] == "名册 · 志愿者名册"
    assert export["详情"] == "42 行 · 志愿者名册_四千米社区.xlsx"
    assert export["页面"] == "志愿者" and export["社区"] == "四千米社区"
    viewed = table.iloc[2]
    assert viewed["档案"].startswith("志愿者 · ") and viewed["角色"] == "社区书记"

    at.selectbox(key="access_log_kind").set_value(AccessKind.view).run()
    assert list(at.dataframe[0].value["操作"]) == ["查看"]
    at.selectbox(key="access_log_kind").set_value(None).run()
    at.text_input(key="access_log_name").input("没有这个人").run()
    assert not at.dataframe and at.info[0].value == "所选日期和条件下没有访问记录。"


def test_nobody_but_the_street_admin_opens_the_log(demo_engine):
    denied = "您的账号无权查看“访问日志”页面"
    direct = AppTest.from_file(str(Path(ROOT, "views/access_log.py")), default_timeout=30)
    direct.session_state["auth_token"] = sign_in_token(demo_engine, "shuji")
    direct.run()
    assert [e.value for e in direct.error] == [denied]
    assert not direct.dataframe and not direct.title
