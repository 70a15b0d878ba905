"""The A4 landscape PDF report of a DeckSpec: the deck's slides as pages, with fpdf2's page footer."""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from ikz.present.export.render import ImageRenderer
from ikz.present.export.spec import (
    BODY_COLOR,
    CLOSING_TITLE,
    KEY_FIGURES_TITLE,
    NOTE_HEADING,
    PRIMARY_COLOR,
    SECONDARY_COLOR,
    SOURCES_HEADING,
    ChartExport,
    DeckSpec,
    TableSlide,
    TextSlide,
    checked_images,
    filter_line,
    format_created,
    source_caption,
    value_size,
)

logger = logging.getLogger(__name__)

# TTF fonts with German letters and „“ quotes, best first: Arial's metric twin (matches the
# slides), Arial itself on Windows and macOS laptops, then DejaVu Sans. No installed Python package
# ships a usable TTF (Streamlit has only woff2), so without any of these the PDF falls back to the
# built-in Helvetica in Windows-1252, which still has umlauts, ß, „“ and –; other characters
# become "?". Liberation Sans and Arial lack ◆ and ✓ (the marks of derived and checked values):
# those come from DejaVu Sans (Debian's fonts-dejavu-core, installed by scripts/setup.sh), which
# fpdf2 uses for every glyph the first font lacks.
PDF_FONT_CANDIDATES: tuple[tuple[Path, Path], ...] = (
    (
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ),
    (Path("C:/Windows/Fonts/arial.ttf"), Path("C:/Windows/Fonts/arialbd.ttf")),
    (
        Path("/System/Library/Fonts/Supplemental/Arial.ttf"),
        Path("/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
)
PDF_FALLBACK_FONT = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
_FONT = "ikz"
_FALLBACK = "ikz-glyphs"
PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0  # mm, A4 landscape
MARGIN = 15.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
_FOOTER_TOP = PAGE_HEIGHT - 26  # filter and source lines of a chart page, above the page footer


def _font_files() -> tuple[Path, Path] | None:
    for regular, bold in PDF_FONT_CANDIDATES:
        if regular.is_file():
            return regular, bold if bold.is_file() else regular
    return None


def _rgb(hex_color: str) -> tuple[int, int, int]:
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class _Report(FPDF):
    """An A4 landscape FPDF with the deck's font and colours, a page footer and a few layout helpers."""

    def __init__(self, spec: DeckSpec) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.spec = spec
        # Pages are laid out like slides, one item each; nothing may flow onto an extra page.
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_title(spec.title)
        self.set_subject(spec.subtitle)
        self.set_creator("IKZ Dashboard")
        self.set_lang("de-DE")
        fonts = _font_files()
        if fonts is None:
            logger.warning("No TTF font found; the PDF uses Helvetica (Windows-1252 only)")
            self.font = "helvetica"
            self.core_fonts_encoding = "windows-1252"
            self.unicode = False
        else:
            self.add_font(_FONT, "", str(fonts[0]))
            self.add_font(_FONT, "B", str(fonts[1]))
            self.font = _FONT
            regular, bold = PDF_FALLBACK_FONT
            if regular.is_file() and regular != fonts[0]:
                self.add_font(_FALLBACK, "", str(regular))
                self.add_font(_FALLBACK, "B", str(bold if bold.is_file() else regular))
                self.set_fallback_fonts([_FALLBACK])
            self.unicode = True

    def footer(self) -> None:
        """fpdf2 calls this at the end of every page: a rule, title and date, „Seite n von {nb}“."""
        self.set_draw_color(*_rgb(PRIMARY_COLOR))
        self.set_line_width(0.4)
        self.line(MARGIN, PAGE_HEIGHT - 11, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 11)
        self.set_font(self.font, "", 8)
        self.set_text_color(*_rgb(SECONDARY_COLOR))
        self.set_xy(MARGIN, PAGE_HEIGHT - 10)
        left = f"{self.spec.title} · {format_created(self.spec.created)}"
        self.cell(CONTENT_WIDTH / 2, 5, self.clean(left), align="L")
        # {nb} is fpdf2's alias for the page total, filled in when the document is written.
        self.cell(CONTENT_WIDTH / 2, 5, f"Seite {self.page_no()} von {self.str_alias_nb_pages}", align="R")

    def clean(self, text: str) -> str:
        """Text the font can show: unchanged for a TTF, Windows-1252 with '?' for Helvetica."""
        if self.unicode:
            return text
        return text.encode("cp1252", "replace").decode("cp1252")

    def text_block(self, text: str, size: float, color: str, *, bold: bool = False, align: str = "L") -> None:
        """Write wrapped text at the cursor across the content width, then move below it."""
        self.set_font(self.font, "B" if bold else "", size)
        self.set_text_color(*_rgb(color))
        self.set_x(MARGIN)
        line_height = size * 0.45  # mm; about 1.3 × the font size in points
        self.multi_cell(CONTENT_WIDTH, line_height, self.clean(text), align=align)

    def titled_page(self, title: str, subtitle: str = "") -> None:
        """A new page with its title (and subtitle) at the top."""
        self.add_page()
        self.set_y(MARGIN)
        self.text_block(title, 20, PRIMARY_COLOR, bold=True)
        if subtitle:
            self.ln(1)
            self.text_block(subtitle, 12, SECONDARY_COLOR)
        self.ln(4)

    def bottom_lines(self, lines: Sequence[str]) -> None:
        """Small grey lines (filter, source) just above the page footer."""
        self.set_y(_FOOTER_TOP)
        for line in lines:
            self.text_block(line, 9, SECONDARY_COLOR)


def _title_page(report: _Report, spec: DeckSpec) -> None:
    report.add_page()
    report.set_fill_color(*_rgb(PRIMARY_COLOR))
    report.rect(0, 0, 6, PAGE_HEIGHT, style="F")
    report.set_y(55)
    report.text_block(spec.title, 30, PRIMARY_COLOR, bold=True)
    report.ln(4)
    report.text_block(spec.subtitle, 16, BODY_COLOR)
    report.ln(8)
    report.text_block(f"Stand: {format_created(spec.created)}", 13, BODY_COLOR)
    report.ln(3)
    report.text_block(filter_line(spec.filters_text), 11, SECONDARY_COLOR)


def _chart_page(report: _Report, spec: DeckSpec, chart: ChartExport, png: bytes) -> None:
    report.titled_page(chart.title, chart.subtitle)
    top = report.get_y()
    report.image(
        io.BytesIO(png),
        x=MARGIN,
        y=top,
        w=CONTENT_WIDTH,
        h=_FOOTER_TOP - 2 - top,
        keep_aspect_ratio=True,  # fits and centres the image in the box
        alt_text=f"{chart.title}. {chart.subtitle}".strip(" ."),
    )
    report.bottom_lines([filter_line(spec.filters_text), source_caption(chart.source)])


def _text_page(report: _Report, item: TextSlide) -> None:
    report.titled_page(item.title, item.subtitle)
    size = 13 if sum(len(p) for p in item.paragraphs) <= 600 else 10
    for paragraph in item.paragraphs:
        report.text_block(paragraph, size, BODY_COLOR)
        report.ln(2)
    if item.source:
        report.bottom_lines([source_caption(item.source)])


def _table_page(report: _Report, item: TableSlide) -> None:
    report.titled_page(item.title, item.subtitle)
    report.set_font(report.font, "", 9)
    report.set_text_color(*_rgb(BODY_COLOR))
    headings = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=_rgb(PRIMARY_COLOR))
    with report.table(
        width=CONTENT_WIDTH,
        col_widths=item.column_shares(),
        headings_style=headings,
        line_height=4.5,
        text_align="LEFT",
    ) as table:
        # Body cells name their own style: left to fpdf2 (2.8.9), they took the heading's white text
        # on its dark fill, and every table page showed dark bars without a readable word.
        body = FontFace(color=_rgb(BODY_COLOR), fill_color=(255, 255, 255))
        for index, cells in enumerate((item.columns, *item.rows)):
            row = table.row()
            for text in cells:
                row.cell(report.clean(text), style=None if index == 0 else body)
    if item.source:
        report.bottom_lines([source_caption(item.source)])


def _key_figures_page(report: _Report, spec: DeckSpec) -> None:
    report.titled_page(KEY_FIGURES_TITLE)
    figures = spec.key_figures
    columns = min(len(figures), 4)
    gap = 8.0
    cell_width = (CONTENT_WIDTH - gap * (columns - 1)) / columns
    row_height = 60.0  # mm: a 36 pt number, a label and a note with room to spare
    rows = math.ceil(len(figures) / columns)
    free = _FOOTER_TOP - report.get_y() - rows * row_height
    row_top = report.get_y() + max(free / 2, 0)  # the block sits in the middle of the page
    for index, figure in enumerate(figures):
        row, column = divmod(index, columns)
        x = MARGIN + column * (cell_width + gap)
        report.set_xy(x, row_top + row * row_height)
        for text, size, color, bold in (
            (figure.value, value_size(figure.value, 36), PRIMARY_COLOR, True),
            (figure.label, 13, BODY_COLOR, True),
            (figure.note, 10, SECONDARY_COLOR, False),
        ):
            if not text:
                continue
            report.set_font(report.font, "B" if bold else "", size)
            report.set_text_color(*_rgb(color))
            report.set_x(x)
            report.multi_cell(cell_width, size * 0.45, report.clean(text), align="C")
            report.ln(2)


def _closing_page(report: _Report, spec: DeckSpec) -> None:
    report.titled_page(CLOSING_TITLE)
    report.text_block(SOURCES_HEADING, 14, BODY_COLOR, bold=True)
    report.ln(2)
    for source in spec.sources:
        report.text_block(f"• {source}", 11, BODY_COLOR)
        report.ln(1)
    if spec.note:
        report.ln(6)
        report.text_block(NOTE_HEADING, 14, BODY_COLOR, bold=True)
        report.ln(2)
        report.text_block(spec.note, 11, BODY_COLOR)


def build_pdf(
    spec: DeckSpec,
    images: Sequence[bytes] | None = None,
    *,
    renderer: ImageRenderer | None = None,
) -> bytes:
    """An A4 landscape PDF report with the deck's pages: title, content, key figures, sources and note.

    `images` are the chart slides' PNGs from render_deck_images (rendered here when not given).
    """
    pngs = iter(checked_images(spec, images, renderer))
    report = _Report(spec)
    _title_page(report, spec)
    for item in spec.content():
        if isinstance(item, ChartExport):
            _chart_page(report, spec, item, next(pngs))
        elif isinstance(item, TextSlide):
            _text_page(report, item)
        else:
            _table_page(report, item)
    if spec.key_figures:
        _key_figures_page(report, spec)
    _closing_page(report, spec)
    for item in spec.appendix():
        _table_page(report, item)
    return bytes(report.output())
