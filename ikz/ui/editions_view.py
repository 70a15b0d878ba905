"""Überblick's part about editions: „Änderungen seit …“ and the chart „Entwicklung“ (issue 11)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ikz.core.dates import as_of_text
from ikz.core.numbers import fmt_int
from ikz.derive.diff import without_field_values
from ikz.present import charts
from ikz.present.export import KeyFigure
from ikz.read.edition_queries import ChangesSince
from ikz.rules.cities import load_cities
from ikz.ui import data, identity
from ikz.ui.layout import Page

CHANGE_LABELS = {
    "change": "Änderung",
    "city": "Stadt",
    "department": "Fachbereich/Amt",
    "title": "Bezeichnung",
}
CHANGE_LABELS |= {"changed_fields": "Geänderte Felder (alt → neu)", "cooperation_key": "Schlüssel"}

# Contact persons are shown to signed-in users only (identity.may_see_contacts).
HIDDEN_CONTACT = "(geändert; nur nach Anmeldung sichtbar)"


def _summary(item: ChangesSince) -> str:
    c = item.counts
    return f"{fmt_int(c['neu'])} neu, {fmt_int(c['entfallen'])} entfallen, {fmt_int(c['geändert'])} geändert"


def changes_section(cities: tuple[str, ...], *, presentation: bool) -> list[KeyFigure]:
    """„Änderungen seit <Datum der vorigen Ausgabe>“ per city with a newer edition; deck key figures."""
    items = data.changes_since(cities=cities)
    figures = []
    for item in items:
        st.subheader(item.heading + (f" – {item.city}" if len(items) > 1 else ""))
        columns = st.columns(4)
        for column, kind in zip(columns, ("neu", "entfallen", "geändert"), strict=False):
            column.metric(kind.capitalize(), fmt_int(item.counts[kind]))
        columns[3].caption(
            f"{item.city}: Ausgabe vom {as_of_text(item.current_as_of)} gegenüber {item.previous_label}."
        )
        # „– Erfurt“, not „(Erfurt)“: the heading may end in parentheses of its own.
        figures.append(KeyFigure(f"{item.heading} – {item.city}", _summary(item), item.previous_label))
        if not presentation:
            with st.expander("Liste der Änderungen"):
                frame = data.change_list(cities=(item.city,))
                if not identity.may_see_contacts():
                    hidden = [
                        text and without_field_values(text, "Ansprechpartner", HIDDEN_CONTACT)
                        for text in frame["changed_fields"]
                    ]
                    frame = frame.with_columns(pl.Series("changed_fields", hidden, dtype=pl.String))
                st.dataframe(
                    frame.drop("city").rename(CHANGE_LABELS, strict=False),
                    hide_index=True,
                    key=f"changes_{item.city}",
                )
    return figures


def development_cities(cities: tuple[str, ...]) -> list[str]:
    """The chosen cities (or all) that have two or more editions: those with an „Entwicklung“."""
    return [city for city in cities or load_cities().names if data.edition_count(city=city) >= 2]


def development_chart(page: Page, cities: list[str]) -> None:
    """„Entwicklung“ per city of development_cities: cooperations per Kooperationsform."""
    for city in cities:
        page.chart(
            f"Entwicklung: Kooperationen je Ausgabe nach Kooperationsform – {city}",
            charts.edition_development,
            data.development,
            city=city,
            key=f"chart_development_{city}",
            note="Jede Ausgabe der Liste mit allen ihren Kooperationen, ohne Filter.",
            options={"forms": data.categories("form")},
        )
