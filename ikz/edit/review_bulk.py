"""Bulk review: the queue as a CSV/XLSX file to fill in, and decisions read back from such a file.

A row of the file is one value of one record. Whoever fills it writes the checked value into
„Neuer Wert“ (the same value confirms it, „rückgängig“ withdraws an earlier check, an empty cell
leaves the row undecided). Import validates every row as the page does and stores nothing unless
the whole file is valid; every rejected row is listed in German with its reason.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from ikz.builder.review import (
    FIELD_LABELS,
    FIELDS,
    LIST_FIELDS,
    ReviewError,
    Vocabulary,
    display_value,
    validate,
)
from ikz.core.csv_safe import csv_bytes
from ikz.read.review_queue import queue, vocabulary
from ikz.rules.words import DERIVED

KEY = "Schlüssel"
FIELD = "Feld"
CURRENT = "Aktueller Wert"
ORIGIN = "Herkunft"
NEW = "Neuer Wert"
NOTE = "Notiz"
FINGERPRINT = "Quellen-Fingerabdruck"
COLUMNS = (
    KEY,
    "Stadt",
    "Fachbereich/Amt",
    "Bezeichnung / Thema",
    FIELD,
    CURRENT,
    ORIGIN,
    NEW,
    NOTE,
    FINGERPRINT,
)
REQUIRED = (KEY, FIELD, NEW, FINGERPRINT)
UNDO_WORDS = frozenset({"rückgängig", "rueckgaengig"})
MAX_ROWS = 20_000
FIELD_BY_LABEL = {label.casefold(): name for name, label in FIELD_LABELS.items()} | {f: f for f in FIELDS}


@dataclass(frozen=True)
class ImportResult:
    """What a file holds: the decisions to store, or the rejected rows with their reasons."""

    decisions: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    undecided: int = 0  # rows with an empty „Neuer Wert“

    @property
    def ok(self) -> bool:
        """True when every row is valid (and so the file may be stored)."""
        return not self.errors


def current_values(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Per cooperation_key: city, fingerprint, and the value each field has now."""
    rows = con.execute(
        """
        SELECT w.cooperation_key, w.city, w.source_fingerprint, w.type_name, w.binding, w.effect_names,
               w.status, o.partner_names, w.department, w.title, o.type_origin, o.binding_origin,
               o.effects_origin, o.status_origin, o.partners_origin
        FROM cooperation_wide w JOIN cooperation_origin o USING (cooperation_id)
        """
    ).fetchall()
    return {
        r[0]: {
            "city": r[1],
            "source_fingerprint": r[2],
            "type": r[3],
            "binding": r[4],
            "effects": list(r[5]),
            "status": r[6],
            "partners": [p for p in r[7].split("; ") if p],
            "department": r[8],
            "title": r[9],
            "origins": dict(zip(FIELDS, r[10:15], strict=True)),
        }
        for r in rows
    }


def export_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    city: str | None = None,
    department: str | None = None,
    field: str | None = None,
    open_only: bool = True,
) -> pl.DataFrame:
    """The queue as rows to fill in: one per record and field (of field, if given), uncertain first."""
    records = queue(con, city=city, department=department, field=field, open_only=open_only)
    values = current_values(con)
    rows = []
    for key in records["cooperation_key"]:
        record = values[key]
        for name in (field,) if field else FIELDS:
            origin = record["origins"][name]
            if open_only and not origin.startswith(DERIVED.label):
                continue
            rows.append(
                (
                    key,
                    record["city"],
                    record["department"],
                    record["title"],
                    FIELD_LABELS[name],
                    display_value(record[name]),
                    origin,
                    "",
                    "",
                    record["source_fingerprint"],
                )
            )
    return pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String()), orient="row")


def to_csv(frame: pl.DataFrame) -> bytes:
    """UTF-8 with BOM and ';': opens correctly in German Excel."""
    return csv_bytes(frame)


def to_xlsx(frame: pl.DataFrame) -> bytes:
    """An Excel workbook with one sheet „Prüfliste“."""
    buffer = io.BytesIO()
    frame.write_excel(buffer, worksheet="Prüfliste", autofit=True)
    return buffer.getvalue()


def read_file(name: str, data: bytes) -> pl.DataFrame:
    """The rows of an uploaded CSV or XLSX file, all as text; ReviewError (German) if unreadable."""
    lower = name.lower()
    try:
        if lower.endswith(".xlsx"):
            frame = pl.read_excel(io.BytesIO(data), engine="calamine", infer_schema_length=0)
        elif lower.endswith(".csv"):
            text = data.decode("utf-8-sig")
            separator = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
            frame = pl.read_csv(io.StringIO(text), separator=separator, infer_schema_length=0)
        else:
            raise ReviewError(f"{name}: nur CSV- oder Excel-Dateien (.csv, .xlsx) können eingelesen werden.")
    except UnicodeDecodeError:
        raise ReviewError(f"{name}: die CSV-Datei ist nicht in UTF-8 gespeichert.") from None
    except ReviewError:
        raise
    except Exception as exc:  # polars/calamine raise many kinds; the user needs one German sentence
        raise ReviewError(f"{name}: die Datei kann nicht gelesen werden ({type(exc).__name__}).") from None
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ReviewError(f"{name}: es fehlen die Spalten {', '.join(f'„{c}“' for c in missing)}.")
    if frame.height > MAX_ROWS:
        raise ReviewError(f"{name}: höchstens {MAX_ROWS} Zeilen je Datei (gefunden: {frame.height}).")
    return frame.with_columns(pl.all().cast(pl.String))


def _parse_value(field: str, text: str) -> Any:
    if text.casefold() in UNDO_WORDS:
        return None
    if field in LIST_FIELDS:
        return [part.strip() for part in text.split(";") if part.strip() and part.strip() != "–"]
    return text


def parse_decisions(
    frame: pl.DataFrame, values: dict[str, dict[str, Any]], vocab: Vocabulary
) -> ImportResult:
    """Validate every row against the records now in the database; decisions only if all are valid."""
    decisions: list[dict[str, Any]] = []
    errors: list[str] = []
    undecided = 0
    seen: dict[tuple[str, str], int] = {}
    has_note = NOTE in frame.columns
    for i, row in enumerate(frame.iter_rows(named=True), start=2):  # row 1 holds the headings
        new = " ".join((row[NEW] or "").split())
        if not new:
            undecided += 1
            continue
        key = (row[KEY] or "").strip()
        label = " ".join((row[FIELD] or "").split())
        name = FIELD_BY_LABEL.get(label.casefold())
        record = values.get(key)
        if record is None:
            errors.append(f"Zeile {i}: Eintrag „{key}“ gibt es nicht (mehr).")
            continue
        if name is None:
            errors.append(
                f"Zeile {i}: Feld „{label}“ ist unbekannt (erlaubt: {', '.join(FIELD_LABELS.values())})."
            )
            continue
        if (key, name) in seen:
            errors.append(
                f"Zeile {i}: {FIELD_LABELS[name]} von „{key}“ steht schon in Zeile {seen[(key, name)]}."
            )
            continue
        seen[(key, name)] = i
        if (row[FINGERPRINT] or "").strip() != record["source_fingerprint"]:
            errors.append(
                f"Zeile {i}: der Quelltext von „{key}“ hat sich seit dem Export geändert – "
                "bitte neu exportieren und prüfen."
            )
            continue
        try:
            value = validate(name, _parse_value(name, new), vocab)
        except ReviewError as exc:
            errors.append(f"Zeile {i}: {exc}")
            continue
        note = " ".join((row[NOTE] or "").split()) if has_note else ""
        decisions.append(
            {
                "city": record["city"],
                "cooperation_key": key,
                "field": name,
                "old_value": record[name],
                "new_value": value,
                "note": note or None,
                "source_fingerprint": record["source_fingerprint"],
            }
        )
    if errors:
        return ImportResult(errors=errors, undecided=undecided)
    return ImportResult(decisions=decisions, undecided=undecided)


def import_file(con: duckdb.DuckDBPyConnection, name: str, data: bytes) -> ImportResult:
    """Read and validate an uploaded file against the database; ReviewError if it cannot be read."""
    return parse_decisions(read_file(name, data), current_values(con), vocabulary(con))
