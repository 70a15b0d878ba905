"""Build the DuckDB file from data/raw: parse, classify, write a new file, then swap it in."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ikz.builder import editions, review
from ikz.core.paths import PARTNERS_PATH, RAW_DIR, SCHEMA_PATH, TAXONOMY_PATH, TOPICS_PATH, db_path
from ikz.core.table_schema import split_schema
from ikz.derive.classify import Taxonomy, load_taxonomy
from ikz.derive.matching import MATCH_TABLES, with_matches
from ikz.derive.normalise import (
    TABLE_ORDER,
    EditionFacts,
    Tables,
    rows_of,
    tables_from_rows,
    topic_frames,
    type_of,
)
from ikz.derive.partners import Gazetteer, load_gazetteer
from ikz.derive.topics import load_topics
from ikz.rules.sources import DOCUMENTS, SourceDocument
from ikz.store.sqlite import Store


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
    topics_path: Path = TOPICS_PATH,
    store: Store | None = None,
) -> Tables:
    """Parse each city's current edition (the seed document until one is published), classify the
    records with the taxonomy file, find their partners and topics, add the editions' facts, and match
    every record with its closest records of the other city; then apply the checked values from the store."""
    taxonomy = load_taxonomy(taxonomy_path)
    gazetteer = load_gazetteer(partners_path)
    topics = load_topics(topics_path, task_areas=taxonomy.task_areas())
    store = store or Store()
    rows, current, edition_rows, changes, form_counts = [], {}, [], [], []
    for doc in DOCUMENTS:
        all_editions = editions.editions(doc.city, store, raw_dir)
        for info in all_editions:
            if info.is_current:
                city_rows = _rows_of(info, doc, store, raw_dir)
                rows += city_rows
                current[doc.city] = {
                    "edition_id": info.edition_id,
                    "as_of": info.as_of,
                    "file_name": info.file_name,
                }
            else:
                city_rows = _rows_of(info, doc, store, raw_dir)
            edition_rows.append(
                {
                    "city": doc.city,
                    "edition_id": info.edition_id,
                    "as_of": info.as_of,
                    "file_name": info.file_name,
                    "sha256": info.sha256,
                    "imported_at": info.imported_at,
                    "imported_by": info.imported_by,
                    "is_current": info.is_current,
                    "row_count": len(city_rows),
                    "note": info.note,
                }
            )
            forms = Counter(type_of(r, taxonomy).form for r in city_rows)
            form_counts += [
                {"city": doc.city, "edition_id": info.edition_id, "form": f, "cooperations": n}
                for f, n in sorted(forms.items())
            ]
        since = editions.changes_since_previous(doc.city, store, raw_dir)
        if since is not None:
            previous, now_current, diff = since
            changes += [
                {
                    "city": doc.city,
                    "from_edition_id": previous.edition_id,
                    "to_edition_id": now_current.edition_id,
                    "cooperation_key": c.key,
                    "change": c.change,
                    "title": c.title,
                    "department": c.department,
                    "changed_fields": "; ".join(f.text() for f in c.fields) or None,
                }
                for c in diff.changes
                if c.change != "unverändert"
            ]
    facts = EditionFacts(current=current, editions=edition_rows, changes=changes, form_counts=form_counts)
    tables = tables_from_rows(rows, taxonomy, gazetteer, facts)
    tables = Tables({**tables.frames, **topic_frames(tables["cooperation"], topics)})
    tables = with_matches(tables)
    # The office's checked values go in last, over the derived ones (matching runs on what the
    # documents say; the checked values are what every view shows).
    frames = review.apply_decisions(
        tables.frames, store.latest_decisions().values(), review_vocabulary(taxonomy, gazetteer)
    )
    return Tables(frames)


def _rows_of(info: editions.EditionInfo, doc: SourceDocument, store: Store, raw_dir: Path) -> list:
    """The rows of one edition: the seed through its own parser, an imported file through the template's."""
    if editions.is_seed(info.file_name):
        return rows_of(editions.seed_parsed(doc.city, raw_dir), doc, edition_id=info.edition_id)
    records = editions.load_records(info, store, raw_dir)
    return rows_of(records, doc, edition_id=info.edition_id, file_name=info.file_name)


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


Finish = Callable[[duckdb.DuckDBPyConnection, Path], object]  # (the new file, its final path)


def write_database(tables: Tables, target: Path, finish: Finish | None = None) -> None:
    """Write the tables into a new DuckDB file next to target and atomically swap it in.

    finish(con, target) runs on the new file after its tables and marts, before the swap: what the
    app stores for its reads (ikz.read.precomputed) is there from the file's first moment."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        try:
            tables_sql, marts_sql = split_schema(SCHEMA_PATH)
            con.execute(tables_sql)
            # Tables made without the matcher (synthetic benchmark data) leave its tables empty;
            # tables made without the store (tests, tools) leave the review tables empty.
            present = (t for t in (*MATCH_TABLES, *review.TABLES) if t in tables.frames)
            for name in (*TABLE_ORDER, *present):
                frame = tables[name]  # noqa: F841 - read by DuckDB's replacement scan below
                con.execute(f"INSERT INTO {name} SELECT * FROM frame")
            con.execute(marts_sql)
            if finish is not None:
                finish(con, target)
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
                   count(*) FILTER (WHERE type_name IN (SELECT name FROM cooperation_type WHERE is_no_info))
                       AS type_na,
                   count(*) FILTER (WHERE cooperation_id IN (
                       SELECT cooperation_id FROM cooperation_effect
                       JOIN effect_category USING (effect_id) WHERE is_no_info
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
    topics_path: Path = TOPICS_PATH,
    store: Store | None = None,
    finish: Finish | None = None,
) -> BuildSummary:
    """Parse, classify, apply checked values and write the database (finish: see write_database);
    a failure leaves any old file."""
    target = (target or db_path()).resolve()
    store = store or Store()
    # Read before the tables: a publish during the build leaves a newer version, so a rebuild follows.
    store_version = store.version()
    # Parse before taking the lock or touching the target: bad input must fail early and harmlessly.
    tables = load_tables(raw_dir, taxonomy_path, partners_path, topics_path, store)
    with build_lock(target):
        write_database(tables, target, finish)
        write_store_version(target, store_version)
    return summarise(target)


def store_version_path(target: Path) -> Path:
    """The file next to the database that says which store version it was built from."""
    return target.with_name(target.name + ".store-version")


def write_store_version(target: Path, version: int) -> None:
    """Record the store version a database was built from (after the swap: a crash between costs
    one needless rebuild, never a missed one)."""
    path = store_version_path(target)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(str(version), encoding="utf-8")
    os.replace(tmp, path)


def built_store_version(target: Path) -> int | None:
    """The store version the database at target was built from; None if unknown."""
    try:
        return int(store_version_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
