"""What a slide deck or PDF report shows: the spec a page hands over, its slides, and the shared wording.

The deck (ikz.export.deck) and the report (ikz.export.pdf) lay out the same spec in the same order,
so a deck has exactly as many slides as the report has pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import polars as pl
from babel.dates import format_date
from plotly.graph_objects import Figure

from ikz.charts import SOURCE_ANNOTATION
from ikz.export.render import ImageRenderer, get_renderer
from ikz.labels import ORIGIN_FIELD_LABELS, file_stem
from ikz.theme import MUTED_COLOR, TEXT_COLOR

# Fonts and colours of slides and pages. The font is Arial rather than the dashboard's web font
# because a .pptx only names its fonts: PowerPoint on the council's Windows laptops has Arial,
# LibreOffice maps it to the metric-compatible Liberation Sans, whereas a missing font is replaced
# unpredictably and text boxes then overflow. The PDF embeds its font file instead
# (ikz.export.pdf.PDF_FONT_CANDIDATES), because a PDF must carry its glyphs.
FONT_FAMILY = "Arial"
# Titles, big numbers and the accent bar. The dashboard has no accent colour of its own and the
# city colours would favour one city, so it is the text colour.
PRIMARY_COLOR = TEXT_COLOR
BODY_COLOR = TEXT_COLOR
SECONDARY_COLOR = MUTED_COLOR  # subtitles, filter, source and page lines

KEY_FIGURES_TITLE = "Kennzahlen"
CLOSING_TITLE = "Quellen und Hinweise"
SOURCES_HEADING = "Quellen"
NOTE_HEADING = "Hinweis zur Vergleichbarkeit"
CONTINUED = " (Fortsetzung)"
# A table slide holds this many rows; longer tables continue on further slides (and pages), so
# 11 pt rows never run off a slide.
TABLE_ROWS_PER_SLIDE = 12


@dataclass(frozen=True)
class ChartExport:
    """A chart slide: the figure and the words printed around it."""

    title: str  # the slide/page title; the image itself is rendered without the figure's title
    subtitle: str  # one line under the title, e.g. what is counted; may be ""
    source: str  # printed as "Quelle: …"
    figure: Figure

    def file_name(self, ext: str) -> str:
        """Safe download file name for this chart, e.g. 'kooperationen-nach-kooperationsart.png'."""
        return chart_file_name(self.title, ext)


@dataclass(frozen=True)
class TextSlide:
    """A slide of text: one paragraph per entry (start one with "• " for a bullet)."""

    title: str
    paragraphs: tuple[str, ...]
    subtitle: str = ""
    source: str = ""  # printed as "Quelle: …" when given


@dataclass(frozen=True)
class TableSlide:
    """A slide with a table of text cells; more than TABLE_ROWS_PER_SLIDE rows continue on the next."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    subtitle: str = ""
    source: str = ""
    widths: tuple[float, ...] = ()  # relative column widths; equal when empty

    def __post_init__(self) -> None:
        bad = [row for row in self.rows if len(row) != len(self.columns)]
        if bad:
            raise ValueError(f"table {self.title!r}: {len(bad)} rows do not have {len(self.columns)} cells")
        if self.widths and len(self.widths) != len(self.columns):
            raise ValueError(
                f"table {self.title!r}: {len(self.widths)} widths for {len(self.columns)} columns"
            )

    def column_shares(self) -> tuple[float, ...]:
        """Each column's share of the table width (sums to 1)."""
        widths = self.widths or (1.0,) * len(self.columns)
        total = sum(widths)
        return tuple(w / total for w in widths)


Slide = ChartExport | TextSlide | TableSlide


@dataclass(frozen=True)
class KeyFigure:
    """One big number on the key-figures slide, already formatted (e.g. '1.234' or '42 %')."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class DeckSpec:
    """Everything a slide deck or PDF report shows, in order.

    Title slide, the page's `charts`, then `extra_slides` (charts, text or tables a feature adds),
    the key figures (left out when empty), and the closing slide with sources and note.
    """

    title: str
    subtitle: str
    created: date
    filters_text: str  # the active filters in words, e.g. "Städte: Erfurt, Magdeburg; alle Arten"
    charts: tuple[ChartExport, ...]  # the charts the page shows, in page order
    key_figures: tuple[KeyFigure, ...]  # 3–4 work best
    sources: tuple[str, ...]
    note: str  # the comparability note for the closing slide
    extra_slides: tuple[Slide, ...] = ()

    def content(self) -> tuple[Slide, ...]:
        """The slides between title and key figures, long tables already split into continuations."""
        slides: list[Slide] = []
        for slide in (*self.charts, *self.extra_slides):
            if isinstance(slide, TableSlide) and len(slide.rows) > TABLE_ROWS_PER_SLIDE:
                for start in range(0, len(slide.rows), TABLE_ROWS_PER_SLIDE):
                    title = slide.title if start == 0 else slide.title + CONTINUED
                    rows = slide.rows[start : start + TABLE_ROWS_PER_SLIDE]
                    slides.append(replace(slide, title=title, rows=rows))
            else:
                slides.append(slide)
        return tuple(slides)

    def chart_slides(self) -> tuple[ChartExport, ...]:
        """The chart slides in deck order: one rendered image each."""
        return tuple(slide for slide in self.content() if isinstance(slide, ChartExport))

    def slide_count(self) -> int:
        """Slides in the deck, which is also the number of pages in the report."""
        return 1 + len(self.content()) + (1 if self.key_figures else 0) + 1

    def file_stem(self) -> str:
        """File name of deck and report without extension, e.g. 'vergleich-erfurt-magdeburg-2026-11-21'."""
        return file_stem(f"{self.title} {self.created.isoformat()}")


CHECKED_TITLE = "Geprüfte Werte"
CHECKED_COLUMNS = ("Stadt", "Bezeichnung", "Feld", "Geprüfter Wert", "Geprüft von", "am")


def checked_values_slide(frame: pl.DataFrame, *, subtitle: str, source: str) -> TableSlide | None:
    """The ✓ values with who checked them and when (queries.checked_values); None when there are none."""
    if frame.is_empty():
        return None
    rows = tuple(
        (
            city,
            title,
            ORIGIN_FIELD_LABELS.get(field, field),
            f"✓ {value}",
            checked_by,
            checked_on,
        )
        for city, title, field, value, checked_by, checked_on in frame.select(
            "city", "title", "field", "value", "checked_by", "checked_on"
        ).iter_rows()
    )
    return TableSlide(
        title=CHECKED_TITLE,
        columns=CHECKED_COLUMNS,
        rows=rows,
        subtitle=subtitle,
        source=source,
        widths=(1.0, 3.2, 1.4, 2.4, 1.6, 1.1),
    )


def chart_file_name(title: str, ext: str) -> str:
    """A safe file name saying what a chart shows: 'Kosten je Amt' → 'kosten-je-amt.png'."""
    extension = ext.lower().lstrip(".")
    if not extension.isalnum() or not extension.isascii():
        raise ValueError(f"not a file extension: {ext!r}")
    return f"{file_stem(title)}.{extension}"


def format_created(day: date) -> str:
    """A date the German way, e.g. '21. November 2026'."""
    return format_date(day, format="long", locale="de_DE")


def filter_line(filters_text: str) -> str:
    """The line printed under every chart and on the title page."""
    return f"Filter: {filters_text}"


def source_caption(source: str) -> str:
    """The caption under an exported chart: 'Quelle: …' exactly once, also when source has it.

    Not to be confused with ikz.sources.source_line, which composes a source from the cities.
    """
    return source if source.startswith("Quelle") else f"Quelle: {source}"


def value_size(value: str, large: int) -> int:
    """Font size for a key figure: numbers big, a category name small enough to fit its column."""
    # A number ("1.234", "36,4 %") fits at the large size; a word like "Erfahrungs- und
    # Wissensaustausch" would break mid-word there.
    return large if len(value) <= 10 else max(large * 2 // 5, 14)


# Chart images for slides and pages: about 2.1 : 1, between the slide body (2.4 : 1) and the A4
# page body (1.8 : 1), so the same PNG fills most of both. 1100 CSS pixels wide keeps the
# dashboard's 12–14 px chart fonts at about 10 pt on a slide; scale 3 makes it crisp when projected.
DECK_IMAGE_WIDTH = 1100
DECK_IMAGE_HEIGHT = 520
DECK_IMAGE_SCALE = 3
DECK_IMAGE_TOP_MARGIN = 40  # px; Plotly reserves 100 for the title, which the image leaves out


def deck_figure(chart: ChartExport) -> dict[str, Any]:
    """The chart's figure as a dict without the title and source the slide or page prints."""
    data = chart.figure.to_dict()
    layout = data.setdefault("layout", {})
    layout["title"] = {"text": ""}  # also drops the subtitle, which the slide prints too
    # A legend above the plot still gets its room: Plotly grows the margin for it automatically.
    margin = layout.setdefault("margin", {})
    margin["t"] = min(margin.get("t", DECK_IMAGE_TOP_MARGIN), DECK_IMAGE_TOP_MARGIN)
    # The slide or page prints the source line itself; ikz.charts.finish names that annotation.
    if "annotations" in layout:
        layout["annotations"] = [a for a in layout["annotations"] if a.get("name") != SOURCE_ANNOTATION]
    return data


def render_deck_images(
    spec: DeckSpec,
    renderer: ImageRenderer | None = None,
    *,
    on_done: Callable[[], None] | None = None,
) -> list[bytes]:
    """Render every chart slide of the spec once, as the PNGs that slides and PDF pages embed.

    on_done is called (on the renderer's thread) each time one chart is finished, for a progress bar.
    """
    return (renderer or get_renderer()).render_many(
        [deck_figure(chart) for chart in spec.chart_slides()],
        "png",
        DECK_IMAGE_WIDTH,
        DECK_IMAGE_HEIGHT,
        DECK_IMAGE_SCALE,
        on_done=on_done,
    )


def checked_images(
    spec: DeckSpec, images: Sequence[bytes] | None, renderer: ImageRenderer | None
) -> Sequence[bytes]:
    """The given chart images after checking there is one per chart slide, or freshly rendered ones."""
    if images is None:
        return render_deck_images(spec, renderer)
    expected = len(spec.chart_slides())
    if len(images) != expected:
        raise ValueError(f"{len(images)} images for {expected} charts")
    return images
