"""Saving a mark of an Anregung does not make the database stale; a review decision still does."""

from __future__ import annotations

from pathlib import Path

from ikz.builder.database import write_store_version
from ikz.read.db import store_moved
from ikz.store.access import Identity
from ikz.store.sqlite import Store

EDITOR = Identity(email="anna@erfurt.de", subject="sub-anna", name="Anna", is_editor=True)


def test_a_mark_does_not_move_the_store_version_a_decision_does(tmp_path: Path) -> None:
    store = Store(tmp_path / "pflege.sqlite")
    db = tmp_path / "ikz.duckdb"
    write_store_version(db, store.version())  # as the build leaves it
    assert not store_moved(db, store)
    store.record_mark(EDITOR, cooperation_key="MD-1", for_city="Erfurt", mark="interessant", note=None)
    store.record_mark(EDITOR, cooperation_key="MD-1", for_city="Erfurt", mark=None, note=None)
    # Marks are joined at read time: no rebuild, so no „Die Datenbank wurde neu … aufgebaut“ toast.
    assert not store_moved(db, store)
    assert [e.action for e in store.audit()].count("anregung") == 2
    store.record_decisions(
        EDITOR,
        [
            {
                "city": "Erfurt",
                "cooperation_key": "EF-1",
                "field": "binding",
                "old_value": "informell",
                "new_value": "vertraglich",
                "source_fingerprint": "f" * 16,
            }
        ],
    )
    assert store_moved(db, store)  # a review decision changes what the build writes
    assert store.version() == 3
