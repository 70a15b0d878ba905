"""Which topics a cooperation's texts name, by the vocabulary in data/topics.toml: texts in, hits out.

Method, meant to be explained to a reader: texts are split into words (hyphens split too) and folded
(lower case, ä → ae, ß → ss). A stem matches a word that contains it (German compounds:
'winterdienst' in 'Fahrbahnwinterdienst'), a short stem only at the word's start, a stem of several
words only consecutive word starts. Long stems also match a word whose start or end rapidfuzz's ratio
rates at least min_score similar to the stem (typos: 'Gewereregister'). Stop words never count.
Deterministic: the same texts give the same hits in vocabulary order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from ikz.core import paths
from ikz.core.errors import TaxonomyError
from ikz.derive.classify import load_taxonomy, normalise
from ikz.rules.files import compile_pattern, named_tables, read_rules, rule_error, text_list

# The texts of a cooperation searched for topics (cooperation columns), with the German label its
# evidence carries.
TOPIC_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Bezeichnung/Thema"),
    ("context", "Gremium"),
    ("sub_unit", "Teilbereich"),
    ("partners_text", "Partner"),
    ("effects_text", "Effekte"),
    ("status_text", "Arbeitsstand"),
    ("outlook_text", "Perspektive"),
)
SHORT_STEM = 5  # stems shorter than this match only at a word's start
MIN_STEM = 3
_WORD = re.compile(r"\w+")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_TOPIC_KEYS = {"name", "area", "stems", "patterns"}


def fold(text: str) -> str:
    """Text as stems are compared: case-folded (ß → ss), umlauts spelled out (ä → ae)."""
    return text.casefold().translate(_FOLD)


@dataclass(frozen=True)
class Topic:
    """One topic of the vocabulary: its KGSt main group, its stems and patterns."""

    name: str
    area: str
    stems: tuple[str, ...]  # folded; single words or several words separated by spaces
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class TopicHit:
    """A topic a record's texts name, with the stems that matched and the words that carried them."""

    topic: str
    area: str
    stems: tuple[str, ...]  # the stems that matched (for a pattern: the folded word), vocabulary order
    words: tuple[str, ...]  # 'Bezeichnung/Thema: „Fahrbahnwinterdienst“', fuzzy ones with '≈ stem'
    is_fuzzy: bool  # True when only similar, not exact, words carried the topic


WordHits = tuple[tuple[int, str, bool], ...]  # (topic index, stem, is_fuzzy) for one word


@dataclass(frozen=True)
class _Word:
    label: str
    text: str  # as printed
    folded: str


@dataclass(frozen=True)
class Vocabulary:
    """The parsed, validated topic vocabulary; apply it with match()."""

    source: Path
    topics: tuple[Topic, ...]
    stop_words: frozenset[str]
    fuzzy_min_length: int
    fuzzy_min_score: float

    def topic(self, name: str) -> Topic:
        """The topic with this name."""
        return next(t for t in self.topics if t.name == name)

    def match(
        self, texts: Sequence[tuple[str, str | None]], memo: dict[str, WordHits] | None = None
    ) -> list[TopicHit]:
        """Topics named in one record's labelled texts, in vocabulary order.

        memo, if given, keeps each word's hits across calls: the build passes one for all records,
        since words repeat and scoring a word against every stem is the expensive part.
        """
        stems: dict[int, dict[str, None]] = {}
        words: dict[int, dict[str, None]] = {}
        exact: set[int] = set()

        def add(index: int, stem: str, word: str, is_fuzzy: bool) -> None:
            stems.setdefault(index, {})[stem] = None
            words.setdefault(index, {})[word] = None
            if not is_fuzzy:
                exact.add(index)

        for label, raw in texts:
            if not raw:
                continue
            text = normalise(raw)
            tokens = [_Word(label, m.group(), fold(m.group())) for m in _WORD.finditer(text)]
            for token in tokens:
                hits = memo.get(token.folded) if memo is not None else None
                if hits is None:
                    hits = self._word_hits(token.folded)
                    if memo is not None:
                        memo[token.folded] = hits
                for index, stem, is_fuzzy in hits:
                    shown = f"{label}: „{token.text}“" + (f" ≈ {stem}" if is_fuzzy else "")
                    add(index, stem, shown, is_fuzzy)
            for index, topic in enumerate(self.topics):
                for stem in topic.stems:
                    if " " in stem:
                        for phrase in _phrase_hits(stem, tokens):
                            add(index, stem, f"{label}: „{phrase}“", False)
                for pattern in topic.patterns:
                    for m in pattern.finditer(text):
                        # The matched word is the key, not the regex: readable, and comparable
                        # between two records ("agbf" in both).
                        add(index, fold(m.group()), f"{label}: „{m.group()}“", False)
        return [
            TopicHit(
                topic=self.topics[i].name,
                area=self.topics[i].area,
                stems=tuple(s for s in _in_order(self.topics[i], stems[i])),
                words=tuple(words[i]),
                is_fuzzy=i not in exact,
            )
            for i in sorted(stems)
        ]

    def _word_hits(self, word: str) -> WordHits:
        """Single-word stems the folded word carries: exact (contained) or, for long stems, similar."""
        hits: list[tuple[int, str, bool]] = []
        if word not in self.stop_words:
            for index, topic in enumerate(self.topics):
                single = [stem for stem in topic.stems if " " not in stem]
                exact = [s for s in single if (word.startswith(s) if len(s) < SHORT_STEM else s in word)]
                hits += [(index, stem, False) for stem in exact]
                if exact:
                    continue
                hits += [
                    (index, stem, True)
                    for stem in single
                    if len(stem) >= self.fuzzy_min_length and self._similar(stem, word)
                ]
        return tuple(hits)

    def _similar(self, stem: str, word: str) -> bool:
        """True when the word starts or ends with a near-copy of the stem (a typo, not a new word)."""
        size = len(stem)
        if len(word) < size - 1:
            return False
        # Compare with the word's start and end only: a stem sits at one end of a German compound
        # ("Gewerberegister…", "…winterdienst"); a window anywhere would pair unrelated words.
        return any(
            fuzz.ratio(stem, part, score_cutoff=self.fuzzy_min_score) for part in (word[:size], word[-size:])
        )


def _phrase_hits(stem: str, tokens: Sequence[_Word]) -> list[str]:
    """Printed phrases where each word of a multi-word stem starts consecutive tokens."""
    parts = stem.split()
    found = []
    for i in range(len(tokens) - len(parts) + 1):
        window = tokens[i : i + len(parts)]
        if all(t.folded.startswith(p) for t, p in zip(window, parts, strict=True)):
            found.append(" ".join(t.text for t in window))
    return found


def _in_order(topic: Topic, matched: Mapping[str, None]) -> list[str]:
    """Matched stems in vocabulary order; words matched by patterns after them, as first seen."""
    order = {s: i for i, s in enumerate([*topic.stems, *(p.pattern for p in topic.patterns)])}
    return sorted(matched, key=lambda s: order.get(s, len(order)))


# --- loading and validation -------------------------------------------------------------------


def load_topics(path: Path | None = None, *, task_areas: Sequence[str] | None = None) -> Vocabulary:
    """Read, validate and compile the topic file (default data/topics.toml).

    A topic's area must be one of task_areas (default: those of data/taxonomy.toml).
    """
    if task_areas is None:
        task_areas = load_taxonomy().task_areas()
    source = path if path is not None else paths.TOPICS_PATH
    data = read_rules(source)
    return _vocabulary(source, data, task_areas)


def _vocabulary(source: Path, data: Mapping[str, Any], task_areas: Sequence[str]) -> Vocabulary:
    """The validated vocabulary; any fault raises TaxonomyError naming file and entry."""

    def fail(entry: str, message: str) -> TaxonomyError:
        return rule_error(source, entry, message)

    stop_words = data.get("stop_words", [])
    if not isinstance(stop_words, list) or not all(isinstance(w, str) and w.strip() for w in stop_words):
        raise fail("stop_words", "muss eine Liste nicht leerer Texte sein")
    stop = frozenset(fold(w.strip()) for w in stop_words)

    fuzzy = data.get("fuzzy", {})
    if not isinstance(fuzzy, dict):
        raise fail("fuzzy", "muss eine Tabelle mit min_length und min_score sein")
    min_length = fuzzy.get("min_length", 9)
    min_score = fuzzy.get("min_score", 90)
    if not isinstance(min_length, int) or isinstance(min_length, bool) or min_length < MIN_STEM:
        raise fail("fuzzy.min_length", f"muss eine ganze Zahl ≥ {MIN_STEM} sein")
    if not isinstance(min_score, int | float) or isinstance(min_score, bool) or not 50 <= min_score <= 100:
        raise fail("fuzzy.min_score", "muss eine Zahl zwischen 50 und 100 sein")

    topics: list[Topic] = []
    for entry, name, table in named_tables(source, data, "topics", _TOPIC_KEYS):
        area = table.get("area")
        if area not in task_areas:
            raise fail(entry, f"unbekannter Aufgabenbereich {area!r}; bekannt: {list(task_areas)}")
        raw_stems = text_list(source, table, "stems", entry)
        raw_patterns = text_list(source, table, "patterns", entry)
        if not raw_stems and not raw_patterns:
            raise fail(entry, "braucht 'stems' oder 'patterns'")
        stems = []
        for raw in raw_stems:
            stem = " ".join(fold(raw).split())
            if any(len(part) < 1 for part in stem.split()) or len(stem.replace(" ", "")) < MIN_STEM:
                raise fail(entry, f"Wortstamm {raw!r} ist kürzer als {MIN_STEM} Buchstaben")
            if not all(_WORD.fullmatch(part) for part in stem.split()):
                raise fail(
                    entry,
                    f"Wortstamm {raw!r} darf nur Buchstaben und Ziffern enthalten "
                    "(Wörter trennt das Leerzeichen)",
                )
            if stem in stop:
                raise fail(entry, f"Wortstamm {raw!r} ist ein Stoppwort und könnte nie passen")
            stems.append(stem)
        patterns = [compile_pattern(source, entry, p, re.IGNORECASE) for p in raw_patterns]
        topics.append(Topic(name, area, tuple(stems), tuple(patterns)))
    return Vocabulary(source, tuple(topics), stop, min_length, float(min_score))
