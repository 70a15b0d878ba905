"""The app's database handle: reopening after a rebuild, faults, staleness and auto-build."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from ikz.builder.database import build, load_tables, write_database
from ikz.core.paths import PARTNERS_PATH, RAW_DIR, SCHEMA_PATH, TAXONOMY_PATH, TOPICS_PATH
from ikz.read.db import Database, DatabaseUnavailable, ensure_database, input_files, is_stale
from tests.one_city import erfurt_only
from tests.seed_files import MAGDEBURG_FILE


def count(db: Database) -> int:
    with db.cursor() as cur:
        return cur.execute("SELECT count(*) FROM cooperation").fetchone()[0]


@pytest.mark.slow  # a real build: seconds
def test_reopens_after_the_file_is_replaced(built_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "live.duckdb"
    shutil.copy(built_db, path)
    db = Database(path)
    full = count(db)
    with db.cursor() as held:  # a cursor in use by another session during the swap
        write_database(erfurt_only(load_tables()), path)
        assert held.execute("SELECT count(*) FROM cooperation").fetchone()[0] == full
    assert count(db) == 78 < full


def test_missing_file_gives_german_message(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="fehlt"):
        Database(tmp_path / "nope.duckdb").connection()


@pytest.mark.parametrize("content", [b"", b"kein DuckDB", b"DUCK" * 1000], ids=["empty", "text", "garbage"])
def test_corrupt_file_gives_german_message(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.duckdb"
    path.write_bytes(content)
    with pytest.raises(DatabaseUnavailable, match="beschädigt oder keine DuckDB-Datei"):
        Database(path).connection()


def test_truncated_file_gives_german_message(built_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "truncated.duckdb"
    path.write_bytes(built_db.read_bytes()[: built_db.stat().st_size // 3])
    with pytest.raises(DatabaseUnavailable):
        count(Database(path))


def test_other_duckdb_file_is_reported_incomplete(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(DatabaseUnavailable, match="unvollständig"):
        Database(path).connection()


@pytest.mark.slow  # a real build: seconds
def test_ensure_builds_when_missing_and_when_stale(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    target = tmp_path / "auto.duckdb"
    assert ensure_database(target, raw_dir=raw).built
    assert not ensure_database(target, raw_dir=raw).built
    later = time.time() + 5
    os.utime(raw / MAGDEBURG_FILE, (later, later))
    assert is_stale(target, [raw / MAGDEBURG_FILE, TAXONOMY_PATH])
    assert ensure_database(target, raw_dir=raw).built


def test_a_newer_schema_makes_the_database_stale() -> None:
    """After an update that changes the tables, an older file is rebuilt, not queried and failing."""
    assert SCHEMA_PATH in input_files()


def test_every_rules_file_is_a_build_input() -> None:
    """Topics are facts of the build too: an edited topics.toml makes the database stale."""
    assert {TAXONOMY_PATH, PARTNERS_PATH, TOPICS_PATH} <= set(input_files())


@pytest.mark.slow  # a real build: seconds
def test_failed_rebuild_keeps_old_database_and_warns(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    target = tmp_path / "keep.duckdb"
    build(target, raw_dir=raw)
    before = target.read_bytes()
    (raw / MAGDEBURG_FILE).write_text("", encoding="utf-8")
    later = time.time() + 5
    os.utime(raw / MAGDEBURG_FILE, (later, later))
    result = ensure_database(target, raw_dir=raw)
    assert not result.built
    assert result.warning is not None and "zuletzt erfolgreich gebaute Stand" in result.warning
    assert target.read_bytes() == before


def test_failed_first_build_raises_german_message(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    (raw / MAGDEBURG_FILE).unlink()
    with pytest.raises(DatabaseUnavailable, match="konnte nicht gebaut werden"):
        ensure_database(tmp_path / "none.duckdb", raw_dir=raw)


def damage(path: Path, how: str, good: bytes) -> None:
    import duckdb

    if how == "abgeschnitten":
        path.write_bytes(good[: len(good) // 3])
    elif how == "leer":
        path.write_bytes(b"")
    elif how == "keine-duckdb-datei":
        path.write_text("Dies ist keine DuckDB-Datei.\n" * 50)
    else:  # a DuckDB file, but not ours
        path.unlink()
        duckdb.connect(str(path)).close()


@pytest.mark.slow  # a real build: seconds
@pytest.mark.parametrize("how", ["abgeschnitten", "leer", "keine-duckdb-datei", "fremde-duckdb"])
def test_a_damaged_file_is_set_aside_and_rebuilt(built_db: Path, tmp_path: Path, how: str) -> None:
    target = tmp_path / "ikz.duckdb"
    shutil.copyfile(built_db, target)
    damage(target, how, built_db.read_bytes())
    broken = target.read_bytes()
    result = ensure_database(target)
    assert result.built and result.warning is None
    assert result.set_aside is not None and result.set_aside.parent == tmp_path
    assert result.set_aside.name.startswith("ikz.duckdb.defekt-")
    assert result.set_aside.read_bytes() == broken  # kept as it was, for inspection
    assert "beschädigt und wurde aus den Quelldokumenten neu aufgebaut" in (result.notice() or "")
    assert count(Database(target)) == count(Database(built_db))
    assert not ensure_database(target).built


@pytest.mark.slow  # a real build: seconds
def test_a_file_from_before_the_store_is_rebuilt_not_set_aside(built_db: Path, tmp_path: Path) -> None:
    from ikz.store.access import Identity
    from ikz.store.sqlite import Store

    target = tmp_path / "old.duckdb"
    shutil.copyfile(built_db, target)  # without its .store-version file: built before the store
    store = Store(tmp_path / "pflege.sqlite")
    editor = Identity(email="anna@erfurt.de", subject="sub-anna", name="Anna", is_editor=True)
    with store.write(editor, "test", None):
        pass  # the store has moved on since that file was built
    result = ensure_database(target, store=store)
    assert result.built and result.set_aside is None
    assert list(tmp_path.glob("*.defekt-*")) == []


def test_an_unreadable_store_keeps_the_last_file_and_warns(built_db: Path, tmp_path: Path) -> None:
    from ikz.store.sqlite import Store

    target = tmp_path / "ikz.duckdb"
    shutil.copyfile(built_db, target)
    bad = tmp_path / "pflege.sqlite"
    bad.write_text("keine SQLite-Datei\n" * 100)
    result = ensure_database(target, store=Store(bad))
    assert not result.built
    assert result.warning is not None and "pflege.sqlite" in result.warning
    assert target.read_bytes() == built_db.read_bytes()
