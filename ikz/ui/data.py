"""Data access for the pages: the database handle and typed, cached reads and figures.

Every read is declared here, once, as `name = Read(module.query)`: called with the signature of
its query minus the connection, e.g. `data.overview(filters=…, top_departments=25)`, and typed so
(a type checker knows its arguments and result). A reader, grep or a type checker follows a chart
from the page to this line and from here to the SQL in ikz.read.queries / ikz.read.comparison / …, with no
table of names in between. (A few are a query and its presentation in one, such as
`records_table`, so the warm-up and the build's stored reads hold what a page shows.) Each read
caches its results (st.cache_data) keyed on the database file's version and the arguments; a value
the build stored for those arguments (ikz.read.precomputed) is taken instead of running the
query; `figure` caches chart figures the same way, keyed on the builder, the read and its
arguments. A rebuilt database has a new version, so nothing stale is ever served, and no page
builds a cache key by hand.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

import duckdb
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ikz.builder.database import Finish
from ikz.core.errors import TaxonomyError
from ikz.core.paths import db_path
from ikz.present import labels, record_table
from ikz.read import audit, comparison, edition_queries, partner_map, queries, suggestions
from ikz.read.db import (
    THREADS,
    Database,
    DatabaseUnavailable,
    FileIdentity,
    ensure_database,
    input_files,
    is_stale,
)
from ikz.read.precomputed import MISSING

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


database_handle = _database  # for ikz.ui.warm, which reads one given file


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
            result = ensure_database(path, finish=_finish)
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
            ensure_database(db_path(), finish=_finish)
        except DatabaseUnavailable as exc:
            fail(str(exc))
    # A warning of a failed build (the last good file stays) is shown by database() on the next run.


def fail(message: str) -> None:
    """Show a German error for users and stop this run."""
    st.error(message, icon="🚫")
    st.stop()


def version() -> FileIdentity:
    """The current file version: part of every cache key, so a rebuild is seen at once."""
    global last_page_read
    last_page_read = time.monotonic()  # a page is running: the warm-up steps aside (ikz/ui/warm.py)
    path = db_path()
    db = _database(str(path))
    try:
        db.connection()
    except DatabaseUnavailable as exc:
        fail(str(exc))
    identity = db.identity
    assert identity is not None
    if (path, identity) not in _SEEN_VERSIONS:
        # The first run that sees this version (after a build, or in a new process): app.py has
        # registered the warm-up (ikz/ui/warm.py) to read the states opened most in the background.
        _SEEN_VERSIONS.add((path, identity))
        for hook in _NEW_VERSION_HOOKS:
            hook(path, identity)
    return identity


def on_build(finish: Finish) -> None:
    """Run finish(con, target) on every database file this process builds, before it is swapped in
    (app.py: ikz.ui.warm.precompute, which stores the reads of the states opened most)."""
    global _finish
    _finish = finish


_finish: Finish | None = None


def on_new_version(hook: Callable[[Path, FileIdentity], object]) -> None:
    """Call hook(path, version) once per process for each database version a run first sees."""
    if hook not in _NEW_VERSION_HOOKS:  # app.py registers on every run
        _NEW_VERSION_HOOKS.append(hook)


_SEEN_VERSIONS: set[tuple[Path, FileIdentity]] = set()
_NEW_VERSION_HOOKS: list[Callable[[Path, FileIdentity], object]] = []
last_page_read = 0.0  # time.monotonic() of a page's last read or figure


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


# --- Cached reads -----------------------------------------------------------------------------

# Plotly compares data arrays by identity unless layout.datarevision is set; see `figure_spec`.
_REVISIONS = itertools.count(1)


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


class Read(Generic[P, R]):
    """A query as a cached read, called as the query is minus its connection argument:
    `overview = Read(queries.overview)`, then `overview(filters=…, top_departments=25)`.

    Each read has a cache of its own (st.cache_data), keyed on cache_key of the query's name, the
    database file's version and the arguments; the arguments themselves are passed unhashed
    (Streamlit skips parameters whose name starts with "_"). Streamlit names a cache after its
    function's module, qualified name and source: the cached function here carries the query's
    own, so every query gets its own cache. A rebuilt database has a new version, so nothing stale
    is ever served. Results are never mutated by the pages.
    """

    def __init__(self, query: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R]) -> None:
        computed: OrderedDict[str, None] = OrderedDict()  # keys this process has computed, newest last

        def run(key: str, _path: str, _args: tuple, _kwargs: tuple) -> R:
            handle = _database(_path)
            # What the build stored for these arguments (ikz.read.precomputed), else the query.
            result = handle.stored(self.name, _args, _kwargs)
            if result is MISSING:
                with handle.cursor() as cur:
                    result = query(cur, *_args, **dict(_kwargs))
            with _COMPUTED_LOCK:
                computed[key] = None
                while len(computed) > CACHE_ENTRIES:
                    computed.popitem(last=False)
            return result

        self._computed = computed

        run.__module__, run.__qualname__, run.__wrapped__ = query.__module__, query.__qualname__, query  # type: ignore[attr-defined]
        self.query = query
        self.name = _name(query)
        self._run = st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)(run)
        functools.update_wrapper(self, query)
        signature = inspect.signature(query)
        self.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])

    def cached(self, file_version: FileIdentity, args: tuple, kwargs: tuple, *, path: str | None = None) -> R:
        """The result for these arguments at this file version, from the cache when there; read
        from the file at path (default: the app's database, db_path())."""
        key = cache_key(self.name, file_version, args, kwargs)
        # By keyword: Streamlit names positional arguments from the signature, which for `run`
        # is the query's (it carries __wrapped__), so "_path", "_args" and "_kwargs" passed by
        # position lost their "_" and were hashed on every call, Filters by pickling (measured: a
        # hit took 0.35 ms instead of 0.07 ms, some twenty-five hits a page run).
        return self._run(key=key, _path=path or str(db_path()), _args=args, _kwargs=kwargs)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return _guarded(lambda: self.cached(version(), args, tuple(sorted(kwargs.items()))))

    def computed(self, file_version: FileIdentity, kwargs: tuple) -> bool:
        """True if this process has computed the read for these keyword arguments at this version
        (it may since have left the cache, which holds as many entries)."""
        with _COMPUTED_LOCK:
            return cache_key(self.name, file_version, (), kwargs) in self._computed


def clear_caches() -> None:
    """Forget every cached read and figure, as a restarted process has none (the benchmark's
    „after a restart“, tests): st.cache_data and the reads' record of what they computed, which
    data.prefetch consults."""
    st.cache_data.clear()
    with _COMPUTED_LOCK:
        for value in list(globals().values()):
            if isinstance(value, Read):
                value._computed.clear()


_COMPUTED_LOCK = threading.Lock()
# The reads of a new filter state, side by side: DuckDB works outside the GIL, and a page's reads
# one after the other left a core idle while polars and Python handled each result.
_PREFETCH = ThreadPoolExecutor(max_workers=2 * THREADS, thread_name_prefix="ikz-prefetch")


def prefetch(calls: Iterable[tuple[Read[..., Any], dict[str, Any]]]) -> None:
    """Start these reads (read, keyword arguments) on worker threads and return at once.

    A page calls this with its filter state's reads (ikz/ui/views.py) before making them one by
    one: each of its own calls then finds the value computed, or waits for that one value
    (Streamlit's per-key compute lock). Reads this process has computed for this version are not
    started again (a hit would only be unpickled twice). A failing read fails again where the page
    makes it, with its German message.
    """
    file_version, path = version(), str(db_path())
    for source, kwargs in calls:
        arguments = tuple(sorted(kwargs.items()))
        if not source.computed(file_version, arguments):
            _PREFETCH.submit(source.cached, file_version, (), arguments, path=path)

    def __repr__(self) -> str:
        return f"Read({self.name})"


# --- Cached figures ---------------------------------------------------------------------------


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _figure_spec(
    key: str,
    _build: Callable[..., go.Figure],
    _read: Read,
    _file_version: FileIdentity,
    _args: tuple,
    _kwargs: tuple,
    _part: str | None,
    _options: tuple,
) -> dict:
    # Keyed on key alone: cache_key of the builder's and the read's names, the file version and the
    # arguments (the "_" arguments are not hashed); the frame comes from the read's own cache.
    frame = _read.cached(_file_version, _args, _kwargs)
    if _part is not None:
        frame = getattr(frame, _part)
    spec = _plain(_build(frame, **dict(_options)))
    # Streamlit's frontend draws a chart, then hands Plotly a copy of it (theme, measured width):
    # without a datarevision Plotly takes every copied array for new data and computes it all again.
    spec["layout"]["datarevision"] = next(_REVISIONS)
    return spec


def _plain(fig: go.Figure) -> dict:
    """The figure's data and layout as to_plotly_json gives them, without its deep copy of both and
    its walk over every value (about a sixth of a new Vergleich state's script time, profiled; the
    map's outlines the most): the figure was just built and is dropped, so its own dicts are
    taken. The builders give lists, never numpy arrays, which to_plotly_json would have encoded
    (tests/test_data_reads.py compares the two)."""
    assert not fig.frames, "a figure with animation frames needs to_plotly_json"
    return {"data": fig._data, "layout": fig._layout}


def figure_spec(
    build: Callable[..., go.Figure],
    source: Read[..., Any],
    *args: Any,
    part: str | None = None,
    options: dict[str, Any],
    **kwargs: Any,
) -> dict:
    """The figure build(frame, **options) of the frame source(*args, **kwargs) (or its attribute
    part) as a plain dict (this caller's own copy), built once per database version, read,
    arguments and options, then reused. Enough for the export (a closed tab's chart)."""
    rest = tuple(sorted(kwargs.items())), part, tuple(sorted(options.items()))

    def cached() -> dict:
        file_version = version()
        key = cache_key(_name(build), source.name, file_version, args, *rest)
        sort, part, options = rest
        # By keyword, as Read.cached: only key is hashed, and no signature is looked up.
        return _figure_spec(
            key=key,
            _build=build,
            _read=source,
            _file_version=file_version,
            _args=args,
            _kwargs=sort,
            _part=part,
            _options=options,
        )

    return _guarded(cached)


def figure(
    build: Callable[..., go.Figure],
    source: Read[..., Any],
    *args: Any,
    part: str | None = None,
    options: dict[str, Any],
    **kwargs: Any,
) -> DrawnFigure:
    """figure_spec as a figure to draw (DrawnFigure)."""
    return DrawnFigure(figure_spec(build, source, *args, part=part, options=options, **kwargs))


class DrawnFigure(go.Figure):
    """A chart to be drawn, holding its spec (this run's own copy from the figure cache) as it is.

    st.plotly_chart takes a Plotly figure (a dict it would validate, about 7 ms a chart) and calls
    only its to_dict. Made into a go.Figure, the spec was deep-copied into trace objects (2.2 ms
    for the map's outlines) and copied again by to_dict with a walk for numpy arrays (2.8 ms; the
    builders give lists, tests/test_data_reads.py). So this figure skips go.Figure's constructor:
    `spec` is the chart, `to_dict` hands over its values in new containers, and whoever needs
    trace objects (the chart's table) makes a go.Figure with `figure()`; nothing else of go.Figure
    is there to use."""

    def __init__(self, spec: dict) -> None:
        # BaseFigure.__init__ is not called on purpose: no trace objects, no copy. (Its __setattr__
        # admits names with a leading underscore only.)
        self._spec = spec

    @property
    def spec(self) -> dict:
        """The chart as a plain dict (data, layout): this run's own, which it may change."""
        return self._spec

    def to_dict(self) -> dict:
        """The chart's data and layout, shallow: each trace and the layout a new dict of the same values."""
        return {"data": [dict(trace) for trace in self.spec["data"]], "layout": dict(self.spec["layout"])}

    def figure(self) -> go.Figure:
        """The chart as a go.Figure of its own (a copy)."""
        return go.Figure(self.spec, _validate=False)


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


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

categories = Read(queries.categories)
filter_options = Read(queries.filter_options)
key_figures = Read(queries.key_figures)
overview = Read(queries.overview)
records = Read(queries.records)


def _records_table(
    con: duckdb.DuckDBPyConnection, *, filters: queries.Filters, limit: int, columns: tuple[str, ...]
) -> pl.DataFrame:
    """The Überblick's table as shown (ikz.present.record_table), read as one: so the warm-up and
    the build's stored reads hold it ready, instead of every run marking 1,000 rows again (about
    4 ms a run at a million cooperations, profiled)."""
    return record_table.table_frame(queries.records(con, filters=filters, limit=limit, columns=columns))


records_table = Read(_records_table)
record_detail = Read(queries.record_detail)


def _origin_sums(con: duckdb.DuckDBPyConnection, *, filters: queries.Filters) -> labels.OriginSums:
    """queries.origin_counts summed per field and city (labels.origin_sums), read as one: the
    pages' origin notes then cost nothing per run (4 ms at a million cooperations, profiled)."""
    return labels.origin_sums(queries.origin_counts(con, filters=filters))


origin_sums = Read(_origin_sums)
checked_values = Read(queries.checked_values)

city_facts = Read(comparison.city_facts)
city_mix = Read(comparison.city_mix)
topic_overview = Read(comparison.topic_overview)
topic_pairs = Read(comparison.topic_pairs)
topic_suggestions = Read(comparison.topic_suggestions)
partner_kinds = Read(comparison.partner_kinds)
partners = Read(comparison.partners)  # the Vergleich's partner table and charts, one count
partner_records = Read(comparison.partner_records)

# The partner map (pages/karte.py, the map on the Vergleich page).
map_frames = Read(partner_map.map_frames)
unplaced_partners = Read(partner_map.unplaced_partners)
map_partner_records = Read(partner_map.partner_records)

# Anregungen (ikz/ui/anregungen.py, and its record pairs on the Vergleich page).
suggestion_list = Read(suggestions.suggestion_list)
idea_count = Read(suggestions.idea_count)  # the Vergleich's count line above the ideas' sections
record_pairs = Read(suggestions.record_pairs)

# Editions on the Überblick page (ikz/ui/editions_view.py).
changes_since = Read(edition_queries.changes_since)
change_list = Read(edition_queries.change_list)
development = Read(edition_queries.development)
edition_count = Read(edition_queries.edition_count)

# The Protokoll's record titles (pages/protocol.py).
record_titles = Read(audit.record_titles)
