"""The PDF report, read back with pypdf (chart images made with Pillow, no browser needed)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from ikz.present.export import build_pdf
from ikz.present.export import pdf as pdf_module
from tests.export_samples import (
    CHANGES,
    EXTENDED,
    EXTENDED_TITLES,
    FILTERS,
    SPEC,
    SUGGESTIONS,
    page_texts,
    png,
)


@pytest.fixture(scope="module")
def report() -> bytes:
    return build_pdf(SPEC, [png()] * 3)


@pytest.fixture(scope="module")
def extended() -> bytes:
    return build_pdf(EXTENDED, [png()] * 3)


def test_a4_landscape_one_page_per_slide(report: bytes) -> None:
    reader = PdfReader(io.BytesIO(report))
    assert len(reader.pages) == SPEC.slide_count() == 6
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(842, abs=1)
        assert float(page.mediabox.height) == pytest.approx(595, abs=1)
    assert reader.metadata.title == SPEC.title


def test_texts(report: bytes) -> None:
    texts = page_texts(report)
    assert all(part in texts[0] for part in (SPEC.title, "Stand: 21. November 2026", FILTERS))
    for text, chart in zip(texts[1:4], SPEC.charts, strict=True):
        assert chart.title in text
        assert f"Filter: {FILTERS}" in text
        assert f"Quelle: {chart.source}" in text
    assert all(part in texts[4] for part in ("Kennzahlen", "214", "Anteil Zweckverbände"))
    assert all(part in texts[5] for part in (*SPEC.sources, SPEC.note))


def test_footer_numbers_the_pages_with_the_total(report: bytes) -> None:
    """fpdf2's footer() and {nb} alias: every page says „Seite n von 6“, no alias left over."""
    texts = page_texts(report)
    assert [f"Seite {n} von 6" in text for n, text in enumerate(texts, start=1)] == [True] * 6
    assert not any("{nb}" in text for text in texts)
    assert all(f"{SPEC.title} · 21. November 2026" in text for text in texts)


def test_one_image_per_chart_page(report: bytes) -> None:
    reader = PdfReader(io.BytesIO(report))
    assert [len(page.images) for page in reader.pages] == [0, 1, 1, 1, 0, 0]


def test_extra_pages_match_the_deck(extended: bytes) -> None:
    texts = page_texts(extended)
    assert len(texts) == EXTENDED.slide_count() == len(EXTENDED_TITLES)
    assert [title.split(" (")[0] in text for title, text in zip(EXTENDED_TITLES, texts, strict=True)] == [
        True
    ] * len(texts)
    assert all(paragraph in texts[4] for paragraph in SUGGESTIONS.paragraphs)
    table_text = texts[5] + texts[6]
    assert "Änderungen seit der letzten Ausgabe (Fortsetzung)" in texts[6]
    # Every row once, in order, and the header on both pages.
    positions = [table_text.index(f"Kooperation Nr. {n} ") for n in range(1, 16)]
    assert positions == sorted(positions)
    assert all("Stadt Eintrag Änderung" in text for text in texts[5:7])
    assert f"Quelle: {CHANGES.source}" in texts[5]


def test_without_ttf_font_german_letters_survive(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a laptop without any of the TTF fonts, Helvetica in Windows-1252 still has ä, ß, „“."""
    monkeypatch.setattr(pdf_module, "PDF_FONT_CANDIDATES", ())
    texts = page_texts(build_pdf(SPEC, [png()] * 3))
    assert FILTERS in texts[1]
    assert SPEC.note in texts[5]
    assert "Seite 6 von 6" in texts[5]


def test_report_needs_one_image_per_chart() -> None:
    with pytest.raises(ValueError, match="4 images for 3 charts"):
        build_pdf(SPEC, [png()] * 4)
