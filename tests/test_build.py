"""Invariants on the built database, the build's atomicity and determinism, and the CLI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ikz.builder.database import build
from ikz.core.paths import DB_ENV_VAR, RAW_DIR, ROOT, TAXONOMY_PATH, db_path
from ikz.derive.classify import load_taxonomy
from tests.seed_files import ERFURT_FILE, MAGDEBURG_FILE

TEXT_COLUMNS = (
    "title",
    "context",
    "sub_unit",
    "partners_text",
    "type_raw",
    "effects_text",
    "status_text",
    "outlook_text",
)
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z]|•|\*\*|&nbsp;|&lt;|&gt;")
# A lower-case letter, hyphen, space, lower-case word: a broken word left unjoined.
# "du" is the source's own typo for "und" (line 73: "Landes- du Bundesebene"), kept as printed.
BROKEN_WORD = re.compile(r"[a-zäöüß]- (?!und\b|oder\b|bzw\.|sowie\b|du\b)[a-zäöüß]")


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def test_counts_per_city(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT city, count(*), count(DISTINCT department) FROM cooperation_wide GROUP BY city ORDER BY city"
    ).fetchall()
    assert rows[0][0] == "Erfurt"
    assert rows[0][1:] == (78, 19)
    assert rows[1][0] == "Magdeburg"
    assert rows[1][2] == 18


def test_magdeburg_units_and_divisions(con: duckdb.DuckDBPyConnection) -> None:
    units = con.execute(
        "SELECT division, d.name FROM department d JOIN city USING (city_id) "
        "WHERE city.name = 'Magdeburg' ORDER BY department_id"
    ).fetchall()
    assert units == [
        ("I", "FB 01"),
        ("I", "Amt 12"),
        ("I", "Amt 31"),
        ("I", "Amt 30"),
        ("I", "FB 32"),
        ("I", "Amt 37"),
        ("I", "SAB"),
        ("II", "FB 02"),
        ("II", "FD 23.1"),
        ("II", "FD 23.2"),
        ("II", "II/01"),
        ("III", "Dezernat III"),
        ("IV", "FB 40"),
        ("IV", "Theater Magdeburg"),
        ("V", "Amt 51"),
        ("V", "Amt 53"),
        ("VI", "Amt 61"),
        ("VI", "FB 62"),
    ]
    assert scalar(con, "SELECT count(*) FROM department WHERE city_id = 1 AND division IS NOT NULL") == 0


def test_every_record_is_complete(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "SELECT count(*) FROM cooperation WHERE department_id IS NULL") == 0
    assert scalar(con, "SELECT count(*) FROM cooperation_wide WHERE form IS NULL OR binding IS NULL") == 0
    assert (
        scalar(
            con,
            "SELECT count(*) FROM cooperation c WHERE NOT EXISTS "
            "(SELECT 1 FROM cooperation_effect e WHERE e.cooperation_id = c.cooperation_id)",
        )
        == 0
    )
    assert scalar(con, "SELECT count(*) FROM cooperation WHERE trim(title) = ''") == 0


def test_unique_keys(con: duckdb.DuckDBPyConnection) -> None:
    for table, key in (
        ("city", "city_id"),
        ("department", "department_id"),
        ("cooperation", "cooperation_id"),
        ("cooperation_type", "type_id"),
        ("effect_category", "effect_id"),
        ("cooperation_effect", "cooperation_id, effect_id"),
    ):
        total = scalar(con, f"SELECT count(*) FROM {table}")
        distinct = scalar(con, f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {table})")
        assert total == distinct, table


def test_vocabularies_are_exactly_the_harmonised_names(con: duckdb.DuckDBPyConnection) -> None:
    def values(sql: str) -> set[str]:
        return {r[0] for r in con.execute(sql).fetchall()}

    def ordered(table: str) -> list[str]:
        return [r[0] for r in con.execute(f"SELECT name FROM {table} ORDER BY sort_order").fetchall()]

    # The dimension tables are the rules file's lists, in its order; the facts use only them.
    taxonomy = load_taxonomy()
    assert ordered("effect_category") == [name for name, _ in taxonomy.effect_categories()]
    assert ordered("form") == taxonomy.forms()
    assert ordered("binding") == taxonomy.bindings()
    assert ordered("status") == taxonomy.statuses()
    assert ordered("task_area") == taxonomy.task_areas()
    assert ordered("city") == ["Erfurt", "Magdeburg"]
    assert values("SELECT name FROM binding WHERE is_committed") == set(taxonomy.committed_bindings)
    for table in ("binding", "form", "status", "effect_category", "cooperation_type"):
        assert values(f"SELECT name FROM {table} WHERE is_no_info") == {taxonomy.no_info}, table
    assert values("SELECT form FROM cooperation_type") <= set(taxonomy.forms())
    assert values("SELECT status FROM cooperation") <= set(taxonomy.statuses())
    assert values("SELECT city FROM cooperation_wide") == {"Erfurt", "Magdeburg"}
    # Zweckverband and Zweckvereinbarung are the public-law forms, and nothing else is.
    public = values("SELECT form FROM cooperation_type WHERE binding = 'öffentlich-rechtlich'")
    assert public == {"Zweckverband", "Zweckvereinbarung"}


def test_no_markup_or_broken_words_anywhere(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(f"SELECT cooperation_id, {', '.join(TEXT_COLUMNS)} FROM cooperation").fetchall()
    bad = [
        (row[0], value)
        for row in rows
        for value in row[1:]
        if value and (MARKUP.search(value) or BROKEN_WORD.search(value) or "  " in value or "\t" in value)
    ]
    assert bad == []
    departments = [r[0] for r in con.execute("SELECT name FROM department").fetchall()]
    assert [d for d in departments if MARKUP.search(d) or BROKEN_WORD.search(d)] == []


def test_derived_values_are_marked(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT city, type_source, type_raw IS NULL, effects_source, count(*) FROM cooperation_wide "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    for city, type_source, raw_missing, effects_source, _ in rows:
        # Both lists print effects as prose: a category made from it is always derived.
        assert effects_source == "abgeleitet"
        if city == "Magdeburg":
            assert (type_source, raw_missing) == ("abgeleitet", True)
        else:
            assert type_source == ("abgeleitet" if raw_missing else "Dokument")
    # Every derived value has a confidence; a printed one has none.
    assert scalar(con, "SELECT count(*) FROM cooperation_wide WHERE effects_confidence IS NULL") == 0
    # Every classified value keeps the words that led to it.
    assert (
        scalar(
            con,
            "SELECT count(*) FROM cooperation_wide WHERE type_name <> 'ohne Angabe' AND type_evidence = ''",
        )
        == 0
    )
    assert (
        scalar(
            con,
            "SELECT count(*) FROM cooperation_effect JOIN effect_category USING (effect_id) "
            "WHERE name <> 'ohne Angabe' AND evidence = ''",
        )
        == 0
    )


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-zäöüß]", "", text.lower())


def test_mart_effect_list_is_the_link_table(con: duckdb.DuckDBPyConnection) -> None:
    """cooperation_wide.effect_names holds exactly each record's links, in display order."""
    differing = con.execute(
        """
        SELECT w.cooperation_id FROM cooperation_wide w
        LEFT JOIN (
            SELECT ce.cooperation_id, list(ec.name ORDER BY ec.sort_order) AS names
            FROM cooperation_effect ce JOIN effect_category ec USING (effect_id) GROUP BY ALL
        ) l USING (cooperation_id)
        WHERE w.effect_names IS DISTINCT FROM l.names
        """
    ).fetchall()
    assert differing == []
    # Every record has at least one category, "ohne Angabe" when its text names none.
    assert con.execute("SELECT count(*) FROM cooperation_wide WHERE len(effect_names) = 0").fetchall() == [
        (0,)
    ]


def test_every_record_traces_to_its_source_lines(con: duckdb.DuckDBPyConnection) -> None:
    """The title's first letters occur in the record's own line range of the raw file."""
    files = {
        name: (RAW_DIR / name).read_text(encoding="utf-8").splitlines()
        for name in (ERFURT_FILE, MAGDEBURG_FILE)
    }
    rows = con.execute(
        "SELECT cooperation_id, title, source_file, line_start, line_end FROM cooperation"
    ).fetchall()
    untraced = []
    for cooperation_id, title, source_file, start, end in rows:
        lines = files[Path(source_file).name]
        assert 1 <= start <= end <= len(lines)
        squashed = _squash(" ".join(lines[start - 1 : end]))
        if _squash(title)[:12] not in squashed:
            untraced.append((cooperation_id, title, start, end))
    assert untraced == []


@pytest.mark.slow  # a real build: seconds
def test_build_is_deterministic(built_db: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.duckdb"
    build(again)
    tables = (
        "city",
        "department",
        "cooperation_type",
        "cooperation",
        "effect_category",
        "cooperation_effect",
    )
    with duckdb.connect(str(built_db), read_only=True) as a, duckdb.connect(str(again), read_only=True) as b:
        for table in tables:
            assert (
                a.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                == b.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            ), table


def _raw_copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    return raw


@pytest.mark.slow  # a real build: seconds
def test_failed_build_leaves_the_old_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "ikz.duckdb"
    build(target)
    before = (target.read_bytes(), target.stat().st_mtime_ns)
    raw = _raw_copy(tmp_path)
    (raw / MAGDEBURG_FILE).write_text(
        "Dezernat I\n\nKein bekannter Aufbau\tx\ty\tz\tw\tv\n", encoding="utf-8"
    )
    with pytest.raises(Exception, match=MAGDEBURG_FILE):
        build(target, raw_dir=raw)
    assert (target.read_bytes(), target.stat().st_mtime_ns) == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ikz", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.slow  # a real build: seconds
def test_cli_prints_summary(tmp_path: Path) -> None:
    target = tmp_path / "cli.duckdb"
    result = _cli("build", "--db", str(target))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Datenbank geschrieben: {target}"
    assert lines[1].split() == [
        "Stadt",
        "Kooperationen",
        "Fachbereiche",
        "Art",
        "o.",
        "A.",
        "Effekte",
        "o.",
        "A.",
    ]
    erfurt = lines[2].split()
    assert erfurt[:3] == ["Erfurt", "78", "19"]
    assert lines[3].split()[0] == "Magdeburg"
    assert lines[3].split()[2] == "18"


@pytest.mark.slow  # a real build: seconds
def test_cli_honours_ikz_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "from-env.duckdb"
    result = _cli("build", env={DB_ENV_VAR: str(target)})
    assert result.returncode == 0, result.stderr
    assert target.exists()
    monkeypatch.setenv(DB_ENV_VAR, str(target))
    assert db_path() == target.resolve()


@pytest.mark.slow  # the command in a process of its own: seconds
@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [
        (ERFURT_FILE, None, f"{ERFURT_FILE}: Datei fehlt"),
        (ERFURT_FILE, "", ERFURT_FILE),
        (MAGDEBURG_FILE, "", MAGDEBURG_FILE),
        (
            ERFURT_FILE,
            "Fachbereich/Amt\tBezeichnung\tKooperationsart\tEffekte\nA\tB\tC\tD\tE\n",
            f"{ERFURT_FILE}:2",
        ),
    ],
    ids=["missing", "empty-erfurt", "empty-magdeburg", "five-columns"],
)
def test_cli_bad_input_is_one_line_naming_the_file(
    tmp_path: Path, file: str, content: str | None, expected: str
) -> None:
    raw = _raw_copy(tmp_path)
    if content is None:
        (raw / file).unlink()
    else:
        (raw / file).write_text(content, encoding="utf-8")
    result = _cli("build", "--db", str(tmp_path / "x.duckdb"), "--raw", str(raw))
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Fehler: ")
    assert expected in result.stderr
    assert not (tmp_path / "x.duckdb").exists()


@pytest.mark.slow  # the command in a process of its own: seconds
def test_cli_bad_taxonomy_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "taxonomy.toml"
    bad.write_text(TAXONOMY_PATH.read_text(encoding="utf-8") + "\n[[[ kaputt\n", encoding="utf-8")
    result = _cli("build", "--db", str(tmp_path / "x.duckdb"), "--taxonomy", str(bad))
    assert result.returncode == 1
    assert "taxonomy.toml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow  # the command in a process of its own: seconds
def test_not_utf8_names_file_and_line(tmp_path: Path) -> None:
    raw = _raw_copy(tmp_path)
    data = (raw / ERFURT_FILE).read_bytes().split(b"\n")
    data[4] = data[4] + b"\xff"
    (raw / ERFURT_FILE).write_bytes(b"\n".join(data))
    result = _cli("build", "--db", str(tmp_path / "x.duckdb"), "--raw", str(raw))
    assert result.returncode == 1
    assert f"{ERFURT_FILE}:5: kein gültiges UTF-8" in result.stderr


def test_partner_links_reference_existing_rows(con: duckdb.DuckDBPyConnection) -> None:
    orphans = scalar(
        con,
        """
        SELECT count(*) FROM cooperation_partner cp
        WHERE cp.cooperation_id NOT IN (SELECT cooperation_id FROM cooperation)
           OR cp.partner_id NOT IN (SELECT partner_id FROM partner)
        """,
    )
    assert orphans == 0
    assert scalar(con, "SELECT count(*) FROM cooperation_partner WHERE trim(evidence) = ''") == 0
    assert scalar(con, "SELECT count(*) FROM cooperation_partner") > 100


def test_no_city_names_itself_as_partner(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        SELECT ci.name, c.cooperation_id FROM cooperation_partner cp
        JOIN cooperation c USING (cooperation_id)
        JOIN city ci USING (city_id)
        JOIN partner p USING (partner_id)
        WHERE p.name = ci.name
        """
    ).fetchall()
    assert rows == []
    # Magdeburg does name Erfurt (Metropolregion Mitteldeutschland): the other city counts.
    assert (
        scalar(
            con,
            """
        SELECT count(*) FROM cooperation_partner JOIN partner p USING (partner_id)
        JOIN cooperation USING (cooperation_id) JOIN city ci USING (city_id)
        WHERE p.name = 'Erfurt' AND ci.name = 'Magdeburg'
        """,
        )
        >= 1
    )


def test_partner_table_is_the_gazetteer(con: duckdb.DuckDBPyConnection) -> None:
    from ikz.derive.partners import load_gazetteer

    gazetteer = load_gazetteer()
    rows = con.execute("SELECT name, kind FROM partner ORDER BY partner_id").fetchall()
    assert rows == [(p.name, p.kind) for p in gazetteer.partners()]
    kinds = con.execute("SELECT name FROM partner_kind ORDER BY sort_order").fetchall()
    assert [k for (k,) in kinds] == list(gazetteer.kinds)


def test_erfurt_rettungsdienst_partners_in_the_database(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        SELECT p.name, p.kind FROM cooperation_wide w
        JOIN cooperation_partner cp USING (cooperation_id) JOIN partner p USING (partner_id)
        WHERE w.city = 'Erfurt' AND w.title LIKE 'Wahrnehmung der Aufgaben des bodengebundenen%'
        ORDER BY p.partner_id
        """
    ).fetchall()
    assert rows == [
        ("Landkreis Weimarer Land", "Landkreis"),
        ("Ilm-Kreis", "Landkreis"),
        ("Landkreis Gotha", "Landkreis"),
        ("Landkreis Sömmerda", "Landkreis"),
    ]


def test_topics_are_build_facts_with_evidence(con: duckdb.DuckDBPyConnection) -> None:
    from ikz.derive.topics import TOPIC_FIELDS, load_topics

    vocab = load_topics()
    topics = con.execute("SELECT name, task_area FROM topic ORDER BY sort_order").fetchall()
    assert topics == [(t.name, t.area) for t in vocab.topics]
    rows = con.execute(
        "SELECT ct.topic, ct.task_area, ct.field, ct.stems, ct.matched, t.task_area "
        "FROM cooperation_topic ct JOIN topic t ON t.name = ct.topic"
    ).fetchall()
    labels = {label for _, label in TOPIC_FIELDS}
    assert len(rows) > 200
    for topic, area, field, stems, matched, topic_area in rows:
        assert area == topic_area, topic
        assert field in labels
        assert stems and matched.startswith(f"{field}: „"), (topic, matched)
    # The Winterdienst row of Erfurt's Fahrbahnwinterdienst, as the matcher finds it in the title.
    (row,) = con.execute(
        "SELECT ct.stems, ct.matched, ct.fuzzy FROM cooperation_topic ct JOIN cooperation c "
        "USING (cooperation_id) WHERE ct.topic = 'Winterdienst' AND c.title LIKE 'Fahrbahnwinterdienst%' "
        "AND ct.field = 'Bezeichnung/Thema'"
    ).fetchall()
    assert row == ("winterdienst", "Bezeichnung/Thema: „Fahrbahnwinterdienst“", False)


def test_filter_values_are_the_values_the_mart_holds(con: duckdb.DuckDBPyConnection) -> None:
    """filter_value (the sidebar's options) holds exactly what a scan of the records finds."""

    def values(dimension: str) -> set[tuple]:
        rows = con.execute("SELECT city, value FROM filter_value WHERE dimension = ?", [dimension])
        return set(rows.fetchall())

    assert values("department") == set(
        con.execute("SELECT DISTINCT city, department FROM cooperation_wide").fetchall()
    )
    for dimension, column in (("type", "type_name"), ("binding", "binding"), ("status", "status")):
        found = con.execute(f"SELECT DISTINCT NULL, {column} FROM cooperation_wide").fetchall()
        assert values(dimension) == set(found), dimension
    assert values("start_year") == set(
        con.execute(
            "SELECT DISTINCT NULL, CAST(start_year AS VARCHAR) FROM cooperation_wide "
            "WHERE start_year IS NOT NULL"
        ).fetchall()
    )
