"""Every rule of the taxonomy with the number of records whose texts it hits.

A rule is the domain's vocabulary: it should hit wherever its word is used. A pattern that hits one
record only may be a phrase copied from that record to flip it; the report shows such patterns so a
reviewer sees them (tests/test_rule_hits.py prints it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ikz.derive.classify import INFLECTION, Taxonomy, normalise
from ikz.rules.lexicon import find_all


@dataclass(frozen=True)
class RuleHits:
    """One rule and the records it hits."""

    section: str  # types, binding.contract, effects, status.rules, …
    category: str  # the name the rule assigns
    rule: str  # the pattern (compiled, as matched) or the lexicon entry
    records: int  # records with at least one hit in any of their texts


def _patterns(taxonomy: Taxonomy) -> Iterator[tuple[str, str, re.Pattern[str]]]:
    for type_rule in taxonomy.type_rules:
        for p in type_rule.patterns:
            yield "types", type_rule.type.name, p
    rules = taxonomy.binding_rules
    if rules is not None:
        for name in ("public_law", "public_law_anywhere", "contract", "association", "informal", "neutral"):
            for p in getattr(rules, name):
                yield f"binding.{name}", name, p
    for rule in taxonomy.effect_rules:
        for p in rule.patterns:
            yield "effects", rule.name, p
    for section, group in (
        ("status.rules", taxonomy.status_rules),
        ("status.title_rules", taxonomy.status_title_rules),
        ("status.outlook_rules", taxonomy.status_outlook_rules),
    ):
        for rule in group:
            for p in rule.patterns:
                yield section, rule.name, p


def as_written(pattern: str) -> str:
    """A compiled whole-word pattern back in the rules file's notation ('*austausch', 'kosten*')."""
    text = pattern.removeprefix(r"(?<!\w)").removesuffix(r"(?!\w)")
    head = text.startswith(r"\w*?")
    text = text.removeprefix(r"\w*?")
    modifier = text.endswith(r"\w*") and not text.endswith(INFLECTION)
    text = text.removesuffix(INFLECTION).removesuffix(r"\w*") if modifier else text.removesuffix(INFLECTION)
    if text.startswith("(?:") and text.endswith(")"):
        text = text[3:-1]
    return ("*" if head else "") + text + ("*" if modifier else "")


def rule_hits(taxonomy: Taxonomy, records: Sequence[Sequence[str | None]]) -> list[RuleHits]:
    """Every pattern and lexicon entry with the number of records (each a list of texts) it hits."""
    texts = [[normalise(t) for t in record if t] for record in records]
    out = [
        RuleHits(
            section,
            category,
            as_written(pattern.pattern),
            sum(any(pattern.search(t) for t in r) for r in texts),
        )
        for section, category, pattern in _patterns(taxonomy)
    ]
    for rule in taxonomy.effect_rules:
        for kind, concepts in (("effects.names", rule.names), ("effects.concepts", rule.concepts)):
            for concept in concepts:
                hits = sum(any(find_all([concept], t) for t in r) for r in texts)
                out.append(RuleHits(kind, rule.name, concept.entry, hits))
    return out


def report(hits: Sequence[RuleHits]) -> str:
    """A plain table, fewest hits first; a rule with exactly one record is marked."""
    lines = [f"{'Treffer':>7}  {'Abschnitt':<22} {'Kategorie':<40} Regel"]
    for h in sorted(hits, key=lambda h: (h.records, h.section, h.category, h.rule)):
        mark = "  ← nur ein Eintrag" if h.records == 1 else ""
        lines.append(f"{h.records:>7}  {h.section:<22} {h.category[:40]:<40} {h.rule}{mark}")
    return "\n".join(lines)
