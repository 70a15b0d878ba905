"""The Protokoll in words (AppTest): local German time, a readable Aktion and Gegenstand for every
kind of write, no raw JSON or sign-in subject by default, and reading without giving a name."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit import config

from ikz.core.dates import local_time
from ikz.read.audit import SHOWN_COLUMNS
from ikz.store.access import Identity
from ikz.store.sqlite import Store
from tests.apptest import open_app

pytestmark = pytest.mark.slow  # whole-page AppTest runs on the session's build

ANNA = Identity(email="anna@erfurt.de", subject="a7f3", name="Anna Redakteurin", is_editor=True)
BERND = Identity.local("Bernd", is_editor=True)


def _record(built_db: Path, city: str) -> tuple[str, str, str, str]:
    with duckdb.connect(str(built_db), read_only=True) as con:
        return con.execute(
            "SELECT cooperation_key, title, type_name, source_fingerprint FROM cooperation_wide"
            " WHERE city = ? ORDER BY cooperation_id LIMIT 1",
            [city],
        ).fetchone()


def _every_kind_of_write(store: Store, built_db: Path) -> dict[str, str]:
    """One write of each kind the Protokoll knows; the titles they are about."""
    key, title, type_name, fingerprint = _record(built_db, "Erfurt")
    md_key, md_title, _, _ = _record(built_db, "Magdeburg")
    check = {
        "city": "Erfurt",
        "cooperation_key": key,
        "field": "type",
        "old_value": type_name,
        "new_value": type_name,
        "source_fingerprint": fingerprint,
    }
    store.record_decisions(ANNA, [check], note="passt")
    store.record_decisions(ANNA, [{**check, "new_value": None}], note="rückgängig")
    store.record_mark(BERND, cooperation_key=md_key, for_city="Erfurt", mark="interessant", note=None)
    edition = store.register_edition(
        ANNA,
        city="Erfurt",
        as_of="2026-12-07",
        file_name="editions/Erfurt/2026-12-07_abc.xlsx",
        sha256="abc",
        row_count=79,
        expected_current=None,
    )
    store.register_edition(
        ANNA,
        city="Erfurt",
        as_of="2026-12-08",
        file_name="editions/Erfurt/2026-12-08_def.xlsx",
        sha256="def",
        row_count=80,
        expected_current=edition,
        derived_from=edition,
        note=f"Kooperation geändert: {title}",
    )
    store.set_current(ANNA, "Erfurt", edition, expected_current=edition + 1)
    with store.write(ANNA, "protokoll-export", None, {"rows": 6}):
        pass
    return {"title": title, "md_title": md_title}


def test_every_write_reads_in_words_and_local_time(on_built_db: Path, store: Store, loopback: None) -> None:
    shown = _every_kind_of_write(store, on_built_db)
    at = open_app().run()
    at.switch_page("pages/protocol.py").run()
    assert not at.exception
    frame = at.dataframe[0]
    table = frame.value
    assert list(frame.proto.column_order) == list(SHOWN_COLUMNS)  # no subject, no JSON by default
    assert list(table["Aktion"]) == [
        "Protokoll exportiert",
        "zurückgesetzt",
        "Kooperation geändert",
        "Ausgabe veröffentlicht",
        "bewertet",
        "rückgängig gemacht",
        "geprüft",
    ]
    subjects = list(table["Gegenstand"])
    assert subjects[0] == "6 Einträge als CSV"
    assert subjects[1] == "Erfurt: auf Ausgabe 1 vom 7. Dezember 2026"
    assert subjects[2] == f"Erfurt: „{shown['title']}“ (Ausgabe 2 vom 8. Dezember 2026)"
    assert subjects[3] == "Erfurt: Ausgabe 1 vom 7. Dezember 2026, 79 Kooperationen"
    assert subjects[4] == f"Anregung „{shown['md_title']}“ für Erfurt: interessant"
    assert subjects[5] == subjects[6] == f"„{shown['title']}“: Kooperationsart"
    events = store.audit()
    assert list(table["Zeit"]) == [local_time(e.at) for e in events]
    assert all("Dezember" in t or "Januar" in t or "," in t for t in table["Zeit"])
    assert not any("T" in t and "+00:00" in t for t in table["Zeit"])
    assert list(table["Person"])[4] == "Bernd (lokal)"
    shown_cells = [str(v) for c in SHOWN_COLUMNS for v in table[c]]
    assert not any("{" in v or "}" in v for v in shown_cells)
    # The details of one event: readable lines first, the stored JSON only below them.
    at.selectbox(key="protokoll_details_wahl").set_value(events[-1].event_id).run()
    details = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "Kooperationsart:" in details and "Notiz: passt" in details
    assert at.code[0].language == "json"


def test_reading_needs_no_name_only_the_export_does(on_built_db: Path, store: Store, loopback: None) -> None:
    _every_kind_of_write(store, on_built_db)
    at = open_app().run()
    at.switch_page("pages/protocol.py").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 7  # read without a name
    assert [f.label for f in at.text_input] == ["Ihr Name"]  # asked for only for the export
    assert not at.get("download_button")
    at.text_input[0].set_value("Carla")
    at.button[0].click().run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")] == ["CSV herunterladen"]
    assert not at.text_input


def test_readers_still_get_no_permission_without_editing_rights(
    on_built_db: Path, store: Store, loopback: None
) -> None:
    config.set_option("server.address", "0.0.0.0")  # local mode on a network address: read-only
    store.record_mark(BERND, cooperation_key="k", for_city="Erfurt", mark="ja", note=None)
    at = open_app().run()
    at.switch_page("pages/protocol.py").run()
    assert not at.exception
    assert any("Keine Berechtigung" in t.value for t in at.title)
    assert not at.dataframe
