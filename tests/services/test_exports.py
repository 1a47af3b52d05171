"""Exports: PNG with Chinese glyphs really rendered, the dashboard's PDF report (text,
fonts, A4), Excel with numbers as numbers, file names."""

import io
import re
from datetime import date, timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image, ImageChops
from pypdf import PdfReader

from models.base import utcnow
from services import event_reads, events, registrations
from services.charts import bar_chart
from services.dashboard import Figure
from services.exports import (
    FigureLine,
    chart_png,
    dashboard_pdf,
    export_file_name,
    figures_frame,
    frame_excel,
    period_name,
    printable_sheet,
)
from services.i18n import translate
from services.periods import Period, PeriodKind
from tests import factories

FRAME = pd.DataFrame({"month": ["2026-10", "2026-11"], "hours": [120, 180]})


def _chart(title: str):
    return bar_chart(FRAME, x="month", y="hours", title=title, x_title="月份", y_title="小时")


def _title_band(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png)).convert("L")
    return image.crop((0, 0, image.width // 2, 80))


def _dark_pixels(image: Image.Image) -> int:
    return sum(1 for p in image.getdata() if p < 128)


def test_png_is_not_blank_and_the_chinese_title_is_drawn():
    png = chart_png(_chart("志愿服务时长"))
    image = Image.open(io.BytesIO(png))
    assert image.width > 1000 and image.height > 500
    band = _title_band(png)
    assert _dark_pixels(band) > 800  # ink in the title area
    # Tofu boxes look the same for any text; real glyphs differ. Same length, other words:
    other = _title_band(chart_png(_chart("探访老人次数")))
    assert ImageChops.difference(band, other).getbbox() is not None
    # ... and the bars are drawn in the board's red.
    rgb = Image.open(io.BytesIO(png)).convert("RGB")
    assert any(p == (200, 16, 46) for p in rgb.getdata())


def _t(key: str, /, **params: object) -> str:
    return translate(key, "zh_CN", **params)


NOVEMBER = Period(PeriodKind.month, date(2026, 11, 1), date(2026, 12, 1))
LINES = [
    FigureLine("志愿服务时长", "1,280 小时", "+60"),
    FigureLine("按时探访率", "87%", "+3 个百分点", "按时探访率 = 按时完成的探访 ÷ 到期的探访"),
    FigureLine("举办的文化活动", "12", "—"),
]
CASE_LINES = [
    FigureLine("响应率", "75%", "-8 个百分点", "响应率 = 24 小时内作出受理决定的件数 ÷ 上报件数")
]


@pytest.fixture(scope="module")
def report() -> bytes:
    """One report for the tests that read it: a document costs a second or two (fonts)."""
    return dashboard_pdf(
        t=_t,
        title="四千米社区 社区服务工作汇报",
        scope="四千米社区",
        period=NOVEMBER,
        printed=date(2026, 12, 6),
        sections=[("关键数据", LINES), ("需求与调解", CASE_LINES)],
        charts=[_chart("志愿服务时长（每月）"), _chart("每月探访次数"), _chart("每月举办的活动")],
    )


def test_the_dashboard_pdf_is_a_searchable_a4_report_with_its_figures_and_definitions(report):
    reader = PdfReader(io.BytesIO(report))
    texts = [page.extract_text() for page in reader.pages]
    text = "\n".join(texts)
    assert "\x00" not in text
    assert "四千米社区 社区服务工作汇报" in texts[0]  # the cover: title, scope, period, date
    assert "四千米社区" in texts[0] and "2026-11（2026-11-01 至 2026-11-30）" in texts[0]
    assert "对比周期" in texts[0] and "2026-10（2026-10-01 至 2026-10-31）" in texts[0]
    assert "打印日期" in texts[0] and "2026-12-06" in texts[0]
    for line in [*LINES, *CASE_LINES]:  # every key figure on the cover, with its change
        assert line.label in texts[0] and line.value in texts[0] and line.change in texts[0]
    for title in ("志愿服务时长（每月）", "每月探访次数", "每月举办的活动"):
        assert title in text  # the charts' text is text
    assert "指标说明" in texts[-1]
    assert "按时探访率 = 按时完成的探访 ÷ 到期的探访" in texts[-1]
    assert "响应率 = 24 小时内作出受理决定的件数 ÷ 上报件数" in texts[-1]
    assert f"第 {len(texts)} 页 / 共 {len(texts)} 页" in texts[-1]


def test_the_dashboard_pdf_embeds_every_font_and_no_page_is_a_picture(report):
    reader = PdfReader(io.BytesIO(report))
    assert 2 <= len(reader.pages) <= 3  # the cover; three charts, two to a page
    fonts = []
    for page in reader.pages:
        assert (
            round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
        )
        assert not page.images
        assert page.extract_text().strip()
        resources = page["/Resources"]
        fonts += list(resources.get("/Font", {}).values())
        for form in resources.get("/XObject", {}).values():  # the charts
            fonts += list(form.get_object()["/Resources"].get("/Font", {}).values())
    descriptors = [
        d.get_object()["/FontDescriptor"].get_object()
        for f in fonts
        for d in f.get_object()["/DescendantFonts"]
    ]
    assert len(descriptors) >= 3  # the text's regular and bold, the charts'
    assert all({"/FontFile", "/FontFile2", "/FontFile3"} & set(d) for d in descriptors)


def test_the_key_figures_workbook_holds_numbers_and_says_the_unit():
    figures = [
        Figure("hours", 1280.5, 1220.0, "hours", None, True),
        Figure("on_time_rate", 0.8734, 0.84, "rate", None, True, defined=True),
        Figure("satisfaction", 4.62, None, "score", None, True),
        Figure("events", 12, 12, "int", None, True),
    ]
    data = frame_excel({"关键数据": figures_frame(figures, _t)})
    sheet = load_workbook(io.BytesIO(data))["关键数据"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["指标", "本期", "上期", "较上期", "单位"]
    assert rows[1] == ["志愿服务时长", 1280.5, 1220, 60.5, "小时"]
    assert rows[2] == ["按时探访率", 87.3, 84, 3.3, "%"]
    assert rows[3] == ["商户满意度", 4.62, None, None, "分（满分 5 分）"]
    assert rows[4] == ["举办的文化活动", 12, 12, 0, None]
    values = [c for row in sheet.iter_rows(min_row=2, min_col=2, max_col=4) for c in row]
    assert all(
        c.value is None or (c.data_type == "n" and not isinstance(c.value, str)) for c in values
    )


def test_file_names_say_what_and_when_without_spaces():
    day = date(2026, 12, 6)
    assert (
        export_file_name("数据看板", "四千米社区", day, "pdf", period=NOVEMBER)
        == "数据看板_四千米社区_2026-11_2026-12-06.pdf"
    )
    assert export_file_name("志愿者名册", "四千米社区", day, "xlsx") == (
        "志愿者名册_四千米社区_2026-11-25.xlsx".replace("11-25", "12-06")
    )
    quarter = Period(PeriodKind.quarter, date(2026, 10, 1), date(2027, 1, 1))
    custom = Period(PeriodKind.custom, date(2026, 11, 3), date(2026, 11, 21))
    assert period_name(quarter) == "2026-Q4"
    assert period_name(custom) == "2026-11-03~2026-11-20"
    name = export_file_name("Volunteer hours", "3 个社区/街道", day, "png", period=custom)
    assert name == "Volunteer-hours_3-个社区-街道_2026-11-03~2026-11-20_2026-12-06.png"
    assert not re.search(r'[\s\\/:*?"<>|]', name)


def test_excel_round_trips_the_table():
    data = frame_excel({"志愿服务": pd.DataFrame({"社区": ["四千米社区"], "小时": [180.5]})})
    sheet = load_workbook(io.BytesIO(data))["志愿服务"]
    assert [c.value for c in sheet[1]] == ["社区", "小时"]
    assert [c.value for c in sheet[2]] == ["四千米社区", 180.5]


HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "=1+1",
    "+86 138 0000 0000",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def _shown(text: str) -> str:
    """As Excel gives a text cell back: behind the apostrophe; XML turns CR into LF."""
    return "'" + text.replace("\r", "\n")


def _cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def test_no_cell_of_user_text_becomes_a_formula_in_an_excel_export():
    frame = pd.DataFrame({"姓名": HOSTILE, "人数": list(range(len(HOSTILE)))})
    cells = _cells(frame_excel({"名单": frame}))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = [c.value for c in cells if c.column == 1][1:]
    assert names == [_shown(text) for text in HOSTILE]  # verbatim, behind the apostrophe
    assert [c.value for c in cells if c.column == 2][1:] == list(range(len(HOSTILE)))


def test_the_printable_sheet_writes_user_text_as_text():
    data = printable_sheet(
        name="签到表",
        heading=["=1+1 非遗体验"],
        columns=[("姓名", 20), ("电话", 16)],
        rows=[(text, "138****0000") for text in HOSTILE],
    )
    cells = _cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {_shown(text) for text in HOSTILE} <= {c.value for c in cells}


def test_an_event_sign_in_sheet_of_a_hostile_registration_has_no_formula(session):
    w = factories.world(session)
    starts = utcnow() + timedelta(days=3)
    eid = events.event_create(
        session=session,
        actor=w.shuji,
        title="齐包非遗烧卖体验",
        category="heritage",
        community_id=w.community_id,
        venue="社区党群服务中心",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=10,
    )
    events.event_set_status(session=session, actor=w.shuji, event_id=eid, status="published")
    registrations.registration_create(
        session=session, event_id=eid, name=HOSTILE[0], phone="13800000000", party_size=1
    )
    session.commit()
    sheet = event_reads.event_sign_in_sheet(session=session, actor=w.shuji, event_id=eid)
    cells = _cells(sheet)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + HOSTILE[0] in {c.value for c in cells}
