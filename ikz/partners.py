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
from ikz.rules import compile_pattern, named_tables, read_rules, rule_error, text_list
from ikz.sources import DOCUMENTS

_ENTRY_KEYS = {"name", "kind", "aliases", "patterns", "cities"}
# A partner named in a clause that refuses or negates is no partner: "die Stadt Jena hat keinen
# konkreten Bedarf an einer weiteren Zusammenarbeit angekündigt".
_REFUSAL = re.compile(
    r"(?<!\w)(?:kein|keine|keinen|keiner|nicht|verweigert|abgelehnt|lehnt\w* ab)(?!\w)", re.I
)
# Clauses end at sentence ends, semicolons and bullets.
_CLAUSE = re.compile(r"[^.;!?•]+")


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
    kinds: tuple[str, ...]  # the kinds of partner, in display order (the file's `kinds`)
    entries: tuple[_Entry, ...]

    def partners(self) -> list[Partner]:
        """Every partner of the file, in file order."""
        return [e.partner for e in self.entries]

    def find(self, texts: Sequence[tuple[str, str | None]], *, city: str) -> list[PartnerMatch]:
        """Partners named in the labelled texts of one record of city, in order of first mention.

        Overlapping hits in a text resolve to the longest ("Landkreis Weimar" beats "Weimar");
        the city itself is never its own partner, nor is a partner named in a refusal or negation.
        """
        entries = [(i, e) for i, e in enumerate(self.entries) if not e.cities or city in e.cities]
        found: dict[str, tuple[Partner, list[str]]] = {}
        for label, raw in texts:
            if not raw:
                continue
            text = normalise(raw)
            refused = [m.span() for m in _CLAUSE.finditer(text) if _REFUSAL.search(m.group(0))]
            for hit in _longest_hits(text, entries):
                partner = hit.entry.partner
                if partner.name == city or any(a <= hit.start < b for a, b in refused):
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
    kinds = tuple(text_list(source, data, "kinds", "kinds"))
    if not kinds or len(set(kinds)) != len(kinds):
        raise rule_error(source, "kinds", "muss eine nicht leere Liste verschiedener Arten sein")
    return Gazetteer(source, kinds, _entries(source, data, kinds))


def _entries(source: Path, data: Mapping[str, Any], kinds: tuple[str, ...]) -> tuple[_Entry, ...]:
    """The validated entries; any fault raises TaxonomyError naming file and entry."""

    known_cities = [d.city for d in DOCUMENTS]
    entries: list[_Entry] = []
    for entry, name, table in named_tables(source, data, "partners", _ENTRY_KEYS):
        kind = table.get("kind")
        if kind not in kinds:
            raise rule_error(source, entry, f"unbekannte Art {kind!r}; bekannt: {list(kinds)}")
        aliases = text_list(source, table, "aliases", entry)
        patterns = text_list(source, table, "patterns", entry)
        if not aliases and not patterns:
            raise rule_error(source, entry, "braucht 'aliases' oder 'patterns'")
        cities = text_list(source, table, "cities", entry)
        for city in cities:
            if city not in known_cities:
                raise rule_error(source, entry, f"unbekannte Stadt {city!r}; bekannt: {known_cities}")
        # Case-sensitive: alias_pattern decides which letters may vary.
        compiled = [compile_pattern(source, entry, alias_pattern(a)) for a in aliases]
        compiled += [compile_pattern(source, entry, p) for p in patterns]
        entries.append(_Entry(Partner(name, kind), tuple(compiled), tuple(cities)))
    return tuple(entries)
