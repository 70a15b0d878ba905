"""The Vergleich queries compare Erfurt and Magdeburg only, however many cities the database holds."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from benchmarks.synthetic import write_synthetic
from ikz.read import comparison
from ikz.read.queries import Filters

COMPARED = {"Erfurt", "Magdeburg"}
OTHER_CITIES = 10


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A synthetic database with the two real cities and ten made-up ones."""
    db = tmp_path_factory.mktemp("cities") / "ikz.duckdb"
    write_synthetic(4000, db, cities=2 + OTHER_CITIES)
    with duckdb.connect(str(db), read_only=True) as connection:
        yield connection


def per_city(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        "SELECT city, count(*) FROM cooperation_wide WHERE city IN ('Erfurt', 'Magdeburg') GROUP BY city"
    ).fetchall()
    return dict(rows)


def test_the_database_holds_other_cities(con: duckdb.DuckDBPyConnection) -> None:
    (cities,) = con.execute("SELECT count(DISTINCT city) FROM cooperation_wide").fetchone()
    assert cities == 2 + OTHER_CITIES
    assert set(per_city(con)) == COMPARED


@pytest.mark.parametrize(
    "filters", [Filters(), Filters(types=("Zweckverband",)), Filters(search="zzzz-nichts")]
)
def test_the_partners_read_is_the_table_and_the_per_city_counts(
    con: duckdb.DuckDBPyConnection, filters: Filters
) -> None:
    """comparison.partners gives the table and the per-city counts of one count, which agree:
    each partner's total is its cities' counts, and `top` keeps each city's most named."""
    every = comparison.partners(con, filters=filters)
    totals = every.by_city.group_by("partner").agg(pl.col("count").sum().alias("count_total"))
    assert_frame_equal(
        totals.sort("partner"),
        every.table.select("partner", "count_total").sort("partner"),
        check_dtypes=False,
    )
    top = comparison.partners(con, filters=filters, top=15)
    assert_frame_equal(top.table, every.table)
    expected = every.by_city.group_by("city", maintain_order=True).head(15)
    assert_frame_equal(top.by_city, expected)


@pytest.mark.parametrize("incoming", [Filters(), Filters(cities=("Gemeinde 007",))], ids=["none", "other"])
def test_comparison_counts_only_the_two_cities(con: duckdb.DuckDBPyConnection, incoming: Filters) -> None:
    expected = per_city(con)
    facts = comparison.city_facts(con, filters=incoming)
    assert dict(zip(facts["city"], facts["count_records"], strict=True)) == expected
    effects = comparison.city_shares(con, "effect", filters=incoming)
    assert dict(effects.select("city", "city_total").unique().iter_rows()) == expected
    profile = comparison.profile(con, filters=incoming)
    totals = profile.group_by("dimension", "city").agg(pl.col("count").sum())
    assert set(totals["city"]) == COMPARED
    assert all(expected[city] == n for city, n in zip(totals["city"], totals["count"], strict=True))


def test_topics_and_partners_come_from_the_two_cities(con: duckdb.DuckDBPyConnection) -> None:
    for frame in (
        comparison.record_topics(con),
        comparison.partners(con, top=15).by_city,
        comparison.partner_kinds(con),
    ):
        assert not frame.is_empty()
        assert set(frame["city"]) <= COMPARED


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(types=("Arbeitsgruppe",)), Filters(search="zzzz")],
    ids=["all", "type", "none"],
)
def test_city_mix_in_one_scan_equals_city_shares(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    mix = comparison.city_mix(con, filters=filters)
    for dimension in ("form", "binding", "task_area", "effect"):
        expected = comparison.city_shares(con, dimension, filters=filters)
        assert_frame_equal(getattr(mix, dimension), expected, check_dtypes=False, check_exact=False)
    assert_frame_equal(mix.profile, comparison.profile(con, filters=filters), check_dtypes=False)
