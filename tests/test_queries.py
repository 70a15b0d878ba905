"""Queries: each checked against a direct DuckDB query written independently here."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ikz import queries
from ikz.queries import ALL, RECORD_COLUMNS, Filters, search_terms


def direct(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def test_search_terms_split_words_and_quoted_phrases() -> None:
    assert search_terms('Rettungsdienst "Gesunde Städte"  Netz') == [
        "rettungsdienst",
        "gesunde städte",
        "netz",
    ]
    assert search_terms('50% _x_ "unbalanced') == ["50%", "_x_", '"unbalanced']
    assert search_terms("   ") == []
    assert len(search_terms("a " * 500)) == queries.MAX_SEARCH_TERMS


def test_count_by_form_matches_direct_sql(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.count_by(con, "form")
    expected = direct(
        con,
        "SELECT t.form, count(*) FROM cooperation c JOIN cooperation_type t USING (type_id) "
        "JOIN form f ON f.name = t.form GROUP BY t.form, f.sort_order ORDER BY f.sort_order",
    )
    # In the vocabulary's display order, not by size.
    assert list(zip(frame["category"], frame["count"], strict=True)) == expected
    assert frame["share"].sum() == pytest.approx(1.0)


def test_type_filter_narrows_every_figure(con: duckdb.DuckDBPyConnection) -> None:
    filters = Filters(types=("Zweckvereinbarung",))
    expected = direct(
        con,
        "SELECT count(*), count(DISTINCT department_id) FROM cooperation "
        "JOIN cooperation_type USING (type_id) "
        "WHERE name = 'Zweckvereinbarung'",
    )[0]
    figures = queries.key_figures(con, filters=filters)
    assert (figures.cooperations, figures.departments) == expected
    assert figures.committed_share == pytest.approx(1.0)
    by_type = queries.cooperations_by_type(con, filters=filters)
    assert by_type.to_dicts() == [
        {"type_name": "Zweckvereinbarung", "form": "Zweckvereinbarung", "count": expected[0], "share": 1.0}
    ]


def test_key_figures_unfiltered(con: duckdb.DuckDBPyConnection) -> None:
    total = direct(con, "SELECT count(*) FROM cooperation")[0][0]
    departments = direct(con, "SELECT count(*) FROM department")[0][0]
    committed = direct(
        con,
        "SELECT avg(CASE WHEN binding IN ('öffentlich-rechtlich', 'vertraglich') THEN 1 ELSE 0 END) "
        "FROM cooperation",
    )[0][0]
    top = direct(
        con,
        "SELECT name FROM cooperation_effect JOIN effect_category USING (effect_id) "
        "WHERE name <> 'ohne Angabe' GROUP BY name, sort_order ORDER BY count(*) DESC, sort_order LIMIT 1",
    )[0][0]
    figures = queries.key_figures(con)
    assert (figures.cooperations, figures.departments, figures.top_effect) == (total, departments, top)
    assert figures.committed_share == pytest.approx(committed)


# Each hostile text with the terms it must be searched as, written out by hand from the rule
# (words, or phrases in double quotes; at most 200 characters; lower case), not by search_terms.
HOSTILE_SEARCHES = [
    ("%", ["%"]),
    ("_", ["_"]),
    ("'", ["'"]),
    ('"', ['"']),
    ("'; DROP TABLE cooperation; --", ["';", "drop", "table", "cooperation;", "--"]),
    ("<script>alert(1)</script>", ["<script>alert(1)</script>"]),
    ("ä" * 300, ["ä" * 200]),
    ("\u202e\u0000x", ["\u202e\u0000x"]),
]


@pytest.mark.parametrize(("text", "terms"), HOSTILE_SEARCHES)
def test_hostile_search_is_plain_text(con: duckdb.DuckDBPyConnection, text: str, terms: list[str]) -> None:
    assert search_terms(text) == terms
    # The expected count by plain Python substring tests over every record's search text.
    texts = [t for (t,) in direct(con, "SELECT search_text FROM cooperation")]
    expected = sum(all(term in t for term in terms) for t in texts)
    assert queries.count_records(con, filters=Filters(search=text)) == expected


def test_search_finds_rettungsdienst_in_both_cities(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.records(con, filters=Filters(search="rettungsdienst"))
    assert set(frame["city"]) == {"Erfurt", "Magdeburg"}
    titles = " | ".join(frame["title"])
    assert "bodengebundenen Rettungsdienstes" in titles
    assert "Verwaltungsvereinbarung mit dem Landkreis Börde" in titles


def test_phrase_search_and_percent_are_literal(con: duckdb.DuckDBPyConnection) -> None:
    phrase = queries.records(con, filters=Filters(search='"Gesunde Städte"'))
    assert "Gesunde Städte-Netzwerk" in set(phrase["title"])
    # A LIKE-based search would treat % as a wildcard and match everything.
    assert queries.count_records(con, filters=Filters(search="%")) < queries.count_records(con)


def test_effect_filter_uses_the_link_table(con: duckdb.DuckDBPyConnection) -> None:
    name = "Personalentlastung"
    expected = direct(
        con,
        "SELECT count(DISTINCT cooperation_id) FROM cooperation_effect "
        "JOIN effect_category USING (effect_id) "
        "WHERE name = ?",
        [name],
    )[0][0]
    assert queries.count_records(con, filters=Filters(effects=(name,))) == expected > 0


def test_effects_count_multiple_mentions(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.cooperations_by_effect(con)
    links = direct(con, "SELECT count(*) FROM cooperation_effect")[0][0]
    assert frame["count"].sum() == links
    assert frame["share"].sum() >= 1.0


EFFECT_VIEWS = [
    ALL,
    Filters(cities=("Magdeburg",)),
    Filters(types=("Zweckverband", "Arbeitskreis")),
    Filters(effects=("Personalentlastung", "Interessenvertretung")),
    Filters(cities=("Erfurt",), effects=("Kosteneinsparung und Wirtschaftlichkeit",)),
    Filters(search="zzzz-gibt-es-nicht"),
]

# The effect links of the filtered records, straight from the normalised tables.
LINKS_SQL = """
    SELECT c.cooperation_id, ci.name AS city, d.name AS department, ec.name AS effect, ec.sort_order
    FROM cooperation c JOIN city ci USING (city_id) JOIN department d USING (department_id)
    JOIN cooperation_type t USING (type_id)
    JOIN cooperation_effect ce USING (cooperation_id) JOIN effect_category ec USING (effect_id)
    WHERE c.cooperation_id IN (SELECT cooperation_id FROM cooperation_effect
                               JOIN effect_category USING (effect_id)
                               WHERE ? = [] OR list_contains(?, name))
      AND (? = [] OR list_contains(?, ci.name))
      AND (? = [] OR list_contains(?, t.name))
      AND contains(c.search_text, ?)
"""


def links(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    effects, cities, types = list(filters.effects), list(filters.cities), list(filters.types)
    params = [effects, effects, cities, cities, types, types, filters.search.lower()]
    return con.sql(LINKS_SQL, params=params).pl()


@pytest.mark.parametrize("filters", EFFECT_VIEWS, ids=str)
def test_effect_queries_match_the_link_table(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    expected = links(con, filters)
    assert queries.count_records(con, filters=filters) == expected["cooperation_id"].n_unique()

    by_effect = queries.cooperations_by_effect(con, filters=filters)
    want = expected.group_by("effect").len("count").sort("effect")
    assert by_effect.select("effect", pl.col("count").cast(pl.UInt32)).sort("effect").equals(want)

    matrix = queries.department_effect_matrix(con, filters=filters)
    want = expected.group_by("city", "department", "effect").len("count").sort(pl.all())
    got = matrix.select("city", "department", "effect", pl.col("count").cast(pl.UInt32)).sort(pl.all())
    assert got.equals(want)

    shares = queries.shares_by_city(con, "effect", filters=filters)
    want = expected.group_by("city", "effect").len("count").sort(pl.all())
    got = shares.select("city", pl.col("category").alias("effect"), pl.col("count").cast(pl.UInt32))
    assert got.sort(pl.all()).equals(want)

    top = queries.key_figures(con, filters=filters)
    named = expected.filter(pl.col("effect") != "ohne Angabe")
    if named.is_empty():
        assert top.top_effect is None
    else:
        counts = (
            named.group_by("effect", "sort_order").len().sort(["len", "sort_order"], descending=[True, False])
        )
        assert (top.top_effect, top.top_effect_count) == (counts["effect"][0], counts["len"][0])

    records = queries.records(con, filters=filters)
    per_record = expected.height
    assert sum(len(e.split("; ")) for e in records["effects"]) == per_record


def test_departments_narrow_to_cities(con: duckdb.DuckDBPyConnection) -> None:
    magdeburg = queries.filter_options(con, cities=("Magdeburg",)).departments
    assert len(magdeburg) == 18 and "Amt 37" in magdeburg and "Jugendamt" not in magdeburg
    both = queries.filter_options(con).departments
    assert len(both) == 19 + 18


def test_by_department_top_and_order(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.cooperations_by_department(con, top=5)
    departments = frame.select("city", "department", "department_total").unique(maintain_order=True)
    assert departments.height == 5
    totals = departments["department_total"].to_list()
    assert totals == sorted(totals, reverse=True)
    expected_top = direct(
        con, "SELECT count(*) FROM cooperation GROUP BY department_id ORDER BY 1 DESC LIMIT 1"
    )[0][0]
    assert totals[0] == expected_top


def test_matrix_counts_match_link_table(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.department_effect_matrix(con)
    assert frame.columns == ["city", "department", "effect", "count"]
    assert frame["count"].sum() == direct(con, "SELECT count(*) FROM cooperation_effect")[0][0]


def test_task_area_tree_pools_small_departments(con: duckdb.DuckDBPyConnection) -> None:
    full = queries.task_area_tree(con)
    pooled = queries.task_area_tree(con, top=10)
    assert full["count"].sum() == pooled["count"].sum() == queries.count_records(con)
    kept = pooled.filter(pl.col("department") != queries.OTHER_DEPARTMENTS)
    assert kept.select("city", "department").unique().height == 10
    assert queries.OTHER_DEPARTMENTS in set(pooled["department"])


def test_shares_by_city_sum_to_one(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.shares_by_city(con, "form")
    sums = frame.group_by("city").agg(pl.col("share").sum()).sort("city")
    assert sums["share"].to_list() == pytest.approx([1.0, 1.0])
    effects = queries.shares_by_city(con, "effect")
    assert (effects.group_by("city").agg(pl.col("share").sum())["share"] >= 1.0).all()


def test_records_and_detail(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.records(con, filters=Filters(cities=("Erfurt",)))
    assert frame.columns == list(RECORD_COLUMNS)
    assert frame.height == 78
    first = queries.record_detail(con, int(frame["cooperation_id"][0]))
    assert first is not None
    assert first["title"] == frame["title"][0]
    assert first["effects"] and all("evidence" in e for e in first["effects"])
    assert queries.record_detail(con, 10**9) is None
    assert queries.records(con, limit=3).height == 3


@pytest.mark.parametrize(
    "filters",
    [
        ALL,
        Filters(cities=("Magdeburg",)),
        Filters(search="zweck"),
        Filters(forms=("Netzwerk / Erfahrungsaustausch",)),
    ],
)
def test_records_limit_shows_the_first_rows_by_city_and_number(
    con: duckdb.DuckDBPyConnection, filters: Filters
) -> None:
    everything = queries.records(con, filters=filters)
    ids = [
        row[0]
        for row in direct(con, "SELECT cooperation_id FROM cooperation_wide ORDER BY city, cooperation_id")
    ]
    assert everything["cooperation_id"].to_list() == [
        i for i in ids if i in set(everything["cooperation_id"])
    ]
    for limit in (1, 7, 1000):
        assert_frame_equal(queries.records(con, filters=filters, limit=limit), everything.head(limit))


ORIGIN_COLUMNS = {
    "type": ("type_source", "type_confidence"),
    "binding": ("binding_source", "binding_confidence"),
    "effects": ("effects_source", "effects_confidence"),
    "status": ("status_source", "status_confidence"),
    "partners": ("partners_source", None),
}


def counted_origins(db: Path, keep: Callable[[dict], bool]) -> list[tuple]:
    """origin_counts' rows computed row by row in Python over the records that keep accepts."""
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.sql(
            "SELECT * FROM cooperation_wide JOIN cooperation_origin USING (cooperation_id) ORDER BY city_id"
        ).pl()
    expected = []
    for (city,), rows in frame.group_by("city", maintain_order=True):
        kept = [r for r in rows.iter_rows(named=True) if keep(r)]
        for field, (source, confidence) in ORIGIN_COLUMNS.items():
            derived = [r for r in kept if r[source] == "abgeleitet"]
            uncertain = [r for r in derived if confidence and r[confidence] == "unsicher"]
            checked = [r for r in kept if r[source] == "geprüft"]
            if kept:
                expected.append((city, field, len(kept), len(derived), len(uncertain), len(checked)))
    return expected


def test_origin_counts_match_a_count_per_record(built_db: Path, tmp_path: Path) -> None:
    # The shipped data holds no checked value: mark some as checked in a copy, so all four counts vary.
    db = tmp_path / "checked.duckdb"
    shutil.copy(built_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE cooperation_wide SET type_source = 'geprüft' WHERE cooperation_id % 7 = 0")
        con.execute("UPDATE cooperation_origin SET partners_source = 'geprüft' WHERE cooperation_id % 5 = 0")
    cases = [
        (ALL, lambda r: True),
        (Filters(cities=("Erfurt",)), lambda r: r["city"] == "Erfurt"),
        (Filters(types=("Zweckvereinbarung",)), lambda r: r["type_name"] == "Zweckvereinbarung"),
        (Filters(search="zzzz-gibt-es-nicht"), lambda r: False),
    ]
    with duckdb.connect(str(db), read_only=True) as con:
        for filters, keep in cases:
            shown = queries.origin_counts(con, filters=filters)
            assert shown.rows() == counted_origins(db, keep), filters
            assert shown.columns == [
                "city",
                "field",
                "count_values",
                "count_derived",
                "count_uncertain",
                "count_checked",
            ]
    assert any(row[4] for row in counted_origins(db, lambda r: True))  # some uncertain to count
    assert any(row[5] for row in counted_origins(db, lambda r: True))  # and some checked


def test_empty_result_is_well_formed(con: duckdb.DuckDBPyConnection) -> None:
    filters = Filters(search="zzzz-gibt-es-nicht")
    figures = queries.key_figures(con, filters=filters)
    assert (figures.cooperations, figures.departments, figures.committed_share, figures.top_effect) == (
        0,
        0,
        None,
        None,
    )
    for name in (
        "cooperations_by_type",
        "cooperations_by_department",
        "cooperations_by_effect",
        "task_area_tree",
    ):
        assert getattr(queries, name)(con, filters=filters).is_empty()


def test_filters_helpers() -> None:
    f = Filters(cities=("Erfurt",), types=("Verein",), search="x")
    assert f.only("types") == Filters(types=("Verein",))
    assert f.without("search") == Filters(cities=("Erfurt",), types=("Verein",))
    assert ALL.is_empty() and not f.is_empty()
    with pytest.raises(ValueError, match="unknown dimension"):
        queries.count_by(None, "title; DROP")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "filters",
    [
        ALL,
        Filters(cities=("Magdeburg",)),
        Filters(types=("Zweckverband", "Arbeitsgruppe")),
        Filters(effects=("Personalentlastung",), search="stadt"),
        Filters(search="zzzz-gibt-es-nicht"),
    ],
    ids=["all", "magdeburg", "types", "effect-search", "empty"],
)
def test_overview_in_one_scan_equals_the_single_queries(
    con: duckdb.DuckDBPyConnection, filters: Filters
) -> None:
    """The page's one-statement aggregate gives exactly what the eight separate queries give."""
    ov = queries.overview(con, filters=filters, top_departments=5, top_tree=8)
    assert ov.key_figures == queries.key_figures(con, filters=filters)
    expected = {
        "by_type": queries.cooperations_by_type(con, filters=filters),
        "by_form": queries.count_by(con, "form", filters=filters),
        "by_status": queries.count_by(con, "status", filters=filters),
        "by_department": queries.cooperations_by_department(con, filters=filters, top=5),
        "by_effect": queries.cooperations_by_effect(con, filters=filters),
        "effect_matrix": queries.department_effect_matrix(con, filters=filters, top=5),
        "task_area_tree": queries.task_area_tree(con, filters=filters, top=8),
    }
    for name, frame in expected.items():
        got = getattr(ov, name)
        assert got.columns == frame.columns, name
        assert_frame_equal(got, frame, check_dtypes=False, check_exact=False)
