"""Exports: PNG with Chinese glyphs really rendered, the PDF, Excel."""

import io
import re

import pandas as pd
from openpyxl import load_workbook
from PIL import Image, ImageChops

from services.charts import bar_chart
from services.exports import chart_png, dashboard_pdf, frame_excel

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
