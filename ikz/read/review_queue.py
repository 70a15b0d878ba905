"""Reads for the „Prüfen“ page: the queue of derived values, one record to check, progress, vocabulary.

Queries bind parameters only; the highlighting of evidence words returns escaped HTML (no markup
from the data ever reaches the page).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from ikz.builder.review import FIELD_LABELS, FIELDS, Vocabulary
from ikz.rules.words import COLUMN_LABELS

TEXT_LABELS = {
    **{
        c: COLUMN_LABELS[c]
        for c in ("title", "context", "sub_unit", "partners_text", "type_raw", "effects_text")
    },
    "status_text": "Arbeitsstand",
    "outlook_text": "Perspektive",
    "list_heading": "Überschrift der Liste",
}
# The name of the origin 'derived' (table origin), for SQL that asks whether a value is still derived.
DERIVED_NAME = "(SELECT name FROM origin WHERE role = 'derived')"
QUOTED = re.compile(r"„([^“]+)“")


@dataclass(frozen=True)
class Progress:
    """How much of the shown records the office has checked."""

    records: int
    records_checked: int  # no value left that is only derived
    values_derived: int  # values still only derived (◆)
    values_uncertain: int  # of those, uncertain
    values_checked: int  # values a person checked (✓)


def _where(city: str | None, department: str | None) -> tuple[str, list]:
    conditions, params = ["TRUE"], []
    if city:
        conditions.append("w.city = ?")
        params.append(city)
    if department:
        conditions.append("w.department = ?")
        params.append(department)
    return " AND ".join(conditions), params


def _field_condition(field: str | None) -> str:
    """SQL (no user text) for 'the field's value is still only derived'."""
    if field is None:
        return "o.count_derived > 0"
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}")
    source = "o.partners_source" if field == "partners" else f"w.{field}_source"
    return f"{source} = {DERIVED_NAME}"


# Records new or changed in their city's current edition (what the last publish brought).
_CHANGED = """w.cooperation_key IN (
    SELECT ch.cooperation_key FROM cooperation_change ch JOIN city ci USING (city_id)
    WHERE ci.name = w.city AND ch.change IN ('neu', 'geändert'))"""


def queue(
    con: duckdb.DuckDBPyConnection,
    *,
    city: str | None = None,
    department: str | None = None,
    field: str | None = None,
    open_only: bool = True,
    changed_only: bool = False,
) -> pl.DataFrame:
    """Records to check, uncertain first: key, city, department, title and the counts per record.

    changed_only: only records new or changed in their city's current edition with an uncertain
    value — what a publish put into the queue; edition_id names that edition."""
    where, params = _where(city, department)
    if changed_only:
        where += f" AND {_CHANGED} AND o.count_uncertain > 0"
    uncertain = "o.count_uncertain"
    if field in ("type", "binding", "effects", "status"):
        uncertain = f"(w.{field}_source = {DERIVED_NAME} AND w.{field}_confidence = 'unsicher')::INTEGER"
    if open_only:
        where += f" AND {_field_condition(field)}"
    return con.sql(
        f"""
        SELECT w.cooperation_id, w.cooperation_key, w.city, w.department, w.title, w.source_lines,
               {uncertain} AS uncertain, o.count_uncertain, o.count_derived, o.count_checked,
               w.edition_id
        FROM cooperation_wide w JOIN cooperation_origin o USING (cooperation_id)
        WHERE {where}
        ORDER BY uncertain DESC, o.count_uncertain DESC, o.count_derived DESC, w.city, w.cooperation_id
        """,
        params=params,
    ).pl()


def waiting_after_publish(con: duckdb.DuckDBPyConnection, city: str) -> tuple[int, int]:
    """(uncertain derived values, records) of the city's new and changed records, unchecked: the
    queue that the link after a publish opens, counted."""
    waiting = queue(con, city=city, changed_only=True)
    return int(waiting["count_uncertain"].sum()), waiting.height


def progress(
    con: duckdb.DuckDBPyConnection, *, city: str | None = None, department: str | None = None
) -> Progress:
    """Records and values checked so far within city and department."""
    where, params = _where(city, department)
    row = con.execute(
        f"""
        SELECT count(*), count(*) FILTER (WHERE o.count_derived = 0),
               coalesce(sum(o.count_derived), 0)::BIGINT, coalesce(sum(o.count_uncertain), 0)::BIGINT,
               coalesce(sum(o.count_checked), 0)::BIGINT
        FROM cooperation_wide w JOIN cooperation_origin o USING (cooperation_id) WHERE {where}
        """,
        params,
    ).fetchall()[0]
    return Progress(*row)


def vocabulary(con: duckdb.DuckDBPyConnection) -> Vocabulary:
    """The values a reviewer may choose per field."""
    return Vocabulary.from_frame(con.sql("SELECT field, value, sort_order FROM review_vocabulary").pl())


def departments(con: duckdb.DuckDBPyConnection, *, city: str | None = None) -> tuple[str, ...]:
    """Departments (of city), sorted, for the page's filter."""
    where, params = _where(city, None)
    rows = con.execute(
        f"SELECT DISTINCT w.department FROM cooperation_wide w WHERE {where} ORDER BY 1", params
    ).fetchall()
    return tuple(r[0] for r in rows)


def cities(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The cities, in id order."""
    return tuple(r[0] for r in con.execute("SELECT name FROM city ORDER BY city_id").fetchall())


def pending(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Decisions the build did not apply („zu prüfen“), newest first, with the record's title if any."""
    return con.sql(
        """
        SELECT p.cooperation_key, p.city, w.title, p.field, p.value, p.checked_by, p.checked_at, p.note,
               p.reason
        FROM review_pending p LEFT JOIN cooperation_wide w USING (cooperation_id)
        ORDER BY p.decision_id DESC
        """
    ).pl()


def _evidence_words(evidence: str | None) -> list[str]:
    """The words of an evidence text: quoted words where it quotes („…“), else each '; '-part."""
    words: list[str] = []
    for part in (evidence or "").split("; "):
        quoted = QUOTED.findall(part)
        words += quoted or [part]
    return [w.strip() for w in words if w.strip()]


def item(con: duckdb.DuckDBPyConnection, cooperation_key: str) -> dict[str, Any] | None:
    """One record to check: its texts, and per field the current value, origin, evidence, check."""
    frame = con.sql(
        """
        SELECT w.*, o.* EXCLUDE (cooperation_id)
        FROM cooperation_wide w JOIN cooperation_origin o USING (cooperation_id)
        WHERE w.cooperation_key = ?
        """,
        params=[cooperation_key],
    ).pl()
    if frame.is_empty():
        return None
    row = frame.row(0, named=True)
    cid = row["cooperation_id"]
    role_of = dict(con.execute("SELECT name, role FROM origin").fetchall())
    checked = next(name for name, role in role_of.items() if role == "checked")
    effects = con.execute(
        """
        SELECT ec.name, ce.evidence FROM cooperation_effect ce JOIN effect_category ec USING (effect_id)
        WHERE ce.cooperation_id = ? ORDER BY ec.sort_order
        """,
        [cid],
    ).fetchall()
    partners = con.execute(
        """
        SELECT p.name, cp.evidence FROM cooperation_partner cp JOIN partner p USING (partner_id)
        WHERE cp.cooperation_id = ? ORDER BY p.name
        """,
        [cid],
    ).fetchall()
    checks = {
        r[0]: {"checked_by": r[1], "checked_on": r[2], "note": r[3]}
        for r in con.execute(
            "SELECT field, checked_by, checked_on, note FROM cooperation_check WHERE cooperation_id = ?",
            [cid],
        ).fetchall()
    }
    fields = {
        "type": (row["type_name"], row["type_evidence"]),
        "binding": (row["binding"], row["binding_evidence"]),
        "effects": ([n for n, _ in effects], "; ".join(e for _, e in effects)),
        "status": (row["status"], row["status_evidence"]),
        "partners": ([n for n, _ in partners], "; ".join(e for _, e in partners)),
    }
    row["fields"] = {
        field: {
            "label": FIELD_LABELS[field],
            "value": value,
            "origin": row[f"{field}_origin"],
            "source": row["partners_source"] if field == "partners" else row[f"{field}_source"],
            # 'document', 'derived' or 'checked': what the page asks, whatever the origins are called.
            "role": role_of[row["partners_source"] if field == "partners" else row[f"{field}_source"]],
            "evidence": evidence if evidence != checked else "",
            "words": _evidence_words(evidence if evidence != checked else ""),
            "check": checks.get(field),
        }
        for field, (value, evidence) in fields.items()
    }
    row["texts"] = [(label, row[col]) for col, label in TEXT_LABELS.items() if row.get(col)]
    return row


def highlight_html(text: str, words: list[str]) -> str:
    """text as escaped HTML with every occurrence of a word in <mark>; case-insensitive, longest first."""
    spans: list[tuple[int, int]] = []
    lowered = text.casefold()
    # casefold can change lengths (ß → ss); only search where it does not, else nothing is marked.
    if len(lowered) == len(text):
        for word in sorted({w.casefold() for w in words if len(w) >= 2}, key=len, reverse=True):
            start = lowered.find(word)
            while start >= 0:
                end = start + len(word)
                if not any(s < end and start < e for s, e in spans):
                    spans.append((start, end))
                start = lowered.find(word, end)
    out, pos = [], 0
    for start, end in sorted(spans):
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)
