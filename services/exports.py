"""Exports that leave the board: charts as PNG (Chinese glyphs rendered), the dashboard as
a PDF for printing and the WeChat group, tables as Excel. No streamlit here.

PNG rendering uses vl-convert with the system's Noto Sans CJK (Debian's fonts-noto-cjk,
installed by `make run`/`make test`); without a CJK font Chinese comes out as empty boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
import vl_convert as vlc
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from PIL import Image, ImageDraw, ImageFont

from services.charts import VegaLite

# What a spreadsheet reads as the start of a formula (or of a cell it splits on).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """A cell value that a spreadsheet shows and never runs: text that begins like a
    formula (a public registration named =HYPERLINK(...)) gets the usual apostrophe
    prefix, as OWASP advises for CSV and Excel exports. Numbers, dates and other text
    are written as they are. Every export writes its cells through this function."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)


def chart_png(chart: VegaLite, *, scale: float = 2.0) -> bytes:
    """The chart as a PNG image."""
    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)


def frame_excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Tables as one Excel workbook, a sheet each (sheet names cut to Excel's 31 chars)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe = frame.map(inert).rename(columns=inert)
            safe.to_excel(writer, sheet_name=name[:31], index=False)
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
    charts: Sequence[VegaLite],
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


def printable_sheet(
    *,
    name: str,
    heading: Sequence[str],
    columns: Sequence[tuple[str, float]],
    rows: Sequence[Sequence[object]],
    footer: str = "",
) -> bytes:
    """A table to print and fill in by hand (Excel set up for A4 portrait): the heading
    lines merged across the top, the first in large type; then the column titles,
    repeated on every page; ruled rows tall enough to write in. `columns` pairs each
    title with its width; `footer` is an Excel footer code such as "&P / &N"."""
    book = Workbook()
    sheet = book.active
    sheet.title = name[:31]
    last = get_column_letter(len(columns))
    for line, text in enumerate(heading, start=1):
        sheet.append([inert(text)])
        sheet.merge_cells(f"A{line}:{last}{line}")
    sheet["A1"].font = Font(size=16, bold=True)
    sheet.row_dimensions[1].height = 28
    sheet.append([inert(title) for title, _ in columns])
    header_row = sheet.max_row
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = box
    for values in rows:
        sheet.append([inert(v) for v in values])
        sheet.row_dimensions[sheet.max_row].height = 30
        for cell in sheet[sheet.max_row]:
            cell.border = box
            cell.alignment = Alignment(vertical="center")
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_PORTRAIT
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages tall as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.gridLines = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = footer
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
