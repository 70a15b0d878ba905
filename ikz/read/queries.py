"""Parameterised queries: filters in as keyword arguments, chart-ready polars frames out."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Literal

import duckdb
import polars as pl

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
# The dimension table of each vocabulary (ikz/core/schema.sql): the one place its categories and their
# display order live. Keys are the names queries and pages use for a dimension.
CATEGORY_TABLES: dict[str, str] = {
    "city": "city",
    "form": "form",
    "binding": "binding",
    "task_area": "task_area",
    "status": "status",
    "effect": "effect_category",
    "partner_kind": "partner_kind",
}


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
    start_years: tuple[str, ...] = ()  # Beginn (Jahr) as text, where an edition gives it (issue 11)

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
    if filters.start_years:
        conditions.append(f"list_contains(?, CAST({alias}.start_year AS VARCHAR))")
        params.append(list(filters.start_years))
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


def read_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pl.DataFrame:
    """The result of sql as a polars frame (the whole result: the cursor is free afterwards)."""
    # A relation converts straight to polars via Arrow, without the DB-API result's extra copy.
    return con.sql(sql, params=params).pl()


def records_naming(con: duckdb.DuckDBPyConnection, where: str, params: list, partner: str) -> pl.DataFrame:
    """The records matching where (over cooperation_wide w) that name partner: cooperation_id, city,
    department, title, type_name, evidence, source_file, source_lines; in source order."""
    return read_frame(
        con,
        f"""
        SELECT w.cooperation_id, w.city, w.department, w.title, w.type_name, cp.evidence,
               w.source_file, w.source_lines
        FROM cooperation_wide w
        JOIN cooperation_partner cp USING (cooperation_id)
        JOIN partner p USING (partner_id)
        WHERE p.name = ? AND {where}
        ORDER BY w.cooperation_id
        """,
        [partner, *params],
    )


FIRST_RECORDS = 3  # titles a partner's map bubble shows in its hover


def partner_counts(
    con: duckdb.DuckDBPyConnection, where: str, params: list, *, placed: bool | None = None
) -> pl.DataFrame:
    """The one partner count: partners the records matching where (over cooperation_wide w) name.

    Columns partner, kind, ars, place_name, lon, lat, city_counts (list of {city, count}, one per
    city naming it, by city name), count_total, first_records (up to FIRST_RECORDS
    'Stadt: Titel' lines in source order); most named first, then by name.

    placed: True only partners the map can place (an ARS), False only those it cannot (grouped by
    kind in the order of the partner_kind dimension table), None all.
    """
    place = {True: "p.ars IS NOT NULL", False: "p.ars IS NULL", None: "TRUE"}[placed]
    order = "pk.sort_order, count_total DESC, partner" if placed is False else "count_total DESC, partner"
    return read_frame(
        con,
        f"""
        SELECT p.name AS partner, p.kind, p.ars, p.place_name, p.lon, p.lat,
               list_sort(list_transform(
                   map_entries(histogram(w.city)), lambda e: {{'city': e.key, 'count': e.value::INTEGER}}
               )) AS city_counts,
               count(*)::INTEGER AS count_total,
               list(w.city || ': ' || w.title ORDER BY w.cooperation_id)[1:{FIRST_RECORDS}] AS first_records
        FROM cooperation_wide w
        JOIN cooperation_partner cp USING (cooperation_id)
        JOIN partner p USING (partner_id)
        JOIN partner_kind pk ON pk.name = p.kind
        WHERE {place} AND {where}
        GROUP BY p.name, p.kind, p.ars, p.place_name, p.lon, p.lat, pk.sort_order
        ORDER BY {order}
        """,
        params,
    )


def city_count(city: str) -> pl.Expr:
    """How many records of city name the partner (0 if none): from partner_counts' city_counts."""
    return (
        pl.col("city_counts")
        .list.eval(pl.element().filter(pl.element().struct.field("city") == city).struct.field("count"))
        .list.sum()
        .cast(pl.Int32)
    )


def partners_per_city(frame: pl.DataFrame) -> pl.DataFrame:
    """partner_counts in long form: columns city, partner, kind, count; by city name, each city's
    most named partner first (ties by name)."""
    long = frame.select("partner", "kind", "city_counts").explode("city_counts")
    return (
        long.filter(pl.col("city_counts").is_not_null())
        .select(
            pl.col("city_counts").struct.field("city").alias("city"),
            "partner",
            "kind",
            pl.col("city_counts").struct.field("count").alias("count"),
        )
        .sort(["city", "count", "partner"], descending=[False, True, False])
    )


def categories(con: duckdb.DuckDBPyConnection, dimension: str) -> tuple[str, ...]:
    """Every category of a vocabulary (CATEGORY_TABLES), in display order, whether used or not."""
    table = CATEGORY_TABLES[dimension]  # KeyError for anything else: no user text reaches SQL
    return tuple(r[0] for r in con.execute(f"SELECT name FROM {table} ORDER BY sort_order").fetchall())


def _order_by(dimension: str, column: str) -> tuple[str, str]:
    """JOIN and ORDER BY expression putting a column in its vocabulary's display order."""
    table = CATEGORY_TABLES.get(dimension)
    if table is None:
        return "", column
    alias = f"o_{dimension}"
    return f"LEFT JOIN {table} {alias} ON {alias}.name = {column}", f"{alias}.sort_order"


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
               avg(CASE WHEN b.is_committed THEN 1.0 ELSE 0.0 END)
        FROM cooperation_wide w JOIN binding b ON b.name = w.binding WHERE {where}
        """,
        params,
    )
    # Without a filter the effect table itself holds the unnested lists: every Überblick run needs
    # these totals as its base, and at a million rows unnesting them took 30 ms, the table 2 ms.
    named = (
        "(SELECT effect_id FROM cooperation_effect) e JOIN effect_category ec USING (effect_id)"
        if where == "TRUE"
        else f"(SELECT unnest(w.effect_names) AS name FROM cooperation_wide w WHERE {where}) e "
        "JOIN effect_category ec USING (name)"
    )
    top = _one(
        con,
        f"""
        SELECT ec.name, count(*) AS n FROM {named}
        WHERE NOT ec.is_no_info
        GROUP BY ec.name, ec.sort_order ORDER BY n DESC, ec.sort_order LIMIT 1
        """,
        params,
    )
    return KeyFigures(
        cooperations=count,
        departments=departments,
        committed_share=committed,
        top_effect=top[0] if top else None,
        top_effect_count=top[1] if top else 0,
    )


def _pool_departments(frame: pl.DataFrame, top: int | None) -> pl.DataFrame:
    """Treemap leaves with all but the `top` largest departments pooled per task area and form."""
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
            JOIN city ci ON ci.name = l.city
            GROUP BY l.city, ci.sort_order, ec.name, ec.sort_order, t.city_total
            ORDER BY ci.sort_order, ec.sort_order
        """
    elif dimension in DIMENSIONS:
        join, order = _order_by(dimension, "s.category")
        sql = f"""
            WITH s AS (
                SELECT w.city, w.{dimension} AS category, count(*)::INTEGER AS count,
                       (sum(count(*)) OVER (PARTITION BY w.city))::INTEGER AS city_total,
                       count(*) / sum(count(*)) OVER (PARTITION BY w.city) AS share
                FROM cooperation_wide w WHERE {where}
                GROUP BY w.city, w.{dimension}
            )
            SELECT s.* FROM s JOIN city ci ON ci.name = s.city {join}
            ORDER BY ci.sort_order, {order}, s.category
        """
    else:
        raise ValueError(f"unknown dimension {dimension!r}")
    return read_frame(con, sql, params)


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
    # Issue 11: the template's optional columns (NULL where a source has none) and the key.
    "start_year",
    "end_year",
    "legal_basis",
    "council_decision",
    "contact_person",
    "savings_eur_per_year",
    "funding",
    "cooperation_key",
)  # every *_origin says 'Dokument', '◆ abgeleitet (sicher|unsicher)' or '✓ geprüft (wer, wann)'


def records(
    con: duckdb.DuckDBPyConnection,
    *,
    filters: Filters = ALL,
    limit: int | None = None,
    columns: tuple[str, ...] = RECORD_COLUMNS,
) -> pl.DataFrame:
    """The filtered cooperations with all their texts, one row each: columns, a choice of
    RECORD_COLUMNS (a table that shows fewer reads and keeps fewer: at a million rows the page's
    1,000 rows with every text were a megabyte per filter state in its cache)."""
    unknown = [c for c in columns if c not in RECORD_COLUMNS]
    if unknown:
        raise ValueError(f"not a record column: {unknown}")
    where, params = where_clause(filters)
    limit_sql = ""
    if limit is not None:
        limit_sql = "LIMIT ?"
        params = [*params, int(limit)]
    # The rows are chosen by their ids first and only then joined to their texts: sorting whole
    # rows took 0.7 s at 1M cooperations for a table of 1,000, the ids alone 0.1 s.
    return read_frame(
        con,
        f"""
        WITH shown AS (
            SELECT w.cooperation_id FROM cooperation_wide w WHERE {where}
            ORDER BY w.city, w.cooperation_id {limit_sql}
        )
        SELECT {", ".join(f'"{c}"' for c in columns)} FROM (
            SELECT w.* EXCLUDE (effect_names), array_to_string(w.effect_names, '; ') AS effects,
                   o.* EXCLUDE (cooperation_id), w.city AS _order_city, w.cooperation_id AS _order_id
            FROM shown JOIN cooperation_wide w USING (cooperation_id)
            JOIN cooperation_origin o USING (cooperation_id)
        )
        ORDER BY _order_city, _order_id
        """,
        params,
    )


def record_detail(con: duckdb.DuckDBPyConnection, cooperation_id: int) -> dict | None:
    """One cooperation with all columns and its effects with evidence; None if unknown."""
    frame = read_frame(
        con,
        "SELECT * FROM cooperation_wide JOIN cooperation_origin USING (cooperation_id)"
        " WHERE cooperation_id = ?",
        [int(cooperation_id)],
    )
    if frame.is_empty():
        return None
    detail = frame.row(0, named=True)
    detail["effects"] = read_frame(
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
    start_years: tuple[str, ...] = ()  # empty while no loaded edition gives a Beginn


def filter_options(con: duckdb.DuckDBPyConnection, *, cities: tuple[str, ...] = ()) -> FilterOptions:
    """Values present in the data; departments narrow to the chosen cities."""

    def column(sql: str, params: list | None = None) -> tuple[str, ...]:
        return tuple(r[0] for r in con.execute(sql, params or []).fetchall())

    def used(dimension: str, column_sql: str) -> tuple[str, ...]:
        # The vocabulary's categories that occur, in its display order.
        table = CATEGORY_TABLES[dimension]
        return column(f"SELECT name FROM {table} WHERE name IN ({column_sql}) ORDER BY sort_order")

    # The values present come from the build's small table filter_value, not from the mart.
    def present(dimension: str) -> str:
        return f"SELECT value FROM filter_value WHERE dimension = '{dimension}'"

    city_filter = "list_contains(?, city)" if cities else "TRUE"
    city_params = [list(cities)] if cities else []
    return FilterOptions(
        cities=column("SELECT name FROM city ORDER BY sort_order"),
        # Kooperationsarten alphabetically (a long list one types into), 'ohne Angabe' last.
        types=column(
            f"SELECT t.name FROM cooperation_type t WHERE t.name IN ({present('type')}) "
            "ORDER BY t.is_no_info, t.name"
        ),
        forms=used("form", f"SELECT form FROM cooperation_type WHERE name IN ({present('type')})"),
        bindings=used("binding", present("binding")),
        task_areas=used("task_area", "SELECT task_area FROM department"),
        departments=column(
            f"SELECT DISTINCT value FROM filter_value WHERE dimension = 'department' AND {city_filter} "
            "ORDER BY value",
            city_params,
        ),
        effects=categories(con, "effect"),
        statuses=used("status", present("status")),
        start_years=column(f"{present('start_year')} ORDER BY value"),
    )


ORIGIN_FIELDS = ("type", "binding", "effects", "status", "partners")
# Per field: the columns that say where its value came from and how sure the derivation is
# (partners have no confidence: never counted uncertain).
_ORIGIN_COLUMNS = tuple(
    # o holds only the records whose partners are not derived (see origin_counts).
    (field, "coalesce(o.partners_source, (SELECT name FROM origin WHERE role = 'derived'))", "NULL")
    if field == "partners"
    else (field, f"w.{field}_source", f"w.{field}_confidence")
    for field in ORIGIN_FIELDS
)


def checked_values(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """The values a person checked (✓) among the filtered records: who and when, per field.

    Columns city, department, title, cooperation_key, field, value, checked_by, checked_on; by city,
    title and field in ORIGIN_FIELDS order.
    """
    where, params = where_clause(filters)
    return read_frame(
        con,
        f"""
        SELECT w.city, w.department, w.title, w.cooperation_key, c.field, c.value,
               c.checked_by, c.checked_on
        FROM cooperation_check c JOIN cooperation_wide w USING (cooperation_id)
        WHERE {where}
        ORDER BY w.city, w.title, list_position({list(ORIGIN_FIELDS)}, c.field), w.cooperation_id
        """,
        params,
    )


def origin_counts(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """Per city and reviewable field: values shown, derived (◆), derived and uncertain, checked (✓).

    Columns city, field, count_values, count_derived, count_uncertain, count_checked; fields in
    ORIGIN_FIELDS order, partners without a confidence (never counted uncertain).
    """
    where, params = where_clause(filters)
    # SQL counts the records per city and combination of origins (a few hundred rows even at 1M
    # cooperations); polars turns them into counts per field. One row per value and field in SQL
    # took 0.4 s at 1M cooperations, one FILTER aggregate per count 16 ms even at the real size.
    # The partners' origin is „abgeleitet“ but for the few a person checked: joined are only those
    # (a join of all 1M origin rows was half the query at 1M, 45 of 85 ms).
    origins = ", ".join(
        f"{source} AS {field}_source, {confidence} AS {field}_confidence"
        for field, source, confidence in _ORIGIN_COLUMNS
    )
    combinations = read_frame(
        con,
        f"""
        SELECT w.city, w.city_id, {origins}, count(*)::INTEGER AS n
        FROM cooperation_wide w
        LEFT JOIN (
            SELECT cooperation_id, partners_source FROM cooperation_origin
            WHERE partners_source <> (SELECT name FROM origin WHERE role = 'derived')
        ) o USING (cooperation_id)
        WHERE {where}
        GROUP BY ALL
        """,
        params,
    )
    n = pl.col("n")
    per_field = [
        combinations.select(
            "city",
            "city_id",
            pl.lit(field).alias("field"),
            pl.lit(order).alias("order"),
            n,
            pl.col(f"{field}_source").alias("source"),
            pl.col(f"{field}_confidence").cast(pl.String).alias("confidence"),
        )
        for order, (field, _, _) in enumerate(_ORIGIN_COLUMNS)
    ]
    names = dict(con.execute("SELECT role, name FROM origin").fetchall())
    derived = pl.col("source") == names["derived"]
    return (
        pl.concat(per_field)
        .group_by("city", "city_id", "field", "order")
        .agg(
            n.sum().cast(pl.Int32).alias("count_values"),
            n.filter(derived).sum().cast(pl.Int32).alias("count_derived"),
            n.filter(derived & (pl.col("confidence") == "unsicher"))
            .sum()
            .cast(pl.Int32)
            .alias("count_uncertain"),
            n.filter(pl.col("source") == names["checked"]).sum().cast(pl.Int32).alias("count_checked"),
        )
        .sort("city_id", "order")
        .drop("city_id", "order")
    )


# --- One scan per page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """Everything the Überblick page shows for one filter state, from one scan of the mart.

    Shares are of the filtered records (an effect share too, though a record may name several).
    """

    key_figures: KeyFigures
    # type_name, form, count, share: one row per Kooperationsart, largest first
    by_type: pl.DataFrame
    # category, count, share: per Kooperationsform, in the vocabulary's display order
    by_form: pl.DataFrame
    # category, count, share: per status, in the vocabulary's display order
    by_status: pl.DataFrame
    # city, department, form, count, department_total: the top_departments largest departments
    by_department: pl.DataFrame
    # effect, count, share: largest first, equal counts in the vocabulary's order
    by_effect: pl.DataFrame
    # city, department, effect, count: the departments of by_department, effects in display order
    effect_matrix: pl.DataFrame
    # city, task_area, department, form, count: treemap leaves, all but the top_tree largest
    # departments pooled per task area and form as OTHER_DEPARTMENTS
    task_area_tree: pl.DataFrame


def overview(
    con: duckdb.DuckDBPyConnection,
    *,
    filters: Filters = ALL,
    top_departments: int | None = None,
    top_tree: int | None = None,
) -> Overview:
    """All aggregates of the Überblick page in one statement: GROUPING SETS over the filtered mart.

    The filtered rows are read once (a materialised CTE); the finest grouping (city, task area,
    department, form) serves the department, form and treemap charts and the department count, a
    second grouping the types (with their binding, for the committed share), a third the statuses,
    and the unnested effect lists the effect bar and the heatmap.
    """
    where, params = where_clause(filters)
    rows = read_frame(
        con,
        f"""
        WITH selected AS MATERIALIZED (
            SELECT w.city, w.department, w.task_area, w.type_name, w.form, w.binding, w.status,
                   w.effect_names
            FROM cooperation_wide w WHERE {where}
        ),
        plain AS (
            SELECT CASE WHEN GROUPING(type_name) = 0 THEN 'type'
                        WHEN GROUPING(status) = 0 THEN 'status' ELSE 'tree' END AS grouping_set,
                   city, task_area, department, type_name, form, binding, status,
                   NULL::VARCHAR AS effect, count(*)::INTEGER AS count
            FROM selected
            GROUP BY GROUPING SETS ((type_name, form, binding), (status), (city, task_area, department, form))
        ),
        effects AS (
            SELECT CASE WHEN GROUPING(city) = 0 THEN 'matrix' ELSE 'effect' END AS grouping_set,
                   city, NULL::VARCHAR AS task_area, department, NULL::VARCHAR AS type_name,
                   NULL::VARCHAR AS form, NULL::VARCHAR AS binding, NULL::VARCHAR AS status,
                   effect, count(*)::INTEGER AS count
            FROM (SELECT city, department, unnest(effect_names) AS effect FROM selected)
            GROUP BY GROUPING SETS ((effect), (city, department, effect))
        )
        SELECT u.*, f.sort_order AS form_order, s.sort_order AS status_order,
               e.sort_order AS effect_order, e.is_no_info AS effect_is_no_info,
               coalesce(b.is_committed, false) AS is_committed
        FROM (SELECT * FROM plain UNION ALL SELECT * FROM effects) u
        LEFT JOIN form f ON f.name = u.form
        LEFT JOIN status s ON s.name = u.status
        LEFT JOIN effect_category e ON e.name = u.effect
        LEFT JOIN binding b ON b.name = u.binding
        """,
        params,
    )
    return _overview_frames(rows, top_departments, top_tree)


def _overview_frames(rows: pl.DataFrame, top_departments: int | None, top_tree: int | None) -> Overview:
    """Split the grouping sets of overview() into the chart frames."""

    def part(name: str) -> pl.DataFrame:
        return rows.filter(pl.col("grouping_set") == name)

    def with_share(frame: pl.DataFrame, total: int) -> pl.DataFrame:
        return frame.with_columns((pl.col("count") / total if total else pl.lit(None)).alias("share"))

    types, tree, statuses = part("type"), part("tree"), part("status")
    effects, matrix = part("effect"), part("matrix")
    total = int(types["count"].sum())
    # A record's binding is its own (not its type's): the type rows are summed over bindings.
    by_type = with_share(
        types.group_by("type_name", "form")
        .agg(pl.col("count").sum().cast(pl.Int32))
        .sort(["count", "type_name"], descending=[True, False]),
        total,
    )
    by_form = with_share(
        tree.group_by("form", "form_order")
        .agg(pl.col("count").sum().cast(pl.Int32))
        .sort(["form_order", "count", "form"], descending=[False, True, False])
        .select(pl.col("form").alias("category"), "count"),
        total,
    )
    by_status = with_share(
        statuses.sort(["status_order", "count", "status"], descending=[False, True, False]).select(
            pl.col("status").alias("category"), "count"
        ),
        total,
    )
    department_totals = tree.group_by("city", "department").agg(
        pl.col("count").sum().cast(pl.Int32).alias("department_total")
    )

    def top(keys: pl.DataFrame) -> pl.DataFrame:
        """The first top_departments of these (city, department) keys by their total, with it.

        Chosen before the rows are joined and sorted: at a million rows the effect matrix has
        40,000 rows, and sorting it all to keep 25 departments was half of this function."""
        ranked = keys.join(department_totals, on=["city", "department"]).sort(
            ["department_total", "city", "department"], descending=[True, False, False]
        )
        return ranked if top_departments is None else ranked.head(top_departments)

    departments = (
        tree.join(top(department_totals.select("city", "department")), on=["city", "department"])
        .group_by("city", "department", "form", "department_total")
        .agg(pl.col("count").sum().cast(pl.Int32))
        .sort(
            ["department_total", "city", "department", "count", "form"],
            descending=[True, False, False, True, False],
        )
        .select("city", "department", "form", "count", "department_total")
    )
    by_effect = with_share(
        effects.sort(["count", "effect_order"], descending=[True, False]).select("effect", "count"), total
    )
    # The departments the matrix has (one without an effect row has none), the first by total.
    effect_matrix = (
        matrix.join(top(matrix.select("city", "department").unique()), on=["city", "department"])
        .sort(
            ["department_total", "city", "department", "effect_order"],
            descending=[True, False, False, False],
        )
        .select("city", "department", "effect", "count")
    )
    top_effect = effects.filter(~pl.col("effect_is_no_info")).sort(
        ["count", "effect_order"], descending=[True, False]
    )
    figures = KeyFigures(
        cooperations=total,
        departments=department_totals.height,
        committed_share=float(types.filter(pl.col("is_committed"))["count"].sum()) / total if total else None,
        top_effect=top_effect["effect"][0] if top_effect.height else None,
        top_effect_count=int(top_effect["count"][0]) if top_effect.height else 0,
    )
    leaves = tree.select("city", "task_area", "department", "form", "count").sort(
        "task_area", "city", "department", "form"
    )
    return Overview(
        key_figures=figures,
        by_type=by_type,
        by_form=by_form,
        by_status=by_status,
        by_department=departments,
        by_effect=by_effect,
        effect_matrix=effect_matrix,
        task_area_tree=_pool_departments(leaves, top_tree),
    )
