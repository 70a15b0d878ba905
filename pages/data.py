"""Data access for the pages: the database handle and typed, cached reads and figures.

Every read is a plain function with the signature of its query minus the connection, e.g.
`data.overview(filters=…, top_departments=25)`, so a reader (and grep, and a type checker) can
follow a filter from the widget to the SQL in ikz.queries / ikz.comparison. One cache serves them
all (`_read`), keyed on the database file's version and the arguments; `figure` caches chart
figures the same way, keyed on the builder, the read and its arguments. A rebuilt database has a
new version, so nothing stale is ever served, and no page builds a cache key by hand.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import itertools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import duckdb
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ikz import comparison, partner_map, queries
from ikz.db import Database, DatabaseUnavailable, FileIdentity, ensure_database, input_files, is_stale
from ikz.errors import TaxonomyError
from ikz.paths import db_path

P = ParamSpec("P")
R = TypeVar("R")
CACHE_ENTRIES = 256
DAMAGED = (
    "Die Datenbank konnte nicht gelesen werden ({error}). Sie ist vermutlich beschädigt: bitte die "
    "Seite neu laden; hilft das nicht, die Datei löschen – die App baut sie dann selbst neu auf."
)


_HANDLES: dict[str, Database] = {}
_HANDLES_LOCK = threading.Lock()


def _database(path: str) -> Database:
    """The process's one handle on the file at path (what st.cache_resource gave, without its
    argument hashing on each of a page run's twenty calls)."""
    with _HANDLES_LOCK:
        if path not in _HANDLES:
            _HANDLES[path] = Database(path)
        return _HANDLES[path]


def rebuild_notice(db: Path, inputs: list[Path]) -> str | None:
    """What a rebuild now would tell the office, or None when only the store moved (or nothing).

    Two things make the database stale: a source document, rules or schema file newer than it
    (changed underneath the running app: news for everybody), or the store of record moving (a
    review decision or a published edition: what a person just did, and confirmed where they did
    it). Only the first deserves a message; the second rebuild is silent.
    """
    if not db.exists():
        return "Die Datenbank wurde aus den Quelldokumenten aufgebaut."
    if is_stale(db, inputs):
        return "Quelldokumente oder Regeln wurden geändert: die Datenbank wurde neu daraus aufgebaut."
    return None


def database() -> Database:
    """The shared database handle; builds the file first when it is missing or stale."""
    path = db_path()
    # Checked on every run (a few stat calls): a changed source or rules file triggers a rebuild;
    # so does a moved store (a decision, a publish), which is the person's own change.
    notice = rebuild_notice(path, input_files())
    waiting = (
        "Die Datenbank wird aus den Quelldokumenten aufgebaut …"
        if notice
        else "Änderungen werden übernommen …"
    )
    with st.spinner(waiting):
        try:
            result = ensure_database(path)
        except DatabaseUnavailable as exc:
            fail(str(exc))
    if result.built and notice:
        st.toast(notice, icon=":material/sync:")
    if notice := result.notice():
        st.info(notice, icon="🛠️")
    if result.warning:
        st.warning(result.warning, icon="⚠️")
    return _database(str(path))


def take_over(waiting: str = "Wird übernommen …") -> None:
    """Rebuild now, after a person's own change, with the spinner where this is called (beside the
    button they pressed), instead of at the top of the next run, out of their sight."""
    with st.spinner(waiting):
        try:
            ensure_database(db_path())
        except DatabaseUnavailable as exc:
            fail(str(exc))
    # A warning of a failed build (the last good file stays) is shown by database() on the next run.


def fail(message: str) -> None:
    """Show a German error for users and stop this run."""
    st.error(message, icon="🚫")
    st.stop()


def version() -> FileIdentity:
    """The current file version: part of every cache key, so a rebuild is seen at once."""
    db = _database(str(db_path()))
    try:
        db.connection()
    except DatabaseUnavailable as exc:
        fail(str(exc))
    assert db.identity is not None
    return db.identity


def _guarded(call: Callable[[], R]) -> R:
    """call(), with a missing or damaged database or rules file shown as a German message."""
    try:
        return call()
    except DatabaseUnavailable as exc:
        fail(str(exc))
    except TaxonomyError as exc:
        fail(f"Die Regeln der Klassifikation können nicht gelesen werden: {exc}")
    except duckdb.Error as exc:
        fail(DAMAGED.format(error=type(exc).__name__))
    raise AssertionError("unreachable: fail() stops the run")


# --- The one cache ----------------------------------------------------------------------------

_READS: dict[str, Callable[..., Any]] = {}
# Plotly compares data arrays by identity unless layout.datarevision is set; see `figure`.
_REVISIONS = itertools.count(1)
_BUILDERS: dict[str, Callable[..., go.Figure]] = {}


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


PLAIN = (str, int, float, bool, type(None))


def cache_key(*parts: Any) -> str:
    """The cache key of a read or figure: the repr of its name, file version and arguments.

    Streamlit hashes a cached function's arguments on every call, hit or miss, and hashes
    dataclasses (Filters, ChartText) through pickling: about a third of a page run with every value
    cached (measured). A repr of plain values is exact and far cheaper; anything else is refused.
    """

    def check(value: Any) -> None:
        if isinstance(value, PLAIN):
            return
        if isinstance(value, tuple | list | frozenset):
            for item in value:
                check(item)
        elif isinstance(value, dict):
            for item in value.items():
                check(item)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                check(getattr(value, f.name))
        else:
            raise TypeError(f"not a plain value for a cache key: {type(value).__name__}")

    check(parts)
    return repr(parts)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _read(key: str, _name: str, _args: tuple, _kwargs: tuple) -> Any:
    # Keyed on key alone (cache_key of the query's name, the file version and the arguments; the
    # _-arguments are not hashed). The query is looked up, so one cached function serves every
    # read. Results are never mutated by the pages.
    with _database(str(db_path())).cursor() as cur:
        return _READS[_name](cur, *_args, **dict(_kwargs))


def _cached_read(name: str, file_version: FileIdentity, args: tuple, kwargs: tuple) -> Any:
    return _read(cache_key(name, file_version, args, kwargs), name, args, kwargs)


def reader(query: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R]) -> Callable[P, R]:
    """The query as a cached read without the connection argument, with the same signature."""
    name = _name(query)
    _READS[name] = query

    @functools.wraps(query)
    def read(*args: P.args, **kwargs: P.kwargs) -> R:
        return _guarded(lambda: _cached_read(name, version(), args, tuple(sorted(kwargs.items()))))

    signature = inspect.signature(query)
    read.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])  # type: ignore[attr-defined]
    read.query_name = name  # type: ignore[attr-defined]
    return read


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _figure_spec(
    key: str,
    _builder: str,
    _read: str,
    _file_version: FileIdentity,
    _args: tuple,
    _kwargs: tuple,
    _part: str | None,
    _options: tuple,
) -> dict:
    # Keyed on key alone: cache_key of all the other arguments (which are not hashed).
    frame = _cached_read(_read, _file_version, _args, _kwargs)
    if _part is not None:
        frame = getattr(frame, _part)
    spec = _BUILDERS[_builder](frame, **dict(_options)).to_plotly_json()
    # Streamlit's frontend draws a chart, then hands Plotly a copy of it (theme, measured width):
    # without a datarevision Plotly takes every copied array for new data and computes it all again.
    spec["layout"]["datarevision"] = next(_REVISIONS)
    return spec


def figure_spec(
    build: Callable[..., go.Figure],
    source: Callable[..., Any],
    *args: Any,
    part: str | None = None,
    options: dict[str, Any],
    **kwargs: Any,
) -> dict:
    """The figure build(frame, **options) of the frame source(*args, **kwargs) (or its attribute
    part) as a plain dict (this caller's own copy), built once per database version, read,
    arguments and options, then reused. Enough for the export (a closed tab's chart)."""
    builder = _name(build)
    _BUILDERS[builder] = build
    rest = tuple(sorted(kwargs.items())), part, tuple(sorted(options.items()))

    def cached() -> dict:
        parts = (builder, source.query_name, version(), args, *rest)  # type: ignore[attr-defined]
        return _figure_spec(cache_key(*parts), *parts)

    return _guarded(cached)


def figure(
    build: Callable[..., go.Figure],
    source: Callable[..., Any],
    *args: Any,
    part: str | None = None,
    options: dict[str, Any],
    **kwargs: Any,
) -> go.Figure:
    """figure_spec as a go.Figure, for drawing it."""
    spec = figure_spec(build, source, *args, part=part, options=options, **kwargs)
    # Rebuilt from the cached spec without validation: about 1 ms, where building it takes about
    # 7 ms and unpickling a cached Figure (which validates again) about 15 ms (measured). Its
    # deep copy is still the largest part, so a chart that is not drawn stays a dict.
    return go.Figure(spec, _validate=False)


def deferred_records(
    filters: queries.Filters, writer: Callable[[pl.DataFrame], bytes], *, with_contacts: bool
) -> Callable[[], bytes]:
    """A download callable: all filtered records written by writer, computed only on click.

    Without with_contacts the file has no Ansprechpartner column (contact persons are shown to
    signed-in users only, identity.may_see_contacts).
    """

    def make() -> bytes:
        with _database(str(db_path())).cursor() as cur:
            frame = queries.records(cur, filters=filters)
        return writer(frame if with_contacts else frame.drop("contact_person"))

    return make


# --- The reads the pages use ------------------------------------------------------------------

categories = reader(queries.categories)
filter_options = reader(queries.filter_options)
key_figures = reader(queries.key_figures)
overview = reader(queries.overview)
records = reader(queries.records)
record_detail = reader(queries.record_detail)
origin_counts = reader(queries.origin_counts)
checked_values = reader(queries.checked_values)

city_facts = reader(comparison.city_facts)
city_mix = reader(comparison.city_mix)
topic_overview = reader(comparison.topic_overview)
topic_pairs = reader(comparison.topic_pairs)
topic_suggestions = reader(comparison.topic_suggestions)
partner_kinds = reader(comparison.partner_kinds)
partners_by_city = reader(comparison.partners_by_city)
partner_table = reader(comparison.partner_table)
partner_records = reader(comparison.partner_records)

# The partner map (pages/karte.py, the map on the Vergleich page).
map_frames = reader(partner_map.map_frames)
unplaced_partners = reader(partner_map.unplaced_partners)
map_partner_records = reader(partner_map.partner_records)
