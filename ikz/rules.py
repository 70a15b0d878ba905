"""Reading and validating the editable rules files in data/ (taxonomy, partners, topics).

Every fault is a TaxonomyError naming the file and the offending entry, in German: the strategy
office edits these files and meets the messages in the app.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ikz.errors import TaxonomyError


def read_rules(source: Path) -> dict[str, Any]:
    """The parsed TOML of a rules file; a missing or malformed file is a TaxonomyError naming it."""
    try:
        with source.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise TaxonomyError(f"{source}: Datei nicht gefunden") from error
    except tomllib.TOMLDecodeError as error:
        raise TaxonomyError(f"{source}: kein gültiges TOML: {error}") from error


def rule_error(source: Path, entry: str, message: str) -> TaxonomyError:
    """An error naming the rules file and the offending entry."""
    return TaxonomyError(f"{source}: {entry}: {message}")


def compile_pattern(source: Path, entry: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    """The compiled pattern, or an error naming the entry."""
    try:
        compiled = re.compile(pattern, flags)
    except re.error as error:
        raise rule_error(source, entry, f"fehlerhaftes Muster {pattern!r}: {error}") from error
    # A pattern that matches empty text ('a*', 'x|') would match every record.
    if compiled.search("") is not None:
        raise rule_error(
            source, entry, f"fehlerhaftes Muster {pattern!r}: passt auf leeren Text (also auf alles)"
        )
    return compiled


def text_list(source: Path, table: Mapping[str, Any], key: str, entry: str) -> list[str]:
    """An optional list of non-empty strings (empty when the field is missing)."""
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise rule_error(source, entry, f"'{key}' muss eine Liste nicht leerer Texte sein")
    return value


def named_tables(
    source: Path, data: Mapping[str, Any], key: str, fields: set[str]
) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """Each table of the array [[key]] as (entry, name, table), e.g. ('topics[3] (Winterdienst)', …).

    The array must be non-empty; each table needs a name, unique in the file, and only the given fields.
    """
    tables = data.get(key)
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise rule_error(source, key, f"muss eine nicht leere Liste von Tabellen [[{key}]] sein")
    seen: set[str] = set()
    for i, table in enumerate(tables):
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise rule_error(source, f"{key}[{i}]", "braucht ein nicht leeres Textfeld 'name'")
        entry = f"{key}[{i}] ({name})"
        unknown = sorted(set(table) - fields)
        if unknown:
            raise rule_error(source, entry, f"unbekannte(s) Feld(er) {unknown}; erlaubt: {sorted(fields)}")
        if name in seen:
            raise rule_error(source, entry, "doppelter Name")
        seen.add(name)
        yield entry, name, table
