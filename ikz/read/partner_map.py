"""Queries of the map: where each city's named partners are, and who has no place on it.

Filters come in as keyword `filters`, values are bound parameters, frames come out chart-ready. The
map shows every city of data/cities.toml; a Stadt filter narrows it to those chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import polars as pl

from ikz.read.queries import ALL, Filters, partner_counts, read_frame, records_naming, where_clause
from ikz.rules.sources import DOCUMENTS
from ikz.rules.words import BOTH_CITIES, MANY_CITIES

CITIES = tuple(d.city for d in DOCUMENTS)
BOTH = BOTH_CITIES


def mapped(filters: Filters) -> Filters:
    """The filters restricted to the cities of the map: a Stadt filter narrows, never widens, them."""
    cities = tuple(c for c in CITIES if not filters.cities or c in filters.cities)
    # A Stadt filter naming no known city leaves nothing: no city matches an impossible name.
    return replace(filters, cities=cities or ("",))


def map_partners(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """One row per partner with a place that the filtered records name: its bubble on the map.

    Columns partner, kind, ars, place_name, lon, lat, city_counts, count_total (records naming it),
    named_by (the one city naming it, else 'beide Städte', or 'mehrere Städte' when the map shows
    more than two cities), first_records (up to three 'Stadt: Titel' lines, in source order); most
    named first, then by name (ikz.read.queries.partner_counts).
    """
    shown = mapped(filters)
    where, params = where_clause(shown)
    frame = partner_counts(con, where, params, placed=True)
    several = BOTH if len(shown.cities) <= 2 else MANY_CITIES
    named_by = (
        pl.when(pl.col("city_counts").list.len() > 1)
        .then(pl.lit(several))
        .otherwise(pl.col("city_counts").list.first().struct.field("city"))
    )
    return frame.with_columns(named_by.alias("named_by")).select(
        "partner",
        "kind",
        "ars",
        "place_name",
        "lon",
        "lat",
        "city_counts",
        "count_total",
        "named_by",
        "first_records",
    )


def unplaced_partners(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL) -> pl.DataFrame:
    """The named partners without a place (Landesbehörden, Verbände, Bund …), listed beside the map.

    Columns partner, kind, city_counts, count_total; by kind (in the order of the partner_kind
    dimension table), then most named first.
    """
    where, params = where_clause(mapped(filters))
    return partner_counts(con, where, params, placed=False).select(
        "partner", "kind", "city_counts", "count_total"
    )


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
