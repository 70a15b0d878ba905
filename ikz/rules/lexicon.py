"""Words as the lexicon sees them: each token lemmatised and split into its compound parts.

A rule names a concept once, in its dictionary form ("Vertretung", "Fachkraft gewinnen"), and it
covers inflections ("Vertretungen"), compounds that end in it ("Urlaubsvertretung") and, where the
entry ends in "-", compounds that begin with it ("kosten-": "Kostenteilung"). Lemmas come from
simplemma; a compound is split where both parts are words of simplemma's German lexicon (the
longest such head first, a linking „s“/„es“/„n“/„en“ allowed). compound-split (CharSplit) was
tried first and split as well, but its n-gram model took 1.7 GB and 13 s to load in every server
process; simplemma's lexicon is already loaded (about 110 MB, under a second).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import simplemma

MIN_COMPOUND = 8  # shorter words are rarely compounds; splitting them invents parts ("Schn|eller")
MIN_PART = 4  # a part shorter than this is no word of its own ("Ab|lauf" is not split)
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


def _known(word: str) -> bool:
    """A word of simplemma's German lexicon, as written or capitalised (nouns are capitalised)."""
    return simplemma.is_known(word, lang="de") or simplemma.is_known(word[:1].upper() + word[1:], lang="de")


def _split_once(word: str) -> tuple[str, str] | None:
    """(modifier, head) where both are words of the lexicon, the longest head first; None if none."""
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head, modifier = word[i:], word[:i]
        if not _known(head):
            continue
        stems = [modifier] + [modifier[: -len(e)] for e in _LINKING if modifier.endswith(e)]
        if any(len(s) >= MIN_PART - 1 and _known(s) for s in stems):
            return modifier, head
    return None


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
            parts = _split_once(w)
            if parts is None:
                continue
            left, right = parts
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
