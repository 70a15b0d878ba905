"""The changed-fields text: one field's values can be hidden without touching the others."""

from __future__ import annotations

from ikz.diff import FieldChange, without_field_values


def joined(*changes: FieldChange) -> str:
    return "; ".join(c.text() for c in changes)


def test_hides_only_the_contact_values_even_when_a_value_holds_a_semicolon() -> None:
    text = joined(
        FieldChange("effects_text", "Effekte", "Synergien", "Kosten; Qualität"),
        FieldChange("contact", "Ansprechpartner", "Frau A; Tel. 123", "Herr B"),
        FieldChange("funding", "Förderung", None, "Land"),
    )
    hidden = without_field_values(text, "Ansprechpartner", "verborgen")
    assert hidden == (
        "Effekte: „Synergien“ → „Kosten; Qualität“; Ansprechpartner: verborgen; Förderung: – → „Land“"
    )
    assert "Frau A" not in hidden and "Herr B" not in hidden


def test_contact_as_last_or_only_field_and_texts_without_it() -> None:
    only = joined(FieldChange("contact", "Ansprechpartner", "A", "B"))
    assert without_field_values(only, "Ansprechpartner", "x") == "Ansprechpartner: x"
    other = joined(FieldChange("title", "Bezeichnung", "Alt", "Neu"))
    assert without_field_values(other, "Ansprechpartner", "x") == other
