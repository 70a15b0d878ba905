"""Every rule with its hits over all texts of both lists: a reviewer sees a one-record pattern."""

from __future__ import annotations

from ikz.builder import editions
from ikz.core.paths import ROOT
from ikz.derive.classify import load_taxonomy
from ikz.derive.rule_hits import RuleHits, report, rule_hits

REPORT = ROOT / "artifacts" / "rule_hits.txt"


def seed_texts() -> list[list[str | None]]:
    """The texts of every record of both seed documents."""
    out = []
    for city in editions.CITIES:
        for r in editions.as_edition_records(city, editions.seed_parsed(city)):
            out.append([r.title, r.type_raw, r.effects_text, r.context, r.status_text, r.outlook_text])
    return out


def test_every_rule_is_listed_with_its_hits_and_one_record_rules_are_marked() -> None:
    taxonomy = load_taxonomy()
    hits = rule_hits(taxonomy, seed_texts())
    text = report(hits)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text + "\n", encoding="utf-8")
    print(text)  # shown with `pytest -s tests/test_rule_hits.py`; also in artifacts/rule_hits.txt
    patterns = sum(len(r.patterns) for r in taxonomy.effect_rules)
    concepts = sum(len(r.names) + len(r.concepts) for r in taxonomy.effect_rules)
    assert sum(h.section.startswith("effects") for h in hits) == patterns + concepts
    assert all(f" {h.rule}" in text for h in hits)
    assert [line for line in text.splitlines() if line.endswith("← nur ein Eintrag")] == [
        line for line in text.splitlines() if line.split()[0] == "1"
    ]


def test_hits_count_records_not_occurrences() -> None:
    taxonomy = load_taxonomy()
    records = [["Erfahrungsaustausch und Austausch"], ["Austausch"], ["nichts"]]
    by_rule = {(h.section, h.rule): h for h in rule_hits(taxonomy, records)}
    exchange: RuleHits = by_rule[("effects.names", "Erfahrungsaustausch")]
    assert exchange.records == 1
