"""Vergleich of two cities (default from data/cities.toml, chosen in the URL): shares side by side,
shared topics and suggestions, partners."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ikz.core.numbers import fmt_int, fmt_pct
from ikz.present import charts
from ikz.present.export import KeyFigure
from ikz.present.labels import origin_note
from ikz.read.queries import city_count
from ikz.rules.cities import joined, load_cities
from ikz.rules.sources import source_line
from ikz.rules.words import DERIVED
from ikz.ui import anregungen, data, views
from ikz.ui.layout import Page
from ikz.ui.map_view import MAP_SOURCE, partner_map, show_records
from ikz.ui.markdown import md_escape

# Filters that make sense when two cities are always shown, and the partners per chart: declared
# in ikz/ui/views.py with everything this page reads (the warm-up reads it too).
COMPARE_FILTERS = views.COMPARE_FILTERS
TOP_PARTNERS = views.TOP_PARTNERS
# URL parameters (and widget keys) of the two compared cities: a link opens the same pair.
PAIR_KEYS = ("stadt_a", "stadt_b")
PARTNER_CHOICE = "vergleich_partnerwahl"
CITIES_FILE = load_cities()


def chosen_pair() -> tuple[str, str]:
    """The two cities to compare: the widgets' (or the URL's) choice, else data/cities.toml's pair.

    Read before the widgets are drawn, so that title and source line name the pair; a name the
    cities file does not know leaves the URL and falls back to the default."""
    names = CITIES_FILE.names
    values = []
    for key in PAIR_KEYS:
        value = st.session_state.get(key) or st.query_params.get(key)
        if value is not None and value not in names:
            st.query_params.pop(key, None)
            st.session_state.pop(key, None)
            value = None
        values.append(value)
    first = values[0] or CITIES_FILE.compare[0]
    second = values[1]
    if second is None or second == first:  # the second choice's default (pair_widgets)
        others = [c for c in names if c != first]
        second = CITIES_FILE.compare[1] if CITIES_FILE.compare[1] in others else others[0]
    return first, second


def pair_widgets(pair: tuple[str, str]) -> None:
    """The two city choices in a row, each bound to the URL; the second never the first.

    Their defaults are the cities file's pair, whatever is chosen: a bound widget leaves the URL
    when it shows its default, so only a choice that differs from data/cities.toml is written there.
    """
    names = CITIES_FILE.names
    first_default, second_default = CITIES_FILE.compare
    others = tuple(c for c in names if c != pair[0])
    if st.session_state.get(PAIR_KEYS[1]) not in (None, *others):
        del st.session_state[PAIR_KEYS[1]]  # the second city just became the first
    left, right, _ = st.columns([1, 1, 2])
    left.selectbox(
        "Erste Stadt", names, index=names.index(first_default), key=PAIR_KEYS[0], bind="query-params"
    )
    right.selectbox(
        "Zweite Stadt",
        others,
        index=others.index(second_default) if second_default in others else 0,
        key=PAIR_KEYS[1],
        bind="query-params",
    )


PAIR = chosen_pair()
A, B = (CITIES_FILE.get(c) for c in PAIR)
# URL parameters (and widget keys) of the sections below the charts, open when „true“ (the ideas'
# sections: ikz/ui/anregungen.py).
SHARED_SECTION = "vergleich_gemeinsame_themen"
PARTNER_SECTION = "vergleich_partnereintraege_offen"
# What each document is; the numbers in the note come from the database.
DOCUMENT_KIND = {c.name: c.source.note for c in (A, B)}
# Chart notes stay short: in a half-width column a long footer line is cut off. A document without
# a Kooperationsart and Effekte column (format „bericht“) has them derived from its texts.
_DERIVED = [c.name for c in (A, B) if not c.source.prints_type]
TYPE_NOTE = f"{joined(_DERIVED)}: Kooperationsart aus den Texten {DERIVED.name}." if _DERIVED else ""
EFFECT_NOTE = "Mehrfachnennungen möglich." + (
    f" {joined(_DERIVED)}: Effekte {DERIVED.name}." if _DERIVED else ""
)
PAIR_COLUMNS = {
    "reason": "Warum sie passen (Stichwörter)",
    "first_title": f"{A.name}: Eintrag",
    "first_words": f"{A.name}: gefundene Wörter",
    "first_source": f"{A.name}: Quelle",
    "second_title": f"{B.name}: Eintrag",
    "second_words": f"{B.name}: gefundene Wörter",
    "second_source": f"{B.name}: Quelle",
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
    f"Vergleich {A.name} – {B.name}",
    "Wo sich die beiden Städte ähneln, wo sie sich unterscheiden und was die eine von "
    "der anderen übernehmen könnte. Die Filter der Seitenleiste gelten auch hier und bleiben beim "
    "Wechsel zwischen den Seiten erhalten.",
    filters=COMPARE_FILTERS,
    source=lambda _: source_line(PAIR),  # always both documents
)
presentation = page.presentation
if not presentation:
    pair_widgets(PAIR)
# The reads get the pair as their city filter (ikz.read.comparison.pair_of); the charts' subtitles keep
# the page's filters, which have no city.
filters = views.compared(page.filters, PAIR)
data.prefetch(views.vergleich_state(filters))  # its reads side by side on a state not read before
facts = data.city_facts(filters=filters).rows_by_key("city", named=True, unique=True)
CITIES = PAIR  # the compared cities, in display order
origins = data.origin_sums(filters=filters)


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
            f"{fmt_int(f['count_effects_derived'])} Einträgen aus den Texten {DERIVED.name}"
            + (f" ({', '.join(unknown)})" if unknown else "")
        )
    notes = " ".join(origin_note(origins, f, city=city) for f in ("type", "binding", "effects", "status"))
    return " · ".join(parts) + ". " + notes


COMPARABILITY = (
    "Die Dokumente unterscheiden sich in Jahr, Aufbau und Umfang; verglichen werden deshalb Anteile "
    "an den Einträgen jeder Stadt. Kooperationsform, Verbindlichkeit, Aufgabenbereich (KGSt) und "
    "Effektkategorien sind eigene Harmonisierungen."
)

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
shared = overview.filter(pl.col("count_first") > 0, pl.col("count_second") > 0)
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
# The caveat stays in sight; each document's stand and origins are one click away, so the charts
# start within the first screen at 1,280 px (they stood below a 400 px box).
st.caption(COMPARABILITY)
with st.expander("Zur Vergleichbarkeit: Stand und Herkunft der Werte je Stadt"):
    st.markdown("\n".join(f"- **{city}** {md_escape(city_note(city))}" for city in CITIES))

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
# Kooperationsform first: the comparison people make first, readable at a glance and drawn in
# two thirds of the time of the Profil's three dimensions with twenty-odd legend entries (measured
# in Chromium, issue 21); the Profil follows as the overview of all three.
SHARE_LABELS = [label for _, label, _, _ in SHARE_CHARTS]
tabs = page.tabs(
    [
        SHARE_LABELS[0],
        "Profil",
        *SHARE_LABELS[1:],
        "Themen",
        "Partnerarten",
        *(f"Partner {city}" for city in CITIES),
        "Karte",
    ]
)
# Per chart: its tab, title, figure, read (and part of it), widget key, note and figure options.
SHARES = tuple(
    (label, title, charts.city_share_bars, data.city_mix, dimension, f"vergleich_{dimension}", note,
     {"order": data.categories(dimension)}) for dimension, label, title, note in SHARE_CHARTS
)  # fmt: skip
CHARTS = (
    SHARES[0],
    ("Profil", "Profil: Kooperationsform, Verbindlichkeit und Aufgabenbereich", charts.city_profiles,
     data.city_mix, "profile", "vergleich_profil", TYPE_NOTE, {"orders": tuple(orders.items())}),
    *SHARES[1:],
    ("Themen", "Themen nach Aufgabenbereich: gemeinsam oder nur in einer Stadt", charts.topic_map,
     data.topic_overview, None, "vergleich_themen",
     "Balken: Anzahl der Einträge je Stadt; ein Eintrag kann mehreren Themen angehören.", {"cities": CITIES}),
    ("Partnerarten", "Partnerarten im Vergleich", charts.city_share_bars, data.partner_kinds, None,
     "vergleich_partnerarten",
     "Anteil der Einträge, die einen Partner dieser Art nennen; Mehrfachnennungen möglich.",
     {"order": data.categories("partner_kind")}),
)  # fmt: skip
for label, title, build, read, part, key, note, options in CHARTS:
    with page.tab(tabs[label]):
        page.chart(title, build, read, filters=filters, part=part, key=key, note=note, options=options)
for city in CITIES:
    with page.tab(tabs[f"Partner {city}"]) as is_open:
        # Read here, after the open tab's chart has gone out, when this tab is not the open one.
        partners = data.partners(filters=filters, top=TOP_PARTNERS).by_city
        if partners.filter(pl.col("city") == city).is_empty():
            if is_open:
                st.info(f"Bei diesen Filtern nennt {city} keinen Partner.", icon="🔍")
            continue
        page.chart(
            f"Meistgenannte Partner {CITIES_FILE.get(city).genitive}",
            charts.partner_bars,
            data.partners,
            filters=filters,
            top=TOP_PARTNERS,
            part="by_city",
            key=f"vergleich_partner_{city.lower()}",
            note=f"Die {TOP_PARTNERS} meistgenannten Partner.",
            options={"kinds": data.categories("partner_kind"), "city": city},
        )
with page.tab(tabs["Karte"]):
    # The same partners on the map (ikz/ui/map_view.py, as on the page „Karte“); a click picks the
    # partner in „Partner“ below and opens its records. Closed, the map is only built for the export.
    partner_map(
        page,
        key="vergleich_karte",
        lines=False,
        select_key=PARTNER_CHOICE,
        open_key=PARTNER_SECTION,
        filters=filters,
    )
page.end_of_charts()

# --- 2. Shared topics and suggestions ----------------------------------------------------------
# Each part below the charts is a section that opens on a click, its count in a line above: only
# an open one runs (its tables, and the ideas' widgets are many elements), so a filter change
# redraws the charts and the counts, not grids nobody looks at (issue 21). Each is bound to the
# URL: a shared link opens the same sections.
st.header("Gemeinsame Themen und Anregungen")
st.caption(
    "Jeder Eintrag wird den Themen zugeordnet, die seine Texte nennen (Stichwörter und Wortstämme "
    "aus dem Themen-Vokabular, auch in zusammengesetzten Wörtern; „≈“ markiert einen Treffer trotz "
    "Tippfehler). Ein Thema beider Städte ist gemeinsam; eines, das nur eine Stadt nennt, ist eine "
    "Anregung für die andere."
)


def section(label: str, key: str) -> st.delta_generator.DeltaGenerator | None:
    """A section that runs only while open (its state in the URL); None when closed."""
    box = st.expander(label, key=key, bind="query-params")
    return box if box.open else None


def captioned_table(caption: str, frame: pl.DataFrame, columns: dict[str, str], *, key: str) -> None:
    """A caption, then the frame's columns under their German names."""
    st.caption(caption)
    st.dataframe(frame.select(list(columns)).rename(columns), hide_index=True, key=key)


# The counts stand above the sections, not in their labels: a label that changes with the filters
# would make a new section, closed again, on every filter change.
idea_counts = {
    city: data.idea_count(filters=filters, for_city=other)
    for city, other in ((B.name, A.name), (A.name, B.name))
}
pairs_count = data.record_pairs(filters=filters).height
st.markdown(
    f"**{fmt_int(shared.height)}** gemeinsame Themen, **{fmt_int(pairs_count)}** "
    f"Paare einander entsprechender Einträge · **{fmt_int(idea_counts[B.name])}** Anregungen aus "
    f"{B.name} für {A.name}, **{fmt_int(idea_counts[A.name])}** aus {A.name} für {B.name}"
)
if box := section("Gemeinsame Themen und Einträge, die einander entsprechen", SHARED_SECTION):
    with box:
        st.dataframe(
            shared.select(
                pl.col("area").alias("Aufgabenbereich"),
                pl.col("topic").alias("Thema"),
                pl.col("count_first").alias(f"Einträge {A.name}"),
                pl.col("count_second").alias(f"Einträge {B.name}"),
                pl.col("stems_first").alias(f"Stichwörter {A.name}"),
                pl.col("stems_second").alias(f"Stichwörter {B.name}"),
                pl.col("titles_first").alias(f"Einträge {A.name} (Titel)"),
                pl.col("titles_second").alias(f"Einträge {B.name} (Titel)"),
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
                help=f"Jedes Paar: ein {A.adjective} und ein {B.adjective} Eintrag, die dasselbe "
                "Thema nennen.",
            )
            pairs = data.topic_pairs(filters=filters, topic=chosen)
            captioned_table(
                f"{fmt_int(pairs.height)} Paare. Warum sie passen: die Stichwörter, die beide nennen "
                "(sonst die jeder Seite), und die gefundenen Wörter mit ihrem Feld.",
                pairs,
                PAIR_COLUMNS,
                key="vergleich_paare",
            )
        else:
            st.info("Bei diesen Filtern nennen die beiden Städte kein gemeinsames Thema.", icon="🔍")
        anregungen.show_record_pairs(filters)
for city, other in ((B.name, A.name), (A.name, B.name)):
    box = section(f"Anregungen aus {city} für {other}", anregungen.SECTION_KEYS[city])
    if not box:
        continue
    with box:
        # Record by record (ikz/derive/matching.py); the topics only one city names follow.
        anregungen.show_ideas(filters, source_city=city, for_city=other)
        suggestions = data.topic_suggestions(filters=filters, source_city=city)
        only_here = f"Auch die Themen zeigen, die nur {city} nennt"
        if not st.toggle(only_here, key=f"vergleich_nur_{city.lower()}"):
            continue
        if suggestions.is_empty():
            st.info(f"Bei diesen Filtern nennt {city} kein Thema, das {other} nicht auch nennt.", icon="🔍")
            continue
        captioned_table(
            f"{fmt_int(suggestions['topic'].n_unique())} Themen in {fmt_int(suggestions.height)} "
            "Einträgen, nach Aufgabenbereich (aus dem Themen-Vokabular).",
            suggestions,
            SUGGESTION_COLUMNS,
            key=f"vergleich_anregungen_{city.lower()}",
        )

# --- 3. Partners --------------------------------------------------------------------------------
st.header("Partner")
st.caption(
    "Landkreise, Städte, Gemeinden, Behörden und Verbände, die die Texte beim Namen nennen – "
    "erkannt mit dem Partner-Verzeichnis. Die Stadt selbst zählt nie als ihr eigener "
    "Partner; Sammelbegriffe wie „benachbarte Landkreise“ sind keine benannten Partner."
)
table = data.partners(filters=filters, top=TOP_PARTNERS).table  # the same count as the charts'
table = table.with_columns(city_count(A.name).alias("count_first"), city_count(B.name).alias("count_second"))
both = table.filter(pl.col("count_first") > 0, pl.col("count_second") > 0)["partner"].to_list()
if both:
    st.caption("Von beiden Städten genannt: " + md_escape(", ".join(both)) + ".")
if not table.is_empty() and (box := section("Einträge, die einen Partner nennen", PARTNER_SECTION)):
    with box:
        counts = {r["partner"]: r for r in table.iter_rows(named=True)}
        chosen = st.selectbox(
            "Einträge, die diesen Partner nennen",
            table["partner"].to_list(),
            key=PARTNER_CHOICE,
            format_func=lambda p: (
                f"{p} ({counts[p]['kind']}) – {A.name} {fmt_int(counts[p]['count_first'])}, "
                f"{B.name} {fmt_int(counts[p]['count_second'])}"
            ),
        )
        show_records(
            data.partner_records(filters=filters, partner=chosen),
            chosen,
            key="vergleich_partnereintraege",
            cities=PAIR,
        )


def idea_slides() -> tuple:
    """The deck's „Anregungen“ slide from both directions' ideas (made when a file is built)."""
    slide = anregungen.ideas_slide(
        pl.concat([anregungen.idea_list(filters, city) for city in (A.name, B.name)], how="diagonal_relaxed")
    )
    return (slide,) if slide else ()


page.export(
    subtitle="Anteile, gemeinsame Themen, Anregungen und Partner",
    extra_slides=idea_slides,
    key_figures=key_figures,
    sources=(*(f"{d.citation} ({d.as_of})" for d in (A.source, B.source)), MAP_SOURCE),
    note=" ".join([*(f"{city} {city_note(city)}" for city in CITIES), COMPARABILITY]),
)
