"""Reading an office's own list (台账) from the file it keeps: .xlsx, .xls (older Excel and
WPS) or .csv (UTF-8, UTF-8 with BOM, or GBK as Excel on a Chinese Windows saves it).

The header row need not be the first: offices put a title ("四千米社区志愿者台账") and a
note or two above it, so the header is the first of the top rows in which the caller
recognises at least two column names. Empty rows are skipped. A cell comes back as text,
a number or a date, and `cell_date` reads the dates offices type in every common form.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import xlrd  # type: ignore[import-untyped]
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from services.errors import BoardError

Cell = str | int | float | date | None
EXTENSIONS = ("xlsx", "xls", "csv")
MAX_ROWS = 10_000  # data rows in one file; a bigger list is imported in parts
HEADER_SEARCH = 20  # the top rows in which the header row is looked for
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's serial dates (1900 system, as Excel counts)


@dataclass(frozen=True)
class Row:
    number: int  # the row's number in the sheet, as Excel shows it (1 = the first)
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    """A sheet as read: its column headers ("" for a column without one) and its data
    rows below the header, empty rows left out."""

    headers: tuple[str, ...]
    rows: tuple[Row, ...]


def extension(file_name: str) -> str:
    return file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""


def _clean(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    return text or None


def _xlsx_rows(data: bytes) -> Iterable[Sequence[object]]:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()


def _xls_rows(data: bytes) -> Iterable[Sequence[object]]:
    book = xlrd.open_workbook(file_contents=data)
    sheet = book.sheet_by_index(0)
    for r in range(sheet.nrows):
        row: list[object] = []
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                row.append(None)
            else:
                row.append(cell.value)
        yield row


def decode_text(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without the BOM Excel writes), else GB18030, the
    superset of the GBK that Excel and WPS on a Chinese Windows save in."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as err:
            raise BoardError("imports.unreadable") from err


def _csv_rows(data: bytes) -> Iterable[Sequence[object]]:
    text = decode_text(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",\t;"
        )
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _raw_rows(data: bytes, file_name: str) -> list[tuple[int, tuple[Cell, ...]]]:
    """Every non-empty row with its number in the sheet."""
    kind = extension(file_name)
    readers: dict[str, Callable[[bytes], Iterable[Sequence[object]]]] = {
        "xlsx": _xlsx_rows,
        "xls": _xls_rows,
        "csv": _csv_rows,
    }
    if kind not in readers:
        raise BoardError("imports.file_type", types="、".join(EXTENSIONS))
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    try:
        for number, raw in enumerate(readers[kind](data), start=1):
            cells = tuple(_clean(v) for v in raw)
            if any(c is not None for c in cells):
                rows.append((number, cells))
            if len(rows) > MAX_ROWS + HEADER_SEARCH:
                raise BoardError("imports.too_many_rows", max=MAX_ROWS)
    except (
        OSError,
        ValueError,
        KeyError,
        IndexError,
        zipfile.BadZipFile,
        InvalidFileException,
        xlrd.XLRDError,
        csv.Error,
    ) as err:
        raise BoardError("imports.unreadable") from err
    return rows


def _header_index(
    rows: list[tuple[int, tuple[Cell, ...]]], is_header: Callable[[str], bool]
) -> int:
    """The position of the header row: the first of the top rows with two or more
    recognised column names; else the first row with two or more filled cells (a title
    row has one); else the first row."""
    top = rows[:HEADER_SEARCH]
    for i, (_, cells) in enumerate(top):
        if sum(1 for c in cells if isinstance(c, str) and is_header(c)) >= 2:
            return i
    for i, (_, cells) in enumerate(top):
        if sum(1 for c in cells if c is not None) >= 2:
            return i
    return 0


def read_table(data: bytes, file_name: str, *, is_header: Callable[[str], bool]) -> Table:
    """The file's first sheet as a Table, or a refusal: a type not read here, a file that
    cannot be read, no data rows, more than MAX_ROWS of them."""
    rows = _raw_rows(data, file_name)
    if not rows:
        raise BoardError("imports.empty")
    at = _header_index(rows, is_header)
    header, data_rows = rows[at][1], rows[at + 1 :]
    if not data_rows:
        raise BoardError("imports.empty")
    if len(data_rows) > MAX_ROWS:
        raise BoardError("imports.too_many_rows", max=MAX_ROWS)
    width = max(
        [i + 1 for i, c in enumerate(header) if c is not None]
        + [i + 1 for _, cells in data_rows for i, c in enumerate(cells) if c is not None]
    )
    headers = tuple(cell_text(header[i]) if i < len(header) else "" for i in range(width))
    return Table(
        headers=headers,
        rows=tuple(
            Row(number, tuple(cells[i] if i < len(cells) else None for i in range(width)))
            for number, cells in data_rows
        ),
    )


# --- reading a cell -------------------------------------------------------------------------


def cell_text(cell: Cell) -> str:
    """A cell as text: a whole number without ".0" (a phone typed into a number cell), a
    date as 2026-11-25."""
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


_YMD = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_YM = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*月?$")
_TIME = re.compile(r"[\sT]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _from_digits(digits: str) -> date:
    if len(digits) == 8:  # 19450302
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    if len(digits) == 6:  # 194503: 出生年月, the first of the month
        return date(int(digits[:4]), int(digits[4:]), 1)
    if len(digits) <= 5:  # an Excel serial date that lost its date format
        return EXCEL_EPOCH + timedelta(days=int(digits))
    raise ValueError(digits)


def cell_date(cell: Cell) -> date | None:
    """A date from a cell: a date cell, an Excel serial number, or text such as
    "1945年3月2日", "1945.3.2", "1945/03/02", "1945-03-02", "19450302", "194503" or
    "1945年3月" (出生年月: the first of the month). None for an empty cell; ValueError
    for anything else, an impossible day (1945-02-30) included."""
    if cell is None:
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, float):
        raise ValueError(cell)
    text = _TIME.sub("", str(cell).strip())
    if not text:
        return None
    if text.isdigit():
        return _from_digits(text)
    if match := _YMD.match(text):
        return date(*(int(g) for g in match.groups()))
    if match := _YM.match(text):
        return date(int(match.group(1)), int(match.group(2)), 1)
    raise ValueError(text)
