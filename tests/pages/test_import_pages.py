"""导入台账: what the secretary and the street admin see, a file uploaded (AppTest drives
st.file_uploader), its mapping, preview and report with the bad rows' reasons, the import
of the good rows after the question, the result, and the undo of today's import."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlmodel import Session, col, select

from models.imports import ImportBatch
from models.org import Community
from models.volunteers import Volunteer
from tests.conftest import app_test

pytestmark = pytest.mark.usefixtures("fresh_read_cache")
PAGE = "views/imports.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


LIST = [
    ["四千米社区志愿者台账"],
    ["姓名", "手机号", "所属网格", "政治面貌"],
    ["导入甲", "13955500001", "第一网格", "中共党员"],
    ["导入乙", "1395550", "第一网格", "群众"],  # a bad phone
    ["导入丙", "13955500003", "", ""],
]


def _imported(engine) -> list[tuple[str, bool]]:
    with Session(engine) as s:
        return [
            (v.name, v.active)
            for v in s.exec(
                select(Volunteer)
                .where(col(Volunteer.name).startswith("导入"))
                .order_by(col(Volunteer.id))
            )
        ]


def _upload(at, data: bytes, name: str = "志愿者台账.xlsx"):
    at.file_uploader(key="imports_file_0").set_value((name, data, XLSX))
    return at.run()


def test_the_secretary_imports_the_good_rows_of_a_file_and_undoes_it(demo_engine):
    at = app_test(demo_engine, "shuji", PAGE)
    assert not at.exception
    assert "导入到：四千米社区 · 志愿者名册" in [c.value for c in at.caption]
    assert "imports_community" not in [s.key for s in at.selectbox]
    assert "还没有导入记录：下载模板填好，或直接上传本社区现有的 Excel 台账。" in [
        i.value for i in at.info
    ]

    _upload(at, _file(LIST))
    assert not at.exception
    maps = {s.label: s.value for s in at.selectbox if s.key.startswith("imports_map_")}
    assert maps == {"姓名": "name", "手机号": "phone", "所属网格": "grid", "政治面貌": "party"}
    preview = at.dataframe[0].value
    assert list(preview.columns)[:3] == ["姓名", "性别", "联系电话"]
    assert list(preview["姓名"]) == ["导入甲", "导入丙"]
    assert list(preview["政治面貌"]) == ["是", "否"]
    assert [m.value for m in at.metric] == ["3", "2", "1"]
    bad = at.dataframe[1].value
    assert bad.to_dict("records") == [
        {"行号": 4, "姓名": "导入乙", "问题": "联系电话不是有效的手机号"}
    ]
    assert "imports_bad_rows" in [b.key for b in at.get("download_button")]
    assert "imports_go_file" not in [b.key for b in at.button]  # only after choosing
    assert _imported(demo_engine) == []

    at.checkbox(key="imports_good_only").check().run()
    at.button(key="imports_go_file").click().run()
    assert "将导入 2 条志愿者记录，跳过 1 行。确定导入吗？" in [w.value for w in at.warning]
    at.button(key="imports_go_yes_file").click().run()
    assert not at.exception
    assert "已导入 2 位志愿者 （跳过 1 行有问题的行）" in [s.value for s in at.success]
    assert _imported(demo_engine) == [("导入甲", True), ("导入丙", True)]
    assert at.file_uploader(key="imports_file_1").value is None  # a new, empty uploader
    with Session(demo_engine) as s:
        batch = s.exec(select(ImportBatch)).one()
    assert (batch.file_name, batch.created_count, batch.skipped_count) == ("志愿者台账.xlsx", 2, 1)
    recent = at.dataframe[0].value
    assert list(recent["文件"]) == ["志愿者台账.xlsx"] and list(recent["新建"]) == [2]

    at.button(key=f"imports_undo_{batch.id}").click().run()
    at.button(key=f"imports_undo_yes_{batch.id}").click().run()
    assert "已撤销导入，停用 2 条记录" in [s.value for s in at.success]
    assert _imported(demo_engine) == [("导入甲", False), ("导入丙", False)]
    assert f"imports_undo_{batch.id}" not in [b.key for b in at.button]


def test_a_file_that_cannot_be_read_says_why(demo_engine):
    at = app_test(demo_engine, "shuji", PAGE)
    at.file_uploader(key="imports_file_0").set_value(("list.xlsx", b"not a workbook", XLSX)).run()
    assert not at.exception
    assert "文件无法读取：请确认是 Excel 或 CSV 文件，且未加密、未损坏" in [
        e.value for e in at.error
    ]


def test_a_mapping_without_a_required_column_says_so(demo_engine):
    at = _upload(app_test(demo_engine, "shuji", PAGE), _file([["姓名", "备注"], ["甲", "x"]]))
    assert "没有对应“联系电话”的列：这一项必填" in [e.value for e in at.error]
    assert "imports_go_file" not in [b.key for b in at.button]


def test_the_street_admin_picks_the_community_and_the_register(demo_engine):
    at = app_test(demo_engine, "admin", PAGE)
    assert not at.exception
    with Session(demo_engine) as s:
        other = s.exec(select(Community).where(Community.name == "前进社区")).one()
    at.selectbox(key="imports_community").set_value(other.id).run()
    at.radio(key="imports_kind").set_value("elder").run()
    assert "导入到：前进社区 · 老人名册" in [c.value for c in at.caption]
    elders = [["姓名", "出生日期", "住址"], ["导入老人", "1940-05-06", "前进路1号"]]
    _upload(at, _file(elders), "老人.xlsx")
    at.button(key="imports_go_file").click().run()
    at.button(key="imports_go_yes_file").click().run()
    assert "已导入 1 位老人" in [s.value for s in at.success]
    with Session(demo_engine) as s:
        batch = s.exec(select(ImportBatch)).one()
    assert (batch.community_id, batch.kind) == (other.id, "elder")
