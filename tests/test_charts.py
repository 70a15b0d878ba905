"""Chart builders: trace types, category order, colours, German formatting, escaping, chrome."""

from __future__ import annotations

import polars as pl
import pytest

from ikz.core.numbers import fmt_decimal, fmt_int, fmt_pct
from ikz.derive.classify import load_taxonomy
from ikz.present import charts
from ikz.present.charts import ChartText
from ikz.present.labels import file_stem
from ikz.present.theme import NA_COLOR, color_of

# Every figure these tests build is validated against Plotly's schema (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("validated_figures")

# Category orders as the build's dimension tables hold them: the rules file's lists.
FORMS = tuple(load_taxonomy().forms())
EFFECTS = tuple(name for name, _ in load_taxonomy().effect_categories())

TEXT = ChartText(title="Titel", subtitle="Stadt: Erfurt", source="Quelle: Test; eigene Auswertung")


def assert_chrome(fig, text: ChartText = TEXT) -> None:
    layout = fig.layout
    assert layout.title.text == f"<b>{text.title}</b>"
    assert layout.title.subtitle.text == text.subtitle
    footer = {a.name: a.text for a in layout.annotations}
    assert footer["source"] == text.source
    assert layout.separators == ",."


def test_german_number_format() -> None:
    assert fmt_int(1234567) == "1.234.567"
    assert fmt_pct(0.1234) == "12,3\xa0%"
    assert fmt_pct(1.0, 0) == "100\xa0%"
    assert fmt_decimal(3.25, 2) == "3,25"


def test_bar_by_category_orders_colours_and_labels() -> None:
    frame = pl.DataFrame(
        {
            "category": ["Zweckvereinbarung", "Arbeitsgemeinschaft", "ohne Angabe"],
            "count": [1200, 30, 5],
            "share": [0.5, 0.25, 0.25],
        }
    )
    fig = charts.bar_by_category(frame, TEXT, order=FORMS)
    (trace,) = fig.data
    assert trace.type == "bar" and trace.orientation == "h"
    # Display order: first category of FORMS on top, i.e. last in the trace.
    assert list(trace.y) == ["ohne Angabe", "Arbeitsgemeinschaft", "Zweckvereinbarung"]
    assert list(trace.marker.color) == [
        NA_COLOR,
        color_of("Arbeitsgemeinschaft"),
        color_of("Zweckvereinbarung"),
    ]
    assert list(trace.text) == ["5 (25,0\xa0%)", "30 (25,0\xa0%)", "1.200 (50,0\xa0%)"]
    assert [c[0] for c in trace.customdata] == list(trace.y)
    assert_chrome(fig)


def test_type_bars_take_the_colour_of_their_form() -> None:
    frame = pl.DataFrame(
        {
            "category": ["Arbeitskreis", "Verein"],
            "form": ["Arbeitskreis / Arbeitsgruppe / Gremium", "Verein / Verband / Mitgliedschaft"],
            "count": [3, 2],
            "share": [0.6, 0.4],
        }
    )
    fig = charts.bar_by_category(frame, TEXT, color_by="form")
    assert list(fig.data[0].marker.color) == [
        color_of("Verein / Verband / Mitgliedschaft"),
        color_of("Arbeitskreis / Arbeitsgruppe / Gremium"),
    ]


def test_text_from_data_is_escaped() -> None:
    frame = pl.DataFrame({"category": ['<b>fett</b> <a href="x">Link</a>'], "count": [1], "share": [1.0]})
    hostile = ChartText(title="<script>x</script>", subtitle="Suche: „<i>“", source="Q")
    fig = charts.bar_by_category(frame, hostile)
    label = fig.data[0].y[0]
    assert "<b>" not in label and "<a" not in label and "&lt;b&gt;fett&lt;/b&gt;" in label
    assert fig.layout.title.text == "<b>&lt;script&gt;x&lt;/script&gt;</b>"
    assert "<i>" not in fig.layout.title.subtitle.text
    # The raw category travels in customdata so a selection maps back to the filter value.
    assert fig.data[0].customdata[0][0] == '<b>fett</b> <a href="x">Link</a>'


def test_departments_stacked_one_trace_per_form_in_order() -> None:
    frame = pl.DataFrame(
        {
            "city": ["Erfurt", "Erfurt", "Magdeburg"],
            "department": ["Jugendamt", "Jugendamt", "Amt 37"],
            "form": ["Arbeitskreis / Arbeitsgruppe / Gremium", "Zweckvereinbarung", "Zweckvereinbarung"],
            "count": [4, 1, 2],
        }
    )
    fig = charts.departments_stacked(frame, TEXT, forms=FORMS)
    assert [t.name for t in fig.data] == ["Zweckvereinbarung", "Arbeitskreis / Arbeitsgruppe / Gremium"]
    assert fig.layout.barmode == "stack"
    # Largest department on top: the category array is reversed display order.
    assert list(fig.layout.yaxis.categoryarray) == ["Amt 37 (Magdeburg)", "Jugendamt (Erfurt)"]
    assert [t.marker.color for t in fig.data] == [
        color_of("Zweckvereinbarung"),
        color_of("Arbeitskreis / Arbeitsgruppe / Gremium"),
    ]


def test_effects_bar_says_multiple_counts() -> None:
    frame = pl.DataFrame({"effect": ["Personalentlastung"], "count": [3], "share": [0.75]})
    fig = charts.effects_bar(frame, TEXT)
    footer = {a.name: a.text for a in fig.layout.annotations}
    assert footer["note"].startswith("Mehrfachnennungen möglich")
    assert footer["source"] == TEXT.source
    assert fig.data[0].marker.color[0] == color_of("Personalentlastung")


def test_heatmap_matrix() -> None:
    frame = pl.DataFrame(
        {
            "city": ["Erfurt"] * 3,
            "department": ["Jugendamt", "Jugendamt", "Bürgeramt"],
            "effect": ["Personalentlastung", "Interessenvertretung", "Personalentlastung"],
            "count": [2, 1, 5],
        }
    )
    fig = charts.effect_heatmap(frame, TEXT, effects=EFFECTS)
    (trace,) = fig.data
    assert trace.type == "heatmap"
    assert list(trace.x) == ["Personalentlastung", "Interessenvertretung"]
    assert [list(row) for row in trace.z] == [[2, 1], [5, 0]]
    assert_chrome(fig, ChartText(TEXT.title, TEXT.subtitle, TEXT.source))


def test_treemap_hierarchy_sums() -> None:
    frame = pl.DataFrame(
        {
            "city": ["Erfurt", "Erfurt", ""],
            "task_area": ["5 Soziales, Jugend und Gesundheit"] * 2 + ["6 Bauwesen"],
            "department": ["Jugendamt", "Jugendamt", "Übrige Fachbereiche"],
            "form": ["Zweckvereinbarung", "Verein / Verband / Mitgliedschaft", "Zweckvereinbarung"],
            "count": [2, 3, 4],
        }
    )
    fig = charts.task_area_treemap(frame, TEXT)
    (trace,) = fig.data
    assert trace.type == "treemap" and trace.branchvalues == "total"
    values = dict(zip(trace.ids, trace.values, strict=True))
    assert values["A|5 Soziales, Jugend und Gesundheit"] == 5
    assert values["D|5 Soziales, Jugend und Gesundheit|Erfurt|Jugendamt"] == 5
    assert values["A|6 Bauwesen"] == 4
    assert "Übrige Fachbereiche" in trace.labels


def test_city_share_bars_use_city_colours_and_percent() -> None:
    frame = pl.DataFrame(
        {
            "city": ["Erfurt", "Magdeburg"],
            "category": ["Zweckvereinbarung", "Zweckvereinbarung"],
            "count": [12, 2],
            "city_total": [78, 136],
            "share": [12 / 78, 2 / 136],
        }
    )
    fig = charts.city_share_bars(frame, TEXT, order=FORMS)
    # Added bottom-up so Erfurt's bar is on top in each group; the legend is reversed to match.
    assert [t.name for t in fig.data] == ["Magdeburg", "Erfurt"]
    assert fig.layout.legend.traceorder == "reversed"
    assert [t.marker.color for t in fig.data] == ["#1F5A8C", "#B3282D"]
    erfurt = fig.data[1]
    assert erfurt.x[0] == pytest.approx(100 * 12 / 78)
    assert erfurt.text[0] == "15\xa0% (12)"
    assert fig.layout.xaxis.ticksuffix == " %"


def test_export_config_is_full_hd_and_named() -> None:
    config = charts.plotly_config("Kooperationen nach Fachbereich/Amt")
    assert config["toImageButtonOptions"] == {
        "format": "png",
        "filename": "kooperationen-nach-fachbereich-amt",
        "width": 1920,
        "height": 1080,
        "scale": 1,
    }
    assert file_stem("Größe & Übersicht") == "groesse-uebersicht"
    assert file_stem("<>") == "diagramm"


def test_presentation_mode_enlarges_fonts() -> None:
    frame = pl.DataFrame({"category": ["Verein"], "count": [1], "share": [1.0]})
    normal = charts.bar_by_category(frame, TEXT)
    large = charts.bar_by_category(frame, TEXT, large=True)
    assert large.layout.font.size > normal.layout.font.size
    assert large.layout.height > normal.layout.height


def test_a_type_bar_shows_its_form_by_pattern_too_not_by_colour_alone() -> None:
    """WCAG 1.4.1: the Kooperationsart bars carry their form's pattern, the form chart the same one."""
    types = pl.DataFrame(
        {
            "category": ["Arbeitskreis", "Zweckverband Wasser", "Verein"],
            "form": [
                "Arbeitskreis / Arbeitsgruppe / Gremium",
                "Zweckverband",
                "Verein / Verband / Mitgliedschaft",
            ],
            "count": [3, 2, 1],
            "share": [0.5, 0.33, 0.17],
        }
    )
    by_type = charts.bar_by_category(types, TEXT, color_by="form").data[0]
    shapes = dict(zip([c[1] for c in by_type.customdata], by_type.marker.pattern.shape, strict=True))
    assert len(set(shapes.values())) == 3 and "" not in shapes.values()
    forms = pl.DataFrame({"category": list(shapes), "count": [1, 1, 1], "share": [0.3, 0.3, 0.4]})
    by_form = charts.bar_by_category(forms, TEXT).data[0]
    assert dict(zip([c[0] for c in by_form.customdata], by_form.marker.pattern.shape, strict=True)) == shapes
    # Long labels break after 24 characters (the half-width charts keep room for their bars); the
    # category itself, for selections and tables, stays whole.
    assert "Arbeitskreis /<br>Arbeitsgruppe / Gremium" in by_form.y
    assert all(len(line) <= charts.CATEGORY_WRAP for y in by_form.y for line in y.split("<br>"))
    # Categories that are no form stay solid.
    effects = pl.DataFrame({"category": ["Personalentlastung"], "count": [1], "share": [1.0]})
    assert list(charts.bar_by_category(effects, TEXT).data[0].marker.pattern.shape) == [""]


def test_value_labels_outside_the_bars_have_room_and_the_footer_stays_at_the_right_edge() -> None:
    """The longest label („1.234 (99,9 %)“) fits in the right margin (it was cut off on half-width
    charts), and the source line is shifted by the margin it gained, so it still ends at the edge."""
    frame = pl.DataFrame({"category": ["A", "B"], "count": [1234, 1], "share": [0.9992, 0.0008]})
    for large, size in ((False, 14), (True, 20)):
        fig = charts.bar_by_category(frame, TEXT, large=large)
        longest = max(len(t) for t in fig.data[0].text)
        assert longest == len("1.234 (99,9 %)")
        assert fig.layout.margin.r >= longest * 0.55 * size
        footer = next(a for a in fig.layout.annotations if a.name == charts.SOURCE_ANNOTATION)
        assert footer.x == 1 and footer.xanchor == "right"
        assert footer.xshift == fig.layout.margin.r - 24
