"""The Überblick's table of records: each value marked ◆ (derived) or ✓ (checked), a short
„Herkunft“ column naming those fields, German column names."""

from __future__ import annotations

import polars as pl

from ikz.present.labels import german_columns
from ikz.rules.words import CHECKED, DERIVED, DOCUMENT, ORIGIN_FIELD_LABELS

ORIGIN_COLUMN = "Herkunft"
DERIVED_MARK = f" {DERIVED.mark}"
CHECKED_MARK = f" {CHECKED.mark}"
# The marked values and the origin column each reads (queries.records' *_origin columns).
MARKED = {
    "type_name": "type_origin",
    "binding": "binding_origin",
    "effects": "effects_origin",
    "status": "status_origin",
    "partner_names": "partners_origin",
}
# Columns whose values come from a short list (as_categories): the classifications and the origins.
CATEGORY_COLUMNS = (
    "city", "department", "type_name", "form", "binding", "effects", "status", ORIGIN_COLUMN,
    *MARKED.values(),
)  # fmt: skip


def marked(value: str, origin: str) -> pl.Expr:
    """The value column with ◆ (derived) or ✓ (checked) appended, as its origin column says."""
    return (
        pl.when(pl.col(origin).str.starts_with(DERIVED.mark))
        .then(pl.col(value) + DERIVED_MARK)
        .when(pl.col(origin).str.starts_with(CHECKED.mark))
        .then(pl.col(value) + CHECKED_MARK)
        .otherwise(pl.col(value))
        .alias(value)
    )


def fields_marked(mark: str) -> pl.Expr:
    """'◆ Kooperationsart, Status': mark and the fields whose origin starts with it, in
    ORIGIN_FIELD_LABELS order; null when there is none. (Strings joined, not lists: the table's
    1,000 rows at a million cooperations took 4.5 ms a run with list columns.)"""
    fields = pl.concat_str(
        [
            pl.when(pl.col(f"{field}_origin").str.starts_with(mark)).then(pl.lit(label))
            for field, label in ORIGIN_FIELD_LABELS.items()
        ],
        separator=", ",
        ignore_nulls=True,
    )
    return pl.when(fields != "").then(pl.lit(f"{mark} ") + fields)


def origin_summary() -> pl.Expr:
    """One short column of a record's ◆ and ✓ fields, e.g. '◆ Kooperationsart, Status · ✓ Partner'."""
    return (
        pl.concat_str(
            [fields_marked(DERIVED.mark), fields_marked(CHECKED.mark)], separator=" · ", ignore_nulls=True
        )
        .replace("", f"wie im {DOCUMENT.name}")
        .alias(ORIGIN_COLUMN)
    )


def table_frame(records: pl.DataFrame) -> pl.DataFrame:
    """The records (queries.records with the *_origin columns) as the table shows them: number and
    title first, then „Herkunft“ (seen at 1,280 px without scrolling sideways, issue 5), then the
    other columns in their order, values marked, names German."""
    columns = records.columns
    display = records.with_columns(origin_summary(), *(marked(v, o) for v, o in MARKED.items())).select(
        *columns[:2], ORIGIN_COLUMN, *columns[2:]
    )
    return german_columns(as_categories(display))


def as_categories(frame: pl.DataFrame) -> pl.DataFrame:
    """The columns whose values come from a short list (CATEGORY_COLUMNS: city, department, the
    classifications, the origin columns) as categories, which Arrow sends as a dictionary: each
    value once instead of once per row. Titles, partners and the documents' texts stay text."""
    present = [c for c in CATEGORY_COLUMNS if c in frame.columns]
    return frame.with_columns(pl.col(present).cast(pl.Categorical))
