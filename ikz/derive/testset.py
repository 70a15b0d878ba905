"""The blind test set: records nobody here tuned on, classified by the build's own path and scored.

data/evaluation/testset_blind.toml was written by a separate session that saw only the category
definitions (blind_definitions.md), never the rules or the classifier; its SHA-256 is recorded in
blind.sha256. It is measured, never tuned on: `python -m ikz quality` prints it apart from the
development set (evaluation.toml), on which tuning is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ikz.core import paths
from ikz.core.records import EditionRecord
from ikz.derive.classify import SURE, Taxonomy
from ikz.derive.normalise import classify_row, partner_texts, rows_of
from ikz.derive.partners import Gazetteer
from ikz.rules.files import shipped_words
from ikz.rules.sources import DOCUMENTS

TESTSET_PATH = paths.DATA_DIR / "evaluation" / "testset_blind.toml"


@dataclass(frozen=True)
class Labelled:
    """One test record with the blind reader's labels and the alternatives they accept."""

    id: str
    record: EditionRecord
    city: str
    forms: frozenset[str]  # the label and its accepted alternatives
    bindings: frozenset[str]
    effects: frozenset[str]
    effects_optional: frozenset[str]  # counted neither right nor wrong
    places: frozenset[str]  # official keys (ARS) of the places the row names


@dataclass(frozen=True)
class Derived:
    """What the rules make of one test record, with origin and confidence."""

    id: str
    form: str
    form_confidence: str | None  # None: printed (Dokument)
    binding: str
    binding_confidence: str | None
    effects: frozenset[str]
    effects_confidence: str | None
    places: frozenset[str]


@dataclass(frozen=True)
class TestsetScores:
    """The figures docs/quality.md quotes, measured on the blind test set."""

    records: int
    form_accuracy: float
    binding_accuracy: float
    effects_precision: float
    effects_recall: float
    effects_f1: float
    sure_values: int  # derived values the app calls „sicher“
    sure_accuracy: float
    places_labelled: int
    places_recall: float
    places_precision: float
    free_text_as_document: int  # effect sets from prose shown as „Dokument“

    def lines(self) -> list[str]:
        """German lines for the command line."""

        def pct(x: float) -> str:
            return f"{100 * x:.1f} %".replace(".", ",")

        return [
            f"Blinde Testmenge ({self.records} Einträge, nie zum Abstimmen benutzt):",
            f"  Kooperationsform richtig: {pct(self.form_accuracy)}",
            f"  Verbindlichkeit richtig: {pct(self.binding_accuracy)}",
            f"  Effekte micro-F1: {self.effects_f1:.2f} (Präzision {self.effects_precision:.2f}, "
            f"Trefferquote {self.effects_recall:.2f})".replace(".", ","),
            f"  als „sicher“ markierte Werte richtig: {pct(self.sure_accuracy)} von {self.sure_values}",
            f"  genannte Orte gefunden: {pct(self.places_recall)} von {self.places_labelled} "
            f"(Präzision {pct(self.places_precision)})",
            f"  Effekte aus Freitext als „{shipped_words().origins.document.name}“ gezeigt: "
            f"{self.free_text_as_document}",
        ]


def load_testset(path: Path = TESTSET_PATH) -> list[Labelled]:
    """The test records as template rows (line = their position) with their labels."""
    with path.open("rb") as handle:
        entries = tomllib.load(handle)["record"]
    out = []
    for line, e in enumerate(entries, start=2):
        record = EditionRecord(
            key=e["id"],
            department=e["department"],
            title=e["title"],
            type_raw=e["type_raw"] or None,
            effects_text=e["effects_text"] or None,
            line_start=line,
            line_end=line,
            partners_text=e.get("partners_text") or None,
        )
        out.append(
            Labelled(
                id=e["id"],
                record=record,
                city=e["city"],
                forms=frozenset([e["form"], *e.get("form_also", [])]),
                bindings=frozenset([e["binding"], *e.get("binding_also", [])]),
                effects=frozenset(e["effects"]),
                effects_optional=frozenset(e.get("effects_optional", [])),
                places=frozenset(p["ars"] for p in e.get("places", [])),
            )
        )
    return out


def derive(items: Sequence[Labelled], taxonomy: Taxonomy, gazetteer: Gazetteer) -> list[Derived]:
    """Classify each test record exactly as the build classifies an imported edition's row."""
    form_of = {t.name: t.form for t in taxonomy.types()}
    docs = {d.city: d for d in DOCUMENTS}
    out = []
    for item in items:
        [row] = rows_of([item.record], docs[item.city], edition_id=1, file_name="testset")
        found = classify_row(row, taxonomy)
        effects = frozenset(m.value for m in found.effects if m.value != taxonomy.no_info)
        places = frozenset(
            m.partner.place.ars
            for m in gazetteer.find(partner_texts(row), city=item.city)
            if m.partner.place is not None
        )
        out.append(
            Derived(
                id=item.id,
                form=form_of[found.type.name],
                form_confidence=found.type.confidence if found.type.is_derived else None,
                binding=found.binding.value,
                binding_confidence=found.binding.confidence,
                effects=effects,
                effects_confidence=found.effects_confidence,
                places=places,
            )
        )
    return out


def score(items: Sequence[Labelled], derived: Sequence[Derived], no_info: str) -> TestsetScores:
    """Accuracy, micro-F1, the share of „sicher“ values that are right, and places found."""
    by_id = {d.id: d for d in derived}
    form_right = binding_right = tp = fp = fn = 0
    sure = sure_right = 0
    places_labelled = places_found = places_shown = places_right = 0
    as_document = 0
    for item in items:
        d = by_id[item.id]
        form_ok = d.form in item.forms
        binding_ok = d.binding in item.bindings
        form_right += form_ok
        binding_right += binding_ok
        want = item.effects - {no_info}
        got = d.effects - item.effects_optional
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - d.effects)
        effects_ok = got == want - item.effects_optional
        for confidence, ok in (
            (d.form_confidence, form_ok),
            (d.binding_confidence, binding_ok),
            (d.effects_confidence, effects_ok),
        ):
            if confidence == SURE:
                sure += 1
                sure_right += ok
        if item.record.effects_text and d.effects_confidence is None:
            as_document += 1
        places_labelled += len(item.places)
        places_found += len(item.places & d.places)
        places_shown += len(d.places)
        places_right += len(d.places & item.places)
    n = len(items)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return TestsetScores(
        records=n,
        form_accuracy=form_right / n,
        binding_accuracy=binding_right / n,
        effects_precision=precision,
        effects_recall=recall,
        effects_f1=2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        sure_values=sure,
        sure_accuracy=sure_right / sure if sure else 0.0,
        places_labelled=places_labelled,
        places_recall=places_found / places_labelled if places_labelled else 0.0,
        places_precision=places_right / places_shown if places_shown else 0.0,
        free_text_as_document=as_document,
    )


def testset_scores(taxonomy: Taxonomy, gazetteer: Gazetteer, path: Path = TESTSET_PATH) -> TestsetScores:
    """Load, classify and score the blind test set."""
    items = load_testset(path)
    return score(items, derive(items, taxonomy, gazetteer), taxonomy.no_info)
