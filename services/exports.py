"""Exports that leave the board: charts as PNG (Chinese glyphs rendered), the dashboard as
a PDF report for printing and the WeChat group (services/pdf_documents.py), tables as
Excel, and the names of the files. No streamlit here.

PNG rendering uses vl-convert with the system's Noto Sans CJK (Debian's fonts-noto-cjk,
installed by `make run`/`make test`); without a CJK font Chinese comes out as empty boxes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
import vl_convert as vlc
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from services.charts import VegaLite
from services.pdf_documents import Document
from services.periods import Period, PeriodKind, previous

if TYPE_CHECKING:  # the dashboard's module reads the figures; this one only writes them
    from services.dashboard import Figure

Translate = Callable[..., str]

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


# --- file names ------------------------------------------------------------------------

_NOT_IN_NAMES = re.compile(r'[\s\\/:*?"<>|]+')


def export_file_name(
    what: str, scope: str, day: date, ext: str, *, period: Period | None = None
) -> str:
    """A file's name that says what and when, with no spaces or characters a file system
    refuses: 数据看板_四千米社区_2026-11_2026-12-06.pdf (what, scope, the period if any,
    the day it was made; `ext` without the dot). Runs of such characters become "-"."""
    parts = [what, scope, *([period_name(period)] if period else [])]
    clean = [_NOT_IN_NAMES.sub("-", part).strip("-") for part in parts]
    return "_".join([*(c for c in clean if c), day.isoformat()]) + f".{ext}"


def period_name(period: Period) -> str:
    """A period as a file name says it: 2026-11, 2026-Q4, 2026, 2026-11-01~2026-11-20."""
    if period.kind == PeriodKind.custom:
        return f"{period.start.isoformat()}~{period.last_day.isoformat()}"
    return period.label().replace(" ", "-")


# --- the dashboard's key figures ---------------------------------------------------------

# The unit of each figure format; counts have none (people, visits, events: the label says).
_UNIT_KEYS = {
    "hours": "pdf.unit.hours",
    "rate": "pdf.unit.rate",
    "score": "pdf.unit.score",
    "days": "pdf.unit.days",
}


def figure_number(value: float | None, fmt: str) -> float | None:
    """A figure as the number a spreadsheet sums: rates in percent (0.853 -> 85.3),
    hours, scores and days to two places; None stays empty."""
    if value is None:
        return None
    if fmt == "rate":
        return round(value * 100, 1)
    return round(float(value), 2)


def figures_frame(figures: Sequence[Figure], t: Translate) -> pd.DataFrame:
    """The key figures as a table of numbers: figure, this period, the previous period,
    the change, and the unit in its own column."""
    return pd.DataFrame(
        {
            t("dashboard.figure"): [t(f"dashboard.fig.{f.key}") for f in figures],
            t("dashboard.value"): [figure_number(f.value, f.fmt) for f in figures],
            t("dashboard.previous"): [figure_number(f.previous, f.fmt) for f in figures],
            t("pdf.dashboard.change"): [figure_number(f.delta, f.fmt) for f in figures],
            t("pdf.unit"): [t(_UNIT_KEYS[f.fmt]) if f.fmt in _UNIT_KEYS else "" for f in figures],
        }
    )


# --- the dashboard as a printable report -------------------------------------------------


@dataclass(frozen=True)
class FigureLine:
    """A key figure as the report prints it: its name, the value with its unit, the
    change against the previous period, and its definition in words (None: none)."""

    label: str
    value: str
    change: str
    definition: str | None = None


def dashboard_pdf(
    *,
    t: Translate,
    title: str,
    scope: str,
    period: Period,
    printed: date,
    sections: Sequence[tuple[str, Sequence[FigureLine]]],
    charts: Sequence[VegaLite],
) -> bytes:
    """The dashboard as an A4 report with searchable text and vector charts: a cover
    with the title, scope, period and the day printed and each section's key figures as
    a table; the charts, two a page; the figures' definitions last. Aggregates only:
    nothing in it names a person."""
    printed_on = t("pdf.dashboard.printed", day=printed.isoformat())
    doc = Document(
        title=title,
        header=f"{t('app.title')} · {title}",
        page_label=t("pdf.page_label"),
        footer=printed_on,
    )
    doc.add_title(title, f"{period.label()} · {scope}")
    doc.add_key_values(
        [
            (t("pdf.dashboard.scope"), scope),
            (t("pdf.dashboard.period"), _period_range(period, t)),
            (t("pdf.dashboard.compared_with"), _period_range(previous(period), t)),
            (t("pdf.dashboard.printed_on"), printed.isoformat()),
        ],
        label_width=32,
    )
    columns = [t("dashboard.figure"), t("dashboard.value"), t("pdf.dashboard.change")]
    for heading, lines in sections:
        doc.add_heading(heading)
        doc.add_table(
            columns,
            [(line.label, line.value, line.change) for line in lines],
            widths=(5, 3, 3),
            align=("L", "R", "R"),
        )
    doc.add_paragraph(t("pdf.dashboard.no_personal"), small=True, muted=True)
    if charts:
        doc.new_page()
        doc.add_heading(t("pdf.dashboard.charts"))
        doc.add_charts(charts)
    doc.add_heading(t("pdf.dashboard.definitions"))
    doc.add_paragraph(t("pdf.dashboard.change_means"))
    for _, lines in sections:
        for line in lines:
            if line.definition:
                doc.add_paragraph(line.definition)
    return doc.output()


def _period_range(period: Period, t: Translate) -> str:
    return t(
        "pdf.dashboard.period_range",
        period=period.label(),
        start=period.start.isoformat(),
        last=period.last_day.isoformat(),
    )


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
