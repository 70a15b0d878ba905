"""The 16:9 PowerPoint deck of a DeckSpec: title, one slide per chart, text or table, key figures, sources."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from ikz.present.export.render import ImageRenderer
from ikz.present.export.spec import (
    BODY_COLOR,
    CLOSING_TITLE,
    FONT_FAMILY,
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

SLIDE_WIDTH = Emu(12_192_000)  # 13.333 in: PowerPoint's 16:9 "Breitbild"
SLIDE_HEIGHT = Emu(6_858_000)  # 7.5 in
_MARGIN = Inches(0.5)
_CONTENT_WIDTH = SLIDE_WIDTH - 2 * _MARGIN
_BODY_TOP = Inches(1.55)
_FOOTER_TOP = Inches(6.7)  # filter line, then the source line at 7.0 in
_LAYOUT_TITLE = 0  # the default template's "Title Slide"
_LAYOUT_TITLE_ONLY = 5  # "Title Only": keeps a real title placeholder for the outline view
_PICTURE = "Diagramm"


@dataclass(frozen=True)
class _Line:
    """One paragraph of a text box."""

    text: str
    size: int  # points
    color: str  # hex
    bold: bool = False
    space_after: int = 0  # points


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _fill_text_frame(frame: Any, lines: Sequence[_Line], align: Any) -> None:
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_after = Pt(line.space_after)
        run = paragraph.runs[0] if paragraph.runs else paragraph.add_run()
        run.text = line.text
        run.font.name = FONT_FAMILY
        run.font.size = Pt(line.size)
        run.font.bold = line.bold
        run.font.color.rgb = _rgb(line.color)


def _add_text(
    slide: Any,
    box: tuple[int, int, int, int],
    lines: Sequence[_Line],
    *,
    name: str,
    align: Any = PP_ALIGN.LEFT,
    anchor: Any = MSO_ANCHOR.TOP,
) -> Any:
    shape = slide.shapes.add_textbox(*box)
    shape.name = name
    shape.text_frame.vertical_anchor = anchor
    _fill_text_frame(shape.text_frame, lines, align)
    return shape


def _set_title(slide: Any, box: tuple[int, int, int, int], line: _Line) -> None:
    # The template's placeholders are laid out for 4:3 and centred 44 pt Calibri; move and restyle.
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = box
    title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    _fill_text_frame(title.text_frame, [line], PP_ALIGN.LEFT)


def _remove_empty_placeholders(slide: Any) -> None:
    for shape in list(slide.placeholders):
        if not shape.has_text_frame or not shape.text_frame.text:
            shape.element.getparent().remove(shape.element)


def _fit(image_size: tuple[int, int], box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The largest box with the image's aspect ratio inside box, centred."""
    left, top, width, height = box
    image_width, image_height = image_size
    ratio = min(width / image_width, height / image_height)
    fit_width, fit_height = int(image_width * ratio), int(image_height * ratio)
    return left + (width - fit_width) // 2, top + (height - fit_height) // 2, fit_width, fit_height


def _title_slide(prs: Any, spec: DeckSpec) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE])
    accent = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.25), SLIDE_HEIGHT)
    accent.name = "Akzent"
    accent.fill.solid()
    accent.fill.fore_color.rgb = _rgb(PRIMARY_COLOR)
    accent.line.fill.background()
    _set_title(
        slide, (Inches(1), Inches(1.6), Inches(11.3), Inches(1.9)), _Line(spec.title, 40, PRIMARY_COLOR, True)
    )
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        Inches(1),
        Inches(3.6),
        Inches(11.3),
        Inches(0.9),
    )
    _fill_text_frame(subtitle.text_frame, [_Line(spec.subtitle, 22, BODY_COLOR)], PP_ALIGN.LEFT)
    date_line = _Line(f"Stand: {format_created(spec.created)}", 16, BODY_COLOR)
    _add_text(slide, (Inches(1), Inches(4.9), Inches(11.3), Inches(0.5)), [date_line], name="Datum")
    filters = _Line(filter_line(spec.filters_text), 14, SECONDARY_COLOR)
    _add_text(slide, (Inches(1), Inches(5.5), Inches(11.3), Inches(1.2)), [filters], name="Filterzeile")
    _remove_empty_placeholders(slide)


def _titled_slide(prs: Any, title: str, subtitle: str) -> Any:
    slide = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE_ONLY])
    # Titles up to about 60 characters fit one line at 28 pt; longer ones get 22 pt and two lines.
    size = 28 if len(title) <= 60 else 22
    _set_title(
        slide, (_MARGIN, Inches(0.3), _CONTENT_WIDTH, Inches(0.8)), _Line(title, size, PRIMARY_COLOR, True)
    )
    if subtitle:
        box = (_MARGIN, Inches(1.1), _CONTENT_WIDTH, Inches(0.4))
        _add_text(slide, box, [_Line(subtitle, 16, SECONDARY_COLOR)], name="Untertitel")
    return slide


def _footer(slide: Any, lines: Sequence[tuple[str, str]]) -> None:
    """Small grey lines at the bottom of a content slide: (text, shape name), top to bottom."""
    for index, (text, name) in enumerate(lines):
        box = (_MARGIN, _FOOTER_TOP + index * Inches(0.3), _CONTENT_WIDTH, Inches(0.3))
        _add_text(slide, box, [_Line(text, 11, SECONDARY_COLOR)], name=name)


def _chart_slide(prs: Any, spec: DeckSpec, chart: ChartExport, png: bytes) -> None:
    slide = _titled_slide(prs, chart.title, chart.subtitle)
    body = (_MARGIN, _BODY_TOP, _CONTENT_WIDTH, Inches(5.1))
    with Image.open(io.BytesIO(png)) as image:
        size = image.size
    picture = slide.shapes.add_picture(io.BytesIO(png), *_fit(size, body))
    picture.name = _PICTURE
    # Alt text for screen readers; python-pptx has no public setter for it.
    alt_text = f"{chart.title}. {chart.subtitle}".strip(" .")
    picture._element.nvPicPr.cNvPr.set("descr", alt_text)
    _footer(
        slide,
        [(filter_line(spec.filters_text), "Filterzeile"), (source_caption(chart.source), "Quellenzeile")],
    )


def _text_slide(prs: Any, item: TextSlide) -> None:
    slide = _titled_slide(prs, item.title, item.subtitle)
    # Long texts get a smaller font rather than running off the slide.
    size = 18 if sum(len(p) for p in item.paragraphs) <= 600 else 14
    lines = [_Line(paragraph, size, BODY_COLOR, space_after=8) for paragraph in item.paragraphs]
    _add_text(slide, (_MARGIN, _BODY_TOP, _CONTENT_WIDTH, Inches(5.0)), lines, name="Text")
    if item.source:
        _footer(slide, [(source_caption(item.source), "Quellenzeile")])


def _table_slide(prs: Any, item: TableSlide) -> None:
    slide = _titled_slide(prs, item.title, item.subtitle)
    row_height = Inches(0.38)
    height = row_height * (len(item.rows) + 1)
    frame = slide.shapes.add_table(
        len(item.rows) + 1, len(item.columns), _MARGIN, _BODY_TOP, _CONTENT_WIDTH, height
    )
    frame.name = "Tabelle"
    table = frame.table
    for index, share in enumerate(item.column_shares()):
        table.columns[index].width = int(_CONTENT_WIDTH * share)
    for row_index, cells in enumerate((item.columns, *item.rows)):
        table.rows[row_index].height = row_height
        for column_index, text in enumerate(cells):
            cell = table.cell(row_index, column_index)
            color = "#FFFFFF" if row_index == 0 else BODY_COLOR
            _fill_text_frame(cell.text_frame, [_Line(text, 11, color, bold=row_index == 0)], PP_ALIGN.LEFT)
            if row_index == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(PRIMARY_COLOR)
    if item.source:
        _footer(slide, [(source_caption(item.source), "Quellenzeile")])


def _key_figures_slide(prs: Any, spec: DeckSpec) -> None:
    slide = _titled_slide(prs, KEY_FIGURES_TITLE, "")
    figures = spec.key_figures
    columns = min(len(figures), 4)
    rows = math.ceil(len(figures) / columns)
    gap = Inches(0.3)
    cell_width = (_CONTENT_WIDTH - gap * (columns - 1)) // columns
    cell_height = (Inches(5.2) - gap * (rows - 1)) // rows
    base_size = 54 if rows == 1 else 36
    for index, figure in enumerate(figures):
        row, column = divmod(index, columns)
        box = (
            _MARGIN + column * (cell_width + gap),
            Inches(1.6) + row * (cell_height + gap),
            cell_width,
            cell_height,
        )
        lines = [
            _Line(figure.value, value_size(figure.value, base_size), PRIMARY_COLOR, bold=True, space_after=6),
            _Line(figure.label, 18, BODY_COLOR, bold=True, space_after=4),
        ]
        if figure.note:
            lines.append(_Line(figure.note, 13, SECONDARY_COLOR))
        name = f"Kennzahl {index + 1}"
        _add_text(slide, box, lines, name=name, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)


def _closing_slide(prs: Any, spec: DeckSpec) -> None:
    slide = _titled_slide(prs, CLOSING_TITLE, "")
    # Long source lists get a smaller font rather than running off the slide.
    size = 16 if len(spec.sources) <= 6 else 12
    lines = [_Line(SOURCES_HEADING, size + 2, BODY_COLOR, bold=True, space_after=4)]
    lines += [_Line(f"• {source}", size, BODY_COLOR, space_after=2) for source in spec.sources]
    if spec.note:
        lines[-1] = _Line(lines[-1].text, lines[-1].size, lines[-1].color, space_after=14)
        lines.append(_Line(NOTE_HEADING, size + 2, BODY_COLOR, bold=True, space_after=4))
        lines.append(_Line(spec.note, size, BODY_COLOR))
    _add_text(slide, (_MARGIN, Inches(1.5), _CONTENT_WIDTH, Inches(5.6)), lines, name="Quellen und Hinweis")


def build_deck(
    spec: DeckSpec,
    images: Sequence[bytes] | None = None,
    *,
    renderer: ImageRenderer | None = None,
) -> bytes:
    """A 16:9 PowerPoint deck: title, the content slides, key figures, sources and note, appendix.

    `images` are the chart slides' PNGs from render_deck_images (rendered here when not given).
    """
    pngs = iter(checked_images(spec, images, renderer))
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    prs.core_properties.title = spec.title
    prs.core_properties.subject = spec.subtitle
    prs.core_properties.language = "de-DE"
    _title_slide(prs, spec)
    for item in spec.content():
        if isinstance(item, ChartExport):
            _chart_slide(prs, spec, item, next(pngs))
        elif isinstance(item, TextSlide):
            _text_slide(prs, item)
        else:
            _table_slide(prs, item)
    if spec.key_figures:
        _key_figures_slide(prs, spec)
    _closing_slide(prs, spec)
    for item in spec.appendix():
        _table_slide(prs, item)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
