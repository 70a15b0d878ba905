"""Publishing editions: the realistic next edition end to end, nothing lost, serialised, crash-safe."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ikz.builder import editions
from ikz.builder.database import build
from ikz.core.paths import ROOT
from ikz.edit import publish
from ikz.parse.edition import EditionInvalid
from ikz.store.access import Identity, PermissionDenied
from ikz.store.sqlite import StaleState, Store
from tests.editions_fixture import (
    CHANGED_EFFECTS,
    ENDED,
    EXPECTED_COUNTS,
    FILLED_IN,
    FUZZY_KEY,
    NEW_DEPARTMENT,
    NEW_TITLES,
    NEW_TYPE,
    OLD_DEPARTMENT,
    WRONG_CELL_KEY,
    WRONG_VALUE,
    next_edition,
)
from tests.live_app import wait_until

# Whole-page AppTest runs and real builds: seconds each, so not in the fast tier.
pytestmark = pytest.mark.slow

ANNA = Identity.local("Anna")
BEN = Identity.local("Ben")
AS_OF = date(2026, 11, 30)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A store, an editions folder and a built database of their own."""
    paths = {
        "store": tmp_path / "pflege.sqlite",
        "editions": tmp_path / "editions",
        "db": tmp_path / "ikz.duckdb",
    }
    monkeypatch.setenv("IKZ_STORE", str(paths["store"]))
    monkeypatch.setenv("IKZ_EDITIONS", str(paths["editions"]))
    monkeypatch.setenv("IKZ_DB", str(paths["db"]))
    build(paths["db"])
    return paths


def prepared(data: bytes, name: str = "ausgabe.xlsx", **kw: object) -> publish.Prepared:
    """The file checked, the renamed department and the title-only match confirmed."""
    args = {"city": "Erfurt", "as_of": AS_OF, "accepted_departments": [NEW_DEPARTMENT]} | kw
    first = publish.prepare_import(data, name, **args)  # type: ignore[arg-type]
    return publish.prepare_import(data, name, confirmed=first.undecided, **args)  # type: ignore[arg-type]


def snapshot(paths: dict[str, Path]) -> dict[str, str]:
    """SHA-256 of every file of store, editions and database (what must stay byte-identical)."""
    out = {}
    for root in (paths["store"].parent,):
        for p in sorted(root.rglob("*")):
            if p.is_file() and not p.name.endswith(".lock"):
                out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_template_to_error_list_to_corrected_file_to_diff_to_publish(office: dict[str, Path]) -> None:
    template = publish.template("Erfurt")
    bad = next_edition(template, wrong_cell=True)
    magdeburg = query(office["db"], "SELECT count(*) FROM cooperation_wide WHERE city = 'Magdeburg'")[0][0]
    before = snapshot(office)
    with pytest.raises(EditionInvalid) as caught:
        publish.prepare_import(bad, "ausgabe.xlsx", city="Erfurt", as_of=AS_OF)
    problems = [(p.column, p.value) for p in caught.value.problems]
    # The wrong cell, and the renamed department on each of its rows until the name is confirmed.
    assert ("Einsparung (€/Jahr)", WRONG_VALUE) in problems
    assert problems.count(("Fachbereich/Amt", NEW_DEPARTMENT)) == 5
    assert f"meinten Sie „{OLD_DEPARTMENT}“?" in caught.value.report()
    assert snapshot(office) == before  # a failed import changes nothing

    good = next_edition(template, wrong_cell=False)
    ready = prepared(good)
    assert ready.diff.counts() == EXPECTED_COUNTS
    assert [c.key for c in ready.diff.to_confirm()] == [FUZZY_KEY]
    assert ready.parsed.new_types == (NEW_TYPE,)
    by_key = {c.key: c for c in ready.diff.changes}
    assert {k for k in ENDED} == {c.key for c in ready.diff.changes if c.change == "entfallen"}
    assert [f.label for f in by_key[CHANGED_EFFECTS].fields] == ["Effekte"]
    assert [f.label for f in by_key[FILLED_IN].fields] == [
        "Beginn (Jahr)",
        "Rechtsgrundlage",
        "Status",
        "Einsparung (€/Jahr)",
    ]
    assert snapshot(office) == before  # preparing (the diff) writes nothing either

    result = publish.publish(ANNA, ready)
    assert result.build_warning is None
    kept = office["editions"] / "Erfurt" / Path(result.file_name).name
    assert kept.read_bytes() == good  # byte-identical
    assert kept.name == f"2026-11-30_{hashlib.sha256(good).hexdigest()[:12]}.xlsx"
    [edition] = Store().editions("Erfurt")
    assert (edition.row_count, edition.imported_by, edition.as_of) == (79, "Anna", "2026-11-30")

    db = office["db"]
    assert query(db, "SELECT count(*) FROM cooperation_wide WHERE city = 'Erfurt'") == [(79,)]
    assert query(db, "SELECT as_of FROM city WHERE name = 'Erfurt'") == [("2026-11-30",)]
    assert query(db, "SELECT change, count(*) FROM cooperation_change GROUP BY change ORDER BY change") == [
        ("entfallen", 2),
        ("geändert", 8),
        ("neu", 3),
    ]
    assert query(db, "SELECT edition_id, is_current FROM edition WHERE city_id = 1 ORDER BY edition_id") == [
        (-1, False),
        (result.edition_id, True),
    ]
    # The fuzzy match, once confirmed, keeps its key; new rows get one derived from their text.
    assert query(db, f"SELECT title FROM cooperation WHERE cooperation_key = '{FUZZY_KEY}'") == [
        ("Kommunaler Energiezweckverband Thüringen (KET)",)
    ]
    row = query(
        db,
        "SELECT start_year, status, status_text, savings_eur_per_year, legal_basis, edition_id"
        " FROM cooperation_wide"
        f" WHERE cooperation_key = '{FILLED_IN}'",
    )
    assert row == [(2015, "laufend", "laufend", 12500.0, "ThürKGG", result.edition_id)]
    assert query(db, f"SELECT type_raw, type_name FROM cooperation_wide WHERE title = '{NEW_TITLES[2]}'") == [
        (NEW_TYPE, "ohne Angabe")
    ]
    assert query(
        db, "SELECT count(*) FROM cooperation_wide WHERE department = 'Umwelt- und Naturschutzamt'"
    ) == [(0,)]
    # Magdeburg is untouched: still its seed, with NULL in the new columns.
    assert query(db, "SELECT count(*), count(start_year) FROM cooperation_wide WHERE city = 'Magdeburg'") == [
        (magdeburg, 0)
    ]
    forms = query(
        db,
        "SELECT edition_id, sum(cooperations) FROM edition_form_count WHERE city_id = 1"
        " GROUP BY 1 ORDER BY 1",
    )
    assert forms == [(-1, 78), (result.edition_id, 79)]

    # A second upload of the same data against the new edition: nothing changed.
    again = prepared(good)
    assert again.diff.counts() == {"neu": 0, "entfallen": 0, "geändert": 0, "unverändert": 79}


def test_unchanged_records_keep_key_and_fingerprint_changed_ones_do_not(office: dict[str, Path]) -> None:
    """Review decisions attach to (cooperation_key, source_fingerprint): a record whose texts stay the
    same keeps both across editions (its checked values stay); a changed text goes back to „zu prüfen“."""
    sql = "SELECT cooperation_key, source_fingerprint FROM cooperation WHERE city_id = 1"
    before = dict(query(office["db"], sql))
    ready = prepared(next_edition(publish.template("Erfurt"), wrong_cell=False))
    publish.publish(ANNA, ready)
    after = dict(query(office["db"], sql))
    kinds = {c.key: c for c in ready.diff.changes}
    unchanged = [k for k, c in kinds.items() if c.change == "unverändert"]
    assert len(unchanged) == 68 and all(before[k] == after[k] for k in unchanged)
    # Texts a reviewer judged changed: new fingerprint, so earlier decisions no longer apply.
    for key in (CHANGED_EFFECTS, FUZZY_KEY, FILLED_IN):
        assert before[key] != after[key], key
    # Only the department changed (renamed): the judged texts are the same, so are the fingerprints.
    renamed = [k for k, c in kinds.items() if [f.label for f in c.fields] == ["Fachbereich/Amt"]]
    assert len(renamed) == 4 and all(before[k] == after[k] for k in renamed)


def test_a_cancelled_import_and_a_refused_one_leave_everything_byte_identical(
    office: dict[str, Path],
) -> None:
    good = next_edition(publish.template("Erfurt"), wrong_cell=False)
    before = snapshot(office)
    first = publish.prepare_import(
        good, "a.xlsx", city="Erfurt", as_of=AS_OF, accepted_departments=[NEW_DEPARTMENT]
    )
    with pytest.raises(ValueError):  # the title-only match is not decided: publish refuses
        publish.publish(ANNA, first)
    with pytest.raises(PermissionDenied):  # a reader may not publish
        publish.publish(Identity.local("Leser", is_editor=False), prepared(good))
    assert snapshot(office) == before


def test_two_publishers_are_serialised_and_the_second_must_see_the_first(office: dict[str, Path]) -> None:
    template = publish.template("Erfurt")
    anna = prepared(next_edition(template, wrong_cell=False))
    ben = prepared(next_edition(template, wrong_cell=False, fmt="csv"), "ausgabe.csv")
    results: dict[str, object] = {}

    def run(name: str, identity: Identity, item: publish.Prepared) -> None:
        try:
            results[name] = publish.publish(identity, item)
        except StaleState as exc:
            results[name] = exc

    threads = [threading.Thread(target=run, args=a) for a in (("anna", ANNA, anna), ("ben", BEN, ben))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["PublishResult", "StaleState"]
    loser = next(r for r in results.values() if isinstance(r, StaleState))
    assert "Bitte den Vergleich mit dieser Ausgabe prüfen" in str(loser)
    assert len(Store().editions("Erfurt")) == 1
    # The second publisher's new diff is against the first one's edition; then it can publish.
    second = prepared(next_edition(template, wrong_cell=False, fmt="csv"), "ausgabe.csv")
    assert second.base.edition_id == Store().current_edition_id("Erfurt")
    assert second.diff.counts()["neu"] == 0
    publish.publish(BEN, second)
    assert len(Store().editions("Erfurt")) == 2


def test_reset_to_an_earlier_edition_and_back_to_the_seed(office: dict[str, Path]) -> None:
    template = publish.template("Erfurt")
    first = publish.publish(ANNA, prepared(next_edition(template, wrong_cell=False)))
    base = editions.current_info("Erfurt", Store())
    publish.reset(ANNA, "Erfurt", editions.editions("Erfurt", Store())[0], expected_current=base.edition_id)
    assert query(office["db"], "SELECT count(*) FROM cooperation_wide WHERE city = 'Erfurt'") == [(78,)]
    infos = editions.editions("Erfurt", Store())
    assert [(i.note, i.is_current) for i in infos] == [(None, False), ("Ausgangsliste", True)]
    publish.reset(ANNA, "Erfurt", infos[0], expected_current=infos[1].edition_id)
    assert Store().current_edition_id("Erfurt") == first.edition_id
    assert query(office["db"], "SELECT count(*) FROM cooperation_wide WHERE city = 'Erfurt'") == [(79,)]
    # Changes since the previous edition (the seed, current just before): the same again.
    assert query(office["db"], "SELECT count(*) FROM cooperation_change") == [(13,)]
    assert len(Store().editions("Erfurt")) == 2  # editions are never deleted, nor duplicated


def test_single_record_edit_is_a_new_edition_derived_from_the_current_one(office: dict[str, Path]) -> None:
    from dataclasses import replace

    store = Store()
    current = editions.current_info("Erfurt", store)
    records = editions.load_records(current, store)
    changed = [replace(r, status_text="ruht") if r.key == FILLED_IN else r for r in records]
    item = publish.prepare_derived("Erfurt", changed, as_of=AS_OF)
    assert item.diff.counts() == {"neu": 0, "entfallen": 0, "geändert": 1, "unverändert": 77}
    result = publish.publish(ANNA, item, derived_from=None, note="Status geändert")
    assert query(
        office["db"], f"SELECT status FROM cooperation_wide WHERE cooperation_key = '{FILLED_IN}'"
    ) == [("ruht",)]
    # Ending one: the next derived edition lacks it.
    records = editions.load_records(editions.current_info("Erfurt", store), store)
    item = publish.prepare_derived("Erfurt", [r for r in records if r.key != WRONG_CELL_KEY], as_of=AS_OF)
    assert item.diff.counts()["entfallen"] == 1
    publish.publish(ANNA, item, derived_from=result.edition_id, note="beendet")
    assert query(office["db"], "SELECT count(*) FROM cooperation_wide WHERE city = 'Erfurt'") == [(77,)]


CRASH_SCRIPT = """
import sys
from datetime import date
from pathlib import Path
from ikz.edit import publish
from ikz.store.access import Identity, PermissionDenied
data = Path(sys.argv[1]).read_bytes()
first = publish.prepare_import(data, "a.xlsx", city="Erfurt", as_of=date(2026, 11, 30),
                               accepted_departments=[sys.argv[2]])
item = publish.prepare_import(data, "a.xlsx", city="Erfurt", as_of=date(2026, 11, 30),
                              accepted_departments=[sys.argv[2]], confirmed=first.undecided)
publish.publish(Identity.local("Anna"), item)
"""


@pytest.mark.parametrize("step", publish.STEPS)
def test_a_publish_killed_at_any_step_leaves_the_old_or_the_new_state(
    office: dict[str, Path], tmp_path: Path, step: str
) -> None:
    good = next_edition(publish.template("Erfurt"), wrong_cell=False)
    upload = tmp_path / "upload.xlsx"
    upload.write_bytes(good)
    old_db = office["db"].read_bytes()
    env = os.environ | {publish.CRASH_ENV_VAR: step, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(upload), NEW_DEPARTMENT],
        env=env,
        capture_output=True,
        timeout=180,
    )
    assert proc.returncode == 86, proc.stderr.decode()[-2000:]
    store = Store()
    registered = store.editions("Erfurt")
    if step in ("datei-temp", "datei-abgelegt", "vor-commit"):
        assert registered == [] and store.current_edition_id("Erfurt") is None
        assert office["db"].read_bytes() == old_db  # the old state, whole
        # At most a temporary file or the kept file remain, registered nowhere: they change nothing,
        # and the next publish clears temporary files of processes that are gone.
        leftovers = {p.name for p in office["editions"].rglob("*") if p.is_file()}
        kept = f"2026-11-30_{hashlib.sha256(good).hexdigest()[:12]}.xlsx"
        assert all(n.startswith(f".{kept}.tmp-") or n == kept for n in leftovers)
    else:
        [edition] = registered
        assert editions.edition_path(edition.file_name).read_bytes() == good
        assert store.current_edition_id("Erfurt") == edition.edition_id
    # What the app does on its next page load: a database that is behind the store is rebuilt.
    from ikz.read.db import ensure_database

    ensure_database(office["db"])
    count = query(office["db"], "SELECT count(*) FROM cooperation_wide WHERE city = 'Erfurt'")[0][0]
    assert count == (78 if not registered else 79)


def test_the_same_through_the_command_line(
    office: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ikz.__main__ import main

    template = publish.template("Erfurt")
    bad, good = tmp_path / "fehler.csv", tmp_path / "ausgabe.xlsx"
    bad.write_bytes(next_edition(template, wrong_cell=True, fmt="csv"))
    good.write_bytes(next_edition(template, wrong_cell=False))
    base = ["import", "--city", "Erfurt", "--as-of", "2026-11-30"]
    before = snapshot(office)

    assert main([*base[:1], str(bad), *base[1:], "--neuer-fachbereich", NEW_DEPARTMENT]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fehler.csv: 1 Problem gefunden – es wurde nichts übernommen.")
    assert f"Spalte „Einsparung (€/Jahr)“, Wert „{WRONG_VALUE}“: keine Zahl" in err

    assert main([base[0], str(good), *base[1:], "--neuer-fachbereich", NEW_DEPARTMENT, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "neu 3, entfallen 2, geändert 8, unverändert 68" in out.splitlines()
    assert "Zuordnung nur nach ähnlicher Bezeichnung" in out and "Probelauf (--dry-run)" in out
    assert snapshot(office) == before  # a dry run writes nothing

    # Without deciding the similar title, nothing is published.
    assert main([base[0], str(good), *base[1:], "--neuer-fachbereich", NEW_DEPARTMENT, "--by", "Anna"]) == 2
    assert snapshot(office) == before
    decided = ["--neuer-fachbereich", NEW_DEPARTMENT, "--aehnliche", "uebernehmen", "--by", "Anna"]
    code = main([base[0], str(good), *base[1:], *decided])
    assert code == 0
    assert "Veröffentlicht als Ausgabe 1" in capsys.readouterr().out
    assert query(office["db"], "SELECT count(*) FROM cooperation_change") == [(13,)]
    assert Store().editions("Erfurt")[0].imported_by == "Anna"


def test_readers_see_the_old_or_the_new_database_throughout_a_publish(office: dict[str, Path]) -> None:
    from ikz.read.db import Database

    item = prepared(next_edition(publish.template("Erfurt"), wrong_cell=False))
    reader = Database(office["db"])
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        while True:  # a read, then one every 10 ms until the publish is over
            try:
                with reader.cursor() as cur:
                    seen.append(
                        cur.execute("SELECT count(*) FROM cooperation WHERE city_id = 1").fetchone()[0]
                    )
            except BaseException as exc:  # any failure of a reader is the finding
                errors.append(exc)
            if done.wait(0.01):
                return

    thread = threading.Thread(target=read)
    thread.start()
    try:
        publish.publish(ANNA, item)
        # The reader notices the swapped file on its next use: wait until it has read the new one.
        wait_until(lambda: errors or (seen and seen[-1] == 79), what="the reader to read the new file")
    finally:
        done.set()
        thread.join()
    assert not errors
    assert set(seen) == {78, 79} and seen[0] == 78 and seen[-1] == 79


# Every column of the mart but those that name the edition and the file's rows (and the seed
# parser's notes on repairs of its own document).
WIDE = (
    "SELECT * EXCLUDE (edition_id, cooperation_id, source_file, line_start, line_end, source_lines,"
    " parse_notes)"
    " FROM cooperation_wide WHERE city = '{city}' ORDER BY cooperation_key"
)


def four_column_file(template: bytes, fmt: str = "xlsx") -> bytes:
    """The office's own list: only Fachbereich/Amt, Bezeichnung, Kooperationsart, Effekte; no Schlüssel."""
    import io

    import polars as pl

    frame = pl.read_excel(template, engine="calamine", sheet_id=1, infer_schema_length=0)
    frame = frame.select("Fachbereich/Amt", "Bezeichnung", "Kooperationsart", "Effekte")
    buffer = io.BytesIO()
    if fmt == "csv":
        frame.write_csv(buffer, separator=";")
    else:
        frame.write_excel(buffer)
    return buffer.getvalue()


def test_the_offices_four_column_list_of_the_current_edition_changes_nothing_and_loses_nothing(
    office: dict[str, Path],
) -> None:
    """Columns the office does not keep are „nicht geliefert“, never emptied; equal titles need no answer."""
    first = publish.publish(ANNA, prepared(next_edition(publish.template("Erfurt"), wrong_cell=False)))
    wide = WIDE.format(city="Erfurt")
    before = query(office["db"], wide)
    assert query(
        office["db"], f"SELECT savings_eur_per_year FROM cooperation WHERE cooperation_key = '{FILLED_IN}'"
    )

    upload = four_column_file(publish.template("Erfurt"))
    item = publish.prepare_import(upload, "amtsliste.xlsx", city="Erfurt", as_of=date(2026, 12, 7))
    assert item.diff.summary_line() == "neu 0, entfallen 0, geändert 0, unverändert 79"
    assert item.ready() and item.diff.to_confirm() == []
    assert "Einsparung (€/Jahr)" in item.diff.not_supplied_labels()

    result = publish.publish(BEN, item)
    assert result.build_warning is None and result.edition_id == first.edition_id + 1
    assert query(office["db"], wide) == before  # every value, the optional columns included
    row = query(
        office["db"],
        f"SELECT start_year, status_text, savings_eur_per_year, legal_basis FROM cooperation"
        f" WHERE cooperation_key = '{FILLED_IN}'",
    )
    assert row == [(2015, "laufend", 12500.0, "ThürKGG")]
    # The upload is kept byte-identical beside the completed edition, and the audit names both.
    [event] = [e for e in Store().audit() if e.action == "veröffentlichen" and e.actor_name == "Ben"]
    kept = office["editions"] / "Erfurt" / Path(event.detail["upload_file"]).name
    assert kept.read_bytes() == upload and event.detail["upload_sha256"] == hashlib.sha256(upload).hexdigest()
    assert event.detail["file_name"] == result.file_name != event.detail["upload_file"]
    assert "Einsparung (€/Jahr)" in event.detail["not_supplied"]

    # The next edition, against this one: still nothing changed.
    again = publish.prepare_import(upload, "amtsliste.xlsx", city="Erfurt", as_of=date(2026, 12, 8))
    assert again.diff.summary_line() == "neu 0, entfallen 0, geändert 0, unverändert 79"


def test_magdeburgs_four_column_list_keeps_bodies_projects_status_and_outlook(
    office: dict[str, Path],
) -> None:
    wide = WIDE.format(city="Magdeburg")
    before = query(office["db"], wide)
    upload = four_column_file(publish.template("Magdeburg"), fmt="csv")
    item = publish.prepare_import(upload, "liste.csv", city="Magdeburg", as_of=date(2026, 12, 7))
    assert item.diff.summary_line() == "neu 0, entfallen 0, geändert 0, unverändert 135"
    assert item.ready()
    publish.publish(ANNA, item)
    assert query(office["db"], wide) == before


def test_a_publish_puts_the_unsure_values_of_its_new_and_changed_records_into_the_queue(
    office: dict[str, Path],
) -> None:
    from ikz.read.review_queue import queue

    result = publish.publish(ANNA, prepared(next_edition(publish.template("Erfurt"), wrong_cell=False)))
    values, records = result.to_review
    con = duckdb.connect(str(office["db"]), read_only=True)
    try:
        waiting = queue(con, city="Erfurt", changed_only=True)
        changed = {
            k
            for (k,) in con.execute(
                "SELECT cooperation_key FROM cooperation_change WHERE change IN ('neu', 'geändert')"
            ).fetchall()
        }
        unsure_by_hand = con.execute(
            "SELECT count(*) FILTER (WHERE type_confidence = 'unsicher' AND type_source = 'abgeleitet')"
            " + count(*) FILTER (WHERE binding_confidence = 'unsicher' AND binding_source = 'abgeleitet')"
            " + count(*) FILTER (WHERE effects_confidence = 'unsicher' AND effects_source = 'abgeleitet')"
            " + count(*) FILTER (WHERE status_confidence = 'unsicher' AND status_source = 'abgeleitet')"
            f" FROM cooperation_wide WHERE city = 'Erfurt' AND cooperation_key IN {tuple(changed)}"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert records == waiting.height > 0 and set(waiting["cooperation_key"]) <= changed
    assert set(waiting["edition_id"]) == {result.edition_id}
    # The new record with a Kooperationsart the rules do not know waits with an unsure form.
    assert NEW_TITLES[2] in set(waiting["title"])
    assert values >= unsure_by_hand > 0
