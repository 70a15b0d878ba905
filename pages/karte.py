"""Karte: where Erfurt's and Magdeburg's named partners are – an offline map from bundled geodata."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from ikz.export import DeckSpec, KeyFigure
from ikz.labels import describe_filters
from ikz.sources import DOCUMENTS, source_line
from ikz.theme import fmt_int
from pages.common import database, leave_presentation, presentation_toggle, sidebar_filters
from pages.export_panel import export_panel
from pages.map_view import LINES_KEY, MAP_SOURCE, bubble_table, partner_map, partner_records, unplaced_list

MAP_NOTE = (
    "Partner sind die in den Texten beim Namen genannten; Sammelbegriffe wie „benachbarte Landkreise“ "
    "zählen nicht. Orte nach dem Gebietsstand 2021; ein älterer Name steht für die heutige Gemeinde."
)

db = database()
presentation = presentation_toggle()
filters = sidebar_filters(db)
subtitle = describe_filters(filters)
source = source_line(filters.cities)

st.title("Karte der Partner")
if not presentation:
    st.caption(
        "Landkreise, kreisfreie Städte und Gemeinden, die die Einträge Erfurts und Magdeburgs beim Namen "
        "nennen – jeder Kreis so groß wie die Zahl der Einträge, in der Farbe der nennenden Stadt. "
        "Die Filter der Seitenleiste gelten auch hier; ein Klick auf einen Kreis listet seine Einträge. "
        "Die Karte kommt ganz aus den mitgelieferten Geodaten, ohne Internet."
    )
lines = st.toggle(
    "Verbindungslinien von jeder Stadt zu ihren Partnern",
    key=LINES_KEY,
    bind="query-params",
    disabled=presentation,
)

map_column, list_column = st.columns([2, 1]) if not presentation else (st.container(), None)
with map_column:
    export, bubbles = partner_map(
        db, filters, key="karte_map", subtitle=subtitle, source=source, presentation=presentation, lines=lines
    )
    if bubbles.is_empty():
        st.info(
            "Bei diesen Filtern nennt kein Eintrag einen Landkreis, eine Stadt oder Gemeinde. "
            "Bitte einen Filter lockern oder „Filter zurücksetzen“ wählen.",
            icon="🔍",
        )
if presentation:
    st.button("Präsentationsansicht verlassen", on_click=leave_presentation, type="tertiary")
    st.stop()
with list_column:
    unplaced = unplaced_list(db, filters, key="karte")
bubble_table(bubbles, key="karte")

partner_records(db, filters, bubbles["partner"].to_list() + unplaced["partner"].to_list())


def count_kind(kind: str) -> int:
    """How many placed partners of this kind the map shows."""
    return bubbles.filter(pl.col("kind") == kind).height


both = bubbles.filter(pl.col("named_by") == "beide Städte").height
export_panel(
    "karte",
    DeckSpec(
        title="Karte der Partner",
        subtitle="Landkreise, Städte und Gemeinden, mit denen Erfurt und Magdeburg kooperieren",
        created=date.today(),
        filters_text=subtitle,
        charts=(export,),
        key_figures=(
            KeyFigure(
                "Partner auf der Karte", fmt_int(bubbles.height), f"davon {fmt_int(both)} von beiden Städten"
            ),
            KeyFigure(
                "Landkreise",
                fmt_int(count_kind("Landkreis")),
                f"{fmt_int(count_kind('kreisfreie Stadt'))} kreisfreie Städte, "
                f"{fmt_int(count_kind('Gemeinde'))} Gemeinden",
            ),
            KeyFigure("Partner ohne Ort", fmt_int(unplaced.height), "Behörden, Verbände, Sonstige"),
        ),
        sources=(
            *(f"{d.citation} ({d.as_of})" for d in DOCUMENTS),
            MAP_SOURCE,
        ),
        note=MAP_NOTE,
    ),
)
