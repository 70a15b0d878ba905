"""App layer of the partner map, shared by the pages „Karte“ and „Vergleich“: map, list, records."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from ikz.core.numbers import fmt_int
from ikz.present import maps
from ikz.present.charts import ChartText
from ikz.present.export import ChartExport
from ikz.read.partner_map import CITIES, mapped
from ikz.read.queries import Filters, city_count
from ikz.rules import geo
from ikz.rules.cities import joined
from ikz.rules.sources import source_name
from ikz.ui import data
from ikz.ui.layout import Page, show_chart
from ikz.ui.markdown import md_escape
from ikz.ui.state import selected_categories


def map_title(cities: tuple[str, ...] = CITIES) -> str:
    """'Wo die Partner liegen: Erfurt und Magdeburg' (the cities the map shows)."""
    return f"Wo die Partner liegen: {joined(cities)}"


MAP_TITLE = map_title()
ATTRIBUTION_MARKDOWN = f"Geodaten: [{geo.ATTRIBUTION}]({geo.ATTRIBUTION_URL})"
MAP_SOURCE = f"Geodaten: {geo.ATTRIBUTION}, {geo.ATTRIBUTION_URL}"  # for a deck's sources slide
PARTNER_KEY = "partner"  # URL parameter and widget key of the partner whose records are listed
LINES_KEY = "linien"
# The counts before the place and its key: in the map's column they are seen without scrolling.
# Each city's count comes between kind and total: one column per city of the map.
BUBBLE_COLUMNS = {
    "partner": "Partner",
    "kind": "Art",
    "count_total": "Einträge gesamt",
    "place_name": "Ort (Stand 2021)",
    "ars": "Regionalschlüssel",
}
UNPLACED_COLUMNS = {"partner": "Partner", "kind": "Art"}


def counts_table(
    frame: pl.DataFrame, columns: dict[str, str], cities: tuple[str, ...], header: str = "{city}"
) -> pl.DataFrame:
    """A partner frame with German headers and one count column per city after 'Art'
    (header: 'Einträge {city}' or '{city}')."""
    names = list(columns)
    at = names.index("kind") + 1
    per_city = [city_count(city).alias(header.format(city=city)) for city in cities]
    return frame.select(
        *(pl.col(c).alias(columns[c]) for c in names[:at]),
        *per_city,
        *(pl.col(c).alias(columns[c]) for c in names[at:]),
    )


def map_source(source: str) -> str:
    """The source line of a map export: the documents and the geodata's required attribution."""
    return f"{source}; Geodaten: {geo.ATTRIBUTION}"


def _choose_partner(chart_key: str, select_key: str, open_key: str | None) -> None:
    """Callback: a clicked bubble becomes the partner whose records are listed (and in the URL);
    open_key: the section listing them, opened."""
    chosen = selected_categories(chart_key)
    if chosen:
        st.session_state[select_key] = chosen[0]
        if open_key:
            st.session_state[open_key] = True


def partner_map(
    page: Page,
    *,
    key: str,
    lines: bool,
    note: str = "",
    select_key: str = PARTNER_KEY,
    open_key: str | None = None,
    filters: Filters | None = None,
) -> None:
    """Show the map of the page's filtered partners with its table, keep it for the page's export.
    filters: the reads' filters when not the page's (the Vergleich page's pair)."""
    # The title names every city of the map, or the Vergleich page's two.
    title = MAP_TITLE if filters is None else map_title(mapped(filters).cities)
    filters = filters or page.filters
    text = ChartText(title=title, subtitle=page.subtitle, source=map_source(page.source), note=note)
    export = ChartExport(title=title, subtitle=page.subtitle, source=text.source, figure={})
    options = {"text": text, "lines": lines, "large": page.presentation}
    if not page.drawing:
        # A closed tab (the Vergleich's „Karte“): kept for the export, made when the export is.
        page.keep(
            export,
            lambda: data.figure_spec(maps.map_figure, data.map_frames, filters=filters, options=options),
        )
        return  # nothing read: the export reads the map's frames when it is made
    # Said in the map's place: the first drawing of the outlines takes a moment (cached afterwards).
    with st.spinner("Die Karte wird gezeichnet …"):
        frames = data.map_frames(filters=filters)
        fig = data.figure(maps.map_figure, data.map_frames, filters=filters, options=options)
    show_chart(
        fig,
        title,
        key=key,
        presentation=page.presentation,
        on_select=lambda: _choose_partner(key, select_key, open_key),
        # The map's numbers are its partners and their counts; the figure's own points would list
        # thousands of outline coordinates (and formatting them took 0.75 s of a Vergleich run).
        table=counts_table(frames.bubbles, BUBBLE_COLUMNS, CITIES, "Einträge {city}"),
    )
    st.caption(ATTRIBUTION_MARKDOWN)
    page.exports.append(replace(export, figure=fig.spec))


def unplaced_list(page: Page, *, key: str) -> pl.DataFrame:
    """Partners without a place (Landesbehörden, Verbände, Bund …) with their counts."""
    unplaced = data.unplaced_partners(filters=page.filters)
    st.subheader("Partner ohne Ort")
    if unplaced.is_empty():
        st.caption("Bei diesen Filtern nennen die Einträge keine Behörde und keinen Verband.")
        return unplaced
    per_kind = unplaced.group_by("kind", maintain_order=True).agg(
        pl.len().alias("partners"), pl.col("count_total").sum().alias("mentions")
    )
    st.caption(
        "Landes- und Bundesbehörden, Verbände und Sonstige haben keinen Ort auf der Karte: "
        + "; ".join(
            f"{md_escape(r['kind'])} {fmt_int(r['partners'])} ({fmt_int(r['mentions'])} Nennungen)"
            for r in per_kind.iter_rows(named=True)
        )
        + "."
    )
    st.dataframe(
        # As Arrow: Streamlit sends that as it is, a polars frame it converts through pandas first.
        counts_table(unplaced, UNPLACED_COLUMNS, CITIES).to_arrow(),
        hide_index=True,
        height=640,
        key=f"{key}_ohne_ort",
        column_config={
            "Partner": st.column_config.TextColumn(width="medium"),
            "Art": st.column_config.TextColumn(width="small"),
            **{city: st.column_config.NumberColumn(width="small") for city in CITIES},
        },
    )
    return unplaced


def partner_records(page: Page, names: list[str]) -> None:
    """The records naming the partner picked in the list or clicked on the map."""
    if not names:
        return
    if st.session_state.get(PARTNER_KEY) not in names:
        st.session_state.pop(PARTNER_KEY, None)
    st.subheader("Einträge eines Partners")
    chosen = st.selectbox(
        "Partner wählen oder Kreis auf der Karte anklicken",
        names,
        index=None,
        key=PARTNER_KEY,
        bind="query-params",
        placeholder="Partner wählen",
    )
    if not chosen:
        return
    show_records(
        data.map_partner_records(filters=page.filters, partner=chosen), chosen, key="karte_partnereintraege"
    )


def show_records(rows: pl.DataFrame, partner: str, *, key: str, cities: tuple[str, ...] = CITIES) -> None:
    """The records naming partner (a records_naming frame): how many per city, then the table with
    the evidence and where each stands in its document."""
    counts = ", ".join(f"{city} {fmt_int(rows.filter(pl.col('city') == city).height)}" for city in cities)
    st.caption(f"{fmt_int(rows.height)} Einträge nennen {md_escape(partner)} ({counts}).")
    st.dataframe(
        rows.select(
            # What a record is and why it names the partner first: seen in a column beside the map.
            pl.col("city").alias("Stadt"),
            pl.col("title").alias("Eintrag"),
            pl.col("evidence").alias("Beleg"),
            pl.col("department").alias("Fachbereich/Amt"),
            pl.col("type_name").alias("Kooperationsart"),
            pl.Series("Quelle", [source_name(f) for f in rows["source_file"].to_list()], dtype=pl.String),
            pl.col("source_lines").alias("Zeilen"),
        ).to_arrow(),
        hide_index=True,
        key=key,
        column_config={
            "Stadt": st.column_config.TextColumn(width="small"),
            "Eintrag": st.column_config.TextColumn(width="medium"),
        },
    )
