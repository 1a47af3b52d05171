"""Exports that leave the board: charts as PNG (Chinese glyphs rendered), the dashboard as
a PDF for printing and the WeChat group, tables as Excel. No streamlit here.

PNG rendering uses vl-convert with the system's Noto Sans CJK (Debian's fonts-noto-cjk,
installed by `make run`/`make test`); without a CJK font Chinese comes out as empty boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import altair as alt
import pandas as pd
import vl_convert as vlc
from PIL import Image, ImageDraw, ImageFont

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)


def chart_png(chart: alt.TopLevelMixin, *, scale: float = 2.0) -> bytes:
    """The chart as a PNG image."""
    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)


def frame_excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Tables as one Excel workbook, a sheet each (sheet names cut to Excel's 31 chars)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(50, 4 + 2 * width)
    return buffer.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_FILES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _cover_page(title: str, subtitle: str, figures: Sequence[tuple[str, str, str]]) -> Image.Image:
    """An A4-landscape page with the dashboard's title and key figures (label, value, change)."""
    page = Image.new("RGB", (1754, 1240), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, 1754, 12), fill="#C8102E")
    draw.text((100, 80), title, font=_font(64), fill="#1F2328")
    draw.text((100, 170), subtitle, font=_font(32), fill="#57606A")
    for i, (label, value, change) in enumerate(figures):
        col, row = i % 3, i // 3
        x, y = 100 + col * 530, 280 + row * 230
        draw.rounded_rectangle((x, y, x + 490, y + 200), radius=16, outline="#D0D7DE", width=3)
        draw.text((x + 30, y + 25), label, font=_font(30), fill="#57606A")
        draw.text((x + 30, y + 75), value, font=_font(64), fill="#1F2328")
        draw.text((x + 30, y + 155), change, font=_font(24), fill="#57606A")
    return page


def dashboard_pdf(
    *,
    title: str,
    subtitle: str,
    figures: Sequence[tuple[str, str, str]],
    charts: Sequence[alt.TopLevelMixin],
) -> bytes:
    """The dashboard as a printable PDF: a cover page of key figures, then a chart a page."""
    pages = [_cover_page(title, subtitle, figures)]
    for chart in charts:
        image = Image.open(io.BytesIO(chart_png(chart, scale=2))).convert("RGB")
        page = Image.new("RGB", (1754, 1240), "white")
        image.thumbnail((1554, 1040))
        page.paste(image, ((1754 - image.width) // 2, (1240 - image.height) // 2))
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=150)
    return buffer.getvalue()
