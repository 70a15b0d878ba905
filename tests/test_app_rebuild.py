"""Which rebuild the office is told about: new source documents or rules under a running app are
announced („… neu daraus aufgebaut“); the rebuild after a person's own change (the store moved:
a review decision, a published edition) is silent, since that person was told where they acted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from ikz.read import review_queue
from ikz.read.db import FileIdentity, input_files
from ikz.store.access import Identity
from ikz.store.sqlite import Store
from ikz.ui.data import rebuild_notice
from tests.apptest import open_app

pytestmark = pytest.mark.slow


def rebuild_toasts(at: AppTest) -> list[str]:
    return [t.proto.body for t in at.toast if "aufgebaut" in t.proto.body]


def test_notice_tells_missing_and_stale_from_current(tmp_path: Path, built_db: Path) -> None:
    db = tmp_path / "ikz.duckdb"
    assert rebuild_notice(db, input_files()) == "Die Datenbank wurde aus den Quelldokumenten aufgebaut."
    shutil.copyfile(built_db, db)
    assert rebuild_notice(db, input_files()) is None
    os.utime(db, ns=(0, 0))  # older than every source document and rules file
    assert "Quelldokumente oder Regeln wurden geändert" in (rebuild_notice(db, input_files()) or "")


def test_a_decision_in_the_store_rebuilds_without_a_notice(own_db: Path, store: Store) -> None:
    db = own_db
    before = FileIdentity.of(db)
    with duckdb.connect(str(db), read_only=True) as con:
        key = review_queue.queue(con)["cooperation_key"][0]
        item = review_queue.item(con, cooperation_key=key)
    assert item is not None
    store.record_decisions(
        Identity.local("Anna Beispiel"),
        [
            {
                "city": item["city"],
                "cooperation_key": key,
                "field": "status",
                "old_value": item["fields"]["status"]["value"],
                "new_value": item["fields"]["status"]["value"],
                "source_fingerprint": item["source_fingerprint"],
            }
        ],
    )
    at = open_app().run()
    assert not at.exception, at.exception
    assert FileIdentity.of(db) != before, "the moved store must rebuild the database"
    assert rebuild_toasts(at) == []


def test_changed_sources_rebuild_with_a_notice(own_db: Path) -> None:
    db = own_db
    os.utime(db, ns=(0, 0))  # as if data/raw or a rules file had been saved after the build
    before = FileIdentity.of(db)
    at = open_app().run()
    assert not at.exception, at.exception
    assert FileIdentity.of(db) != before
    assert rebuild_toasts(at) == [
        "Quelldokumente oder Regeln wurden geändert: die Datenbank wurde neu daraus aufgebaut."
    ]
    # The next run has nothing to rebuild and says nothing.
    at.run()
    assert rebuild_toasts(at) == []
