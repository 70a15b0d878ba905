"""One home per fact: the words every layer shows – the origins of a value and their marks, „ohne
Angabe“, the Kooperationsformen and Effektkategorien – are named in data/taxonomy.toml only, and the
schema is declared once (ikz/core/schema.sql). The code takes the words from the rules loader or the
build's dimension tables; these tests search it for a copy."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ikz.builder import review
from ikz.builder.database import build
from ikz.core.errors import TaxonomyError
from ikz.core.paths import ROOT, SCHEMA_PATH, TAXONOMY_PATH
from ikz.core.table_schema import TABLES, polars_schemas
from ikz.derive import matching, normalise
from ikz.derive.classify import load_taxonomy
from ikz.rules.files import load_words, shipped_words

CODE = sorted(
    [
        ROOT / "app.py",
        *(ROOT / "pages").rglob("*.py"),
        *(ROOT / "ikz").rglob("*.py"),
        *(ROOT / "ikz").rglob("*.sql"),
    ]
)
# A literal that uses one of the words in another sense, with the reason; (file, text in it).
OTHER_SENSE = {
    # An edition is made from („abgeleitet von“) the current one: not the origin of a value.
    ("pages/maintain.py", "abgeleitet von der aktuellen"),
    # The Excel template's example of a printed Kooperationsart cell: what a person may type.
    ("ikz/parse/edition.py", "Zweckvereinbarung"),
    # ✓ marks the current edition in the list of editions, not a checked value.
    ("pages/maintain.py", "✓"),
}


def _literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal of a Python file except docstrings, or of every SQL line
    without its comment: what the program says, not what a comment explains."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".sql":
        for n, line in enumerate(text.splitlines(), start=1):
            yield n, line.split("--", 1)[0]
        return
    tree = ast.parse(text)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """What counts as a copy: a mark anywhere; a category name or „ohne Angabe“ within a text; an
    origin's name as a whole word."""
    words = shipped_words()
    taxonomy = load_taxonomy()
    names = [words.no_info, *taxonomy.forms(), *(name for name, _ in taxonomy.effect_categories())]
    found = [(o.mark, re.compile(re.escape(o.mark))) for o in words.origins if o.mark]
    found += [(name, re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")) for name in dict.fromkeys(names)]
    found += [(o.name, re.compile(rf"(?<!\w){re.escape(o.name)}(?!\w)")) for o in words.origins]
    return found


def copies(files: list[Path] = CODE, root: Path = ROOT) -> list[str]:
    """Every literal in the files that spells out one of the words, as 'file:line: word in text'."""
    patterns = _patterns()
    out = []
    for path in files:
        where = path.relative_to(root).as_posix()
        for line, text in _literals(path):
            for word, pattern in patterns:
                if pattern.search(text) and not any(f == where and s in text for f, s in OTHER_SENSE):
                    out.append(f"{where}:{line}: {word!r} in {text[:80]!r}")
    return out


def test_the_words_are_named_only_in_the_rules_files() -> None:
    found = copies()
    assert found == [], "named outside data/taxonomy.toml:\n" + "\n".join(found)


def test_the_search_finds_a_copy(tmp_path: Path) -> None:
    """The search is not blind: a page that spells out a form, a mark or an origin is caught."""
    words = shipped_words()
    form = load_taxonomy().forms()[0]
    page = tmp_path / "pages" / "copy.py"
    page.parent.mkdir()
    page.write_text(
        f'"""A page."""\nNOTE = "nur {form}"\nMARK = f"{{1}} {words.origins.checked.mark}"\n'
        f"SOURCE = {words.origins.derived.name!r}\n# {words.no_info} in a comment is no copy\n",
        encoding="utf-8",
    )
    found = copies([page], tmp_path)
    assert sorted(f.split(": ", 1)[1].split(" in ")[0] for f in found) == sorted(
        [repr(form), repr(words.origins.checked.mark), repr(words.origins.derived.name)]
    )


def test_a_rules_file_without_origins_or_with_a_bad_colour_or_name_is_refused(tmp_path: Path) -> None:
    text = TAXONOMY_PATH.read_text(encoding="utf-8")
    start = text.index("[origins.document]")
    no_origins = text[:start] + text[text.index("# ----", start) :]
    bad_colour = text.replace('color = "#0B4F6C"', 'color = "blau"', 1)
    bad_pattern = text.replace("pattern = '/'", "pattern = '#'", 1)
    unknown_status = text.replace('[colors.status]\n"umgesetzt"', '[colors.status]\n"erledigt"', 1)
    for name, broken, message in (
        ("origins", no_origins, "origins"),
        ("colour", bad_colour, "'color'"),
        ("pattern", bad_pattern, "'pattern'"),
        ("status", unknown_status, "colors.status: unbekannter Name 'erledigt'"),
    ):
        assert broken != text, name
        path = tmp_path / f"{name}.toml"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(TaxonomyError, match=message):
            load_words(path)
        with pytest.raises(TaxonomyError, match=message):
            load_taxonomy(path)


@pytest.mark.slow  # a real build: seconds
def test_renamed_origins_reach_the_built_tables(tmp_path: Path) -> None:
    """The origins' words come from the rules file: renamed there, the build writes the new words."""
    text = TAXONOMY_PATH.read_text(encoding="utf-8")
    for role, new_name, new_mark in (("derived", "erschlossen", "◇"), ("checked", "bestätigt", "☑")):
        old = shipped_words().origins.__getattribute__(role)
        section = f'[origins.{role}]\nname = "{old.name}"\nmark = "{old.mark}"'
        assert text.count(section) == 1
        text = text.replace(section, f'[origins.{role}]\nname = "{new_name}"\nmark = "{new_mark}"')
    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_text(text, encoding="utf-8")
    target = tmp_path / "ikz.duckdb"
    build(target, taxonomy_path=taxonomy)
    with duckdb.connect(str(target), read_only=True) as con:
        sources = {r[0] for r in con.execute("SELECT DISTINCT type_source FROM cooperation").fetchall()}
        origins = {
            r[0].split(" (")[0]
            for r in con.execute("SELECT DISTINCT type_origin FROM cooperation_origin").fetchall()
        }
        labels = dict(con.execute("SELECT role, label FROM origin").fetchall())
    assert "erschlossen" in sources and shipped_words().origins.derived.name not in sources
    assert "◇ erschlossen" in origins
    assert labels["checked"] == "☑ bestätigt"


def test_the_schema_is_declared_once_in_schema_sql(tmp_path: Path) -> None:
    """Every frame the build inserts has its table's columns and types as schema.sql declares them,
    and every table of schema.sql is made by exactly one module, in the file's order."""
    ddl = SCHEMA_PATH.read_text(encoding="utf-8").split("-- @marts")[0]
    declared = re.findall(r"^CREATE TABLE (\w+) \(", ddl, flags=re.MULTILINE)
    makers = [*normalise.TABLE_ORDER, *matching.MATCH_TABLES, *review.TABLES]
    assert sorted(makers) == sorted(declared)
    assert list(normalise.TABLE_ORDER) == [t for t in declared if t in normalise.TABLE_ORDER]
    assert list(TABLES) == declared
    # The types are DuckDB's reading of the DDL: a column changed there changes the polars schema.
    changed = ddl.replace(
        "    score                 DOUBLE NOT NULL", "    score                 INTEGER NOT NULL"
    )
    assert changed != ddl
    path = tmp_path / "schema.sql"
    path.write_text(changed + "-- @marts\n", encoding="utf-8")
    assert polars_schemas(path)["cooperation_match"]["score"] == pl.Int32()
    assert TABLES["cooperation_match"]["score"] == pl.Float64()
    assert matching.MATCH_SCHEMA is TABLES["cooperation_match"]


def test_the_built_tables_have_exactly_the_declared_columns(built_db: Path) -> None:
    with duckdb.connect(str(built_db), read_only=True) as con:
        for table, schema in TABLES.items():
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            assert columns == list(schema), table
