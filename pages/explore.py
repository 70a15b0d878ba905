"""Überblick: key figures, charts and records of the filtered cooperations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ikz import charts
from ikz.charts import ChartText
from ikz.export import ChartExport, DeckSpec, KeyFigure, records_csv, records_xlsx
from ikz.labels import COLUMN_LABELS, describe_filters, german_columns
from ikz.queries import ALL
from ikz.sources import DOCUMENTS, source_line
from ikz.theme import EFFECTS, FORMS, STATUSES, fmt_int, fmt_pct
from pages.common import (
    cached_figure,
    database,
    deferred_records,
    leave_presentation,
    md_escape,
    presentation_toggle,
    query,
    select_into_filter,
    show_chart,
    sidebar_filters,
    version,
)
from pages.export_panel import export_panel

STATUS_NOTE = "Einen Arbeitsstand berichtet nur Magdeburg; Erfurts Einträge stehen unter „ohne Angabe“."
COMPARABILITY_NOTE = (
    "Erfurts Übersicht (undatiert, nach 2020) listet bestehende Kooperationen mit Kooperationsart und "
    "Effekten. Magdeburgs Bericht (November 2010) nennt Gremien und Projekte mit Arbeitsstand; "
    "Kooperationsart und Effekte sind dort aus den Texten abgeleitet. Kooperationsform, "
    "Verbindlichkeit, Effektkategorien und Aufgabenbereiche sind eigene Harmonisierungen."
)
TOP_DEPARTMENTS = 25
TOP_TREEMAP_DEPARTMENTS = 60
TABLE_LIMIT = 1000  # rows sent to the browser; the downloads hold all filtered records
DERIVED_MARK = " ◆"

db = database()
presentation = presentation_toggle()
filters = sidebar_filters(db)
subtitle = describe_filters(filters)
source = source_line(filters.cities)

st.title("Interkommunale Zusammenarbeit")
if not presentation:
    st.caption(
        "Kooperationen der Landeshauptstadt Erfurt und – zum Vergleich – Magdeburgs (Stand 2010). "
        "Filter in der Seitenleiste; die Adresse dieser Seite hält die Auswahl fest und kann geteilt werden."
    )

figures = query(db, "key_figures", filters)
total = query(db, "key_figures", ALL)


def against_total(part: int, whole: int) -> str:
    """'von 143 insgesamt (8,4 %)'."""
    share = f" ({fmt_pct(part / whole)})" if whole else ""
    return f"von {fmt_int(whole)} insgesamt{share}"


key_figures = [
    KeyFigure(
        "Kooperationen",
        fmt_int(figures.cooperations),
        against_total(figures.cooperations, total.cooperations),
    ),
    KeyFigure(
        "Fachbereiche/Ämter",
        fmt_int(figures.departments),
        against_total(figures.departments, total.departments),
    ),
    KeyFigure(
        "Anteil verbindlicher Kooperationen",
        fmt_pct(figures.committed_share) if figures.committed_share is not None else "–",
        f"insgesamt {fmt_pct(total.committed_share or 0)}; öffentlich-rechtlich oder vertraglich",
    ),
    KeyFigure(
        "Häufigste Effektkategorie",
        figures.top_effect or "–",
        f"{fmt_int(figures.top_effect_count)} Nennungen; insgesamt: {total.top_effect or '–'}"
        if figures.top_effect
        else "keine Effekte genannt",
    ),
]
HELP = {
    "Anteil verbindlicher Kooperationen": "Öffentlich-rechtlich (Zweckverband, Zweckvereinbarung) "
    "oder vertraglich",
    "Häufigste Effektkategorie": "Ohne „ohne Angabe“; ein Eintrag kann mehreren Kategorien angehören",
}
for column, figure in zip(st.columns(len(key_figures)), key_figures, strict=True):
    column.metric(figure.label, figure.value, help=HELP.get(figure.label))
    column.caption(figure.note)

if figures.cooperations == 0:
    st.info(
        "Keine Kooperation passt zu diesen Filtern. Bitte einen Filter lockern oder "
        "„Filter zurücksetzen“ in der Seitenleiste wählen.",
        icon="🔍",
    )
    st.stop()


def text(title: str, note: str = "") -> ChartText:
    """Title, filter subtitle and source line for one chart."""
    return ChartText(title=title, subtitle=subtitle, source=source, note=note)


exports: list[ChartExport] = []


def present(fig: go.Figure, title: str, *, key: str, on_select: Callable[[], None] | None = None) -> None:
    """Show a chart and keep it for the slide deck of this view."""
    show_chart(fig, title, key=key, presentation=presentation, on_select=on_select)
    exports.append(ChartExport(title=title, subtitle=subtitle, source=source, figure=fig))


note_top = (
    f"Die {TOP_DEPARTMENTS} Fachbereiche mit den meisten Kooperationen."
    if figures.departments > TOP_DEPARTMENTS
    else ""
)
# Each chart: (title, widget key, filter its selection sets, builder of the figure). The builders
# run only when the cache has no figure for this file version, filter state and view.
CHARTS: dict[str, tuple[str, str | None, Callable[[str], go.Figure]]] = {
    "chart_types": (
        "Kooperationen nach Kooperationsart",
        "types",
        lambda title: charts.bar_by_category(
            query(db, "cooperations_by_type", filters),
            text(title),
            category="type_name",
            color_by="form",
            large=presentation,
        ),
    ),
    "chart_forms": (
        "Kooperationen nach Kooperationsform",
        "forms",
        lambda title: charts.bar_by_category(
            query(db, "count_by", filters, dimension="form"), text(title), order=FORMS, large=presentation
        ),
    ),
    "chart_departments": (
        "Kooperationen nach Fachbereich/Amt",
        "departments",
        lambda title: charts.departments_stacked(
            query(db, "cooperations_by_department", filters, top=TOP_DEPARTMENTS),
            text(title, note_top),
            forms=FORMS,
            large=presentation,
        ),
    ),
    "chart_effects": (
        "Kooperationen nach Effektkategorie",
        "effects",
        lambda title: charts.effects_bar(
            query(db, "cooperations_by_effect", filters), text(title), large=presentation
        ),
    ),
    "chart_status": (
        "Kooperationen nach Status",
        "statuses",
        lambda title: charts.bar_by_category(
            query(db, "count_by", filters, dimension="status"),
            text(title, STATUS_NOTE),
            order=STATUSES,
            large=presentation,
        ),
    ),
    "chart_heatmap": (
        "Fachbereich × Effektkategorie",
        None,
        lambda title: charts.effect_heatmap(
            query(db, "department_effect_matrix", filters, top=TOP_DEPARTMENTS),
            text(title, note_top),
            effects=EFFECTS,
            large=presentation,
        ),
    ),
    "chart_treemap": (
        "Aufgabenbereich → Fachbereich → Kooperationsform",
        None,
        lambda title: charts.task_area_treemap(
            query(db, "task_area_tree", filters, top=TOP_TREEMAP_DEPARTMENTS),
            text(title, "Aufgabenbereiche nach dem KGSt-Aufgabengliederungsplan."),
            large=presentation,
        ),
    ),
}
LAYOUT = (("chart_types", "chart_forms"), ("chart_departments",), ("chart_effects", "chart_status"))
LAYOUT += (("chart_heatmap",), ("chart_treemap",))

for row in LAYOUT:
    for column, key in zip(st.columns(len(row)), row, strict=True):
        title, filter_name, build = CHARTS[key]
        with column:
            fig = cached_figure((version(db), filters, presentation, key), partial(build, title))
            present(
                fig, title, key=key, on_select=select_into_filter(key, filter_name) if filter_name else None
            )

if presentation:
    st.button("Präsentationsansicht verlassen", on_click=leave_presentation, type="tertiary")
    st.stop()

export_panel(
    "ueberblick",
    DeckSpec(
        title="Interkommunale Zusammenarbeit",
        subtitle="Überblick der Kooperationen",
        created=date.today(),
        filters_text=subtitle,
        charts=tuple(exports),
        key_figures=tuple(key_figures),
        sources=tuple(
            f"{d.citation} ({d.as_of})" for d in DOCUMENTS if not filters.cities or d.city in filters.cities
        ),
        note=COMPARABILITY_NOTE,
    ),
)

# --- The records behind the charts -------------------------------------------------------
st.header("Einträge")
records = query(db, "records", filters, limit=TABLE_LIMIT)
if figures.cooperations > TABLE_LIMIT:
    st.caption(
        f"Angezeigt werden die ersten {fmt_int(TABLE_LIMIT)} von {fmt_int(figures.cooperations)} "
        "Einträgen; die Downloads enthalten alle."
    )
st.caption(f"{DERIVED_MARK.strip()} = aus dem Text abgeleitet (kein eigenes Feld im Dokument).")

display = records.with_columns(
    pl.when(pl.col("type_source") == "abgeleitet")
    .then(pl.col("type_name") + DERIVED_MARK)
    .otherwise(pl.col("type_name"))
    .alias("type_name"),
    pl.when(pl.col("effects_source") == "abgeleitet")
    .then(pl.col("effects") + DERIVED_MARK)
    .otherwise(pl.col("effects"))
    .alias("effects"),
).select(
    "cooperation_id",
    "city",
    "department",
    "title",
    "type_name",
    "form",
    "binding",
    "effects",
    "status",
    "effects_text",
    "status_text",
    "outlook_text",
    "source_lines",
)
selection = st.dataframe(
    german_columns(display),
    hide_index=True,
    key="records_table",
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "Nr.": st.column_config.NumberColumn(width="small", format="%d"),
        "Bezeichnung / Thema": st.column_config.TextColumn(width="large"),
    },
)


c1, c2, _ = st.columns([1, 1, 3])
# Generated only when clicked, on Streamlit's download thread: the page run stays fast, and the
# files hold every filtered record, not just the rows the table shows.
c1.download_button(
    "CSV herunterladen",
    deferred_records(db, filters, records_csv),
    file_name="ikz-kooperationen.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)
c2.download_button(
    "Excel herunterladen",
    deferred_records(db, filters, records_xlsx),
    file_name="ikz-kooperationen.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:",
    on_click="ignore",
)

rows = selection.selection.rows if selection else []
if rows:
    cooperation_id = int(display["cooperation_id"][rows[0]])
    detail = query(db, "record_detail", ALL, cooperation_id=cooperation_id)
    if detail:
        st.subheader(md_escape(detail["title"]))
        st.caption(
            md_escape(
                f"{detail['city']} · {detail['department']} · Quelle: {detail['source_file']}, "
                f"{detail['source_lines']}"
            )
        )
        left, right = st.columns(2)
        with left:
            st.markdown("**Originaltext**")
            for column in (
                "title",
                "context",
                "sub_unit",
                "partners_text",
                "type_raw",
                "effects_text",
                "status_text",
                "outlook_text",
            ):
                if detail.get(column):
                    st.text(f"{COLUMN_LABELS[column]}: {detail[column]}")
            if detail.get("parse_notes"):
                st.text(f"Reparaturen beim Einlesen: {detail['parse_notes']}")
        with right:
            st.markdown("**Klassifikation und Belege**")
            marker = " (abgeleitet)" if detail["type_source"] == "abgeleitet" else " (Dokument)"
            st.text(
                f"Kooperationsart: {detail['type_name']}{marker} – Belege: {detail['type_evidence'] or '–'}"
            )
            st.text(f"Kooperationsform: {detail['form']} · Verbindlichkeit: {detail['binding']}")
            st.text(f"Aufgabenbereich: {detail['task_area']}")
            st.text(f"Status: {detail['status']} – Belege: {detail['status_evidence'] or '–'}")
            for effect in detail["effects"]:
                st.text(f"Effekt: {effect['effect']} – Belege: {effect['evidence'] or '–'}")
else:
    st.caption("Eine Zeile anklicken, um Originaltext und Belege der Klassifikation zu sehen.")
