"""Exports: PNG with Chinese glyphs really rendered, the PDF, Excel."""

import io
import re
from datetime import timedelta

import pandas as pd
from openpyxl import load_workbook
from PIL import Image, ImageChops

from models.base import utcnow
from services import event_reads, events, registrations
from services.charts import bar_chart
from services.exports import chart_png, dashboard_pdf, frame_excel, printable_sheet
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


def test_dashboard_pdf_has_a_cover_and_a_page_per_chart():
    pdf = dashboard_pdf(
        title="四千米社区 工作汇报",
        subtitle="2026-11",
        figures=[("志愿服务时长", "180", "较上期 +60")],
        charts=[_chart("志愿服务时长"), _chart("探访老人次数")],
    )
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 3


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
