"""The map's queries against direct SQL, and the map builder: offline traces, bubbles, colours."""

from __future__ import annotations

import json
import math

import duckdb
import plotly.graph_objects as go
import polars as pl
import pytest

from ikz.present import maps
from ikz.present.charts import ChartText
from ikz.present.theme import CITY_COLORS, color_of
from ikz.read.comparison import partners
from ikz.read.db import Database
from ikz.read.partner_map import BOTH, city_points, map_partners, partner_records, unplaced_partners
from ikz.read.queries import Filters, city_count
from ikz.rules import geo

# Every figure these tests build is validated against Plotly's schema (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("validated_figures")

Frames = tuple[pl.DataFrame, pl.DataFrame]
TEXT = ChartText(
    title="Wo die Partner liegen", subtitle="Alle Kooperationen, ohne Filter", source="Quelle: Test"
)

FILTER_CASES = [
    Filters(),
    Filters(types=("Zweckvereinbarung",)),
    Filters(cities=("Erfurt",)),
    Filters(cities=("Magdeburg",), search="rettungsdienst"),
    Filters(forms=("Arbeitskreis / Arbeitsgruppe / Gremium",), effects=("Erfahrungs- und Wissensaustausch",)),
]


def direct_counts(
    con: duckdb.DuckDBPyConnection, filters: Filters, *, placed: bool
) -> dict[str, tuple[int, int]]:
    """Per partner (Erfurt, Magdeburg) records naming it, from the base tables, not the mart."""
    conditions = ["p.ars IS NOT NULL" if placed else "p.ars IS NULL", "ci.name IN ('Erfurt', 'Magdeburg')"]
    params: list = []
    if filters.cities:
        conditions.append("list_contains(?, ci.name)")
        params.append(list(filters.cities))
    if filters.types:
        conditions.append("list_contains(?, t.name)")
        params.append(list(filters.types))
    if filters.forms:
        conditions.append("list_contains(?, t.form)")
        params.append(list(filters.forms))
    if filters.effects:
        conditions.append(
            "c.cooperation_id IN (SELECT cooperation_id FROM cooperation_effect JOIN effect_category "
            "USING (effect_id) WHERE list_contains(?, name))"
        )
        params.append(list(filters.effects))
    if filters.search:
        conditions.append("c.search_text LIKE '%' || ? || '%'")
        params.append(filters.search)
    rows = con.execute(
        f"""
        SELECT p.name,
               count(DISTINCT c.cooperation_id) FILTER (WHERE ci.name = 'Erfurt'),
               count(DISTINCT c.cooperation_id) FILTER (WHERE ci.name = 'Magdeburg')
        FROM cooperation c
        JOIN city ci USING (city_id)
        JOIN cooperation_type t USING (type_id)
        JOIN cooperation_partner cp USING (cooperation_id)
        JOIN partner p USING (partner_id)
        WHERE {" AND ".join(conditions)}
        GROUP BY p.name
        """,
        params,
    ).fetchall()
    return {name: (e, m) for name, e, m in rows}


def with_city_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with count_erfurt and count_magdeburg read from its city_counts."""
    return frame.with_columns(
        city_count("Erfurt").alias("count_erfurt"), city_count("Magdeburg").alias("count_magdeburg")
    )


@pytest.mark.parametrize("filters", FILTER_CASES, ids=lambda f: str(f)[:60])
def test_bubbles_equal_direct_partner_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    bubbles = with_city_columns(map_partners(con, filters=filters))
    shown = {r["partner"]: (r["count_erfurt"], r["count_magdeburg"]) for r in bubbles.iter_rows(named=True)}
    assert shown == direct_counts(con, filters, placed=True)
    for row in bubbles.iter_rows(named=True):
        assert row["count_total"] == row["count_erfurt"] + row["count_magdeburg"] > 0
        expected = (
            BOTH
            if row["count_erfurt"] and row["count_magdeburg"]
            else ("Erfurt" if row["count_erfurt"] else "Magdeburg")
        )
        assert row["named_by"] == expected
        assert 1 <= len(row["first_records"]) <= min(3, row["count_total"])
    unplaced = with_city_columns(unplaced_partners(con, filters=filters))
    assert {
        r["partner"]: (r["count_erfurt"], r["count_magdeburg"]) for r in unplaced.iter_rows(named=True)
    } == direct_counts(con, filters, placed=False)


def test_real_data_has_partners_of_both_cities_on_the_map(con: duckdb.DuckDBPyConnection) -> None:
    bubbles = map_partners(con)
    assert bubbles["named_by"].unique().sort().to_list() == sorted(["Erfurt", "Magdeburg", BOTH])
    # Halle (Saale) is Magdeburg's most named place; Jena is named by both cities.
    top = bubbles.row(0, named=True)
    assert (top["partner"], top["named_by"], top["ars"]) == ("Halle (Saale)", "Magdeburg", "150020000000")
    jena = bubbles.filter(pl.col("partner") == "Jena").row(0, named=True)
    assert jena["named_by"] == BOTH
    assert (
        jena["first_records"][0]
        == "Erfurt: Gründung des Ausbildungsverbundes in Thüringen (mit Gera und Jena)"
    )


def test_placed_and_unplaced_together_are_the_partner_table(con: duckdb.DuckDBPyConnection) -> None:
    filters = Filters(types=("Arbeitsgruppe",))
    together = pl.concat(
        [
            map_partners(con, filters=filters).select("partner", "count_total"),
            unplaced_partners(con, filters=filters).select("partner", "count_total"),
        ]
    )
    table = partners(con, filters=filters).table.select("partner", "count_total")
    assert together.sort("partner").equals(table.sort("partner"))


def test_city_filter_naming_no_city_leaves_an_empty_map(con: duckdb.DuckDBPyConnection) -> None:
    nowhere = Filters(cities=("Halle",))
    assert map_partners(con, filters=nowhere).is_empty()
    assert unplaced_partners(con, filters=nowhere).is_empty()
    assert city_points(con, filters=nowhere).is_empty()


def test_city_points_are_the_two_capitals(con: duckdb.DuckDBPyConnection) -> None:
    points = city_points(con)
    assert points["city"].to_list() == ["Erfurt", "Magdeburg"]
    erfurt = geo.place("160510000000")
    assert points.row(0) == ("Erfurt", erfurt.lon, erfurt.lat)
    assert city_points(con, filters=Filters(cities=("Magdeburg",)))["city"].to_list() == ["Magdeburg"]


def test_partner_records_follow_the_filters(con: duckdb.DuckDBPyConnection) -> None:
    rows = partner_records(con, partner="Jena")
    assert set(rows["city"]) == {"Erfurt", "Magdeburg"}
    assert partner_records(con, filters=Filters(cities=("Erfurt",)), partner="Jena")[
        "city"
    ].unique().to_list() == ["Erfurt"]


# --- the map builder ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_frames(database: Database) -> tuple[pl.DataFrame, pl.DataFrame]:
    with database.cursor() as cur:
        return map_partners(cur), city_points(cur)


def test_map_uses_only_plain_scatter_traces_and_no_online_resource(real_frames: Frames) -> None:
    bubbles, cities = real_frames
    fig = maps.partner_map(bubbles, geo.outlines(), cities, TEXT, lines=True)
    assert {t.type for t in fig.data} == {"scatter"}
    spec = fig.to_plotly_json()
    layout = spec["layout"]
    for key in ("geo", "mapbox", "map"):
        assert key not in layout
    text = json.dumps(spec)
    assert "topojson" not in text and "http" not in text


def test_bubbles_match_the_frame(real_frames: Frames) -> None:
    bubbles, cities = real_frames
    fig = maps.partner_map(bubbles, geo.outlines(), cities, TEXT)
    points = {}
    for trace in fig.data:
        if trace.customdata is None:
            continue
        for (name,), x, y, size in zip(trace.customdata, trace.x, trace.y, trace.marker.size, strict=True):
            points[name] = (x, y, size, trace.marker.color)
    assert set(points) == set(bubbles["partner"])
    colors = {**CITY_COLORS, BOTH: color_of(BOTH)}
    for row in bubbles.iter_rows(named=True):
        x, y, size, color = points[row["partner"]]
        assert (x, y) == (row["lon"], row["lat"])
        assert size == maps.bubble_px(row["count_total"])
        assert color == colors[row["named_by"]]


def test_bubble_area_grows_with_the_count() -> None:
    sizes = [maps.bubble_px(n) for n in (1, 4, 9, 16)]
    assert sizes == sorted(sizes)
    assert math.isclose((sizes[3] / sizes[1]) ** 2, 4, rel_tol=0.01)  # 16 records: four times the area of 4


def test_map_carries_title_subtitle_source_attribution_and_keeps_its_shape(real_frames: Frames) -> None:
    bubbles, cities = real_frames
    fig = maps.partner_map(bubbles, geo.outlines(), cities, TEXT)
    layout = fig.layout
    assert "Wo die Partner liegen" in layout.title.text
    assert layout.title.subtitle.text == TEXT.subtitle
    names = {a.name: a.text for a in layout.annotations}
    assert names[maps.ATTRIBUTION_ANNOTATION] == "© GeoBasis-DE / BKG 2021 (Daten verändert)"
    assert "Quelle: Test" in names["source"]
    # The footer wraps to the figure's width (charts.SOURCE_WRAP): compare the words.
    assert maps.SIZE_NOTE in names["note"].replace("<br>", " ")
    # Equal distances look equal: a degree of longitude is cos(latitude) of one of latitude.
    assert layout.xaxis.scaleanchor == "y"
    assert 0.6 < layout.xaxis.scaleratio < 0.65
    # Both cities are marked on top of everything.
    top = fig.data[-1]
    assert [t.replace("<b>", "").replace("</b>", "") for t in top.text] == ["Erfurt", "Magdeburg"]


def test_lines_join_each_city_to_its_partners(real_frames: Frames) -> None:
    bubbles, cities = real_frames
    without = maps.partner_map(bubbles, geo.outlines(), cities, TEXT)
    with_lines = maps.partner_map(bubbles, geo.outlines(), cities, TEXT, lines=True)
    added = [t for t in with_lines.data if t.name and t.name.startswith("Verbindungen")]
    assert len(with_lines.data) == len(without.data) + 2 == len(without.data) + len(added)
    erfurt = next(t for t in added if t.name == "Verbindungen Erfurt")
    assert len(erfurt.x) == 3 * int((with_city_columns(bubbles)["count_erfurt"] > 0).sum())


def test_empty_frame_draws_the_base_map() -> None:
    empty = pl.DataFrame(
        schema={
            "partner": pl.String, "kind": pl.String, "place_name": pl.String, "lon": pl.Float64,
            "lat": pl.Float64, "city_counts": pl.List(pl.Struct({"city": pl.String, "count": pl.Int32})),
            "count_total": pl.Int32, "named_by": pl.String, "first_records": pl.List(pl.String),
        }
    )  # fmt: skip
    cities = pl.DataFrame({"city": ["Erfurt"], "lon": [11.0], "lat": [51.0]})
    fig = maps.partner_map(empty, geo.outlines(), cities, TEXT)
    assert isinstance(fig, go.Figure)
    assert all(t.customdata is None for t in fig.data)


def test_hover_escapes_document_text() -> None:
    row = {
        "partner": "<b>Fett</b>",
        "kind": "Gemeinde",
        "place_name": "Ort",
        "city_counts": [{"city": "Erfurt", "count": 1}],
        "count_total": 1,
        "first_records": ['Erfurt: <a href="x">Link</a>'],
    }
    hover = maps.hover_text(row)
    assert "&lt;b&gt;Fett&lt;/b&gt;" in hover and "<a href" not in hover
    assert "heute: Ort" in hover and "Einträge: 1 (Erfurt 1)" in hover


def test_labels_on_the_real_map_collide_with_no_other_label(real_frames: Frames) -> None:
    """Names beside the bubbles never overlap each other or the two cities' names (issue 13)."""
    bubbles, cities = real_frames
    fig = maps.partner_map(bubbles, geo.outlines(), cities, TEXT)
    scale_x, scale_y = maps.screen_scale(fig)
    boxes = []
    for trace in fig.data:
        if trace.mode != "markers+text":
            continue
        positions = (
            trace.textposition
            if isinstance(trace.textposition, tuple)
            else [trace.textposition] * len(trace.x)
        )
        sizes = maps.marker_sizes(trace)
        for x, y, size, text, position in zip(trace.x, trace.y, sizes, trace.text, positions, strict=True):
            shown = text.replace("<b>", "").replace("</b>", "")
            if shown:
                boxes.append(
                    (
                        shown,
                        maps.label_box(
                            x * scale_x, y * scale_y, size / 2, shown, trace.textfont.size, position
                        ),
                    )
                )
    names = [name for name, _ in boxes]
    assert {"Erfurt", "Magdeburg"} <= set(names) and len(names) >= 8
    clashes = [
        (a, b) for i, (a, box) in enumerate(boxes) for b, other in boxes[i + 1 :] if box.overlaps(other)
    ]
    assert clashes == []


def test_two_partners_at_one_place_get_names_on_different_sides() -> None:
    labels = [("a", 100.0, 100.0, 6.0, "Gotha"), ("b", 100.0, 100.0, 6.0, "Gotha, Landkreis")]
    placed = maps.place_labels(labels, circles=[(100.0, 100.0, 6.0)], taken=[], font_px=11)
    assert set(placed) == {"a", "b"} and placed["a"] != placed["b"]
    # A name with no room anywhere is left to the hover.
    walls = [maps.Box(-1000, 1000, -1000, 1000)]
    assert maps.place_labels(labels, circles=[], taken=walls, font_px=11) == {}
