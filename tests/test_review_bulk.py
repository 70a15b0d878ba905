"""Bulk review files: the queue exported as CSV/XLSX and decisions read back, all or nothing."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from ikz.builder.review import ReviewError
from ikz.edit import review_bulk
from ikz.edit.review_bulk import FIELD, FINGERPRINT, KEY, NEW, NOTE


def filled(frame: pl.DataFrame, values: dict[int, str], notes: dict[int, str] | None = None) -> pl.DataFrame:
    """The exported frame with „Neuer Wert“ (and „Notiz“) set in the given rows."""
    new = [values.get(i, "") for i in range(frame.height)]
    note = [(notes or {}).get(i, "") for i in range(frame.height)]
    return frame.with_columns(pl.Series(NEW, new), pl.Series(NOTE, note))


def test_export_lists_every_derived_value_uncertain_first(con: duckdb.DuckDBPyConnection) -> None:
    frame = review_bulk.export_rows(con)
    assert frame.columns == list(review_bulk.COLUMNS)
    derived = con.execute("SELECT sum(count_derived) FROM cooperation_origin").fetchall()[0][0]
    assert frame.height == derived
    assert set(frame["Herkunft"].str.slice(0, 1)) == {"◆"}
    assert frame["Herkunft"][0] == "◆ abgeleitet (unsicher)"
    only_status = review_bulk.export_rows(con, field="status", city="Magdeburg")
    assert set(only_status[FIELD]) == {"Status"} and set(only_status["Stadt"]) == {"Magdeburg"}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_filled_file_round_trips_into_decisions(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    frame = review_bulk.export_rows(con, field="status")
    current = frame[review_bulk.CURRENT][0]
    other = next(s for s in ("ruht", "gescheitert") if s != frame[review_bulk.CURRENT][1])
    sheet = filled(frame, {0: current, 1: other, 2: "rückgängig"}, {1: "laut Telefonat"})
    data = review_bulk.to_csv(sheet) if kind == "csv" else review_bulk.to_xlsx(sheet)
    result = review_bulk.import_file(con, f"pruefliste.{kind}", data)
    assert result.ok and result.undecided == frame.height - 3
    assert [(d["cooperation_key"], d["field"], d["new_value"], d["note"]) for d in result.decisions] == [
        (frame[KEY][0], "status", current, None),
        (frame[KEY][1], "status", other, "laut Telefonat"),
        (frame[KEY][2], "status", None, None),
    ]
    assert result.decisions[0]["old_value"] == current
    assert result.decisions[0]["source_fingerprint"] == frame[FINGERPRINT][0]


def test_lists_are_split_at_semicolons(con: duckdb.DuckDBPyConnection) -> None:
    frame = review_bulk.export_rows(con, field="effects")
    names = [r[0] for r in con.execute("SELECT name FROM effect_category ORDER BY sort_order").fetchall()]
    sheet = filled(frame, {0: f"{names[2]}; {names[0]}"})
    result = review_bulk.import_file(con, "x.csv", review_bulk.to_csv(sheet))
    assert result.ok
    assert result.decisions[0]["new_value"] == [names[0], names[2]]


def test_every_bad_row_is_named_and_nothing_is_accepted(con: duckdb.DuckDBPyConnection) -> None:
    frame = review_bulk.export_rows(con, field="binding")
    sheet = filled(frame, {0: "vertraglich", 1: "bindend", 2: "informell", 3: "informell", 4: "informell"})
    sheet = sheet.with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("MD-00000000")).otherwise(pl.col(KEY)).alias(KEY),
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("0" * 16))
        .otherwise(pl.col(FINGERPRINT))
        .alias(FINGERPRINT),
        pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("Farbe")).otherwise(pl.col(FIELD)).alias(FIELD),
    )
    duplicate = sheet.head(1)
    result = review_bulk.import_file(con, "x.csv", review_bulk.to_csv(pl.concat([sheet, duplicate])))
    assert not result.ok and result.decisions == []
    assert result.errors == [
        "Zeile 3: Verbindlichkeit: „bindend“ ist kein erlaubter Wert "
        "(öffentlich-rechtlich, vertraglich, institutionell, informell, ohne Angabe).",
        "Zeile 4: Eintrag „MD-00000000“ gibt es nicht (mehr).",
        f"Zeile 5: der Quelltext von „{frame[KEY][3]}“ hat sich seit dem Export geändert – "
        "bitte neu exportieren und prüfen.",
        "Zeile 6: Feld „Farbe“ ist unbekannt (erlaubt: Kooperationsart, Verbindlichkeit, Effektkategorien, "
        "Status, Partner).",
        f"Zeile {sheet.height + 2}: Verbindlichkeit von „{frame[KEY][0]}“ steht schon in Zeile 2.",
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("liste.pdf", b"%PDF", "nur CSV- oder Excel-Dateien"),
        (
            "liste.csv",
            "Schlüssel;Feld\nA;B\n".encode(),
            "es fehlen die Spalten „Neuer Wert“, „Quellen-Fingerabdruck“",
        ),
        (
            "liste.csv",
            "Schlüssel;Feld;Neuer Wert;Quellen-Fingerabdruck\nÄ".encode("latin-1"),
            "nicht in UTF-8",
        ),
        ("liste.xlsx", b"kein Excel", "kann nicht gelesen werden"),
    ],
)
def test_unreadable_files_are_refused_in_german(
    con: duckdb.DuckDBPyConnection, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(ReviewError, match=message):
        review_bulk.import_file(con, name, data)
