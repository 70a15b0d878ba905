"""Parameterised queries: filters in as keyword arguments, chart-ready polars frames out."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Literal

import duckdb
import polars as pl

from ikz.theme import BINDING_COMMITTED, BINDINGS, FORMS, NA, STATUSES

MAX_SEARCH_LENGTH = 200
MAX_SEARCH_TERMS = 12
OTHER_DEPARTMENTS = "Übrige Fachbereiche"

Dimension = Literal["type_name", "form", "binding", "task_area", "status", "city", "record_kind"]
# Column names that may be grouped by; user text never reaches SQL, only these literals.
DIMENSIONS: tuple[str, ...] = (
    "type_name",
    "form",
    "binding",
    "task_area",
    "status",
    "city",
    "record_kind",
)


@dataclass(frozen=True)
class Filters:
    """The sidebar's filters; an empty tuple means 'no restriction'. Hashable for caching."""

    cities: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    bindings: tuple[str, ...] = ()
    task_areas: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    search: str = ""

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return self == Filters()

    def only(self, *names: str) -> Filters:
        """A copy keeping just the named filters (e.g. for a page where others make no sense)."""
        return Filters(**{f.name: getattr(self, f.name) for f in fields(self) if f.name in names})

    def without(self, *names: str) -> Filters:
        """A copy with the named filters cleared."""
        return replace(self, **{n: Filters().__getattribute__(n) for n in names})


ALL = Filters()

_TERM = re.compile(r'"([^"]+)"|(\S+)')


def search_terms(text: str) -> list[str]:
    """Lower-cased search terms: words, or phrases in double quotes; everything else is literal."""
    text = text[:MAX_SEARCH_LENGTH]
    terms = [(phrase or word).strip().lower() for phrase, word in _TERM.findall(text)]
    return [t for t in terms if t][:MAX_SEARCH_TERMS]


def where_clause(filters: Filters, alias: str = "w") -> tuple[str, list]:
    """SQL condition on cooperation_wide and its bound parameters; never interpolates values."""
    conditions: list[str] = []
    params: list = []
    for column, values in (
        ("city", filters.cities),
        ("type_name", filters.types),
        ("form", filters.forms),
        ("binding", filters.bindings),
        ("task_area", filters.task_areas),
        ("department", filters.departments),
        ("status", filters.statuses),
    ):
        if values:
            conditions.append(f"list_contains(?, {alias}.{column})")
            params.append(list(values))
    if filters.effects:
        conditions.append(f"list_has_any({alias}.effect_names, ?)")
        params.append(list(filters.effects))
    for term in search_terms(filters.search):
        # contains() is a plain substring test: %, _ and quotes in the term have no meaning.
        conditions.append(f"contains({alias}.search_text, ?)")
        params.append(term)
    return (" AND ".join(conditions) or "TRUE"), params


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> tuple | None:
    # Fetch everything: DuckDB refuses the next statement while a result is still unfinished.
    rows = con.execute(sql, params).fetchall()
    return rows[0] if rows else None


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pl.DataFrame:
    # A relation converts straight to polars via Arrow, without the DB-API result's extra copy.
    return con.sql(sql, params=params).pl()


def _head_departments(frame: pl.DataFrame, top: int | None) -> pl.DataFrame:
    """Rows of the first `top` departments in the frame's order (all rows when top is None)."""
    if top is None:
        return frame
    keep = frame.select("city", "department").unique(maintain_order=True).head(top)
    return frame.join(keep, on=["city", "department"], how="semi", maintain_order="left")


def count_records(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> int:
    """Number of cooperations the filters leave."""
    where, params = where_clause(filters)
    return _one(con, f"SELECT count(*) FROM cooperation_wide w WHERE {where}", params)[0]


@dataclass(frozen=True)
class KeyFigures:
    """The page's headline numbers for one filter state."""

    cooperations: int
    departments: int
    committed_share: float | None  # share öffentlich-rechtlich + vertraglich; None without records
    top_effect: str | None  # most frequent effect category other than 'ohne Angabe'
    top_effect_count: int


def key_figures(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> KeyFigures:
    """Cooperations, departments, share of binding cooperations and the top effect category."""
    where, params = where_clause(filters)
    count, departments, committed = _one(
        con,
        f"""
        SELECT count(*),
               count(DISTINCT w.department_id),
               avg(CASE WHEN list_contains(?, w.binding) THEN 1.0 ELSE 0.0 END)
        FROM cooperation_wide w WHERE {where}
        """,
        [list(BINDING_COMMITTED), *params],
    )
    top = _one(
        con,
        f"""
        SELECT ec.name, count(*) AS n
        FROM (SELECT unnest(w.effect_names) AS name FROM cooperation_wide w WHERE {where}) e
        JOIN effect_category ec USING (name)
        WHERE ec.name <> ?
        GROUP BY ec.name, ec.sort_order ORDER BY n DESC, ec.sort_order LIMIT 1
        """,
        [*params, NA],
    )
    return KeyFigures(
        cooperations=count,
        departments=departments,
        committed_share=committed,
        top_effect=top[0] if top else None,
        top_effect_count=top[1] if top else 0,
    )


def count_by(con: duckdb.DuckDBPyConnection, dimension: Dimension, *, filters: Filters = ALL) -> pl.DataFrame:
    """Columns category, count, share (of the filtered records), largest first."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    where, params = where_clause(filters)
    return _frame(
        con,
        f"""
        SELECT w.{dimension} AS category, count(*)::INTEGER AS count,
               count(*) / sum(count(*)) OVER () AS share
        FROM cooperation_wide w WHERE {where}
        GROUP BY ALL ORDER BY count DESC, category
        """,
        params,
    )


def cooperations_by_type(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """Columns type_name, form, count, share: one row per canonical Kooperationsart, largest first."""
    where, params = where_clause(filters)
    return _frame(
        con,
        f"""
        SELECT w.type_name, w.form, count(*)::INTEGER AS count,
               count(*) / sum(count(*)) OVER () AS share
        FROM cooperation_wide w WHERE {where}
        GROUP BY ALL ORDER BY count DESC, type_name
        """,
        params,
    )


def cooperations_by_department(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, top: int | None = None
) -> pl.DataFrame:
    """Columns city, department, form, count, department_total; departments by total, largest first."""
    where, params = where_clause(filters)
    frame = _frame(
        con,
        f"""
        WITH counts AS (
            SELECT w.city, w.department, w.form, count(*)::INTEGER AS count
            FROM cooperation_wide w WHERE {where} GROUP BY ALL
        )
        SELECT *, sum(count) OVER (PARTITION BY city, department)::INTEGER AS department_total
        FROM counts
        ORDER BY department_total DESC, city, department, count DESC, form
        """,
        params,
    )
    return _head_departments(frame, top)


def cooperations_by_effect(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """Columns effect, count, share (of filtered records; a record may count in several rows)."""
    where, params = where_clause(filters)
    return _frame(
        con,
        f"""
        WITH selected AS MATERIALIZED (SELECT w.effect_names FROM cooperation_wide w WHERE {where}),
        links AS (SELECT unnest(effect_names) AS name FROM selected)
        SELECT ec.name AS effect, count(*)::INTEGER AS count,
               count(*) / (SELECT nullif(count(*), 0) FROM selected) AS share
        FROM links JOIN effect_category ec USING (name)
        GROUP BY ec.name, ec.sort_order ORDER BY count DESC, ec.sort_order
        """,
        params,
    )


def department_effect_matrix(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, top: int | None = None
) -> pl.DataFrame:
    """Columns city, department, effect, count: one row per department and effect that occurs."""
    where, params = where_clause(filters)
    frame = _frame(
        con,
        f"""
        WITH selected AS MATERIALIZED (
            SELECT w.city, w.department, w.effect_names FROM cooperation_wide w WHERE {where}
        ),
        totals AS (SELECT city, department, count(*) AS department_total FROM selected GROUP BY ALL),
        counts AS (
            SELECT city, department, name, count(*) AS n
            FROM (SELECT city, department, unnest(effect_names) AS name FROM selected)
            GROUP BY ALL
        )
        SELECT c.city, c.department, ec.name AS effect, c.n::INTEGER AS count
        FROM counts c
        JOIN effect_category ec USING (name)
        JOIN totals t USING (city, department)
        ORDER BY t.department_total DESC, c.city, c.department, ec.sort_order
        """,
        params,
    )
    return _head_departments(frame, top)


def task_area_tree(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, top: int | None = None
) -> pl.DataFrame:
    """Columns city, task_area, department, form, count: leaves of Aufgabenbereich → Fachbereich → Form.

    With top, only the largest departments keep their own tile; the others of a task area are
    pooled as OTHER_DEPARTMENTS, so the chart stays light at any data size.
    """
    where, params = where_clause(filters)
    frame = _frame(
        con,
        f"""
        SELECT w.city, w.task_area, w.department, w.form, count(*)::INTEGER AS count
        FROM cooperation_wide w WHERE {where}
        GROUP BY ALL ORDER BY task_area, city, department, form
        """,
        params,
    )
    if top is None:
        return frame
    totals = (
        frame.group_by("city", "department")
        .agg(pl.col("count").sum())
        .sort(["count", "city", "department"], descending=[True, False, False])
    )
    keep = totals.head(top).select("city", "department").with_columns(pl.lit(True).alias("keep"))
    marked = frame.join(keep, on=["city", "department"], how="left").with_columns(
        pl.col("keep").fill_null(False)
    )
    pooled = (
        marked.filter(~pl.col("keep"))
        .group_by("task_area", "form")
        .agg(pl.col("count").sum())
        .with_columns(pl.lit("").alias("city"), pl.lit(OTHER_DEPARTMENTS).alias("department"))
    )
    return (
        pl.concat([marked.filter(pl.col("keep")).drop("keep"), pooled.select(frame.columns)])
        .with_columns(pl.col("count").cast(pl.Int32))
        .sort("task_area", "city", "department", "form")
    )


def shares_by_city(
    con: duckdb.DuckDBPyConnection,
    dimension: Dimension | Literal["effect"],
    *,
    filters: Filters = ALL,
) -> pl.DataFrame:
    """Columns city, category, count, city_total, share: each city's mix (shares sum to 1 per city,
    except for effects, where a record may count in several categories)."""
    where, params = where_clause(filters)
    if dimension == "effect":
        sql = f"""
            WITH selected AS MATERIALIZED (
                     SELECT w.city, w.effect_names FROM cooperation_wide w WHERE {where}),
                 totals AS (SELECT city, count(*) AS city_total FROM selected GROUP BY city),
                 links AS (SELECT city, unnest(effect_names) AS name FROM selected)
            SELECT l.city, ec.name AS category, count(*)::INTEGER AS count,
                   t.city_total::INTEGER AS city_total, count(*) / t.city_total AS share
            FROM links l JOIN effect_category ec USING (name) JOIN totals t USING (city)
            GROUP BY l.city, ec.name, ec.sort_order, t.city_total
            ORDER BY l.city, ec.sort_order
        """
    elif dimension in DIMENSIONS:
        sql = f"""
            SELECT w.city, w.{dimension} AS category, count(*)::INTEGER AS count,
                   (sum(count(*)) OVER (PARTITION BY w.city))::INTEGER AS city_total,
                   count(*) / sum(count(*)) OVER (PARTITION BY w.city) AS share
            FROM cooperation_wide w WHERE {where}
            GROUP BY w.city, w.{dimension} ORDER BY city, category
        """
    else:
        raise ValueError(f"unknown dimension {dimension!r}")
    return _frame(con, sql, params)


RECORD_COLUMNS = (
    "cooperation_id",
    "city",
    "division",
    "department",
    "task_area",
    "record_kind",
    "title",
    "context",
    "sub_unit",
    "partners_text",
    "type_raw",
    "type_name",
    "type_origin",
    "form",
    "binding",
    "binding_origin",
    "effects",
    "effects_origin",
    "effects_text",
    "status",
    "status_origin",
    "status_text",
    "outlook_text",
    "partner_names",
    "partners_origin",
    "source_file",
    "source_lines",
    "parse_notes",
    "cooperation_key",
)  # every *_origin says 'Dokument', '◆ abgeleitet (sicher|unsicher)' or '✓ geprüft (wer, wann)'


def records(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, limit: int | None = None
) -> pl.DataFrame:
    """The filtered cooperations with all their texts, one row each (RECORD_COLUMNS)."""
    where, params = where_clause(filters)
    limit_sql = ""
    if limit is not None:
        limit_sql = "LIMIT ?"
        params = [*params, int(limit)]
    return _frame(
        con,
        f"""
        SELECT w.* EXCLUDE (effect_names), array_to_string(w.effect_names, '; ') AS effects,
               o.* EXCLUDE (cooperation_id)
        FROM cooperation_wide w JOIN cooperation_origin o USING (cooperation_id) WHERE {where}
        ORDER BY w.city, w.cooperation_id {limit_sql}
        """,
        params,
    ).select(RECORD_COLUMNS)


def record_detail(con: duckdb.DuckDBPyConnection, cooperation_id: int) -> dict | None:
    """One cooperation with all columns and its effects with evidence; None if unknown."""
    frame = _frame(
        con,
        "SELECT * FROM cooperation_wide JOIN cooperation_origin USING (cooperation_id)"
        " WHERE cooperation_id = ?",
        [int(cooperation_id)],
    )
    if frame.is_empty():
        return None
    detail = frame.row(0, named=True)
    detail["effects"] = _frame(
        con,
        """
        SELECT ec.name AS effect, ce.evidence, ce.is_derived
        FROM cooperation_effect ce JOIN effect_category ec USING (effect_id)
        WHERE ce.cooperation_id = ? ORDER BY ec.sort_order
        """,
        [int(cooperation_id)],
    ).to_dicts()
    return detail


@dataclass(frozen=True)
class FilterOptions:
    """Choices for the sidebar widgets, each in display order."""

    cities: tuple[str, ...]
    types: tuple[str, ...]
    forms: tuple[str, ...]
    bindings: tuple[str, ...]
    task_areas: tuple[str, ...]
    departments: tuple[str, ...]
    effects: tuple[str, ...]
    statuses: tuple[str, ...]


def filter_options(con: duckdb.DuckDBPyConnection, *, cities: tuple[str, ...] = ()) -> FilterOptions:
    """Values present in the data; departments narrow to the chosen cities."""

    def column(sql: str, params: list | None = None) -> tuple[str, ...]:
        return tuple(r[0] for r in con.execute(sql, params or []).fetchall())

    city_filter = "list_contains(?, city)" if cities else "TRUE"
    city_params = [list(cities)] if cities else []
    return FilterOptions(
        cities=column("SELECT name FROM city ORDER BY city_id"),
        types=column(
            "SELECT t.name FROM cooperation_type t WHERE t.type_id IN "
            "(SELECT type_id FROM cooperation) ORDER BY t.name = ?, t.name",
            [NA],
        ),
        forms=_in_order(column("SELECT DISTINCT form FROM cooperation_wide"), FORMS),
        bindings=_in_order(column("SELECT DISTINCT binding FROM cooperation_wide"), BINDINGS),
        task_areas=column("SELECT DISTINCT task_area FROM department ORDER BY task_area"),
        departments=column(
            f"SELECT DISTINCT department FROM cooperation_wide WHERE {city_filter} ORDER BY department",
            city_params,
        ),
        effects=column("SELECT name FROM effect_category ORDER BY sort_order"),
        statuses=_in_order(column("SELECT DISTINCT status FROM cooperation_wide"), STATUSES),
    )


def _in_order(values: tuple[str, ...], order: tuple[str, ...]) -> tuple[str, ...]:
    """Values sorted by their place in the display order; unknown ones last, alphabetically."""
    rank = {v: i for i, v in enumerate(order)}
    return tuple(sorted(values, key=lambda v: (rank.get(v, len(order)), v)))


ORIGIN_FIELDS = ("type", "binding", "effects", "status", "partners")


def origin_counts(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """Per city and reviewable field: values shown, derived (◆), derived and uncertain, checked (✓).

    Columns city, field, count_values, count_derived, count_uncertain, count_checked; fields in
    ORIGIN_FIELDS order, partners without a confidence (never counted uncertain).
    """
    where, params = where_clause(filters)
    return _frame(
        con,
        f"""
        WITH f AS (
            SELECT w.city, w.city_id, unnest([  -- one struct per field
                {{'field': 'type', 'n': 1,
                  'source': w.type_source, 'confidence': w.type_confidence}},
                {{'field': 'binding', 'n': 2,
                  'source': w.binding_source, 'confidence': w.binding_confidence}},
                {{'field': 'effects', 'n': 3,
                  'source': w.effects_source, 'confidence': w.effects_confidence}},
                {{'field': 'status', 'n': 4,
                  'source': w.status_source, 'confidence': w.status_confidence}},
                {{'field': 'partners', 'n': 5,
                  'source': o.partners_source, 'confidence': NULL}}
            ], max_depth := 2)
            FROM cooperation_wide w JOIN cooperation_origin o USING (cooperation_id) WHERE {where}
        )
        SELECT city, field,
               count(*)::INTEGER AS count_values,
               count(*) FILTER (WHERE source = 'abgeleitet')::INTEGER AS count_derived,
               count(*) FILTER (WHERE source = 'abgeleitet' AND confidence = 'unsicher')::INTEGER
                   AS count_uncertain,
               count(*) FILTER (WHERE source = 'geprüft')::INTEGER AS count_checked
        FROM f GROUP BY city, city_id, field, n ORDER BY city_id, n
        """,
        params,
    )
