"""Records as files for German spreadsheets: CSV for Excel, .xlsx with German headers."""

from __future__ import annotations

import csv
import io

import openpyxl
import polars as pl

from ikz.present.export import records_csv, records_xlsx
from ikz.rules.words import COLUMN_LABELS

FRAME = pl.DataFrame(
    {
        "city": ["Erfurt", "Magdeburg"],
        "title": ["Zweckverband „Nord“; Süd", 'Sagt "Hallo"\nzweite Zeile'],
        "source_lines": ["Z. 2–3", "Z. 10"],
    }
)
HEADERS = [COLUMN_LABELS["city"], COLUMN_LABELS["title"], COLUMN_LABELS["source_lines"]]


def test_records_csv_is_for_german_excel() -> None:
    data = records_csv(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    # Read back with an independent CSV reader: separators, quotes and line breaks in cells survive.
    assert rows == [HEADERS, *(list(row) for row in FRAME.rows())]


def test_records_csv_quotes_a_cell_with_the_separator() -> None:
    line = records_csv(FRAME.head(1)).decode("utf-8-sig").splitlines()[1]
    assert line == 'Erfurt;"Zweckverband „Nord“; Süd";Z. 2–3'


def test_records_xlsx_has_german_headers_and_every_row() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(records_xlsx(FRAME)))["Kooperationen"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        HEADERS,
        *(list(r) for r in FRAME.rows()),
    ]
    assert sheet.freeze_panes == "A2"  # the header row stays visible while scrolling


def test_empty_records_still_have_headers() -> None:
    rows = list(csv.reader(io.StringIO(records_csv(FRAME.clear()).decode("utf-8-sig")), delimiter=";"))
    assert rows == [HEADERS]
