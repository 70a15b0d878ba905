"""A city's name has one home, data/cities.toml: no string or SQL in the code may spell it.

Searched: every string literal of app.py, pages/ and ikz/ (f-strings and SQL inside Python
included; docstrings, comments and identifiers are not data and are left alone) and every .sql
file without its comments. A city typed there would stay behind when the cities file changes.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from ikz.core.errors import TaxonomyError
from ikz.core.paths import CITIES_PATH, ROOT
from ikz.rules import geo
from ikz.rules.cities import load_cities, read_cities

CODE = [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "ikz").rglob("*.py"))]
SQL = sorted((ROOT / "ikz").rglob("*.sql"))


def _words() -> re.Pattern[str]:
    """The cities' names and adjectives, case-insensitive, also inside identifiers of SQL
    (count_erfurt) and file names (erfurt_kooperationen.tsv)."""
    cities = load_cities().cities
    words = sorted({w for c in cities for w in (c.name, c.adjective)}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def _docstring_lines(source: str) -> set[int]:
    """First lines of the module's, classes' and functions' docstrings."""
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            first = body[0] if body else None
            is_text = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            if is_text and isinstance(first.value.value, str):
                lines.add(first.lineno)
    return lines


def city_literals(path: Path, pattern: re.Pattern[str], root: Path = ROOT) -> list[str]:
    """'file:line: literal' for each string literal of a Python file, or each SQL line, naming a city."""
    text = path.read_text(encoding="utf-8")
    where = path.relative_to(root)
    if path.suffix == ".sql":
        return [
            f"{where}:{n}: {line.strip()}"
            for n, line in enumerate(text.splitlines(), start=1)
            if pattern.search(line.split("--", 1)[0])
        ]
    docstrings = _docstring_lines(text)
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.STRING or token.start[0] in docstrings:
            continue
        # SQL in a Python string: its comments are prose, like the .sql files'.
        if pattern.search("\n".join(line.split("--", 1)[0] for line in token.string.splitlines())):
            found.append(f"{where}:{token.start[0]}: {token.string[:80]}")
    return found


def test_no_city_name_in_code() -> None:
    pattern = _words()
    found = [hit for path in [*CODE, *SQL] for hit in city_literals(path, pattern)]
    assert not found, "Stadtnamen gehören nach data/cities.toml:\n" + "\n".join(found)


def test_the_search_finds_a_typed_city(tmp_path: Path) -> None:
    """The search itself works: a literal, an f-string and SQL are found; comment and docstring not."""
    city = load_cities().names[0]
    code = tmp_path / "x.py"
    code.write_text(
        f'"""Doc {city}."""\n# {city}\nA = "{city}"\nB = f"nur {{x}} {city.lower()}"\nC = 1\n',
        encoding="utf-8",
    )
    sql = tmp_path / "x.sql"
    sql.write_text(f"-- {city}\nSELECT 1 AS count_{city.lower()};\n", encoding="utf-8")
    pattern = _words()
    assert [h.split(":")[1] for h in city_literals(code, pattern, tmp_path)] == ["3", "4"]
    assert [h.split(":")[1] for h in city_literals(sql, pattern, tmp_path)] == ["2"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('home = "Erfurt"', 'home = "Weimar"'), "home: muss eine der Städte sein"),
        (('compare = ["Erfurt", "Magdeburg"]', 'compare = ["Erfurt"]'), "compare: muss zwei"),
        (('color = "#B3282D"', 'color = "rot"'), "'color' muss eine Farbe"),
        (('ags = "16051000"', 'ags = "1605"'), "achtstellige Gemeindeschlüssel"),
        (('format = "tabelle"', 'format = "pdf"'), "unbekanntes Format 'pdf'"),
        (('code = "MD"', 'code = "EF"'), "'code' doppelt vergeben: EF"),
        (('[[cities]]\nname = "Magdeburg"', '[[cities]]\nname = "Erfurt"'), "doppelter Name"),
    ],
)
def test_a_broken_cities_file_is_a_german_error(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = CITIES_PATH.read_text(encoding="utf-8")
    assert change[0] in text
    broken = tmp_path / "cities.toml"
    broken.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=re.escape(message)) as info:
        read_cities(broken)
    assert str(broken) in str(info.value)


def test_the_shipped_file_names_the_two_cities_in_order() -> None:
    cities = read_cities(CITIES_PATH)
    assert cities.names == ("Erfurt", "Magdeburg")
    assert cities.compare == ("Erfurt", "Magdeburg")
    # Each key is a municipality of data/geo of that name (its 12-digit ARS).
    places = geo.places()
    assert [places[c.ars].name for c in cities.cities] == ["Erfurt", "Magdeburg"]
    assert [c.genitive for c in cities.cities] == ["Erfurts", "Magdeburgs"]
