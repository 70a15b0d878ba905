"""The „Protokoll“: the store's audit trail as a table and a CSV for German Excel (pure, no streamlit)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from ikz.csv_safe import csv_bytes
from ikz.store import AuditEvent

# Column → German header, in the order the Protokoll shows them.
AUDIT_COLUMNS: dict[str, str] = {
    "event_id": "Nr.",
    "at": "Zeit (UTC)",
    "actor_name": "Name",
    "actor_email": "E-Mail",
    "actor_subject": "Kennung (sub)",
    "via": "Anmeldung",
    "action": "Aktion",
    "target": "Gegenstand",
    "detail": "Einzelheiten",
}


def date_bounds(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """Store.audit's since/until for a day range, both days included (until is exclusive there)."""
    return (
        since.isoformat() if since else None,
        (until + timedelta(days=1)).isoformat() if until else None,
    )


def audit_table(events: Sequence[AuditEvent]) -> pl.DataFrame:
    """One row per write, newest first as given, with German headers; details as compact JSON text."""
    rows = [
        {
            "event_id": e.event_id,
            "at": e.at,
            "actor_name": e.actor_name,
            "actor_email": e.actor_email,
            "actor_subject": e.actor_subject,
            "via": e.via,
            "action": e.action,
            "target": e.target or "",
            "detail": "" if e.detail is None else json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
        }
        for e in events
    ]
    schema = {c: (pl.Int64 if c == "event_id" else pl.String) for c in AUDIT_COLUMNS}
    return pl.DataFrame(rows, schema=schema).rename(AUDIT_COLUMNS)


def audit_csv(table: pl.DataFrame) -> bytes:
    """The Protokoll as CSV for German Excel: UTF-8 with BOM, ';' separator."""
    return csv_bytes(table)


def people(events: Sequence[AuditEvent]) -> list[tuple[str, str]]:
    """(e-mail, label) of everybody in the trail, by name: the Protokoll's person filter."""
    seen: dict[str, str] = {}
    for e in events:
        key = e.actor_email if e.via == "oidc" else e.actor_name
        label = f"{e.actor_name} <{e.actor_email}>" if e.via == "oidc" else f"{e.actor_name} (lokal)"
        seen.setdefault(key, label)
    return sorted(seen.items(), key=lambda item: item[1].casefold())
