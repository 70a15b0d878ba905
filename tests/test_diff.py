"""The edition diff: matching an office list, fields it did not bring, hidden contact values."""

from __future__ import annotations

from dataclasses import replace

from ikz.core.records import EditionRecord
from ikz.derive.diff import FIELDS, FieldChange, diff_editions, without_field_values


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


# --- the office's own list: equal titles without asking, missing columns never emptied ---------


def record(key: str, department: str, title: str, **fields: object) -> EditionRecord:
    """A record as an edition holds it (line numbers do not matter here)."""
    return EditionRecord(
        key=key,
        department=department,
        title=title,
        type_raw=fields.pop("type_raw", "Zweckvereinbarung"),  # type: ignore[arg-type]
        effects_text=fields.pop("effects_text", "Kosten sparen"),  # type: ignore[arg-type]
        line_start=int(fields.pop("line", 2)),  # type: ignore[call-overload]
        line_end=2,
        **fields,  # type: ignore[arg-type]
    )


def four_columns(r: EditionRecord, line: int, **changed: object) -> EditionRecord:
    """The same record as a four-column office file gives it: no Schlüssel, optional fields empty."""
    return EditionRecord(
        key=f"neu-{line}",
        department=r.department,
        title=changed.get("title", r.title),  # type: ignore[arg-type]
        type_raw=changed.get("type_raw", r.type_raw),  # type: ignore[arg-type]
        effects_text=changed.get("effects_text", r.effects_text),  # type: ignore[arg-type]
        line_start=line,
        line_end=line,
        key_given=False,
    )


OLD = (
    record("EF-1", "Bürgeramt", "Gemeinsame Vergabestelle", start_year=2019, savings_eur_per_year=12000.0),
    record("EF-2", "Bürgeramt", "gemeinsame  vergabestelle", status_text="laufend"),  # same title twice
    record("EF-3", "Feuerwehr", "Kommunaler Energiezweckverband Thüringen", legal_basis="ThürKGG"),
    record("MD-4", "FB 01", "Personalamtsleiterkonferenz", record_kind="Gremium", outlook_text="2011"),
)
NOT_SUPPLIED = tuple(name for name, label in FIELDS if label not in ("Fachbereich/Amt", "Bezeichnung"))
NOT_SUPPLIED = tuple(n for n in NOT_SUPPLIED if n not in ("type_raw", "effects_text"))


def test_equal_titles_are_the_same_record_without_asking_and_missing_columns_are_not_compared() -> None:
    new = [four_columns(r, line) for line, r in enumerate(OLD, start=2)]
    diff = diff_editions(OLD, new, not_supplied=NOT_SUPPLIED)
    assert diff.counts() == {"neu": 0, "entfallen": 0, "geändert": 0, "unverändert": 4}
    assert diff.to_confirm() == []
    assert {c.key: c.match for c in diff.changes} == {
        "EF-1": "gleich",
        "EF-2": "gleich",
        "EF-3": "gleich",
    } | {"MD-4": "gleich"}
    # Two rows with one title in one department: matched in their order, each used once.
    assert {c.key: c.new.line_start for c in diff.changes if c.new} == {
        "EF-1": 2,
        "EF-2": 3,
        "EF-3": 4,
        "MD-4": 5,
    }
    assert diff.not_supplied_line() == (
        "Nicht geliefert (bisherige Werte bleiben erhalten): Partner, Beginn (Jahr), Ende, Rechtsgrundlage, "
        "Ratsbeschluss/Drucksache, Ansprechpartner, Status, Einsparung (€/Jahr), Förderung, "
        "Art des Eintrags, Gremium, Perspektive, Listenüberschrift, Dezernat, Teilbereich"
    )


def test_completed_records_keep_every_value_the_file_did_not_bring() -> None:
    new = [four_columns(r, line) for line, r in enumerate(OLD, start=2)]
    new[0] = four_columns(OLD[0], 2, effects_text="Kosten sparen, Vertretung im Urlaub")
    new.append(four_columns(record("x", "Bürgeramt", "Neue Kooperation"), 6))
    diff = diff_editions(OLD, new, not_supplied=NOT_SUPPLIED)
    assert diff.counts() == {"neu": 1, "entfallen": 0, "geändert": 1, "unverändert": 3}
    [changed] = [c for c in diff.changes if c.change == "geändert"]
    assert [f.label for f in changed.fields] == ["Effekte"]  # not „Einsparung: 12.000 → –“
    done = diff.completed()
    assert [r.key for r in done] == ["EF-1", "EF-2", "EF-3", "MD-4", "neu-6"]
    assert all(r.key_given for r in done[:4])
    first, second, third, fourth, fifth = done
    assert (first.start_year, first.savings_eur_per_year, first.effects_text) == (
        2019,
        12000.0,
        "Kosten sparen, Vertretung im Urlaub",
    )
    assert second.status_text == "laufend" and third.legal_basis == "ThürKGG"
    assert (fourth.record_kind, fourth.outlook_text) == ("Gremium", "2011")
    assert fifth.start_year is None and not fifth.key_given


def test_a_file_with_every_column_still_empties_a_cleared_cell() -> None:
    new = [replace(OLD[0], savings_eur_per_year=None)]
    diff = diff_editions(OLD[:1], new)
    [change] = diff.changes
    assert [f.text() for f in change.fields] == ["Einsparung (€/Jahr): 12.000 → –"]
    assert diff.not_supplied_line() is None and diff.completed() == new


def test_a_similar_title_still_asks_even_when_token_set_ratio_says_100() -> None:
    new = [four_columns(OLD[2], 2, title="Kommunaler Energiezweckverband Thüringen (KET)")]
    diff = diff_editions(OLD[2:3], new, not_supplied=NOT_SUPPLIED)
    [change] = diff.to_confirm()
    assert change.match == "ähnlich" and change.score is not None and change.score < 100
    rejected = diff_editions(OLD[2:3], new, rejected={"EF-3"}, not_supplied=NOT_SUPPLIED)
    assert rejected.counts() == {"neu": 1, "entfallen": 1, "geändert": 0, "unverändert": 0}
