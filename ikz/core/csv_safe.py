"""CSV for German Excel that stays data: UTF-8 with BOM, ';', and no cell Excel would run."""

from __future__ import annotations

import polars as pl

# A cell starting with =, +, -, @, a tab or a carriage return is run as a formula when Excel opens a
# CSV (OWASP: CSV injection).
FORMULA_START = r"^[=+\-@\t\r]"


def defuse_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell that Excel would read as a formula, prefixed with ' so that it stays text."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """Any table as CSV for German Excel: UTF-8 with BOM, ';', formulas defused; the one CSV writer."""
    # Excel opens a BOM-less UTF-8 file as Windows-1252 and splits at ',' only in English locales.
    return defuse_formulas(frame).write_csv(separator=";", include_bom=True).encode("utf-8")
