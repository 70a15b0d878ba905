"""Charts fitted to a slide (ikz.present.export.fit, DeckSpec.content/appendix), the PDF's glyphs and the
key figures' base. No browser: figures are measured as dicts, the PDF is read back with pypdf."""

from __future__ import annotations

import io
import logging
from dataclasses import replace

import polars as pl
import pytest
from pptx import Presentation

from ikz.present import charts
from ikz.present.charts import ChartText
from ikz.present.export import ChartExport, TableSlide, build_deck, build_pdf
from ikz.present.export.fit import category_rows, plain, rows_fit, split_rows
from ikz.present.export.spec import DECK_IMAGE_HEIGHT, against_base, deck_figure, fit_chart
from tests.export_samples import SPEC, page_texts, png

TEXT = ChartText("Kooperationen nach Kooperationsart", "Stadt: Erfurt", "Quelle: Test", "Eine Notiz.")
TYPES = [f"Kooperationsart {n:02d}" for n in range(1, 22)]


def type_chart() -> ChartExport:
    """21 categories, as the real type chart has: too many for one slide image."""
    frame = pl.DataFrame({"category": TYPES, "count": list(range(40, 19, -1)), "share": [0.04] * 21})
    fig = charts.bar_by_category(frame, TEXT)
    return ChartExport(TEXT.title, TEXT.subtitle, TEXT.source, fig)


def department_chart(two_line: bool) -> ChartExport:
    names = [
        f"Amt für Angelegenheiten Nummer {n} und Weiteres" if two_line else f"Amt {n}" for n in range(25)
    ]
    frame = pl.DataFrame(
        {"city": ["Erfurt"] * 25, "department": names, "form": ["Netzwerk / Erfahrungsaustausch"] * 25}
    ).with_columns(count=pl.Series(list(range(25, 0, -1))))
    fig = charts.departments_stacked(frame, TEXT, forms=("Netzwerk / Erfahrungsaustausch",))
    return ChartExport("Kooperationen nach Fachbereich/Amt", "Stadt: Erfurt", "Quelle: Test", fig)


def heatmap_chart() -> ChartExport:
    effects = tuple(f"Effektkategorie {e}" for e in "ABCDEFGHI")
    rows = [
        ("Erfurt", f"Amt {d:02d}", effect, (d * 7 + i * 3) % 9 + 1)
        for d in range(25)
        for i, effect in enumerate(effects)
    ]
    frame = pl.DataFrame(rows, schema=["city", "department", "effect", "count"], orient="row")
    fig = charts.effect_heatmap(frame, TEXT, effects=effects)
    return ChartExport("Fachbereich × Effektkategorie", "Stadt: Erfurt", "Quelle: Test", fig)


def test_a_long_bar_chart_splits_into_parts_that_name_every_category_once() -> None:
    chart = type_chart()
    figure = deck_figure(chart)
    assert not rows_fit(figure, DECK_IMAGE_HEIGHT)  # squeezed, Plotly would drop every second label
    slides, appendix = fit_chart(chart)
    assert appendix == []
    assert [s.title for s in slides] == [
        "Kooperationen nach Kooperationsart (1–11 von 21)",
        "Kooperationen nach Kooperationsart: weitere (12–21 von 21)",
    ]
    shown = [plain(c) for s in slides for c in category_rows(s.figure)]
    assert shown == TYPES  # every category, once, in the chart's order (largest first)
    for slide in slides:
        assert rows_fit(slide.figure, DECK_IMAGE_HEIGHT)
        yaxis = slide.figure["layout"]["yaxis"]
        assert (yaxis["tickmode"], yaxis["dtick"]) == ("linear", 1)  # every category a tick
        # Both parts draw to the same scale, and each bar keeps its own label, colour and pattern.
        assert slide.figure["layout"]["xaxis"]["range"] == figure["layout"]["xaxis"]["range"]
        (trace,) = slide.figure["data"]
        assert len(trace["text"]) == len(trace["y"]) == len(trace["marker"]["color"])
        assert len(trace["marker"]["pattern"]["shape"]) == len(trace["y"])


@pytest.mark.parametrize("two_line", [False, True])
def test_departments_fit_with_one_and_two_line_names(two_line: bool) -> None:
    slides, _ = fit_chart(department_chart(two_line))
    assert len(slides) >= (3 if two_line else 2)
    assert all(rows_fit(s.figure, DECK_IMAGE_HEIGHT) for s in slides)
    assert sum(len(category_rows(s.figure)) for s in slides) == 25


def test_a_chart_that_fits_stays_one_slide() -> None:
    frame = pl.DataFrame({"category": TYPES[:5], "count": [5, 4, 3, 2, 1], "share": [0.2] * 5})
    chart = ChartExport("Kurz", "", "Quelle", charts.bar_by_category(frame, TEXT))
    slides, _ = fit_chart(chart)
    assert [s.title for s in slides] == ["Kurz"]
    assert split_rows(deck_figure(chart), DECK_IMAGE_HEIGHT)[0].total == 5


def test_the_heatmap_is_condensed_for_its_slide_and_the_rest_goes_to_the_appendix() -> None:
    chart = heatmap_chart()
    slides, tables = fit_chart(chart)
    (slide,) = slides
    (heat,) = slide.figure["data"]
    assert len(heat["x"]) == 6 and 6 <= len(heat["y"]) <= 12
    assert heat["showscale"] is False and heat["textfont"]["size"] >= 16  # numbers, not a colour bar
    assert slide.figure["layout"]["xaxis"]["tickangle"] == 0
    assert "alle Werte im Anhang" in slide.subtitle
    (table,) = tables
    assert table.title == "Anhang: Fachbereich × Effektkategorie"
    assert table.columns[0] == "Fachbereich" and len(table.columns) == 10
    assert len(table.rows) == 25  # every department with every category
    source = chart.figure.data[0]
    assert [list(r[1:]) for r in table.rows] == [[str(v) for v in row] for row in source.z]


def test_deck_and_pdf_carry_split_slides_and_the_appendix() -> None:
    spec = replace(SPEC, charts=(type_chart(), heatmap_chart()))
    titles = [s.title for s in spec.content()]
    assert titles[:3] == [
        "Kooperationen nach Kooperationsart (1–11 von 21)",
        "Kooperationen nach Kooperationsart: weitere (12–21 von 21)",
        "Fachbereich × Effektkategorie",
    ]
    appendix = spec.appendix()
    assert all(isinstance(t, TableSlide) for t in appendix) and len(appendix) == 3  # 25 rows, 9 a slide
    images = [png()] * len(spec.chart_slides())
    deck = Presentation(io.BytesIO(build_deck(spec, images)))
    slide_titles = [s.shapes.title.text_frame.text for s in deck.slides]
    assert len(slide_titles) == spec.slide_count()
    assert slide_titles[-4] == "Quellen und Hinweise"
    assert slide_titles[-3:] == [
        "Anhang: Fachbereich × Effektkategorie",
        "Anhang: Fachbereich × Effektkategorie (Fortsetzung)",
        "Anhang: Fachbereich × Effektkategorie (Fortsetzung)",
    ]
    pages = page_texts(build_pdf(spec, images))
    assert len(pages) == spec.slide_count()
    assert pages[-3].startswith("Anhang: Fachbereich × Effektkategorie")


GLYPHS = "◆ abgeleitet ✓ geprüft – „Zitat“ 12 € … • · × → ≈ ß Ä"


def test_the_pdf_has_every_glyph_the_app_prints(caplog: pytest.LogCaptureFixture) -> None:
    spec = replace(SPEC, note=f"Herkunft: {GLYPHS}", charts=())
    with caplog.at_level(logging.WARNING):
        pdf = build_pdf(spec, [])
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    assert GLYPHS in page_texts(pdf)[-1]


def test_the_key_figures_base_is_the_chosen_citys_own() -> None:
    assert against_base(79, 79, ("Erfurt",), "Kooperationen") == "von 79 Kooperationen Erfurts"
    assert against_base(12, 79, ("Erfurt",), "Kooperationen") == "von 79 Kooperationen Erfurts (15,2\xa0%)"
    assert against_base(19, 19, ("Magdeburg",), "Fachbereichen/Ämtern") == (
        "von 19 Fachbereichen/Ämtern Magdeburgs"
    )
    assert against_base(79, 214, (), "Kooperationen") == "von 214 insgesamt (36,9\xa0%)"
    assert against_base(79, 214, ("Erfurt", "Magdeburg"), "Kooperationen") == "von 214 insgesamt (36,9\xa0%)"
