"""German labels for filters and columns, and the filter state in words for chart subtitles."""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from ikz.core.numbers import fmt_int
from ikz.read.queries import Filters
from ikz.rules.sources import source_name
from ikz.rules.words import CHECKED, COLUMN_LABELS, DERIVED, DOCUMENT, FILTER_LABELS, ORIGIN_FIELD_LABELS

MAX_LISTED = 3


def german_columns(frame: pl.DataFrame, labels: dict[str, str] = COLUMN_LABELS) -> pl.DataFrame:
    """The frame with its columns renamed to their German labels, for display and download; a
    source file is named in words („Ausgangsliste Erfurt“), never by its file name."""
    if "source_file" in frame.columns:
        names = {f: source_name(f) for f in frame["source_file"].unique().drop_nulls()}
        frame = frame.with_columns(pl.col("source_file").replace(names))
    return frame.rename({c: labels[c] for c in frame.columns if c in labels})


def describe_filters(filters: Filters) -> str:
    """The active filters in German words, e.g. 'Stadt: Erfurt · Kooperationsart: Zweckvereinbarung'."""
    parts: list[str] = []
    for name, label in FILTER_LABELS.items():
        value = getattr(filters, name)
        if not value:
            continue
        if isinstance(value, str):
            parts.append(f"{label}: „{value.strip()}“")
            continue
        shown = ", ".join(value[:MAX_LISTED])
        more = len(value) - MAX_LISTED
        parts.append(f"{label}: {shown}" + (f" und {more} weitere" if more > 0 else ""))
    return " · ".join(parts) if parts else "Alle Kooperationen, ohne Filter"


MAX_FILE_STEM_LENGTH = 80
FALLBACK_FILE_STEM = "diagramm"
_GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def file_stem(title: str) -> str:
    """A file name stem saying what a chart shows: 'Größe je Amt' → 'groesse-je-amt'."""
    text = title.lower().translate(_GERMAN_LETTERS)
    # Other accents (é, ł …) lose their mark rather than the whole letter.
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(stem) > MAX_FILE_STEM_LENGTH:
        cut = stem[:MAX_FILE_STEM_LENGTH]
        # End at a word boundary when there is one in the second half, so no word is cut off.
        boundary = cut.rfind("-")
        stem = cut[:boundary] if boundary > MAX_FILE_STEM_LENGTH // 2 else cut.rstrip("-")
    return stem or FALLBACK_FILE_STEM


OriginSums = dict[tuple[str, str | None], tuple[int, int, int, int]]


def origin_sums(counts: pl.DataFrame) -> OriginSums:
    """Per (field, city), and (field, None) for all cities: values, derived, uncertain, checked, from
    queries.origin_counts (a row per field and city: 2,000 at 400 cities). Summed once per filter
    state where it is read (ikz.ui.data.origin_sums): per page run it took 4 ms at a million rows."""
    names = ["count_values", "count_derived", "count_uncertain", "count_checked"]
    total = pl.col(names).fill_null(0).sum()
    per_city = counts.group_by("field", "city").agg(total)
    per_field = counts.group_by("field").agg(total).with_columns(pl.lit(None, pl.String).alias("city"))
    rows = pl.concat([per_city, per_field.select(per_city.columns)]).iter_rows()
    return {(field, city): (int(n), int(d), int(u), int(c)) for field, city, n, d, u, c in rows}


def unchecked_note(sums: OriginSums) -> str:
    """How many values of the view are derived and nobody checked yet, from origin_sums.

    'In dieser Ansicht sind 412 Werte abgeleitet und ungeprüft ◆, davon 120 unsicher.'
    """
    totals = [values for (_, city), values in sums.items() if city is None]
    derived, uncertain = sum(v[1] for v in totals), sum(v[2] for v in totals)
    if not derived:
        return f"In dieser Ansicht ist kein Wert {DERIVED.name} und ungeprüft."
    tail = f", davon {fmt_int(uncertain)} unsicher" if uncertain else ""
    return (
        f"In dieser Ansicht sind {fmt_int(derived)} Werte {DERIVED.name} und ungeprüft {DERIVED.mark}{tail}."
    )


def origin_note(sums: OriginSums, field: str, *, city: str | None = None) -> str:
    """How many shown values of field are derived, uncertain, checked, from origin_sums.

    'Kooperationsart: 136 von 214 Werten abgeleitet ◆ (43 unsicher), 2 geprüft ✓.'
    """
    values, derived, uncertain, checked = sums.get((field, city), (0, 0, 0, 0))
    label = ORIGIN_FIELD_LABELS[field]
    if not derived and not checked:
        return f"{label}: alle {fmt_int(values)} Werte aus dem {DOCUMENT.name}."
    parts = [
        f"{fmt_int(derived)} von {fmt_int(values)} Werten {DERIVED.name} {DERIVED.mark}"
        + (f" ({fmt_int(uncertain)} unsicher)" if uncertain else "")
    ]
    if checked:
        parts.append(f"{fmt_int(checked)} {CHECKED.name} {CHECKED.mark}")
    return f"{label}: {', '.join(parts)}."
