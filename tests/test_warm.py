"""The warm-up (ikz/ui/warm.py): after it, a page opened on a state the office opens most computes
no read itself, a new file version is warmed anew, and the warm-up never serves another version."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st

from ikz.read.db import Database, FileIdentity
from ikz.read.queries import Filters
from ikz.rules.cities import load_cities
from ikz.ui import data, views, warm
from tests.apptest import open_app

PAGE_FILES = {"ueberblick": None, "vergleich": "pages/compare.py", "karte": "pages/karte.py"}


@pytest.fixture
def cursors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The database file of every cursor a read opens: one per read the cache did not have."""
    opened: list[str] = []
    original = Database.cursor

    def cursor(self: Database) -> Any:
        opened.append(str(self.path))
        return original(self)

    monkeypatch.setattr(Database, "cursor", cursor)
    return opened


@pytest.fixture
def empty_caches(own_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The session database's copy as the app's, empty caches, and no warm-up of its own."""
    monkeypatch.setenv(warm.WARM_ENV_VAR, "0")
    data.clear_caches()
    yield own_db
    data.clear_caches()


def warm_now(db: Path, filters: Filters, page: str) -> None:
    """What the warm-up thread does for one state and page, here on this thread."""
    version = FileIdentity.of(db)
    assert version is not None

    def read(source: data.Read[..., Any], *args: Any, **kwargs: Any) -> Any:
        return source.cached(version, args, tuple(sorted(kwargs.items())), path=str(db))

    views.PAGES[page](read, filters)


def a_type(db: Path) -> str:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT type_name FROM cooperation_wide GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]


@pytest.mark.parametrize("page", list(PAGE_FILES))
@pytest.mark.parametrize("state", ["none", "type", "city"])
def test_a_warmed_state_opens_without_a_read(
    empty_caches: Path, cursors: list[str], page: str, state: str
) -> None:
    kind, city = a_type(empty_caches), load_cities().names[-1]
    filters = {"none": Filters(), "type": Filters(types=(kind,)), "city": Filters(cities=(city,))}[state]
    warm_now(empty_caches, filters, page)
    assert cursors, "the warm-up read nothing"
    cursors.clear()
    at = open_app(PAGE_FILES[page])
    if filters.types:
        at.query_params["art"] = list(filters.types)
    if filters.cities:
        at.query_params["stadt"] = list(filters.cities)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart"), "the page drew no chart"
    assert cursors == [], f"{page} ({state}) computed {len(cursors)} reads the warm-up left out"


STATE_READS = {
    "ueberblick": views.ueberblick_state,
    "vergleich": views.vergleich_state,
    "karte": views.karte_state,
}


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_a_state_not_read_before_is_read_side_by_side_and_each_read_once(
    empty_caches: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    """data.prefetch starts a new state's reads on worker threads; the page's own calls then wait
    for them, so no read is computed twice. A second run starts nothing."""
    threads: list[str] = []
    original = Database.cursor

    def cursor(self: Database) -> Any:
        threads.append(threading.current_thread().name)
        return original(self)

    monkeypatch.setattr(Database, "cursor", cursor)
    reads = [r for r in vars(data).values() if isinstance(r, data.Read)]
    before = {r.name: set(r._computed) for r in reads}
    at = open_app(PAGE_FILES[page])
    at.query_params["art"] = [a_type(empty_caches)]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(t.startswith("ikz-prefetch") for t in threads), "no read ran on a prefetch thread"
    # Each cursor computed one new key: a read computed twice (by a worker and the page) would
    # open two cursors for one key.
    new = sum(len(set(r._computed) - before[r.name]) for r in reads)
    assert len(threads) == new > len(STATE_READS[page](Filters())) - 1
    threads.clear()
    submitted: list[object] = []
    monkeypatch.setattr(data._PREFETCH, "submit", lambda *a, **k: submitted.append(a))
    at.run()
    assert not at.exception
    assert threads == [] and submitted == [], "a second run of the same state read or started again"


def test_clearing_the_caches_forgets_what_was_computed(empty_caches: Path) -> None:
    """After data.clear_caches (a restart, as the benchmark models it) a read counts as not
    computed again, so data.prefetch starts it: st.cache_data.clear alone left that record."""
    version = FileIdentity.of(empty_caches)
    assert version is not None
    arguments = (("filters", Filters()),)
    data.origin_sums.cached(version, (), arguments, path=str(empty_caches))
    assert data.origin_sums.computed(version, arguments)
    data.clear_caches()
    assert not data.origin_sums.computed(version, arguments)


def test_the_states_are_none_each_type_and_each_city_bounded() -> None:
    found = warm.states(("Erfurt", "Magdeburg"), ("Zweckverband", "Projekt"))
    assert found == [
        Filters(),
        Filters(types=("Zweckverband",)),
        Filters(types=("Projekt",)),
        Filters(cities=("Erfurt",)),
        Filters(cities=("Magdeburg",)),
    ]
    many = warm.states(tuple(f"Stadt {i}" for i in range(500)), ())
    assert len(many) == warm.MAX_STATES < data.CACHE_ENTRIES


def test_the_thread_warms_each_version_once_and_keys_it_by_that_version(
    own_db: Path, cursors: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(warm.WARM_ENV_VAR, raising=False)
    st.cache_data.clear()
    first = FileIdentity.of(own_db)
    assert first is not None
    data.database_handle(str(own_db)).connection()
    assert warm.start(own_db, first) is not None
    assert warm.wait(own_db, first, timeout=120)
    assert warm.start(own_db, first) is None  # once per version
    warmed = len(cursors)
    assert warmed > 0
    # The unfiltered Überblick aggregate is there, under this version's key.
    overview = data.overview.cached(first, (), tuple(sorted(views.overview_args(Filters()).items())))
    assert len(cursors) == warmed
    # A rebuilt file (a new version) is warmed again and never answered from the old one's values.
    shutil.copyfile(own_db, own_db.with_suffix(".new"))
    own_db.with_suffix(".new").replace(own_db)
    second = FileIdentity.of(own_db)
    assert second is not None and second != first
    data.database_handle(str(own_db)).connection()
    assert warm.start(own_db, second) is not None
    assert warm.wait(own_db, second, timeout=120)
    assert len(cursors) > warmed
    # Its values are under the new version's key: asked for, nothing is read again.
    rewarmed = len(cursors)
    again = data.overview.cached(second, (), tuple(sorted(views.overview_args(Filters()).items())))
    assert len(cursors) == rewarmed
    assert again.key_figures == overview.key_figures  # a copy of the same file: the same figures
    st.cache_data.clear()


def test_switched_off_it_starts_nothing(own_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(warm.WARM_ENV_VAR, "0")
    version = FileIdentity.of(own_db)
    assert version is not None
    assert warm.start(own_db, version) is None
    assert not warm.wait(own_db, version, timeout=0)


def test_it_steps_aside_while_pages_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before each read the warm-up waits while a page has read in the last PAUSE_S, at most
    MAX_PAUSE_S; with no page reading it does not wait at all."""
    waits: list[float] = []

    class Event:
        def wait(self, seconds: float) -> bool:
            waits.append(seconds)
            return False

        def is_set(self) -> bool:
            return False

    clock = iter(range(1000))
    monkeypatch.setattr(warm, "_exiting", Event())
    monkeypatch.setattr(warm, "_now", lambda: float(next(clock)))
    monkeypatch.setattr(warm, "PAUSE_S", 100.0)
    monkeypatch.setattr(warm, "MAX_PAUSE_S", 10.0)
    monkeypatch.setattr(data, "last_page_read", -1000.0)
    warm._step_aside()
    assert waits == []  # nobody read lately
    monkeypatch.setattr(data, "last_page_read", 0.0)
    warm._step_aside()
    assert 0 < len(waits) <= 10  # paused, but gave up after MAX_PAUSE_S


def test_the_apps_first_run_of_a_version_starts_its_warm_up(
    own_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """app.py registers warm.start with data.on_new_version: called once per version a run sees."""
    started: list[tuple[Path, FileIdentity]] = []
    monkeypatch.setattr(data, "_SEEN_VERSIONS", set())
    monkeypatch.setattr(data, "_NEW_VERSION_HOOKS", [])
    monkeypatch.setattr(warm, "start", lambda path, version: started.append((path, version)))
    for _ in range(2):  # two runs: one call
        at = open_app(None)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert started == [(own_db, FileIdentity.of(own_db))]
