"""Chart builders of the Vergleich page: profile, partner bars, topic map."""

from __future__ import annotations

import polars as pl
import pytest

from ikz.derive.classify import load_taxonomy
from ikz.derive.partners import load_gazetteer
from ikz.present import charts
from ikz.present.charts import ChartText
from ikz.present.theme import color_of

# Every figure these tests build is validated against Plotly's schema (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("validated_figures")

FORMS = tuple(load_taxonomy().forms())
BINDINGS = tuple(load_taxonomy().bindings())
PARTNER_KINDS = load_gazetteer().kinds

TEXT = ChartText(title="Titel", subtitle="Alle Kooperationen, ohne Filter", source="Quelle: A; B")


def test_profiles_stack_to_100_percent_per_city_and_dimension() -> None:
    frame = pl.DataFrame(
        {
            "dimension": ["Form", "Form", "Form", "Verbindlichkeit", "Verbindlichkeit"],
            "city": ["Erfurt", "Erfurt", "Magdeburg", "Erfurt", "Magdeburg"],
            "category": ["Zweckverband", "Arbeitsgemeinschaft", "Zweckverband", "informell", "informell"],
            "count": [1, 3, 2, 4, 2],
            "city_total": [4, 4, 2, 4, 2],
            "share": [0.25, 0.75, 1.0, 1.0, 1.0],
        }
    )
    fig = charts.city_profiles(frame, TEXT, orders={"Form": FORMS, "Verbindlichkeit": BINDINGS})
    # Each trace holds its own dimension's rows (both cities, in order), the axis every row.
    per_row: dict[tuple[str, str], float] = {}
    for trace in fig.data:
        for row, x in zip(zip(*trace.y, strict=True), trace.x, strict=True):
            per_row[row] = per_row.get(row, 0) + (x or 0)
    assert list(per_row) == [
        ("Form", "Erfurt"),
        ("Form", "Magdeburg"),
        ("Verbindlichkeit", "Erfurt"),
        ("Verbindlichkeit", "Magdeburg"),
    ]
    assert list(per_row.values()) == [100, 100, 100, 100]
    assert {row[0] for trace in fig.data for row in zip(*trace.y, strict=True)} == {"Form", "Verbindlichkeit"}
    assert all(len(set(trace.y[0])) == 1 for trace in fig.data)  # one dimension per trace
    assert [t.name for t in fig.data] == ["Zweckverband", "Arbeitsgemeinschaft", "informell"]
    assert fig.layout.legend.traceorder == "grouped"


def test_partner_bars_most_named_on_top_coloured_by_kind() -> None:
    frame = pl.DataFrame(
        {
            "partner": ["Ilm-Kreis", "Deutscher Städtetag", "Jena", "<b>X</b>"],
            "kind": ["Landkreis", "Verband/Verein", "kreisfreie Stadt", "Sonstige"],
            "count": [5, 5, 3, 1],
        }
    )
    fig = charts.partner_bars(frame, TEXT, kinds=PARTNER_KINDS)
    assert list(fig.layout.yaxis.categoryarray)[::-1] == [
        "Deutscher Städtetag",
        "Ilm-Kreis",
        "Jena",
        "&lt;b&gt;X&lt;/b&gt;",
    ]
    assert [t.name for t in fig.data] == ["Landkreis", "kreisfreie Stadt", "Verband/Verein", "Sonstige"]
    assert all(t.marker.color == color_of(t.name) for t in fig.data)


def test_topic_map_diverges_with_area_headers() -> None:
    frame = pl.DataFrame(
        {
            "area": ["3 Recht, Sicherheit und Ordnung", "7 Öffentliche Einrichtungen"],
            "topic": ["Rettungsdienst", "Winterdienst"],
            "count_first": [3, 1],
            "count_second": [4, 0],
        }
    )
    fig = charts.topic_map(frame, TEXT, cities=("Erfurt", "Magdeburg"))
    erfurt, magdeburg = fig.data
    assert list(erfurt.y) == [
        "<b>3 Recht, Sicherheit und Ordnung</b>",
        "Rettungsdienst  ",
        "<b>7 Öffentliche Einrichtungen</b>",
        "Winterdienst  ",
    ]
    assert list(erfurt.x) == [None, -3, None, -1]
    assert list(magdeburg.x) == [None, 4, None, None]
    assert (erfurt.marker.color, magdeburg.marker.color) == ("#B3282D", "#1F5A8C")
    assert all(not t.startswith("-") for t in fig.layout.xaxis.ticktext)
