"""Checked values: the overlay of review decisions on the tables, through the store and the real build."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ikz.builder import review
from ikz.builder.database import build, load_tables
from ikz.builder.review import RECORD_GONE, SOURCE_CHANGED, VALUE_GONE, ReviewError, Vocabulary, validate
from ikz.core.paths import RAW_DIR, ROOT
from ikz.derive.normalise import Tables
from ikz.read.db import ensure_database
from ikz.store.access import Identity
from ikz.store.sqlite import Decision, Store
from tests.seed_files import MAGDEBURG_FILE

# Whole-page AppTest runs and real builds: seconds each, so not in the fast tier.
pytestmark = pytest.mark.slow

ANNA = Identity.local("Anna Beispiel")
BEN = Identity.local("Ben Muster")


@pytest.fixture(scope="module")
def base() -> Tables:
    """The tables as the build makes them from an empty store."""
    return load_tables(store=Store(Path("/nonexistent/empty.sqlite")))


@pytest.fixture(scope="module")
def vocabulary(base: Tables) -> Vocabulary:
    return Vocabulary.from_frame(base["review_vocabulary"])


def record(tables: Tables, city: str = "Magdeburg", n: int = 0) -> dict:
    """The n-th cooperation of city, as a dict."""
    frame = tables["cooperation"].join(tables["city"].select("city_id", city_name="name"), on="city_id")
    return frame.filter(pl.col("city_name") == city).row(n, named=True)


def decision(
    rec: dict,
    field: str,
    value: object,
    *,
    decision_id: int = 1,
    fingerprint: str | None = None,
    who: str = "Anna Beispiel",
) -> Decision:
    return Decision(
        decision_id=decision_id,
        at="2026-11-30T01:30:00+00:00",
        actor_email="lokal",
        actor_subject=f"lokal:{who}",
        actor_name=who,
        city="Magdeburg",
        cooperation_key=rec["cooperation_key"],
        field=field,
        old_value=None,
        new_value=value,
        note="aus dem Text",
        source_fingerprint=fingerprint or rec["source_fingerprint"],
    )


def type_name(tables: Tables | dict, cooperation_id: int) -> str:
    frames = tables.frames if isinstance(tables, Tables) else tables
    return (
        frames["cooperation"]
        .filter(pl.col("cooperation_id") == cooperation_id)
        .join(frames["cooperation_type"], on="type_id")["name"][0]
    )


# --- The overlay, pure ------------------------------------------------------------------------


def test_no_decisions_change_nothing(base: Tables, vocabulary: Vocabulary) -> None:
    out = review.apply_decisions(base.frames, [], vocabulary)
    for name in ("cooperation", "cooperation_effect", "cooperation_partner"):
        assert out[name].equals(base[name]), name
    assert out["cooperation_check"].is_empty()
    assert out["review_pending"].is_empty()


def test_corrections_replace_values_and_keep_who_and_when(base: Tables, vocabulary: Vocabulary) -> None:
    rec = record(base)
    cid = rec["cooperation_id"]
    new_type = next(t for t in vocabulary.types if t != type_name(base, cid) and t != "ohne Angabe")
    effects = [vocabulary.effects[1], vocabulary.effects[0]]  # given out of order
    partners = list(vocabulary.partners[:2])
    decisions = [
        decision(rec, "type", new_type, decision_id=1),
        decision(rec, "binding", "informell", decision_id=2),
        decision(rec, "effects", effects, decision_id=3),
        decision(rec, "status", "ruht", decision_id=4),
        decision(rec, "partners", partners, decision_id=5, who="Ben Muster"),
    ]
    out = review.apply_decisions(base.frames, decisions, vocabulary)
    row = out["cooperation"].filter(pl.col("cooperation_id") == cid).row(0, named=True)
    assert type_name(out, cid) == new_type
    assert (row["binding"], row["status"]) == ("informell", "ruht")
    assert {row[f"{f}_source"] for f in ("type", "binding", "effects", "status")} == {"geprüft"}
    links = out["cooperation_effect"].filter(pl.col("cooperation_id") == cid)
    named = links.join(out["effect_category"], on="effect_id").sort("sort_order")
    assert named["name"].to_list() == list(vocabulary.effects[:2])
    assert named["is_derived"].to_list() == [False, False]
    assert set(named["evidence"]) == {"geprüft"}
    found = (
        out["cooperation_partner"]
        .filter(pl.col("cooperation_id") == cid)
        .join(out["partner"], on="partner_id")
    )
    assert sorted(found["name"]) == sorted(partners)
    checks = out["cooperation_check"].sort("decision_id")
    assert checks.select("field", "checked_by", "checked_on", "note").rows() == [
        ("type", "Anna Beispiel", "30.11.2026", "aus dem Text"),
        ("binding", "Anna Beispiel", "30.11.2026", "aus dem Text"),
        ("effects", "Anna Beispiel", "30.11.2026", "aus dem Text"),
        ("status", "Anna Beispiel", "30.11.2026", "aus dem Text"),
        ("partners", "Ben Muster", "30.11.2026", "aus dem Text"),
    ]
    # Nothing else moved: every other record is as derived.
    others = pl.col("cooperation_id") != cid
    assert out["cooperation"].filter(others).equals(base["cooperation"].filter(others))
    assert out["cooperation_effect"].filter(others).equals(base["cooperation_effect"].filter(others))


def test_removing_every_partner_and_every_effect(base: Tables, vocabulary: Vocabulary) -> None:
    links = base["cooperation_partner"]
    cid = links["cooperation_id"][0]
    rec = base["cooperation"].filter(pl.col("cooperation_id") == cid).row(0, named=True)
    out = review.apply_decisions(
        base.frames,
        [decision(rec, "partners", [], decision_id=1), decision(rec, "effects", [], decision_id=2)],
        vocabulary,
    )
    assert out["cooperation_partner"].filter(pl.col("cooperation_id") == cid).is_empty()
    effects = (
        out["cooperation_effect"]
        .filter(pl.col("cooperation_id") == cid)
        .join(out["effect_category"], on="effect_id")
    )
    assert effects["name"].to_list() == ["ohne Angabe"]


def test_decisions_that_cannot_apply_are_listed_not_applied(base: Tables, vocabulary: Vocabulary) -> None:
    rec = record(base)
    gone = {**rec, "cooperation_key": "MD-00000000"}
    decisions = [
        decision(rec, "status", "ruht", decision_id=1, fingerprint="0" * 16),
        decision(gone, "status", "ruht", decision_id=2),
        decision(rec, "binding", "nicht mehr in den Regeln", decision_id=3),
    ]
    out = review.apply_decisions(base.frames, decisions, vocabulary)
    assert out["cooperation"].equals(base["cooperation"])
    assert out["cooperation_check"].is_empty()
    assert out["review_pending"].select(
        "decision_id", "cooperation_id", "field", "value", "reason"
    ).rows() == [
        (1, rec["cooperation_id"], "status", "ruht", SOURCE_CHANGED),
        (2, None, "status", "ruht", RECORD_GONE),
        (3, rec["cooperation_id"], "binding", "nicht mehr in den Regeln", VALUE_GONE),
    ]


def test_an_undo_leaves_the_derived_value(base: Tables, vocabulary: Vocabulary) -> None:
    rec = record(base)
    out = review.apply_decisions(base.frames, [decision(rec, "status", None)], vocabulary)
    assert out["cooperation"].equals(base["cooperation"])
    assert out["cooperation_check"].is_empty() and out["review_pending"].is_empty()


def test_validation_names_the_problem_in_german(vocabulary: Vocabulary) -> None:
    assert validate("effects", [vocabulary.effects[2], vocabulary.effects[0]], vocabulary) == [
        vocabulary.effects[0],
        vocabulary.effects[2],
    ]
    assert validate("effects", [], vocabulary) == ["ohne Angabe"]
    assert validate("binding", None, vocabulary) is None
    with pytest.raises(ReviewError, match="Verbindlichkeit: „bindend“ ist kein erlaubter Wert"):
        validate("binding", "bindend", vocabulary)
    with pytest.raises(ReviewError, match="Partner: unbekannt: „Atlantis“"):
        validate("partners", ["Atlantis"], vocabulary)
    with pytest.raises(ReviewError, match="„ohne Angabe“ kann nicht mit anderen"):
        validate("effects", ["ohne Angabe", vocabulary.effects[0]], vocabulary)
    with pytest.raises(ReviewError, match="Unbekanntes Feld „farbe“"):
        validate("farbe", "rot", vocabulary)


# --- Through the store and the real build -------------------------------------------------------


def stored(
    store: Store, identity: Identity, rec: dict, field: str, value: object, note: str | None = None
) -> int:
    return store.record_decisions(
        identity,
        [
            {
                "city": "Magdeburg",
                "cooperation_key": rec["cooperation_key"],
                "field": field,
                "old_value": None,
                "new_value": value,
                "source_fingerprint": rec["source_fingerprint"],
                "note": note,
            }
        ],
    )


def wide(db: Path, key: str) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.sql(
            "SELECT w.*, o.* EXCLUDE (cooperation_id) FROM cooperation_wide w"
            " JOIN cooperation_origin o USING (cooperation_id) WHERE cooperation_key = ?",
            params=[key],
        ).pl()
    return frame.row(0, named=True)


def test_a_correction_survives_rebuilds_and_can_be_undone(base: Tables, tmp_path: Path) -> None:
    store = Store(tmp_path / "pflege.sqlite")
    db = tmp_path / "ikz.duckdb"
    rec = record(base, n=3)
    assert ensure_database(db, store=store).built
    derived = wide(db, rec["cooperation_key"])
    assert derived["status_origin"] != "✓ geprüft"
    other = next(s for s in ("ruht", "gescheitert") if s != derived["status"])
    stored(store, ANNA, rec, "status", other, note="laut Telefonat")
    # The store changed: the next page load rebuilds, and the value is checked with its author.
    assert ensure_database(db, store=store).built
    assert not ensure_database(db, store=store).built
    checked = wide(db, rec["cooperation_key"])
    assert (checked["status"], checked["status_source"]) == (other, "geprüft")
    assert checked["status_origin"].startswith("✓ geprüft (Anna Beispiel, ")
    # A rebuild from scratch (another process, a restart) gives the same.
    db.unlink()
    build(db, store=Store(store.path))
    assert wide(db, rec["cooperation_key"])["status_origin"] == checked["status_origin"]
    # „rückgängig“ is a new decision; afterwards the derived value is back.
    stored(store, BEN, rec, "status", None)
    assert ensure_database(db, store=store).built
    undone = wide(db, rec["cooperation_key"])
    assert (undone["status"], undone["status_origin"]) == (derived["status"], derived["status_origin"])
    assert [d.new_value for d in store.decisions()] == [other, None]


def test_a_changed_source_text_asks_to_check_again(base: Tables, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    source = raw / MAGDEBURG_FILE
    text = source.read_text(encoding="utf-8")
    # A Magdeburg record whose Arbeitsstand begins with words found nowhere else in the document.
    rec = next(
        r
        for r in base["cooperation"].filter(pl.col("status_text").is_not_null()).iter_rows(named=True)
        if text.count(r["status_text"][:25]) == 1
    )
    words = rec["status_text"][:25]
    store = Store(tmp_path / "pflege.sqlite")
    stored(store, ANNA, rec, "status", "ruht")
    db = tmp_path / "ikz.duckdb"
    build(db, raw_dir=raw, store=store)
    assert wide(db, rec["cooperation_key"])["status_source"] == "geprüft"
    # Somebody edits the record's Arbeitsstand in the source document.
    source.write_text(text.replace(words, words + " (ergänzt)"), encoding="utf-8")
    build(db, raw_dir=raw, store=store)
    assert wide(db, rec["cooperation_key"])["status_source"] != "geprüft"
    with duckdb.connect(str(db), read_only=True) as con:
        pending = con.execute(
            "SELECT cooperation_key, field, value, checked_by, reason FROM review_pending"
        ).fetchall()
    assert pending == [(rec["cooperation_key"], "status", "ruht", "Anna Beispiel", SOURCE_CHANGED)]


def _decide_in_process(path: str, name: str, items: list[tuple[str, str, str]]) -> None:
    store = Store(Path(path))
    for key, fingerprint, value in items:
        store.record_decisions(
            Identity.local(name),
            [
                {
                    "city": "Magdeburg",
                    "cooperation_key": key,
                    "field": "status",
                    "old_value": None,
                    "new_value": value,
                    "source_fingerprint": fingerprint,
                }
            ],
        )


def test_two_people_checking_at_once_lose_nothing(base: Tables, tmp_path: Path) -> None:
    """Two processes and two threads decide on different records at the same time: all arrive, all apply."""
    path = tmp_path / "pflege.sqlite"
    records = [record(base, n=i) for i in range(40)]
    batches = [
        [(r["cooperation_key"], r["source_fingerprint"], "ruht") for r in records[i::4]] for i in range(4)
    ]
    # Two more Python processes (not multiprocessing: under pytest-xdist a spawned child re-runs the
    # worker's main module and fails before it starts), each deciding one batch.
    child = (
        "import json, sys; from tests.test_review import _decide_in_process as decide; "
        "decide(*json.loads(sys.argv[1]))"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", child, json.dumps([str(path), f"Person {i}", batches[i]])],
            cwd=ROOT,
            stderr=subprocess.PIPE,
        )
        for i in (0, 1)
    ]
    threads = [
        threading.Thread(target=_decide_in_process, args=(str(path), f"Person {i}", batches[i]))
        for i in (2, 3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors = [p.communicate(timeout=120)[1].decode(errors="replace") for p in processes]
    assert [p.returncode for p in processes] == [0, 0], errors
    store = Store(path)
    assert len(store.decisions()) == 40
    assert {d.actor_name for d in store.decisions()} == {f"Person {i}" for i in range(4)}
    db = tmp_path / "ikz.duckdb"
    build(db, store=store)
    with duckdb.connect(str(db), read_only=True) as con:
        checked = con.execute("SELECT count(*) FROM cooperation_check WHERE field = 'status'").fetchone()[0]
    assert checked == 40


def test_checked_values_reach_the_deck_with_their_author(base: Tables, tmp_path: Path) -> None:
    """A ✓ value is listed on the deck's „Geprüfte Werte“ slide with who checked it and when."""
    import io
    from datetime import date

    from pptx import Presentation

    from ikz.present.export import DeckSpec, build_deck, checked_values_slide
    from ikz.read.queries import Filters, checked_values

    store = Store(tmp_path / "pflege.sqlite")
    db = tmp_path / "ikz.duckdb"
    rec = record(base, n=5)
    stored(store, ANNA, rec, "status", "ruht", note="laut Telefonat")
    stored(store, BEN, rec, "binding", "informell")
    build(db, store=store)
    with duckdb.connect(str(db), read_only=True) as con:
        frame = checked_values(con)
        assert checked_values(con, filters=Filters(cities=("Erfurt",))).is_empty()
    assert frame.select("field", "value", "checked_by").rows() == [
        ("binding", "informell", "Ben Muster"),
        ("status", "ruht", "Anna Beispiel"),
    ]
    assert frame["title"].to_list() == [rec["title"]] * 2
    slide = checked_values_slide(frame, subtitle="alle Kooperationen", source="Prüfungen im Dashboard")
    assert slide is not None
    assert slide.rows[1][2:5] == ("Status", "✓ ruht", "Anna Beispiel")
    assert checked_values_slide(frame.clear(), subtitle="", source="") is None
    spec = DeckSpec(
        title="Überblick",
        subtitle="Test",
        created=date(2026, 11, 30),
        filters_text="alle Kooperationen",
        charts=(),
        key_figures=(),
        sources=("Quelle",),
        note="Hinweis",
        extra_slides=(slide,),
    )
    deck = Presentation(io.BytesIO(build_deck(spec, [])))
    texts = [" ".join(s.text_frame.text for s in sl.shapes if s.has_text_frame) for sl in deck.slides]
    assert any(t.startswith("Geprüfte Werte") for t in texts)
    table_text = " ".join(
        cell.text
        for sl in deck.slides
        for s in sl.shapes
        if s.has_table
        for row in s.table.rows
        for cell in row.cells
    )
    assert "Anna Beispiel" in table_text and "✓ ruht" in table_text and "Ben Muster" in table_text
