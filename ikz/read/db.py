"""Read-only access to the built DuckDB file, rebuilt when stale, reopened when a rebuild swapped it."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ikz.builder.database import Finish, build, build_lock, built_store_version
from ikz.core.errors import SourceError, TaxonomyError
from ikz.core.paths import (
    CITIES_PATH,
    PARTNERS_PATH,
    RAW_DIR,
    SCHEMA_PATH,
    TAXONOMY_PATH,
    TOPICS_PATH,
)
from ikz.read.precomputed import MISSING, Stored
from ikz.rules.geo import geo_files
from ikz.rules.sources import DOCUMENTS
from ikz.store.sqlite import Store, StoreError

# The database's buffer pool and operators, shared by a page's reads side by side (issue 21: at 1M
# rows the server peaked at 692 MB with 384 MB, 630 MB with 256 MB, 561 MB with 160 MB, which was
# a few per cent slower after a restart; docs/performance.md).
MEMORY_LIMIT = "192MB"
# Threads per query of the read-only server: the cores, at most four. Set, not left to DuckDB's
# guess (which counts the host's cores in a container), so twenty sessions' queries do not each
# start more threads than the machine has.
THREADS = max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 4))
HEADER_BYTES = 3 * 4096  # DuckDB's file header and its two database headers
REQUIRED_RELATIONS = (
    "city",
    "department",
    "cooperation",
    "cooperation_wide",
    "effect_category",
    "partner",
    "cooperation_partner",
    "cooperation_topic",
    "cooperation_origin",
    "cooperation_check",
    "review_pending",
    "review_vocabulary",
    "filter_value",
    "precomputed_build",
)
SET_ASIDE_SUFFIX = ".defekt-"  # a damaged file is kept as ikz.duckdb.defekt-20261130-021500


class DatabaseUnavailable(Exception):
    """The database cannot be opened; the message is German and meant for users."""


@dataclass(frozen=True)
class FileIdentity:
    """What tells one version of the file from the next: a rebuild swaps in a new inode."""

    inode: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity | None:
        """Identity of the file at path, None if it does not exist."""
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        return cls(st.st_ino, st.st_mtime_ns, st.st_size)


def input_files(
    raw_dir: Path = RAW_DIR,
    taxonomy_path: Path = TAXONOMY_PATH,
    partners_path: Path = PARTNERS_PATH,
    topics_path: Path = TOPICS_PATH,
) -> list[Path]:
    """The files the database is built from; a newer one makes the database stale.

    The schema counts too: after an update that changes the tables, an older file lacks columns
    the queries expect, and is rebuilt rather than failing on the first query.
    """
    # The geodata give the partners their map points, so an updated data/geo rebuilds too.
    return [
        *(raw_dir / doc.file for doc in DOCUMENTS),
        CITIES_PATH,
        taxonomy_path,
        partners_path,
        topics_path,
        SCHEMA_PATH,
        *geo_files(),
    ]


def is_stale(db: Path, inputs: list[Path]) -> bool:
    """True when the database is missing or older than any input file that exists."""
    if not db.exists():
        return True
    built = db.stat().st_mtime_ns
    return any(p.exists() and p.stat().st_mtime_ns > built for p in inputs)


def store_moved(db: Path, store: Store | None = None) -> bool:
    """True when the store of record has changed since the database was built (editions, review decisions)."""
    try:
        return (store or Store()).version() != (built_store_version(db) or 0)
    except StoreError:
        return False  # an unreadable store cannot be built from either; the last good file stays


@dataclass(frozen=True)
class EnsureResult:
    """Outcome of ensure_database: whether it built, a German warning, and where a damaged file went."""

    built: bool
    warning: str | None = None
    set_aside: Path | None = None  # the damaged file, kept for inspection

    def notice(self) -> str | None:
        """What to tell the office about a repaired file, in German; None when nothing was repaired."""
        if self.set_aside is None:
            return None
        return (
            "Die Datenbankdatei war beschädigt und wurde aus den Quelldokumenten neu aufgebaut. "
            f"Die beschädigte Datei liegt zur Prüfung unter {self.set_aside.name}."
        )


_intact: set[tuple[Path, FileIdentity]] = set()
_intact_lock = threading.Lock()


def check_intact(db: Path, identity: FileIdentity) -> None:
    """Raise DatabaseUnavailable when the file at db is damaged or lacks a table the app reads.

    Checked once per file version: a rebuild or any damage to the file gives it a new identity.
    """
    key = (db, identity)
    with _intact_lock:
        if key in _intact:
            return
    _attach(db, identity).close()
    with _intact_lock:
        _intact.add(key)


def set_aside(db: Path, identity: FileIdentity) -> Path | None:
    """Move a damaged file out of the way (kept for inspection); None if another session did already."""
    with build_lock(db):
        if FileIdentity.of(db) != identity:
            return None  # replaced meanwhile: another session repaired it
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        target = db.with_name(f"{db.name}{SET_ASIDE_SUFFIX}{stamp}")
        os.replace(db, target)
        return target


def ensure_database(
    db: Path,
    raw_dir: Path = RAW_DIR,
    taxonomy_path: Path = TAXONOMY_PATH,
    store: Store | None = None,
    finish: Finish | None = None,
) -> EnsureResult:
    """Build the database if missing, damaged or stale; on a failed build keep the old file and warn.

    Stale means: a source, rules or schema file is newer, or the store of record has changed since
    the file was built (a review decision shows in every view after this rebuild). A damaged file
    is moved aside and rebuilt: it holds nothing that is not in data/raw, the rules and the store.
    finish runs on a newly built file before it is swapped in (ikz.builder.database.write_database).
    """
    store = store or Store()
    moved: Path | None = None
    identity = FileIdentity.of(db)
    if identity is not None:
        try:
            check_intact(db, identity)
        except DatabaseUnavailable:
            moved = set_aside(db, identity)
    try:
        store.version()
    except StoreError as exc:
        if FileIdentity.of(db) is not None:
            return EnsureResult(
                built=False,
                warning=f"{exc} Angezeigt wird der zuletzt gebaute Stand ohne neue Prüfungen.",
            )
        raise DatabaseUnavailable(f"Die Datenbank konnte nicht gebaut werden: {exc}") from exc
    if not is_stale(db, input_files(raw_dir, taxonomy_path)) and not store_moved(db, store):
        return EnsureResult(built=False)
    try:
        build(db, raw_dir=raw_dir, taxonomy_path=taxonomy_path, store=store, finish=finish)
    except (SourceError, TaxonomyError, StoreError) as exc:
        if db.exists():
            return EnsureResult(
                built=False,
                warning=(
                    "Die Quelldaten konnten nicht neu eingelesen werden "
                    f"({exc}). Angezeigt wird der zuletzt erfolgreich gebaute Stand."
                ),
                set_aside=moved,
            )
        raise DatabaseUnavailable(
            f"Die Datenbank konnte nicht gebaut werden: {exc}. "
            "Bitte die genannte Quelldatei prüfen und die Seite neu laden."
        ) from exc
    return EnsureResult(built=True, set_aside=moved)


def _damaged(path: Path) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"Die Datenbankdatei {path.name} ist beschädigt oder keine DuckDB-Datei. "
        "Beim nächsten Laden der Seite wird sie zur Seite gelegt und neu aufgebaut."
    )


def _attach(path: Path, identity: FileIdentity) -> duckdb.DuckDBPyConnection:
    """A fresh connection with the file at path attached read-only as 'ikz', checked for damage."""
    # DuckDB caches database instances by path, so duckdb.connect(path) after os.replace can
    # still return the old file. A fresh in-memory instance that ATTACHes the path really
    # opens the file now on disk.
    # The buffer pool is capped: the app's queries aggregate, and the server must stay within
    # its memory budget (1 GB in all) at a million cooperations.
    con = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT, "threads": THREADS})
    try:
        con.execute("ATTACH ? AS ikz (READ_ONLY)", [str(path)])
        con.execute("USE ikz")
        names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        block_size, total_blocks = con.execute(
            "SELECT block_size, total_blocks FROM pragma_database_size() WHERE database_name = 'ikz'"
        ).fetchall()[0]
        # A truncated file still opens (its header and catalog are intact) and fails only on a
        # later read; the file must hold the header plus every block the catalog counts.
        if identity.size < HEADER_BYTES + block_size * total_blocks:
            raise duckdb.IOException(f"file has {identity.size} bytes, fewer than its blocks need")
    except duckdb.Error as exc:
        con.close()
        raise _damaged(path) from exc
    missing = [r for r in REQUIRED_RELATIONS if r not in names]
    if missing:
        con.close()
        raise DatabaseUnavailable(
            f"Die Datenbankdatei {path.name} ist unvollständig (es fehlt: {', '.join(missing)}). "
            "Beim nächsten Laden der Seite wird sie zur Seite gelegt und neu aufgebaut."
        )
    return con


class Database:
    """Shared read-only handle on the DuckDB file; hands out one cursor per use."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: FileIdentity | None = None
        self._stored: Stored | None = None

    def _open(self, identity: FileIdentity) -> duckdb.DuckDBPyConnection:
        return _attach(self.path, identity)

    @property
    def identity(self) -> FileIdentity | None:
        """Identity of the file version currently open."""
        return self._identity

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The connection to the current file version, reopened if the file was replaced."""
        identity = FileIdentity.of(self.path)
        if identity is None:
            raise DatabaseUnavailable(
                f"Die Datenbankdatei {self.path.name} fehlt. Bitte die Seite neu laden: "
                "die App baut sie dann aus den Quelldokumenten neu auf."
            )
        with self._lock:
            if self._con is None or identity != self._identity:
                # The old connection is not closed here: cursors of other sessions may still be
                # reading from it; it is released once they are done.
                self._con = self._open(identity)
                self._identity = identity
                self._stored = Stored(self._con, self.path)
            return self._con

    def stored(self, read: str, args: tuple, kwargs: tuple) -> Any:
        """The result the build stored for this read and these arguments beside the file version
        open now (ikz.read.precomputed); precomputed.MISSING if there is none."""
        self.connection()  # the current version's
        stored = self._stored
        return MISSING if stored is None else stored.get(read, args, kwargs)

    @contextlib.contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one use (DuckDB connections are not shared across threads)."""
        cur = self.connection().cursor()
        try:
            cur.execute("USE ikz")
            yield cur
        finally:
            cur.close()
