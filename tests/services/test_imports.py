"""Importing an office's lists: files of every kind and encoding, odd headers, every kind
of bad row, only the good rows, importing twice, undoing, and the ID number never kept."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

import pytest
import xlwt
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, col, select

from models.accounts import Role
from models.audit import AuditEntry
from models.base import LOCAL_TZ
from models.elders import Elder
from models.imports import ImportBatch, ImportedRecord, ImportKind, ImportMapping
from models.org import Grid
from models.proxy import Merchant
from models.volunteers import Volunteer
from services import import_mapping, imports
from services.errors import BoardError
from services.import_files import cell_date
from tests import factories
from tests.conftest import make_account

TODAY = date(2026, 11, 25)
TITLE = ["四千米社区志愿者台账"]
# A valid 18-digit number (check character X) of a woman born 1945-03-02; and the same
# with a wrong check character.
ID_GOOD = "15010219450302002X"
ID_BAD = "150102194503020021"


@pytest.fixture
def w(session):
    world = factories.world(session)
    session.add(Grid(community_id=world.community_id, name="第一网格"))
    session.add(Grid(community_id=world.community_id, name="第二网格"))
    session.commit()
    return world


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_file(rows: list[list[object]], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xls(rows: list[list[object]]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check(session, actor, cid, kind, data, name, mapping=None):
    table = imports.import_read(data, name)
    if mapping is None:
        mapping = import_mapping.proposed_mapping(
            session=session, actor=actor, community_id=cid, kind=kind, headers=table.headers
        )
    report = imports.import_check(
        session=session,
        actor=actor,
        community_id=cid,
        kind=kind,
        table=table,
        mapping=mapping,
        today=TODAY,
    )
    return table, mapping, report


def run(session, actor, cid, kind, data, name, *, good_only=False, mapping=None, today=TODAY):
    table = imports.import_read(data, name)
    if mapping is None:
        mapping = import_mapping.proposed_mapping(
            session=session, actor=actor, community_id=cid, kind=kind, headers=table.headers
        )
    result = imports.import_run(
        session=session,
        actor=actor,
        community_id=cid,
        kind=kind,
        file_name=name,
        table=table,
        mapping=mapping,
        good_only=good_only,
        today=today,
    )
    session.commit()
    return result


def reasons(report) -> dict[int, list[str]]:
    return {r.number: [x.key for x in r.reasons] for r in report.rows if not r.ok}


def count(session: Session, model) -> int:
    return len(session.exec(select(model)).all())


VOLUNTEERS = [
    TITLE,
    [],
    ["序号", "姓 名", "性别", "手机号（必填）", "所属网格", "技能", "政治面貌", "备注"],
    [1, "张秀兰", "女", 13912340001, "第一网格", "助老陪护、急救", "中共党员", "退休教师"],
    [2, "李建国", "男", "139-1234-0002", "第二网格", "", "群众", None],
    [],
    [3, "王芳", None, "13912340003", None, "驾驶", "预备党员", None],
]


def test_a_volunteer_list_with_a_title_row_and_odd_headers_is_imported(session, w):
    table, mapping, report = check(
        session, w.shuji, w.community_id, ImportKind.volunteer, xlsx(VOLUNTEERS), "志愿者.xlsx"
    )
    assert table.headers[:4] == ("序号", "姓 名", "性别", "手机号（必填）")
    assert mapping == ("", "name", "gender", "phone", "grid", "skills", "party", "note")
    assert [r.number for r in table.rows] == [4, 5, 7]  # the title and empty rows skipped
    assert report.bad == 0

    result = run(
        session, w.shuji, w.community_id, ImportKind.volunteer, xlsx(VOLUNTEERS), "志愿者.xlsx"
    )

    assert (result.created, result.skipped) == (3, 0)
    rows = session.exec(select(Volunteer).order_by(col(Volunteer.id))).all()
    grids = {g.name: g.id for g in session.exec(select(Grid))}
    assert [
        (v.name, v.gender, v.phone, v.grid_id, v.skills, v.party_member, v.note) for v in rows
    ] == [
        (
            "张秀兰",
            "女",
            "13912340001",
            grids["第一网格"],
            "elder_care,first_aid",
            True,
            "退休教师",
        ),
        ("李建国", "男", "13912340002", grids["第二网格"], "", False, ""),
        ("王芳", "", "13912340003", None, "driving", True, ""),
    ]
    assert all(v.community_id == w.community_id and v.joined_on == TODAY for v in rows)
    batch = session.exec(select(ImportBatch)).one()
    assert (batch.file_name, batch.row_count, batch.created_count, batch.skipped_count) == (
        "志愿者.xlsx",
        3,
        3,
        0,
    )
    assert batch.kind == ImportKind.volunteer and batch.imported_by == w.shuji.id
    recorded = session.exec(select(ImportedRecord.record_id)).all()
    assert sorted(recorded) == [v.id for v in rows]
    entry = session.exec(select(AuditEntry).where(AuditEntry.table_name == "importbatch")).one()
    assert entry.action == "import" and entry.account_id == w.shuji.id
    assert json.loads(entry.changes)["file_name"] == "志愿者.xlsx"
    assert json.loads(entry.changes)["row_count"] == 3


ELDERS = [
    [
        "姓名",
        "性别",
        "出生日期",
        "联系电话",
        "家庭住址",
        "所属网格",
        "居住情况",
        "监护人",
        "监护人电话",
    ],
    [
        "赵大爷",
        "男",
        "1945年3月2日",
        "",
        "幸福小区1-101",
        "第一网格",
        "独居、失能",
        "赵小明",
        "13700000001",
    ],
    ["钱奶奶", "女", "1938.11.5", "13700000002", "幸福小区2-202", "", "空巢老人", "", ""],
    ["孙奶奶", "女", "1940/01/20", "", "幸福小区3-303", "", "高龄", "", ""],
    ["周大爷", "男", "194207", "", "幸福小区4-404", "", "", "", ""],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_list_of_elders_is_read_in_every_encoding(session, w, encoding):
    result = run(
        session, w.shuji, w.community_id, ImportKind.elder, csv_file(ELDERS, encoding), "老人.csv"
    )
    assert result.created == 4
    rows = session.exec(select(Elder).order_by(col(Elder.id))).all()
    assert [(e.name, e.gender, e.birth_date, e.situations, e.address) for e in rows] == [
        ("赵大爷", "男", date(1945, 3, 2), "独居,失能", "幸福小区1-101"),
        ("钱奶奶", "女", date(1938, 11, 5), "空巢", "幸福小区2-202"),
        ("孙奶奶", "女", date(1940, 1, 20), "", "幸福小区3-303"),  # 高龄 comes from the age
        ("周大爷", "男", date(1942, 7, 1), "", "幸福小区4-404"),  # 出生年月: the first
    ]
    assert (rows[0].guardian_name, rows[0].guardian_phone) == ("赵小明", "13700000001")
    assert all(e.registered_on == TODAY and e.active for e in rows)


def test_an_xls_list_of_merchants_is_read_with_its_date_cells(session, w):
    data = xls(
        [
            ["四千米社区商户台账"],
            ["店名", "经营者", "联系电话", "经营地址", "经营类别", "营业执照到期"],
            ["老绥元烧卖", "王老板", "13847112345", "大召前街12号", "餐饮", date(2027, 6, 30)],
            ["便民超市", "刘女士", 13847112346.0, "大召前街14号", "零售", "2028年1月1日"],
        ]
    )
    result = run(session, w.shuji, w.community_id, ImportKind.merchant, data, "商户.xls")
    assert result.created == 2
    rows = session.exec(select(Merchant).order_by(col(Merchant.id))).all()
    assert [(m.shop_name, m.owner_name, m.phone, m.business_type, m.licence_due) for m in rows] == [
        ("老绥元烧卖", "王老板", "13847112345", "餐饮", date(2027, 6, 30)),
        ("便民超市", "刘女士", "13847112346", "零售", date(2028, 1, 1)),
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1945年3月2日", date(1945, 3, 2)),
        ("1945.3.2", date(1945, 3, 2)),
        ("1945/03/02", date(1945, 3, 2)),
        ("1945-03-02", date(1945, 3, 2)),
        ("1945-03-02 00:00:00", date(1945, 3, 2)),
        ("19450302", date(1945, 3, 2)),
        ("194503", date(1945, 3, 1)),
        (194503, date(1945, 3, 1)),
        ("1945年3月", date(1945, 3, 1)),
        (16498, date(1945, 3, 2)),  # an Excel serial date without its format
        (datetime(1945, 3, 2, 0, 0), date(1945, 3, 2)),
        (None, None),
    ],
)
def test_dates_are_read_in_the_forms_offices_type(cell, expected):
    assert cell_date(cell) == expected


@pytest.mark.parametrize("cell", ["1945-02-30", "1945年13月1日", "去年", "194513", 3.5])
def test_impossible_dates_are_refused(cell):
    with pytest.raises(ValueError):
        cell_date(cell)


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [
        (ImportKind.volunteer, "姓名", "name"),
        (ImportKind.volunteer, "手机", "phone"),
        (ImportKind.volunteer, "手机号", "phone"),
        (ImportKind.volunteer, "联系方式", "phone"),
        (ImportKind.volunteer, "联系电话*", "phone"),
        (ImportKind.volunteer, "特长", "skills"),
        (ImportKind.volunteer, "政治面貌", "party"),
        (ImportKind.volunteer, "身份证号码", "id_number"),
        (ImportKind.elder, "出生年月", "birth_date"),
        (ImportKind.elder, "住址", "address"),
        (ImportKind.elder, "家庭住址", "address"),
        (ImportKind.elder, "老人类型", "situations"),
        (ImportKind.elder, "网格", "grid"),
        (ImportKind.elder, "紧急联系人电话", "guardian_phone"),
        (ImportKind.elder, "老人联系电话", "phone"),
        (ImportKind.merchant, "商户名称", "shop_name"),
        (ImportKind.merchant, "负责人", "owner_name"),
        (ImportKind.merchant, "营业执照到期日", "licence_due"),
        (ImportKind.merchant, "Shop name", "shop_name"),
        (ImportKind.merchant, "序号", ""),
    ],
)
def test_common_headers_are_recognised(kind, header, field):
    assert import_mapping.recognise(kind, header) == field


def test_a_file_with_bad_rows_writes_nothing_and_says_every_reason(session, w):
    factories_phone = session.get(
        Volunteer, factories.volunteer(session, w.community_id, "老志愿者")
    )
    existing = factories_phone.phone
    rows = [
        ["姓名", "手机号", "所属网格", "技能", "加入日期", "身份证号"],
        ["好人", "13900000001", "第一网格", "急救", "2025-03-01", ""],  # 2: good
        ["坏号", "1390000", "", "", "", ""],  # 3: bad phone
        ["坏日", "13900000003", "", "", "2025-02-30", ""],  # 4: impossible date
        ["坏格", "13900000004", "第九网格", "", "", ""],  # 5: unknown grid
        ["好人", "13900000001", "", "", "", ""],  # 6: twice in the file
        ["老志愿者", existing, "", "", "", ""],  # 7: already in the board
        ["", "13900000007", "", "", "", ""],  # 8: no name
        ["书法家", "13900000008", "", "书法", "", ""],  # 9: unknown skill
        ["证号错", "13900000009", "", "", "", ID_BAD],  # 10: bad check character
        ["别人", existing, "", "", "", ""],  # 11: the phone is another volunteer's
    ]
    before = count(session, Volunteer)
    _, _, report = check(
        session, w.shuji, w.community_id, ImportKind.volunteer, xlsx(rows), "v.xlsx"
    )
    assert reasons(report) == {
        3: ["imports.bad_phone"],
        4: ["imports.bad_date"],
        5: ["imports.unknown_grid"],
        6: ["imports.duplicate"],
        7: ["imports.in_board"],
        8: ["imports.missing"],
        9: ["imports.unknown_skill"],
        10: ["imports.bad_id"],
        11: ["imports.phone_taken", "imports.duplicate"],  # and the phone of row 7
    }
    assert (report.good, report.bad) == (1, 9)
    texts = {
        r.number: [imports.reason_text(x, "zh_CN") for x in r.reasons]
        for r in report.rows
        if not r.ok
    }
    assert texts[3] == ["联系电话不是有效的手机号"]
    assert texts[4] == ["加入日期“2025-02-30”不是有效日期"]
    assert texts[5] == ["本社区没有网格“第九网格”"]
    assert texts[6] == ["与文件第 2 行重复"]
    assert texts[8] == ["缺少姓名"]
    assert texts[11] == ["此手机号已登记为志愿者“老志愿者”", "与文件第 7 行重复"]
    with pytest.raises(BoardError) as refused:
        run(session, w.shuji, w.community_id, ImportKind.volunteer, xlsx(rows), "v.xlsx")
    assert refused.value.key == "imports.has_bad_rows" and refused.value.params == {"n": 9}
    session.rollback()
    assert count(session, Volunteer) == before
    assert count(session, ImportBatch) == 0


def test_bad_elder_rows_say_their_reasons(session, w):
    rows = [
        ["姓名", "出生日期", "住址", "居住情况", "性别", "联系电话"],
        ["甲", "1945-02-30", "1号", "", "", ""],  # 2: impossible date
        ["乙", "2030-01-01", "2号", "", "", ""],  # 3: not born yet
        ["丙", "1945-01-01", "3号", "孤寡", "", ""],  # 4: unknown situation
        ["丁", "1945-01-01", "", "", "", ""],  # 5: no address
        ["戊", "", "5号", "", "", ""],  # 6: no birth date
        ["己", "1945-01-01", "6号", "", "未知", ""],  # 7: gender not recognised
        ["庚", "1945-01-01", "7号", "", "", "0471-1234567"],  # 8: not a mobile number
    ]
    _, _, report = check(session, w.shuji, w.community_id, ImportKind.elder, xlsx(rows), "e.xlsx")
    assert reasons(report) == {
        2: ["imports.bad_date"],
        3: ["imports.bad_date"],
        4: ["imports.unknown_situation"],
        5: ["imports.missing"],
        6: ["imports.missing"],
        7: ["imports.bad_gender"],
        8: ["imports.bad_phone"],
    }


def test_a_row_with_several_problems_lists_them_all(session, w):
    rows = [["姓名", "手机号", "所属网格", "技能"], ["", "12345", "无此网格", "书法"]]
    _, _, report = check(
        session, w.shuji, w.community_id, ImportKind.volunteer, xlsx(rows), "v.xlsx"
    )
    assert reasons(report) == {
        2: ["imports.missing", "imports.bad_phone", "imports.unknown_grid", "imports.unknown_skill"]
    }


def test_only_the_good_rows_are_imported_when_chosen(session, w):
    rows = [["姓名", "手机号"], ["甲", "13900000001"], ["乙", "bad"], ["丙", "13900000003"]]
    result = run(
        session,
        w.shuji,
        w.community_id,
        ImportKind.volunteer,
        xlsx(rows),
        "v.xlsx",
        good_only=True,
    )
    assert (result.created, result.skipped) == (2, 1)
    assert sorted(session.exec(select(Volunteer.name)).all()) == ["丙", "甲"]
    batch = session.exec(select(ImportBatch)).one()
    assert (batch.row_count, batch.created_count, batch.skipped_count) == (3, 2, 1)


def test_importing_the_same_file_again_creates_nothing(session, w):
    data = xlsx(VOLUNTEERS)
    run(session, w.shuji, w.community_id, ImportKind.volunteer, data, "志愿者.xlsx")
    _, _, again = check(session, w.shuji, w.community_id, ImportKind.volunteer, data, "志愿者.xlsx")
    assert set(map(tuple, reasons(again).values())) == {("imports.in_board",)}
    assert again.good == 0
    for good_only, key in ((False, "imports.has_bad_rows"), (True, "imports.nothing_to_import")):
        with pytest.raises(BoardError) as refused:
            run(
                session,
                w.shuji,
                w.community_id,
                ImportKind.volunteer,
                data,
                "志愿者.xlsx",
                good_only=good_only,
            )
        assert refused.value.key == key
        session.rollback()
    assert count(session, Volunteer) == 3
    assert count(session, ImportBatch) == 1


def test_elders_and_merchants_match_the_board_too(session, w):
    elders = csv_file(ELDERS, "utf-8")
    run(session, w.shuji, w.community_id, ImportKind.elder, elders, "老人.csv")
    _, _, again = check(session, w.shuji, w.community_id, ImportKind.elder, elders, "老人.csv")
    assert again.good == 0 and again.bad == 4
    shops = [["店名", "经营者", "电话", "地址"], ["甲店", "王", "13800000001", "1号"]]
    run(session, w.shuji, w.community_id, ImportKind.merchant, xlsx(shops), "m.xlsx")
    renamed = [shops[0], ["乙店", "王", "13800000001", "1号"], ["甲店", "李", "13800000002", "2号"]]
    _, _, report = check(
        session, w.shuji, w.community_id, ImportKind.merchant, xlsx(renamed), "m.xlsx"
    )
    assert reasons(report) == {2: ["imports.in_board"], 3: ["imports.in_board"]}


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=LOCAL_TZ)


def test_an_import_is_undone_as_a_whole_on_its_day(session, w):
    result = run(
        session, w.shuji, w.community_id, ImportKind.elder, csv_file(ELDERS, "utf-8"), "老人.csv"
    )
    batch = session.get(ImportBatch, result.batch_id)
    batch.created_at = _at(TODAY)
    session.add(batch)
    session.commit()

    n = imports.import_undo(
        session=session, actor=w.shuji, batch_id=result.batch_id, today=TODAY, lang="zh_CN"
    )
    session.commit()

    assert n == 4
    rows = session.exec(select(Elder)).all()
    assert [(e.active, e.deactivated_reason, e.deactivated_on) for e in rows] == [
        (False, f"撤销导入（批次 {result.batch_id}）", TODAY)
    ] * 4
    session.refresh(batch)
    assert batch.undone_at is not None and batch.undone_by == w.shuji.id
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.table_name == "importbatch", AuditEntry.action == "undo"
        )
    ).one()
    assert json.loads(entry.changes)["deactivated"] == 4
    with pytest.raises(BoardError) as again:
        imports.import_undo(
            session=session, actor=w.shuji, batch_id=result.batch_id, today=TODAY, lang="zh_CN"
        )
    assert again.value.key == "imports.already_undone"


def test_undo_is_refused_the_next_day_and_to_other_communities(session, w):
    result = run(session, w.shuji, w.community_id, ImportKind.volunteer, xlsx(VOLUNTEERS), "v.xlsx")
    batch = session.get(ImportBatch, result.batch_id)
    batch.created_at = _at(TODAY)
    session.add(batch)
    session.commit()
    other = factories.world(session, "前进社区")
    volunteer = make_account(session, "vol", Role.volunteer, w.community_id)
    for actor, today, key in (
        (w.shuji, TODAY + timedelta(days=1), "imports.undo_too_late"),
        (other.shuji, TODAY, "access.other_community"),
        (volunteer, TODAY, "access.denied"),
    ):
        with pytest.raises(BoardError) as refused:
            imports.import_undo(
                session=session, actor=actor, batch_id=result.batch_id, today=today, lang="zh_CN"
            )
        assert refused.value.key == key
        session.rollback()
    assert all(v.active for v in session.exec(select(Volunteer)))
    assert session.get(ImportBatch, result.batch_id).undone_at is None
    lines = imports.import_list(
        session=session, actor=w.admin, community_id=w.community_id, today=TODAY
    )
    assert [(x.file_name, x.created, x.can_undo) for x in lines] == [("v.xlsx", 3, True)]


def test_the_id_number_gives_birth_and_gender_and_is_never_stored(session, w):
    rows = [
        ["姓名", "身份证号", "住址"],
        ["吴奶奶", ID_GOOD, "幸福小区9-909"],
        ["郑大爷", ID_BAD, "幸福小区9-910"],
    ]
    data = xlsx(rows)
    table, mapping, report = check(
        session, w.shuji, w.community_id, ImportKind.elder, data, "e.xlsx"
    )
    assert reasons(report) == {3: ["imports.bad_id", "imports.missing"]}
    excel = load_workbook(io.BytesIO(imports.bad_rows_excel(report, table, mapping, "zh_CN")))
    cells = [c.value for row in excel.active.iter_rows() for c in row]
    assert ID_BAD not in cells and "1" + "*" * 15 + "21" in cells

    run(session, w.shuji, w.community_id, ImportKind.elder, data, "e.xlsx", good_only=True)

    elder = session.exec(select(Elder)).one()
    assert (elder.name, elder.birth_date, elder.gender) == ("吴奶奶", date(1945, 3, 2), "女")
    stored = " ".join(
        str(v)
        for model in (Elder, AuditEntry, ImportBatch, ImportMapping)
        for row in session.exec(select(model))
        for v in row.model_dump().values()
    )
    assert ID_GOOD not in stored and ID_GOOD[:17] not in stored


def test_the_bad_rows_excel_has_a_reason_column_and_no_formula(session, w):
    rows = [["姓名", "手机号"], ['=HYPERLINK("http://evil")', "123"], ["甲", "13900000001"]]
    table, mapping, report = check(
        session, w.shuji, w.community_id, ImportKind.volunteer, csv_file(rows, "utf-8"), "v.csv"
    )
    sheet = load_workbook(
        io.BytesIO(imports.bad_rows_excel(report, table, mapping, "zh_CN"))
    ).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [
        ["行号", "姓名", "手机号", "问题"],
        [2, '\'=HYPERLINK("http://evil")', "123", "联系电话不是有效的手机号"],
    ]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_a_corrected_mapping_is_remembered_for_the_community(session, w):
    rows = [["称呼", "手机号", "序号"], ["甲", "13900000001", 1]]
    first = import_mapping.proposed_mapping(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        kind=ImportKind.volunteer,
        headers=("称呼", "手机号", "序号"),
    )
    assert first == ("", "phone", "")
    run(
        session,
        w.shuji,
        w.community_id,
        ImportKind.volunteer,
        xlsx(rows),
        "v.xlsx",
        mapping=("name", "phone", ""),
    )
    again = import_mapping.proposed_mapping(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        kind=ImportKind.volunteer,
        headers=("序号", "称呼", "联系电话"),
    )
    assert again == ("", "name", "phone")
    other = factories.world(session, "前进社区")
    elsewhere = import_mapping.proposed_mapping(
        session=session,
        actor=other.shuji,
        community_id=other.community_id,
        kind=ImportKind.volunteer,
        headers=("称呼",),
    )
    assert elsewhere == ("",)


def test_who_may_import_where(session, w):
    other = factories.world(session, "前进社区")
    worker = make_account(session, "wangge", Role.grid_worker, w.community_id)
    volunteer = make_account(session, "vol", Role.volunteer, w.community_id)
    data = xlsx([["姓名", "手机号"], ["甲", "13900000001"]])
    for actor, cid, key in (
        (worker, w.community_id, "access.denied"),
        (volunteer, w.community_id, "access.denied"),
        (other.shuji, w.community_id, "access.other_community"),
    ):
        with pytest.raises(BoardError) as refused:
            run(
                session, actor, cid, ImportKind.volunteer, data, "v.xlsx", mapping=("name", "phone")
            )
        assert refused.value.key == key
        session.rollback()
    # the street admin picks the community
    run(session, w.admin, other.community_id, ImportKind.volunteer, data, "v.xlsx")
    assert session.exec(select(Volunteer.community_id)).all() == [other.community_id]


@pytest.mark.parametrize(
    ("data", "name", "key"),
    [
        (b"hello", "list.pdf", "imports.file_type"),
        (b"not a zip", "list.xlsx", "imports.unreadable"),
        (b"not an xls", "list.xls", "imports.unreadable"),
        (b"\n\n", "list.csv", "imports.empty"),
        ("姓名,手机号\n".encode(), "list.csv", "imports.empty"),
    ],
)
def test_unreadable_files_are_refused(data, name, key):
    with pytest.raises(BoardError) as refused:
        imports.import_read(data, name)
    assert refused.value.key == key


def test_a_required_column_must_be_mapped(session, w):
    data = xlsx([["姓名", "住址"], ["甲", "1号"]])
    with pytest.raises(BoardError) as refused:
        check(session, w.shuji, w.community_id, ImportKind.elder, data, "e.xlsx")
    assert refused.value.key == "imports.column_missing"
    with pytest.raises(BoardError) as twice:
        check(
            session,
            w.shuji,
            w.community_id,
            ImportKind.volunteer,
            xlsx([["姓名", "手机", "电话"], ["甲", "13900000001", "13900000001"]]),
            "v.xlsx",
            mapping=("name", "phone", "phone"),
        )
    assert twice.value.key == "imports.field_twice"


def test_the_templates_are_headed_in_chinese_and_read_back():
    for kind in ImportKind:
        data = imports.import_template(kind)
        sheet = load_workbook(io.BytesIO(data)).active
        headers = [c.value for c in sheet[1]]
        assert all(import_mapping.recognise(kind, h) for h in headers), headers
    volunteer = load_workbook(io.BytesIO(imports.import_template(ImportKind.volunteer))).active
    assert [c.value for c in volunteer[1]][:3] == ["姓名*", "性别", "联系电话*"]


def test_a_volunteer_undone_by_an_import_is_found_deactivated_next_time(session, w):
    data = xlsx([["姓名", "手机号"], ["甲", "13900000001"]])
    result = run(session, w.shuji, w.community_id, ImportKind.volunteer, data, "v.xlsx")
    imports.import_undo(
        session=session,
        actor=w.shuji,
        batch_id=result.batch_id,
        today=imports.local(session.get(ImportBatch, result.batch_id).created_at).date(),
        lang="zh_CN",
    )
    session.commit()
    _, _, again = check(session, w.shuji, w.community_id, ImportKind.volunteer, data, "v.xlsx")
    assert reasons(again) == {2: ["imports.in_board_inactive"]}


def test_the_import_says_how_far_it_got(session, w):
    rows = [["姓名", "手机号"]] + [[f"人{i}", str(13900000000 + i)] for i in range(1200)]
    table = imports.import_read(xlsx(rows), "v.xlsx")
    shares: list[float] = []
    imports.import_run(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        kind=ImportKind.volunteer,
        file_name="v.xlsx",
        table=table,
        mapping=("name", "phone"),
        good_only=False,
        today=TODAY,
        progress=shares.append,
    )
    assert shares == sorted(shares) and shares[-1] == 1.0 and len(shares) >= 5
    assert count(session, Volunteer) == 1200
