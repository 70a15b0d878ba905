"""The Prüfen page in Streamlit's AppTest: the guard, the queue, a correction, its undo."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from ikz.store.sqlite import Store
from tests.apptest import open_app

# Whole-page AppTest runs and real builds: seconds each, so not in the fast tier.
pytestmark = pytest.mark.slow

PAGE = "pages/review.py"


def page(address: str, name: str | None = "Anna Beispiel") -> AppTest:
    config.set_option("server.address", address)
    return open_app(PAGE, local_name=name)


def origin(db: Path, key: str, field: str) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            f"SELECT o.{field}_origin FROM cooperation_origin o"
            " JOIN cooperation_wide w USING (cooperation_id) WHERE w.cooperation_key = ?",
            [key],
        ).fetchone()[0]


def test_non_editor_sees_no_permission(own_db: Path, server_address: None) -> None:
    at = page("0.0.0.0").run()
    assert not at.exception
    assert any("Keine Berechtigung" in e.value for e in at.error)
    assert not at.get("form")


def test_without_a_name_the_page_asks_for_one(own_db: Path, server_address: None) -> None:
    at = page("127.0.0.1", name=None).run()
    assert not at.exception
    assert any(t.label == "Ihr Name" for t in at.text_input)
    assert not any(s.label == "Eintrag" for s in at.selectbox)


def test_correct_a_value_then_undo_it(own_db: Path, store: Store, server_address: None) -> None:
    db = own_db
    at = page("127.0.0.1").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Prüfen und korrigieren"
    with duckdb.connect(str(db), read_only=True) as con:
        total = con.execute("SELECT count(*) FROM cooperation").fetchone()[0]
    assert f"0 von {total} Einträgen geprüft" in at.get("progress")[0].proto.text
    key = at.selectbox(key=next(s.key for s in at.selectbox if s.label == "Eintrag")).value
    status = at.selectbox(key=f"{key}-status")
    new_status = next(s for s in status.options if s != status.value)
    status.set_value(new_status)
    at.text_input(key=f"{key}-notiz").set_value("laut Fachbereich")
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception, at.exception
    decisions = store.decisions()
    # One click stored the correction and confirmed the record's other derived values with it.
    assert "status" in {d.field for d in decisions}
    assert len({d.at for d in decisions}) == 1
    status_decision = next(d for d in decisions if d.field == "status")
    assert (status_decision.new_value, status_decision.actor_name, status_decision.note) == (
        new_status,
        "Anna Beispiel",
        "laut Fachbereich",
    )
    # The page rebuilt the database: the value is checked, with its author, everywhere.
    assert origin(db, key, "status").startswith("✓ geprüft (Anna Beispiel, ")
    # The confirmation is a toast (seen wherever the person looks), and the own change's rebuild is
    # not announced as a rebuild from the source documents.
    assert any("Gespeichert" in t.value for t in at.toast)
    assert not at.success
    assert not [t.value for t in at.toast if "aufgebaut" in t.value]
    # The record is checked now; open it by its key, as the Überblick's link does, and undo.
    at.query_params["eintrag"] = key
    at.run()
    undo = next(b for b in at.button if b.key == f"undo-{key}-status")
    undo.click()
    at.run()
    assert not at.exception, at.exception
    assert store.decisions()[-1].new_value is None
    assert origin(db, key, "status").startswith("◆ abgeleitet")
    assert any("Rückgängig" in t.value for t in at.toast)
    assert not [t.value for t in at.toast if "aufgebaut" in t.value]
