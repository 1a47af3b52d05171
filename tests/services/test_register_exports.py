"""Register exports opened with openpyxl: headers in both languages, typed cells, masked
phones for those who are not staff, the page's filters applied, no formula cell, file
names without spaces, the audit and access-log entries of an export of personal data, and
sensitive fields only when staff opt in."""

import io
import json
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, col, select

from models.accounts import Account
from models.audit import AuditEntry
from models.base import local
from models.elders import Elder, Visit
from models.events import Event
from models.privacy import AccessKind, AccessLogEntry
from models.volunteers import Task
from services import register_exports, volunteers
from services.access import Actor
from services.auth import actor_of
from services.errors import BoardError
from tests import factories
from tests.conftest import DEMO_TODAY

SENSITIVE = ("失能", "失智", "重残", "特困", "计生特殊")
MASKED = re.compile(r"^1\d{2}\*{4}\d{4}$")
FULL = re.compile(r"^1\d{10}$")
KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")  # a message key shown untranslated


@pytest.fixture
def demo(demo_engine):
    with Session(demo_engine, expire_on_commit=False) as s:
        yield s


def actor(session: Session, username: str) -> Actor:
    return actor_of(session.exec(select(Account).where(Account.username == username)).one())


def export(
    session, who: Actor, register: str, *, lang="zh_CN", include_sensitive=False, **filters
) -> Worksheet:
    data = register_exports.register_export(
        session=session,
        actor=who,
        register=register,
        lang=lang,
        today=DEMO_TODAY,
        filters=filters,
        include_sensitive=include_sensitive,
    )
    session.commit()
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return sheet


def header(sheet: Worksheet) -> list[str]:
    return [c.value for c in sheet[1]]


def column(sheet: Worksheet, title: str) -> list:
    index = header(sheet).index(title)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_volunteer_register_has_its_headers_in_chinese_and_english(demo):
    shuji = actor(demo, "shuji")
    zh = export(demo, shuji, "volunteers", search="张志愿")
    year = DEMO_TODAY.year
    assert header(zh) == [
        "姓名",
        "电话",
        "社区",
        "网格",
        "技能",
        "党员",
        "在册",
        "已确认时长（小时）",
        "星级",
        f"{year} 年爽约次数",
    ]
    en = export(demo, shuji, "volunteers", lang="en", search="张志愿")
    assert header(en) == [
        "Name",
        "Phone",
        "Community",
        "Grid",
        "Skills",
        "Party member",
        "Active",
        "Approved hours",
        "Stars",
        f"No-shows in {year}",
    ]
    assert zh.freeze_panes == "A2" and zh.auto_filter.ref == zh.dimensions


def test_numbers_are_numbers_and_yes_no_is_text(demo):
    sheet = export(demo, actor(demo, "shuji"), "volunteers", search="张志愿")
    (row,) = list(sheet.iter_rows(min_row=2))
    values = [c.value for c in row]
    assert values[0] == "张志愿"
    # the demo's 40 visits of 3 h (tests/pages/test_volunteer_pages.py: 120 小时)
    # numbers, not "120 小时" (a whole float reads back from the file as an int)
    assert values[7] == 120 and row[7].data_type == "n"
    assert values[8] == 1 and row[8].data_type == "n"
    assert values[6] == "是" and values[5] in ("是", "否")
    assert row[7].number_format == "0.0#" and row[8].number_format == "0"


def test_task_times_are_local_datetimes_and_days_are_dates(demo):
    shuji = actor(demo, "shuji")
    sheet = export(demo, shuji, "tasks", upcoming_only=False)
    titles = column(sheet, "任务名称")
    starts = column(sheet, "开始时间")
    assert titles and all(isinstance(s, datetime) for s in starts)
    first = demo.exec(
        select(Task).where(Task.title == titles[0]).order_by(col(Task.starts_at).desc())
    ).first()
    assert first is not None and starts[0] == local(first.starts_at).replace(tzinfo=None)
    start_col = header(sheet).index("开始时间") + 1
    assert sheet.cell(2, start_col).number_format == "yyyy-mm-dd hh:mm"
    hours = column(sheet, "已确认时长（小时）")
    assert all(isinstance(h, int | float) for h in hours) and sum(hours) > 0
    merchants = export(demo, shuji, "merchants")
    due = [d for d in column(merchants, "证照到期日") if d is not None]
    assert due and all(isinstance(d, datetime) for d in due)  # Excel dates read back
    due_col = header(merchants).index("证照到期日") + 1
    assert merchants.cell(2, due_col).number_format == "yyyy-mm-dd"


def test_the_pages_filters_are_applied(demo):
    shuji = actor(demo, "shuji")
    listed = volunteers.volunteer_list(
        session=demo, actor=shuji, skill="first_aid", active=True, today=DEMO_TODAY
    )
    sheet = export(demo, shuji, "volunteers", skill="first_aid", active=True)
    assert column(sheet, "姓名") == list(listed.rows["name"])
    assert 0 < listed.total < len(column(export(demo, shuji, "volunteers"), "姓名"))
    assert all("急救" in s for s in column(sheet, "技能"))


def test_phones_and_addresses_are_masked_for_everyone_but_staff(demo):
    # an agent (volunteer role) sees their own merchants' phones on screen; not in a file
    agent = actor(demo, "daiban")
    queue = export(demo, agent, "proxy_queue")
    phones = column(queue, "电话")
    assert phones and all(MASKED.match(p) for p in phones)
    assert all(a.endswith("****") for a in column(queue, "地址"))
    board = export(demo, actor(demo, "dazhao"), "proxy_requests")
    assert all(FULL.match(p) for p in column(board, "电话"))
    # a grid worker's elders: masked, no birth date, no sensitive field
    grid_worker = export(demo, actor(demo, "wangge"), "elders")
    assert all(MASKED.match(p) for p in column(grid_worker, "电话") if p)
    assert not {"健康情况", "照护等级", "出生日期"} & set(header(grid_worker))
    assert not any(s in (c or "") for c in column(grid_worker, "居住情况") for s in SENSITIVE)
    assert any("独居" in (c or "") for c in column(grid_worker, "居住情况"))
    # staff: contacts and birth dates in full; the sensitive fields only when ticked
    staff = export(demo, actor(demo, "shuji"), "elders")
    assert any(FULL.match(p) for p in column(staff, "电话") if p)
    assert "出生日期" in header(staff)
    assert not {"健康情况", "照护等级"} & set(header(staff))
    assert not any(s in (c or "") for c in column(staff, "居住情况") for s in SENSITIVE)
    opted = export(demo, actor(demo, "shuji"), "elders", include_sensitive=True)
    assert {"健康情况", "照护等级", "出生日期"} <= set(header(opted))
    assert any(s in (c or "") for c in column(opted, "居住情况") for s in SENSITIVE)


def test_a_name_that_looks_like_a_formula_comes_out_as_text(session, w):
    vid = factories.volunteer(session, w.community_id, '=HYPERLINK("http://x","点我")')
    assert vid
    sheet = export(session, w.shuji, "volunteers")
    (cell,) = [c for c in sheet["A"][1:]]
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://x","点我")'


def test_no_export_holds_a_formula_cell(demo):
    shuji = actor(demo, "shuji")
    elder_id = demo.exec(
        select(Visit.elder_id).join(Elder).where(Elder.community_id == shuji.community_id)
    ).first()
    task_id = demo.exec(select(Task.id).where(Task.community_id == shuji.community_id)).first()
    event_id = demo.exec(select(Event.id).where(Event.community_id == shuji.community_id)).first()
    filters = {
        "visits": {"elder_id": elder_id},
        "task_roster": {"task_id": task_id},
        "registrations": {"event_id": event_id},
    }
    read_back = {"int": int, "float": int | float, "date": datetime, "datetime": datetime}
    for register, spec in register_exports.REGISTERS.items():
        if register == "proxy_queue":
            continue  # an agent's page, below
        opted = register in register_exports.WITH_SENSITIVE  # every column there is
        sheet = export(demo, shuji, register, include_sensitive=opted, **filters.get(register, {}))
        assert sheet.max_row > 1, register  # the demo has rows in every register
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (register, cell.coordinate)
                assert not str(cell.value or "").startswith("="), (register, cell.value)
        # every cell of a typed column is of its type (or empty)
        tr = lambda key, **p: key  # noqa: E731 (headers are not compared here)
        shown = register_exports.personal_columns(shuji, opted)
        declared = spec.build(demo, shuji, shown, tr, DEMO_TODAY, **filters.get(register, {}))
        declared = declared.columns
        for index, column in enumerate(declared, start=1):
            if column.kind in read_back:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    assert cell.value is None or isinstance(cell.value, read_back[column.kind]), (
                        register,
                        column.key,
                        cell.value,
                    )
    queue = export(demo, actor(demo, "daiban"), "proxy_queue")
    assert not any(c.data_type == "f" for row in queue.iter_rows() for c in row)


def test_file_names_say_what_and_when_without_spaces(demo):
    day = date(2026, 11, 25)

    def name(username, register, **kw):
        return register_exports.export_name(
            session=demo, actor=actor(demo, username), register=register, today=day, **kw
        )

    assert name("shuji", "volunteers", lang="zh_CN") == "志愿者名册_四千米社区_2026-11-25.xlsx"
    assert name("shuji", "elders", lang="en") == "Elders_四千米社区_2026-11-25.xlsx"
    street = name("admin", "volunteers", lang="zh_CN")
    assert street.startswith("志愿者名册_") and "社区" not in street and " " not in street
    qianjin = demo.exec(select(Account.community_id).where(Account.username == "qianjin")).one()
    assert name("admin", "volunteers", lang="zh_CN", community_id=qianjin) == (
        "志愿者名册_前进社区_2026-11-25.xlsx"
    )
    for register in register_exports.REGISTERS:
        for lang in ("zh_CN", "en"):
            assert " " not in name("shuji", register, lang=lang)


def test_an_export_of_personal_data_is_audited(demo):
    shuji = actor(demo, "shuji")
    sheet = export(demo, shuji, "volunteers", search="张")
    entry = demo.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
    assert entry is not None
    assert (entry.action, entry.table_name, entry.account_id) == ("export", "volunteer", shuji.id)
    changes = json.loads(entry.changes)
    assert changes["rows"] == sheet.max_row - 1 > 0
    assert changes["filters"] == {"search": "张"}
    assert changes["file"] == f"志愿者名册_四千米社区_{DEMO_TODAY.isoformat()}.xlsx"


def test_an_export_without_personal_data_is_not_audited(demo):
    before = len(demo.exec(select(AuditEntry.id)).all())
    export(demo, actor(demo, "shuji"), "events", upcoming_only=False)
    assert len(demo.exec(select(AuditEntry.id)).all()) == before


def test_only_who_may_open_the_page_may_export(demo):
    with pytest.raises(BoardError) as refused:
        register_exports.register_export(
            session=demo,
            actor=actor(demo, "wangge"),
            register="volunteers",
            lang="zh_CN",
            today=DEMO_TODAY,
            filters={},
        )
    assert refused.value.key == "access.denied"
    assert not demo.exec(select(AuditEntry).where(AuditEntry.action == "export")).first()


def test_every_header_is_translated_in_both_languages(demo):
    shuji = actor(demo, "shuji")
    elder_id = demo.exec(
        select(Visit.elder_id).join(Elder).where(Elder.community_id == shuji.community_id)
    ).first()
    task_id = demo.exec(select(Task.id).where(Task.community_id == shuji.community_id)).first()
    event_id = demo.exec(select(Event.id).where(Event.community_id == shuji.community_id)).first()
    filters = {
        "visits": {"elder_id": elder_id},
        "task_roster": {"task_id": task_id},
        "registrations": {"event_id": event_id},
    }
    for register in register_exports.REGISTERS:
        who = actor(demo, "daiban") if register == "proxy_queue" else shuji
        zh = header(export(demo, who, register, **filters.get(register, {})))
        en = header(export(demo, who, register, lang="en", **filters.get(register, {})))
        assert len(zh) == len(en) and zh != en, register
        assert not any(KEY.match(h) for h in zh + en), (register, zh, en)


def test_a_visit_export_holds_health_and_economy_only_when_staff_opt_in(demo):
    wangge = actor(demo, "wangge")
    elder_id = demo.exec(
        select(Visit.elder_id).join(Elder).where(Elder.community_id == wangge.community_id)
    ).first()
    field = header(export(demo, wangge, "visits", elder_id=elder_id))
    shuji = actor(demo, "shuji")
    staff = header(export(demo, shuji, "visits", elder_id=elder_id))
    opted = header(export(demo, shuji, "visits", elder_id=elder_id, include_sensitive=True))
    assert field == staff
    assert "健康" not in staff and "经济" not in staff
    assert set(opted) - set(staff) == {"健康", "经济"}


def test_an_export_is_in_the_access_log_with_its_filters_rows_and_file(demo):
    shuji = actor(demo, "shuji")
    sheet = export(demo, shuji, "elders", include_sensitive=True, search="王")
    plain = export(demo, shuji, "volunteers", search="张")
    first, second = demo.exec(select(AccessLogEntry).order_by(col(AccessLogEntry.id))).all()[-2:]
    assert (first.kind, first.record_type, first.record_id) == (AccessKind.export, "register", None)
    assert (first.account_id, first.community_id, first.page) == (
        shuji.id,
        shuji.community_id,
        "elders",
    )
    assert json.loads(first.detail) == {
        "register": "elders",
        "filters": {"search": "王"},
        "rows": sheet.max_row - 1,
        "sensitive": True,
        "file": f"关爱老人名册_四千米社区_{DEMO_TODAY.isoformat()}.xlsx",
    }
    detail = json.loads(second.detail)
    assert (second.page, detail["register"], detail["sensitive"]) == (
        "volunteers",
        "volunteers",
        False,
    )
    assert detail["rows"] == plain.max_row - 1 > 0


def test_sensitive_fields_are_refused_to_others_and_on_other_registers(demo):
    before = len(demo.exec(select(AccessLogEntry.id)).all())
    for who, register in (("wangge", "elders"), ("shuji", "volunteers")):
        assert register_exports.offers_sensitive(actor(demo, who), register) is False
        with pytest.raises(BoardError) as refused:
            export(demo, actor(demo, who), register, include_sensitive=True)
        assert refused.value.key == "sensitive.export_refused"
    assert register_exports.offers_sensitive(actor(demo, "shuji"), "visits")
    assert len(demo.exec(select(AccessLogEntry.id)).all()) == before  # nothing logged
