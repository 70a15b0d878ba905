"""The blind test set's scoring, checked on hand-made records whose figures are worked out by hand."""

from __future__ import annotations

from ikz.core.records import EditionRecord
from ikz.derive.testset import Derived, Labelled, load_testset, score

NO_INFO = "ohne Angabe"


def labelled(id: str, form: str, binding: str, effects: set[str], places: set[str], **kw: object) -> Labelled:
    record = EditionRecord(id, "Amt", "Titel", None, "Text", 2, 2)
    return Labelled(
        id=id,
        record=record,
        city="Erfurt",
        forms=frozenset({form, *kw.get("forms_also", set())}),  # type: ignore[arg-type]
        bindings=frozenset({binding}),
        effects=frozenset(effects),
        effects_optional=frozenset(kw.get("optional", set())),  # type: ignore[arg-type]
        places=frozenset(places),
    )


def test_scores_worked_out_by_hand() -> None:
    items = [
        labelled("a", "Zweckverband", "öffentlich-rechtlich", {"K", "Q"}, {"16051"}),
        labelled(
            "b", "Netzwerk", "informell", {"E"}, {"16055", "16067"}, optional={"Q"}, forms_also={"Forum"}
        ),
        labelled("c", "Projekt", "vertraglich", {NO_INFO}, set()),
    ]
    derived = [
        # form right (printed), binding right and sure, effects K only (1 tp, 1 fn), sure but wrong set
        Derived(
            "a",
            "Zweckverband",
            None,
            "öffentlich-rechtlich",
            "sicher",
            frozenset({"K"}),
            "sicher",
            frozenset(),
        ),
        # form an accepted alternative, binding wrong but unsure, effects E + optional Q (1 tp),
        # one place of two
        Derived(
            "b",
            "Forum",
            "sicher",
            "vertraglich",
            "unsicher",
            frozenset({"E", "Q"}),
            "sicher",
            frozenset({"16055"}),
        ),
        # form wrong, binding right, one false effect (1 fp) shown as Dokument, one false place
        Derived(
            "c", "Verein", "unsicher", "vertraglich", "sicher", frozenset({"P"}), None, frozenset({"16068"})
        ),
    ]
    s = score(items, derived, NO_INFO)
    assert (s.form_accuracy, s.binding_accuracy) == (2 / 3, 2 / 3)
    assert (s.effects_precision, s.effects_recall) == (2 / 3, 2 / 3)
    assert round(s.effects_f1, 6) == round(2 / 3, 6)
    # Sure values: a.binding ✓, a.effects ✗, b.form ✓, b.effects ✓, c.binding ✓ → 4 of 5.
    assert (s.sure_values, s.sure_accuracy) == (5, 4 / 5)
    assert (s.places_labelled, s.places_recall, s.places_precision) == (3, 1 / 3, 1 / 2)
    assert s.free_text_as_document == 1


def test_the_blind_file_loads_as_template_rows_of_both_cities() -> None:
    items = load_testset()
    assert len(items) >= 60 and {i.city for i in items} == {"Erfurt", "Magdeburg"}
    assert all(i.record.title and i.forms and i.bindings for i in items)
