"""Vergleich Erfurt – Magdeburg: shares side by side, shared topics and suggestions, partners."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ikz import charts
from ikz.export import KeyFigure
from ikz.labels import origin_note
from ikz.sources import DOCUMENTS, ERFURT, MAGDEBURG, source_line
from ikz.theme import fmt_int, fmt_pct
from pages import anregungen, data
from pages.layout import Page
from pages.map_view import MAP_SOURCE, partner_map, show_records
from pages.markdown import md_escape

# Filters that make sense when both cities are always shown: no city, no department (each city
# has its own), no status (only Magdeburg reports one).
COMPARE_FILTERS = ("types", "forms", "bindings", "task_areas", "effects", "search")
TOP_PARTNERS = 15
# What each document is; the numbers in the note come from the database.
DOCUMENT_KIND = {
    ERFURT.city: "listet bestehende Kooperationen; Kooperationsart und Effekte stehen im Dokument",
    MAGDEBURG.city: "berichtet Gremien und Projekte mit Arbeitsstand",
}
# Chart notes stay short: in a half-width column a long footer line is cut off.
TYPE_NOTE = "Magdeburg: Kooperationsart aus den Texten abgeleitet."
EFFECT_NOTE = "Mehrfachnennungen möglich. Magdeburg: Effekte abgeleitet."
PAIR_COLUMNS = {
    "reason": "Warum sie passen (Stichwörter)",
    "erfurt_title": "Erfurt: Eintrag",
    "erfurt_words": "Erfurt: gefundene Wörter",
    "erfurt_source": "Erfurt: Quelle",
    "magdeburg_title": "Magdeburg: Eintrag",
    "magdeburg_words": "Magdeburg: gefundene Wörter",
    "magdeburg_source": "Magdeburg: Quelle",
}
SUGGESTION_COLUMNS = {
    "area": "Aufgabenbereich",
    "topic": "Thema",
    "department": "Fachbereich/Amt",
    "title": "Eintrag",
    "status": "Status",
    "words": "Gefundene Wörter",
    "source": "Quelle",
}

page = Page.open(
    "vergleich",
    "Vergleich Erfurt – Magdeburg",
    "Wo sich die beiden Landeshauptstädte ähneln, wo sie sich unterscheiden und was die eine von "
    "der anderen übernehmen könnte. Die Filter der Seitenleiste gelten auch hier und bleiben beim "
    "Wechsel zwischen den Seiten erhalten.",
    filters=COMPARE_FILTERS,
    source=lambda _: source_line(),  # always both documents
)
filters, presentation = page.filters, page.presentation
facts = data.city_facts(filters=filters).rows_by_key("city", named=True, unique=True)
CITIES = tuple(facts)  # the compared cities, in display order
origins = data.origin_counts(filters=filters)


def city_note(city: str) -> str:
    """The comparability note's line for one city (after its name), from the database's counts."""
    f = facts[city]
    records = f"{fmt_int(f['count_records'])} Einträge"
    if f["count_bodies"] or f["count_projects"]:
        records += (
            f" ({fmt_int(f['count_bodies'])} Gremien, {fmt_int(f['count_projects'])} Projekte, "
            f"davon {fmt_int(f['count_with_status'])} mit Arbeitsstand)"
        )
    parts = [f"Stand: {f['as_of']}", DOCUMENT_KIND[city], records]
    if f["count_type_derived"] or f["count_effects_derived"]:
        unknown = [
            f"{fmt_int(n)} {what}"
            for n, what in (
                (f["count_type_na"], "ohne erkennbare Art"),
                (f["count_effects_na"], "ohne erkennbare Effekte"),
            )
            if n
        ]
        parts.append(
            f"Kooperationsart bei {fmt_int(f['count_type_derived'])} und Effekte bei "
            f"{fmt_int(f['count_effects_derived'])} Einträgen aus den Texten abgeleitet"
            + (f" ({', '.join(unknown)})" if unknown else "")
        )
    notes = " ".join(origin_note(origins, f, city=city) for f in ("type", "binding", "effects", "status"))
    return " · ".join(parts) + ". " + notes


COMPARABILITY = (
    "Die Dokumente unterscheiden sich in Jahr, Aufbau und Umfang; verglichen werden deshalb Anteile "
    "an den Einträgen jeder Stadt. Kooperationsform, Verbindlichkeit, Aufgabenbereich (KGSt) und "
    "Effektkategorien sind eigene Harmonisierungen."
)
with st.container(border=True):
    st.markdown("**Zur Vergleichbarkeit**")
    lines = [f"- **{city}** {md_escape(city_note(city))}" for city in CITIES]
    st.markdown("\n".join([*lines, f"- {md_escape(COMPARABILITY)}"]))

total = sum(facts[city]["count_records"] for city in CITIES)
if total == 0:
    st.info(
        "Keine Kooperation passt zu diesen Filtern – in keiner der beiden Städte. Bitte einen Filter "
        "lockern oder „Filter zurücksetzen“ in der Seitenleiste wählen.",
        icon="🔍",
    )
    st.stop()
for city in CITIES:
    if facts[city]["count_records"] == 0:
        other = next(c for c in CITIES if c != city)
        st.warning(
            f"Für {city} passt kein Eintrag zu diesen Filtern; die Diagramme zeigen nur {other}.", icon="⚖️"
        )


overview = data.topic_overview(filters=filters)
shared = overview.filter(pl.col("count_erfurt") > 0, pl.col("count_magdeburg") > 0)
key_figures = [
    KeyFigure(
        f"Einträge {city}",
        fmt_int(facts[city]["count_records"]),
        f"Stand: {facts[city]['as_of']}",
    )
    for city in CITIES
]
key_figures.append(
    KeyFigure(
        "Gemeinsame Themen",
        fmt_int(shared.height),
        f"von {fmt_int(overview.height)} genannten Themen ({fmt_pct(shared.height / overview.height)})"
        if overview.height
        else "",
    )
)
page.key_figures(key_figures)

# --- 1. The charts: one per tab at full width, the open tab in the URL --------------------------
# Only the open tab's chart is drawn (issue 21); the others are built from the cache for the export,
# which holds every chart. Profile and the four share charts come from one cached read.
orders = {
    label: data.categories(dimension)
    for dimension, label in (
        ("form", "Kooperationsform"),
        ("binding", "Verbindlichkeit"),
        ("task_area", "Aufgabenbereich"),
    )
}
SHARE_CHARTS = (
    ("form", "Kooperationsform", "Kooperationsform im Vergleich", TYPE_NOTE),
    ("effect", "Effektkategorien", "Effektkategorien im Vergleich", EFFECT_NOTE),
    ("binding", "Verbindlichkeit", "Verbindlichkeit im Vergleich", TYPE_NOTE),
    ("task_area", "Aufgabenbereich", "Aufgabenbereich (KGSt) im Vergleich", ""),
)
tabs = page.tabs(
    [
        "Profil",
        *(label for _, label, _, _ in SHARE_CHARTS),
        "Themen",
        "Partnerarten",
        *(f"Partner {city}" for city in CITIES),
        "Karte",
    ]
)
with page.tab(tabs["Profil"]):
    page.chart(
        "Profil: Kooperationsform, Verbindlichkeit und Aufgabenbereich",
        charts.city_profiles,
        data.city_mix,
        filters=filters,
        part="profile",
        key="vergleich_profil",
        note=TYPE_NOTE,
        options={"orders": tuple(orders.items())},
    )
for dimension, label, title, note in SHARE_CHARTS:
    with page.tab(tabs[label]):
        page.chart(
            title,
            charts.city_share_bars,
            data.city_mix,
            filters=filters,
            part=dimension,
            key=f"vergleich_{dimension}",
            note=note,
            options={"order": data.categories(dimension)},
        )
with page.tab(tabs["Themen"]):
    page.chart(
        "Themen nach Aufgabenbereich: gemeinsam oder nur in einer Stadt",
        charts.topic_map,
        data.topic_overview,
        filters=filters,
        key="vergleich_themen",
        note="Balken: Anzahl der Einträge je Stadt; ein Eintrag kann mehreren Themen angehören.",
        options={"cities": CITIES},
    )
with page.tab(tabs["Partnerarten"]):
    page.chart(
        "Partnerarten im Vergleich",
        charts.city_share_bars,
        data.partner_kinds,
        filters=filters,
        key="vergleich_partnerarten",
        note="Anteil der Einträge, die einen Partner dieser Art nennen; Mehrfachnennungen möglich.",
        options={"order": data.categories("partner_kind")},
    )
for city in CITIES:
    with page.tab(tabs[f"Partner {city}"]) as is_open:
        # Read here, after the open tab's chart has gone out, when this tab is not the open one.
        partners = data.partners_by_city(filters=filters, top=TOP_PARTNERS)
        if partners.filter(pl.col("city") == city).is_empty():
            if is_open:
                st.info(f"Bei diesen Filtern nennt {city} keinen Partner.", icon="🔍")
            continue
        page.chart(
            f"Meistgenannte Partner {'Erfurts' if city == ERFURT.city else 'Magdeburgs'}",
            charts.partner_bars,
            data.partners_by_city,
            filters=filters,
            top=TOP_PARTNERS,
            key=f"vergleich_partner_{city.lower()}",
            note=f"Die {TOP_PARTNERS} meistgenannten Partner.",
            options={"kinds": data.categories("partner_kind"), "city": city},
        )
with page.tab(tabs["Karte"]):
    # The same partners on the map (pages/map_view.py, as on the page „Karte“); a click picks the
    # partner in „Partner“ below. Closed, the map is only built for the export.
    partner_map(page, key="vergleich_karte", lines=False, select_key="vergleich_partnerwahl")
page.end_of_charts()

# --- 2. Shared topics and suggestions ----------------------------------------------------------
st.header("Gemeinsame Themen und Anregungen")
st.caption(
    "Jeder Eintrag wird den Themen zugeordnet, die seine Texte nennen (Stichwörter und Wortstämme "
    "aus dem Themen-Vokabular, auch in zusammengesetzten Wörtern; „≈“ markiert einen Treffer trotz "
    "Tippfehler). Ein Thema beider Städte ist gemeinsam; eines, das nur eine Stadt nennt, ist eine "
    "Anregung für die andere."
)
if not presentation:
    # Only the open tab runs (its tables and the ideas' widgets are many elements); the ideas of
    # a closed one are still read for the deck's „Anregungen“ slide.
    tab_shared, tab_from_md, tab_from_ef = st.tabs(
        [
            f"Gemeinsame Themen ({fmt_int(shared.height)})",
            "Anregungen aus Magdeburg",
            "Anregungen aus Erfurt",
        ],
        key="vergleich_themen_reiter",
        on_change="rerun",
    )
    if tab_shared.open:
        with tab_shared:
            st.dataframe(
                shared.select(
                    pl.col("area").alias("Aufgabenbereich"),
                    pl.col("topic").alias("Thema"),
                    pl.col("count_erfurt").alias("Einträge Erfurt"),
                    pl.col("count_magdeburg").alias("Einträge Magdeburg"),
                    pl.col("stems_erfurt").alias("Stichwörter Erfurt"),
                    pl.col("stems_magdeburg").alias("Stichwörter Magdeburg"),
                    pl.col("titles_erfurt").alias("Einträge Erfurt (Titel)"),
                    pl.col("titles_magdeburg").alias("Einträge Magdeburg (Titel)"),
                ),
                hide_index=True,
                key="vergleich_gemeinsam",
            )
            topics = shared["topic"].to_list()
            if topics:
                chosen = st.selectbox(
                    "Passende Paare für das Thema",
                    topics,
                    key="vergleich_thema",
                    help="Jedes Paar: ein Erfurter und ein Magdeburger Eintrag, die dasselbe Thema nennen.",
                )
                pairs = data.topic_pairs(filters=filters, topic=chosen)
                st.caption(
                    f"{fmt_int(pairs.height)} Paare. Warum sie passen: die Stichwörter, die beide nennen "
                    "(sonst die jeder Seite), und die gefundenen Wörter mit ihrem Feld."
                )
                st.dataframe(
                    pairs.select(list(PAIR_COLUMNS)).rename(PAIR_COLUMNS),
                    hide_index=True,
                    key="vergleich_paare",
                )
            else:
                st.info("Bei diesen Filtern nennen die beiden Städte kein gemeinsames Thema.", icon="🔍")
            anregungen.show_record_pairs(filters)
    idea_frames = []
    for tab, city, other in (
        (tab_from_md, MAGDEBURG.city, ERFURT.city),
        (tab_from_ef, ERFURT.city, MAGDEBURG.city),
    ):
        if not tab.open:
            idea_frames.append(anregungen.idea_list(filters, other))
            continue
        with tab:
            # Record by record (ikz/matching.py); the topic view stays below as an overview.
            idea_frames.append(anregungen.show_ideas(filters, source_city=city))
            suggestions = data.topic_suggestions(filters=filters, source_city=city)
            with st.expander(f"Themen, die nur {city} nennt"):
                if suggestions.is_empty():
                    st.info(
                        f"Bei diesen Filtern nennt {city} kein Thema, das {other} nicht auch nennt.",
                        icon="🔍",
                    )
                    continue
                st.caption(
                    f"{fmt_int(suggestions['topic'].n_unique())} Themen in {fmt_int(suggestions.height)} "
                    "Einträgen, nach Aufgabenbereich (aus dem Themen-Vokabular)."
                )
                st.dataframe(
                    suggestions.select(list(SUGGESTION_COLUMNS)).rename(SUGGESTION_COLUMNS),
                    hide_index=True,
                    key=f"vergleich_anregungen_{city.lower()}",
                )

# --- 3. Partners --------------------------------------------------------------------------------
st.header("Partner")
st.caption(
    "Landkreise, Städte, Gemeinden, Behörden und Verbände, die die Texte beim Namen nennen – "
    "erkannt mit dem Partner-Verzeichnis. Die Stadt selbst zählt nie als ihr eigener "
    "Partner; Sammelbegriffe wie „benachbarte Landkreise“ sind keine benannten Partner."
)
table = data.partner_table(filters=filters)
both = table.filter(pl.col("count_erfurt") > 0, pl.col("count_magdeburg") > 0)["partner"].to_list()
if both:
    st.caption("Von beiden Städten genannt: " + md_escape(", ".join(both)) + ".")
if not table.is_empty():
    counts = {r["partner"]: r for r in table.iter_rows(named=True)}
    chosen = st.selectbox(
        "Einträge, die diesen Partner nennen",
        table["partner"].to_list(),
        key="vergleich_partnerwahl",
        format_func=lambda p: (
            f"{p} ({counts[p]['kind']}) – Erfurt {fmt_int(counts[p]['count_erfurt'])}, "
            f"Magdeburg {fmt_int(counts[p]['count_magdeburg'])}"
        ),
    )
    show_records(
        data.partner_records(filters=filters, partner=chosen), chosen, key="vergleich_partnereintraege"
    )

idea_slide = anregungen.ideas_slide(pl.concat(idea_frames, how="diagonal_relaxed"))
page.export(
    subtitle="Anteile, gemeinsame Themen, Anregungen und Partner",
    extra_slides=(idea_slide,) if idea_slide else (),
    key_figures=key_figures,
    sources=(*(f"{d.citation} ({d.as_of})" for d in DOCUMENTS), MAP_SOURCE),
    note=" ".join([*(f"{city} {city_note(city)}" for city in CITIES), COMPARABILITY]),
)
