"""The export button on every register page, for each role that sees the page; and what
its press runs (the button's callable, outside the page's run) writes the file and the
audit entry; the sensitive fields' opt-in beside the elders' exports, for staff only."""

import io
import json

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from models.accounts import Account
from models.audit import AuditEntry
from models.privacy import AccessLogEntry
from services.auth import actor_of
from tests.conftest import DEMO_TODAY, app_test
from tests.pages.conftest import open_tab
from ui import downloads

# page, the tab to open (key, label) or None, the export buttons' keys (a prefix for a
# record's own button), and the demo accounts of the roles that see the page
PAGES = [
    ("views/volunteers.py", None, ["volunteers_export"], ["shuji", "admin"]),
    ("views/teams.py", None, ["teams_export"], ["shuji", "admin"]),
    (
        "views/elders.py",
        ("elders_tab", "老人名册"),
        ["elders_export", "elders_visits_export_"],
        ["shuji", "admin", "wangge"],
    ),
    ("views/tasks.py", None, ["tasks_export", "tasks_roster_export_"], ["shuji", "wangge"]),
    ("views/proxy_board.py", None, ["proxy_board_export"], ["dazhao", "admin"]),
    ("views/proxy_queue.py", None, ["proxy_queue_export"], ["daiban"]),
    ("views/events.py", None, ["events_export", "events_registrations_export_"], ["shuji"]),
    ("views/merchants.py", None, ["merchants_export"], ["dazhao", "admin"]),
]


def _export_keys(at) -> list[str]:
    return [b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")]


@pytest.mark.parametrize(("page", "tab", "keys", "users"), PAGES, ids=[p[0] for p in PAGES])
def test_each_register_page_offers_its_export(demo_engine, page, tab, keys, users):
    for username in users:
        at = app_test(demo_engine, username, page)
        if tab is not None:
            open_tab(at, *tab)
        assert not at.exception, (username, at.exception)
        shown = _export_keys(at)
        for key in keys:
            assert any(k == key or k.startswith(key) for k in shown), (username, key, shown)
        labels = {b.proto.label for b in at.get("download_button")}
        assert "导出 Excel" in labels
    # the file is made (and the export audited) only when the button is pressed
    with Session(demo_engine) as s:
        assert not s.exec(select(AuditEntry).where(AuditEntry.action == "export")).first()


def test_the_button_is_in_english_for_an_english_reader(demo_engine):
    at = app_test(demo_engine, "shuji", "views/volunteers.py", lang="en")
    assert "Export to Excel" in {b.proto.label for b in at.get("download_button")}


def test_pressing_the_button_writes_the_file_and_the_audit_entry(demo_engine):
    """The callable the button holds (ui/downloads._made), as Streamlit calls it on the
    press: through ui.actions.write, in one transaction."""
    with Session(demo_engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
    data = downloads._made(
        shuji, "merchants", "zh_CN", DEMO_TODAY, {"search": "", "active": True}, False
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet["A1"].value == "店名" and sheet.max_row > 1
    with Session(demo_engine) as s:
        entry = s.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
    assert entry is not None and (entry.action, entry.table_name) == ("export", "merchant")
    assert json.loads(entry.changes)["rows"] == sheet.max_row - 1


def test_a_refused_export_writes_nothing(demo_engine):
    with Session(demo_engine) as s:
        wangge = actor_of(s.exec(select(Account).where(Account.username == "wangge")).one())
    with pytest.raises(downloads.ExportRefused):
        downloads._made(wangge, "volunteers", "zh_CN", DEMO_TODAY, {}, False)
    with Session(demo_engine) as s:
        assert not s.exec(select(AuditEntry).where(AuditEntry.action == "export")).first()


def test_staff_may_tick_sensitive_fields_into_the_elders_exports(demo_engine):
    """The opt-in is off by default, offered to staff beside the registry's and an elder's
    visits' buttons, to no one else; a file made with it ticked says so in the access log."""
    for username, offered in (("shuji", True), ("admin", True), ("wangge", False)):
        at = open_tab(app_test(demo_engine, username, "views/elders.py"), "elders_tab", "老人名册")
        boxes = {b.key: b.value for b in at.checkbox if b.key and b.key.endswith("_sensitive")}
        if offered:
            assert boxes.get("elders_export_sensitive") is False, (username, boxes)
            assert any(k.startswith("elders_visits_export_") for k in boxes), boxes
        else:
            assert boxes == {}, username
    with Session(demo_engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
    data = downloads._made(shuji, "elders", "zh_CN", DEMO_TODAY, {"search": ""}, True)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None and "健康情况" in [c.value for c in sheet[1]]
    with Session(demo_engine) as s:
        entry = s.exec(select(AccessLogEntry).order_by(col(AccessLogEntry.id).desc())).first()
    assert entry is not None and entry.account_id == shuji.id
    assert json.loads(entry.detail)["sensitive"] is True
