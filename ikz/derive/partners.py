"""Find named partners (Landkreise, cities, Land authorities, associations …) in cooperation texts.

The vocabulary is data/partners.toml, a small gazetteer; this module is pure: texts in, matches out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import simplemma

from ikz.core import paths
from ikz.derive.classify import normalise
from ikz.rules import geo
from ikz.rules.files import compile_pattern, named_tables, read_rules, rule_error, text_list
from ikz.rules.sources import DOCUMENTS

_ENTRY_KEYS = {"name", "kind", "aliases", "patterns", "cities", "ars"}
FREE_CITY = "Kreisfreie Stadt"  # data/geo's Bezeichnung of a Kreis that is one town
_PLACES_KEYS = {"lands", "kinds", "town_prefixes", "county_prefixes"}
# The key lengths geo.place understands: Kreis, Verwaltungsgemeinschaft, Gemeinde.
_KEY_LENGTHS = (geo.KREIS_DIGITS, geo.VERBAND_DIGITS, geo.GEMEINDE_DIGITS)
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
    place: geo.Place | None = None  # where the map draws it (placeable kinds only)


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
    # Per placeable kind, the allowed key lengths (the file's `place_keys`); these kinds are mapped.
    place_keys: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    # Every Gemeinde and Landkreis of data/geo without an entry of its own ([places]): one pattern
    # for all their names, each name → the places it may mean (after the file's entries in order).
    places: tuple[_Entry, ...] = ()
    place_pattern: re.Pattern[str] | None = None
    place_names: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    def partners(self) -> list[Partner]:
        """Every partner of the file, in file order, then the places of data/geo."""
        return [e.partner for e in (*self.entries, *self.places)]

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
            for hit in _longest_hits(text, entries, self._place_hits(text, city)):
                partner = hit.entry.partner
                if partner.name == city or any(a <= hit.start < b for a, b in refused):
                    continue
                words = f"{label}: „{text[hit.start : hit.end]}“"
                evidence = found.setdefault(partner.name, (partner, []))[1]
                if words not in evidence:
                    evidence.append(words)
        return [PartnerMatch(partner, tuple(evidence)) for partner, evidence in found.values()]

    def _place_hits(self, text: str, city: str) -> list[_Hit]:
        """Names of data/geo's places in the text (one regex for all), for the places city may mean."""
        if self.place_pattern is None:
            return []
        base = len(self.entries)
        return [
            _Hit(m.start(), m.end(), base + i, self.places[i])
            for m in self.place_pattern.finditer(text)
            for i in self.place_names.get(m.group(0), ())
            if not self.places[i].cities or city in self.places[i].cities
        ]


def _longest_hits(text: str, entries: Sequence[tuple[int, _Entry]], extra: Sequence[_Hit] = ()) -> list[_Hit]:
    """All hits of the entries in text (and extra ones), overlaps resolved to the longest, in text order."""
    hits = [*extra] + [
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


def load_gazetteer(path: Path | None = None, geo_dir: Path | None = None) -> Gazetteer:
    """Read, validate and compile the partner file (default data/partners.toml)."""
    source = path if path is not None else paths.PARTNERS_PATH
    data = read_rules(source)
    kinds = tuple(text_list(source, data, "kinds", "kinds"))
    if not kinds or len(set(kinds)) != len(kinds):
        raise rule_error(source, "kinds", "muss eine nicht leere Liste verschiedener Arten sein")
    place_keys = _place_keys(source, data, kinds)
    entries = _entries(source, data, kinds, place_keys, geo_dir)
    places, pattern, names = _place_entries(source, data, kinds, entries, geo_dir)
    return Gazetteer(source, kinds, entries, place_keys, places, pattern, names)


def _is_common_noun(word: str) -> bool:
    """True when the word has inflected forms in simplemma's German lexicon („Burgen“, „Hallen“):
    a place of that name („Burg“) is only meant where the text says so („Stadt Burg“)."""
    return any(
        simplemma.lemmatize(word + ending, lang="de") == word for ending in ("e", "en", "n", "er", "es")
    )


def _place_entries(
    source: Path,
    data: Mapping[str, Any],
    kinds: tuple[str, ...],
    entries: Sequence[_Entry],
    geo_dir: Path | None,
) -> tuple[tuple[_Entry, ...], re.Pattern[str] | None, dict[str, tuple[int, ...]]]:
    """Entries for every Gemeinde and Landkreis of the [places] lands that has no entry of its own.

    Names: „X“, „Stadt X“ (town_prefixes), „Landkreis X“ (county_prefixes), „X-Kreis“ and
    „Xkreis“ alike; a name that is also a common noun only with its prefix; a name that two places
    of one Land share means neither; a name shared across Länder means the place in the city's own.
    """
    table = data.get("places")
    if table is None:
        return (), None, {}
    if not isinstance(table, dict) or set(table) - _PLACES_KEYS:
        raise rule_error(source, "places", f"erlaubt sind die Schlüssel {sorted(_PLACES_KEYS)}")
    lands = table.get("lands", {})
    kind_of = table.get("kinds", {})
    if not isinstance(lands, dict) or not isinstance(kind_of, dict):
        raise rule_error(source, "places", "'lands' und 'kinds' müssen Tabellen sein")
    for kind in kind_of.values():
        if kind not in kinds:
            raise rule_error(source, "places.kinds", f"unbekannte Art {kind!r}; bekannt: {list(kinds)}")
    town_prefixes = text_list(source, table, "town_prefixes", "places")
    county_prefixes = text_list(source, table, "county_prefixes", "places")
    cities_of_land = {key: [d.city for d in DOCUMENTS if d.state == land] for land, key in lands.items()}
    taken = {e.partner.place.ars for e in entries if e.partner.place} | {e.partner.name for e in entries}
    every = geo.places(geo_dir)
    free_cities = {p.ars[: geo.KREIS_DIGITS] for p in every.values() if p.kind == FREE_CITY}

    candidates: list[tuple[Partner, list[str]]] = []
    for p in every.values():
        if p.ars[:2] not in cities_of_land or p.ars in taken or len(p.ars) == geo.VERBAND_DIGITS:
            continue
        if len(p.ars) == geo.KREIS_DIGITS:
            kind = p.kind
            if kind not in kind_of or kind == FREE_CITY:
                continue  # a kreisfreie Stadt is found as its Gemeinde
            name = p.name if "kreis" in p.name.casefold() else f"{p.kind} {p.name}"
            bases = {p.name}
            if p.name.endswith("-Kreis"):
                bases.add(p.name.removesuffix("-Kreis") + "kreis")
            elif p.name.endswith("kreis"):
                bases.add(p.name.removesuffix("kreis") + "-Kreis")
            prefixes = county_prefixes
        else:
            kind = FREE_CITY if p.ars[: geo.KREIS_DIGITS] in free_cities else p.kind
            if kind not in kind_of:
                continue
            # „Halle (Saale)“, „Mühlhausen/Thüringen“: also the name before its addition.
            name, prefixes = p.name, town_prefixes
            bases = {p.name, p.name.split(" (")[0], p.name.split("/")[0]}
        if name in taken:
            continue
        aliases = [f"{prefix} {base}" for base in sorted(bases) for prefix in prefixes]
        # A name of several words is no common noun, even where its last word is one („Ilm-Kreis“).
        aliases += [b for b in sorted(bases) if any(c in b for c in " -") or not _is_common_noun(b)]
        candidates.append((Partner(name, kind_of[kind], p), aliases))

    # Partner names are unique: places of one name are told apart by their Kreis („Elxleben (Ilm-Kreis)“).
    counts: dict[str, int] = {}
    for partner, _ in candidates:
        counts[partner.name] = counts.get(partner.name, 0) + 1
    for i, (partner, aliases) in enumerate(candidates):
        if counts[partner.name] > 1 and partner.place is not None:
            kreis = every.get(partner.place.ars[: geo.KREIS_DIGITS])
            label = (
                kreis.name
                if kreis is not None and len(partner.place.ars) > geo.KREIS_DIGITS
                else partner.place.ars
            )
            candidates[i] = (replace(partner, name=f"{partner.name} ({label})"), aliases)
    # A name two places of one Land share means neither; across Länder, each its own Land's cities.
    by_alias: dict[str, list[int]] = {}
    for i, (_partner, aliases) in enumerate(candidates):
        for alias in dict.fromkeys(aliases):
            by_alias.setdefault(alias, []).append(i)
    names: dict[str, tuple[int, ...]] = {}
    for alias, indexes in by_alias.items():
        lands_seen = [candidates[i][0].place.ars[:2] for i in indexes]  # type: ignore[union-attr]
        if len(set(lands_seen)) == len(lands_seen):
            names[alias] = tuple(indexes)
    places = tuple(
        _Entry(
            partner,
            (),
            tuple(cities_of_land[partner.place.ars[:2]]) if _shared(aliases, names) else (),  # type: ignore[union-attr]
        )
        for partner, aliases in candidates
    )
    if not names:
        return places, None, names
    alternatives = "|".join(re.escape(a) for a in sorted(names, key=len, reverse=True))
    return places, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), names


def _shared(aliases: Sequence[str], names: Mapping[str, tuple[int, ...]]) -> bool:
    """True when one of the aliases also names a place of another Land."""
    return any(len(names.get(a, ())) > 1 for a in aliases)


def _place_keys(source: Path, data: Mapping[str, Any], kinds: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    """The file's `place_keys`: per placeable kind, the allowed lengths of its key (ARS)."""
    table = data.get("place_keys", {})
    if not isinstance(table, dict):
        raise rule_error(source, "place_keys", "muss eine Tabelle Art = [Ziffernzahlen] sein")
    keys: dict[str, tuple[int, ...]] = {}
    for kind, lengths in table.items():
        if kind not in kinds:
            raise rule_error(source, "place_keys", f"unbekannte Art {kind!r}; bekannt: {list(kinds)}")
        if (
            not isinstance(lengths, list)
            or not lengths
            or any(type(n) is not int or n not in _KEY_LENGTHS for n in lengths)
        ):
            raise rule_error(
                source, "place_keys", f"{kind!r}: Liste aus {list(_KEY_LENGTHS)} erwartet, nicht {lengths!r}"
            )
        keys[kind] = tuple(lengths)
    return keys


def _place(
    source: Path,
    entry: str,
    kind: str,
    table: Mapping[str, Any],
    place_keys: Mapping[str, tuple[int, ...]],
    geo_dir: Path | None,
) -> geo.Place | None:
    """The place an entry's key names; a placeable kind without a valid, known key is an error."""
    ars = table.get("ars")
    digits = place_keys.get(kind)
    if digits is None:
        if ars is not None:
            raise rule_error(source, entry, f"'ars' nur für {list(place_keys)}, nicht für {kind!r}")
        return None
    if ars is None:
        raise rule_error(
            source,
            entry,
            f"braucht 'ars' (Amtlicher Regionalschlüssel), damit die Karte {kind!r} zeigen kann",
        )
    if not isinstance(ars, str) or not ars.isascii() or not ars.isdigit() or len(ars) not in digits:
        lengths = " oder ".join(str(d) for d in digits)
        raise rule_error(source, entry, f"'ars' muss ein Text aus {lengths} Ziffern sein, nicht {ars!r}")
    place = geo.place(ars, geo_dir)
    if place is None:
        raise rule_error(source, entry, f"Schlüssel {ars} steht nicht in den Geodaten (data/geo)")
    return place


def _entries(
    source: Path,
    data: Mapping[str, Any],
    kinds: tuple[str, ...],
    place_keys: Mapping[str, tuple[int, ...]],
    geo_dir: Path | None = None,
) -> tuple[_Entry, ...]:
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
        place = _place(source, entry, kind, table, place_keys, geo_dir)
        entries.append(_Entry(Partner(name, kind, place), tuple(compiled), tuple(cities)))
    return tuple(entries)
