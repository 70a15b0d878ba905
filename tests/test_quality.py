"""How sure the numbers are: confidence columns, stable keys, and accuracy against the evaluation file."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ikz.__main__ import main
from ikz.builder.database import build
from ikz.core.paths import ROOT
from ikz.derive.quality import (
    ALL_CITIES,
    EVALUATION_PATH,
    EvaluationError,
    Expected,
    agreement_by_origin,
    compare,
    load_evaluation,
    origin_label,
    quality_report,
)
from ikz.parse import keys

FIELD_NAMES = {
    "Kooperationsform": "form",
    "Verbindlichkeit": "binding",
    "Status (Magdeburg)": "status",
    "Effekte Mikro-F1": "effects",
}


def readme_thresholds() -> dict[str, float]:
    """The minimum scores docs/quality.md states, from its line 'Mindestwerte (…): Feld 0,95 · …'."""
    text = (ROOT / "docs" / "quality.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("Mindestwerte"))
    pairs = [item.strip().rsplit(" ", 1) for item in line.split(":", 1)[1].split("·")]
    found = {FIELD_NAMES[name]: float(value.replace(",", ".")) for name, value in pairs}
    assert set(found) == set(FIELD_NAMES.values()), line
    return found


# --- accuracy against the evaluation file -----------------------------------------------------


def test_accuracy_is_at_least_what_the_readme_states(con: duckdb.DuckDBPyConnection) -> None:
    report = quality_report(con)
    for field, minimum in readme_thresholds().items():
        score = report.score(field, ALL_CITIES)
        assert score.value >= minimum, (field, score, report.text(details=True))


def test_evaluation_file_is_large_enough_and_covers_both_cities() -> None:
    expected = load_evaluation()
    assert len(expected) >= 60
    assert {e.city for e in expected} == {"Erfurt", "Magdeburg"}
    for field in ("form", "binding", "effects"):
        for city in ("Erfurt", "Magdeburg"):
            assert sum(field in e.values and e.city == city for e in expected) >= 30, (field, city)
    assert sum("status" in e.values for e in expected) >= 30
    assert all(e.city == "Magdeburg" for e in expected if "status" in e.values)


def test_every_evaluated_record_is_found_exactly_once(con: duckdb.DuckDBPyConnection) -> None:
    report = quality_report(con)  # raises EvaluationError when an entry matches none or several
    assert sum(s.evaluated for s in report.scores if s.city != ALL_CITIES) == sum(
        s.evaluated for s in report.scores if s.city == ALL_CITIES
    )


def test_compare_scores_and_micro_f1() -> None:
    records = pl.DataFrame(
        {
            "city": ["Erfurt", "Erfurt"],
            "line_start": [1, 2],
            "title": ["A-Verband", "B"],
            "record_kind": ["Kooperation"] * 2,
            "form": ["Zweckverband", "Projekt / Verbund"],
            "type_source": ["Dokument", "abgeleitet"],
            "type_confidence": [None, "unsicher"],
            "binding": ["informell", "informell"],
            "binding_source": ["abgeleitet"] * 2,
            "binding_confidence": ["sicher", "unsicher"],
            "effect_names": [["X", "Y"], ["Z"]],
            "effects_source": ["Dokument"] * 2,
            "effects_confidence": [None, None],
            "status": ["ohne Angabe"] * 2,
            "status_source": ["Dokument"] * 2,
            "status_confidence": [None, None],
        }
    )
    expected = [
        Expected("Erfurt", 1, "A-", {"form": "Zweckverband", "effects": ("X",)}),
        Expected("Erfurt", 2, "B", {"form": "Netzwerk / Erfahrungsaustausch", "effects": ("Z", "W")}),
    ]
    scores, disagreements = compare(records, expected)
    by_field = {(s.city, s.field): s for s in scores}
    assert by_field[("Erfurt", "form")].value == 0.5
    # tp = 2 (X, Z), fp = 1 (Y), fn = 1 (W): F1 = 4 / 6.
    assert by_field[("Erfurt", "effects")].value == pytest.approx(4 / 6)
    assert [(d.line, d.field, d.origin) for d in disagreements] == [
        (1, "effects", "Dokument"),
        (2, "form", "abgeleitet unsicher"),
        (2, "effects", "Dokument"),
    ]
    with pytest.raises(EvaluationError, match="trifft keinen Datensatz"):
        compare(records, [Expected("Erfurt", 3, "C", {"form": "x"})])
    by_origin = {(s.city, s.field): (s.evaluated, s.value) for s in agreement_by_origin(records, expected)}
    assert by_origin == {
        ("Dokument", "form"): (1, 1.0),
        ("abgeleitet unsicher", "form"): (1, 0.0),
        ("Dokument", "effects"): (2, 0.0),
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[record]]\ncity = 'Erfurt'\nline = 2\n", "braucht city"),
        ("[[record]]\ncity = 'Jena'\nline = 2\ntitle = 'x'\n", "braucht city"),
        ("[[record]]\ncity = 'Erfurt'\nline = 2\ntitle = 'x'\neffects = []\n", "nicht leere Liste"),
        ("[[record]]\ncity = 'Erfurt'\nline = 2\ntitle = 'x'\nfarbe = 'rot'\n", "unbekannte Felder"),
        ("[[record]\n", "kein gültiges TOML"),
        ("", "keine Einträge"),
    ],
)
def test_bad_evaluation_file_is_named_in_german(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "evaluation.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EvaluationError, match=message):
        load_evaluation(path)


def test_origin_labels() -> None:
    assert origin_label("Dokument", None) == "Dokument"
    assert origin_label("abgeleitet", "sicher") == "abgeleitet sicher"
    assert origin_label("abgeleitet", "unsicher") == "abgeleitet unsicher"
    assert origin_label("geprüft", None) == "geprüft"


def test_origin_shares_count_every_record(con: duckdb.DuckDBPyConnection) -> None:
    shares = quality_report(con).shares
    total = con.execute("SELECT count(*) FROM cooperation").fetchone()[0]
    both = shares.filter(pl.col("city") == ALL_CITIES)
    origins = ["Dokument", "abgeleitet sicher", "abgeleitet unsicher", "geprüft"]
    assert both["records"].to_list() == [total] * 4
    assert both.select(pl.sum_horizontal(origins)).to_series().to_list() == [total] * 4
    # The project ships with no checked values.
    assert shares["geprüft"].sum() == 0


def test_quality_command_prints_the_report(built_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quality", "--db", str(built_db)]) == 0
    out = capsys.readouterr().out
    assert "Herkunft der Werte" in out and "Übereinstimmung mit der Auswertungsdatei" in out
    assert re.search(r"beide\s+Verbindlichkeit\s+\d+\s+\d+,\d %", out)


def test_quality_command_names_a_broken_evaluation_file(
    built_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "evaluation.toml"
    bad.write_text("[[record]\n", encoding="utf-8")
    assert main(["quality", "--db", str(built_db), "--evaluation", str(bad)]) == 1
    assert "Fehler:" in capsys.readouterr().err


def test_default_evaluation_path() -> None:
    assert EVALUATION_PATH == ROOT / "data" / "evaluation" / "evaluation.toml"


# --- the confidence columns and stable keys ----------------------------------------------------

FIELDS = [
    ("type_source", "type_confidence"),
    ("binding_source", "binding_confidence"),
    ("effects_source", "effects_confidence"),
    ("status_source", "status_confidence"),
]


@pytest.mark.parametrize(("source", "confidence"), FIELDS)
def test_confidence_is_null_exactly_where_the_document_prints_the_value(
    con: duckdb.DuckDBPyConnection, source: str, confidence: str
) -> None:
    rows = con.execute(f"SELECT DISTINCT {source}, {confidence} FROM cooperation_wide").fetchall()
    assert {r for r in rows if r[0] == "Dokument"} <= {("Dokument", None)}
    assert all(r[1] in ("sicher", "unsicher") for r in rows if r[0] == "abgeleitet")


def test_column_defaults_are_never_sure(con: duckdb.DuckDBPyConnection) -> None:
    unsure = con.execute(
        "SELECT DISTINCT type_confidence FROM cooperation_wide WHERE type_evidence LIKE 'Spalte%'"
    ).fetchall()
    assert unsure == [("unsicher",)]
    assumed = con.execute(
        "SELECT DISTINCT binding_confidence FROM cooperation_wide WHERE binding_evidence LIKE '%angenommen'"
    ).fetchall()
    assert assumed == [("unsicher",)]


def test_no_record_is_vertraglich_for_its_column(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT binding_evidence FROM cooperation_wide WHERE binding = 'vertraglich'"
    ).fetchall()
    contract = re.compile(r"vertr[aä]g|vereinbarung|unterzeichn|beauftragt", re.IGNORECASE)
    assert rows and all(contract.search(evidence) for (evidence,) in rows)


def test_proposals(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT status, binding, status_confidence FROM cooperation_wide "
        "WHERE list_heading LIKE 'Vorschläge%'"
    ).fetchall()
    assert rows == [("Vorschlag", "ohne Angabe", "sicher")] * 6


@pytest.mark.slow  # a second real build: seconds
def test_keys_are_unique_stable_and_fingerprints_cover_the_source_texts(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = con.execute(
        "SELECT cooperation_key, source_fingerprint, city, title, type_raw, effects_text, status_text, "
        "outlook_text, context, partners_text FROM cooperation_wide ORDER BY cooperation_id"
    ).fetchall()
    assert len({r[0] for r in rows}) == len(rows)
    assert all(re.fullmatch(r"(EF|MD)-[0-9a-f]{8}(-\d+)?", r[0]) for r in rows)
    assert all(r[1] == keys.fingerprint(*r[3:]) for r in rows)
    # A second build gives every record the same key.
    again = tmp_path / "again.duckdb"
    build(again)
    with duckdb.connect(str(again), read_only=True) as other:
        assert other.execute(
            "SELECT cooperation_key FROM cooperation ORDER BY cooperation_id"
        ).fetchall() == [(r[0],) for r in rows]


def test_a_shared_arbeitsstand_no_longer_triples_its_partners(con: duckdb.DuckDBPyConnection) -> None:
    # magdeburg_ikz_2010.txt line 120: the Landkreise of the first two sentences are not partners of
    # "Aktualisierung des Internetauftrittes", whose own sentence names none.
    partners = con.execute(
        """
        SELECT w.title, count(p.partner_id)
        FROM cooperation_wide w
        LEFT JOIN cooperation_partner cp USING (cooperation_id)
        LEFT JOIN partner p ON p.partner_id = cp.partner_id AND p.kind = 'Landkreis'
        WHERE w.city = 'Magdeburg' AND w.line_start = 120 AND w.record_kind = 'Projekt'
        GROUP BY w.cooperation_id, w.title ORDER BY w.cooperation_id
        """
    ).fetchall()
    assert partners[-1] == ("Aktualisierung des Internetauftrittes", 0)
    assert all(count > 0 for _, count in partners[:2])


def test_parse_notes_are_german(con: duckdb.DuckDBPyConnection) -> None:
    notes = [
        n
        for (n,) in con.execute(
            "SELECT parse_notes FROM cooperation WHERE parse_notes IS NOT NULL"
        ).fetchall()
    ]
    assert notes
    english = re.compile(r"\b(repaired|moved|printed|listed under|shared|column|nested)\b")
    assert not [n for n in notes if english.search(n)]
