"""Checked values: the latest review decision per record and field, applied to the normalised tables.

Pure: (tables, decisions, vocabulary) in, tables out. The build calls it after classifying, so the
DuckDB file stays a function of data/raw, the rules files and the store of record. A decision is
applied only while its record's source text is unchanged (same fingerprint); otherwise, or when
its record or value no longer exists, it is listed in `review_pending` instead of being applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from ikz.core.table_schema import TABLES as SCHEMA_TABLES
from ikz.rules.files import shipped_words
from ikz.rules.words import ORIGIN_FIELD_LABELS
from ikz.store.sqlite import Decision

FIELDS = ("type", "binding", "effects", "status", "partners")
FIELD_LABELS = ORIGIN_FIELD_LABELS  # one set of German field names for review and origin notes
LIST_FIELDS = frozenset({"effects", "partners"})
NA = shipped_words().no_info  # effects without any category (data/taxonomy.toml `no_info`)
LOCAL_ZONE = ZoneInfo("Europe/Berlin")  # the office reads dates in its own time

SOURCE_CHANGED = "zu prüfen (Quelle geändert)"
RECORD_GONE = "zu prüfen (Eintrag nicht mehr vorhanden)"
VALUE_GONE = "zu prüfen (Wert nicht mehr gültig)"

# The tables this module adds; schema.sql declares them, the build inserts them after the others.
TABLES = ("review_vocabulary", "cooperation_check", "review_pending")
SCHEMAS: dict[str, dict[str, pl.DataType]] = {name: SCHEMA_TABLES[name] for name in TABLES}


class ReviewError(ValueError):
    """A value a person entered or imported is not allowed; the message is German."""


@dataclass(frozen=True)
class Vocabulary:
    """The values a person may choose per field, in display order."""

    types: tuple[str, ...]
    bindings: tuple[str, ...]
    effects: tuple[str, ...]
    statuses: tuple[str, ...]
    partners: tuple[str, ...]

    def choices(self, field: str) -> tuple[str, ...]:
        """The allowed values of field."""
        if field not in FIELDS:
            raise ReviewError(f"Unbekanntes Feld „{field}“ (erlaubt: {', '.join(FIELD_LABELS.values())}).")
        return getattr(self, {"type": "types", "binding": "bindings", "status": "statuses"}.get(field, field))

    def frame(self) -> pl.DataFrame:
        """The vocabulary as the `review_vocabulary` table."""
        rows = [
            {"field": field, "value": value, "sort_order": i}
            for field in FIELDS
            for i, value in enumerate(self.choices(field), start=1)
        ]
        return _frame("review_vocabulary", rows)

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> Vocabulary:
        """The vocabulary back from the `review_vocabulary` table."""
        ordered = frame.sort("field", "sort_order")
        values = {f: tuple(ordered.filter(pl.col("field") == f)["value"].to_list()) for f in FIELDS}
        return cls(
            types=values["type"],
            bindings=values["binding"],
            effects=values["effects"],
            statuses=values["status"],
            partners=values["partners"],
        )


def validate(field: str, value: Any, vocabulary: Vocabulary) -> Any:
    """The value as stored (a name, or a list of names in display order); ReviewError if not allowed.

    None means „rückgängig“ and is always allowed. Effects without any category become [NA] (the
    taxonomy's `no_info`), which stands alone.
    """
    allowed = vocabulary.choices(field)
    label = FIELD_LABELS[field]
    if value is None:
        return None
    if field in LIST_FIELDS:
        if isinstance(value, str):
            raise ReviewError(f"{label}: eine Liste von Namen erwartet, nicht „{value}“.")
        names = [" ".join(str(v).split()) for v in value]
        names = [n for n in names if n]
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise ReviewError(f"{label}: unbekannt: {', '.join(f'„{n}“' for n in unknown)}.")
        chosen = set(names)
        if field == "effects":
            if not chosen:
                chosen = {NA}
            elif NA in chosen and len(chosen) > 1:
                raise ReviewError(f"{label}: „{NA}“ kann nicht mit anderen Kategorien zusammen stehen.")
        return [v for v in allowed if v in chosen]
    if not isinstance(value, str) or value not in allowed:
        raise ReviewError(f"{label}: „{value}“ ist kein erlaubter Wert ({', '.join(allowed)}).")
    return value


def display_value(value: Any) -> str:
    """A stored value as text: names joined with '; ', '–' for none."""
    if value is None:
        return "–"
    if isinstance(value, list):
        return "; ".join(value) if value else "–"
    return str(value)


def local_date(at: str) -> str:
    """An ISO UTC timestamp as the German date in Erfurt, e.g. '30.11.2026'."""
    return datetime.fromisoformat(at).astimezone(LOCAL_ZONE).strftime("%d.%m.%Y")


def _frame(table: str, rows: Sequence[dict]) -> pl.DataFrame:
    schema = SCHEMAS[table]
    return pl.DataFrame(list(rows), schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def _pending(d: Decision, cooperation_id: int | None, reason: str) -> dict:
    return {
        "decision_id": d.decision_id,
        "cooperation_id": cooperation_id,
        "cooperation_key": d.cooperation_key,
        "city": d.city,
        "field": d.field,
        "value": display_value(d.new_value),
        "checked_by": d.actor_name,
        "checked_at": d.at,
        "note": d.note,
        "reason": reason,
    }


def apply_decisions(
    frames: Mapping[str, pl.DataFrame],
    decisions: Iterable[Decision],
    vocabulary: Vocabulary,
) -> dict[str, pl.DataFrame]:
    """The tables with every applicable latest decision's value in place and marked checked (the
    origin table's row of role 'checked'; the links a person set carry its name as evidence).

    decisions are the latest per (cooperation_key, field) (Store.latest_decisions().values());
    an undo (new_value None) leaves the derived value. Adds the tables of SCHEMAS.
    """
    out = dict(frames)
    cooperation = frames["cooperation"]
    checked = frames["origin"].filter(pl.col("role") == "checked")["name"].item()
    by_key = {
        key: (cid, fp)
        for key, cid, fp in cooperation.select(
            "cooperation_key", "cooperation_id", "source_fingerprint"
        ).iter_rows()
    }
    type_ids = dict(frames["cooperation_type"].select("name", "type_id").iter_rows())
    effect_ids = dict(frames["effect_category"].select("name", "effect_id").iter_rows())
    partner_ids = dict(frames["partner"].select("name", "partner_id").iter_rows())

    checks: list[dict] = []
    pending: list[dict] = []
    scalar: dict[str, dict[int, Any]] = {"type": {}, "binding": {}, "status": {}}
    links: dict[str, dict[int, list[int]]] = {"effects": {}, "partners": {}}
    for d in sorted(decisions, key=lambda d: d.decision_id):
        if d.new_value is None:
            continue  # undone: the derived value stands
        found = by_key.get(d.cooperation_key)
        if found is None:
            pending.append(_pending(d, None, RECORD_GONE))
            continue
        cooperation_id, fingerprint = found
        if d.source_fingerprint != fingerprint:
            pending.append(_pending(d, cooperation_id, SOURCE_CHANGED))
            continue
        try:
            value = validate(d.field, d.new_value, vocabulary)
        except ReviewError:
            pending.append(_pending(d, cooperation_id, VALUE_GONE))
            continue
        if d.field == "type":
            scalar["type"][cooperation_id] = type_ids[value]
        elif d.field in scalar:
            scalar[d.field][cooperation_id] = value
        elif d.field == "effects":
            links["effects"][cooperation_id] = [effect_ids[v] for v in value]
        else:
            links["partners"][cooperation_id] = [partner_ids[v] for v in value]
        checks.append(
            {
                "cooperation_id": cooperation_id,
                "field": d.field,
                "value": display_value(value),
                "checked_by": d.actor_name,
                "checked_at": d.at,
                "checked_on": local_date(d.at),
                "note": d.note,
                "decision_id": d.decision_id,
            }
        )

    updates = []
    column_of = {"type": "type_id", "binding": "binding", "status": "status"}
    for field, values in scalar.items():
        if not values:
            continue
        ids = pl.col("cooperation_id")
        column = column_of[field]
        updates += [
            ids.replace_strict(values, default=pl.col(column), return_dtype=cooperation.schema[column]).alias(
                column
            ),
            pl.when(ids.is_in(list(values)))
            .then(pl.lit(checked))
            .otherwise(pl.col(f"{field}_source"))
            .alias(f"{field}_source"),
        ]
    if links["effects"]:
        updates.append(
            pl.when(pl.col("cooperation_id").is_in(list(links["effects"])))
            .then(pl.lit(checked))
            .otherwise(pl.col("effects_source"))
            .alias("effects_source")
        )
    if updates:
        out["cooperation"] = cooperation.with_columns(updates)

    out["cooperation_effect"] = _relink(
        frames["cooperation_effect"], "effect_id", links["effects"], checked, {"is_derived": False}
    )
    out["cooperation_partner"] = _relink(
        frames["cooperation_partner"], "partner_id", links["partners"], checked, {}
    )
    out["review_vocabulary"] = vocabulary.frame()
    out["cooperation_check"] = _frame("cooperation_check", checks)
    out["review_pending"] = _frame("review_pending", pending)
    return out


def _relink(
    frame: pl.DataFrame, id_column: str, chosen: dict[int, list[int]], evidence: str, extra: dict[str, Any]
) -> pl.DataFrame:
    """The link table with the links of each checked cooperation replaced by the chosen ones."""
    if not chosen:
        return frame
    kept = frame.filter(~pl.col("cooperation_id").is_in(list(chosen)))
    new = [
        {"cooperation_id": cid, id_column: target, "evidence": evidence, **extra}
        for cid, targets in chosen.items()
        for target in targets
    ]
    added = pl.DataFrame(new, schema=frame.schema, orient="row") if new else frame.clear()
    return pl.concat([kept, added]).sort("cooperation_id", maintain_order=True)
