"""The store of record: what people decide and import, append-only, in a transactional SQLite file.

Every write is one transaction that adds an `audit_event` (who, when, what) and the rows it is
about; nothing is ever updated in place or deleted (triggers refuse it), so „rückgängig“ and
„zurücksetzen“ are new rows. The DuckDB file is rebuilt from data/raw, the rules files and this
store; `version()` tells the build when the store has changed.

The SQL below is plain enough to run on PostgreSQL too (the path to several app replicas):
only the DDL (`INTEGER PRIMARY KEY AUTOINCREMENT`, the trigger syntax) and the `?` placeholders
would change.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ikz.access import Identity, require_editor
from ikz.paths import DATA_DIR

STORE_ENV_VAR = "IKZ_STORE"
DEFAULT_STORE_PATH = DATA_DIR / "pflege.sqlite"
BUSY_TIMEOUT_MS = 15_000  # a second writer waits for the first rather than failing

APPEND_ONLY = ("audit_event", "review_decision", "suggestion_mark", "edition", "edition_current")

SCHEMA = """
-- One row per write anybody made: the audit trail. The identity comes from the sign-in token.
CREATE TABLE IF NOT EXISTS audit_event (
    event_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT NOT NULL,              -- UTC, ISO 8601
    actor_email    TEXT NOT NULL,
    actor_subject  TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    via            TEXT NOT NULL,              -- 'oidc' or 'lokal'
    action         TEXT NOT NULL,              -- 'prüfen', 'import', 'veröffentlichen', 'zurücksetzen', …
    target         TEXT,                       -- what it is about, e.g. a cooperation_key or a city
    detail         TEXT                        -- JSON with the particulars
);
-- One row per review decision on one derived value of one record (confirm, correct or undo).
CREATE TABLE IF NOT EXISTS review_decision (
    decision_id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id            INTEGER NOT NULL REFERENCES audit_event (event_id),
    city                TEXT NOT NULL,
    cooperation_key     TEXT NOT NULL,
    field               TEXT NOT NULL,         -- 'type', 'binding', 'effects', 'status', 'partners'
    old_value           TEXT,                  -- JSON: the value shown when deciding
    new_value           TEXT,                  -- JSON: the checked value; NULL = undo (back to derived)
    note                TEXT,
    source_fingerprint  TEXT NOT NULL          -- of the record's source text when deciding
);
CREATE INDEX IF NOT EXISTS review_decision_key ON review_decision (cooperation_key, field);
-- One row per judgement of a suggestion („interessant“, „gibt es bei uns schon“, „nicht relevant“).
CREATE TABLE IF NOT EXISTS suggestion_mark (
    mark_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         INTEGER NOT NULL REFERENCES audit_event (event_id),
    cooperation_key  TEXT NOT NULL,
    for_city         TEXT NOT NULL,
    mark             TEXT,                     -- NULL = mark withdrawn
    note             TEXT
);
-- One row per edition of a city's list: the seed document or an imported file, kept byte-identical.
CREATE TABLE IF NOT EXISTS edition (
    edition_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id          INTEGER NOT NULL REFERENCES audit_event (event_id),
    city              TEXT NOT NULL,
    as_of             TEXT NOT NULL,           -- the edition's date, YYYY-MM-DD
    file_name         TEXT NOT NULL,           -- under data/: 'editions/Erfurt/2026-11-30_ab12cd34.xlsx'
    sha256            TEXT NOT NULL,
    row_count         INTEGER NOT NULL,
    derived_from      INTEGER REFERENCES edition (edition_id),  -- a single-record edit's base
    note              TEXT
);
-- One row per change of a city's current edition (publish or „Zurücksetzen auf Ausgabe …“).
CREATE TABLE IF NOT EXISTS edition_current (
    current_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     INTEGER NOT NULL REFERENCES audit_event (event_id),
    city         TEXT NOT NULL,
    edition_id   INTEGER NOT NULL REFERENCES edition (edition_id)
);
"""


def _append_only_triggers() -> str:
    parts = []
    for table in APPEND_ONLY:
        for op in ("UPDATE", "DELETE"):
            parts.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {table}'); END;"
            )
    return "\n".join(parts)


class StoreError(Exception):
    """The store cannot be opened or written; the message is German and meant for users."""


class StaleState(StoreError):
    """Somebody else changed the same thing first; the caller shows the new state and asks again."""


def store_path() -> Path:
    """Path of the store: $IKZ_STORE if set, else data/pflege.sqlite."""
    override = os.environ.get(STORE_ENV_VAR)
    return Path(override).expanduser().resolve() if override else DEFAULT_STORE_PATH


def now() -> str:
    """The current time in UTC as ISO 8601 (seconds), as every row records it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def encode(value: Any) -> str | None:
    """A value as stored: JSON text (lists stay lists), None stays NULL."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def decode(text: str | None) -> Any:
    """The value of a stored JSON text."""
    return None if text is None else json.loads(text)


@dataclass(frozen=True)
class Decision:
    """One review decision with who made it and when."""

    decision_id: int
    at: str
    actor_email: str
    actor_subject: str
    actor_name: str
    city: str
    cooperation_key: str
    field: str
    old_value: Any
    new_value: Any  # None: undone, back to the derived value
    note: str | None
    source_fingerprint: str


@dataclass(frozen=True)
class Edition:
    """One registered edition of a city's list."""

    edition_id: int
    city: str
    as_of: str
    file_name: str
    sha256: str
    row_count: int
    derived_from: int | None
    note: str | None
    imported_at: str
    imported_by: str  # actor name
    imported_by_email: str


@dataclass(frozen=True)
class Mark:
    """The latest judgement of one suggestion."""

    cooperation_key: str
    for_city: str
    mark: str | None
    note: str | None
    at: str
    actor_name: str
    actor_email: str


@dataclass(frozen=True)
class AuditEvent:
    """One write, as the „Protokoll“ shows it."""

    event_id: int
    at: str
    actor_email: str
    actor_subject: str
    actor_name: str
    via: str
    action: str
    target: str | None
    detail: Any


_ready: set[Path] = set()
_ready_lock = threading.Lock()


def _prepare(path: Path) -> None:
    """Create the schema and switch to WAL once per file and process, serialised across processes."""
    # Switching the journal mode is not covered by SQLite's busy timeout: two first connections
    # at once fail with 'database is locked' (seen with three threads), so the first one is alone.
    with _ready_lock:
        if path in _ready:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            try:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(SCHEMA + _append_only_triggers())
            finally:
                con.close()
                fcntl.flock(handle, fcntl.LOCK_UN)
        _ready.add(path)


class Store:
    """The store of record at one path; opens a short-lived connection per call (thread-safe)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = (path or store_path()).resolve()

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection with WAL, foreign keys and the schema in place; closed afterwards."""
        try:
            _prepare(self.path)
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(
                f"Der Datenspeicher {self.path.name} kann nicht geöffnet werden: {exc}"
            ) from None
        try:
            con.execute("PRAGMA foreign_keys=ON")
            con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            yield con
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Der Datenspeicher {self.path.name} ist nicht lesbar: {exc}") from None
        finally:
            con.close()

    @contextlib.contextmanager
    def write(
        self, identity: Identity, action: str, target: str | None, detail: Any = None
    ) -> Iterator[tuple]:
        """One write transaction by an editor: yields (connection, event_id); commits or leaves nothing."""
        require_editor(identity)
        with self.connect() as con:
            # IMMEDIATE takes the write lock first: two writers are serialised, never interleaved.
            con.execute("BEGIN IMMEDIATE")
            try:
                event_id = con.execute(
                    "INSERT INTO audit_event (at, actor_email, actor_subject, actor_name, via, action,"
                    " target, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        now(),
                        identity.email,
                        identity.subject,
                        identity.name,
                        identity.via,
                        action,
                        target,
                        encode(detail),
                    ),
                ).lastrowid
                yield con, event_id
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def version(self) -> int:
        """The number of the latest write (0 for an empty or missing store): part of the build's inputs."""
        if not self.path.exists():
            return 0
        with self.connect() as con:
            return con.execute("SELECT coalesce(max(event_id), 0) FROM audit_event").fetchone()[0]

    # --- review decisions -------------------------------------------------------------------

    def record_decisions(
        self, identity: Identity, decisions: Sequence[dict[str, Any]], note: str | None = None
    ) -> int:
        """Store several decisions as one write (all or none); each dict has city, cooperation_key,
        field, old_value, new_value, source_fingerprint and optionally note. Returns the event id."""
        with self.write(identity, "prüfen", None, {"count": len(decisions), "note": note}) as (con, event_id):
            for d in decisions:
                con.execute(
                    "INSERT INTO review_decision (event_id, city, cooperation_key, field, old_value,"
                    " new_value, note, source_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        event_id,
                        d["city"],
                        d["cooperation_key"],
                        d["field"],
                        encode(d.get("old_value")),
                        encode(d.get("new_value")),
                        d.get("note", note),
                        d["source_fingerprint"],
                    ),
                )
        return event_id

    def decisions(self) -> list[Decision]:
        """Every decision ever made, oldest first."""
        if not self.path.exists():
            return []
        with self.connect() as con:
            rows = con.execute(
                "SELECT d.decision_id, e.at, e.actor_email, e.actor_subject, e.actor_name, d.city,"
                " d.cooperation_key, d.field, d.old_value, d.new_value, d.note, d.source_fingerprint"
                " FROM review_decision d JOIN audit_event e USING (event_id) ORDER BY d.decision_id"
            ).fetchall()
        return [
            Decision(*r[:8], decode(r[8]), decode(r[9]), r[10], r[11])  # type: ignore[arg-type]
            for r in rows
        ]

    def latest_decisions(self) -> dict[tuple[str, str], Decision]:
        """The latest decision per (cooperation_key, field): what the build applies."""
        latest: dict[tuple[str, str], Decision] = {}
        for d in self.decisions():
            latest[(d.cooperation_key, d.field)] = d
        return latest

    # --- suggestion marks -------------------------------------------------------------------

    def record_mark(
        self, identity: Identity, *, cooperation_key: str, for_city: str, mark: str | None, note: str | None
    ) -> int:
        """Store one judgement of a suggestion (mark None withdraws it); returns the event id."""
        with self.write(identity, "anregung", cooperation_key, {"mark": mark, "note": note}) as (
            con,
            event_id,
        ):
            con.execute(
                "INSERT INTO suggestion_mark (event_id, cooperation_key, for_city, mark, note)"
                " VALUES (?, ?, ?, ?, ?)",
                (event_id, cooperation_key, for_city, mark, note),
            )
        return event_id

    def latest_marks(self) -> dict[tuple[str, str], Mark]:
        """The latest mark per (cooperation_key, for_city)."""
        if not self.path.exists():
            return {}
        with self.connect() as con:
            rows = con.execute(
                "SELECT m.cooperation_key, m.for_city, m.mark, m.note, e.at, e.actor_name, e.actor_email"
                " FROM suggestion_mark m JOIN audit_event e USING (event_id) ORDER BY m.mark_id"
            ).fetchall()
        return {(r[0], r[1]): Mark(*r) for r in rows}

    # --- editions ---------------------------------------------------------------------------

    _EDITION_SELECT = (
        "SELECT ed.edition_id, ed.city, ed.as_of, ed.file_name, ed.sha256, ed.row_count, ed.derived_from,"
        " ed.note, e.at, e.actor_name, e.actor_email FROM edition ed JOIN audit_event e USING (event_id)"
    )

    def editions(self, city: str | None = None) -> list[Edition]:
        """Registered editions (of one city), oldest first."""
        if not self.path.exists():
            return []
        with self.connect() as con:
            if city is None:
                rows = con.execute(self._EDITION_SELECT + " ORDER BY ed.edition_id").fetchall()
            else:
                rows = con.execute(
                    self._EDITION_SELECT + " WHERE ed.city = ? ORDER BY ed.edition_id", (city,)
                ).fetchall()
        return [Edition(*r) for r in rows]

    def current_edition_ids(self) -> dict[str, int]:
        """The current edition per city (cities without an imported edition are absent)."""
        if not self.path.exists():
            return {}
        with self.connect() as con:
            rows = con.execute("SELECT city, edition_id FROM edition_current ORDER BY current_id").fetchall()
        return dict(rows)

    # --- audit ------------------------------------------------------------------------------

    def audit(
        self, *, person: str | None = None, since: str | None = None, until: str | None = None
    ) -> list[AuditEvent]:
        """The audit trail, newest first; person matches e-mail or name, since/until compare ISO dates."""
        if not self.path.exists():
            return []
        conditions, params = ["TRUE"], []
        if person:
            conditions.append("(actor_email = ? OR actor_name = ?)")
            params += [person, person]
        if since:
            conditions.append("at >= ?")
            params.append(since)
        if until:
            conditions.append("at < ?")
            params.append(until)
        with self.connect() as con:
            rows = con.execute(
                "SELECT event_id, at, actor_email, actor_subject, actor_name, via, action, target, detail"
                f" FROM audit_event WHERE {' AND '.join(conditions)} ORDER BY event_id DESC",
                params,
            ).fetchall()
        return [AuditEvent(*r[:8], decode(r[8])) for r in rows]  # type: ignore[arg-type]
