"""Measure the matcher against the hand-read list data/evaluation/anregungen.toml.

The list names records by city, a source line and part of the title; they are found among the
records by those, never by id. Three figures come out: the share of hand-listed ideas the matcher
declares suggestions, the share of hand-listed pairs it keeps as shared (each record is among the
other's counterparts with a score at or above the threshold), and per city the share of all its
records declared ideas.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ikz.core.errors import TaxonomyError
from ikz.core.paths import DATA_DIR
from ikz.derive.classify import normalise
from ikz.derive.matching import THRESHOLD, Match, MatchRecord, Suggestion
from ikz.rules.cities import load_cities

EVALUATION_PATH = DATA_DIR / "evaluation" / "anregungen.toml"


@dataclass(frozen=True)
class RecordRef:
    """A record as the hand-read list names it."""

    city: str
    line: int
    title: str


@dataclass(frozen=True)
class Evaluation:
    """The hand-read list: ideas (city has it, the other lacks it) and shared pairs."""

    ideas: tuple[RecordRef, ...]
    pairs: tuple[tuple[RecordRef, RecordRef], ...]  # (Erfurt, Magdeburg)


@dataclass(frozen=True)
class Figures:
    """What the matcher achieves on the hand-read list, and which entries it missed."""

    idea_recall: float
    pair_recall: float
    idea_share: dict[str, float]  # city → share of its records declared ideas
    missed_ideas: tuple[RecordRef, ...]
    missed_pairs: tuple[tuple[RecordRef, RecordRef], ...]

    def text(self) -> str:
        """The figures as a few German lines for a terminal or the test log."""
        lines = [
            f"Anregungen gefunden: {self.idea_recall:.0%}",
            f"Paare als gemeinsam behalten: {self.pair_recall:.0%}",
            *(f"Anteil Anregungen {city}: {share:.0%}" for city, share in sorted(self.idea_share.items())),
        ]
        lines += [f"  verfehlt: {r.city} Z. {r.line} {r.title}" for r in self.missed_ideas]
        lines += [f"  Paar verfehlt: {a.title} ↔ {b.title}" for a, b in self.missed_pairs]
        return "\n".join(lines)


def load_evaluation(path: Path = EVALUATION_PATH) -> Evaluation:
    """Read the hand-read list; a malformed entry is a TaxonomyError naming file and entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        ideas = tuple(RecordRef(i["city"], int(i["line"]), i["title"]) for i in data.get("idea", []))
        # A pair names a record of each compared city by '<stadt>_line' and '<stadt>_title'.
        first, second = (c.casefold() for c in load_cities().compare)
        pairs = tuple(
            (
                RecordRef(load_cities().compare[0], int(p[f"{first}_line"]), p[f"{first}_title"]),
                RecordRef(load_cities().compare[1], int(p[f"{second}_line"]), p[f"{second}_title"]),
            )
            for p in data.get("pair", [])
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise TaxonomyError(f"{path}: Prüfliste nicht lesbar: {exc}") from None
    return Evaluation(ideas, pairs)


@dataclass(frozen=True)
class Located:
    """A record's place in its source: what the hand-read list is matched against."""

    cooperation_id: int
    city: str
    line_start: int
    line_end: int
    title: str


def resolve(ref: RecordRef, records: Iterable[Located]) -> int:
    """The id of the one record the reference names; ValueError if none or several."""
    needle = " ".join(ref.title.casefold().split())
    found = [
        r.cooperation_id
        for r in records
        if r.city == ref.city
        and r.line_start <= ref.line <= r.line_end
        and needle in " ".join(normalise(r.title).casefold().split())
    ]
    if len(found) != 1:
        raise ValueError(f"{ref.city} Z. {ref.line} „{ref.title}“: {len(found)} Einträge statt einem")
    return found[0]


def measure(
    evaluation: Evaluation,
    located: Sequence[Located],
    records: Sequence[MatchRecord],
    matches: Sequence[Match],
    ideas: Sequence[Suggestion],
    *,
    threshold: float = THRESHOLD,
) -> Figures:
    """Recall of ideas, recall of pairs and the share of ideas per city."""
    idea_ids = {s.cooperation_id for s in ideas}
    close = {(m.cooperation_id, m.other_cooperation_id) for m in matches if m.score >= threshold}
    missed_ideas = tuple(r for r in evaluation.ideas if resolve(r, located) not in idea_ids)
    missed_pairs = tuple(
        (e, m)
        for e, m in evaluation.pairs
        if (resolve(e, located), resolve(m, located)) not in close
        and (resolve(m, located), resolve(e, located)) not in close
    )
    by_city: dict[str, list[int]] = {}
    for r in records:
        by_city.setdefault(r.city, []).append(r.cooperation_id)
    share = {city: sum(i in idea_ids for i in ids) / len(ids) for city, ids in by_city.items()}
    n_ideas, n_pairs = len(evaluation.ideas), len(evaluation.pairs)
    return Figures(
        idea_recall=(n_ideas - len(missed_ideas)) / n_ideas if n_ideas else 1.0,
        pair_recall=(n_pairs - len(missed_pairs)) / n_pairs if n_pairs else 1.0,
        idea_share=share,
        missed_ideas=missed_ideas,
        missed_pairs=missed_pairs,
    )
