"""Karte: where Erfurt's and Magdeburg's named partners are – an offline map from bundled geodata."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ikz.core.numbers import fmt_int
from ikz.present.export import KeyFigure
from ikz.rules.cities import joined, load_cities
from ikz.rules.sources import DOCUMENTS
from ikz.rules.words import BOTH_CITIES, MANY_CITIES
from ikz.ui import data, views
from ikz.ui.layout import Page
from ikz.ui.map_view import LINES_KEY, MAP_SOURCE, partner_map, partner_records, unplaced_list

MAP_NOTE = (
    "Partner sind die in den Texten beim Namen genannten; Sammelbegriffe wie „benachbarte Landkreise“ "
    "zählen nicht. Orte nach dem Gebietsstand 2021; ein älterer Name steht für die heutige Gemeinde."
)

page = Page.open(
    "karte",
    "Karte der Partner",
    "Landkreise, kreisfreie Städte und Gemeinden, die die Einträge "
    f"{joined([c.genitive for c in load_cities().cities])} beim Namen "
    "nennen – jeder Kreis so groß wie die Zahl der Einträge, in der Farbe der nennenden Stadt. "
    "Die Filter der Seitenleiste gelten auch hier; ein Klick auf einen Kreis listet seine Einträge "
    "rechts neben der Karte. "
    "Die Karte kommt ganz aus den mitgelieferten Geodaten, ohne Internet.",
)
# The key figures first (the map's partners, from the same cached read as the map).
data.prefetch(views.karte_state(page.filters))  # both reads side by side on a state not read before
bubbles = data.map_frames(filters=page.filters).bubbles
unplaced = data.unplaced_partners(filters=page.filters)


def count_kind(kind: str) -> int:
    """How many placed partners of this kind the map shows."""
    return bubbles.filter(pl.col("kind") == kind).height


both = bubbles.filter(pl.col("named_by").is_in([BOTH_CITIES, MANY_CITIES])).height
several = "von beiden Städten" if len(load_cities().names) <= 2 else "von mehreren Städten"
key_figures = [
    KeyFigure("Partner auf der Karte", fmt_int(bubbles.height), f"davon {fmt_int(both)} {several}"),
    KeyFigure(
        "Landkreise",
        fmt_int(count_kind("Landkreis")),
        f"{fmt_int(count_kind('kreisfreie Stadt'))} kreisfreie Städte, "
        f"{fmt_int(count_kind('Gemeinde'))} Gemeinden",
    ),
    KeyFigure("Partner ohne Ort", fmt_int(unplaced.height), "Behörden, Verbände, Sonstige"),
]
page.key_figures(key_figures)
lines = st.toggle(
    "Verbindungslinien von jeder Stadt zu ihren Partnern",
    key=LINES_KEY,
    bind="query-params",
    disabled=page.presentation,
)

# The chosen partner's records in the column beside the map, where the person just clicked (they
# used to appear below the map, out of sight); the partners without a place below them.
map_column, side_column = st.columns([3, 2]) if not page.presentation else (st.container(), None)
with map_column:
    partner_map(page, key="karte_map", lines=lines)
    if bubbles.is_empty():
        st.info(
            "Bei diesen Filtern nennt kein Eintrag einen Landkreis, eine Stadt oder Gemeinde. "
            "Bitte einen Filter lockern oder „Filter zurücksetzen“ wählen.",
            icon="🔍",
        )
page.end_of_charts()
with side_column:
    partner_records(page, bubbles["partner"].to_list() + unplaced["partner"].to_list())
    unplaced_list(page, key="karte")


page.export(
    subtitle=f"Landkreise, Städte und Gemeinden, mit denen {joined(load_cities().names)} kooperieren",
    key_figures=key_figures,
    sources=(*(f"{d.citation} ({d.as_of})" for d in DOCUMENTS), MAP_SOURCE),
    note=MAP_NOTE,
)
