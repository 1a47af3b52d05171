"""Printable A4 documents with text a reader can search and copy: the dashboard's report,
certificates of volunteer service. No streamlit here.

A `Document` is written top to bottom with fpdf2 (the board's title bar on every page,
headings, paragraphs, tables, page numbers), with Noto Sans CJK SC embedded (Debian's
fonts-noto-cjk, installed by `make run`/`make test`). Charts are vector: vl-convert draws
each as a one-page PDF and `output()` lays that page onto the document's page with pypdf.
Callers pass text already in the reader's language; nothing here translates.

Why `_identity_encoded`: fpdf2 embeds a CID-keyed CFF font (Noto CJK is one) with its
own encoding CMap (code -> CID) as a stream. The ToUnicode map it writes is right, and
viewers that read embedded CMaps copy clean text, but pypdf (and tools like it) treat a
stream encoding as one byte a character and give '\\x00社\\x00区'. Renumbering the
embedded subset's glyphs so that each glyph's CID is its code lets the font use the
standard /Identity-H encoding, which every reader knows; the drawing does not change.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import vl_convert as vlc
from fontTools.cffLib import CFFFontSet  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.fonts import FontFace, TTFFont
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from services.charts import VegaLite

FONT_DIR = "/usr/share/fonts/opentype/noto"
FONT_FILES = {"": f"{FONT_DIR}/NotoSansCJK-Regular.ttc", "B": f"{FONT_DIR}/NotoSansCJK-Bold.ttc"}
SC_INDEX = 2  # in the .ttc collections: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK (fc-query)
FAMILY = "NotoSansCJKSC"

RED = (200, 16, 46)  # the board's red, as in the charts' palette
INK = (31, 35, 40)
GREY = (87, 96, 106)
RULE = (208, 215, 222)
HEAD_FILL = (246, 248, 250)

MM = 72 / 25.4  # PDF points per millimetre
PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, mm
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18.0, 24.0, 18.0


@dataclass(frozen=True)
class _Placed:
    """A chart's one-page PDF, to be laid at (x, y) mm from the page's top left."""

    page: int  # 1-based
    x: float
    y: float
    scale: float
    pdf: PageObject  # the chart's one page, as vl-convert drew it


class _Pages(FPDF):
    """fpdf2 with the board's title bar at the top of every page and the page numbers
    at the bottom."""

    def __init__(self, *, header: str, page_label: str, footer: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.header_text = header
        self.page_label = page_label
        self.footer_text = footer

    def header(self) -> None:
        self.set_fill_color(*RED)
        self.rect(0, 0, PAGE_W, 3.5, style="F")
        if self.header_text:
            self.set_xy(MARGIN_X, 8)
            self.set_font(FAMILY, "", 8.5)
            self.set_text_color(*GREY)
            self.cell(PAGE_W - 2 * MARGIN_X, 5, self.header_text, align="L")
            self.set_draw_color(*RULE)
            self.line(MARGIN_X, 14.5, PAGE_W - MARGIN_X, 14.5)
        self.set_xy(MARGIN_X, MARGIN_TOP)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8.5)
        self.set_text_color(*GREY)
        width = PAGE_W - 2 * MARGIN_X
        if self.footer_text:
            self.set_x(MARGIN_X)
            self.cell(width, 5, self.footer_text, align="L")
            self.set_x(MARGIN_X)
        label = self.page_label.format(page=self.page_no(), pages=self.str_alias_nb_pages)
        self.cell(width, 5, label, align="R" if self.footer_text else "C")


class Document:
    """An A4 portrait document written top to bottom; `output()` gives the PDF's bytes.

    `title` is the document's title (its metadata, and the title bar's text unless
    `header` says otherwise); `page_label` is the page number's text with {page} and
    {pages} (e.g. "第 {page} 页 / 共 {pages} 页"); `footer` is printed at the bottom left
    of every page (e.g. the date printed). Every add_* call continues below the last and
    breaks to a new page when the next block does not fit.
    """

    def __init__(
        self,
        *,
        title: str,
        header: str | None = None,
        page_label: str = "第 {page} 页 / 共 {pages} 页",
        footer: str = "",
        author: str = "",
    ) -> None:
        pdf = _Pages(
            header=title if header is None else header, page_label=page_label, footer=footer
        )
        for style, path in FONT_FILES.items():
            pdf.add_font(FAMILY, style, path, collection_font_number=SC_INDEX)
        pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
        pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
        pdf.set_title(title)
        if author:
            pdf.set_author(author)
        pdf.set_creator("社区服务协同看板")
        pdf.set_text_color(*INK)
        self._pdf = pdf
        self._charts: list[_Placed] = []
        self.new_page()

    @property
    def width(self) -> float:
        """The text width in mm (between the margins)."""
        return PAGE_W - 2 * MARGIN_X

    @property
    def space_left(self) -> float:
        """Millimetres left on the current page above the bottom margin."""
        return PAGE_H - MARGIN_BOTTOM - self._pdf.get_y()

    def new_page(self) -> None:
        """Continues on a new page."""
        self._pdf.add_page()
        self._pdf.set_text_color(*INK)

    def _room(self, height: float) -> None:
        if height > self.space_left:
            self.new_page()

    def add_title(self, text: str, subtitle: str = "") -> None:
        """The document's title in large type, with an optional line under it."""
        pdf = self._pdf
        self._room(24)
        pdf.set_font(FAMILY, "B", 20)
        pdf.set_text_color(*INK)
        pdf.multi_cell(self.width, 10, text, align="L", new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            pdf.set_font(FAMILY, "", 11.5)
            pdf.set_text_color(*GREY)
            pdf.multi_cell(self.width, 6.5, subtitle, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*INK)
        pdf.ln(5)

    def add_heading(self, text: str) -> None:
        """A section heading with a short red mark before it; kept with what follows."""
        pdf = self._pdf
        self._room(22)
        pdf.ln(2)
        y = pdf.get_y()
        pdf.set_fill_color(*RED)
        pdf.rect(MARGIN_X, y + 1.2, 1.2, 5, style="F")
        pdf.set_x(MARGIN_X + 3.5)
        pdf.set_font(FAMILY, "B", 13)
        pdf.set_text_color(*INK)
        pdf.multi_cell(self.width - 3.5, 7.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def add_paragraph(self, text: str, *, small: bool = False, muted: bool = False) -> None:
        """Running text, wrapped to the text width (line breaks in `text` are kept)."""
        pdf = self._pdf
        pdf.set_font(FAMILY, "", 9 if small else 10.5)
        pdf.set_text_color(*(GREY if muted else INK))
        pdf.multi_cell(
            self.width, 5 if small else 6, text, align="L", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_text_color(*INK)
        pdf.ln(2)

    def add_key_values(self, pairs: Sequence[tuple[str, str]], *, label_width: float = 40) -> None:
        """Label and value pairs, one a line, the labels grey in a column `label_width`
        mm wide (a certificate's holder, number and period)."""
        pdf = self._pdf
        for label, value in pairs:
            self._room(7)
            y = pdf.get_y()
            pdf.set_font(FAMILY, "", 10.5)
            pdf.set_text_color(*GREY)
            pdf.set_xy(MARGIN_X, y)
            pdf.multi_cell(label_width, 6.5, label)
            label_end = pdf.get_y()
            pdf.set_text_color(*INK)
            pdf.set_xy(MARGIN_X + label_width, y)
            pdf.multi_cell(self.width - label_width, 6.5, value, new_x="LMARGIN", new_y="NEXT")
            pdf.set_y(max(label_end, pdf.get_y()))
        pdf.ln(3)

    def add_table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float] | None = None,
        *,
        align: Sequence[str] | None = None,
    ) -> None:
        """A ruled table: `columns` are the header cells (repeated at the top of every
        page it runs onto), `rows` the values (None is printed as "—", anything else as
        str()); `widths` are relative column widths (any unit: scaled to the text width),
        `align` one of "L", "C", "R" per column (numbers read best right-aligned)."""
        pdf = self._pdf
        self._room(16)
        pdf.set_font(FAMILY, "", 9.5)
        pdf.set_draw_color(*RULE)
        pdf.set_fill_color(255, 255, 255)
        pdf.set_text_color(*INK)
        text_align: Any = tuple(align) if align else "LEFT"
        with pdf.table(
            col_widths=tuple(widths) if widths else None,
            width=self.width,
            align="LEFT",
            text_align=text_align,
            line_height=6,
            padding=(1.2, 2),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
            repeat_headings=1,
            borders_layout="HORIZONTAL_LINES",
            cell_fill_mode="NONE",
        ) as table:
            head = table.row()
            for title in columns:
                head.cell(title)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell("—" if value is None else str(value))
        pdf.ln(4)

    def add_chart(self, chart: VegaLite | Mapping[str, Any], *, max_height: float = 115) -> None:
        """A chart as vector graphics with its text searchable: scaled to the text width,
        at most `max_height` mm tall (two charts fit a page at the default), centred."""
        self.add_charts([chart], max_height=max_height)

    def add_charts(
        self, charts: Sequence[VegaLite | Mapping[str, Any]], *, max_height: float = 115
    ) -> None:
        """Several charts one after the other, as add_chart; drawn side by side in
        threads (vl-convert draws one in about 0.2 s and releases the GIL while it does)."""
        specs = [c.to_dict() if isinstance(c, VegaLite) else dict(c) for c in charts]
        with ThreadPoolExecutor(max_workers=min(4, len(specs) or 1)) as pool:
            drawn = list(pool.map(vlc.vegalite_to_pdf, specs))
        pdf = self._pdf
        for chart_pdf in drawn:
            page = PdfReader(io.BytesIO(chart_pdf)).pages[0]
            width_mm = float(page.mediabox.width) / MM
            height_mm = float(page.mediabox.height) / MM
            scale = min(self.width / width_mm, max_height / height_mm, 1.0)
            self._room(height_mm * scale + 4)
            x = MARGIN_X + (self.width - width_mm * scale) / 2
            self._charts.append(_Placed(pdf.page_no(), x, pdf.get_y(), scale, page))
            pdf.set_y(pdf.get_y() + height_mm * scale + 6)

    def add_space(self, height: float) -> None:
        """Blank space `height` mm tall (a place to sign or seal), on this page if it fits."""
        self._room(height)
        self._pdf.set_y(self._pdf.get_y() + height)

    def output(self) -> bytes:
        """The finished PDF: the charts laid on their pages, every font embedded."""
        for font in self._pdf.fonts.values():
            if isinstance(font, TTFFont):
                # fpdf2 re-measures every glyph of the subset when saving it (~0.5 s
                # a font); the font's own bounding box serves as well.
                font.ttfont.recalcBBoxes = False
        writer = PdfWriter(clone_from=io.BytesIO(bytes(self._pdf.output())))
        for number, placed in enumerate(self._charts):
            _draw_form(writer, placed, f"/Chart{number}")
        _identity_encoded(writer)
        writer.compress_identical_objects(remove_unreferenced=True)
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()


def _draw_form(writer: PdfWriter, placed: _Placed, name: str) -> None:
    """Draws the chart's page on its page as a form XObject, scaled and moved into
    place: the chart's drawing is copied as it is, never parsed (pypdf's page merging
    parses both pages' drawings, about 0.4 s a chart). `_add_object` is how pypdf adds
    an indirect object to a writer; it has no public name."""
    chart = placed.pdf
    contents = chart.get_contents()
    form = DecodedStreamObject()
    form.set_data(contents.get_data() if contents is not None else b"")
    chart_resources = cast(DictionaryObject, chart["/Resources"].get_object())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(v) for v in chart.mediabox]),
            NameObject("/Resources"): chart_resources.clone(writer),
        }
    )
    form_ref = writer._add_object(form.flate_encode())
    page = writer.pages[placed.page - 1]
    resources = cast(DictionaryObject, page["/Resources"].get_object())
    forms = resources.setdefault(NameObject("/XObject"), DictionaryObject())
    cast(DictionaryObject, forms.get_object())[NameObject(name)] = form_ref
    x = placed.x * MM
    y = (PAGE_H - placed.y) * MM - float(chart.mediabox.height) * placed.scale
    s = f"{placed.scale:.5f}"
    draw = DecodedStreamObject()
    draw.set_data(f"q {s} 0 0 {s} {x:.3f} {y:.3f} cm {name} Do Q".encode())
    existing = page["/Contents"]
    parts = existing.get_object()
    if not isinstance(parts, ArrayObject):
        parts = ArrayObject([existing])
    page[NameObject("/Contents")] = ArrayObject([*parts, writer._add_object(draw)])


# --- fonts: from fpdf2's embedded encoding CMap to /Identity-H -------------------------

_CIDCHAR = re.compile(rb"<([0-9A-Fa-f]{4})>\s+(\d+)")


def _identity_encoded(writer: PdfWriter) -> None:
    """Every Type0 font whose /Encoding is an embedded CMap stream, renumbered so that
    code = CID and encoded /Identity-H (see the module's docstring)."""
    for font in _type0_fonts(writer):
        encoding = font["/Encoding"].get_object()
        if not isinstance(encoding, StreamObject):
            continue  # a named encoding (/Identity-H): vl-convert's, or done already
        codes_of: dict[int, list[int]] = {}
        for code, cid in _CIDCHAR.findall(encoding.get_data()):
            if int(code, 16):  # code 0 is .notdef's
                codes_of.setdefault(int(cid), []).append(int(code, 16))
        cid_font = cast(ArrayObject, font["/DescendantFonts"].get_object())[0].get_object()
        font_file = cid_font["/FontDescriptor"].get_object()["/FontFile3"].get_object()
        font_file.set_data(_renumbered_cff(font_file.get_data(), codes_of))
        cid_font[NameObject("/W")] = _renumbered_widths(cid_font.get("/W"), codes_of)
        font[NameObject("/Encoding")] = NameObject("/Identity-H")


def _type0_fonts(writer: PdfWriter) -> list[DictionaryObject]:
    """The composite fonts the pages use, each once."""
    found: dict[int, DictionaryObject] = {}
    for page in writer.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        fonts = fonts.get_object() if fonts is not None else None
        if not isinstance(fonts, DictionaryObject):
            continue
        for ref in fonts.values():
            font = ref.get_object()
            if isinstance(font, DictionaryObject) and font.get("/Subtype") == "/Type0":
                found[id(font)] = font
    return list(found.values())


def _renumbered_cff(data: bytes, codes_of: dict[int, list[int]]) -> bytes:
    """The CID-keyed CFF font with each glyph's CID replaced by its code (codes_of: CID
    -> the codes drawn with it). A glyph that several characters share (一 and the
    radical ⼀, 豈 and its compatibility twin) is copied, a CID for each code; glyphs
    without a code get CIDs above every code, so no two glyphs share one."""
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(data), None)
    top = fonts[fonts.fontNames[0]]
    index_of = top.CharStrings.charStrings  # glyph name -> its charstring's index
    fd_select = top.FDSelect
    spare = max((max(c) for c in codes_of.values()), default=0) + 1
    names, copies = [], []
    for gid, name in enumerate(top.charset):
        codes = codes_of.get(int(name[3:]), []) if name.startswith("cid") else []
        if gid == 0:
            names.append(name)
        elif codes:
            names.append(f"cid{codes[0]:05d}")
            copies += [(f"cid{code:05d}", index_of[name], fd_select[gid]) for code in codes[1:]]
        else:
            names.append(f"cid{spare:05d}")
            spare += 1
    charstrings = {name: index_of[old] for name, old in zip(names, top.charset, strict=True)}
    for name, index, fd in copies:
        names.append(name)
        charstrings[name] = index
        fd_select.append(fd)
    top.charset = names
    top.CharStrings.charStrings = charstrings
    out = io.BytesIO()
    fonts.compile(out, TTFont(recalcBBoxes=False))
    return out.getvalue()


def _renumbered_widths(widths: Any, codes_of: dict[int, list[int]]) -> ArrayObject:
    """fpdf2's /W array (by CID: `c [w1 w2 ...]` or `c_first c_last w`) keyed by code."""
    by_code: dict[int, int] = {}
    items = list(widths.get_object()) if widths is not None else []
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1].get_object(), ArrayObject):
            cids = [(first + n, int(w)) for n, w in enumerate(items[i + 1].get_object())]
            i += 2
        else:
            cids = [(cid, int(items[i + 2])) for cid in range(first, int(items[i + 1]) + 1)]
            i += 3
        for cid, width in cids:
            by_code.update(dict.fromkeys(codes_of.get(cid, []), width))
    result = ArrayObject()
    for code, width in sorted(by_code.items()):
        result += [NumberObject(code), ArrayObject([NumberObject(width)])]
    return result
