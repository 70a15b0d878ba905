"""Queries: on the small database (tests/small_db.py) against values counted by hand from its
table of records; on the real data against direct DuckDB queries written independently here."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ikz.read import queries
from ikz.read.queries import ALL, RECORD_COLUMNS, Filters, search_terms


def direct(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def count(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """Number of cooperations the filters leave, as the key figures count them."""
    return queries.key_figures(con, filters=filters).cooperations


def test_search_terms_split_words_and_quoted_phrases() -> None:
    assert search_terms('Rettungsdienst "Gesunde Städte"  Netz') == [
        "rettungsdienst",
        "gesunde städte",
        "netz",
    ]
    assert search_terms('50% _x_ "unbalanced') == ["50%", "_x_", '"unbalanced']
    assert search_terms("   ") == []
    assert len(search_terms("a " * 500)) == queries.MAX_SEARCH_TERMS


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
    assert count(con, Filters(search=text)) == expected


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
    assert count(con, Filters(search="%")) < count(con, ALL)


def test_effect_filter_uses_the_link_table(con: duckdb.DuckDBPyConnection) -> None:
    name = "Personalentlastung"
    expected = direct(
        con,
        "SELECT count(DISTINCT cooperation_id) FROM cooperation_effect "
        "JOIN effect_category USING (effect_id) "
        "WHERE name = ?",
        [name],
    )[0][0]
    assert count(con, Filters(effects=(name,))) == expected > 0


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
    overview = queries.overview(con, filters=filters)
    assert count(con, filters) == overview.key_figures.cooperations == expected["cooperation_id"].n_unique()

    want = expected.group_by("effect").len("count").sort("effect")
    assert overview.by_effect.select("effect", pl.col("count").cast(pl.UInt32)).sort("effect").equals(want)

    matrix = overview.effect_matrix
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


def test_filters_helpers() -> None:
    f = Filters(cities=("Erfurt",), types=("Verein",), search="x")
    assert f.only("types") == Filters(types=("Verein",))
    assert f.without("search") == Filters(cities=("Erfurt",), types=("Verein",))
    assert ALL.is_empty() and not f.is_empty()
    with pytest.raises(ValueError, match="unknown dimension"):
        queries.shares_by_city(None, "title; DROP")  # type: ignore[arg-type]


# --- The Überblick's one scan, on the small database ------------------------------------------
# Every expected value below is counted by hand from the table of records in tests/small_db.py;
# the comment beside it names the records it counts.

OTHER = queries.OTHER_DEPARTMENTS


def shares(frame: pl.DataFrame) -> list[float]:
    return frame["share"].to_list()


def test_overview_of_the_small_database(small_con: duckdb.DuckDBPyConnection) -> None:
    ov = queries.overview(small_con)
    # 7 records; 4 departments (Nordstadt: Ordnungsamt, Sozialamt; Südstadt: Ordnungsamt, Jugendamt,
    # the two Ordnungsämter apart); verbindlich: 1, 2 → 2/7; effects: Entlastung 1, 2, 4, 7 = 4,
    # Sparen 1, 2, 5 = 3, Qualität 4, 6, 7 = 3, keine Angabe 3 = 1 (no information, never the top).
    assert_key_figures(ov.key_figures, 7, 4, 2 / 7, "Entlastung", 4)
    # Largest first, equal counts by name: Arbeitskreis 3, 4, 7; Vereinbarung 2, 5; Stammtisch 6;
    # Zweckverband 1.
    assert ov.by_type.drop("share").rows() == [
        ("Arbeitskreis", "Netzwerk", 3),
        ("Vereinbarung", "Vertrag", 2),
        ("Stammtisch", "Netzwerk", 1),
        ("Zweckverband", "Verband", 1),
    ]
    assert shares(ov.by_type) == pytest.approx([3 / 7, 2 / 7, 1 / 7, 1 / 7])
    # In the vocabulary's order, not by size: Verband 1; Vertrag 2, 5; Netzwerk 3, 4, 6, 7.
    assert ov.by_form.drop("share").rows() == [("Verband", 1), ("Vertrag", 2), ("Netzwerk", 4)]
    assert shares(ov.by_form) == pytest.approx([1 / 7, 2 / 7, 4 / 7])
    # laufend 1, 2, 4, 6; beendet 3, 7; keine Angabe 5.
    assert ov.by_status.drop("share").rows() == [("laufend", 4), ("beendet", 2), ("keine Angabe", 1)]
    assert shares(ov.by_status) == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    # Departments by their total (3, 2, 1, 1; equal totals by city, then name), forms within one
    # by count, then name: Nordstadt Ordnungsamt 1 Verband, 2 Vertrag, 3 Netzwerk; Südstadt
    # Jugendamt 6, 7 Netzwerk; Nordstadt Sozialamt 4; Südstadt Ordnungsamt 5.
    assert ov.by_department.rows() == [
        ("Nordstadt", "Ordnungsamt", "Netzwerk", 1, 3),
        ("Nordstadt", "Ordnungsamt", "Verband", 1, 3),
        ("Nordstadt", "Ordnungsamt", "Vertrag", 1, 3),
        ("Südstadt", "Jugendamt", "Netzwerk", 2, 2),
        ("Nordstadt", "Sozialamt", "Netzwerk", 1, 1),
        ("Südstadt", "Ordnungsamt", "Vertrag", 1, 1),
    ]
    # A record counts once per effect it names; equal counts in the vocabulary's order (Sparen
    # before Qualität); shares of the 7 records, so they add up to more than 1 (11/7).
    assert ov.by_effect.drop("share").rows() == [
        ("Entlastung", 4),
        ("Sparen", 3),
        ("Qualität", 3),
        ("keine Angabe", 1),
    ]
    assert shares(ov.by_effect) == pytest.approx([4 / 7, 3 / 7, 3 / 7, 1 / 7])
    # Departments as in by_department, effects in the vocabulary's order: Nordstadt Ordnungsamt
    # Sparen 1, 2; Entlastung 1, 2; keine Angabe 3. Südstadt Jugendamt Entlastung 7; Qualität 6, 7.
    # Nordstadt Sozialamt 4 twice. Südstadt Ordnungsamt 5.
    assert ov.effect_matrix.rows() == [
        ("Nordstadt", "Ordnungsamt", "Sparen", 2),
        ("Nordstadt", "Ordnungsamt", "Entlastung", 2),
        ("Nordstadt", "Ordnungsamt", "keine Angabe", 1),
        ("Südstadt", "Jugendamt", "Entlastung", 1),
        ("Südstadt", "Jugendamt", "Qualität", 2),
        ("Nordstadt", "Sozialamt", "Entlastung", 1),
        ("Nordstadt", "Sozialamt", "Qualität", 1),
        ("Südstadt", "Ordnungsamt", "Sparen", 1),
    ]
    # Treemap leaves by task area, city, department, form.
    assert ov.task_area_tree.rows() == [
        ("Nordstadt", "1 Ordnung", "Ordnungsamt", "Netzwerk", 1),
        ("Nordstadt", "1 Ordnung", "Ordnungsamt", "Verband", 1),
        ("Nordstadt", "1 Ordnung", "Ordnungsamt", "Vertrag", 1),
        ("Südstadt", "1 Ordnung", "Ordnungsamt", "Vertrag", 1),
        ("Nordstadt", "2 Soziales", "Sozialamt", "Netzwerk", 1),
        ("Südstadt", "2 Soziales", "Jugendamt", "Netzwerk", 2),
    ]
    assert ov.task_area_tree.columns == ["city", "task_area", "department", "form", "count"]


def test_overview_keeps_the_largest_departments(small_con: duckdb.DuckDBPyConnection) -> None:
    ov = queries.overview(small_con, top_departments=2, top_tree=2)
    # The two largest: Nordstadt Ordnungsamt (3) and Südstadt Jugendamt (2); the key figures still
    # count every record and department.
    assert ov.key_figures.cooperations == 7 and ov.key_figures.departments == 4
    assert ov.by_department.select("city", "department").unique(maintain_order=True).rows() == [
        ("Nordstadt", "Ordnungsamt"),
        ("Südstadt", "Jugendamt"),
    ]
    assert ov.by_department.height == 4 and ov.effect_matrix.height == 5
    # In the treemap the others are pooled per task area and form, without a city (sorted first):
    # 1 Ordnung: Südstadt Ordnungsamt's Vertrag (5); 2 Soziales: Nordstadt Sozialamt's Netzwerk (4).
    assert ov.task_area_tree.rows() == [
        ("", "1 Ordnung", OTHER, "Vertrag", 1),
        ("Nordstadt", "1 Ordnung", "Ordnungsamt", "Netzwerk", 1),
        ("Nordstadt", "1 Ordnung", "Ordnungsamt", "Verband", 1),
        ("Nordstadt", "1 Ordnung", "Ordnungsamt", "Vertrag", 1),
        ("", "2 Soziales", OTHER, "Netzwerk", 1),
        ("Südstadt", "2 Soziales", "Jugendamt", "Netzwerk", 2),
    ]


# (filters, key figures, by_type rows, by_effect rows), each counted from the records it keeps.
FILTERED_VIEWS = [
    pytest.param(
        # Records 5, 6, 7: departments Ordnungsamt, Jugendamt; none verbindlich; Qualität 6, 7;
        # Sparen 5 and Entlastung 7 tie at 1, in the vocabulary's order.
        Filters(cities=("Südstadt",)),
        (3, 2, 0.0, "Qualität", 2),
        [("Arbeitskreis", "Netzwerk", 1), ("Stammtisch", "Netzwerk", 1), ("Vereinbarung", "Vertrag", 1)],
        [("Qualität", 2), ("Sparen", 1), ("Entlastung", 1)],
        id="city",
    ),
    pytest.param(
        # Records 2 (verbindlich) and 5 (lose: a record's binding is its own, not its type's).
        Filters(types=("Vereinbarung",)),
        (2, 2, 0.5, "Sparen", 2),
        [("Vereinbarung", "Vertrag", 2)],
        [("Sparen", 2), ("Entlastung", 1)],
        id="type",
    ),
    pytest.param(
        # Record 3 alone: its only effect is 'keine Angabe', which is never the top effect.
        Filters(effects=("keine Angabe",)),
        (1, 1, 0.0, None, 0),
        [("Arbeitskreis", "Netzwerk", 1)],
        [("keine Angabe", 1)],
        id="no-info-effect",
    ),
    pytest.param(
        # Titles with „netzwerk“: 4 Netzwerk Pflege, 7 Netzwerk Kinder (the form Netzwerk
        # is not searched); Entlastung and Qualität tie at 2, Entlastung first in the vocabulary.
        Filters(search="Netzwerk"),
        (2, 2, 0.0, "Entlastung", 2),
        [("Arbeitskreis", "Netzwerk", 2)],
        [("Entlastung", 2), ("Qualität", 2)],
        id="search",
    ),
    pytest.param(
        # Records 1 and 2 both name Sparen and Entlastung, in Nordstadt's Ordnungsamt.
        Filters(cities=("Nordstadt",), effects=("Sparen",)),
        (2, 1, 1.0, "Sparen", 2),
        [("Vereinbarung", "Vertrag", 1), ("Zweckverband", "Verband", 1)],
        [("Sparen", 2), ("Entlastung", 2)],
        id="city-and-effect",
    ),
    pytest.param(
        Filters(search="zzzz-gibt-es-nicht"),
        (0, 0, None, None, 0),
        [],
        [],
        id="empty",
    ),
]


@pytest.mark.parametrize(("filters", "figures", "by_type", "by_effect"), FILTERED_VIEWS)
def test_overview_of_filtered_views(
    small_con: duckdb.DuckDBPyConnection,
    filters: Filters,
    figures: tuple,
    by_type: list[tuple],
    by_effect: list[tuple],
) -> None:
    ov = queries.overview(small_con, filters=filters, top_departments=2, top_tree=2)
    assert_key_figures(ov.key_figures, *figures)
    assert_key_figures(queries.key_figures(small_con, filters=filters), *figures)
    assert ov.by_type.drop("share").rows() == by_type
    assert ov.by_effect.drop("share").rows() == by_effect
    # Every frame counts the kept records: forms, statuses and treemap leaves add up to them.
    for frame in (ov.by_form, ov.by_status, queries.overview(small_con, filters=filters).task_area_tree):
        assert sum(frame["count"]) == figures[0]


def assert_key_figures(
    got: queries.KeyFigures,
    cooperations: int,
    departments: int,
    committed_share: float | None,
    top_effect: str | None,
    top_effect_count: int,
) -> None:
    assert (got.cooperations, got.departments, got.top_effect, got.top_effect_count) == (
        cooperations,
        departments,
        top_effect,
        top_effect_count,
    )
    assert got.committed_share == (None if committed_share is None else pytest.approx(committed_share))


def test_records_can_read_only_the_columns_a_table_shows(con: duckdb.DuckDBPyConnection) -> None:
    """The Überblick's table reads its columns only; the rows and their order stay those of all."""
    columns = ("title", "city", "effects", "type_origin", "cooperation_id")
    everything = queries.records(con, limit=50)
    assert_frame_equal(queries.records(con, limit=50, columns=columns), everything.select(columns))
    with pytest.raises(ValueError, match="not a record column"):
        queries.records(con, columns=("title; DROP TABLE city",))
