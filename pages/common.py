"""App layer shared by the pages: database handle, cached queries, sidebar filters, presentation mode."""

from __future__ import annotations

import html
import importlib
from collections.abc import Callable
from typing import Any

import duckdb
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ikz import queries
from ikz.chart_table import figure_table
from ikz.charts import plotly_config
from ikz.db import Database, DatabaseUnavailable, FileIdentity, ensure_database
from ikz.errors import TaxonomyError
from ikz.labels import FILTER_LABELS
from ikz.paths import db_path
from ikz.queries import FilterOptions, Filters

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
}
PRESENTATION_KEY = "praesentation"
SEARCH_MAX_CHARS = queries.MAX_SEARCH_LENGTH
CACHE_ENTRIES = 256


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    return Database(path)


def database() -> Database:
    """The shared database handle; builds the file first when it is missing or stale."""
    path = db_path()
    # Checked on every run (a few stat calls): a changed source or taxonomy file triggers a rebuild.
    with st.spinner("Die Datenbank wird aus den Quelldokumenten aufgebaut …"):
        result = ensure_database(path)
    if result.built:
        st.toast("Die Datenbank wurde neu aus den Quelldokumenten aufgebaut.")
    if result.warning:
        st.warning(result.warning, icon="⚠️")
    return _database(str(path))


def fail(message: str) -> None:
    """Show a German error for users and stop this run."""
    st.error(message, icon="🚫")
    st.stop()


def version(db: Database) -> FileIdentity:
    """The current file version; part of every cache key so a rebuild is seen at once."""
    try:
        db.connection()
    except DatabaseUnavailable as exc:
        fail(str(exc))
    assert db.identity is not None
    return db.identity


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached(
    module: str,
    name: str,
    _db: Database,
    file_version: FileIdentity,
    vocabulary: int,
    filters: Filters,
    kwargs: tuple,
) -> Any:
    # _db is excluded from hashing (leading underscore); file_version stands for it in the key.
    # vocabulary (mtime of data/topics.toml, 0 for ikz.queries) is in the key because the
    # comparison queries match topics at query time: an edited vocabulary must not be answered
    # from the cache. The comparison module is imported only when its page needs it (rapidfuzz).
    fn: Callable[..., Any] = getattr(importlib.import_module(f"ikz.{module}"), name)
    with _db.cursor() as cur:
        return fn(cur, filters=filters, **dict(kwargs))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _figure_spec(key: tuple, _build: Callable[[], go.Figure]) -> dict:
    # key holds everything the figure depends on (file version, filters, view); _build is not hashed.
    return _build().to_plotly_json()


def cached_figure(key: tuple, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure for key, built once and then reused across runs and sessions."""
    # Rebuilt from the cached spec without validation: about 1 ms, where building it takes about
    # 7 ms and unpickling a cached Figure (which validates again) about 15 ms (measured).
    return go.Figure(_figure_spec(key, build), _validate=False)


DAMAGED = (
    "Die Datenbank konnte nicht gelesen werden ({error}). Sie ist vermutlich beschädigt: "
    "bitte `python -m ikz build` ausführen oder die Datei löschen und die App neu starten."
)


def _guarded(call: Callable[[], Any]) -> Any:
    """call(), with a missing or damaged database or rules file shown as a German message."""
    try:
        return call()
    except DatabaseUnavailable as exc:
        fail(str(exc))
    except TaxonomyError as exc:
        fail(f"Eine Regeldatei in data/ kann nicht gelesen werden: {exc}")
    except duckdb.Error as exc:
        fail(DAMAGED.format(error=type(exc).__name__))


def query(db: Database, name: str, filters: Filters, **kwargs: Any) -> Any:
    """Run a query from ikz.queries by name, cached per file version, filters and arguments."""
    arguments = tuple(sorted(kwargs.items()))
    return _guarded(lambda: _cached("queries", name, db, version(db), 0, filters, arguments))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _options(_db: Database, file_version: FileIdentity, cities: tuple[str, ...]) -> FilterOptions:
    with _db.cursor() as cur:
        return queries.filter_options(cur, cities=cities)


def options(db: Database, cities: tuple[str, ...] = ()) -> FilterOptions:
    """Sidebar choices present in the data; departments narrow to the chosen cities."""
    return _guarded(lambda: _options(db, version(db), cities))


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


def sidebar_filters(db: Database, *, include: tuple[str, ...] = tuple(FILTER_KEYS)) -> Filters:
    """Render the shared sidebar filters (bound to the URL) and return the chosen Filters."""
    all_options = options(db)
    notices: list[str] = []
    chosen: dict[str, Any] = {}
    sidebar = st.sidebar
    sidebar.header("Filter")

    def multiselect(name: str, values: tuple[str, ...], *, placeholder: str, help: str) -> None:
        key = FILTER_KEYS[name]
        bad = _unknown_url_values(key, values)
        if bad:
            notices.append(f"{FILTER_LABELS[name]}: {', '.join(bad)}")
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
            placeholder="Alle Kooperationsarten – tippen zum Suchen",
            help="Kanonische Kooperationsart; Magdeburgs Arten sind aus den Texten abgeleitet.",
        )
    if "cities" in include:
        multiselect("cities", all_options.cities, placeholder="Beide Städte", help="Stadt des Dokuments")
    for name, help_text in (
        ("forms", "Harmonisierte Kooperationsform"),
        ("bindings", "Öffentlich-rechtlich, vertraglich, institutionell oder informell"),
        ("task_areas", "Hauptgruppe des KGSt-Aufgabengliederungsplans"),
    ):
        if name in include:
            multiselect(name, getattr(all_options, name), placeholder="Alle", help=help_text)
    if "departments" in include:
        departments = options(db, chosen.get("cities", ())).departments
        multiselect(
            "departments", departments, placeholder="Alle", help="Fachbereich/Amt der gewählten Städte"
        )
    for name, help_text in (
        ("effects", "Ein Eintrag kann mehreren Effektkategorien angehören"),
        ("statuses", "Arbeitsstand (nur Magdeburg berichtet ihn)"),
    ):
        if name in include:
            multiselect(name, getattr(all_options, name), placeholder="Alle", help=help_text)
    if "search" in include:
        search = sidebar.text_input(
            "Volltextsuche",
            key=FILTER_KEYS["search"],
            bind="query-params",
            max_chars=SEARCH_MAX_CHARS,
            placeholder='z. B. Rettungsdienst oder "Gesunde Städte"',
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


def presentation_toggle() -> bool:
    """The Präsentationsansicht switch (bound to the URL); applies its CSS when on."""
    on = st.sidebar.toggle(
        "Präsentationsansicht",
        key=PRESENTATION_KEY,
        bind="query-params",
        help="Blendet Seitenleiste und Bedienelemente aus und vergrößert die Schrift – für Screenshots.",
    )
    if on:
        st.html(
            """<style>
            [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
            [data-testid="stHeader"], [data-testid="stToolbar"], .stDownloadButton,
            [data-testid="stExpander"] {display: none !important;}
            [data-testid="stMainBlockContainer"] {padding-top: 1.5rem; max-width: 100%;}
            [data-testid="stMetricValue"] {font-size: 3.2rem;}
            [data-testid="stColumn"]:nth-child(4) [data-testid="stMetricValue"] {font-size: 2.1rem;}
            [data-testid="stMetricLabel"] p {font-size: 1.3rem;}
            </style>"""
        )
    return bool(on)


def leave_presentation() -> None:
    """Callback: back to the normal view."""
    st.session_state[PRESENTATION_KEY] = False


def show_chart(
    fig: Any, title: str, *, key: str, presentation: bool, on_select: Callable | None = None
) -> None:
    """Render a finished figure with the German toolbar config, its accessible name and its numbers
    as a table („Daten als Tabelle“, the text alternative); optional selection callback."""
    config = plotly_config(title)
    # Nothing is fetched from another host: no MathJax for LaTeX labels, no topojson for geo charts.
    config.update(typesetMath=False, topojsonURL="")
    if presentation:
        config["displayModeBar"] = False
    # theme=None: the figure keeps exactly the fonts and colours of ikz.theme, as in its exports.
    kwargs: dict[str, Any] = {"key": key, "config": config, "width": "stretch", "theme": None}
    if on_select is not None and not presentation:
        kwargs.update(on_select=on_select, selection_mode="points")
    # The container gives each chart and its table one stable CSS class (st-key-diagramm_<key>).
    with st.container(key=f"diagramm_{key}"):
        st.plotly_chart(fig, **kwargs)
        if not presentation:
            with st.expander("Daten als Tabelle", icon=":material/table_view:"):
                st.caption(f"Die Zahlen des Diagramms „{md_escape(title)}“.")
                st.dataframe(figure_table(fig), hide_index=True, key=f"{key}_tabelle")


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


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:")


def md_escape(text: object) -> str:
    """Document text for Markdown-based elements: Markdown and Streamlit ":…:" characters escaped."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in str(text))


def deferred_records(
    db: Database, filters: Filters, writer: Callable[[pl.DataFrame], bytes]
) -> Callable[[], bytes]:
    """A download callable: all filtered records written by writer, computed only on click."""

    def make() -> bytes:
        with db.cursor() as cur:
            return writer(queries.records(cur, filters=filters))

    return make


# --- Vergleich Erfurt – Magdeburg: cached queries from ikz.comparison --------------------------


def vocabulary_version() -> int:
    """Version (mtime) of data/topics.toml; -1 when missing (the query then names the file)."""
    from ikz.paths import TOPICS_PATH

    try:
        return TOPICS_PATH.stat().st_mtime_ns
    except FileNotFoundError:
        return -1


def comparison_query(db: Database, name: str, filters: Filters, **kwargs: Any) -> Any:
    """Run a query from ikz.comparison by name, cached like query() and per topic-vocabulary version."""
    arguments = tuple(sorted(kwargs.items()))
    return _guarded(
        lambda: _cached("comparison", name, db, version(db), vocabulary_version(), filters, arguments)
    )
