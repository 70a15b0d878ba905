"""The „Protokoll“: the store's audit trail in words — local German time, a readable action and
subject per write — as a table and a CSV for German Excel (pure, no streamlit)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import polars as pl

from ikz.core.csv_safe import csv_bytes
from ikz.core.dates import as_of_text, day_bounds, local_time, spreadsheet_time
from ikz.core.numbers import fmt_int
from ikz.rules.words import CHECKED, DERIVED, ORIGIN_FIELD_LABELS
from ikz.store.sqlite import AuditEvent, Store, decode

# Column → German header, in the order the Protokoll shows them; the first five are shown by default,
# the rest in an event's „Details“ and in the CSV.
AUDIT_COLUMNS: dict[str, str] = {
    "event_id": "Nr.",
    "at": "Zeit",
    "person": "Person",
    "action": "Aktion",
    "subject": "Gegenstand",
    "actor_email": "E-Mail",
    "via": "Anmeldung",
    "actor_subject": "Kennung der Anmeldung",
    "detail": "Gespeicherte Angaben",
}
SHOWN_COLUMNS = tuple(AUDIT_COLUMNS[c] for c in ("event_id", "at", "person", "action", "subject"))
VIA_WORDS = {"oidc": "Dienstkonto", "lokal": "lokaler Modus"}

# What each stored action was, in the past tense the Protokoll reads in („prüfen“ depends on its
# decisions and „veröffentlichen“ on its edition: see action_words).
ACTION_WORDS: dict[str, str] = {
    "prüfen": CHECKED.name,
    "veröffentlichen": "Ausgabe veröffentlicht",
    "zurücksetzen": "zurückgesetzt",
    "protokoll-export": "Protokoll exportiert",
    "anregung": "bewertet",
}
UNDONE = "rückgängig gemacht"
MARK_WITHDRAWN = "Bewertung zurückgenommen"
SEED = "Ausgangsliste"
MAX_TITLES = 1


@dataclass(frozen=True)
class Particulars:
    """What the store's other tables hold about each write, by event id (the audit detail alone
    says only how many decisions a check made, not which record and field)."""

    decisions: Mapping[int, list[dict[str, Any]]] = field(default_factory=dict)
    editions: Mapping[int, dict[str, Any]] = field(default_factory=dict)  # event → the edition it registered
    edition_dates: Mapping[int, tuple[str, str | None]] = field(default_factory=dict)  # id → Stichtag, note
    marks: Mapping[int, dict[str, Any]] = field(default_factory=dict)


def particulars(store: Store) -> Particulars:
    """The decisions, editions and marks of every write, read once from the store."""
    if not store.path.exists():
        return Particulars()
    decisions: dict[int, list[dict[str, Any]]] = {}
    editions: dict[int, dict[str, Any]] = {}
    marks: dict[int, dict[str, Any]] = {}
    with store.connect() as con:
        for event_id, city, key, name, old, new, note in con.execute(
            "SELECT event_id, city, cooperation_key, field, old_value, new_value, note FROM review_decision"
            " ORDER BY decision_id"
        ):
            decisions.setdefault(event_id, []).append(
                {
                    "city": city,
                    "cooperation_key": key,
                    "field": name,
                    "old_value": decode(old),
                    "new_value": decode(new),
                    "note": note,
                }
            )
        edition_dates = {
            edition_id: (as_of, note)
            for edition_id, as_of, note in con.execute("SELECT edition_id, as_of, note FROM edition")
        }
        for event_id, edition_id, city, as_of, rows, derived_from, note in con.execute(
            "SELECT event_id, edition_id, city, as_of, row_count, derived_from, note FROM edition"
        ):
            editions[event_id] = {
                "edition_id": edition_id,
                "city": city,
                "as_of": as_of,
                "row_count": rows,
                "derived_from": derived_from,
                "note": note,
            }
        for event_id, for_city, mark in con.execute("SELECT event_id, for_city, mark FROM suggestion_mark"):
            marks[event_id] = {"for_city": for_city, "mark": mark}
    return Particulars(decisions, editions, edition_dates, marks)


def record_titles(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Schlüssel → Bezeichnung of every record in the database, to name a check's record."""
    return dict(con.execute("SELECT cooperation_key, title FROM cooperation_wide").fetchall())


def _title(key: str, titles: Mapping[str, str]) -> str:
    title = titles.get(key)
    # A record that has left the current list since keeps its Schlüssel as its name.
    return f"„{title}“" if title else f"Eintrag {key} (nicht mehr in der Liste)"


def _value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "–"
    return str(value)


def action_words(event: AuditEvent, found: Particulars) -> str:
    """What the write did, in words: „geprüft“, „rückgängig gemacht“, „Ausgabe veröffentlicht“, …"""
    if event.action == "prüfen":
        decisions = found.decisions.get(event.event_id)
        if decisions is None:  # decisions not at hand: the note the review page writes for an undo
            note = (event.detail or {}).get("note") if isinstance(event.detail, dict) else None
            return UNDONE if note == "rückgängig" else ACTION_WORDS["prüfen"]
        undone = [d["new_value"] is None for d in decisions]
        if all(undone):
            return UNDONE
        return ACTION_WORDS["prüfen"] if not any(undone) else f"{ACTION_WORDS['prüfen']} und {UNDONE}"
    if event.action == "anregung":
        mark = found.marks.get(event.event_id, {}).get("mark", (event.detail or {}).get("mark"))
        return ACTION_WORDS["anregung"] if mark else MARK_WITHDRAWN
    if event.action == "veröffentlichen":
        note = (found.editions.get(event.event_id) or {}).get("note") or ""
        # A single-record edit is an edition too; its note says what was done („Kooperation geändert: …“).
        if note.startswith("Kooperation ") and ":" in note:
            return note.split(":", 1)[0]
    return ACTION_WORDS.get(event.action, event.action)


def _check_subject(decisions: list[dict[str, Any]], titles: Mapping[str, str]) -> str:
    by_record: dict[str, list[str]] = {}
    for d in decisions:
        by_record.setdefault(d["cooperation_key"], []).append(ORIGIN_FIELD_LABELS.get(d["field"], d["field"]))
    if len(by_record) == 1:
        [(key, names)] = by_record.items()
        return f"{_title(key, titles)}: {', '.join(dict.fromkeys(names))}"
    shown = [_title(key, titles) for key in list(by_record)[:MAX_TITLES]]
    more = len(by_record) - len(shown)
    return f"{fmt_int(len(decisions))} Werte in {fmt_int(len(by_record))} Einträgen: {', '.join(shown)}" + (
        f" und {fmt_int(more)} weitere" if more else ""
    )


def _edition_name(edition_id: int | None, as_of: str | None, note: str | None = None) -> str:
    if edition_id is None or note == SEED:
        return f"die {SEED}" if as_of is None else f"die {SEED} (Stand {as_of_text(as_of)})"
    return f"Ausgabe {edition_id}" + (f" vom {as_of_text(as_of)}" if as_of else "")


def subject_words(event: AuditEvent, found: Particulars, titles: Mapping[str, str]) -> str:
    """What the write was about, in words: a record's title and field, a city's edition, …"""
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.action == "prüfen":
        decisions = found.decisions.get(event.event_id)
        if decisions:
            return _check_subject(decisions, titles)
        return f"{fmt_int(detail.get('count', 0))} Werte"
    if event.action == "anregung" and event.target:
        mark = found.marks.get(event.event_id, {})
        for_city = mark.get("for_city")
        value = mark.get("mark", detail.get("mark"))
        return (
            f"Anregung {_title(event.target, titles)}"
            + (f" für {for_city}" if for_city else "")
            + (f": {value}" if value else "")
        )
    if event.action == "veröffentlichen":
        edition = found.editions.get(event.event_id) or {}
        name = _edition_name(edition.get("edition_id"), detail.get("as_of") or edition.get("as_of"))
        note = edition.get("note") or ""
        if note.startswith("Kooperation ") and ":" in note:
            return f"{event.target}: „{note.split(':', 1)[1].strip()}“ ({name})"
        rows = detail.get("row_count", edition.get("row_count"))
        return f"{event.target}: {name}" + (f", {fmt_int(rows)} Kooperationen" if rows is not None else "")
    if event.action == "zurücksetzen":
        edition_id = detail.get("edition_id")
        as_of, note = found.edition_dates.get(edition_id, (None, None))
        return f"{event.target}: auf {_edition_name(edition_id, as_of, note)}"
    if event.action == "protokoll-export":
        rows = detail.get("rows")
        return f"{fmt_int(rows)} Einträge als CSV" if rows is not None else "CSV"
    return event.target or ""


def person(event: AuditEvent) -> str:
    """Who wrote: the name, marked „(lokal)“ when given without sign-in."""
    return f"{event.actor_name} (lokal)" if event.via == "lokal" else event.actor_name


def detail_lines(event: AuditEvent, found: Particulars, titles: Mapping[str, str]) -> list[str]:
    """An event's particulars in words, one line each, for its „Details“."""
    lines = [
        f"Person: {event.actor_name}" + (f" <{event.actor_email}>" if event.via != "lokal" else ""),
        f"Anmeldung: {VIA_WORDS.get(event.via, event.via)} (Kennung {event.actor_subject})",
    ]
    for d in found.decisions.get(event.event_id, []):
        label = ORIGIN_FIELD_LABELS.get(d["field"], d["field"])
        change = (
            f"{_value(d['old_value'])} → wieder {DERIVED.name}"
            if d["new_value"] is None
            else f"{_value(d['old_value'])} → {_value(d['new_value'])}"
        )
        lines.append(f"{_title(d['cooperation_key'], titles)} ({d['city']}), {label}: {change}")
    detail = event.detail if isinstance(event.detail, dict) else {}
    if note := detail.get("note"):
        lines.append(f"Notiz: {note}")
    if edition := found.editions.get(event.event_id):
        rows, as_of = fmt_int(edition["row_count"]), as_of_text(edition["as_of"])
        lines.append(f"Ausgabe {edition['edition_id']}: {rows} Kooperationen, Stichtag {as_of}")
        if edition.get("note"):
            lines.append(f"Notiz zur Ausgabe: {edition['note']}")
    return lines


def _rows(
    events: Sequence[AuditEvent], found: Particulars, titles: Mapping[str, str], time_text: Any
) -> list[dict[str, Any]]:
    return [
        {
            "event_id": e.event_id,
            "at": time_text(e.at),
            "person": person(e),
            "action": action_words(e, found),
            "subject": subject_words(e, found, titles),
            "actor_email": e.actor_email,
            "via": VIA_WORDS.get(e.via, e.via),
            "actor_subject": e.actor_subject,
            "detail": "" if e.detail is None else json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
        }
        for e in events
    ]


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {c: (pl.Int64 if c == "event_id" else pl.String) for c in AUDIT_COLUMNS}
    return pl.DataFrame(rows, schema=schema).rename(AUDIT_COLUMNS)


def audit_table(
    events: Sequence[AuditEvent], found: Particulars | None = None, titles: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """One row per write, newest first as given, with German headers; time in Erfurt, in words."""
    return _frame(_rows(events, found or Particulars(), titles or {}, local_time))


def audit_csv(
    events: Sequence[AuditEvent], found: Particulars | None = None, titles: Mapping[str, str] | None = None
) -> bytes:
    """The Protokoll as CSV for German Excel (UTF-8 with BOM, ';'): every column, the time as
    'dd.mm.yyyy hh:mm:ss' in Erfurt's time so Excel can sort it."""
    return csv_bytes(_frame(_rows(events, found or Particulars(), titles or {}, spreadsheet_time)))


def date_bounds(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """Store.audit's since/until for a range of days in Erfurt, both days included."""
    return day_bounds(since, until)


def people(events: Sequence[AuditEvent]) -> list[tuple[str, str]]:
    """(e-mail, label) of everybody in the trail, by name: the Protokoll's person filter."""
    seen: dict[str, str] = {}
    for e in events:
        key = e.actor_email if e.via == "oidc" else e.actor_name
        label = f"{e.actor_name} <{e.actor_email}>" if e.via == "oidc" else f"{e.actor_name} (lokal)"
        seen.setdefault(key, label)
    return sorted(seen.items(), key=lambda item: item[1].casefold())
