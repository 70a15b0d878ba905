"""Überblick: key figures, charts and records of the filtered cooperations."""

from __future__ import annotations

import streamlit as st

from ikz.core.numbers import fmt_int, fmt_pct
from ikz.present import charts
from ikz.present.export import KeyFigure, checked_values_slide, records_csv, records_xlsx
from ikz.present.export.spec import against_base
from ikz.present.labels import origin_note, unchecked_note
from ikz.present.record_table import ORIGIN_COLUMN
from ikz.rules.cities import joined, load_cities
from ikz.rules.sources import DOCUMENTS, source_name
from ikz.rules.words import (
    CHECKED,
    COLUMN_LABELS,
    COMMITTED_BINDINGS,
    DERIVED,
    DOCUMENT,
    NO_INFO,
)
from ikz.ui import data, identity, views
from ikz.ui.editions_view import changes_section, development_chart, development_cities
from ikz.ui.layout import Page
from ikz.ui.markdown import md_escape
from ikz.ui.state import select_into_filter

CITIES = load_cities()
_REPORTING = [c.name for c in CITIES.cities if c.source.reports_status]
_SILENT = [c.genitive for c in CITIES.cities if not c.source.reports_status]
STATUS_NOTE = (
    f"Einen Arbeitsstand berichtet nur {joined(_REPORTING)}; {joined(_SILENT)} Einträge stehen unter "
    f"„{NO_INFO}“."
    if _REPORTING and _SILENT
    else ""
)
COMPARABILITY_NOTE = " ".join(
    [
        *(c.source.description for c in CITIES.cities),
        "Kooperationsform, Verbindlichkeit, Effektkategorien und Aufgabenbereiche sind eigene "
        "Harmonisierungen.",
    ]
)
_OTHERS = [c for c in CITIES.cities if c.name != CITIES.home]
LEAD = (
    f"Kooperationen der {CITIES.owner}"
    + (
        " und – zum Vergleich – " + joined([f"{c.genitive} (Stand {c.source.as_of})" for c in _OTHERS])
        if _OTHERS
        else ""
    )
    + ". Filter in der Seitenleiste; die Adresse dieser Seite hält die Auswahl fest und kann geteilt werden."
)
TOP_DEPARTMENTS = views.TOP_DEPARTMENTS
TABLE_LIMIT = views.TABLE_LIMIT  # rows sent to the browser; the downloads hold all filtered records
TABLE_KEY = "records_table"
DETAIL_KEY = "eintrag_offen"  # the cooperation_id whose detail opens in this run
DETAIL_WIDTH = 640  # px, the drawer's initial width (the person can resize it)
COLUMN_WIDTHS = {"Nr.": 60, "Bezeichnung / Thema": 380, ORIGIN_COLUMN: 260}
HELP = {
    # „Öffentlich-rechtlich oder vertraglich“: the taxonomy's committed_bindings.
    "Anteil verbindlicher Kooperationen": (lambda t: t[:1].upper() + t[1:])(
        " oder ".join(COMMITTED_BINDINGS)
    ),
    "Häufigste Effektkategorie": f"Ohne „{NO_INFO}“; ein Eintrag kann mehreren Kategorien angehören",
}

page = Page.open(
    "ueberblick",
    "Interkommunale Zusammenarbeit",
    LEAD,
)
filters = page.filters
# Every aggregate of this page comes from this one cached read (one statement over the mart).
# Its arguments, like all this page reads, are declared in ikz/ui/views.py (warmed there too).
view = views.overview_args(filters)
data.prefetch(views.ueberblick_state(filters))  # its reads side by side on a state not read before
# The page's one heavy read (cached afterwards): said where the page begins, not only by the
# running indicator in the corner.
with st.spinner("Kennzahlen und Diagramme werden berechnet …"):
    figures = data.overview(**view).key_figures
    total = data.key_figures(filters=filters.only("cities"))  # the base: the chosen cities' own records
    origins = data.origin_sums(filters=filters)


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

ORIGIN_NOTE = f"{unchecked_note(origins)} Herkunft der gezeigten Werte – " + " ".join(
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
# One chart per tab at full width, the open tab in the URL: only its chart is drawn (issue 21);
# the others are built from the cache for the export, which holds every chart.
# Per chart: its tab, title, figure, part of the overview read, widget key, note, the field whose
# origins the note names, the filter a click on a bar sets, and the figure's options.
CHARTS = (
    ("Kooperationsart", "Kooperationen nach Kooperationsart", charts.bar_by_category, "by_type",
     "chart_types", "", "type", "types", {"category": "type_name", "color_by": "form"}),
    ("Kooperationsform", "Kooperationen nach Kooperationsform", charts.bar_by_category, "by_form",
     "chart_forms", "", "type", "forms", {}),
    ("Fachbereich/Amt", "Kooperationen nach Fachbereich/Amt", charts.departments_stacked, "by_department",
     "chart_departments", note_top, "type", "departments", {"forms": data.categories("form")}),
    ("Effektkategorie", "Kooperationen nach Effektkategorie", charts.effects_bar, "by_effect",
     "chart_effects", "", "effects", "effects", {}),
    ("Status", "Kooperationen nach Status", charts.bar_by_category, "by_status",
     "chart_status", STATUS_NOTE, "status", "statuses", {}),
    ("Fachbereich × Effektkategorie", "Fachbereich × Effektkategorie", charts.effect_heatmap, "effect_matrix",
     "chart_heatmap", note_top, "effects", None, {"effects": data.categories("effect")}),
    ("Aufgabenbereich", "Aufgabenbereich → Fachbereich → Kooperationsform", charts.task_area_treemap,
     "task_area_tree", "chart_treemap", "Aufgabenbereiche nach dem KGSt-Aufgabengliederungsplan.", "type",
     None, {}),
)  # fmt: skip
growing = development_cities(filters.cities)
tabs = page.tabs([chart[0] for chart in CHARTS] + (["Entwicklung"] if growing else []))
for label, title, build, part, key, note, field, target, options in CHARTS:
    with page.tab(tabs[label]):
        page.chart(
            title,
            build,
            data.overview,
            **view,
            part=part,
            key=key,
            note=with_origin(note, field),
            on_select=select_into_filter(key, target) if target else None,
            options=options or None,
        )
if growing:
    with page.tab(tabs["Entwicklung"]):
        development_chart(page, growing)
page.end_of_charts()


def checked_slides() -> tuple:
    """The values the office checked, with who and when: the council sees what a person vouched for."""
    checked = checked_values_slide(
        data.checked_values(filters=filters),
        subtitle=page.subtitle,
        source="Prüfungen der Stabsstelle Strategie im IKZ Dashboard (Seite „Prüfen“)",
    )
    return (checked,) if checked else ()


page.export(
    subtitle="Überblick der Kooperationen",
    key_figures=key_figures,
    sources=tuple(
        f"{d.citation} ({d.as_of})" for d in DOCUMENTS if not filters.cities or d.city in filters.cities
    ),
    note=f"{COMPARABILITY_NOTE} {ORIGIN_NOTE}",
    extra_slides=checked_slides,
)

# --- The records behind the charts -------------------------------------------------------
st.header("Einträge")
table = data.records_table(filters=filters, limit=TABLE_LIMIT, columns=views.TABLE_COLUMNS)
if figures.cooperations > TABLE_LIMIT:
    st.caption(
        f"Angezeigt werden die ersten {fmt_int(TABLE_LIMIT)} von {fmt_int(figures.cooperations)} "
        "Einträgen; die Downloads enthalten alle."
    )
st.caption(
    f"{DERIVED.mark} = aus dem Text {DERIVED.name} (kein eigenes Feld im {DOCUMENT.name}), "
    f"{CHECKED.mark} = von der Stabsstelle {CHECKED.name}; die Spalte „Herkunft“ nennt die Felder, wer und "
    f"wann {CHECKED.name} hat, stehen in den Spalten „Herkunft …“ am Ende. **Einen Eintrag anklicken:** "
    "Originaltext und Belege öffnen sich rechts daneben."
)


def open_record(ids: list[int]) -> None:
    """Callback of the table: a click on a row's text (a cell) or its checkbox opens that record.

    The selection is cleared again, so a second click on the same row opens it once more.
    """
    selection = (st.session_state.get(TABLE_KEY) or {}).get("selection", {})
    rows = [*selection.get("rows", []), *(cell[0] for cell in selection.get("cells", []))]
    if rows and 0 <= rows[0] < len(ids):
        st.session_state[DETAIL_KEY] = ids[rows[0]]
    st.session_state[TABLE_KEY] = {"selection": {"rows": [], "columns": [], "cells": []}}


ids = table[COLUMN_LABELS["cooperation_id"]].to_list()
st.dataframe(
    # As an Arrow table: Streamlit sends it as it is, where a polars frame went through pandas
    # first (about 3 ms a run for the 1,000 rows at a million cooperations, profiled).
    table.to_arrow(),
    hide_index=True,
    key=TABLE_KEY,
    on_select=lambda: open_record(ids),
    # A click on any cell selects it (and so opens the record), not only the checkbox at the left.
    selection_mode=["single-row", "single-cell"],
    # Widths in px: with the checkbox column the first three fit the 820 px of the table at 1,280 px.
    column_config={
        "Nr.": st.column_config.NumberColumn(width=COLUMN_WIDTHS["Nr."], format="%d"),
        "Bezeichnung / Thema": st.column_config.TextColumn(width=COLUMN_WIDTHS["Bezeichnung / Thema"]),
        ORIGIN_COLUMN: st.column_config.TextColumn(
            width=COLUMN_WIDTHS[ORIGIN_COLUMN],
            help=f"{DERIVED.mark} = {DERIVED.name}, {CHECKED.mark} = {CHECKED.name}; "
            f"alle übrigen Felder wie im {DOCUMENT.name}",
        ),
    },
)


# A row that wraps rather than columns of a fifth each, which cut the labels at 1,280 px.
c1 = c2 = st.container(horizontal=True, key="eintraege_downloads")
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


def record_body(detail: dict) -> None:
    """Original text, then classification with origin and evidence, then the way to Prüfen."""
    st.caption(
        md_escape(
            f"{detail['city']} · {detail['department']} · Quelle: {source_name(detail['source_file'])}, "
            f"{detail['source_lines']}"
        )
    )
    st.page_link(
        "pages/review.py",
        label="Diesen Eintrag prüfen oder korrigieren",
        icon=":material/fact_check:",
        query_params={"eintrag": detail["cooperation_key"]},
    )
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
        f"Status: {detail['status']} – {detail['status_origin']} – Belege: {detail['status_evidence'] or '–'}"
    )
    st.text(f"Effektkategorien: {detail['effects_origin']}")
    for effect in detail["effects"]:
        st.text(f"  {effect['effect']} – Belege: {effect['evidence'] or '–'}")
    st.text(f"Partner: {detail['partner_names'] or '–'} – {detail['partners_origin']}")


# One-shot: opened in the run the click started; Esc, the X or a click beside it closes it without
# a rerun, and the next run (a filter change) does not bring it back.
if (cooperation_id := st.session_state.pop(DETAIL_KEY, None)) is not None:
    detail = data.record_detail(int(cooperation_id))
    if detail:
        # A drawer at the right: the table stays in view beside it, where the person clicked.
        st.dialog(md_escape(detail["title"]), width=DETAIL_WIDTH, position="right")(record_body)(detail)
