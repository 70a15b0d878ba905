"""The filtered records as files for German spreadsheets: CSV (UTF-8 with BOM, ';') and .xlsx."""

from __future__ import annotations

import io

import polars as pl

from ikz.core.csv_safe import csv_bytes
from ikz.present.labels import german_columns

XLSX_SHEET = "Kooperationen"


def records_csv(frame: pl.DataFrame) -> bytes:
    """Records as CSV for German Excel: UTF-8 with BOM, ';' separator, German column headers."""
    return csv_bytes(german_columns(frame))


def records_xlsx(frame: pl.DataFrame) -> bytes:
    """Records as an .xlsx workbook with German column headers and a frozen header row."""
    buffer = io.BytesIO()
    german_columns(frame).write_excel(buffer, worksheet=XLSX_SHEET, autofit=True, freeze_panes=(1, 0))
    return buffer.getvalue()
