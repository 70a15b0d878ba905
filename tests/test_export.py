"""Export layer: real renders in headless Chromium, decks read back with python-pptx and pypdf."""

from __future__ import annotations

import io
import os
import signal
import struct
import threading
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import psutil
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from ikz import export, labels
from ikz.charts import ChartText, finish
from ikz.export import (
    NO_BROWSER_MESSAGE,
    ChartExport,
    DeckSpec,
    ExportUnavailable,
    ImageRenderer,
    KeyFigure,
    build_deck,
    build_exports,
    build_pdf,
    chart_file_name,
    chromium_available,
    png_size,
)

needs_chromium = pytest.mark.skipif(
    not Path("/usr/bin/chromium").is_file(), reason="needs /usr/bin/chromium for real rendering"
)

FILTERS = "Städte: Erfurt, Magdeburg; Kooperationsform: „Zweckverband“, Arbeitsgemeinschaft"
SOURCE = "Stadt Erfurt: Übersicht 2023; Landeshauptstadt Magdeburg: Bericht 2010"


def bar_figure(title: str = "Kooperationen nach Form") -> go.Figure:
    figure = go.Figure(
        [
            go.Bar(name="Erfurt", x=["Zweckverband", "Arbeitsgemeinschaft"], y=[12, 30]),
            go.Bar(name="Magdeburg", x=["Zweckverband", "Arbeitsgemeinschaft"], y=[8, 21]),
        ],
        layout={"title": {"text": title}, "barmode": "group"},
    )
    # Finished as on the dashboard: title, subtitle, a note and the source under the plot.
    return finish(figure, ChartText(title, "Alle Kooperationen", SOURCE, "Mehrfachnennungen möglich."))


def heatmap_figure() -> go.Figure:
    return go.Figure(
        go.Heatmap(z=[[1, 4, 2], [3, 0, 5]], x=["Bildung", "Kultur", "Verkehr"], y=["EF", "MD"]),
        layout={"title": {"text": "Form × Aufgabenbereich"}},
    )


def treemap_figure() -> go.Figure:
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


def chromium_children() -> list[psutil.Process]:
    """Chromium processes started by this test process (kaleido runs it under a wrapper)."""
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if "chrom" in child.name() and child.status() != psutil.STATUS_ZOMBIE
    ]


@pytest.fixture(scope="module")
def renderer() -> Iterator[ImageRenderer]:
    """One browser for the whole module; afterwards no Chromium of ours may be left running."""
    with ImageRenderer() as shared:
        yield shared
    assert not shared.is_running
    assert chromium_children() == []


@pytest.fixture(scope="module")
def exports(renderer: ImageRenderer) -> tuple[bytes, bytes]:
    """The PowerPoint and PDF of SPEC, each chart rendered once."""
    return build_exports(SPEC, renderer)


def shape_texts(slide) -> dict[str, str]:
    """Text of every shape with text on a slide, by shape name."""
    return {s.name: s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text}


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text with whitespace collapsed (long lines wrap)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def tiny_png(width: int = 4, height: int = 2) -> bytes:
    """A valid white RGB PNG, for tests of the layout without a browser."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff" * 3 * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# --- Rendering -----------------------------------------------------------------------------------


@needs_chromium
def test_png_is_full_hd(renderer: ImageRenderer) -> None:
    png = renderer.render(bar_figure())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_size(png) == (1920, 1080)


@needs_chromium
def test_png_size_and_scale(renderer: ImageRenderer) -> None:
    assert png_size(renderer.render(bar_figure(), width=400, height=300, scale=2)) == (800, 600)


@needs_chromium
def test_svg(renderer: ImageRenderer) -> None:
    svg = renderer.render(bar_figure(), fmt="svg")
    assert svg.lstrip().startswith((b"<svg", b"<?xml"))
    assert b"Kooperationen nach Form" in svg


@needs_chromium
def test_render_many_keeps_order(renderer: ImageRenderer) -> None:
    titles = [f"Diagramm Nummer {n}" for n in range(5)]
    svgs = renderer.render_many([bar_figure(title) for title in titles], fmt="svg")
    assert [title.encode() in svg for title, svg in zip(titles, svgs, strict=True)] == [True] * 5


@needs_chromium
def test_concurrent_callers_get_their_own_image(renderer: ImageRenderer) -> None:
    """Several sessions exporting at once share the browser and never swap results."""
    results: dict[int, bytes] = {}

    def export_in_session(n: int) -> None:
        results[n] = renderer.render(bar_figure(f"Sitzung {n} exportiert"), fmt="svg")

    threads = [threading.Thread(target=export_in_session, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert {n: f"Sitzung {n} exportiert".encode() in svg for n, svg in results.items()} == {
        n: True for n in range(4)
    }


@needs_chromium
def test_browser_restarts_after_crash(renderer: ImageRenderer) -> None:
    renderer.start()
    wrapper = psutil.Process(renderer._kaleido.subprocess.pid)  # the process kaleido started
    browser = next(child for child in wrapper.children() if "chrom" in child.name())
    os.kill(browser.pid, signal.SIGKILL)
    browser.wait(timeout=10)
    assert png_size(renderer.render(bar_figure(), width=200, height=100)) == (200, 100)
    assert renderer.is_running


def test_render_many_of_nothing_starts_no_browser() -> None:
    renderer = ImageRenderer(browser_path="/nonexistent/chromium")
    assert renderer.render_many([]) == []
    assert not renderer.is_running


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        ImageRenderer().render(bar_figure(), fmt="gif")  # type: ignore[arg-type]


def test_export_unavailable_without_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(export.BROWSER_PATH_ENV, str(tmp_path / "kein-chromium"))
    assert not chromium_available()
    with pytest.raises(ExportUnavailable) as raised:
        ImageRenderer().render(bar_figure())
    assert str(raised.value) == NO_BROWSER_MESSAGE
    with pytest.raises(ExportUnavailable):
        build_exports(SPEC, ImageRenderer())
    with pytest.raises(ExportUnavailable):
        ImageRenderer(browser_path=tmp_path / "auch-nicht-da").render(bar_figure())


def test_no_browser_message_says_how_to_install() -> None:
    assert "apt-get install chromium" in NO_BROWSER_MESSAGE
    assert "Chromium" in NO_BROWSER_MESSAGE


# --- PowerPoint ----------------------------------------------------------------------------------


@needs_chromium
def test_deck_slides_in_order(exports: tuple[bytes, bytes]) -> None:
    prs = Presentation(io.BytesIO(exports[0]))
    assert [slide.shapes.title.text_frame.text for slide in prs.slides] == SLIDE_TITLES
    assert (prs.slide_width, prs.slide_height) == (12_192_000, 6_858_000)  # 13.333 × 7.5 in
    assert prs.slide_width * 9 == prs.slide_height * 16


@needs_chromium
def test_deck_title_slide(exports: tuple[bytes, bytes]) -> None:
    slide = Presentation(io.BytesIO(exports[0])).slides[0]
    assert shape_texts(slide) == {
        "Title 1": SPEC.title,
        "Subtitle 2": SPEC.subtitle,
        "Datum": "Stand: 21. November 2026",
        "Filterzeile": f"Filter: {FILTERS}",
    }


@needs_chromium
def test_deck_chart_slides(exports: tuple[bytes, bytes]) -> None:
    slides = list(Presentation(io.BytesIO(exports[0])).slides)[1:4]
    for slide, chart in zip(slides, SPEC.charts, strict=True):
        expected = {
            "Title 1": chart.title,
            "Filterzeile": f"Filter: {FILTERS}",
            "Quellenzeile": f"Quelle: {chart.source}",
        }
        if chart.subtitle:
            expected["Untertitel"] = chart.subtitle
        assert shape_texts(slide) == expected
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0].image.size == (3300, 1560)  # 1100 × 520 CSS px at scale 3
        # The picture fills most of the body: the full content height, or its full width.
        assert pictures[0].height > 4_500_000 or pictures[0].width > 11_000_000


@needs_chromium
def test_deck_key_figures_and_closing(exports: tuple[bytes, bytes]) -> None:
    slides = list(Presentation(io.BytesIO(exports[0])).slides)
    assert shape_texts(slides[4]) == {
        "Title 1": "Kennzahlen",
        "Kennzahl 1": "214\nKooperationen Erfurt\nStand 2023",
        "Kennzahl 2": "187\nKooperationen Magdeburg\nStand 2010",
        "Kennzahl 3": "12,5 %\nAnteil Zweckverbände",
    }
    assert shape_texts(slides[5]) == {
        "Title 1": "Quellen und Hinweise",
        "Quellen und Hinweis": "\n".join(
            [
                "Quellen",
                *(f"• {source}" for source in SPEC.sources),
                "Hinweis zur Vergleichbarkeit",
                SPEC.note,
            ]
        ),
    }


@needs_chromium
def test_deck_shapes_stay_on_the_slide(exports: tuple[bytes, bytes]) -> None:
    prs = Presentation(io.BytesIO(exports[0]))
    outside = [
        (index, shape.name)
        for index, slide in enumerate(prs.slides)
        for shape in slide.shapes
        if shape.left < 0
        or shape.top < 0
        or shape.left + shape.width > prs.slide_width
        or shape.top + shape.height > prs.slide_height
    ]
    assert outside == []


def test_deck_needs_one_image_per_chart() -> None:
    with pytest.raises(ValueError, match="2 images for 3 charts"):
        build_deck(SPEC, [tiny_png(), tiny_png()])


def test_deck_without_key_figures_leaves_that_slide_out() -> None:
    spec = DeckSpec(**{**SPEC.__dict__, "key_figures": ()})
    prs = Presentation(io.BytesIO(build_deck(spec, [tiny_png()] * 3)))
    titles = [slide.shapes.title.text_frame.text for slide in prs.slides]
    assert titles == [title for title in SLIDE_TITLES if title != "Kennzahlen"]


# --- PDF -----------------------------------------------------------------------------------------


@needs_chromium
def test_pdf_pages(exports: tuple[bytes, bytes]) -> None:
    reader = PdfReader(io.BytesIO(exports[1]))
    assert len(reader.pages) == 6
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(842, abs=1)
        assert float(page.mediabox.height) == pytest.approx(595, abs=1)


@needs_chromium
def test_pdf_texts(exports: tuple[bytes, bytes]) -> None:
    texts = page_texts(exports[1])
    assert all(part in texts[0] for part in (SPEC.title, "Stand: 21. November 2026", FILTERS))
    for text, chart in zip(texts[1:4], SPEC.charts, strict=True):
        assert chart.title in text
        assert f"Filter: {FILTERS}" in text
        assert f"Quelle: {chart.source}" in text
    assert all(part in texts[4] for part in ("Kennzahlen", "214", "Anteil Zweckverbände"))
    assert all(part in texts[5] for part in (*SPEC.sources, SPEC.note))
    assert [f"Seite {n} von 6" in text for n, text in enumerate(texts, start=1)] == [True] * 6


@needs_chromium
def test_pdf_has_one_image_per_chart_page(exports: tuple[bytes, bytes]) -> None:
    reader = PdfReader(io.BytesIO(exports[1]))
    assert [len(page.images) for page in reader.pages] == [0, 1, 1, 1, 0, 0]


def test_pdf_without_ttf_font_keeps_german_letters(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a laptop without any of the TTF fonts, Helvetica in Windows-1252 still has ä, ß, „“."""
    monkeypatch.setattr(export, "PDF_FONT_CANDIDATES", ())
    texts = page_texts(build_pdf(SPEC, [tiny_png()] * 3))
    assert FILTERS in texts[1]
    assert SPEC.note in texts[5]


# --- File names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "ext", "expected"),
    [
        ("Kooperationen nach Kooperationsart", "png", "kooperationen-nach-kooperationsart.png"),
        ("Größe der Zweckverbände Übersicht", "svg", "groesse-der-zweckverbaende-uebersicht.svg"),
        ("ÄÖÜ äöü ß", ".PNG", "aeoeue-aeoeue-ss.png"),
        ("Erfurt/Magdeburg: Anteil (%) – 2010", "pptx", "erfurt-magdeburg-anteil-2010.pptx"),
        ("../../etc/passwd", "pdf", "etc-passwd.pdf"),
        ("Café „Zusammenarbeit“", "png", "cafe-zusammenarbeit.png"),
        ("", "png", "diagramm.png"),
        ("„“ – / ?", "png", "diagramm.png"),
    ],
)
def test_chart_file_name(title: str, ext: str, expected: str) -> None:
    assert chart_file_name(title, ext) == expected


def test_chart_file_name_is_short_and_ends_on_a_word() -> None:
    name = chart_file_name("Kooperationen der Stadtverwaltung " * 10, "png")
    assert len(name) <= labels.MAX_FILE_STEM_LENGTH + len(".png")
    assert name.endswith(("-stadtverwaltung.png", "-der.png", "-kooperationen.png"))


def test_chart_file_name_refuses_a_bad_extension() -> None:
    with pytest.raises(ValueError):
        chart_file_name("Titel", "png/../x")


def test_chart_export_file_name_prefers_its_stem() -> None:
    chart = ChartExport("Kooperationen nach Form", "", SOURCE, bar_figure(), "formen")
    assert chart.file_name("png") == "formen.png"
    assert SPEC.charts[0].file_name("png") == "kooperationen-nach-form.png"


def test_deck_image_drops_title_and_source_but_keeps_the_note() -> None:
    chart = ChartExport("Titel", "Alle", SOURCE, bar_figure())
    layout = export._deck_figure(chart)["layout"]
    assert layout["title"]["text"] == ""
    texts = [a["text"] for a in layout["annotations"]]
    assert texts == ["Mehrfachnennungen möglich."]


def test_source_line_says_quelle_once() -> None:
    assert export.source_line("Landeshauptstadt Erfurt") == "Quelle: Landeshauptstadt Erfurt"
    assert (
        export.source_line("Quelle: LH Erfurt; eigene Auswertung") == "Quelle: LH Erfurt; eigene Auswertung"
    )


def test_long_key_figure_values_get_a_smaller_font() -> None:
    assert export.value_size("1.234", 54) == 54
    assert export.value_size("36,4 %", 54) == 54
    assert export.value_size("Erfahrungs- und Wissensaustausch", 54) < 30


def test_records_csv_is_for_german_excel() -> None:
    frame = pl.DataFrame(
        {"city": ["Erfurt"], "title": ["Zweckverband „Nord“; Süd"], "source_lines": ["Z. 2–3"]}
    )
    data = export.records_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig").splitlines()
    assert text == ["Stadt;Bezeichnung / Thema;Zeilen", 'Erfurt;"Zweckverband „Nord“; Süd";Z. 2–3']


def test_records_xlsx_has_german_headers() -> None:
    import openpyxl

    frame = pl.DataFrame({"city": ["Erfurt", "Magdeburg"], "title": ["A", "B"]})
    sheet = openpyxl.load_workbook(io.BytesIO(export.records_xlsx(frame)))["Kooperationen"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Stadt", "Bezeichnung / Thema"],
        ["Erfurt", "A"],
        ["Magdeburg", "B"],
    ]
