"""URL and filter state of the pages: the sidebar filters bound to the address, selections, view mode."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import streamlit as st

from ikz.read import queries
from ikz.read.queries import Filters
from ikz.rules.cities import joined, load_cities
from ikz.rules.words import DERIVED, FILTER_LABELS
from ikz.ui import data
from ikz.ui.markdown import md_escape

# URL parameter (= widget key) per filter; German, so a mailed link reads naturally.
FILTER_KEYS: dict[str, str] = {
    "cities": "stadt",
    "types": "art",
    "forms": "form",
    "bindings": "verbindlichkeit",
    "task_areas": "bereich",
    "departments": "amt",
    "effects": "effekt",
    "statuses": "status",
    "search": "suche",
    "start_years": "beginn",
}
PRESENTATION_KEY = "praesentation"
SEARCH_MAX_CHARS = queries.MAX_SEARCH_LENGTH


# Which documents derive their Kooperationsart, which report an Arbeitsstand (data/cities.toml).
_CITIES = load_cities().cities
_DERIVED = [c.genitive for c in _CITIES if not c.source.prints_type]
TYPE_HELP = "Kanonische Kooperationsart" + (
    f"; {joined(_DERIVED)} Arten sind aus den Texten {DERIVED.name}." if _DERIVED else "."
)
_REPORTING = [c.name for c in _CITIES if c.source.reports_status]
STATUS_HELP = (
    f"Arbeitsstand (nur {joined(_REPORTING)} berichtet ihn)"
    if _REPORTING and len(_REPORTING) < len(_CITIES)
    else "Arbeitsstand"
)


def _unknown_url_values(key: str, allowed: tuple[str, ...]) -> list[str]:
    """Values in the URL for key that are not valid options (Streamlit drops them silently)."""
    if key not in st.query_params:
        return []
    return [v for v in st.query_params.get_all(key) if v and v not in allowed]


def _prune(key: str, allowed: tuple[str, ...]) -> None:
    """Drop selections no longer offered (e.g. a department after its city was deselected)."""
    current = st.session_state.get(key)
    if isinstance(current, list) and any(v not in allowed for v in current):
        st.session_state[key] = [v for v in current if v in allowed]


def reset_filters() -> None:
    """Callback of 'Filter zurücksetzen': every filter back to its default."""
    for key in FILTER_KEYS.values():
        st.session_state[key] = "" if key == FILTER_KEYS["search"] else []


def sidebar_filters(*, include: tuple[str, ...] = tuple(FILTER_KEYS)) -> Filters:
    """Render the shared sidebar filters (bound to the URL) and return the chosen Filters."""
    all_options = data.filter_options()
    notices: list[str] = []
    chosen: dict[str, Any] = {}
    sidebar = st.sidebar
    sidebar.header("Filter")

    def multiselect(name: str, values: tuple[str, ...], *, placeholder: str, help: str) -> None:
        key = FILTER_KEYS[name]
        bad = _unknown_url_values(key, values)
        if bad:
            # Shown as typed: a value such as „[Anmelden](https://…)“ in a mailed link must not become a link.
            notices.append(f"{FILTER_LABELS[name]}: {', '.join(md_escape(v) for v in bad)}")
        _prune(key, values)
        chosen[name] = tuple(
            sidebar.multiselect(
                FILTER_LABELS[name],
                values,
                key=key,
                bind="query-params",
                placeholder=placeholder,
                help=help,
            )
        )

    # Kooperationsart first: it is what the strategy office filters by above all.
    if "types" in include:
        multiselect(
            "types",
            all_options.types,
            placeholder="Alle – tippen zum Suchen",
            help=TYPE_HELP,
        )
    if "cities" in include:
        every = "Beide Städte" if len(all_options.cities) <= 2 else "Alle Städte"
        multiselect("cities", all_options.cities, placeholder=every, help="Stadt des Dokuments")
    for name, help_text in (
        ("forms", "Harmonisierte Kooperationsform"),
        ("bindings", "Öffentlich-rechtlich, vertraglich, institutionell oder informell"),
        ("task_areas", "Hauptgruppe des KGSt-Aufgabengliederungsplans"),
    ):
        if name in include:
            multiselect(name, getattr(all_options, name), placeholder="Alle", help=help_text)
    if "departments" in include:
        cities = chosen.get("cities", ())
        # Without a city the options above hold every department: no second read (43 ms at 1M).
        departments = (data.filter_options(cities=cities) if cities else all_options).departments
        multiselect(
            "departments", departments, placeholder="Alle", help="Fachbereich/Amt der gewählten Städte"
        )
    for name, help_text in (
        ("effects", "Ein Eintrag kann mehreren Effektkategorien angehören"),
        ("statuses", STATUS_HELP),
    ):
        if name in include:
            multiselect(name, getattr(all_options, name), placeholder="Alle", help=help_text)
    # Beginn only where an edition gives it (issue 11): the seed documents have no such column.
    if "start_years" in include and all_options.start_years:
        multiselect("start_years", all_options.start_years, placeholder="Alle", help="Jahr des Beginns")
    if "search" in include:
        search = sidebar.text_input(
            "Volltextsuche",
            key=FILTER_KEYS["search"],
            bind="query-params",
            max_chars=SEARCH_MAX_CHARS,
            placeholder="z. B. Rettungsdienst",
            help="Sucht in Bezeichnung, Effekten, Arbeitsstand und Perspektive. "
            "Mehrere Wörter müssen alle vorkommen; Phrasen in Anführungszeichen.",
        )
        chosen["search"] = (search or "").strip()
    sidebar.button(
        "Filter zurücksetzen", key="filter_reset", on_click=reset_filters, icon=":material/filter_alt_off:"
    )
    if notices:
        st.info(
            "Einige Werte aus der Adresse sind unbekannt und wurden ignoriert: " + "; ".join(notices),
            icon="ℹ️",
        )
    return Filters(**chosen)


def presentation_switch() -> bool:
    """The Präsentationsansicht switch in the sidebar (bound to the URL): True when on."""
    on = st.sidebar.toggle(
        "Präsentationsansicht",
        key=PRESENTATION_KEY,
        bind="query-params",
        help="Blendet Seitenleiste und Bedienelemente aus und vergrößert die Schrift – für Screenshots.",
    )
    return bool(on)


def leave_presentation() -> None:
    """Callback: back to the normal view."""
    st.session_state[PRESENTATION_KEY] = False


def selected_categories(key: str, index: int = 0) -> list[str]:
    """Raw category names (customdata[index]) of the points selected in the chart with key."""
    state = st.session_state.get(key)
    points = (state or {}).get("selection", {}).get("points", []) if state else []
    found: list[str] = []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list | tuple) and len(data) > index:
            value = html.unescape(str(data[index]))
            if value not in found:
                found.append(value)
    return found


def select_into_filter(chart_key: str, filter_name: str, index: int = 0) -> Callable[[], None]:
    """Callback factory: a chart selection becomes the sidebar filter (and so the URL)."""

    def callback() -> None:
        values = selected_categories(chart_key, index)
        if values:
            st.session_state[FILTER_KEYS[filter_name]] = values

    return callback
