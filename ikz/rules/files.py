"""Reading and validating the editable rules files in data/ (taxonomy, partners, topics).

Every fault is a TaxonomyError naming the file and the offending entry, in German: the strategy
office edits these files and meets the messages in the app.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ikz.core.errors import TaxonomyError
from ikz.core.paths import TAXONOMY_PATH


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


# --- the shared words: „ohne Angabe“, the origins of a value, colours and patterns ---------------

# The three origins of a shown value, by role (code) – their German names and marks are in the
# taxonomy's [origins] section.
ORIGIN_ROLES = ("document", "derived", "checked")
# Plotly's bar fill patterns ('' = solid): what a form's `pattern` may be.
FILL_PATTERNS = ("", "/", "\\", "x", "-", "|", "+", ".")
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
# The groups of forms [ideas] names, from most to least concrete short of a general exchange.
IDEA_FORM_KEYS = ("agreement", "project", "standing")


@dataclass(frozen=True)
class Origin:
    """Where a shown value comes from: its role in code, its German name and its mark."""

    role: str  # 'document', 'derived' or 'checked'
    name: str  # 'Dokument', 'abgeleitet', 'geprüft'
    mark: str  # '', '◆', '✓'

    @property
    def label(self) -> str:
        """Name with its mark in front, as tables show it: '◆ abgeleitet', 'Dokument'."""
        return f"{self.mark} {self.name}" if self.mark else self.name


@dataclass(frozen=True)
class Origins:
    """The three origins of a value, in display order."""

    document: Origin
    derived: Origin
    checked: Origin

    def __iter__(self) -> Iterator[Origin]:
        return iter((self.document, self.derived, self.checked))


@dataclass(frozen=True)
class Words:
    """The words every layer shows, named once in data/taxonomy.toml: the value for „the text says
    nothing“, the origins of a value, the categories' colours and the forms' fill patterns, and the
    groups the Anregungen's score reads ([ideas]). Patterns and rules are not part of it."""

    source: Path
    no_info: str  # 'ohne Angabe'
    origins: Origins
    colors: tuple[tuple[str, str], ...]  # (category, colour): forms, effects and [colors], as given
    patterns: tuple[tuple[str, str], ...]  # (form, fill pattern), every form; '' = solid
    committed_bindings: tuple[str, ...]  # Verbindlichkeiten that count as binding
    # How concrete an idea of each Kooperationsform is ([ideas]): 'agreement', 'project', 'standing'.
    idea_forms: tuple[tuple[str, tuple[str, ...]], ...]
    generic_effects: tuple[str, ...]  # effect categories that say little alone ([ideas])

    def color_of(self, name: str) -> str | None:
        """The colour the file gives a category; None when it gives none."""
        return dict(self.colors).get(name)

    def idea_forms_of(self, key: str) -> frozenset[str]:
        """The forms of one [ideas] group ('agreement', 'project', 'standing')."""
        return frozenset(dict(self.idea_forms)[key])

    def pattern_of(self, name: str) -> str:
        """The fill pattern of a form; '' (solid) for anything else."""
        return dict(self.patterns).get(name, "")


def words_of(source: Path, data: Mapping[str, Any]) -> Words:
    """The shared words of a parsed taxonomy file, validated; a fault names file and entry."""
    no_info = data.get("no_info")
    if not isinstance(no_info, str) or not no_info.strip():
        raise rule_error(source, "no_info", "braucht ein nicht leeres Textfeld 'no_info'")
    table = data.get("origins")
    if not isinstance(table, dict):
        raise rule_error(
            source, "origins", "Abschnitt [origins] fehlt" if table is None else "muss eine Tabelle sein"
        )
    if sorted(table) != sorted(ORIGIN_ROLES):
        raise rule_error(
            source, "origins", f"braucht genau die Einträge {list(ORIGIN_ROLES)}, hat {sorted(table)}"
        )
    origins = []
    for role in ORIGIN_ROLES:
        entry = table[role]
        name, mark = (entry.get(k) if isinstance(entry, dict) else None for k in ("name", "mark"))
        if not isinstance(name, str) or not name.strip():
            raise rule_error(source, f"origins.{role}", "braucht ein nicht leeres Textfeld 'name'")
        if not isinstance(mark, str) or (role != "document" and not mark.strip()):
            raise rule_error(source, f"origins.{role}", "braucht ein Textfeld 'mark' (ein Zeichen)")
        origins.append(Origin(role, name, mark))
    if len({o.name for o in origins}) < len(origins) or len({o.mark for o in origins}) < len(origins):
        raise rule_error(source, "origins", "Namen und Zeichen müssen verschieden sein")
    colors, patterns = [], []
    for key in ("forms", "effects"):
        tables = data.get(key)
        if not isinstance(tables, list):
            raise rule_error(source, key, f"muss eine nicht leere Liste von Tabellen [[{key}]] sein")
        for i, item in enumerate(tables):
            if not isinstance(item, dict):
                raise rule_error(source, f"{key}[{i}]", f"muss eine Tabelle [[{key}]] sein")
            name = item.get("name")
            entry = f"{key}[{i}] ({name})"
            color = item.get("color")
            if color is not None:
                if not isinstance(color, str) or not _COLOR.fullmatch(color):
                    raise rule_error(
                        source, entry, f"'color' muss eine Farbe wie \"#0B4F6C\" sein, nicht {color!r}"
                    )
                colors.append((name, color))
            if key == "forms":
                pattern = item.get("pattern", "")
                if pattern not in FILL_PATTERNS:
                    raise rule_error(source, entry, f"'pattern' muss eines von {list(FILL_PATTERNS)} sein")
                patterns.append((name, pattern))
            elif "pattern" in item:
                raise rule_error(source, entry, "'pattern' gibt es nur für Kooperationsformen")
    colors += _named_colors(source, data)
    committed = data.get("committed_bindings", [])
    if not isinstance(committed, list) or not all(isinstance(b, str) for b in committed):
        raise rule_error(source, "committed_bindings", "muss eine Liste von Texten sein")
    ideas = data.get("ideas", {})
    if not isinstance(ideas, dict):
        raise rule_error(source, "ideas", "muss eine Tabelle sein")
    form_names = [n for n, _ in patterns]
    effect_names = [t.get("name") for t in data["effects"] if isinstance(t, dict)]
    idea_forms = []
    for key in IDEA_FORM_KEYS:
        names = text_list(source, ideas, f"{key}_forms", f"ideas.{key}_forms")
        for name in names:
            if name not in form_names:
                raise rule_error(source, f"ideas.{key}_forms", f"unbekannte Kooperationsform {name!r}")
        idea_forms.append((key, tuple(names)))
    generic = text_list(source, ideas, "generic_effects", "ideas.generic_effects")
    for name in generic:
        if name not in effect_names:
            raise rule_error(source, "ideas.generic_effects", f"unbekannte Effektkategorie {name!r}")
    return Words(
        source,
        no_info,
        Origins(*origins),
        tuple(colors),
        tuple(patterns),
        tuple(committed),
        tuple(idea_forms),
        tuple(generic),
    )


# The [colors] sub-tables and where the names they colour are listed.
COLOR_GROUPS = {
    "bindings": ("bindings",),
    "status": ("status", "names"),
    "task_areas": ("task_areas", "names"),
}


def _named_colors(source: Path, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, colour) of [colors.bindings], [colors.status] and [colors.task_areas]; each name must be
    one its list names."""
    table = data.get("colors", {})
    if not isinstance(table, dict) or set(table) - set(COLOR_GROUPS):
        raise rule_error(source, "colors", f"erlaubt sind nur die Abschnitte {sorted(COLOR_GROUPS)}")
    out = []
    for group, path in COLOR_GROUPS.items():
        listed: Any = data
        for key in path:
            listed = listed.get(key, {}) if isinstance(listed, dict) else {}
        entries = table.get(group, {})
        if not isinstance(entries, dict):
            raise rule_error(source, f"colors.{group}", "muss eine Tabelle aus Name = Farbe sein")
        for name, color in entries.items():
            if not isinstance(listed, list) or name not in listed:
                raise rule_error(source, f"colors.{group}", f"unbekannter Name {name!r}")
            if not isinstance(color, str) or not _COLOR.fullmatch(color):
                raise rule_error(
                    source, f"colors.{group}.{name!r}", f'Farbe wie "#0B4F6C" nötig, nicht {color!r}'
                )
            out.append((name, color))
    return out


def load_words(source: Path) -> Words:
    """The shared words of the taxonomy file at source (only those: no patterns are compiled)."""
    return words_of(source, read_rules(source))


@functools.cache
def shipped_words() -> Words:
    """The shared words of data/taxonomy.toml, read once per process (for pages, charts, labels)."""
    return load_words(TAXONOMY_PATH)
