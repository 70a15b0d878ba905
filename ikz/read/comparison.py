"""Queries of the comparison page: both cities side by side, shared topics, partners.

Filters come in as keyword `filters`, values are bound parameters, frames come out chart-ready.
The city filter is replaced here: the comparison shows two cities, and only them, however many
other cities the database holds: a city filter of exactly two cities names them (the Vergleich
page's choice), anything else means the default pair of data/cities.toml. Topics are facts of the
build (cooperation_topic); the topic views are SQL over them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import duckdb
import polars as pl

from ikz.derive.topics import TOPIC_FIELDS
from ikz.read.queries import (
    ALL,
    Dimension,
    Filters,
    partner_counts,
    partners_per_city,
    read_frame,
    records_naming,
    shares_by_city,
    where_clause,
)
from ikz.rules.cities import load_cities
from ikz.rules.sources import named_sources
from ikz.rules.words import FILTER_LABELS

# The default pair (data/cities.toml `compare`); a database may hold other cities (a third city,
# the scale benchmark's synthetic ones).
CITIES: tuple[str, str] = load_cities().compare
BOTH = "beide Städte"


def only(city: str) -> str:
    """The presence of a topic only one compared city names: 'nur Erfurt'."""
    return f"nur {city}"


def pair_of(filters: Filters) -> tuple[str, str]:
    """The two compared cities: the city filter's when it names exactly two different ones, in its
    order, else the default pair."""
    if len(filters.cities) == 2 and filters.cities[0] != filters.cities[1]:
        return filters.cities[0], filters.cities[1]
    return CITIES


def compared(filters: Filters) -> Filters:
    """The filters restricted to the two compared cities (pair_of), whatever city filter came in."""
    return replace(filters, cities=pair_of(filters))


# --- comparability -----------------------------------------------------------------------------


def city_facts(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """One row per city: document date and source, and how many of its filtered records were derived.

    Columns city, as_of, source, count_records, count_type_derived, count_type_na,
    count_effects_derived, count_effects_na, count_rows, count_bodies, count_projects, count_with_status.
    """
    where, params = where_clause(compared(filters))
    return read_frame(
        con,
        f"""
        WITH selected AS (SELECT w.* FROM cooperation_wide w WHERE {where}),
        no_info AS (
            SELECT (SELECT name FROM cooperation_type WHERE is_no_info) AS type_name,
                   (SELECT name FROM effect_category WHERE is_no_info) AS effect,
                   (SELECT name FROM status WHERE is_no_info) AS status,
                   (SELECT name FROM origin WHERE role = 'derived') AS derived
        )
        SELECT ci.name AS city, ci.as_of, ci.source,
               count(s.cooperation_id)::INTEGER AS count_records,
               count(s.cooperation_id) FILTER (WHERE s.type_source = na.derived)::INTEGER
                   AS count_type_derived,
               count(s.cooperation_id) FILTER (WHERE s.type_name = na.type_name)::INTEGER AS count_type_na,
               count(s.cooperation_id) FILTER (WHERE s.effects_source = na.derived)::INTEGER
                   AS count_effects_derived,
               count(s.cooperation_id) FILTER (WHERE list_contains(s.effect_names, na.effect))::INTEGER
                   AS count_effects_na,
               count(s.cooperation_id) FILTER (WHERE s.record_kind = 'Kooperation')::INTEGER AS count_rows,
               count(s.cooperation_id) FILTER (WHERE s.record_kind = 'Gremium')::INTEGER AS count_bodies,
               count(s.cooperation_id) FILTER (WHERE s.record_kind = 'Projekt')::INTEGER AS count_projects,
               count(s.cooperation_id) FILTER (WHERE s.status <> na.status)::INTEGER AS count_with_status
        FROM city ci CROSS JOIN no_info na LEFT JOIN selected s ON s.city = ci.name
        WHERE list_contains(?, ci.name)
        GROUP BY ci.sort_order, ci.name, ci.as_of, ci.source
        ORDER BY list_position(?, ci.name)
        """,
        [*params, list(pair_of(filters)), list(pair_of(filters))],
    )


PROFILE_DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("form", FILTER_LABELS["forms"]),
    ("binding", FILTER_LABELS["bindings"]),
    ("task_area", FILTER_LABELS["task_areas"]),
)


def city_shares(
    con: duckdb.DuckDBPyConnection, dimension: Dimension | Literal["effect"], *, filters: Filters = ALL
) -> pl.DataFrame:
    """Erfurt's and Magdeburg's mix in one dimension: ikz.read.queries.shares_by_city for the two."""
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


@dataclass(frozen=True)
class CityMix:
    """Both cities' mix in every profile dimension, from one scan: what city_shares gives each."""

    form: pl.DataFrame
    binding: pl.DataFrame
    task_area: pl.DataFrame
    effect: pl.DataFrame

    @property
    def profile(self) -> pl.DataFrame:
        """The frame of profile(): form, binding and task area with their German label."""
        return pl.concat(
            getattr(self, column).select(
                pl.lit(label).alias("dimension"), "city", "category", "count", "city_total", "share"
            )
            for column, label in PROFILE_DIMENSIONS
        )


def city_mix(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> CityMix:
    """Erfurt's and Magdeburg's shares in form, binding, task area and effects in one statement
    (GROUPING SETS over the filtered mart); each frame equals city_shares for its dimension."""
    where, params = where_clause(compared(filters))
    rows = read_frame(
        con,
        f"""
        WITH selected AS MATERIALIZED (
            SELECT w.city, w.form, w.binding, w.task_area, w.effect_names
            FROM cooperation_wide w WHERE {where}
        ),
        totals AS (SELECT city, count(*) AS city_total FROM selected GROUP BY city),
        counts AS (
            SELECT CASE WHEN GROUPING(form) = 0 THEN 'form'
                        WHEN GROUPING(binding) = 0 THEN 'binding' ELSE 'task_area' END AS dimension,
                   city, coalesce(form, binding, task_area) AS category, count(*) AS count
            FROM selected
            GROUP BY GROUPING SETS ((city, form), (city, binding), (city, task_area))
            UNION ALL
            SELECT 'effect', city, effect, count(*)
            FROM (SELECT city, unnest(effect_names) AS effect FROM selected) GROUP BY city, effect
        )
        SELECT c.dimension, c.city, c.category, c.count::INTEGER AS count,
               t.city_total::INTEGER AS city_total, c.count / t.city_total AS share,
               coalesce(f.sort_order, b.sort_order, ta.sort_order, e.sort_order) AS category_order
        FROM counts c JOIN totals t USING (city) JOIN city ci ON ci.name = c.city
        LEFT JOIN form f ON c.dimension = 'form' AND f.name = c.category
        LEFT JOIN binding b ON c.dimension = 'binding' AND b.name = c.category
        LEFT JOIN task_area ta ON c.dimension = 'task_area' AND ta.name = c.category
        LEFT JOIN effect_category e ON c.dimension = 'effect' AND e.name = c.category
        ORDER BY c.dimension, ci.sort_order, category_order, c.category
        """,
        params,
    )
    columns = ("city", "category", "count", "city_total", "share")
    frames = {
        name: rows.filter(pl.col("dimension") == name).select(columns)
        for name in ("form", "binding", "task_area", "effect")
    }
    return CityMix(**frames)


# --- topics ------------------------------------------------------------------------------------
# The build matched every record's texts to data/topics.toml (table cooperation_topic, one row per
# record, topic and field); these views only count and pair those facts for the filtered records.


def _unique(expr: str) -> str:
    """SQL: the list expr without repeats, first occurrence kept (list_distinct does not keep order)."""
    return f"list_filter({expr}, lambda x, i: list_position({expr}, x) = i)"


def _record_topics(filters: Filters) -> tuple[str, list]:
    """SQL (a CTE body) of record_topics and its parameters."""
    where, params = where_clause(compared(filters))
    fields = [label for _, label in TOPIC_FIELDS]
    sql = f"""
        WITH selected AS (
            SELECT w.cooperation_id, w.city, w.department, w.title, w.status, w.source_file,
                   w.source_lines
            FROM cooperation_wide w WHERE {where}
        ),
        per_record AS (
            SELECT ct.cooperation_id, ct.topic,
                   flatten(list(string_split(ct.stems, '; ') ORDER BY list_position(?, ct.field)))
                       AS stem_list,
                   string_agg(ct.matched, '; ' ORDER BY list_position(?, ct.field)) AS words,
                   bool_and(ct.fuzzy) AS is_fuzzy
            FROM cooperation_topic ct
            WHERE ct.cooperation_id IN (SELECT cooperation_id FROM selected)
            GROUP BY ct.cooperation_id, ct.topic
        )
        SELECT s.cooperation_id, s.city, s.department, s.title, s.status, s.source_file,
               s.source_lines, p.topic, t.task_area AS area, t.sort_order::INTEGER AS topic_order,
               ta.sort_order AS area_order, {_unique("p.stem_list")} AS stem_list,
               array_to_string({_unique("p.stem_list")}, '; ') AS stems, p.words, p.is_fuzzy
        FROM per_record p
        JOIN selected s USING (cooperation_id)
        JOIN topic t ON t.name = p.topic
        JOIN task_area ta ON ta.name = t.task_area
    """
    return sql, [*params, fields, fields]


def record_topics(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """One row per (filtered record, topic its texts name), with the matched stems and words.

    Columns cooperation_id, city, department, title, status, source_file, source_lines, topic, area,
    topic_order, stems, words ('; '-joined, words carry their field), is_fuzzy; by record and topic.
    """
    sql, params = _record_topics(filters)
    return read_frame(
        con,
        f"SELECT * EXCLUDE (stem_list, area_order) FROM ({sql}) ORDER BY cooperation_id, topic_order",
        params,
    )


def topic_overview(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """One row per topic named by the filtered records: which compared city has it and how often.

    Columns area, topic, presence ('beide Städte', 'nur <first>', 'nur <second>'), count_first,
    count_second, stems_first, stems_second, titles_first, titles_second (first and second: the
    compared pair, pair_of); ordered by area, then vocabulary order.
    """
    sql, params = _record_topics(filters)
    first, second = pair_of(filters)
    columns = []
    for side in ("first", "second"):
        # _unique repeats its expression twice: the city is bound once per filter written.
        stems = "flatten(list(stem_list ORDER BY cooperation_id) FILTER (WHERE city = ?))"
        columns.append(
            f"""count(*) FILTER (WHERE city = ?)::INTEGER AS count_{side},
                array_to_string({_unique(stems)}, ', ') AS stems_{side},
                coalesce(string_agg(title, ' | ' ORDER BY cooperation_id) FILTER (WHERE city = ?), '')
                    AS titles_{side}"""
        )
    return read_frame(
        con,
        f"""
        WITH rt AS ({sql}),
        per_topic AS (
            SELECT area, topic, area_order, topic_order, {", ".join(columns)}
            FROM rt GROUP BY area, topic, area_order, topic_order
        )
        SELECT area, topic,
               CASE WHEN count_first > 0 AND count_second > 0 THEN ?
                    WHEN count_first > 0 THEN ? ELSE ? END AS presence,
               count_first, count_second, coalesce(stems_first, '') AS stems_first,
               coalesce(stems_second, '') AS stems_second, titles_first, titles_second
        FROM per_topic ORDER BY area_order, topic_order
        """,
        [*params, *[first] * 4, *[second] * 4, BOTH, only(first), only(second)],
    )


def topic_pairs(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, topic: str | None = None
) -> pl.DataFrame:
    """One row per (shared topic, record of the first, record of the second compared city) pair
    and why it matched.

    Columns area, topic, shared_stems (stems both records matched; empty when they matched the
    topic by different stems), reason ('beide: winterdienst', else each side's stems), first_id,
    first_title, first_words, first_source, second_id, second_title, second_words, second_source.
    Only `topic` when given.
    """
    sql, params = _record_topics(filters)
    first, second = pair_of(filters)
    a, b = "first", "second"
    shared = f"array_to_string(list_filter({a}.stem_list, lambda x: list_contains({b}.stem_list, x)), ', ')"
    frame = read_frame(
        con,
        f"""
        WITH rt AS ({sql}),
        pairs AS (
            SELECT {a}.area, {a}.topic, {a}.area_order, {a}.topic_order, {shared} AS shared_stems,
                   {a}.city || ': ' || array_to_string({a}.stem_list, ', ') || ' · ' || {b}.city || ': '
                       || array_to_string({b}.stem_list, ', ') AS each_side,
                   {a}.cooperation_id AS {a}_id, {a}.title AS {a}_title, {a}.words AS {a}_words,
                   {a}.source_file || ', ' || {a}.source_lines AS {a}_source,
                   {b}.cooperation_id AS {b}_id, {b}.title AS {b}_title, {b}.words AS {b}_words,
                   {b}.source_file || ', ' || {b}.source_lines AS {b}_source
            FROM rt {a} JOIN rt {b} ON {a}.topic = {b}.topic AND {a}.city = ? AND {b}.city = ?
            WHERE ? IS NULL OR {a}.topic = ?
        )
        SELECT area, topic, shared_stems,
               CASE WHEN shared_stems <> '' THEN 'beide: ' || shared_stems ELSE each_side END AS reason,
               {a}_id, {a}_title, {a}_words, {a}_source, {b}_id, {b}_title, {b}_words, {b}_source
        FROM pairs ORDER BY area_order, topic_order, {a}_id, {b}_id
        """,
        [*params, first, second, topic, topic],
    )
    return named_sources(frame, "first_source", "second_source")


def topic_suggestions(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, source_city: str
) -> pl.DataFrame:
    """'Anregungen aus source_city': its records on topics the other city does not name.

    Columns area, topic, cooperation_id, department, title, status, words, source; ordered by area,
    vocabulary order, record.
    """
    if source_city not in pair_of(filters):
        raise ValueError(f"unknown city {source_city!r}")
    sql, params = _record_topics(filters)
    frame = read_frame(
        con,
        f"""
        WITH rt AS ({sql})
        SELECT area, topic, cooperation_id, department, title, status, words,
               source_file || ', ' || source_lines AS source
        FROM rt
        WHERE city = ? AND topic NOT IN (SELECT topic FROM rt WHERE city <> ?)
        ORDER BY area_order, topic_order, cooperation_id
        """,
        [*params, source_city, source_city],
    )
    return named_sources(frame, "source")


# --- partners ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Partners:
    """The Vergleich's partners, counted once (ikz.read.queries.partner_counts).

    table: one row per partner named in the filtered records of the compared cities: partner,
    kind, city_counts, count_total; most named first, then by name.
    by_city: columns city, partner, kind, count (filtered records naming it); per city most named
    first; with top, each city's `top` most named partners (ties broken by name).
    """

    table: pl.DataFrame
    by_city: pl.DataFrame


def partners(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, top: int | None = None) -> Partners:
    """The partner table and the per-city counts of the same filters from one count: the Vergleich
    shows both (a query of 7 ms on the real data, 20 ms at a million rows)."""
    where, params = where_clause(compared(filters))
    counts = partner_counts(con, where, params)
    by_city = partners_per_city(counts)
    if top is not None:
        by_city = by_city.filter(pl.int_range(pl.len()).over("city") < top)
    return Partners(table=counts.select("partner", "kind", "city_counts", "count_total"), by_city=by_city)


def partner_kinds(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """Columns city, category (partner kind), count, city_total, share: how many of each city's
    filtered records name at least one partner of that kind (a record may count for several kinds)."""
    where, params = where_clause(compared(filters))
    return read_frame(
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


def partner_records(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, partner: str) -> pl.DataFrame:
    """The filtered records of both cities naming a partner (queries.records_naming)."""
    where, params = where_clause(compared(filters))
    return records_naming(con, where, params, partner)
