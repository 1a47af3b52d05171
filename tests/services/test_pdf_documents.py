"""PDF documents: A4 pages whose Chinese text can be searched and copied, the CJK font
embedded, charts drawn as vectors, page numbers."""

import io
import re

import pandas as pd
import pytest
from fontTools.cffLib import CFFFontSet
from pypdf import PdfReader

from services.charts import bar_chart
from services.pdf_documents import Document

A4 = (595.28, 841.89)  # points
FRAME = pd.DataFrame({"month": ["2026-10", "2026-11"], "hours": [120, 180]})


def _chart(title: str):
    return bar_chart(FRAME, x="month", y="hours", title=title, x_title="月份", y_title="小时")


@pytest.fixture(scope="module")
def document() -> bytes:
    """One document for the tests that read it: a document costs a second or two (fonts)."""
    return _document(charts=3)


def _document(charts: int = 0) -> bytes:
    doc = Document(title="四千米社区 社区服务工作汇报", footer="打印于 2026-12-06")
    doc.add_title("四千米社区 社区服务工作汇报", "2026-11")
    doc.add_key_values([("证书编号", "ZY-2026-0001"), ("姓名", "王秀兰")])
    doc.add_heading("关键数据")
    doc.add_table(
        ["指标", "本期", "较上期"],
        [("志愿服务时长", "180 小时", "+60"), ("按时探访率", "85%", None)],
        widths=(5, 3, 3),
        align=("L", "R", "R"),
    )
    doc.add_paragraph("按时探访率 = 按分级间隔按时完成的探访 ÷ 期间内到期的探访")
    for n in range(charts):
        doc.add_chart(_chart(f"社区服务图表{n}"))
    return doc.output()


def _fonts(reader: PdfReader) -> list:
    """Every font dictionary the pages use, their descendants included."""
    fonts = []
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            fonts.append(font)
            fonts += [d.get_object() for d in font.get("/DescendantFonts", [])]
    return fonts


def test_the_chinese_text_comes_out_clean_when_copied(document):
    reader = PdfReader(io.BytesIO(document))
    text = reader.pages[0].extract_text()
    assert "\x00" not in text
    assert "社区服务" in text
    for words in (
        "四千米社区 社区服务工作汇报",
        "志愿服务时长",
        "180 小时",
        "ZY-2026-0001",
        "王秀兰",
    ):
        assert words in text
    assert f"第 1 页 / 共 {len(reader.pages)} 页" in text


def test_every_font_is_embedded_and_the_pages_are_a4(document):
    reader = PdfReader(io.BytesIO(document))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4
    descriptors = [
        f["/FontDescriptor"].get_object() for f in _fonts(reader) if "/FontDescriptor" in f
    ]
    assert descriptors
    for descriptor in descriptors:
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)


def test_charts_are_vector_text_and_two_fit_a_page(document):
    reader = PdfReader(io.BytesIO(document))
    texts = [page.extract_text() for page in reader.pages]
    assert all("\x00" not in text for text in texts)
    assert sum(text.count("社区服务图表") for text in texts) == 3  # the chart titles are text
    assert any("社区服务图表1" in t and "社区服务图表2" in t for t in texts)  # two on a page
    for page in reader.pages:
        assert not page.images  # drawn, not pasted as pictures
    assert f"第 {len(reader.pages)} 页 / 共 {len(reader.pages)} 页" in texts[-1]


def test_a_long_table_repeats_its_header_on_every_page():
    doc = Document(title="名册", page_label="Page {page} of {pages}")
    doc.add_table(["序号", "服务内容"], [(n, f"第{n}次 入户探访") for n in range(1, 121)])
    reader = PdfReader(io.BytesIO(doc.output()))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) >= 2
    assert all("服务内容" in text for text in texts)
    assert "第120次 入户探访" in texts[-1]
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]


def test_the_metadata_says_what_the_document_is(document):
    reader = PdfReader(io.BytesIO(document))
    assert reader.metadata.title == "四千米社区 社区服务工作汇报"
    assert re.match(rb"%PDF-1\.\d", document[:8])


def test_every_character_has_its_glyph_when_two_share_one():
    """一 and the radical ⼀, 金 and its compatibility twin are drawn with one glyph of the
    font: after renumbering (code = CID), each code still finds a glyph and a width."""
    doc = Document(title="字形")
    doc.add_paragraph("一\u2f00 金\uf90a 社区")
    reader = PdfReader(io.BytesIO(doc.output()))
    assert "一\u2f00 金\uf90a 社区" in reader.pages[0].extract_text()
    for font in _fonts(reader):
        if font.get("/Subtype") != "/Type0":
            continue
        assert font["/Encoding"] == "/Identity-H"
        to_unicode = font["/ToUnicode"].get_object().get_data()
        codes = {int(c, 16) for c in re.findall(rb"<([0-9A-F]{4})> <", to_unicode)} - {0}
        cid_font = font["/DescendantFonts"][0].get_object()
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(cid_font["/FontDescriptor"]["/FontFile3"].get_data()), None)
        glyphs = {int(name[3:]) for name in cff[cff.fontNames[0]].charset if name.startswith("cid")}
        assert codes <= glyphs
        widths = cid_font["/W"]
        assert codes <= {int(widths[i]) for i in range(0, len(widths), 2)}
