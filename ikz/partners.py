"""Find named partners (Landkreise, cities, Land authorities, associations …) in cooperation texts.

The vocabulary is data/partners.toml, a small gazetteer; this module is pure: texts in, matches out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ikz import paths
from ikz.classify import normalise
from ikz.errors import TaxonomyError
from ikz.rules import read_rules
from ikz.sources import DOCUMENTS

# Fixed: chart colours (ikz.theme.PARTNER_KIND_COLORS) and the schema's CHECK depend on them.
KINDS = (
    "Landkreis",
    "kreisfreie Stadt",
    "Gemeinde",
    "Landesbehörde",
    "Verband/Verein",
    "Bund/Bundesbehörde",
    "Sonstige",
)
_ENTRY_KEYS = {"name", "kind", "aliases", "patterns", "cities"}


@dataclass(frozen=True)
class Partner:
    """One partner of the gazetteer: its canonical name and kind."""

    name: str
    kind: str


@dataclass(frozen=True)
class PartnerMatch:
    """A partner named in a record's texts, with the words that named it."""

    partner: Partner
    evidence: tuple[str, ...]  # e.g. ('Bezeichnung/Thema: „Ilmkreis“',), in text order


@dataclass(frozen=True)
class _Entry:
    """A partner and the compiled patterns that recognise it."""

    partner: Partner
    patterns: tuple[re.Pattern[str], ...]
    cities: tuple[str, ...]  # empty: any city's texts


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    order: int  # the entry's place in the file: tie-break between equally long hits
    entry: _Entry


@dataclass(frozen=True)
class Gazetteer:
    """The parsed, validated partner vocabulary; apply it with find()."""

    source: Path
    entries: tuple[_Entry, ...]

    def partners(self) -> list[Partner]:
        """Every partner of the file, in file order."""
        return [e.partner for e in self.entries]

    def find(self, texts: Sequence[tuple[str, str | None]], *, city: str) -> list[PartnerMatch]:
        """Partners named in the labelled texts of one record of city, in order of first mention.

        Overlapping hits in a text resolve to the longest ("Landkreis Weimar" beats "Weimar");
        the city itself is never its own partner.
        """
        entries = [(i, e) for i, e in enumerate(self.entries) if not e.cities or city in e.cities]
        found: dict[str, tuple[Partner, list[str]]] = {}
        for label, raw in texts:
            if not raw:
                continue
            text = normalise(raw)
            for hit in _longest_hits(text, entries):
                partner = hit.entry.partner
                if partner.name == city:
                    continue
                words = f"{label}: „{text[hit.start : hit.end]}“"
                evidence = found.setdefault(partner.name, (partner, []))[1]
                if words not in evidence:
                    evidence.append(words)
        return [PartnerMatch(partner, tuple(evidence)) for partner, evidence in found.values()]


def _longest_hits(text: str, entries: Sequence[tuple[int, _Entry]]) -> list[_Hit]:
    """All hits of the entries in text, overlaps resolved to the longest, in text order."""
    hits = [
        _Hit(m.start(), m.end(), order, entry)
        for order, entry in entries
        for pattern in entry.patterns
        for m in pattern.finditer(text)
        if m.end() > m.start()
    ]
    hits.sort(key=lambda h: (-(h.end - h.start), h.start, h.order))
    kept: list[_Hit] = []
    for hit in hits:
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: (h.start, h.order))


def alias_pattern(alias: str) -> str:
    """Regex for a literal alias as a whole word: 'Halle' does not match 'Turnhalle'."""
    return rf"(?<!\w){re.escape(alias)}(?!\w)"


# --- loading and validation -------------------------------------------------------------------


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Read, validate and compile the partner file (default data/partners.toml)."""
    source = path if path is not None else paths.PARTNERS_PATH
    data = read_rules(source)
    return Gazetteer(source, _entries(source, data))


def _entries(source: Path, data: Mapping[str, Any]) -> tuple[_Entry, ...]:
    """The validated entries; any fault raises TaxonomyError naming file and entry."""

    def fail(entry: str, message: str) -> TaxonomyError:
        return TaxonomyError(f"{source}: {entry}: {message}")

    tables = data.get("partners")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise fail("partners", "muss eine nicht leere Liste von Tabellen [[partners]] sein")
    known_cities = [d.city for d in DOCUMENTS]
    entries: list[_Entry] = []
    seen: set[str] = set()
    for i, table in enumerate(tables):
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise fail(f"partners[{i}]", "braucht ein nicht leeres Textfeld 'name'")
        entry = f"partners[{i}] ({name})"
        unknown = sorted(set(table) - _ENTRY_KEYS)
        if unknown:
            raise fail(entry, f"unbekannte(s) Feld(er) {unknown}; erlaubt: {sorted(_ENTRY_KEYS)}")
        if name in seen:
            raise fail(entry, "doppelter Name")
        seen.add(name)
        kind = table.get("kind")
        if kind not in KINDS:
            raise fail(entry, f"unbekannte Art {kind!r}; bekannt: {list(KINDS)}")
        aliases = _strings(table, "aliases", entry, fail)
        patterns = _strings(table, "patterns", entry, fail)
        if not aliases and not patterns:
            raise fail(entry, "braucht 'aliases' oder 'patterns'")
        cities = _strings(table, "cities", entry, fail)
        for city in cities:
            if city not in known_cities:
                raise fail(entry, f"unbekannte Stadt {city!r}; bekannt: {known_cities}")
        compiled = [_compile(alias_pattern(a), entry, fail) for a in aliases]
        compiled += [_compile(p, entry, fail) for p in patterns]
        entries.append(_Entry(Partner(name, kind), tuple(compiled), tuple(cities)))
    return tuple(entries)


def _strings(table: Mapping[str, Any], key: str, entry: str, fail: Any) -> list[str]:
    """An optional list of non-empty strings."""
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(entry, f"'{key}' muss eine Liste nicht leerer Texte sein")
    return value


def _compile(pattern: str, entry: str, fail: Any) -> re.Pattern[str]:
    """A compiled, case-sensitive pattern that cannot match empty text."""
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise fail(entry, f"fehlerhaftes Muster {pattern!r}: {error}") from error
    if compiled.search("") is not None:
        raise fail(entry, f"fehlerhaftes Muster {pattern!r}: passt auf leeren Text (also auf alles)")
    return compiled
