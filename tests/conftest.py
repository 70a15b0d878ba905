"""Shared fixtures: one database built through the real build per test session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from ikz.builder.database import build
from ikz.core.paths import DB_ENV_VAR
from ikz.present import charts
from ikz.read.db import Database
from ikz.store.sqlite import STORE_ENV_VAR, Store
from ikz.ui.warm import WARM_ENV_VAR
from tests.apptest import open_app
from tests.live_app import (
    AppServer,
    chromium_missing_reason,
    copy_of,
    launch_chromium,
    replace_file,
    serve_app,
)
from tests.small_db import write_small_db

# Tests never read or write the office's store of record or its edition files: an empty store of
# their own (also for app servers the tests start, which inherit the environment).
_STORE_DIR = Path(tempfile.mkdtemp(prefix="ikz-test-store-"))
os.environ["IKZ_STORE"] = str(_STORE_DIR / "pflege.sqlite")
os.environ["IKZ_EDITIONS"] = str(_STORE_DIR / "editions")
# No warm-up thread (ikz/ui/warm.py) per database copy a test makes: each would read every page for
# some twenty filter states beside the tests. tests/test_warm.py switches it on where it tests it.
os.environ[WARM_ENV_VAR] = "0"


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a database built from data/raw by the real build."""
    path = tmp_path_factory.mktemp("db") / "ikz.duckdb"
    build(path)
    return path


@pytest.fixture(scope="session")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the seven-record database of tests/small_db.py (counts worked out by hand there)."""
    return write_small_db(tmp_path_factory.mktemp("small") / "small.duckdb")


@pytest.fixture
def small_con(small_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the small database."""
    with duckdb.connect(str(small_db), read_only=True) as con:
        yield con


@pytest.fixture(scope="session")
def database(built_db: Path) -> Database:
    """Read-only handle on the session database, as the app uses it."""
    return Database(built_db)


# --- Pages in AppTest (tests/apptest.py) -------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """An empty store of record of the test's own, where the app looks for it ($IKZ_STORE)."""
    path = tmp_path / "pflege.sqlite"
    monkeypatch.setenv(STORE_ENV_VAR, str(path))
    return Store(path)


@pytest.fixture
def own_db(built_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store) -> Path:
    """A copy of the session database the app may rebuild ($IKZ_DB), with an empty store."""
    path = copy_of(built_db, tmp_path / "ikz.duckdb")
    monkeypatch.setenv(DB_ENV_VAR, str(path))
    return path


@pytest.fixture
def on_built_db(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app reads the session database ($IKZ_DB); its path."""
    monkeypatch.setenv(DB_ENV_VAR, str(built_db))
    return built_db


@pytest.fixture
def app(on_built_db: Path, store: Store, request: pytest.FixtureRequest) -> AppTest:
    """app.py in AppTest on the session database and an empty store of the test's own, opened on
    the test module's PAGE (the start page where the module has none); not run yet."""
    return open_app(getattr(request.module, "PAGE", None))


@pytest.fixture
def server_address() -> Iterator[None]:
    """Streamlit's server.address, restored after the test (the pages' guard reads it)."""
    before = st_config.get_option("server.address")
    yield
    st_config.set_option("server.address", before)


@pytest.fixture
def loopback(server_address: None) -> None:
    """Served on loopback, as run.sh serves it: local mode, where a person may edit."""
    st_config.set_option("server.address", "127.0.0.1")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, one per test module (tests using it are marked
    `browser` and skipped where it is missing, pytest_collection_modifyitems).

    Module scope, not session: a module's browser must be gone before the next module runs (the
    export tests check that no Chromium of theirs is left; Playwright's sync API owns an event loop).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app served on a copy of the session's build (server.db), one per test module; a module
    that needs another server (a store with writes, sign-in) defines a `server` of its own."""
    folder = tmp_path_factory.mktemp("server")
    with serve_app(copy_of(built_db, folder / "ikz.duckdb"), folder / "streamlit.log") as running:
        yield running


# A live server whose database file the robustness tests damage, replace and rebuild (one per module).
@pytest.fixture(scope="module")
def good_db(tmp_path_factory: pytest.TempPathFactory, built_db: Path) -> Path:
    """The good database the live server's file is restored from."""
    return copy_of(built_db, tmp_path_factory.mktemp("robust") / "good.duckdb")


@pytest.fixture(scope="module")
def live(good_db: Path) -> Iterator[AppServer]:
    """The app serving a copy of good_db."""
    path = good_db.with_name("live.duckdb")
    replace_file(good_db, path)
    with serve_app(path, good_db.with_name("live.log")) as server:
        yield server


@pytest.fixture
def healthy(live: AppServer, good_db: Path) -> Iterator[AppServer]:
    """The live server with the good file in place before and after the test."""
    replace_file(good_db, live.db)
    yield live
    replace_file(good_db, live.db)


@pytest.fixture
def validated_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """charts.figure_of validates what it builds (the app skips it for speed): a misspelt trace or
    layout property fails the chart tests at once instead of vanishing in the browser."""
    monkeypatch.setattr(charts, "figure_of", lambda data, layout: go.Figure({"data": data, "layout": layout}))


@pytest.fixture
def con(database: Database) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh cursor per test."""
    with database.cursor() as cur:
        yield cur


# Fixtures that start the export's Chromium: tests using them belong to the slow tier, wherever
# they live (the export tests are kept free of tier bookkeeping).
CHROMIUM_FIXTURES = {"renderer", "exports"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that start Chromium for rendering as slow, and tests that drive a browser as
    browser tests; skip the browser tests where Chromium is missing; run the longest files first.

    No test is rerun: a flaky one is fixed at its cause (waiting for the condition it needs)."""
    _order_longest_first(items)
    missing = chromium_missing_reason()
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if CHROMIUM_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if missing and item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=missing))


# The longest test files, longest first (as seen in a two-worker run of the whole suite).
# test.sh hands whole files to two workers in collection order (--no-loadscope-reorder: xdist
# would otherwise start with the files of most tests, and one worker ran its last browser file
# alone while the other idled), so the long files are spread first and the many short ones fill
# the gaps at the end.
LONGEST_FIRST = (
    "test_browser.py",
    "test_browser_access.py",
    "test_browser_words.py",
    "test_editions.py",
    "test_export_readback.py",
    "test_browser_map.py",
    "test_robustness.py",
    "test_browser_review.py",
    "test_browser_anregungen.py",
    "test_robustness_server.py",
    "test_browser_pflegen.py",
    "test_browser_chart_fit.py",
    "test_export_render.py",
    "test_build.py",
    "test_map_export.py",
    "test_review.py",
    "test_app_pflegen.py",
    "test_db.py",
    "test_robustness_load.py",
    "test_app_anregungen.py",
)


def _order_longest_first(items: list[pytest.Item]) -> None:
    """Stable sort: the files of LONGEST_FIRST in that order, then the rest as collected."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
