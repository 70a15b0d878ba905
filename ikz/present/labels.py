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


def unchecked_note(counts: pl.DataFrame) -> str:
    """How many values of the view are derived and nobody checked yet, from queries.origin_counts.

    'In dieser Ansicht sind 412 Werte abgeleitet und ungeprüft ◆, davon 120 unsicher.'
    """
    derived, uncertain = (int(counts[c].sum()) for c in ("count_derived", "count_uncertain"))
    if not derived:
        return f"In dieser Ansicht ist kein Wert {DERIVED.name} und ungeprüft."
    tail = f", davon {fmt_int(uncertain)} unsicher" if uncertain else ""
    return (
        f"In dieser Ansicht sind {fmt_int(derived)} Werte {DERIVED.name} und ungeprüft {DERIVED.mark}{tail}."
    )


_ORIGIN_SUMS: tuple[pl.DataFrame, dict] | None = None  # the last frame summed, and its sums


def _origin_sums(counts: pl.DataFrame) -> dict[tuple[str, str | None], tuple[int, int, int, int]]:
    """Per (field, city) and (field, None) for all cities: values, derived, uncertain, checked.

    Summed in one pass and kept for the frame last asked about: a page writes a dozen notes from
    the same frame, which has a row per field and city (2,000 at 400 cities; walking it per note
    was 15 ms of a page run at a million rows, a polars filter per note about 1 ms each).
    """
    global _ORIGIN_SUMS
    last = _ORIGIN_SUMS
    if last is not None and last[0] is counts:
        return last[1]
    names = ["count_values", "count_derived", "count_uncertain", "count_checked"]
    total = pl.col(names).fill_null(0).sum()
    per_city = counts.group_by("field", "city").agg(total)
    per_field = counts.group_by("field").agg(total).with_columns(pl.lit(None, pl.String).alias("city"))
    sums = {
        (field, city): tuple(values)
        for field, city, *values in pl.concat([per_city, per_field.select(per_city.columns)]).iter_rows()
    }
    _ORIGIN_SUMS = (counts, sums)  # one assignment: safe with sessions on several threads
    return sums


def origin_note(counts: pl.DataFrame, field: str, *, city: str | None = None) -> str:
    """How many shown values of field are derived, uncertain, checked, from queries.origin_counts.

    'Kooperationsart: 136 von 214 Werten abgeleitet ◆ (43 unsicher), 2 geprüft ✓.'
    """
    values, derived, uncertain, checked = _origin_sums(counts).get((field, city), (0, 0, 0, 0))
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
