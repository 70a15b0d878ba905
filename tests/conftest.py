"""Shared fixtures: one database built through the real build per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ikz.build import build
from ikz.db import Database
from ikz.store import STORE_ENV_VAR


@pytest.fixture(scope="session", autouse=True)
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test builds against an empty store of its own, never the office's data/pflege.sqlite."""
    path = tmp_path_factory.mktemp("store") / "pflege.sqlite"
    previous = os.environ.get(STORE_ENV_VAR)
    os.environ[STORE_ENV_VAR] = str(path)  # inherited by the app servers the browser tests start
    yield path
    if previous is None:
        os.environ.pop(STORE_ENV_VAR, None)
    else:
        os.environ[STORE_ENV_VAR] = previous


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
