"""The store of record: append-only, all-or-nothing writes, identities and refusals."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from ikz.parse.keys import cooperation_key, fingerprint
from ikz.store.access import Identity, PermissionDenied, require_editor
from ikz.store.sqlite import Store

EDITOR = Identity(email="anna@erfurt.de", subject="sub-anna", name="Anna", is_editor=True)
READER = Identity(email="ben@erfurt.de", subject="sub-ben", name="Ben", is_editor=False)


def decision(key: str = "EF-1", value: object = "vertraglich") -> dict:
    return {
        "city": "Erfurt",
        "cooperation_key": key,
        "field": "binding",
        "old_value": "informell",
        "new_value": value,
        "source_fingerprint": "f" * 16,
    }


def test_decisions_keep_who_and_the_latest_wins(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    store.record_decisions(EDITOR, [decision(value="vertraglich")])
    store.record_decisions(EDITOR, [decision(value=["a", "b"])])
    assert [d.new_value for d in store.decisions()] == ["vertraglich", ["a", "b"]]
    latest = store.latest_decisions()[("EF-1", "binding")]
    assert (latest.new_value, latest.actor_email, latest.actor_subject) == (
        ["a", "b"],
        "anna@erfurt.de",
        "sub-anna",
    )
    assert [e.action for e in store.audit()] == ["prüfen", "prüfen"]
    assert store.version() == 2


def test_rows_cannot_be_updated_or_deleted(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    store.record_decisions(EDITOR, [decision()])
    with store.connect() as con:
        for sql in ("UPDATE review_decision SET new_value = 'x'", "DELETE FROM audit_event"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(sql)


def test_a_reader_writes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    with pytest.raises(PermissionDenied, match="Keine Berechtigung"):
        store.record_decisions(READER, [decision()])
    with pytest.raises(PermissionDenied):
        require_editor(None)
    assert store.decisions() == []


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    bad = decision()
    del bad["source_fingerprint"]
    with pytest.raises(KeyError):
        store.record_decisions(EDITOR, [decision("EF-2"), bad])
    assert store.decisions() == [] and store.audit() == []


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")

    def write(n: int) -> None:
        for i in range(20):
            Store(store.path).record_decisions(EDITOR, [decision(f"EF-{n}-{i}")])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.decisions()) == 40
    assert len({d.cooperation_key for d in store.decisions()}) == 40


def test_local_identity_needs_a_name() -> None:
    assert Identity.local("  Erika   Muster ").subject == "lokal:Erika Muster"
    with pytest.raises(PermissionDenied):
        Identity.local("   ")


def test_keys_are_stable_and_unique() -> None:
    taken: set[str] = set()
    a = cooperation_key("Erfurt", "Amt 37", "Kooperation", "Rettungsdienst", taken)
    b = cooperation_key("Erfurt", "Amt 37", "Kooperation", "Rettungsdienst", taken)
    assert a.startswith("EF-") and b == f"{a}-2"
    assert cooperation_key("Erfurt", "amt 37", "Kooperation", " Rettungsdienst ", set()) == a
    assert fingerprint("a", None) == fingerprint("A ", "") != fingerprint("b")
