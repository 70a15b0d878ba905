"""Reads stored by the build (ikz.read.precomputed, ikz.ui.warm.precompute): each equal to its
query's result, found by a page right after a restart, and ignored when other code made them."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from ikz.builder.database import build
from ikz.read import precomputed
from ikz.read.db import Database, FileIdentity
from ikz.read.queries import Filters
from ikz.rules.cities import load_cities
from ikz.store.sqlite import Store
from ikz.ui import data, views, warm
from tests.apptest import open_app

PAGE_FILES = {"ueberblick": None, "vergleich": "pages/compare.py", "karte": "pages/karte.py"}


@pytest.fixture(scope="module")
def stored_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real data built with the states' reads stored (the threshold lowered to store them)."""
    path = tmp_path_factory.mktemp("stored") / "ikz.duckdb"
    build(
        path,
        store=Store(path.with_name("pflege.sqlite")),
        finish=lambda con, target: warm.precompute(con, target, from_rows=0),
    )
    return path


@pytest.fixture
def app_on_stored(
    stored_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[tuple[str, bool]]]:
    """A copy of stored_db as the app's database, empty caches as after a restart, no warm-up; yields
    every (read, found stored) the reads ask the file for."""
    path = tmp_path / "ikz.duckdb"
    copy_with_reads(stored_db, path)
    shutil.copy2(stored_db.with_name(stored_db.name + ".store-version"), tmp_path)
    monkeypatch.setenv("IKZ_DB", str(path))
    monkeypatch.setenv("IKZ_STORE", str(stored_db.with_name("pflege.sqlite")))
    monkeypatch.setenv(warm.WARM_ENV_VAR, "0")
    asked: list[tuple[str, bool]] = []
    original = Database.stored

    def stored(self: Database, read: str, args: tuple, kwargs: tuple) -> Any:
        value = original(self, read, args, kwargs)
        asked.append((read, value is not precomputed.MISSING))
        return value

    monkeypatch.setattr(Database, "stored", stored)
    data.clear_caches()
    yield asked
    data.clear_caches()


def copy_with_reads(db: Path, path: Path) -> Path:
    """A copy of the database db at path with its reads file; the reads file's new path."""
    shutil.copy2(db, path)
    [reads] = db.parent.glob(db.name + precomputed.SUFFIX + "*")
    return Path(shutil.copy2(reads, path.with_name(reads.name.replace(db.name, path.name))))


def same(a: Any, b: Any) -> bool:
    """Equal values, frames compared by content (with their column types)."""
    if isinstance(a, pl.DataFrame):
        return isinstance(b, pl.DataFrame) and a.schema == b.schema and a.equals(b)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if isinstance(a, tuple | list):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    return a == b


def test_every_read_of_the_states_is_stored_and_equals_its_query(stored_db: Path) -> None:
    """Walk the pages' reads for every state the build stores, as the warm-up does, and compare
    what the file holds with the query run now on the same file."""
    handle = Database(stored_db)
    checked: set[tuple[str, str]] = set()

    def read(source: data.Read[..., Any], *args: Any, **kwargs: Any) -> Any:
        arguments = tuple(sorted(kwargs.items()))
        value = handle.stored(source.name, args, arguments)
        with handle.cursor() as cur:
            computed = source.query(cur, *args, **kwargs)
        assert value is not precomputed.MISSING, f"not stored: {source.name}{arguments}"
        assert same(value, computed), f"stored value differs from the query: {source.name}{arguments}"
        checked.add((source.name, precomputed.arguments_key(args, arguments)))
        return computed

    warm.read_states(read)
    [reads] = stored_db.parent.glob(stored_db.name + precomputed.SUFFIX + "*")
    with contextlib.closing(sqlite3.connect(reads)) as con:
        [(rows,)] = con.execute("SELECT count(*) FROM stored_read").fetchall()
    assert len(checked) == rows > 100


@pytest.mark.slow
@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_a_page_after_a_restart_finds_its_state_stored(
    page: str, app_on_stored: list[tuple[str, bool]]
) -> None:
    """With empty caches (a restarted server) a page on a stored state runs none of its queries."""
    at = open_app(PAGE_FILES[page])
    at.query_params["stadt" if page == "ueberblick" else "art"] = (
        [load_cities().names[0]] if page == "ueberblick" else [a_type()]
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart"), "the page drew no chart"
    computed = sorted({read for read, found in app_on_stored if not found})
    assert computed == [], f"{page} queried what the build stored: {computed}"
    assert len(app_on_stored) >= len(views.karte_state(Filters()))


def a_type() -> str:
    """The most frequent Kooperationsart of the real data (each single one is a stored state)."""
    handle = Database(Path(os.environ["IKZ_DB"]))
    with handle.cursor() as cur:
        return cur.execute(
            "SELECT type_name FROM cooperation_wide GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]


def test_values_made_by_other_code_are_not_used(stored_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an update of the code (another code_version) the file's values are ignored and the
    reads compute as before, until the next build stores them anew."""
    with duckdb.connect(str(stored_db), read_only=True) as con:
        assert len(precomputed.Stored(con, stored_db)) > 0
        monkeypatch.setattr(precomputed, "code_version", lambda: "another-version")
        stored = precomputed.Stored(con, stored_db)
        assert len(stored) == 0
        assert stored.get("ikz.read.queries.filter_options", (), ()) is precomputed.MISSING


def test_a_value_that_cannot_be_loaded_is_computed(stored_db: Path, tmp_path: Path) -> None:
    """A damaged value, or a reads file gone, is computed instead: never an error for people."""
    path = tmp_path / "ikz.duckdb"
    reads = copy_with_reads(stored_db, path)
    read = "ikz.read.queries.filter_options"
    with contextlib.closing(sqlite3.connect(reads)) as db:
        db.execute("UPDATE stored_read SET payload = x'00' WHERE read = ?", [read])
        db.commit()
    with duckdb.connect(str(path), read_only=True) as con:
        stored = precomputed.Stored(con, path)
        assert len(stored) > 0
        assert stored.get(read, (), ()) is precomputed.MISSING
        reads.unlink()
        assert stored.get("ikz.read.queries.categories", ("form",), ()) is precomputed.MISSING
        assert len(precomputed.Stored(con, path)) == 0
    version = FileIdentity.of(path)
    assert version is not None
    options = data.filter_options.cached(version, (), (), path=str(path))
    assert options.types, "the read computed its value instead"


def test_a_new_build_removes_the_reads_files_of_older_builds(tmp_path: Path) -> None:
    """At most two reads files: the new build's and the one of the database people read until
    the swap."""
    target = tmp_path / "ikz.duckdb"
    for _ in range(3):
        with duckdb.connect(":memory:") as con:
            con.execute(f"CREATE TABLE {precomputed.BUILD_TABLE} (build_id VARCHAR)")
            assert precomputed.store(con, target, [("r", "()", 1)]) == 1
            [(build_id,)] = con.execute(f"SELECT build_id FROM {precomputed.BUILD_TABLE}").fetchall()
    files = sorted(tmp_path.glob("ikz.duckdb.reads-*"), key=lambda p: p.stat().st_mtime_ns)
    assert len(files) == 2 and files[-1] == precomputed.reads_path(target, build_id)


def test_a_small_database_stores_nothing(built_db: Path) -> None:
    """Below precomputed.FROM_ROWS (the real data) a build stores no reads: the warm-up has them in
    seconds, and every rebuild after a review decision stays as fast as before."""
    with duckdb.connect(str(built_db), read_only=True) as con:
        assert warm.precompute(con, built_db) == 0
        assert con.execute(f"SELECT count(*) FROM {precomputed.BUILD_TABLE}").fetchall() == [(0,)]
    assert not list(built_db.parent.glob(built_db.name + precomputed.SUFFIX + "*"))


def test_the_code_version_changes_with_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """code_version digests the package's files: one changed byte gives another version."""
    package = tmp_path / "ikz"
    (package / "read").mkdir(parents=True)
    module = package / "read" / "precomputed.py"
    module.write_text("A = 1\n")
    monkeypatch.setattr(precomputed, "__file__", str(module))
    precomputed.code_version.cache_clear()
    try:
        first = precomputed.code_version()
        module.write_text("A = 2\n")
        precomputed.code_version.cache_clear()
        assert precomputed.code_version() != first
    finally:
        monkeypatch.undo()
        precomputed.code_version.cache_clear()
