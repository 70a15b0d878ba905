"""„Daten als Tabelle“: every chart's numbers read back from the figure, as the chart shows them."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pytest

from ikz.core.numbers import fmt_int
from ikz.derive.classify import load_taxonomy
from ikz.present import charts
from ikz.present.chart_table import figure_table, plain
from ikz.present.charts import ChartText
from ikz.read import queries
from ikz.read.db import Database

TEXT = ChartText(title="Titel", subtitle="", source="Quelle")


def test_plain_resolves_markup_breaks_and_entities() -> None:
    assert plain("Amt für<br>Brandschutz &amp; <b>Rettung</b>") == "Amt für Brandschutz & Rettung"


def test_bars_read_top_down_with_their_labels() -> None:
    frame = pl.DataFrame(
        {"category": ["Arbeitskreis", "Verein"], "count": [1200, 2], "share": [0.9983, 0.0017]}
    )
    table = figure_table(charts.bar_by_category(frame, TEXT))
    assert table.to_dicts() == [
        {"Kategorie": "Arbeitskreis", "Kooperationen": "1.200", "Beschriftung": "1.200 (99,8\xa0%)"},
        {"Kategorie": "Verein", "Kooperationen": "2", "Beschriftung": "2 (0,2\xa0%)"},
    ]


def test_stacked_bars_name_their_series() -> None:
    fig = go.Figure(
        [
            go.Bar(name="Erfurt", y=["A", "B"], x=[1, 2], orientation="h"),
            go.Bar(name="Magdeburg", y=["A", "B"], x=[3, 4], orientation="h"),
        ]
    )
    assert figure_table(fig)["Reihe"].to_list() == ["Magdeburg", "Magdeburg", "Erfurt", "Erfurt"]


def test_a_two_level_axis_gives_each_row_its_group_and_skips_empty_cells() -> None:
    """The Vergleich's profile: one bar per (dimension, city), a series per category."""
    frame = pl.DataFrame(
        {
            "dimension": ["Status", "Status", "Status", "Verbindlichkeit"],
            "city": ["Erfurt", "Magdeburg", "Erfurt", "Erfurt"],
            "category": ["laufend", "laufend", "geplant", "informell"],
            "count": [3, 5, 1, 4],
            "city_total": [4, 5, 4, 4],
            "share": [0.75, 1.0, 0.25, 1.0],
        }
    )
    orders = {"Status": ("laufend", "geplant"), "Verbindlichkeit": ("informell",)}
    table = figure_table(charts.city_profiles(frame, TEXT, orders=orders))
    shown = {
        (r["Gruppe"], r["Kategorie"], r["Reihe"]): r["Anteil an den Einträgen der Stadt"]
        for r in table.to_dicts()
    }
    assert shown == {
        ("Status", "Erfurt", "laufend"): "75",
        ("Status", "Magdeburg", "laufend"): "100",
        ("Status", "Erfurt", "geplant"): "25",
        ("Verbindlichkeit", "Erfurt", "informell"): "100",
    }


def test_heatmap_is_one_row_per_row_of_the_matrix() -> None:
    fig = go.Figure(go.Heatmap(x=["A", "B"], y=["Amt 1", "Amt 2"], z=[[1, 0], [2, 3.5]]))
    assert figure_table(fig).to_dicts() == [
        {"Kategorie": "Amt 1", "A": "1", "B": "0"},
        {"Kategorie": "Amt 2", "A": "2", "B": "3,5"},
    ]


def test_treemap_rows_carry_their_path() -> None:
    fig = go.Figure(
        go.Treemap(ids=["a", "a/b"], labels=["Finanzen", "Kämmerei"], parents=["", "a"], values=[5, 5])
    )
    assert figure_table(fig).to_dicts() == [
        {"Ebene": 1, "Pfad": "Finanzen", "Anzahl": "5"},
        {"Ebene": 2, "Pfad": "Finanzen → Kämmerei", "Anzahl": "5"},
    ]


@pytest.mark.parametrize("part", ["by_form", "by_status"])
def test_table_totals_equal_the_query(database: Database, part: str) -> None:
    with database.cursor() as cur:
        frame = getattr(queries.overview(cur, filters=queries.ALL), part)
    table = figure_table(charts.bar_by_category(frame, TEXT))
    assert sorted(table["Kooperationen"].to_list()) == sorted(fmt_int(n) for n in frame["count"])


def test_every_overview_chart_has_a_table(database: Database) -> None:
    taxonomy = load_taxonomy()
    forms = tuple(form for form, _ in taxonomy.form_bindings)
    effects = tuple(name for name, _ in taxonomy.effect_categories())
    with database.cursor() as cur:
        overview = queries.overview(cur, filters=queries.ALL, top_departments=25, top_tree=60)
    figures = [
        charts.bar_by_category(overview.by_type, TEXT, category="type_name", color_by="form"),
        charts.departments_stacked(overview.by_department, TEXT, forms=forms),
        charts.effect_heatmap(overview.effect_matrix, TEXT, effects=effects),
        charts.task_area_treemap(overview.task_area_tree, TEXT),
    ]
    for fig in figures:
        table = figure_table(fig)
        assert table.height > 0 and table.width >= 2
