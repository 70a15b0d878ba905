"""Warm the read caches for the filter states the office opens most (issue 21).

When a server process first attaches a version of the database file (after a build, a rebuild, or
at its start), a background thread reads what the Überblick, Vergleich and Karte read
(`ikz.ui.views`) for: no filter, each single Kooperationsart and each single city. A person's
first choice of one of them then finds its reads cached, as if somebody had chosen it before.

- No page run waits for it: it runs on a thread of its own, and before each read it steps aside
  while pages are reading (a page read in the last PAUSE_S, for at most MAX_PAUSE_S per read), so
  its queries do not take the two cores from people; a page asking for a value the thread is
  computing just then waits for that one value (Streamlit's per-key compute lock), not longer.
- Never stale: every value is keyed on the file version it was read from, and the thread stops
  as soon as the process sees a newer version (whose own warm-up then starts).
- Bounded: at most MAX_STATES states per page, well below each read cache's max_entries, so the
  warm-up never pushes out what people have opened.

`IKZ_WARM=0` switches it off (e.g. for a test that counts cache misses).
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
from streamlit.logger import get_logger

from ikz.read import precomputed
from ikz.read.db import FileIdentity
from ikz.read.queries import Filters
from ikz.ui import data, views

WARM_ENV_VAR = "IKZ_WARM"
# States per page: no filter, each Kooperationsart, each city, in that order, cut here (a
# synthetic database has 400 cities): an eighth of a read cache's entries.
MAX_STATES = data.CACHE_ENTRIES // 8
LOG = get_logger(__name__)  # in the server's log, e.g. „warm-up of …/ikz.duckdb done in 4.8 s“

_started: dict[tuple[str, FileIdentity], threading.Thread] = {}
_lock = threading.Lock()
_exiting = threading.Event()
EXIT_WAIT_S = 60  # at exit, the longest wait for a warm-up to finish its current read
PAUSE_S = 0.3  # a page read this recently: the warm-up waits before its next read …
MAX_PAUSE_S = 2.0  # … but not longer than this per read (under constant use it goes on slowly)
_now = time.monotonic  # the clock of data.last_page_read


class Superseded(Exception):
    """The process has moved on to a newer file version, or is exiting: this warm-up stops."""


@atexit.register
def _stop_at_exit() -> None:
    """Let a running warm-up finish its current read before the interpreter goes: a daemon thread
    still inside DuckDB when Python finalizes aborts the whole process („FATAL: exception not
    rethrown“)."""
    _exiting.set()
    with _lock:
        threads = list(_started.values())
    for thread in threads:
        thread.join(EXIT_WAIT_S)


def enabled() -> bool:
    """False when $IKZ_WARM is '0' (or 'false', 'no', 'off')."""
    return os.environ.get(WARM_ENV_VAR, "1").strip().lower() not in {"0", "false", "no", "off"}


def states(cities: tuple[str, ...], types: tuple[str, ...]) -> list[Filters]:
    """The filter states the office opens most: none, each single Kooperationsart, each single city."""
    found = [Filters(), *(Filters(types=(t,)) for t in types), *(Filters(cities=(c,)) for c in cities)]
    return found[:MAX_STATES]


def read_states(read: views.ReadCall) -> None:
    """Make, through read, every read the pages make for the states opened most (`states`): what
    the warm-up reads and the build stores."""
    options = read(data.filter_options)
    for filters in states(options.cities, options.types):
        for page in views.PAGES.values():
            page(read, filters)


def precompute(con: duckdb.DuckDBPyConnection, target: Path, from_rows: int = precomputed.FROM_ROWS) -> int:
    """Store for a newly built file (con, to be swapped in at target) every read the warm-up makes,
    for the same states (ikz.read.precomputed); the number of results stored, 0 below from_rows."""
    if not precomputed.worth_storing(con, from_rows):
        return 0
    results: dict[tuple[str, str], Any] = {}

    def read(source: data.Read[..., Any], *args: Any, **kwargs: Any) -> Any:
        key = (source.name, precomputed.arguments_key(args, tuple(sorted(kwargs.items()))))
        if key not in results:
            cur = con.cursor()
            try:
                results[key] = source.query(cur, *args, **kwargs)
            finally:
                cur.close()
        return results[key]

    t0 = time.perf_counter()
    read_states(read)
    stored = precomputed.store(con, target, ((name, args, value) for (name, args), value in results.items()))
    LOG.info("stored %d reads beside the new database in %.1f s", stored, time.perf_counter() - t0)
    return stored


def start(path: Path, version: FileIdentity) -> threading.Thread | None:
    """Start the warm-up of this file version once per process; the thread, or None if it ran before
    (or warming is off)."""
    if not enabled():
        return None
    key = (str(path), version)
    with _lock:
        if key in _started:
            return None
        thread = threading.Thread(target=_warm, args=(str(path), version), name="ikz-warm", daemon=True)
        _started[key] = thread
    thread.start()
    return thread


def wait(path: Path, version: FileIdentity, timeout: float | None = None) -> bool:
    """Wait until the warm-up of this version has finished; False if it has not (or never started)."""
    with _lock:
        thread = _started.get((str(path), version))
    if thread is None:
        return False
    thread.join(timeout)
    return not thread.is_alive()


def _step_aside() -> None:
    """Wait while pages are reading (see PAUSE_S), at most MAX_PAUSE_S."""
    until = _now() + MAX_PAUSE_S
    while _now() - data.last_page_read < PAUSE_S and _now() < until:
        if _exiting.wait(PAUSE_S / 4):
            return


def _warm(path: str, version: FileIdentity) -> None:
    t0 = time.perf_counter()

    def read(source: data.Read[..., Any], *args: Any, **kwargs: Any) -> Any:
        _step_aside()
        if _exiting.is_set() or data.database_handle(path).identity != version:
            raise Superseded
        return source.cached(version, args, tuple(sorted(kwargs.items())), path=path)

    try:
        read_states(read)
    except Superseded:
        if not _exiting.is_set():  # at exit the log's stream may be closed already
            LOG.info("warm-up of %s stopped: a newer version is open", path)
    except Exception:  # a damaged file or a failed query: the page that reads it says so itself
        LOG.warning("warm-up of %s failed", path, exc_info=True)
    else:
        LOG.info("warm-up of %s done in %.1f s", path, time.perf_counter() - t0)
