"""The cities the dashboard shows, read from data/cities.toml (layer: rules).

Every city name, Land, colour and seed document comes from that file; code names no city. A broken
file raises TaxonomyError in German, naming the file and the entry (the office edits it).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ikz.core.errors import TaxonomyError
from ikz.core.paths import CITIES_PATH
from ikz.rules.files import named_tables, read_rules, rule_error

# How a seed document is written, and so which parser reads it (ikz.builder.editions.seed_parsed):
# a tab-separated list, the Dezernate's report as text, or the office's edition template.
FORMATS = ("tabelle", "bericht", "vorlage")

_CITY_KEYS = {"name", "land", "ags", "code", "color", "adjective", "source"}
_SOURCE_KEYS = {"file", "format", "citation", "as_of", "note", "description", "reports_status"}
_TOP_KEYS = {"home", "owner", "compare", "cities"}
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_AGS = re.compile(r"^\d{8}$")
_CODE = re.compile(r"^[A-Z]{1,4}$")


@dataclass(frozen=True)
class SourceDocument:
    """A city's seed document (its first edition) in data/raw, as cited on charts and in the city table."""

    city: str
    state: str  # the Land
    file: str
    format: str  # one of FORMATS
    citation: str  # for chart source lines
    as_of: str  # the document's date as far as it can be told
    note: str  # what the document reports, for the Vergleich page („listet …“)
    description: str  # the document in one sentence, for the Überblick's note on comparability
    reports_status: bool  # whether it reports an Arbeitsstand

    @property
    def prints_type(self) -> bool:
        """Whether the document has Kooperationsart and Effekte columns (a report has neither:
        both are derived from its texts)."""
        return self.format != "bericht"


@dataclass(frozen=True)
class City:
    """One city of data/cities.toml."""

    name: str
    land: str
    ags: str  # Amtlicher Gemeindeschlüssel, 8 digits
    code: str  # prefix of the stable record keys
    color: str
    adjective: str  # „Erfurter“: ein … Eintrag
    source: SourceDocument

    @property
    def ars(self) -> str:
        """The 12-digit Regionalschlüssel of data/geo: AGS with the Verband digits '0000'."""
        return self.ags[:5] + "0000" + self.ags[5:]

    @property
    def genitive(self) -> str:
        """'Erfurts' (see genitive)."""
        return genitive(self.name)


@dataclass(frozen=True)
class Cities:
    """All cities in display order, the office's own city and the default compared pair."""

    cities: tuple[City, ...]
    home: str  # the office's own city (its local time)
    owner: str  # the administration the dashboard belongs to: 'Landeshauptstadt …'
    compare: tuple[str, str]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.cities)

    def get(self, name: str) -> City:
        """The city of that name; a German error naming the known ones."""
        for city in self.cities:
            if city.name == name:
                return city
        raise ValueError(f"Unbekannte Stadt „{name}“; bekannt sind: {', '.join(self.names)}.")

    @property
    def documents(self) -> tuple[SourceDocument, ...]:
        return tuple(c.source for c in self.cities)

    @property
    def colors(self) -> dict[str, str]:
        return {c.name: c.color for c in self.cities}

    def pair(self, first: str | None, second: str | None) -> tuple[str, str]:
        """Two different known cities: the given ones where they are valid, else the default pair."""
        if first in self.names and second in self.names and first != second:
            return first, second  # type: ignore[return-value]
        return self.compare


def genitive(name: str) -> str:
    """'Erfurts', 'Magdeburgs' (a name ending in s, ß, x or z takes an apostrophe: 'Mainz’')."""
    return f"{name}’" if name[-1:] in "sßxz" else f"{name}s"


def joined(names: tuple[str, ...] | list[str]) -> str:
    """Names in German prose: 'Erfurt', 'Erfurt und Magdeburg', 'Erfurt, Jena und Magdeburg'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " und " + names[-1]


def _text(source: Path, table: dict[str, Any], key: str, entry: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise rule_error(source, entry, f"braucht ein nicht leeres Textfeld '{key}'")
    return value.strip()


def _flag(source: Path, table: dict[str, Any], key: str, entry: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise rule_error(source, entry, f"'{key}' muss true oder false sein, nicht {value!r}")
    return value


def _city(source: Path, entry: str, name: str, table: dict[str, Any]) -> City:
    land = _text(source, table, "land", entry)
    ags = _text(source, table, "ags", entry)
    if not _AGS.match(ags):
        raise rule_error(source, entry, f"'ags' muss der achtstellige Gemeindeschlüssel sein, nicht {ags!r}")
    code = _text(source, table, "code", entry)
    if not _CODE.match(code):
        raise rule_error(source, entry, f"'code' muss aus 1–4 Großbuchstaben bestehen, nicht {code!r}")
    color = _text(source, table, "color", entry)
    if not _COLOR.match(color):
        raise rule_error(source, entry, f"'color' muss eine Farbe wie '#B3282D' sein, nicht {color!r}")
    adjective = table.get("adjective", f"{name}er")
    if not isinstance(adjective, str) or not adjective.strip():
        raise rule_error(source, entry, "'adjective' muss ein nicht leerer Text sein")
    doc = table.get("source")
    where = f"{entry}.source"
    if not isinstance(doc, dict):
        raise rule_error(source, entry, "braucht eine Tabelle [cities.source] mit dem Ausgangsdokument")
    unknown = sorted(set(doc) - _SOURCE_KEYS)
    if unknown:
        raise rule_error(source, where, f"unbekannte(s) Feld(er) {unknown}; erlaubt: {sorted(_SOURCE_KEYS)}")
    fmt = _text(source, doc, "format", where)
    if fmt not in FORMATS:
        raise rule_error(source, where, f"unbekanntes Format {fmt!r}; bekannt: {list(FORMATS)}")
    file = _text(source, doc, "file", where)
    if "/" in file or "\\" in file:
        raise rule_error(source, where, f"'file' ist ein Dateiname in data/raw, ohne Ordner: {file!r}")
    document = SourceDocument(
        city=name,
        state=land,
        file=file,
        format=fmt,
        citation=_text(source, doc, "citation", where),
        as_of=_text(source, doc, "as_of", where),
        note=_text(source, doc, "note", where),
        description=_text(source, doc, "description", where),
        reports_status=_flag(source, doc, "reports_status", where),
    )
    return City(name, land, ags, code, color, adjective.strip(), document)


def read_cities(source: Path) -> Cities:
    """The validated cities file at source; any fault raises TaxonomyError naming file and entry."""
    data = read_rules(source)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise TaxonomyError(f"{source}: unbekannte(r) Schlüssel {unknown}; erlaubt: {sorted(_TOP_KEYS)}")
    cities = tuple(
        _city(source, entry, name.strip(), table)
        for entry, name, table in named_tables(source, data, "cities", _CITY_KEYS)
    )
    names = [c.name for c in cities]
    for label, values in (
        ("code", [c.code for c in cities]),
        ("source.file", [c.source.file for c in cities]),
    ):
        doubled = sorted({v for v in values if values.count(v) > 1})
        if doubled:
            raise rule_error(source, "cities", f"'{label}' doppelt vergeben: {', '.join(doubled)}")
    home = data.get("home")
    if home not in names:
        raise rule_error(source, "home", f"muss eine der Städte sein ({', '.join(names)}), nicht {home!r}")
    compare = data.get("compare")
    if (
        not isinstance(compare, list)
        or len(compare) != 2
        or compare[0] == compare[1]
        or any(c not in names for c in compare)
    ):
        raise rule_error(
            source, "compare", f"muss zwei verschiedene Städte nennen ({', '.join(names)}), nicht {compare!r}"
        )
    owner = data.get("owner")
    if not isinstance(owner, str) or not owner.strip():
        raise rule_error(source, "owner", "braucht einen nicht leeren Text ('Landeshauptstadt …')")
    return Cities(cities, home, owner.strip(), (compare[0], compare[1]))


@functools.cache
def load_cities(source: Path = CITIES_PATH) -> Cities:
    """The cities file, read once per process (data/cities.toml, or under $IKZ_DATA)."""
    return read_cities(source)
