"""Classify cooperation texts by the rules in data/taxonomy.toml: type, effects, status, task area."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ikz import paths
from ikz.errors import TaxonomyError
from ikz.rules import compile_pattern, read_rules, rule_error

NO_INFO = "ohne Angabe"
SURE = "sicher"
UNSURE = "unsicher"

# The nine forms and five bindings are fixed: chart colours and category orders depend on them.
FORMS = (
    "Zweckverband",
    "Zweckvereinbarung",
    "Vertrag / Vereinbarung",
    "Arbeitsgemeinschaft",
    "Verein / Verband / Mitgliedschaft",
    "Arbeitskreis / Arbeitsgruppe / Gremium",
    "Netzwerk / Erfahrungsaustausch",
    "Projekt / Verbund",
    NO_INFO,
)
BINDINGS = ("öffentlich-rechtlich", "vertraglich", "institutionell", "informell", NO_INFO)

# A word broken at a line end ("Erfahrungsaus- tausch"); an elliptical hyphen before
# "und"/"oder"/"bzw."/"sowie" and a hyphen before a capitalised part ("Gramme- Vippach") stay.
_BROKEN_WORD = re.compile(r"(?<=\w)-\s+(?!(?:und|oder|bzw|sowie)\b)(?=[a-zäöüß])")
_SPACE = re.compile(r"\s+")
_WORD_CHARS = re.compile(r"[\w-]")


@dataclass(frozen=True)
class Match:
    """One category assigned to a record, with the words (or rule) that led to it."""

    value: str  # the category name
    evidence: tuple[str, ...]  # the words in the text that matched (or the rule, for task areas)
    is_derived: bool  # True when inferred from free text rather than printed in a column
    confidence: str | None = None  # 'sicher' or 'unsicher' for a derived value; None when printed


@dataclass(frozen=True)
class TypeMatch:
    """The canonical cooperation type of a record, with its form and binding."""

    name: str  # canonical Kooperationsart
    form: str  # Kooperationsform
    binding: str  # Verbindlichkeit
    evidence: tuple[str, ...]
    is_derived: bool
    confidence: str | None = None  # 'sicher' or 'unsicher' when derived; None when printed


@dataclass(frozen=True)
class CooperationType:
    """One row of the cooperation_type table: a canonical type, its form and binding."""

    name: str
    form: str
    binding: str


@dataclass(frozen=True)
class _TypeRule:
    """A canonical type and the compiled patterns that recognise it."""

    type: CooperationType
    patterns: tuple[re.Pattern[str], ...]
    is_fallback: bool  # counts only when no other type matches the text


@dataclass(frozen=True)
class _CategoryRule:
    """A category name (effect, status, task area) and the compiled patterns that assign it."""

    name: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Taxonomy:
    """The parsed, validated classification rules; apply them with the classify_* methods."""

    source: Path
    form_bindings: tuple[tuple[str, str], ...]  # (form, binding) in display order
    binding_order: tuple[str, ...]
    type_rules: tuple[_TypeRule, ...]  # file order = tie-break priority
    effect_descriptions: tuple[tuple[str, str], ...]  # (name, description), display order
    effect_rules: tuple[_CategoryRule, ...]
    status_order: tuple[str, ...]
    status_rules: tuple[_CategoryRule, ...]  # file order = priority
    status_title_rules: tuple[_CategoryRule, ...]
    task_area_names: tuple[str, ...]
    units: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...]  # (city, ((key, unit, area), …))
    unit_number_pattern: re.Pattern[str]
    unit_numbers: tuple[tuple[str, str], ...]  # (number prefix, area), longest prefix first
    task_area_keywords: tuple[_CategoryRule, ...]
    column_types: tuple[tuple[str, str, str], ...] = ()  # (record kind, column heading, type name)

    def types(self) -> list[CooperationType]:
        """All canonical types including "ohne Angabe", in file order."""
        return [rule.type for rule in self.type_rules]

    def forms(self) -> list[str]:
        """The nine Kooperationsformen in display order."""
        return [form for form, _ in self.form_bindings]

    def bindings(self) -> list[str]:
        """The Verbindlichkeiten in display order."""
        return list(self.binding_order)

    def effect_categories(self) -> list[tuple[str, str]]:
        """(name, description) of every effect category in display order, "ohne Angabe" last."""
        return list(self.effect_descriptions)

    def task_areas(self) -> list[str]:
        """The KGSt main groups in display order."""
        return list(self.task_area_names)

    def statuses(self) -> list[str]:
        """The Arbeitsstand values in display order."""
        return list(self.status_order)

    def classify_type(
        self, printed: str | None, texts: Sequence[str | None], *, column: str | None = None
    ) -> TypeMatch:
        """Canonical type from the printed cell if it names one, else derived from texts in order,
        else from the column the record stands in (column_types), else 'ohne Angabe'."""
        if printed is not None:
            found = self._match_type(printed)
            if found is not None:
                rule, evidence = found
                return _type_match(rule.type, evidence, is_derived=False)
        for text in texts:
            if not text:
                continue
            found = self._match_type(text)
            if found is not None:
                rule, evidence = found
                return _type_match(rule.type, evidence, is_derived=True, confidence=SURE)
        for kind, heading, type_name in self.column_types:
            if kind == column:
                rule = next(rule for rule in self.type_rules if rule.type.name == type_name)
                # The column is a default, not a word of the record: never sure.
                return _type_match(rule.type, (f"Spalte „{heading}“",), is_derived=True, confidence=UNSURE)
        no_info = next(rule.type for rule in self.type_rules if rule.type.name == NO_INFO)
        is_derived = printed is None or not printed.strip()
        return _type_match(no_info, (), is_derived=is_derived, confidence=UNSURE if is_derived else None)

    def classify_binding(self, texts: Sequence[tuple[str, str | None]], kind: TypeMatch) -> Match:
        """Verbindlichkeit of a record; for now the binding of its type, sure only when the type is."""
        sure = kind.confidence == SURE or not kind.is_derived
        if kind.binding == NO_INFO:
            return Match(NO_INFO, (), True, UNSURE)
        return Match(kind.binding, (f"Kooperationsart „{kind.name}“",), True, SURE if sure else UNSURE)

    def classify_effects(self, texts: Sequence[str | None], *, derived: bool) -> list[Match]:
        """Every effect category whose patterns occur in the texts; ["ohne Angabe"] if none."""
        normalised = [normalise(text) for text in texts if text]
        matches = []
        confidence = SURE if derived else None
        for rule in self.effect_rules:
            evidence = _dedupe(word for text in normalised for word in _evidence(rule.patterns, text))
            if evidence:
                matches.append(Match(rule.name, evidence, derived, confidence))
        return matches or [Match(NO_INFO, (), derived, UNSURE if derived else None)]

    def classify_status(self, text: str | None, title: str | None = None) -> Match:
        """Arbeitsstand by the first status rule that matches the text, else by the title rules."""
        for source, rules, confidence in (
            (text, self.status_rules, SURE),
            (title, self.status_title_rules, UNSURE),
        ):
            if not source:
                continue
            normalised = normalise(source)
            for rule in rules:
                evidence = _evidence(rule.patterns, normalised)
                if evidence:
                    return Match(rule.name, evidence, True, confidence)
        if text:
            # A printed Arbeitsstand that no rule understands: derived as ohne Angabe, unsure.
            return Match(NO_INFO, (), True, UNSURE)
        return Match(NO_INFO, (), False)

    def task_area(self, city: str, department: str) -> Match:
        """KGSt main group of a department: explicit entry, else unit number, else keyword."""
        key = _unit_key(department)
        for entry_city, entries in self.units:
            if entry_city.casefold() != city.casefold():
                continue
            for entry_key, unit, area in entries:
                if entry_key == key:
                    return Match(area, (f"Eintrag „{unit}“ ({entry_city})",), True)
        number = self.unit_number_pattern.search(department)
        if number:
            digits = number.group(1)
            for prefix, area in self.unit_numbers:
                if digits.startswith(prefix):
                    return Match(area, (f"Amtsnummer „{digits}“ beginnt mit „{prefix}“",), True)
        text = normalise(department)
        for rule in self.task_area_keywords:
            for pattern in rule.patterns:
                if pattern.search(text):
                    return Match(rule.name, (f"Stichwort „{pattern.pattern}“",), True)
        raise TaxonomyError(
            f"{self.source}: keine Regel für den Aufgabenbereich passt zu {city}, Fachbereich/Amt "
            f"{department!r}; bitte einen Eintrag unter [task_areas.units] ergänzen"
        )

    def _match_type(self, text: str) -> tuple[_TypeRule, tuple[str, ...]] | None:
        """The type matched earliest in text (ties: file order; fallbacks last), with all words."""
        normalised = normalise(text)
        best: tuple[bool, int, int, _TypeRule] | None = None
        for order, rule in enumerate(self.type_rules):
            for pattern in rule.patterns:
                hit = pattern.search(normalised)
                rank = (rule.is_fallback, hit.start(), order) if hit else None
                if rank and (best is None or rank < best[:3]):
                    best = (*rank, rule)
        if best is None:
            return None
        winner = best[3]
        # Evidence: the words of every type that could have won (a fallback's words only for it).
        evidence_patterns = [
            pattern
            for rule in self.type_rules
            if winner.is_fallback or not rule.is_fallback
            for pattern in rule.patterns
        ]
        return winner, _evidence(evidence_patterns, normalised)


def normalise(text: str) -> str:
    """Text as the rules see it: line-end hyphenation joined, whitespace collapsed."""
    return _SPACE.sub(" ", _BROKEN_WORD.sub("", text)).strip()


def _unit_key(name: str) -> str:
    """Lookup key of a department or unit name: normalised and case-folded."""
    return normalise(name).casefold()


def _type_match(
    kind: CooperationType, evidence: tuple[str, ...], *, is_derived: bool, confidence: str | None = None
) -> TypeMatch:
    """A TypeMatch for a canonical type."""
    return TypeMatch(kind.name, kind.form, kind.binding, evidence, is_derived, confidence)


def _evidence(patterns: Iterable[re.Pattern[str]], text: str) -> tuple[str, ...]:
    """The words around every match of the patterns, in text order, overlaps merged, no repeats."""
    spans = sorted(
        (_widen(text, hit.start(), hit.end()) for pattern in patterns for hit in pattern.finditer(text)),
        key=lambda span: (span[0], -span[1]),
    )
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        # A span inside one already kept ("Kooperation" in "lose Kooperation") adds nothing.
        if kept and start < kept[-1][1]:
            kept[-1] = (kept[-1][0], max(end, kept[-1][1]))
        else:
            kept.append((start, end))
    return _dedupe(text[start:end] for start, end in kept)


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A match widened to the words it sits in, so "einspar" yields "Kosteneinsparungen"."""
    while start > 0 and _WORD_CHARS.match(text[start - 1]):
        start -= 1
    while end < len(text) and _WORD_CHARS.match(text[end]):
        end += 1
    return start, end


def _dedupe(words: Iterable[str]) -> tuple[str, ...]:
    """Words in first-seen order without repeats."""
    return tuple(dict.fromkeys(words))


# --- loading and validation -------------------------------------------------------------------


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read, validate and compile the rules file (default data/taxonomy.toml)."""
    source = path if path is not None else paths.TAXONOMY_PATH
    data = read_rules(source)
    return _Loader(source, data).taxonomy()


# What check_member's `what` is called in its German message.
WHAT = {"task area": "Aufgabenbereich", "type": "Kooperationsart", "status": "Status"}


class _Loader:
    """Turns the raw TOML mapping into a Taxonomy, raising TaxonomyError naming file and entry."""

    def __init__(self, source: Path, data: Mapping[str, Any]) -> None:
        self.source = source
        self.data = data

    def fail(self, entry: str, message: str) -> TaxonomyError:
        """An error naming the file and the offending entry."""
        return rule_error(self.source, entry, message)

    def taxonomy(self) -> Taxonomy:
        """The validated Taxonomy."""
        bindings = self.names_list(self.data, "bindings", "bindings")
        if tuple(bindings) != BINDINGS:
            raise self.fail("bindings", f"muss genau {list(BINDINGS)} sein, steht: {bindings}")

        form_bindings = []
        for i, form in enumerate(self.tables(self.data, "forms", "forms")):
            entry = f"forms[{i}]"
            name = self.text(form, "name", entry)
            binding = self.text(form, "binding", f"{entry} ({name})")
            if binding not in BINDINGS:
                raise self.fail(f"{entry} ({name})", f"unbekannte Verbindlichkeit {binding!r}")
            form_bindings.append((name, binding))
        if tuple(name for name, _ in form_bindings) != FORMS:
            got = [name for name, _ in form_bindings]
            raise self.fail("forms", f"muss genau {list(FORMS)} in dieser Reihenfolge nennen, steht: {got}")
        binding_of = dict(form_bindings)

        type_rules = []
        for i, table in enumerate(self.tables(self.data, "types", "types")):
            name = self.text(table, "name", f"types[{i}]")
            entry = f"types[{i}] ({name})"
            form = self.text(table, "form", entry)
            if form not in binding_of:
                raise self.fail(entry, f"unbekannte Kooperationsform {form!r}; bekannt: {list(FORMS)}")
            kind = CooperationType(name, form, binding_of[form])
            is_fallback = table.get("fallback", False)
            if not isinstance(is_fallback, bool):
                raise self.fail(entry, "'fallback' muss true oder false sein")
            type_rules.append(_TypeRule(kind, self.patterns(table, entry), is_fallback))
        self.unique_with_no_info([r.type.name for r in type_rules], "types")

        effect_rules, descriptions = [], []
        for i, table in enumerate(self.tables(self.data, "effects", "effects")):
            name = self.text(table, "name", f"effects[{i}]")
            entry = f"effects[{i}] ({name})"
            descriptions.append((name, self.text(table, "description", entry)))
            effect_rules.append(_CategoryRule(name, self.patterns(table, entry)))
        self.unique_with_no_info([name for name, _ in descriptions], "effects")
        if descriptions[-1][0] != NO_INFO:
            raise self.fail("effects", f"{NO_INFO!r} muss die letzte Kategorie sein")

        status_table = self.table(self.data, "status", "status")
        statuses = self.names_list(status_table, "names", "status.names")
        self.unique_with_no_info(statuses, "status.names")
        status_rules = self.category_rules(status_table, "rules", "status.rules", statuses)
        status_title_rules = self.category_rules(status_table, "title_rules", "status.title_rules", statuses)

        areas_table = self.table(self.data, "task_areas", "task_areas")
        areas = self.names_list(areas_table, "names", "task_areas.names")
        units_table = self.table(areas_table, "units", "task_areas.units")
        units = []
        for city, entries in units_table.items():
            if not isinstance(entries, dict):
                raise self.fail(
                    f"task_areas.units.{city}", "muss eine Tabelle aus Einheit = Aufgabenbereich sein"
                )
            keyed = []
            for unit, area in entries.items():
                self.check_member(area, areas, f"task_areas.units.{city}.{unit!r}", "task area")
                keyed.append((_unit_key(unit), unit, area))
            units.append((city, tuple(keyed)))
        number_pattern = self.compile(
            self.text(areas_table, "unit_number_pattern", "task_areas"),
            "task_areas.unit_number_pattern",
        )
        if number_pattern.groups < 1:
            raise self.fail("task_areas.unit_number_pattern", "braucht eine Gruppe (…) für die Nummer")
        numbers = self.table(areas_table, "unit_numbers", "task_areas.unit_numbers")
        for prefix, area in numbers.items():
            self.check_member(area, areas, f"task_areas.unit_numbers.{prefix!r}", "task area")
        keywords = []
        for i, table in enumerate(self.tables(areas_table, "keywords", "task_areas.keywords")):
            entry = f"task_areas.keywords[{i}]"
            area = self.text(table, "area", entry)
            self.check_member(area, areas, entry, "task area")
            keywords.append(_CategoryRule(area, self.patterns(table, f"{entry} ({area})")))

        type_names = [rule.type.name for rule in type_rules]
        column_types = []
        for i, table in enumerate(self.data.get("column_types", [])):
            entry = f"column_types[{i}]"
            if not isinstance(table, Mapping):
                raise self.fail(entry, "muss eine Tabelle mit kind, heading und type sein")
            kind = self.text(table, "kind", entry)
            heading = self.text(table, "heading", entry)
            type_name = self.text(table, "type", entry)
            self.check_member(type_name, type_names, entry, "type")
            column_types.append((kind, heading, type_name))

        return Taxonomy(
            source=self.source,
            column_types=tuple(column_types),
            form_bindings=tuple(form_bindings),
            binding_order=tuple(bindings),
            type_rules=tuple(type_rules),
            effect_descriptions=tuple(descriptions),
            effect_rules=tuple(effect_rules),
            status_order=tuple(statuses),
            status_rules=status_rules,
            status_title_rules=status_title_rules,
            task_area_names=tuple(areas),
            units=tuple(units),
            unit_number_pattern=number_pattern,
            # Longest prefix first, so "01" wins over "0…" style shorter prefixes.
            unit_numbers=tuple(sorted(numbers.items(), key=lambda item: -len(item[0]))),
            task_area_keywords=tuple(keywords),
        )

    def category_rules(
        self, parent: Mapping[str, Any], key: str, entry_name: str, allowed: list[str]
    ) -> tuple[_CategoryRule, ...]:
        """Ordered rules [[…]] whose `status` names one of the allowed categories."""
        rules = []
        for i, table in enumerate(self.tables(parent, key, entry_name)):
            entry = f"{entry_name}[{i}]"
            name = self.text(table, "status", entry)
            self.check_member(name, allowed, entry, "status")
            rules.append(_CategoryRule(name, self.patterns(table, f"{entry} ({name})")))
        return tuple(rules)

    def table(self, parent: Mapping[str, Any], key: str, entry: str) -> Mapping[str, Any]:
        """A required sub-table."""
        value = parent.get(key)
        if not isinstance(value, dict):
            raise self.fail(entry, "Abschnitt fehlt" if value is None else "muss eine Tabelle sein")
        return value

    def tables(self, parent: Mapping[str, Any], key: str, entry: str) -> list[Mapping[str, Any]]:
        """A required, non-empty array of tables."""
        value = parent.get(key)
        if value is None:
            raise self.fail(entry, "Abschnitt fehlt")
        if not isinstance(value, list) or not value or not all(isinstance(t, dict) for t in value):
            raise self.fail(entry, "muss eine nicht leere Liste von Tabellen [[…]] sein")
        return value

    def names_list(self, parent: Mapping[str, Any], key: str, entry: str) -> list[str]:
        """A required, non-empty list of strings."""
        value = parent.get(key)
        if value is None:
            raise self.fail(entry, "Abschnitt fehlt")
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.fail(entry, "muss eine nicht leere Liste von Texten sein")
        return value

    def text(self, table: Mapping[str, Any], key: str, entry: str) -> str:
        """A required non-empty string field."""
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(entry, f"braucht ein nicht leeres Textfeld {key!r}")
        return value

    def patterns(self, table: Mapping[str, Any], entry: str) -> tuple[re.Pattern[str], ...]:
        """The compiled `patterns` list of a rule."""
        value = table.get("patterns")
        if not isinstance(value, list) or not all(isinstance(p, str) and p for p in value):
            raise self.fail(entry, "braucht 'patterns', eine Liste nicht leerer Texte")
        return tuple(self.compile(pattern, entry) for pattern in value)

    def compile(self, pattern: str, entry: str) -> re.Pattern[str]:
        """A case-insensitive compiled pattern, or an error naming the entry."""
        return compile_pattern(self.source, entry, pattern, re.IGNORECASE)

    def check_member(self, value: Any, allowed: list[str], entry: str, what: str) -> None:
        """Raise unless value is one of the allowed names."""
        if value not in allowed:
            raise self.fail(entry, f"unbekannt als {WHAT.get(what, what)}: {value!r}; bekannt: {allowed}")

    def unique_with_no_info(self, names: list[str], entry: str) -> None:
        """Raise on duplicate names or when "ohne Angabe" is missing."""
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise self.fail(entry, f"doppelte Namen {duplicates}")
        if NO_INFO not in names:
            raise self.fail(entry, f"braucht einen Eintrag {NO_INFO!r}")
