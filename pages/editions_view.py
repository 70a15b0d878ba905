"""Überblick's part about editions: „Änderungen seit …“ and the chart „Entwicklung“ (issue 11)."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ikz import charts, edition_queries
from ikz.charts import ChartText
from ikz.db import Database, FileIdentity
from ikz.edition_queries import ChangesSince
from ikz.export import KeyFigure
from ikz.theme import FORMS, fmt_int
from pages.common import cached_figure, version

CHANGE_LABELS = {
    "change": "Änderung",
    "city": "Stadt",
    "department": "Fachbereich/Amt",
    "title": "Bezeichnung",
}
CHANGE_LABELS |= {"changed_fields": "Geänderte Felder (alt → neu)", "cooperation_key": "Schlüssel"}


@st.cache_data(max_entries=64, show_spinner=False)
def _read(name: str, _db: Database, file_version: FileIdentity, kwargs: tuple) -> object:
    # file_version stands for the database in the key: a new edition's rebuild is seen at once.
    with _db.cursor() as cur:
        return getattr(edition_queries, name)(cur, **dict(kwargs))


def read(db: Database, name: str, **kwargs: object) -> object:
    """An edition query, cached per database version."""
    return _read(name, db, version(db), tuple(sorted(kwargs.items())))


def _summary(item: ChangesSince) -> str:
    c = item.counts
    return f"{fmt_int(c['neu'])} neu, {fmt_int(c['entfallen'])} entfallen, {fmt_int(c['geändert'])} geändert"


def changes_section(db: Database, cities: tuple[str, ...], *, presentation: bool) -> list[KeyFigure]:
    """„Änderungen seit <Datum der vorigen Ausgabe>“ per city with a newer edition; deck key figures."""
    items: list[ChangesSince] = read(db, "changes_since", cities=cities)  # type: ignore[assignment]
    figures = []
    for item in items:
        st.subheader(item.heading + (f" – {item.city}" if len(items) > 1 else ""))
        columns = st.columns(4)
        for column, kind in zip(columns, ("neu", "entfallen", "geändert"), strict=False):
            column.metric(kind.capitalize() if kind != "geändert" else "Geändert", fmt_int(item.counts[kind]))
        columns[3].caption(f"{item.city}: Ausgabe vom {item.current_as_of} gegenüber {item.previous_label}.")
        figures.append(
            KeyFigure(
                f"Änderungen seit {item.previous_as_of} ({item.city})", _summary(item), item.previous_label
            )
        )
        if not presentation:
            with st.expander("Liste der Änderungen"):
                frame: pl.DataFrame = read(db, "change_list", cities=(item.city,))  # type: ignore[assignment]
                st.dataframe(
                    frame.drop("city").rename(CHANGE_LABELS, strict=False),
                    hide_index=True,
                    key=f"changes_{item.city}",
                )
    return figures


def development_chart(
    db: Database,
    cities: tuple[str, ...],
    *,
    text: Callable[[str, str], ChartText],
    present: Callable[..., None],
    presentation: bool,
) -> None:
    """„Entwicklung“ per city that has two or more editions: cooperations per Kooperationsform."""
    for city in cities or ("Erfurt", "Magdeburg"):
        if read(db, "edition_count", city=city) < 2:  # type: ignore[operator]
            continue
        title = f"Entwicklung: Kooperationen je Ausgabe nach Kooperationsform – {city}"
        frame: pl.DataFrame = read(db, "development", city=city)  # type: ignore[assignment]

        def build(frame: pl.DataFrame = frame, title: str = title) -> go.Figure:
            return charts.edition_development(
                frame,
                text(title, "Jede Ausgabe der Liste mit allen ihren Kooperationen, ohne Filter."),
                forms=FORMS,
                large=presentation,
            )

        fig = cached_figure((version(db), city, presentation, "chart_development"), build)
        present(fig, title, key=f"chart_development_{city}")
