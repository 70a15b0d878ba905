"""Sample figures, a sample deck spec and small helpers shared by the export tests."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import psutil
import pytest
from PIL import Image
from pypdf import PdfReader

from ikz.present.charts import ChartText, finish
from ikz.present.export import ChartExport, DeckSpec, KeyFigure, TableSlide, TextSlide

needs_chromium = pytest.mark.skipif(
    not Path("/usr/bin/chromium").is_file(), reason="needs /usr/bin/chromium for real rendering"
)

FILTERS = "Städte: Erfurt, Magdeburg; Kooperationsform: „Zweckverband“, Arbeitsgemeinschaft"
SOURCE = "Stadt Erfurt: Übersicht 2023; Landeshauptstadt Magdeburg: Bericht 2010"


def bar_figure(title: str = "Kooperationen nach Form") -> go.Figure:
    """A grouped bar chart finished as on the dashboard: title, subtitle, a note and the source."""
    spec = {
        "data": [
            {"type": "bar", "name": "Erfurt", "x": ["Zweckverband", "Arbeitsgemeinschaft"], "y": [12, 30]},
            {"type": "bar", "name": "Magdeburg", "x": ["Zweckverband", "Arbeitsgemeinschaft"], "y": [8, 21]},
        ],
        "layout": {"title": {"text": title}, "barmode": "group"},
    }
    return finish(spec, ChartText(title, "Alle Kooperationen", SOURCE, "Mehrfachnennungen möglich."))


def heatmap_figure() -> go.Figure:
    """A small heatmap."""
    return go.Figure(
        go.Heatmap(z=[[1, 4, 2], [3, 0, 5]], x=["Bildung", "Kultur", "Verkehr"], y=["EF", "MD"]),
        layout={"title": {"text": "Form × Aufgabenbereich"}},
    )


def treemap_figure() -> go.Figure:
    """A small treemap."""
    return go.Figure(
        go.Treemap(labels=["Soziales", "Jugend", "Gesundheit"], parents=["", "Soziales", "Soziales"]),
        layout={"title": {"text": "Aufgabenbereiche"}},
    )


SPEC = DeckSpec(
    title="Interkommunale Zusammenarbeit Erfurt und Magdeburg",
    subtitle="Auswertung für den Stadtrat",
    created=date(2026, 11, 21),
    filters_text=FILTERS,
    charts=(
        ChartExport("Kooperationen nach Form", "Anzahl je Stadt", SOURCE, bar_figure()),
        ChartExport("Form × Aufgabenbereich", "Anzahl der Kooperationen", SOURCE, heatmap_figure()),
        ChartExport("Aufgabenbereiche", "", "Stadt Erfurt 2023", treemap_figure()),
    ),
    key_figures=(
        KeyFigure("Kooperationen Erfurt", "214", "Stand 2023"),
        KeyFigure("Kooperationen Magdeburg", "187", "Stand 2010"),
        KeyFigure("Anteil Zweckverbände", "12,5 %", ""),
    ),
    sources=("Stadt Erfurt: Übersicht der Kooperationen (2023)", "Magdeburg: Bericht (2010)"),
    note="Die Berichte zählen „Kooperation“ verschieden; Zahlen sind nur grob vergleichbar.",
)
SLIDE_TITLES = [
    SPEC.title,
    "Kooperationen nach Form",
    "Form × Aufgabenbereich",
    "Aufgabenbereiche",
    "Kennzahlen",
    "Quellen und Hinweise",
]

# Slides a later feature could add: a text slide and a table longer than one slide.
SUGGESTIONS = TextSlide(
    "Anregungen aus Magdeburg",
    ("• Winterdienst gemeinsam mit dem Umland", "• Kennzahlenvergleich der Bürgerämter"),
    subtitle="Themen, die nur Magdeburg nennt",
    source="Landeshauptstadt Magdeburg 2010",
)
CHANGES = TableSlide(
    "Änderungen seit der letzten Ausgabe",
    ("Stadt", "Eintrag", "Änderung"),
    tuple(("Erfurt", f"Kooperation Nr. {n}", "neu") for n in range(1, 16)),
    source="Pflege der Liste",
    widths=(1, 3, 1),
)
EXTENDED = DeckSpec(**{**SPEC.__dict__, "extra_slides": (SUGGESTIONS, CHANGES)})
EXTENDED_TITLES = [
    *SLIDE_TITLES[:4],
    "Anregungen aus Magdeburg",
    "Änderungen seit der letzten Ausgabe",
    "Änderungen seit der letzten Ausgabe (Fortsetzung)",
    *SLIDE_TITLES[4:],
]


def png(width: int = 3300, height: int = 1560, color: str = "white") -> bytes:
    """A plain PNG of the deck images' size, for layout tests without a browser."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG (or any image Pillow reads)."""
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text with whitespace collapsed (long lines wrap)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def shape_texts(slide) -> dict[str, str]:
    """Text of every shape with text on a slide, by shape name."""
    return {s.name: s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text}


def chromium_children() -> list[psutil.Process]:
    """Chromium processes started by this test process (kaleido runs it under a wrapper)."""
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if "chrom" in child.name() and child.status() != psutil.STATUS_ZOMBIE
    ]
