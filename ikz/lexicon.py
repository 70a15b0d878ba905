"""Words as the lexicon sees them: each token lemmatised and split into its compound parts.

A rule names a concept once, in its dictionary form ("Vertretung", "Fachkraft gewinnen"), and it
covers inflections ("Vertretungen"), compounds that end in it ("Urlaubsvertretung") and, where the
entry ends in "-", compounds that begin with it ("kosten-": "Kostenteilung"). Lemmas come from
simplemma, compound parts from compound-split (CharSplit's n-gram model of German compounds):
well-kept libraries instead of hand-written suffix and splitting rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import simplemma
from compound_split import char_split

MIN_COMPOUND = 8  # shorter words are rarely compounds; splitting them invents parts ("Schn|eller")
MIN_PART = 4  # a part shorter than this is no word of its own ("Ab|lauf" is not split)
SPLIT_SCORE = 0.3  # CharSplit's score below which a split is more likely wrong than right
WINDOW = 6  # the words of a multi-word concept must stand within this many tokens of each other
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_LINKING = ("es", "s", "n", "en")  # Fugenelemente: "Verhandlungs|position", "Kranken|haus"


@dataclass(frozen=True)
class Token:
    """One word of a text: as written, and the lemmas it can stand for."""

    surface: str
    heads: frozenset[str]  # the word's lemma and the lemma of its head part(s)
    modifiers: frozenset[str]  # lemmas of the parts a compound begins with


@dataclass(frozen=True)
class Concept:
    """One lexicon entry: one or more lemmas that must all occur close together."""

    entry: str  # as written in the rules file
    lemmas: tuple[frozenset[str], ...]  # per word, the forms it may take (noun and verb readings)
    as_modifier: bool  # the entry ended in "-": its (single) lemma may begin a compound


@lru_cache(maxsize=50_000)
def lemmas(word: str) -> frozenset[str]:
    """The word lower-cased and simplemma's lemmas of it written small and capitalised.

    simplemma's German data is case-sensitive: „ausfälle“ is not found, „Ausfälle“ is („Ausfall“).
    """
    low = word.casefold()
    return frozenset(
        {low} | {simplemma.lemmatize(w, lang="de").casefold() for w in (low, low[:1].upper() + low[1:])}
    )


def _part_forms(part: str, *, is_modifier: bool) -> set[str]:
    """A compound part as lemmas; a modifier also without its linking element."""
    forms = set(lemmas(part))
    if is_modifier:
        for ending in _LINKING:
            if part.casefold().endswith(ending) and len(part) - len(ending) >= MIN_PART:
                forms |= lemmas(part[: -len(ending)])
    return forms


@lru_cache(maxsize=50_000)
def split(word: str) -> tuple[frozenset[str], frozenset[str]]:
    """(head lemmas, modifier lemmas) of a word: its own lemma, then its compound parts, twice deep."""
    heads = set(lemmas(word))
    modifiers: set[str] = set()
    for piece in word.split("-"):  # "IT-Dienstleister", "Kfz-Zulassung"
        if piece and piece.casefold() != word.casefold():
            heads |= lemmas(piece)
    pending, depth = [word.split("-")[-1]], 0
    while pending and depth < 2:
        next_round = []
        for w in pending:
            if len(w) < MIN_COMPOUND:
                continue
            score, left, right = char_split.split_compound(w)[0]
            if score < SPLIT_SCORE or len(left) < MIN_PART or len(right) < MIN_PART:
                continue
            heads |= _part_forms(right, is_modifier=False)
            modifiers |= _part_forms(left, is_modifier=True)
            next_round += [right]
        pending, depth = next_round, depth + 1
    return frozenset(heads), frozenset(modifiers - heads)


@lru_cache(maxsize=20_000)
def tokens(text: str) -> tuple[Token, ...]:
    """The words of a text with their lemmas and compound parts."""
    out = []
    for m in _WORD.finditer(text):
        heads, modifiers = split(m.group(0))
        out.append(Token(m.group(0), heads, modifiers))
    return tuple(out)


def compile_concept(entry: str) -> Concept:
    """A rules-file entry ("Vertretung", "Fachkraft gewinnen", "kosten-") as lemmas."""
    text = entry.strip()
    as_modifier = text.endswith("-")
    words = text.rstrip("-").split()
    if not words or (as_modifier and len(words) != 1):
        raise ValueError(entry)
    return Concept(entry, tuple(lemmas(w) for w in words), as_modifier)


def _hits(concept: Concept, toks: Sequence[Token]) -> list[int]:
    """Positions of tokens that stand for the concept's first lemma (for one-word concepts: all)."""
    first = concept.lemmas[0]
    return [i for i, t in enumerate(toks) if first & t.heads or (concept.as_modifier and first & t.modifiers)]


def find(concept: Concept, toks: Sequence[Token]) -> tuple[str, ...]:
    """The words of the text that realise the concept (empty when it does not occur)."""
    for i in _hits(concept, toks):
        words = [toks[i].surface]
        for other in concept.lemmas[1:]:
            near = [
                t.surface
                for t in toks[max(0, i - WINDOW) : i + WINDOW + 1]
                if other & t.heads and t is not toks[i]
            ]
            if not near:
                break
            words.append(near[0])
        else:
            return tuple(words)
    return ()


def find_all(concepts: Iterable[Concept], text: str) -> list[tuple[Concept, tuple[str, ...]]]:
    """Every concept that occurs in the text, with its words."""
    toks = tokens(text)
    return [(c, words) for c in concepts if (words := find(c, toks))]
