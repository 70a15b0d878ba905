"""What a deck or report shows: slide order, table continuations, wording and file names."""

from __future__ import annotations

import json
from dataclasses import replace

import plotly.graph_objects as go
import pytest

from ikz.present import labels
from ikz.present.export import ChartExport, TableSlide, chart_file_name
from ikz.present.export.spec import (
    TABLE_ROWS_PER_SLIDE,
    deck_figure,
    filter_line,
    format_created,
    source_caption,
    value_size,
)
from ikz.rules.sources import source_line
from tests.export_samples import (
    CHANGES,
    EXTENDED,
    EXTENDED_TITLES,
    SLIDE_TITLES,
    SOURCE,
    SPEC,
    bar_figure,
    treemap_figure,
)


def test_content_is_charts_then_extra_slides_with_tables_split() -> None:
    titles = [slide.title for slide in EXTENDED.content()]
    assert titles == EXTENDED_TITLES[1:-2]
    first, second = EXTENDED.content()[-2:]
    assert len(CHANGES.rows) == 15 > TABLE_ROWS_PER_SLIDE
    assert (first.rows, second.rows) == (
        CHANGES.rows[:TABLE_ROWS_PER_SLIDE],
        CHANGES.rows[TABLE_ROWS_PER_SLIDE:],
    )


def test_slide_count_counts_title_content_key_figures_and_closing() -> None:
    assert SPEC.slide_count() == len(SLIDE_TITLES)
    assert EXTENDED.slide_count() == len(EXTENDED_TITLES)
    assert replace(SPEC, key_figures=()).slide_count() == len(SLIDE_TITLES) - 1


def test_a_map_or_treemap_takes_one_slide() -> None:
    """The map and the treemap are never split nor condensed."""
    scatter = go.Figure(go.Scatter(x=[1, 2, None, 3], y=[1, 2, None, 3], mode="lines"))
    for figure in (scatter, scatter.to_dict(), treemap_figure(), treemap_figure().to_dict()):
        spec = replace(SPEC, charts=(ChartExport(title="Karte", subtitle="", source=SOURCE, figure=figure),))
        assert len(spec.chart_slides()) == 1 and not spec.appendix()
        assert spec.slide_count() == 1 + 1 + 1 + 1  # title, the chart, key figures, closing


def test_chart_slides_include_a_chart_a_feature_adds() -> None:
    extra = ChartExport("Karte", "", SOURCE, bar_figure("Karte"))
    spec = replace(SPEC, extra_slides=(extra,))
    # Each chart slide carries its figure fitted to the slide image (ikz.present.export.fit), in page order.
    assert [c.title for c in spec.chart_slides()] == [*(c.title for c in SPEC.charts), "Karte"]
    assert all(isinstance(c.figure, dict) for c in spec.chart_slides())


def test_table_rows_must_match_the_columns() -> None:
    with pytest.raises(ValueError, match="1 rows do not have 2 cells"):
        TableSlide("Tabelle", ("A", "B"), (("1", "2"), ("nur eine",)))
    with pytest.raises(ValueError, match="3 widths for 2 columns"):
        TableSlide("Tabelle", ("A", "B"), (), widths=(1, 2, 3))


def test_column_shares_follow_the_widths() -> None:
    assert CHANGES.column_shares() == (0.2, 0.6, 0.2)
    assert TableSlide("T", ("A", "B"), ()).column_shares() == (0.5, 0.5)


def test_deck_image_drops_title_and_source_but_keeps_the_note() -> None:
    layout = deck_figure(ChartExport("Titel", "Alle", SOURCE, bar_figure()))["layout"]
    assert layout["title"]["text"] == ""
    assert [a["text"] for a in layout["annotations"]] == ["Mehrfachnennungen möglich."]


def test_source_caption_says_quelle_once() -> None:
    assert source_caption("Landeshauptstadt Erfurt") == "Quelle: Landeshauptstadt Erfurt"
    assert source_caption("Quelle: LH Erfurt; eigene Auswertung") == "Quelle: LH Erfurt; eigene Auswertung"
    # The line a page composes from the cities already starts with "Quelle:" and is kept as it is.
    assert source_caption(source_line(["Erfurt"])) == source_line(["Erfurt"])


def test_wording() -> None:
    assert format_created(SPEC.created) == "21. November 2026"
    assert filter_line("alle Arten") == "Filter: alle Arten"
    assert SPEC.file_stem() == "interkommunale-zusammenarbeit-erfurt-und-magdeburg-2026-11-21"


def test_long_key_figure_values_get_a_smaller_font() -> None:
    assert value_size("1.234", 54) == 54
    assert value_size("36,4 %", 54) == 54
    assert value_size("Erfahrungs- und Wissensaustausch", 54) < 30


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


def test_chart_export_file_name_comes_from_its_title() -> None:
    assert SPEC.charts[0].file_name("png") == "kooperationen-nach-form.png"


def test_the_slide_version_leaves_a_drawn_figure_as_it_was() -> None:
    """A drawn figure's to_dict shares its values (ikz.ui.data.DrawnFigure); the export copies it
    before it takes the title out and names every bar, so the chart on the page is unchanged."""
    from ikz.ui.data import DrawnFigure

    drawn = DrawnFigure(bar_figure("Titel").to_dict())
    before = json.dumps(drawn.to_dict(), sort_keys=True)
    for figure in (drawn, drawn.spec):  # the page keeps the spec for the export
        layout = deck_figure(ChartExport("Titel", "Alle", SOURCE, figure))["layout"]
        assert layout["title"] == {"text": ""}
        assert json.dumps(drawn.to_dict(), sort_keys=True) == before
