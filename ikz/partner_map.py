"""Queries of the map: where each city's named partners are, and who has no place on it.

Filters come in as keyword `filters`, values are bound parameters, frames come out chart-ready. The
map shows Erfurt and Magdeburg only; a Stadt filter narrows it to one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import polars as pl

from ikz.queries import ALL, Filters, partner_counts, read_frame, records_naming, where_clause
from ikz.sources import ERFURT, MAGDEBURG
from ikz.theme import BOTH_CITIES

CITIES = (ERFURT.city, MAGDEBURG.city)
BOTH = BOTH_CITIES
FIRST_RECORDS = 3  # titles shown in a bubble's hover


def mapped(filters: Filters) -> Filters:
    """The filters restricted to the two cities: a Stadt filter narrows, never widens, them."""
    cities = tuple(c for c in CITIES if not filters.cities or c in filters.cities)
    # A Stadt filter naming neither city leaves nothing: no city matches an impossible name.
    return replace(filters, cities=cities or ("",))


def map_partners(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """One row per partner with a place that the filtered records name: its bubble on the map.

    Columns partner, kind, ars, place_name, lon, lat, count_erfurt, count_magdeburg, count_total
    (records naming it), named_by ('Erfurt', 'Magdeburg' or 'beide Städte'), first_records (up to
    three 'Stadt: Titel' lines, in source order); most named first, then by name.
    """
    where, params = where_clause(mapped(filters))
    frame = read_frame(
        con,
        f"""
        SELECT p.name AS partner, p.kind, p.ars, p.place_name, p.lon, p.lat,
               count(*) FILTER (WHERE w.city = ?)::INTEGER AS count_erfurt,
               count(*) FILTER (WHERE w.city = ?)::INTEGER AS count_magdeburg,
               count(*)::INTEGER AS count_total,
               list(w.city || ': ' || w.title ORDER BY w.cooperation_id)[1:{FIRST_RECORDS}] AS first_records
        FROM cooperation_wide w
        JOIN cooperation_partner cp USING (cooperation_id)
        JOIN partner p USING (partner_id)
        WHERE p.ars IS NOT NULL AND {where}
        GROUP BY p.name, p.kind, p.ars, p.place_name, p.lon, p.lat
        ORDER BY count_total DESC, partner
        """,
        [ERFURT.city, MAGDEBURG.city, *params],
    )
    named_by = (
        pl.when((pl.col("count_erfurt") > 0) & (pl.col("count_magdeburg") > 0))
        .then(pl.lit(BOTH))
        .when(pl.col("count_erfurt") > 0)
        .then(pl.lit(ERFURT.city))
        .otherwise(pl.lit(MAGDEBURG.city))
    )
    return frame.with_columns(named_by.alias("named_by")).select(
        "partner",
        "kind",
        "ars",
        "place_name",
        "lon",
        "lat",
        "count_erfurt",
        "count_magdeburg",
        "count_total",
        "named_by",
        "first_records",
    )


def unplaced_partners(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """The named partners without a place (Landesbehörden, Verbände, Bund …), listed beside the map.

    Columns partner, kind, count_erfurt, count_magdeburg, count_total; by kind (in the order of
    the partner_kind dimension table), then most named first.
    """
    where, params = where_clause(mapped(filters))
    return partner_counts(con, where, params, without_place=True)


def city_points(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """Columns city, lon, lat: where the map marks the cities the filters keep (their gazetteer
    entries)."""
    return read_frame(
        con,
        """
        SELECT ci.name AS city, p.lon, p.lat
        FROM city ci JOIN partner p ON p.name = ci.name
        WHERE list_contains(?, ci.name) AND p.lon IS NOT NULL
        ORDER BY ci.city_id
        """,
        [list(mapped(filters).cities)],
    )


@dataclass(frozen=True)
class MapFrames:
    """What the map draws: its bubbles (map_partners) and the marked cities (city_points)."""

    bubbles: pl.DataFrame
    cities: pl.DataFrame


def map_frames(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> MapFrames:
    """The map's bubbles and city points, read together so one cached read feeds the figure."""
    return MapFrames(map_partners(con, filters=filters), city_points(con, filters=filters))


def partner_records(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, partner: str) -> pl.DataFrame:
    """The filtered records naming a partner, of the cities the map shows (queries.records_naming)."""
    where, params = where_clause(mapped(filters))
    return records_naming(con, where, params, partner)
