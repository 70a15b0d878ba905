"""Read results stored when the database is built, for the states opened most (issue 21).

At a million cooperations the Überblick's reads of one filter state take about 180 ms on two cores,
so a server that had just started, before its warm-up reached that state, needed about 280 ms for
a person's first choice. The build can do that work once: `store` writes each read's result for
its arguments, and `Stored.get` finds it again, so the read does not run its query. Which reads and
states are stored is decided by the app layer (`ikz.ui.warm.precompute`, the warm-up's states).

The results live in an SQLite file beside the database, `ikz.duckdb.reads-<build id>`, whose id
the DuckDB file names in its table `precomputed_build`. DuckDB reads a column a vector (2,048 rows)
at a time, so fetching one of 400 pickled results from a DuckDB table read all of them: 14 ms each
(measured), as long as a query. SQLite fetches one row by its key in well under a millisecond. The
file is complete before the database that names it is swapped in, so a reader never sees half of
it; the files of older builds are removed by the next one.

A stored value is the pickled result, as `st.cache_data` keeps every cached value; the files are
written by this app's own build only. A value counts only for the code that made it:
`code_version` covers every module and the schema of the `ikz` package and the versions of Python,
DuckDB and polars, so after an update the values are ignored (computed as before) until a build.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import platform
import sqlite3
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import duckdb
import polars as pl

BUILD_TABLE: Final = "precomputed_build"  # in the DuckDB file: the id of its reads file
# From this many cooperations a build stores the states' reads: at a million a state's Überblick
# reads took about 280 ms after a restart, over the 250 ms goal. Below it, every state's reads
# together take about 140 ms (213 cooperations: 3.4 s for 24 states, measured), the warm-up has them
# in seconds, and storing them would add those seconds to each rebuild, which the office waits for
# after every review decision and publish.
FROM_ROWS: Final = 20_000
SUFFIX: Final = ".reads-"
MISSING: Final = object()  # no stored value: compute it


@functools.cache
def code_version() -> str:
    """A digest of the code that computes reads: the ikz package's sources and the libraries' versions."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.sql")]):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    for version in (platform.python_version(), duckdb.__version__, pl.__version__):
        digest.update(version.encode())
    return digest.hexdigest()[:20]


def arguments_key(args: tuple, kwargs: tuple) -> str:
    """The stored key of a read's arguments (kwargs as sorted (name, value) pairs): their repr,
    exact for the plain values and dataclasses of plain values the reads take (ikz.ui.data.cache_key)."""
    return repr((args, kwargs))


def worth_storing(con: duckdb.DuckDBPyConnection, from_rows: int = FROM_ROWS) -> bool:
    """True when the database being built into con is large enough to store its reads (FROM_ROWS)."""
    [(rows,)] = con.execute("SELECT count(*) FROM cooperation").fetchall()
    return rows >= from_rows


def reads_path(target: Path, build_id: str) -> Path:
    """The reads file of the database at target built as build_id."""
    return target.with_name(f"{target.name}{SUFFIX}{build_id}")


def store(con: duckdb.DuckDBPyConnection, target: Path, results: Iterable[tuple[str, str, Any]]) -> int:
    """Write (read name, arguments key, result) into a new reads file for the database being built
    into con (to be swapped in at target) and name it in the file; the number of results."""
    build_id = uuid.uuid4().hex
    path = reads_path(target, build_id)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    version = code_version()
    try:
        with contextlib.closing(sqlite3.connect(tmp)) as db:
            db.execute(
                "CREATE TABLE stored_read (read TEXT NOT NULL, arguments TEXT NOT NULL, "
                "code_version TEXT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (read, arguments))"
            )
            rows = [
                (read, arguments, version, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
                for read, arguments, value in results
            ]
            db.executemany("INSERT OR REPLACE INTO stored_read VALUES (?, ?, ?, ?)", rows)
            db.commit()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    con.execute(f"INSERT INTO {BUILD_TABLE} VALUES (?)", [build_id])
    remove_old(target, keep=path)
    return len(rows)


def remove_old(target: Path, keep: Path) -> None:
    """Remove the reads files of older builds but the newest one (the database people read until
    the new one is swapped in); a reader that still has one open keeps reading it (POSIX)."""
    others = sorted(
        (p for p in target.parent.glob(f"{target.name}{SUFFIX}*") if p != keep and ".tmp-" not in p.name),
        key=lambda p: p.stat().st_mtime_ns,
    )
    for old in others[:-1]:
        old.unlink(missing_ok=True)


class Stored:
    """The stored results of one open database file: which there are, and each on request."""

    def __init__(self, con: duckdb.DuckDBPyConnection, target: Path) -> None:
        ids = con.execute(f"SELECT build_id FROM {BUILD_TABLE}").fetchall()
        self._path: Path | None = reads_path(target, ids[0][0]) if ids else None
        self._keys: frozenset[tuple[str, str]] = frozenset()
        if self._path is None:
            return
        try:
            with contextlib.closing(self._connect()) as db:
                sql = "SELECT read, arguments FROM stored_read WHERE code_version = ?"
                self._keys = frozenset(db.execute(sql, [code_version()]).fetchall())
        except sqlite3.Error:  # removed (a newer build) or damaged: the reads compute as before
            self._keys = frozenset()

    def _connect(self) -> sqlite3.Connection:
        assert self._path is not None
        # Read-only; immutable: the file never changes once written, so SQLite takes no locks.
        return sqlite3.connect(f"{self._path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, read: str, args: tuple, kwargs: tuple) -> Any:
        """The stored result of read for these arguments; MISSING if there is none."""
        arguments = arguments_key(args, kwargs)
        if (read, arguments) not in self._keys:
            return MISSING
        try:
            with contextlib.closing(self._connect()) as db:
                rows = db.execute(
                    "SELECT payload FROM stored_read WHERE read = ? AND arguments = ?", [read, arguments]
                ).fetchall()
            return pickle.loads(rows[0][0]) if rows else MISSING
        except Exception:  # removed, damaged or made by other libraries: computed instead
            return MISSING
