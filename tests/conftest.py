"""Shared fixtures: one database built through the real build per test session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ikz.build import build
from ikz.db import Database

# Tests never read or write the office's store of record or its edition files: an empty store of
# their own (also for app servers the tests start, which inherit the environment).
_STORE_DIR = Path(tempfile.mkdtemp(prefix="ikz-test-store-"))
os.environ["IKZ_STORE"] = str(_STORE_DIR / "pflege.sqlite")
os.environ["IKZ_EDITIONS"] = str(_STORE_DIR / "editions")


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a database built from data/raw by the real build."""
    path = tmp_path_factory.mktemp("db") / "ikz.duckdb"
    build(path)
    return path


@pytest.fixture(scope="session")
def database(built_db: Path) -> Database:
    """Read-only handle on the session database, as the app uses it."""
    return Database(built_db)


@pytest.fixture
def con(database: Database) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh cursor per test."""
    with database.cursor() as cur:
        yield cur


# Fixtures that start the export's Chromium: tests using them belong to the slow tier, wherever
# they live (the export tests are kept free of tier bookkeeping).
CHROMIUM_FIXTURES = {"renderer", "exports"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that start Chromium for rendering as slow; give real-browser tests one rerun."""
    for item in items:
        if CHROMIUM_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        # A browser test drives a server, Chromium and the export renderer on two cores; a step that
        # misses its timeout under that load passed alone (seen for the Pflegen and editor tests).
        # One rerun, reported as such by pytest-rerunfailures; a real fault fails both runs.
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=1))
