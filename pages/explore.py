"""Überblick: key figures, charts and records of the filtered cooperations."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ikz import charts
from ikz.export import KeyFigure, checked_values_slide, records_csv, records_xlsx
from ikz.export.spec import against_base
from ikz.labels import COLUMN_LABELS, german_columns, origin_note
from ikz.sources import DOCUMENTS, source_name
from ikz.theme import fmt_int, fmt_pct
from pages import data, identity
from pages.editions_view import changes_section, development_chart
from pages.layout import Page
from pages.markdown import md_escape
from pages.state import select_into_filter

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
CHECKED_MARK = " ✓"
HELP = {
    "Anteil verbindlicher Kooperationen": "Öffentlich-rechtlich (Zweckverband, Zweckvereinbarung) "
    "oder vertraglich",
    "Häufigste Effektkategorie": "Ohne „ohne Angabe“; ein Eintrag kann mehreren Kategorien angehören",
}

page = Page.open(
    "ueberblick",
    "Interkommunale Zusammenarbeit",
    "Kooperationen der Landeshauptstadt Erfurt und – zum Vergleich – Magdeburgs (Stand 2010). "
    "Filter in der Seitenleiste; die Adresse dieser Seite hält die Auswahl fest und kann geteilt werden.",
)
filters = page.filters
# Every aggregate of this page comes from this one cached read (one statement over the mart).
view = {"filters": filters, "top_departments": TOP_DEPARTMENTS, "top_tree": TOP_TREEMAP_DEPARTMENTS}
figures = data.overview(**view).key_figures
total = data.key_figures(filters=filters.only("cities"))  # the base: the chosen cities' own records
origins = data.origin_counts(filters=filters)


def with_origin(note: str, *fields: str) -> str:
    """A chart's footer note with how many of its fields' values were derived or checked."""
    return " ".join(n for n in (note, *(origin_note(origins, f) for f in fields)) if n)


def against_total(part: int, whole: int, noun: str = "Kooperationen") -> str:
    """'von 143 insgesamt (8,4 %)', or with one city chosen 'von 79 Kooperationen Erfurts'."""
    return against_base(part, whole, filters.cities, noun)


key_figures = [
    KeyFigure(
        "Kooperationen",
        fmt_int(figures.cooperations),
        against_total(figures.cooperations, total.cooperations),
    ),
    KeyFigure(
        "Fachbereiche/Ämter",
        fmt_int(figures.departments),
        against_total(figures.departments, total.departments, "Fachbereichen/Ämtern"),
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
page.key_figures(key_figures, HELP)
# Issue 11: what changed since the previous edition (also on the deck's key-figures slide).
key_figures += changes_section(filters.cities, presentation=page.presentation)

ORIGIN_NOTE = "Herkunft der gezeigten Werte – " + " ".join(
    origin_note(origins, f) for f in ("type", "binding", "effects", "status", "partners")
)
st.caption(ORIGIN_NOTE)

if figures.cooperations == 0:
    st.info(
        "Keine Kooperation passt zu diesen Filtern. Bitte einen Filter lockern oder "
        "„Filter zurücksetzen“ in der Seitenleiste wählen.",
        icon="🔍",
    )
    st.stop()

note_top = (
    f"Die {TOP_DEPARTMENTS} Fachbereiche mit den meisten Kooperationen."
    if figures.departments > TOP_DEPARTMENTS
    else ""
)
left, right = st.columns(2)
with left:
    page.chart(
        "Kooperationen nach Kooperationsart",
        charts.bar_by_category,
        data.overview,
        **view,
        part="by_type",
        key="chart_types",
        note=with_origin("", "type"),
        on_select=select_into_filter("chart_types", "types"),
        options={"category": "type_name", "color_by": "form"},
    )
with right:
    page.chart(
        "Kooperationen nach Kooperationsform",
        charts.bar_by_category,
        data.overview,
        **view,
        part="by_form",
        key="chart_forms",
        note=with_origin("", "type"),
        on_select=select_into_filter("chart_forms", "forms"),
    )
page.chart(
    "Kooperationen nach Fachbereich/Amt",
    charts.departments_stacked,
    data.overview,
    **view,
    part="by_department",
    key="chart_departments",
    note=with_origin(note_top, "type"),
    on_select=select_into_filter("chart_departments", "departments"),
    options={"forms": data.categories("form")},
)
left, right = st.columns(2)
with left:
    page.chart(
        "Kooperationen nach Effektkategorie",
        charts.effects_bar,
        data.overview,
        **view,
        part="by_effect",
        key="chart_effects",
        note=with_origin("", "effects"),
        on_select=select_into_filter("chart_effects", "effects"),
    )
with right:
    page.chart(
        "Kooperationen nach Status",
        charts.bar_by_category,
        data.overview,
        **view,
        part="by_status",
        key="chart_status",
        note=with_origin(STATUS_NOTE, "status"),
        on_select=select_into_filter("chart_status", "statuses"),
    )
page.chart(
    "Fachbereich × Effektkategorie",
    charts.effect_heatmap,
    data.overview,
    **view,
    part="effect_matrix",
    key="chart_heatmap",
    note=with_origin(note_top, "effects"),
    options={"effects": data.categories("effect")},
)
page.chart(
    "Aufgabenbereich → Fachbereich → Kooperationsform",
    charts.task_area_treemap,
    data.overview,
    **view,
    part="task_area_tree",
    key="chart_treemap",
    note=with_origin("Aufgabenbereiche nach dem KGSt-Aufgabengliederungsplan.", "type"),
)
development_chart(page, filters.cities)
page.end_of_charts()
# The values the office checked, with who and when: the council sees what a person vouched for.
checked = checked_values_slide(
    data.checked_values(filters=filters),
    subtitle=page.subtitle,
    source="Prüfungen der Stabsstelle Strategie im IKZ Dashboard (Seite „Prüfen“)",
)
page.export(
    subtitle="Überblick der Kooperationen",
    key_figures=key_figures,
    sources=tuple(
        f"{d.citation} ({d.as_of})" for d in DOCUMENTS if not filters.cities or d.city in filters.cities
    ),
    note=f"{COMPARABILITY_NOTE} {ORIGIN_NOTE}",
    extra_slides=(checked,) if checked else (),
)

# --- The records behind the charts -------------------------------------------------------
st.header("Einträge")
records = data.records(filters=filters, limit=TABLE_LIMIT)
if figures.cooperations > TABLE_LIMIT:
    st.caption(
        f"Angezeigt werden die ersten {fmt_int(TABLE_LIMIT)} von {fmt_int(figures.cooperations)} "
        "Einträgen; die Downloads enthalten alle."
    )
st.caption(
    f"{DERIVED_MARK.strip()} = aus dem Text abgeleitet (kein eigenes Feld im Dokument), "
    f"{CHECKED_MARK.strip()} = von der Stabsstelle geprüft; wer und wann steht in den Spalten „Herkunft …“."
)


def marked(value: str, origin: str) -> pl.Expr:
    """The value column with ◆ (derived) or ✓ (checked) appended, as its origin column says."""
    return (
        pl.when(pl.col(origin).str.starts_with("◆"))
        .then(pl.col(value) + DERIVED_MARK)
        .when(pl.col(origin).str.starts_with("✓"))
        .then(pl.col(value) + CHECKED_MARK)
        .otherwise(pl.col(value))
        .alias(value)
    )


display = records.with_columns(
    marked("type_name", "type_origin"),
    marked("binding", "binding_origin"),
    marked("effects", "effects_origin"),
    marked("status", "status_origin"),
    marked("partner_names", "partners_origin"),
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
    "partner_names",
    "effects_text",
    "status_text",
    "outlook_text",
    "source_lines",
    "type_origin",
    "binding_origin",
    "effects_origin",
    "status_origin",
    "partners_origin",
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
contacts = identity.may_see_contacts()
# Generated only when clicked, on Streamlit's download thread: the page run stays fast, and the
# files hold every filtered record, not just the rows the table shows.
c1.download_button(
    "CSV herunterladen",
    data.deferred_records(filters, records_csv, with_contacts=contacts),
    file_name="ikz-kooperationen.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)
c2.download_button(
    "Excel herunterladen",
    data.deferred_records(filters, records_xlsx, with_contacts=contacts),
    file_name="ikz-kooperationen.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:",
    on_click="ignore",
)

rows = selection.selection.rows if selection else []
if rows:
    cooperation_id = int(display["cooperation_id"][rows[0]])
    detail = data.record_detail(cooperation_id)
    if detail:
        st.subheader(md_escape(detail["title"]))
        st.caption(
            md_escape(
                f"{detail['city']} · {detail['department']} · Quelle: {source_name(detail['source_file'])}, "
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
            st.markdown("**Klassifikation, Herkunft und Belege**")
            st.text(
                f"Kooperationsart: {detail['type_name']} – {detail['type_origin']} – "
                f"Belege: {detail['type_evidence'] or '–'}"
            )
            st.text(f"Kooperationsform: {detail['form']}")
            st.text(
                f"Verbindlichkeit: {detail['binding']} – {detail['binding_origin']} – "
                f"Belege: {detail['binding_evidence'] or '–'}"
            )
            st.text(f"Aufgabenbereich: {detail['task_area']}")
            st.text(
                f"Status: {detail['status']} – {detail['status_origin']} – "
                f"Belege: {detail['status_evidence'] or '–'}"
            )
            st.text(f"Effektkategorien: {detail['effects_origin']}")
            for effect in detail["effects"]:
                st.text(f"  {effect['effect']} – Belege: {effect['evidence'] or '–'}")
            st.text(f"Partner: {detail['partner_names'] or '–'} – {detail['partners_origin']}")
            st.page_link(
                "pages/review.py",
                label="Diesen Eintrag prüfen oder korrigieren",
                icon=":material/fact_check:",
                query_params={"eintrag": detail["cooperation_key"]},
            )
else:
    st.caption("Eine Zeile anklicken, um Originaltext und Belege der Klassifikation zu sehen.")
