"""The PowerPoint deck, read back with python-pptx (chart images made with Pillow, no browser needed)."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from ikz.present.export import build_deck
from tests.export_samples import (
    CHANGES,
    EXTENDED,
    EXTENDED_TITLES,
    FILTERS,
    SLIDE_TITLES,
    SPEC,
    SUGGESTIONS,
    image_size,
    png,
    shape_texts,
)

# Distinct colours, so a test can tell which image landed on which slide.
COLORS = ("red", "green", "blue")


@pytest.fixture(scope="module")
def deck() -> Presentation:
    return Presentation(io.BytesIO(build_deck(SPEC, [png(color=c) for c in COLORS])))


@pytest.fixture(scope="module")
def extended() -> Presentation:
    return Presentation(io.BytesIO(build_deck(EXTENDED, [png()] * 3)))


def titles(prs: Presentation) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in prs.slides]


def pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_slides_in_order_16_to_9(deck: Presentation) -> None:
    assert titles(deck) == SLIDE_TITLES
    assert (deck.slide_width, deck.slide_height) == (12_192_000, 6_858_000)  # 13.333 × 7.5 in
    assert deck.core_properties.title == SPEC.title


def test_title_slide(deck: Presentation) -> None:
    assert shape_texts(deck.slides[0]) == {
        "Title 1": SPEC.title,
        "Subtitle 2": SPEC.subtitle,
        "Datum": "Stand: 21. November 2026",
        "Filterzeile": f"Filter: {FILTERS}",
    }


def test_chart_slides_carry_their_image_filter_and_source(deck: Presentation) -> None:
    slides = list(deck.slides)[1:4]
    for slide, chart, color in zip(slides, SPEC.charts, COLORS, strict=True):
        expected = {
            "Title 1": chart.title,
            "Filterzeile": f"Filter: {FILTERS}",
            "Quellenzeile": f"Quelle: {chart.source}",
        }
        if chart.subtitle:
            expected["Untertitel"] = chart.subtitle
        assert shape_texts(slide) == expected
        (picture,) = pictures(slide)
        assert picture.image.blob == png(color=color)  # each chart's own image, in order
        assert image_size(picture.image.blob) == (3300, 1560)
        # Fitted with the image's aspect ratio, filling the body's height or width.
        assert picture.width / picture.height == pytest.approx(3300 / 1560, rel=0.01)
        assert picture.height > 4_500_000 or picture.width > 11_000_000
        assert picture._element.nvPicPr.cNvPr.get("descr").startswith(chart.title)


def test_key_figures_and_closing(deck: Presentation) -> None:
    slides = list(deck.slides)
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


def test_every_shape_stays_on_the_slide(extended: Presentation) -> None:
    outside = [
        (index, shape.name)
        for index, slide in enumerate(extended.slides)
        for shape in slide.shapes
        if shape.left < 0
        or shape.top < 0
        or shape.left + shape.width > extended.slide_width
        or shape.top + shape.height > extended.slide_height
    ]
    assert outside == []


def test_extra_slides_follow_the_charts(extended: Presentation) -> None:
    assert titles(extended) == EXTENDED_TITLES
    text_slide = extended.slides[4]
    assert shape_texts(text_slide) == {
        "Title 1": SUGGESTIONS.title,
        "Untertitel": SUGGESTIONS.subtitle,
        "Text": "\n".join(SUGGESTIONS.paragraphs),
        "Quellenzeile": f"Quelle: {SUGGESTIONS.source}",
    }
    assert pictures(text_slide) == []


def test_a_long_table_continues_on_the_next_slide(extended: Presentation) -> None:
    cells = []
    for slide in list(extended.slides)[5:7]:
        (frame,) = [s for s in slide.shapes if s.has_table]
        rows = [[cell.text for cell in row.cells] for row in frame.table.rows]
        assert rows[0] == list(CHANGES.columns)  # every part repeats the header
        cells += rows[1:]
        assert shape_texts(slide)["Quellenzeile"] == f"Quelle: {CHANGES.source}"
    assert cells == [list(row) for row in CHANGES.rows]


def test_deck_needs_one_image_per_chart() -> None:
    with pytest.raises(ValueError, match="2 images for 3 charts"):
        build_deck(SPEC, [png(), png()])


def test_without_key_figures_that_slide_is_left_out() -> None:
    prs = Presentation(io.BytesIO(build_deck(replace(SPEC, key_figures=()), [png()] * 3)))
    assert titles(prs) == [title for title in SLIDE_TITLES if title != "Kennzahlen"]
