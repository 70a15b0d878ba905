"""Build the DuckDB file from data/raw: parse, classify, write a new file, then swap it in."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ikz import review
from ikz.classify import Taxonomy, load_taxonomy
from ikz.errors import SourceError
from ikz.normalise import TABLE_ORDER, Tables, normalise
from ikz.parse.erfurt import parse_erfurt
from ikz.parse.magdeburg import parse_magdeburg
from ikz.partners import Gazetteer, load_gazetteer
from ikz.paths import ERFURT_FILE, MAGDEBURG_FILE, PARTNERS_PATH, RAW_DIR, SCHEMA_PATH, TAXONOMY_PATH, db_path
from ikz.store import Store

MARTS_MARKER = "-- @marts"  # in schema.sql: what follows is derived from the loaded tables


@dataclass(frozen=True)
class BuildSummary:
    """What a build wrote: per city the records and departments, and how many fell to 'ohne Angabe'."""

    path: Path
    rows: list[tuple[str, int, int, int, int]]  # city, records, departments, type n/a, effects n/a

    def text(self) -> str:
        """The summary as a small German table for the terminal."""
        lines = [f"Datenbank geschrieben: {self.path}"]
        lines.append(
            f"{'Stadt':<10} {'Kooperationen':>13} {'Fachbereiche':>12} {'Art o. A.':>9} {'Effekte o. A.':>13}"
        )
        for city, records, departments, type_na, effects_na in self.rows:
            lines.append(f"{city:<10} {records:>13} {departments:>12} {type_na:>9} {effects_na:>13}")
        return "\n".join(lines)


def read_source(path: Path) -> str:
    """Text of a source file; a missing or non-UTF-8 file is a SourceError naming it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(str(path), None, "Datei fehlt") from None
    except OSError as exc:
        raise SourceError(str(path), None, f"nicht lesbar ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(str(path), line, "kein gültiges UTF-8") from None


def review_vocabulary(taxonomy: Taxonomy, gazetteer: Gazetteer) -> review.Vocabulary:
    """What a reviewer may choose per field: the rules files' names, in their display order."""
    return review.Vocabulary(
        types=tuple(t.name for t in taxonomy.types()),
        bindings=tuple(taxonomy.bindings()),
        effects=tuple(name for name, _ in taxonomy.effect_categories()),
        statuses=tuple(taxonomy.statuses()),
        partners=tuple(p.name for p in gazetteer.partners()),
    )


def load_tables(
    raw_dir: Path = RAW_DIR,
    taxonomy_path: Path = TAXONOMY_PATH,
    partners_path: Path = PARTNERS_PATH,
    store: Store | None = None,
) -> Tables:
    """Parse both documents, classify them, find their partners and apply the checked values."""
    taxonomy = load_taxonomy(taxonomy_path)
    gazetteer = load_gazetteer(partners_path)
    erfurt_path = raw_dir / ERFURT_FILE
    magdeburg_path = raw_dir / MAGDEBURG_FILE
    erfurt = parse_erfurt(read_source(erfurt_path), source=str(erfurt_path))
    magdeburg = parse_magdeburg(read_source(magdeburg_path), source=str(magdeburg_path))
    tables = normalise(erfurt, magdeburg, taxonomy, gazetteer)
    store = store or Store()
    # The version is read before the decisions: a decision stored in between makes this file
    # look older than the store, so the next page load builds again rather than missing it.
    store_version = store.version()
    frames = review.apply_decisions(
        tables.frames, store.latest_decisions().values(), review_vocabulary(taxonomy, gazetteer)
    )
    frames["build_info"] = pl.DataFrame(
        {"store_version": [store_version]}, schema={"store_version": pl.Int64()}
    )
    return Tables(frames)


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Serialise builds of one target across processes (two app sessions may start at once)."""
    lock_path = target.with_name(target.name + ".lock")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_database(tables: Tables, target: Path) -> None:
    """Write the tables into a new DuckDB file next to target and atomically swap it in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        try:
            tables_sql, marts_sql = SCHEMA_PATH.read_text(encoding="utf-8").split(MARTS_MARKER)
            con.execute(tables_sql)
            # Tables written without the store (tests, tools) get empty review tables and version 0.
            for name in (*TABLE_ORDER, *review.TABLES, "build_info"):
                if name in tables.frames:
                    frame = tables[name]  # noqa: F841 - read by DuckDB's replacement scan below
                    con.execute(f"INSERT INTO {name} SELECT * FROM frame")
            if "build_info" not in tables.frames:
                con.execute("INSERT INTO build_info VALUES (0)")
            con.execute(marts_sql)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        # os.replace is atomic on POSIX: readers see the old file or the new one, never half of one.
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)


def summarise(target: Path) -> BuildSummary:
    """Count what the built file holds, per city."""
    con = duckdb.connect(str(target), read_only=True)
    try:
        rows = con.execute(
            """
            SELECT city,
                   count(*) AS records,
                   count(DISTINCT department) AS departments,
                   count(*) FILTER (WHERE type_name = 'ohne Angabe') AS type_na,
                   count(*) FILTER (WHERE cooperation_id IN (
                       SELECT cooperation_id FROM cooperation_effect
                       JOIN effect_category USING (effect_id) WHERE name = 'ohne Angabe'
                   )) AS effects_na
            FROM cooperation_wide GROUP BY city ORDER BY city
            """
        ).fetchall()
    finally:
        con.close()
    return BuildSummary(path=target, rows=[tuple(r) for r in rows])


def build(
    target: Path | None = None,
    raw_dir: Path = RAW_DIR,
    taxonomy_path: Path = TAXONOMY_PATH,
    partners_path: Path = PARTNERS_PATH,
    store: Store | None = None,
) -> BuildSummary:
    """Parse, classify, apply checked values and write the database; a failure leaves any old file."""
    target = (target or db_path()).resolve()
    # Parse before taking the lock or touching the target: bad input must fail early and harmlessly.
    tables = load_tables(raw_dir, taxonomy_path, partners_path, store)
    with build_lock(target):
        write_database(tables, target)
    return summarise(target)
