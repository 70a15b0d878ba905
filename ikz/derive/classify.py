"""Classify cooperation texts by the rules in data/taxonomy.toml: type, effects, status, task area."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ikz.core import paths
from ikz.core.errors import TaxonomyError
from ikz.rules.files import Words, compile_pattern, read_rules, rule_error, words_of
from ikz.rules.lexicon import Concept, compile_concept, find_all

SURE = "sicher"
UNSURE = "unsicher"

# A word broken at a line end ("Erfahrungsaus- tausch"); an elliptical hyphen before
# "und"/"oder"/"bzw."/"sowie" and a hyphen before a capitalised part ("Gramme- Vippach") stay.
_BROKEN_WORD = re.compile(r"(?<=\w)-\s+(?!(?:und|oder|bzw|sowie)\b)(?=[a-zäöüß])")
_SPACE = re.compile(r"\s+")
_WORD_CHARS = re.compile(r"[\w-]")
_PARENTHESES = re.compile(r"\([^()]*\)")
# Endings a stem may take and still be the same word: "Verein" → "Vereins", "Vereinen"; not
# "Mitarbeit" → "Mitarbeiters" (a person, not the participation) nor "Verein" → "Vereinbarung".
# The Snowball stemmer was measured against this list on the two documents and lost: it folds
# "Mitarbeiters" and "Mitarbeit" into one stem and splits "Gremien" from "Gremium".
INFLECTION = r"(?:e|en|er|ern|es|n|s|ns|nen|se|sen)?"
# In a project's Thema, a weak type word ("Austausch", "Tagung", "Forum") names the project's form
# only among its first words ("Erfahrungsaustausch zu …", "Aufbau eines Vergleichsringes"); further
# on it names a topic ("Unterstützung bei der Ausrichtung von Tagungen und Foren").
PROJECT_HEAD_WORDS = 3
PROJECT_COLUMN = "Projekt"


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
    is_fallback: bool  # counts only when no other type (and no column) names the record
    is_weak: bool = False  # in a project's Thema: counts only among its first words


@dataclass(frozen=True)
class _CategoryRule:
    """A category name (effect, status, task area) and the compiled patterns that assign it."""

    name: str
    patterns: tuple[re.Pattern[str], ...]
    exact: tuple[bool, ...] = ()  # per pattern: True when it names a whole word, not a compound part
    names: tuple[Concept, ...] = ()  # lexicon entries that name the category: one is enough to be sure
    concepts: tuple[Concept, ...] = ()  # indirect expressions: sure only together with a second word


@dataclass(frozen=True)
class BindingRules:
    """Word lists that decide a record's Verbindlichkeit from its own words (see taxonomy.toml)."""

    public_law: tuple[re.Pattern[str], ...]  # in the type, the name (head phrase) or the body
    public_law_anywhere: tuple[re.Pattern[str], ...]  # in any text: a statutory duty
    contract: tuple[re.Pattern[str], ...]  # in the type, the name, the body or the Arbeitsstand
    association: tuple[re.Pattern[str], ...]  # in the type or the name's head phrase
    informal: tuple[re.Pattern[str], ...]  # in the type or the name's head phrase
    neutral: tuple[re.Pattern[str], ...]  # type words that imply no binding (Arbeitsgemeinschaft)
    negation: re.Pattern[str]  # a word right before a contract word that negates it
    host: re.Pattern[str]  # where a name's head phrase ends: " der ", " des ", " mit " …
    transparent: re.Pattern[str]  # heads that pass through: "Gründung der …"
    membership: re.Pattern[str]  # "im Verband …": membership named after the head phrase


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
    no_info: str  # the value for "the text says nothing" ('ohne Angabe'), named once in the file
    committed_bindings: tuple[str, ...]  # Verbindlichkeiten counted as binding in the key figures
    words: Words  # the origins' names and marks, the forms' and effects' colours (ikz.rules.files.words_of)
    column_types: tuple[tuple[str, str, str], ...] = ()  # (record kind, column heading, type name)
    binding_rules: BindingRules | None = None
    status_outlook_rules: tuple[_CategoryRule, ...] = ()  # Perspektive, only without Arbeitsstand
    proposal_headings: tuple[str, ...] = ()  # list headings that make an item a proposal

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
        """Canonical type from the printed cell if it names one, else derived from texts in order
        (words in parentheses do not count), else from the column the record stands in
        (column_types), else 'ohne Angabe'. A generic word ("Kooperation") only counts where no
        column speaks for the record."""
        unknown_printed = bool(printed and printed.strip())
        if printed is not None:
            found = self._match_type(printed)
            if found is not None:
                rule, evidence = found
                return _type_match(rule.type, evidence, is_derived=False)
        column_type = next((entry for entry in self.column_types if entry[0] == column), None)
        head_words = PROJECT_HEAD_WORDS if column == PROJECT_COLUMN else None
        for text in texts:
            if not text:
                continue
            found = self._match_type(
                _PARENTHESES.sub(" ", text), head_words=head_words, allow_fallback=column_type is None
            )
            if found is not None:
                rule, evidence = found
                # A printed type the rules do not know was overruled by other words: never sure.
                confidence = UNSURE if rule.is_fallback or unknown_printed else SURE
                return _type_match(rule.type, evidence, is_derived=True, confidence=confidence)
        if column_type is not None:
            _, heading, type_name = column_type
            rule = next(rule for rule in self.type_rules if rule.type.name == type_name)
            # The column is a default, not a word of the record: never sure.
            return _type_match(rule.type, (f"Spalte „{heading}“",), is_derived=True, confidence=UNSURE)
        no_info = next(rule.type for rule in self.type_rules if rule.type.name == self.no_info)
        # A printed type the rules do not know is no silent „ohne Angabe“: derived, unsure, to review.
        evidence = (f"unbekannte Kooperationsart „{printed.strip()}“",) if unknown_printed and printed else ()
        return _type_match(no_info, evidence, is_derived=True, confidence=UNSURE)

    def classify_binding(
        self,
        *,
        printed: str | None = None,
        title: str | None = None,
        context: str | None = None,
        status: str | None = None,
        outlook: str | None = None,
        list_heading: str | None = None,
    ) -> Match:
        """Verbindlichkeit of one record from its own words, never from its column or type default.

        Order: a proposal is no cooperation in force (ohne Angabe); public-law words; contract words
        (not negated); the first binding word of the printed type; association or informal words in
        the head phrase of the name or its body; otherwise informell, unsure.
        """
        rules = self.binding_rules
        if rules is None:
            raise TaxonomyError(f"{self.source}: Abschnitt [binding] fehlt")
        if list_heading and list_heading.startswith(self.proposal_headings):
            reason = f"Vorschlag unter „{list_heading}“: keine Kooperation in Kraft"
            return Match(self.no_info, (reason,), True, SURE)
        context_head = _head_phrase(context, rules)
        heads = [h for h in (_head_phrase(title, rules), context_head) if h]
        named = [t for t in (printed, *heads) if t]
        evidence = _first_evidence(rules.public_law, named) or _first_evidence(
            rules.public_law_anywhere, [t for t in (printed, title, context, status, outlook) if t]
        )
        if evidence:
            return Match("öffentlich-rechtlich", evidence, True, SURE)
        bare_title = title and _PARENTHESES.sub(" ", title)
        contract_texts = [t for t in (printed, bare_title, context_head, status) if t]
        evidence = _dedupe(
            word for text in contract_texts for word in _unnegated(rules.contract, normalise(text), rules)
        )
        if evidence:
            return Match("vertraglich", evidence, True, SURE)
        if printed:
            first = _earliest(normalise(printed), rules.association, rules.informal, rules.neutral)
            if first is not None and first[0] != 2:
                value = "institutionell" if first[0] == 0 else "informell"
                return Match(value, (first[1],), True, SURE)
        for text in heads:
            first = _earliest(normalise(text), rules.association, rules.informal)
            if first is not None:
                value = "institutionell" if first[0] == 0 else "informell"
                return Match(value, (first[1],), True, SURE)
        if title:
            member = rules.membership.search(normalise(title))
            if member:
                return Match("institutionell", (member.group(0),), True, SURE)
        return Match("informell", ("kein Wort zur Verbindlichkeit: informell angenommen",), True, UNSURE)

    def classify_effects(
        self, texts: Sequence[str | None], *, derived: bool, indirect: bool = True
    ) -> list[Match]:
        """Every effect category whose patterns or lexicon entries occur in the texts; ["ohne Angabe"]
        if none.

        A derived category is sure when two words support it, or one word names it (a pattern as a
        whole word or compound head, or an entry of its `names`); a single modifier („Kosten…“) or a
        single indirect expression (`concepts`: „Vertretung“) leaves it unsure. Without indirect, the
        texts name a topic rather than its effects (a title), and indirect expressions do not count."""
        normalised = [normalise(text) for text in texts if text]
        matches = []
        for rule in self.effect_rules:
            named = [words for text in normalised for _, words in find_all(rule.names, text)]
            indirect_words = [
                words for text in normalised if indirect for _, words in find_all(rule.concepts, text)
            ]
            found = [word for text in normalised for word in _evidence(rule.patterns, text)]
            evidence = _with_lexicon(found, named + indirect_words)
            if evidence:
                confidence = None
                if derived:
                    exact = bool(named) or any(
                        flag and pattern.search(text)
                        for pattern, flag in zip(rule.patterns, rule.exact, strict=False)
                        for text in normalised
                    )
                    confidence = SURE if exact or len(evidence) > 1 else UNSURE
                matches.append(Match(rule.name, evidence, derived, confidence))
        return matches or [Match(self.no_info, (), derived, UNSURE if derived else None)]

    def classify_status(
        self,
        text: str | None,
        title: str | None = None,
        *,
        outlook: str | None = None,
        list_heading: str | None = None,
    ) -> Match:
        """Arbeitsstand: a proposal list heading first; else the first status rule that matches the
        Arbeitsstand (unsure when words of another status occur too); else, without Arbeitsstand, a
        plan named in the Perspektive (unsure); else the title rules (unsure)."""
        if list_heading and list_heading.startswith(self.proposal_headings):
            return Match("Vorschlag", (f"Liste „{list_heading}“",), True, SURE)
        if text:
            normalised = normalise(text)
            hits = [(rule.name, _status_evidence(rule, normalised)) for rule in self.status_rules]
            hits = [(name, evidence) for name, evidence in hits if evidence]
            if hits:
                name, evidence = hits[0]
                others = {other for other, _ in hits[1:]} - {name}
                return Match(name, evidence, True, UNSURE if others else SURE)
        elif outlook:
            normalised = normalise(outlook)
            for rule in self.status_outlook_rules:
                evidence = _evidence(rule.patterns, normalised)
                if evidence:
                    return Match(rule.name, tuple(f"Perspektive: {w}" for w in evidence), True, UNSURE)
        if title:
            normalised = normalise(title)
            for rule in self.status_title_rules:
                evidence = _evidence(rule.patterns, normalised)
                if evidence:
                    return Match(rule.name, evidence, True, UNSURE)
        if text:
            # A printed Arbeitsstand that no rule understands: derived as ohne Angabe, unsure.
            return Match(self.no_info, (), True, UNSURE)
        return Match(self.no_info, (), False)

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

    def _match_type(
        self, text: str, *, head_words: int | None = None, allow_fallback: bool = True
    ) -> tuple[_TypeRule, tuple[str, ...]] | None:
        """The type matched earliest in text (ties: file order; fallbacks last), with all words.

        With head_words, a weak type counts only when it starts within the text's first words."""
        normalised = normalise(text)
        limit = _word_start(normalised, head_words) if head_words else len(normalised)
        best: tuple[bool, int, int, _TypeRule] | None = None
        for order, rule in enumerate(self.type_rules):
            if rule.is_fallback and not allow_fallback:
                continue
            for pattern in rule.patterns:
                hit = next(
                    (h for h in pattern.finditer(normalised) if not rule.is_weak or h.start() < limit), None
                )
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
            if not rule.is_weak or rule is winner or head_words is None
            for pattern in rule.patterns
        ]
        return winner, _evidence(evidence_patterns, normalised)


def _status_evidence(rule: _CategoryRule, text: str) -> tuple[str, ...]:
    """The words of a status rule in the text: its patterns, then its lexicon entries."""
    return _with_lexicon(
        _evidence(rule.patterns, text), [words for _, words in find_all(rule.concepts, text)]
    )


def _with_lexicon(found: Sequence[str], lexicon_hits: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """Pattern words, then the lexicon's words; one a pattern already found („-entlastung“) once."""
    seen = " ".join(found).casefold()
    return _dedupe(
        [
            *found,
            *(
                " ".join(words)
                for words in lexicon_hits
                if not all(w.casefold().strip("-") in seen for w in words)
            ),
        ]
    )


def word_pattern(pattern: str) -> str:
    """A rules-file pattern as a regular expression that matches whole words only.

    'austausch' matches the word and its inflected forms ("Austausche"); a leading '*' also lets it
    be the head of a compound ('*austausch': "Erfahrungsaustausch"); a trailing '*' lets it be the
    modifier ('wirtschaftsförder*': "Wirtschaftsförderung"). Never a fragment in the middle."""
    head = pattern.startswith("*")
    modifier = _is_modifier(pattern)
    body = pattern[1 if head else 0 : -1 if modifier else None]
    left = r"(?<!\w)" + (r"\w*?" if head else "")
    right = (r"\w*" if modifier else INFLECTION) + r"(?!\w)"
    return f"{left}(?:{body}){right}"


def _is_modifier(pattern: str) -> bool:
    """True for a pattern with the trailing modifier star; a trailing "\\w*" is ordinary regex."""
    return pattern.endswith("*") and not pattern.endswith(("\\*", "\\w*"))


def _word_start(text: str, n: int) -> int:
    """Offset where the n+1-th word of text starts (len(text) when it has fewer words)."""
    starts = [m.start() for m in re.finditer(r"(?<!\S)\S", text)]
    return starts[n] if len(starts) > n else len(text)


def _head_phrase(text: str | None, rules: BindingRules) -> str | None:
    """The part of a name that says what the thing is: up to the first host word (" der ", " mit ")
    unless the head before it is transparent ("Gründung der Kommunalen IT-Union eG")."""
    if not text:
        return None
    text = normalise(text)
    for hit in rules.host.finditer(text):
        if not rules.transparent.search(text[: hit.start()]):
            return text[: hit.start()]
    return text


def _first_evidence(patterns: Sequence[re.Pattern[str]], texts: Sequence[str]) -> tuple[str, ...]:
    """The words of the first text in which any pattern matches."""
    for text in texts:
        evidence = _evidence(patterns, normalise(text))
        if evidence:
            return evidence
    return ()


def _unnegated(patterns: Sequence[re.Pattern[str]], text: str, rules: BindingRules) -> list[str]:
    """Words matched by the patterns that no negation ("ohne", "keine", "lose") directly precedes."""
    words = []
    for pattern in patterns:
        for hit in pattern.finditer(text):
            before = text[max(0, hit.start() - 30) : hit.start()]
            if rules.negation.search(before):
                continue
            start, end = _widen(text, hit.start(), hit.end())
            words.append((start, text[start:end]))
    return [word for _, word in sorted(words)]


def _earliest(text: str, *groups: Sequence[re.Pattern[str]]) -> tuple[int, str] | None:
    """(group index, word) of the match that starts first in text, or None."""
    best: tuple[int, int, str] | None = None
    for index, patterns in enumerate(groups):
        for pattern in patterns:
            hit = pattern.search(text)
            if hit and (best is None or hit.start() < best[0]):
                start, end = _widen(text, hit.start(), hit.end())
                best = (hit.start(), index, text[start:end])
    return None if best is None else (best[1], best[2])


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
WHAT = {
    "task area": "Aufgabenbereich",
    "type": "Kooperationsart",
    "status": "Status",
    "binding": "Verbindlichkeit",
}


class _Loader:
    """Turns the raw TOML mapping into a Taxonomy, raising TaxonomyError naming file and entry."""

    def __init__(self, source: Path, data: Mapping[str, Any]) -> None:
        self.source = source
        self.no_info = ""  # read first by taxonomy(); every list must name it
        self.data = data

    def fail(self, entry: str, message: str) -> TaxonomyError:
        """An error naming the file and the offending entry."""
        return rule_error(self.source, entry, message)

    def taxonomy(self) -> Taxonomy:
        """The validated Taxonomy."""
        self.no_info = self.text(self.data, "no_info", "no_info")
        bindings = self.names_list(self.data, "bindings", "bindings")
        self.unique_with_no_info(bindings, "bindings")
        committed = self.names_list(self.data, "committed_bindings", "committed_bindings")
        for name in committed:
            self.check_member(name, bindings, "committed_bindings", "binding")

        form_bindings = []
        for i, form in enumerate(self.tables(self.data, "forms", "forms")):
            entry = f"forms[{i}]"
            name = self.text(form, "name", entry)
            binding = self.text(form, "binding", f"{entry} ({name})")
            if binding not in bindings:
                raise self.fail(f"{entry} ({name})", f"unbekannte Verbindlichkeit {binding!r}")
            form_bindings.append((name, binding))
        self.unique_with_no_info([name for name, _ in form_bindings], "forms")
        binding_of = dict(form_bindings)

        type_rules = []
        for i, table in enumerate(self.tables(self.data, "types", "types")):
            name = self.text(table, "name", f"types[{i}]")
            entry = f"types[{i}] ({name})"
            form = self.text(table, "form", entry)
            if form not in binding_of:
                raise self.fail(entry, f"unbekannte Kooperationsform {form!r}; bekannt: {list(binding_of)}")
            kind = CooperationType(name, form, binding_of[form])
            is_fallback = table.get("fallback", False)
            is_weak = table.get("weak", False)
            if not isinstance(is_fallback, bool) or not isinstance(is_weak, bool):
                raise self.fail(entry, "'fallback' und 'weak' müssen true oder false sein")
            type_rules.append(_TypeRule(kind, self.patterns(table, entry, words=True), is_fallback, is_weak))
        self.unique_with_no_info([r.type.name for r in type_rules], "types")

        effect_rules, descriptions = [], []
        for i, table in enumerate(self.tables(self.data, "effects", "effects")):
            name = self.text(table, "name", f"effects[{i}]")
            entry = f"effects[{i}] ({name})"
            descriptions.append((name, self.text(table, "description", entry)))
            raw = table.get("patterns") if isinstance(table.get("patterns"), list) else []
            # A modifier-only stem ('kosten*' in "Kostendeckungsgrad") is weak evidence on its own.
            exact = tuple(not (isinstance(p, str) and _is_modifier(p)) for p in raw)
            effect_rules.append(
                _CategoryRule(
                    name,
                    self.patterns(table, entry, words=True),
                    exact,
                    self.concepts(table, "names", entry),
                    self.concepts(table, "concepts", entry),
                )
            )
        self.unique_with_no_info([name for name, _ in descriptions], "effects")
        if descriptions[-1][0] != self.no_info:
            raise self.fail("effects", f"{self.no_info!r} muss die letzte Kategorie sein")

        status_table = self.table(self.data, "status", "status")
        statuses = self.names_list(status_table, "names", "status.names")
        self.unique_with_no_info(statuses, "status.names")
        status_rules = self.category_rules(status_table, "rules", "status.rules", statuses)
        status_title_rules = self.category_rules(status_table, "title_rules", "status.title_rules", statuses)
        status_outlook_rules = self.category_rules(
            status_table, "outlook_rules", "status.outlook_rules", statuses
        )
        proposal_headings = self.names_list(status_table, "proposal_headings", "status.proposal_headings")
        binding_rules = self.binding_rules(self.table(self.data, "binding", "binding"))

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

        # Last: the names the words refer to (forms, effects, bindings, …) are checked above.
        words = words_of(self.source, self.data)
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
            binding_rules=binding_rules,
            status_outlook_rules=status_outlook_rules,
            proposal_headings=tuple(proposal_headings),
            no_info=self.no_info,
            committed_bindings=tuple(committed),
            words=words,
        )

    def binding_rules(self, table: Mapping[str, Any]) -> BindingRules:
        """The [binding] word lists, compiled as whole-word patterns."""

        def words(key: str) -> tuple[re.Pattern[str], ...]:
            values = self.names_list(table, key, f"binding.{key}")
            return tuple(self.compile(word_pattern(v), f"binding.{key}") for v in values)

        def alternatives(key: str, template: str) -> re.Pattern[str]:
            values = self.names_list(table, key, f"binding.{key}")
            return self.compile(template.format("|".join(values)), f"binding.{key}")

        return BindingRules(
            public_law=words("public_law"),
            public_law_anywhere=words("public_law_anywhere"),
            contract=words("contract"),
            association=words("association"),
            informal=words("informal"),
            neutral=words("neutral"),
            negation=alternatives("negation", r"(?<!\w)(?:{})\s+(?:\w+\s+){{0,2}}$"),
            host=alternatives("host_words", r"\s(?:{})\s"),
            transparent=alternatives("transparent_heads", r"(?<!\w)(?:{})\s*$"),
            membership=alternatives("membership", r"(?<!\w)(?:{})\s+(?:\w+\s+)?\w*verb[aä]nd\w*"),
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
            label = f"{entry} ({name})"
            rules.append(
                _CategoryRule(
                    name,
                    self.patterns(table, label, words=True),
                    concepts=self.concepts(table, "concepts", label),
                )
            )
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

    def patterns(
        self, table: Mapping[str, Any], entry: str, *, words: bool = False
    ) -> tuple[re.Pattern[str], ...]:
        """The compiled `patterns` list of a rule; with words, as whole-word patterns (word_pattern)."""
        value = table.get("patterns")
        if not isinstance(value, list) or not all(isinstance(p, str) and p for p in value):
            raise self.fail(entry, "braucht 'patterns', eine Liste nicht leerer Texte")
        return tuple(self.compile(word_pattern(p) if words else p, entry) for p in value)

    def concepts(self, table: Mapping[str, Any], key: str, entry: str) -> tuple[Concept, ...]:
        """An optional list of lexicon entries ("Vertretung", "Fachkraft gewinnen", "kosten-")."""
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
            raise self.fail(entry, f"'{key}' muss eine Liste nicht leerer Texte sein")
        out = []
        for text in value:
            try:
                out.append(compile_concept(text))
            except ValueError:
                raise self.fail(entry, f"'{key}': {text!r} ist kein Lexikoneintrag") from None
        return tuple(out)

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
        if self.no_info not in names:
            raise self.fail(entry, f"braucht einen Eintrag {self.no_info!r}")
