"""Queries of the comparison page: both cities side by side, shared topics, partners.

Filters come in as keyword `filters`, values are bound parameters, frames come out chart-ready.
The city filter is replaced here: the comparison always shows Erfurt and Magdeburg, and only them,
however many other cities the database holds. Topics are matched in Python on the filtered
records of the two (a few hundred), once per distinct text.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl

from ikz import paths
from ikz.labels import FILTER_LABELS
from ikz.queries import ALL, Dimension, Filters, shares_by_city, where_clause
from ikz.sources import DOCUMENTS, ERFURT, MAGDEBURG
from ikz.topics import Vocabulary, load_topics

# The compared cities are those whose documents are loaded (ikz.sources), in their order; a
# database may hold others (the scale benchmark's synthetic cities).
CITIES = tuple(d.city for d in DOCUMENTS)
BOTH = "beide Städte"
ONLY = {ERFURT.city: "nur Erfurt", MAGDEBURG.city: "nur Magdeburg"}
DERIVED = "abgeleitet"

# The texts searched for topics, with the German label shown in the evidence.
TOPIC_TEXTS = (
    ("title", "Bezeichnung/Thema"),
    ("context", "Gremium"),
    ("sub_unit", "Teilbereich"),
    ("partners_text", "Partner"),
    ("effects_text", "Effekte"),
    ("status_text", "Arbeitsstand"),
    ("outlook_text", "Perspektive"),
)

RECORD_TOPIC_SCHEMA: dict[str, pl.DataType] = {
    "cooperation_id": pl.Int32(),
    "city": pl.String(),
    "department": pl.String(),
    "title": pl.String(),
    "status": pl.String(),
    "source_file": pl.String(),
    "source_lines": pl.String(),
    "topic": pl.String(),
    "area": pl.String(),
    "topic_order": pl.Int32(),
    "stems": pl.String(),
    "words": pl.String(),
    "is_fuzzy": pl.Boolean(),
}


def compared(filters: Filters) -> Filters:
    """The filters restricted to the two compared cities, whatever city filter came in."""
    return replace(filters, cities=CITIES)


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pl.DataFrame:
    # A relation converts straight to polars; .pl() consumes the whole result, so the cursor is free.
    return con.sql(sql, params=params).pl()


@functools.lru_cache(maxsize=4)
def _vocabulary(path: Path, mtime_ns: int) -> Vocabulary:
    # Keyed on the file's mtime: an edited vocabulary is read again, an unchanged one only once.
    return load_topics(path)


def vocabulary(path: Path | None = None) -> Vocabulary:
    """The topic vocabulary (default data/topics.toml), read again when the file changed."""
    path = path or paths.TOPICS_PATH
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        mtime = -1  # load_topics raises the error naming the file
    return _vocabulary(path, mtime)


# --- comparability -----------------------------------------------------------------------------


def city_facts(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """One row per city: document date and source, and how many of its filtered records were derived.

    Columns city, as_of, source, count_records, count_type_derived, count_type_na,
    count_effects_derived, count_effects_na, count_rows, count_bodies, count_projects, count_with_status.
    """
    where, params = where_clause(compared(filters))
    return _frame(
        con,
        f"""
        WITH selected AS (SELECT w.* FROM cooperation_wide w WHERE {where}),
        no_info AS (
            SELECT (SELECT name FROM cooperation_type WHERE is_no_info) AS type_name,
                   (SELECT name FROM effect_category WHERE is_no_info) AS effect,
                   (SELECT name FROM status WHERE is_no_info) AS status
        )
        SELECT ci.name AS city, ci.as_of, ci.source,
               count(s.cooperation_id)::INTEGER AS count_records,
               count(s.cooperation_id) FILTER (WHERE s.type_source = ?)::INTEGER AS count_type_derived,
               count(s.cooperation_id) FILTER (WHERE s.type_name = na.type_name)::INTEGER AS count_type_na,
               count(s.cooperation_id) FILTER (WHERE s.effects_source = ?)::INTEGER AS count_effects_derived,
               count(s.cooperation_id) FILTER (WHERE list_contains(s.effect_names, na.effect))::INTEGER
                   AS count_effects_na,
               count(s.cooperation_id) FILTER (WHERE s.record_kind = 'Kooperation')::INTEGER AS count_rows,
               count(s.cooperation_id) FILTER (WHERE s.record_kind = 'Gremium')::INTEGER AS count_bodies,
               count(s.cooperation_id) FILTER (WHERE s.record_kind = 'Projekt')::INTEGER AS count_projects,
               count(s.cooperation_id) FILTER (WHERE s.status <> na.status)::INTEGER AS count_with_status
        FROM city ci CROSS JOIN no_info na LEFT JOIN selected s ON s.city = ci.name
        WHERE list_contains(?, ci.name)
        GROUP BY ci.sort_order, ci.name, ci.as_of, ci.source
        ORDER BY ci.sort_order
        """,
        [*params, DERIVED, DERIVED, list(CITIES)],
    )


PROFILE_DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("form", FILTER_LABELS["forms"]),
    ("binding", FILTER_LABELS["bindings"]),
    ("task_area", FILTER_LABELS["task_areas"]),
)


def city_shares(
    con: duckdb.DuckDBPyConnection, dimension: Dimension | Literal["effect"], *, filters: Filters = ALL
) -> pl.DataFrame:
    """Erfurt's and Magdeburg's mix in one dimension: ikz.queries.shares_by_city for the two."""
    return shares_by_city(con, dimension, filters=compared(filters))


def profile(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """Both cities' mix in Kooperationsform, Verbindlichkeit and Aufgabenbereich, for one chart.

    Columns dimension (German label), city, category, count, city_total, share (sums to 1 per
    city and dimension).
    """
    frames = [
        city_shares(con, column, filters=filters).select(
            pl.lit(label).alias("dimension"), "city", "category", "count", "city_total", "share"
        )
        for column, label in PROFILE_DIMENSIONS
    ]
    return pl.concat(frames)


# --- topics ------------------------------------------------------------------------------------


def record_topics(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, vocab: Vocabulary | None = None
) -> pl.DataFrame:
    """One row per (filtered record, topic its texts name), with the matched stems and words.

    Columns: see RECORD_TOPIC_SCHEMA; stems and words are '; '-joined, words carry their field.
    """
    vocab = vocab or vocabulary()
    where, params = where_clause(compared(filters))
    columns = ", ".join(f"w.{c}" for c, _ in TOPIC_TEXTS)
    records = con.execute(
        f"""
        SELECT w.cooperation_id, w.city, w.department, w.title, w.status, w.source_file,
               w.source_lines, {columns}
        FROM cooperation_wide w WHERE {where} ORDER BY w.cooperation_id
        """,
        params,
    ).fetchall()
    order = {t.name: i for i, t in enumerate(vocab.topics)}
    rows = []
    # Many records share their texts (the same body in several units, a copied row): match each
    # distinct set of texts once. Matching runs in Python at about 0.4 ms a record.
    matched: dict[tuple, list] = {}
    for record in records:
        texts = tuple((label, record[7 + i]) for i, (_, label) in enumerate(TOPIC_TEXTS))
        if texts not in matched:
            matched[texts] = vocab.match(list(texts))
        for hit in matched[texts]:
            rows.append(
                (
                    *record[:7],
                    hit.topic,
                    hit.area,
                    order[hit.topic],
                    "; ".join(hit.stems),
                    "; ".join(hit.words),
                    hit.is_fuzzy,
                )
            )
    return pl.DataFrame(rows, schema=RECORD_TOPIC_SCHEMA, orient="row")


def topic_overview(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, vocab: Vocabulary | None = None
) -> pl.DataFrame:
    """One row per topic named by the filtered records: which city has it and how often.

    Columns area, topic, presence ('beide Städte', 'nur Erfurt', 'nur Magdeburg'), count_erfurt,
    count_magdeburg, stems_erfurt, stems_magdeburg, titles_erfurt, titles_magdeburg; ordered by
    area, then vocabulary order.
    """
    hits = record_topics(con, filters=filters, vocab=vocab)
    per_city = []
    for city in CITIES:
        suffix = city.lower()
        per_city.append(
            hits.filter(pl.col("city") == city)
            .group_by("area", "topic", "topic_order")
            .agg(
                pl.len().cast(pl.Int32).alias(f"count_{suffix}"),
                pl.col("stems")
                .str.split("; ")
                .list.explode(keep_nulls=False, empty_as_null=False)
                .unique(maintain_order=True)
                .alias("_stems"),
                pl.col("title").alias("_titles"),
            )
            .with_columns(
                pl.col("_stems").list.join(", ").alias(f"stems_{suffix}"),
                pl.col("_titles").list.join(" | ").alias(f"titles_{suffix}"),
            )
            .drop("_stems", "_titles")
        )
    erfurt, magdeburg = per_city
    keys = ["area", "topic", "topic_order"]
    frame = erfurt.join(magdeburg, on=keys, how="full", coalesce=True)
    frame = frame.with_columns(
        pl.col("count_erfurt", "count_magdeburg").fill_null(0),
        pl.col("stems_erfurt", "stems_magdeburg", "titles_erfurt", "titles_magdeburg").fill_null(""),
    ).with_columns(
        pl.when((pl.col("count_erfurt") > 0) & (pl.col("count_magdeburg") > 0))
        .then(pl.lit(BOTH))
        .when(pl.col("count_erfurt") > 0)
        .then(pl.lit(ONLY[ERFURT.city]))
        .otherwise(pl.lit(ONLY[MAGDEBURG.city]))
        .alias("presence")
    )
    return frame.sort("area", "topic_order").select(
        "area",
        "topic",
        "presence",
        "count_erfurt",
        "count_magdeburg",
        "stems_erfurt",
        "stems_magdeburg",
        "titles_erfurt",
        "titles_magdeburg",
    )


def topic_pairs(
    con: duckdb.DuckDBPyConnection,
    *,
    filters: Filters = ALL,
    topic: str | None = None,
    vocab: Vocabulary | None = None,
) -> pl.DataFrame:
    """One row per (shared topic, Erfurt record, Magdeburg record) pair and why it matched.

    Columns area, topic, shared_stems (stems both records matched; empty when they matched the
    topic by different stems), reason ('beide: winterdienst', else each side's stems), erfurt_id,
    erfurt_title, erfurt_words, erfurt_source, magdeburg_id, magdeburg_title, magdeburg_words,
    magdeburg_source. Only `topic` when given.
    """
    hits = record_topics(con, filters=filters, vocab=vocab)
    if topic is not None:
        hits = hits.filter(pl.col("topic") == topic)
    sides = []
    for city in CITIES:
        prefix = city.lower()
        sides.append(
            hits.filter(pl.col("city") == city).select(
                "area",
                "topic",
                "topic_order",
                pl.col("cooperation_id").alias(f"{prefix}_id"),
                pl.col("title").alias(f"{prefix}_title"),
                pl.col("stems").str.split("; ").alias(f"{prefix}_stems"),
                pl.col("words").alias(f"{prefix}_words"),
                (pl.col("source_file") + ", " + pl.col("source_lines")).alias(f"{prefix}_source"),
            )
        )
    pairs = sides[0].join(sides[1], on=["area", "topic", "topic_order"], how="inner")
    shared = pl.col("erfurt_stems").list.set_intersection("magdeburg_stems").list.join(", ")
    each_side = (
        pl.lit("Erfurt: ")
        + pl.col("erfurt_stems").list.join(", ")
        + pl.lit(" · Magdeburg: ")
        + pl.col("magdeburg_stems").list.join(", ")
    )
    return (
        pairs.with_columns(shared.alias("shared_stems"))
        .with_columns(
            pl.when(pl.col("shared_stems") != "")
            .then(pl.lit("beide: ") + pl.col("shared_stems"))
            .otherwise(each_side)
            .alias("reason")
        )
        .sort("area", "topic_order", "erfurt_id", "magdeburg_id")
        .select(
            "area",
            "topic",
            "shared_stems",
            "reason",
            "erfurt_id",
            "erfurt_title",
            "erfurt_words",
            "erfurt_source",
            "magdeburg_id",
            "magdeburg_title",
            "magdeburg_words",
            "magdeburg_source",
        )
    )


def topic_suggestions(
    con: duckdb.DuckDBPyConnection,
    *,
    filters: Filters = ALL,
    source_city: str,
    vocab: Vocabulary | None = None,
) -> pl.DataFrame:
    """'Anregungen aus source_city': its records on topics the other city does not name.

    Columns area, topic, cooperation_id, department, title, status, words, source; ordered by area,
    vocabulary order, record.
    """
    if source_city not in CITIES:
        raise ValueError(f"unknown city {source_city!r}")
    hits = record_topics(con, filters=filters, vocab=vocab)
    other_topics = hits.filter(pl.col("city") != source_city).select("topic").unique()
    return (
        hits.filter(pl.col("city") == source_city)
        .join(other_topics, on="topic", how="anti")
        .sort("area", "topic_order", "cooperation_id")
        .select(
            "area",
            "topic",
            "cooperation_id",
            "department",
            "title",
            "status",
            "words",
            (pl.col("source_file") + ", " + pl.col("source_lines")).alias("source"),
        )
    )


# --- partners ----------------------------------------------------------------------------------


def partners_by_city(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, top: int | None = None
) -> pl.DataFrame:
    """Columns city, partner, kind, count (filtered records naming it); per city most named first.

    With top, each city keeps its `top` most named partners (ties broken by name).
    """
    where, params = where_clause(compared(filters))
    frame = _frame(
        con,
        f"""
        SELECT w.city, p.name AS partner, p.kind, count(*)::INTEGER AS count
        FROM cooperation_wide w
        JOIN cooperation_partner cp USING (cooperation_id)
        JOIN partner p USING (partner_id)
        WHERE {where}
        GROUP BY ALL
        ORDER BY w.city, count DESC, partner
        """,
        params,
    )
    if top is not None:
        frame = frame.filter(pl.int_range(pl.len()).over("city") < top)
    return frame


def partner_kinds(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """Columns city, category (partner kind), count, city_total, share: how many of each city's
    filtered records name at least one partner of that kind (a record may count for several kinds)."""
    where, params = where_clause(compared(filters))
    return _frame(
        con,
        f"""
        WITH selected AS (SELECT w.cooperation_id, w.city FROM cooperation_wide w WHERE {where}),
        totals AS (SELECT city, count(*) AS city_total FROM selected GROUP BY city),
        named AS (
            SELECT DISTINCT s.city, s.cooperation_id, p.kind
            FROM selected s
            JOIN cooperation_partner cp USING (cooperation_id)
            JOIN partner p USING (partner_id)
        )
        SELECT n.city, n.kind AS category, count(*)::INTEGER AS count,
               t.city_total::INTEGER AS city_total, count(*) / t.city_total AS share
        FROM named n JOIN totals t USING (city)
        JOIN city ci ON ci.name = n.city JOIN partner_kind pk ON pk.name = n.kind
        GROUP BY n.city, ci.sort_order, n.kind, pk.sort_order, t.city_total
        ORDER BY ci.sort_order, pk.sort_order
        """,
        params,
    )


def partner_table(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """One row per partner named in the filtered records: partner, kind, count_erfurt,
    count_magdeburg, count_total; most named first, then by name."""
    where, params = where_clause(compared(filters))
    return _frame(
        con,
        f"""
        SELECT p.name AS partner, p.kind,
               count(*) FILTER (WHERE w.city = ?)::INTEGER AS count_erfurt,
               count(*) FILTER (WHERE w.city = ?)::INTEGER AS count_magdeburg,
               count(*)::INTEGER AS count_total
        FROM cooperation_wide w
        JOIN cooperation_partner cp USING (cooperation_id)
        JOIN partner p USING (partner_id)
        WHERE {where}
        GROUP BY p.name, p.kind
        ORDER BY count_total DESC, partner
        """,
        [ERFURT.city, MAGDEBURG.city, *params],
    )


def partner_records(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, partner: str) -> pl.DataFrame:
    """The filtered records naming a partner: cooperation_id, city, department, title, evidence,
    source_file, source_lines; in source order."""
    where, params = where_clause(compared(filters))
    return _frame(
        con,
        f"""
        SELECT w.cooperation_id, w.city, w.department, w.title, cp.evidence,
               w.source_file, w.source_lines
        FROM cooperation_wide w
        JOIN cooperation_partner cp USING (cooperation_id)
        JOIN partner p USING (partner_id)
        WHERE p.name = ? AND {where}
        ORDER BY w.cooperation_id
        """,
        [partner, *params],
    )
