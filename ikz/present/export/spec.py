"""What a slide deck or PDF report shows: the spec a page hands over, its slides, and the shared wording.

The deck (ikz.present.export.deck) and the report (ikz.present.export.pdf) lay out the same spec in
the same order, so a deck has exactly as many slides as the report has pages.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import Any

import polars as pl
from babel.dates import format_date
from plotly.graph_objects import Figure

from ikz.core.numbers import fmt_int, fmt_pct
from ikz.present.charts import CATEGORY_TICKS, KEY_ANNOTATION, NOTE_ANNOTATION, SOURCE_ANNOTATION
from ikz.present.export.fit import (
    condense_heatmap,
    fit_legend,
    is_category_rows,
    is_heatmap,
    rewrap_rows,
    split_rows,
)
from ikz.present.export.render import ImageRenderer, get_renderer
from ikz.present.labels import file_stem
from ikz.present.theme import MUTED_COLOR, TEXT_COLOR
from ikz.rules.cities import genitive
from ikz.rules.words import CHECKED, ORIGIN_FIELD_LABELS

# Fonts and colours of slides and pages. The font is Arial rather than the dashboard's web font
# because a .pptx only names its fonts: PowerPoint on the council's Windows laptops has Arial,
# LibreOffice maps it to the metric-compatible Liberation Sans, whereas a missing font is replaced
# unpredictably and text boxes then overflow. The PDF embeds its font file instead
# (ikz.present.export.pdf.PDF_FONT_CANDIDATES), because a PDF must carry its glyphs.
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
APPENDIX = "Anhang: "
ZERO = "–"  # an empty cell of an appendix table (the heatmap shows nothing there either)
# A table slide holds this many rows; longer tables continue on further slides (and pages), so
# 11 pt rows never run off a slide.
TABLE_ROWS_PER_SLIDE = 12


@dataclass(frozen=True)
class ChartExport:
    """A chart slide: the figure and the words printed around it."""

    title: str  # the slide/page title; the image itself is rendered without the figure's title
    subtitle: str  # one line under the title, e.g. what is counted; may be ""
    source: str  # printed as "Quelle: …"
    figure: Figure | dict  # a dict once ikz.present.export.fit has cut it to a slide

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
    rows_per_slide: int = TABLE_ROWS_PER_SLIDE  # fewer where the header takes several lines

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
        """The slides between title and key figures: charts fitted to a slide (a long one split over
        several, a large heatmap condensed), long tables split into continuations."""
        return self._laid_out[0]

    def appendix(self) -> tuple[TableSlide, ...]:
        """Slides after the closing slide: the full numbers of charts condensed for their slide."""
        return self._laid_out[1]

    @cached_property
    def _laid_out(self) -> tuple[tuple[Slide, ...], tuple[TableSlide, ...]]:
        # Cached: deck, report and the slide count each ask for it, and fitting reads every figure.
        slides: list[Slide] = []
        appendix: list[TableSlide] = []
        for slide in (*self.charts, *self.extra_slides):
            if isinstance(slide, ChartExport):
                fitted, tables = fit_chart(slide)
                slides += fitted
                added = [t for table in tables for t in _continued(table) if isinstance(t, TableSlide)]
                appendix += added
            else:
                slides += _continued(slide)
        return tuple(slides), tuple(appendix)

    def chart_slides(self) -> tuple[ChartExport, ...]:
        """The chart slides in deck order: one rendered image each."""
        return tuple(slide for slide in self.content() if isinstance(slide, ChartExport))

    def slide_count(self) -> int:
        """Slides in the deck, which is also the number of pages in the report."""
        content, appendix = len(self.content()), len(self.appendix())
        return 1 + content + (1 if self.key_figures else 0) + 1 + appendix

    def file_stem(self) -> str:
        """File name of deck and report without extension, e.g. 'vergleich-erfurt-magdeburg-2026-11-21'."""
        return deck_file_stem(self.title, self.created)


def deck_file_stem(title: str, created: date) -> str:
    """File name of a deck and report without extension: its title and the day it was made."""
    return file_stem(f"{title} {created.isoformat()}")


def _continued(slide: Slide) -> list[Slide]:
    """A table longer than a slide as its continuations; any other slide as it is."""
    if not isinstance(slide, TableSlide) or len(slide.rows) <= slide.rows_per_slide:
        return [slide]
    parts: list[Slide] = []
    for start in range(0, len(slide.rows), slide.rows_per_slide):
        title = slide.title if start == 0 else slide.title + CONTINUED
        rows = slide.rows[start : start + slide.rows_per_slide]
        parts.append(replace(slide, title=title, rows=rows))
    return parts


def _count(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".") if value else ZERO


def fit_chart(chart: ChartExport) -> tuple[list[ChartExport], list[TableSlide]]:
    """The chart's slides at the deck's image size, and appendix tables for what they leave out.

    A bar chart whose rows do not all fit is cut into parts: the first keeps the title with
    „(1–11 von 21)“, the others are named „…: weitere (12–21 von 21)“. A heatmap shows its largest
    rows and columns; the full table follows the closing slide.
    """
    figure = rewrap_rows(deck_figure(chart))
    if is_heatmap(figure):
        condensed, matrix, omitted = condense_heatmap(figure, DECK_IMAGE_HEIGHT)
        if not omitted:
            return [replace(chart, figure=condensed)], []
        shown = len(condensed["data"][0]["y"]), len(condensed["data"][0]["x"])
        row_name, _, column_name = chart.title.partition(" × ")
        subtitle = (
            f"{shown[0]} von {len(matrix.rows)} Zeilen und {shown[1]} von {len(matrix.columns)} Spalten "
            "mit den meisten Nennungen; alle Werte im Anhang"
        )
        table = TableSlide(
            title=f"{APPENDIX}{chart.title}",
            columns=(row_name if column_name else "", *matrix.columns),
            rows=tuple(
                (name, *(_count(v) for v in values))
                for name, values in zip(matrix.rows, matrix.values, strict=True)
            ),
            subtitle=f"Alle Werte des Diagramms „{chart.title}“. {chart.subtitle}".strip(),
            source=chart.source,
            widths=(3.0, *(1.0,) * len(matrix.columns)),
            # Category names as column heads take up to four lines.
            rows_per_slide=TABLE_ROWS_PER_SLIDE - 3,
        )
        return [replace(chart, subtitle=_joined(subtitle, chart.subtitle), figure=condensed)], [table]
    figure = fit_legend(figure, DECK_IMAGE_HEIGHT)
    parts = split_rows(figure, DECK_IMAGE_HEIGHT)
    if len(parts) == 1:
        return [replace(chart, figure=parts[0].figure)], []
    slides = []
    for index, part in enumerate(parts):
        span = f"{part.first}–{part.last} von {part.total}"
        title = f"{chart.title} ({span})" if index == 0 else f"{chart.title}: weitere ({span})"
        slides.append(replace(chart, title=title, figure=part.figure))
    return slides, []


def _joined(first: str, second: str) -> str:
    return "; ".join(p for p in (first, second) if p)


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
            f"{CHECKED.mark} {value}",
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

    Not to be confused with ikz.rules.sources.source_line, which composes a source from the cities.
    """
    return source if source.startswith("Quelle") else f"Quelle: {source}"


def against_base(part: int, whole: int, cities: Sequence[str], noun: str) -> str:
    """A key figure's note naming its base: the one chosen city's own total („von 79 Kooperationen
    Erfurts“), else all records („von 214 insgesamt (36,9 %)“). Measured against both cities, a
    filtered Erfurt looked like a third of something it is all of."""
    share = f" ({fmt_pct(part / whole)})" if whole and part != whole else ""
    if len(cities) == 1:
        return f"von {fmt_int(whole)} {noun} {genitive(cities[0])}{share}"
    return f"von {fmt_int(whole)} insgesamt{share}"


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
    """The chart's figure as a dict without the title and source the slide or page prints, every
    category of a bar chart a tick. Applied twice, it changes nothing more."""
    figure = chart.figure
    # Always a copy of its own: the dict may be the drawn chart's, and to_dict may share values.
    data = copy.deepcopy(figure if isinstance(figure, dict) else figure.to_dict())
    layout = data.setdefault("layout", {})
    layout["title"] = {"text": ""}  # also drops the subtitle, which the slide prints too
    annotations = layout.get("annotations", [])
    by_name = {a.get("name"): a for a in annotations}
    # A legend above the plot still gets its room: Plotly grows the margin for it automatically;
    # the key line of ikz.present.charts (legend="top") is an annotation, so it gets its lines here.
    top = DECK_IMAGE_TOP_MARGIN
    if KEY_ANNOTATION in by_name:
        key = by_name[KEY_ANNOTATION]
        top += round(key["font"]["size"] * 1.4 * (key["text"].count("<br>") + 1))
    margin = layout.setdefault("margin", {})
    margin["t"] = min(margin.get("t", top), top)
    # The slide or page prints the source line itself; ikz.present.charts.finish names that annotation.
    # Its room at the bottom goes to the plot: the note (if any) is the last line under it.
    source = by_name.get(SOURCE_ANNOTATION)
    if source is not None:
        note = by_name.get(NOTE_ANNOTATION)
        if note is not None:
            lines = note["text"].count("<br>") + 1
            margin["b"] = -note["yshift"] + round(note["font"]["size"] * 1.35) * lines + 8
        else:
            margin["b"] = -source["yshift"] + 8
        layout["annotations"] = [a for a in annotations if a.get("name") != SOURCE_ANNOTATION]
    if is_category_rows(data):
        layout["yaxis"] = {**layout.get("yaxis", {}), **CATEGORY_TICKS}
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
