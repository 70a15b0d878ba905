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

from ikz.core.paths import DATA_DIR
from ikz.store.access import Identity, require_editor

STORE_ENV_VAR = "IKZ_STORE"
DEFAULT_STORE_PATH = DATA_DIR / "pflege.sqlite"
# The audit action of a mark of an Anregung (Store.record_mark); the build does not read marks.
MARK_ACTION = "anregung"
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
        """The number of the latest write the build reads (0 for an empty or missing store): part of
        the build's inputs. Marks of Anregungen are not: they are joined at read time by their key, so
        saving one must not rebuild the database."""
        if not self.path.exists():
            return 0
        with self.connect() as con:
            return con.execute(
                "SELECT coalesce(max(event_id), 0) FROM audit_event WHERE action <> ?", (MARK_ACTION,)
            ).fetchone()[0]

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
        with self.write(identity, MARK_ACTION, cooperation_key, {"mark": mark, "note": note}) as (
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

    # --- publishing editions (issue 11) -----------------------------------------------------

    @staticmethod
    def _current_in(con: sqlite3.Connection, city: str) -> int | None:
        row = con.execute(
            "SELECT edition_id FROM edition_current WHERE city = ? ORDER BY current_id DESC LIMIT 1", (city,)
        ).fetchone()
        return row[0] if row else None

    @staticmethod
    def _refuse_if_moved(con: sqlite3.Connection, city: str, expected_current: int | None) -> None:
        """StaleState (German, naming who and when) if the city's current edition is no longer expected."""
        current = Store._current_in(con, city)
        if current == expected_current:
            return
        who = con.execute(
            "SELECT e.actor_name, e.at, ed.as_of FROM edition_current c JOIN audit_event e USING (event_id)"
            " JOIN edition ed ON ed.edition_id = c.edition_id WHERE c.city = ? ORDER BY c.current_id DESC"
            " LIMIT 1",
            (city,),
        ).fetchone()
        raise StaleState(
            f"Inzwischen hat {who[0]} am {who[1][:16].replace('T', ' ')} (UTC) eine andere Ausgabe "
            f"für {city} aktuell gemacht (Stand {who[2]}). Bitte den Vergleich mit dieser Ausgabe "
            "prüfen und dann erneut veröffentlichen."
        )

    def register_edition(
        self,
        identity: Identity,
        *,
        city: str,
        as_of: str,
        file_name: str,
        sha256: str,
        row_count: int,
        expected_current: int | None,
        derived_from: int | None = None,
        note: str | None = None,
        key_map: dict[int, str] | None = None,
        extra_detail: dict[str, Any] | None = None,
        before_commit: Any = None,
    ) -> int:
        """Register a kept file as a new edition and make it current, in one write; returns its id.

        expected_current is the edition the user's diff was made against (None: the seed document);
        if another publish came first, StaleState is raised and nothing is written. key_map (file
        row → kept Schlüssel, for rows matched by title) goes into the audit detail.
        """
        detail = {"as_of": as_of, "file_name": file_name, "sha256": sha256, "row_count": row_count}
        if key_map:
            detail["key_map"] = {str(k): v for k, v in sorted(key_map.items())}
        detail |= extra_detail or {}
        with self.write(identity, "veröffentlichen", city, detail) as (con, event_id):
            self._refuse_if_moved(con, city, expected_current)
            edition_id = con.execute(
                "INSERT INTO edition (event_id, city, as_of, file_name, sha256, row_count, derived_from,"
                " note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (event_id, city, as_of, file_name, sha256, row_count, derived_from, note),
            ).lastrowid
            con.execute(
                "INSERT INTO edition_current (event_id, city, edition_id) VALUES (?, ?, ?)",
                (event_id, city, edition_id),
            )
            if before_commit is not None:
                before_commit()
        return edition_id

    def set_current(
        self,
        identity: Identity,
        city: str,
        edition_id: int | None,
        expected_current: int | None,
        *,
        seed: dict[str, Any] | None = None,
    ) -> int:
        """„Zurücksetzen auf Ausgabe …“: make an earlier edition current again; returns the edition id.

        edition_id None goes back to the seed document: it gets an edition row once (seed gives its
        as_of, file_name, sha256 and row_count; note 'Ausgangsliste'), reused on later resets.
        """
        with self.write(identity, "zurücksetzen", city, {"edition_id": edition_id}) as (con, event_id):
            self._refuse_if_moved(con, city, expected_current)
            if edition_id is None:
                if seed is None:
                    raise StoreError("Für die Ausgangsliste fehlen die Angaben zur Datei.")
                found = con.execute(
                    "SELECT edition_id FROM edition WHERE city = ? AND file_name = ? AND sha256 = ?",
                    (city, seed["file_name"], seed["sha256"]),
                ).fetchone()
                edition_id = (
                    found[0]
                    if found
                    else con.execute(
                        "INSERT INTO edition (event_id, city, as_of, file_name, sha256, row_count, note)"
                        " VALUES (?, ?, ?, ?, ?, ?, 'Ausgangsliste')",
                        (event_id, city, seed["as_of"], seed["file_name"], seed["sha256"], seed["row_count"]),
                    ).lastrowid
                )
            found = con.execute("SELECT city FROM edition WHERE edition_id = ?", (edition_id,)).fetchone()
            if found is None or found[0] != city:
                raise StoreError(f"Ausgabe {edition_id} gibt es für {city} nicht.")
            con.execute(
                "INSERT INTO edition_current (event_id, city, edition_id) VALUES (?, ?, ?)",
                (event_id, city, edition_id),
            )
        return edition_id

    def current_edition_id(self, city: str) -> int | None:
        """The city's current edition, None while the seed document is current."""
        return self.current_edition_ids().get(city)

    def edition_key_map(self, edition_id: int) -> dict[int, str]:
        """File row → kept Schlüssel for rows of an edition that were matched by title when published."""
        if not self.path.exists():
            return {}
        with self.connect() as con:
            row = con.execute(
                "SELECT e.detail FROM edition ed JOIN audit_event e USING (event_id) WHERE ed.edition_id = ?",
                (edition_id,),
            ).fetchone()
        detail = decode(row[0]) if row else None
        return {int(k): v for k, v in ((detail or {}).get("key_map") or {}).items()}

    def current_history(self, city: str) -> list[tuple[int, str, str]]:
        """Each time the city's current edition changed: (edition_id, at, actor name), oldest first."""
        if not self.path.exists():
            return []
        with self.connect() as con:
            return con.execute(
                "SELECT c.edition_id, e.at, e.actor_name FROM edition_current c JOIN audit_event e"
                " USING (event_id) WHERE c.city = ? ORDER BY c.current_id",
                (city,),
            ).fetchall()
