"""CSV downloads stay data: a hostile edition row goes through import and download as plain text."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ikz.builder.database import build
from ikz.core.csv_safe import csv_bytes, defuse_formulas
from ikz.edit import publish
from ikz.present.export.tables import records_csv
from ikz.read import queries
from ikz.store.access import Identity

HOSTILE = {
    "Bezeichnung": '=HYPERLINK("http://example.invalid/x";"klick")',
    "Effekte": "+SUM(A1:A9)",
    "Partner": "@cmd|' /C calc'!A0",
    "Rechtsgrundlage": "-2+3",
}


def read_back(data: bytes) -> list[dict[str, str]]:
    """The CSV as German Excel reads it: UTF-8 with BOM, ';'."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_every_text_cell_excel_would_run_is_prefixed_and_nothing_else_changes() -> None:
    frame = pl.DataFrame(
        {
            "text": ["=1+1", "+49 361", "-x", "@a", "\tb", "\rc", "Amt für Bildung", "a=b", None],
            "number": [-1, 2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    out = defuse_formulas(frame)
    assert out["text"].to_list() == [
        "'=1+1",
        "'+49 361",
        "'-x",
        "'@a",
        "'\tb",
        "'\rc",
        "Amt für Bildung",
        "a=b",
        None,
    ]
    assert out["number"].to_list() == frame["number"].to_list()  # numbers are numbers, not text
    assert [row["text"] for row in read_back(csv_bytes(frame))][:2] == ["'=1+1", "'+49 361"]


@pytest.mark.slow
def test_a_hostile_edition_row_is_downloaded_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IKZ_STORE", str(tmp_path / "pflege.sqlite"))
    monkeypatch.setenv("IKZ_EDITIONS", str(tmp_path / "editions"))
    monkeypatch.setenv("IKZ_DB", str(tmp_path / "ikz.duckdb"))
    build(tmp_path / "ikz.duckdb")
    template = pl.read_excel(publish.template("Erfurt"), engine="calamine", sheet_id=1, infer_schema_length=0)
    row = template.head(1).with_columns(
        pl.lit(None, pl.String).alias("Schlüssel"), *(pl.lit(v).alias(k) for k, v in HOSTILE.items())
    )
    buffer = io.BytesIO()
    pl.concat([template, row]).write_excel(buffer)
    item = publish.prepare_import(buffer.getvalue(), "ausgabe.xlsx", city="Erfurt", as_of=date(2026, 12, 7))
    assert item.diff.counts()["neu"] == 1
    publish.publish(Identity.local("Anna"), item)

    con = duckdb.connect(str(tmp_path / "ikz.duckdb"), read_only=True)
    try:
        frame = queries.records(con, filters=queries.Filters(search='"HYPERLINK"'))
    finally:
        con.close()
    [shown] = read_back(records_csv(frame))
    texts = set(shown.values())
    assert "'" + HOSTILE["Bezeichnung"] in texts
    assert "'" + HOSTILE["Effekte"] in texts
    assert not any(v.startswith(("=", "+", "-", "@")) for v in texts if v)
