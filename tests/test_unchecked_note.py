"""The sentence that says how many values of a view are derived and unchecked (Überblick, deck, PDF)."""

from __future__ import annotations

import polars as pl

from ikz.present.labels import origin_sums, unchecked_note


def counts(*rows: tuple[str, str, int, int, int, int]) -> dict:
    """origin_sums of queries.origin_counts rows (city, field, values, derived, uncertain, checked)."""
    return origin_sums(
        pl.DataFrame(
            rows,
            schema=["city", "field", "count_values", "count_derived", "count_uncertain", "count_checked"],
            orient="row",
        )
    )


def test_derived_values_of_every_field_and_city_are_added_up() -> None:
    frame = counts(
        ("Erfurt", "type", 78, 10, 4, 2),
        ("Erfurt", "effects", 78, 78, 30, 0),
        ("Magdeburg", "binding", 135, 1200, 0, 1),
    )
    assert (
        unchecked_note(frame)
        == "In dieser Ansicht sind 1.288 Werte abgeleitet und ungeprüft ◆, davon 34 unsicher."
    )


def test_a_view_without_derived_values_says_so() -> None:
    assert unchecked_note(counts(("Erfurt", "type", 78, 0, 0, 78))) == (
        "In dieser Ansicht ist kein Wert abgeleitet und ungeprüft."
    )
    assert unchecked_note(counts(("Erfurt", "type", 78, 5, 0, 0))).endswith(
        "5 Werte abgeleitet und ungeprüft ◆."
    )


def test_a_fields_note_adds_up_its_cities_or_takes_one() -> None:
    """origin_note sums the field's rows over every city, or takes the one named; a field without
    rows counts nothing."""
    from ikz.present.labels import origin_note

    frame = counts(
        ("Erfurt", "type", 78, 10, 4, 2),
        ("Magdeburg", "type", 135, 100, 0, 0),
        ("Erfurt", "effects", 78, 0, 0, 0),
    )
    assert (
        origin_note(frame, "type")
        == "Kooperationsart: 110 von 213 Werten abgeleitet ◆ (4 unsicher), 2 geprüft ✓."
    )
    assert origin_note(frame, "type", city="Magdeburg") == "Kooperationsart: 100 von 135 Werten abgeleitet ◆."
    assert origin_note(frame, "effects").endswith("alle 78 Werte aus dem Dokument.")
    assert origin_note(frame, "status").endswith("alle 0 Werte aus dem Dokument.")
    other = counts(("Erfurt", "type", 5, 5, 0, 0))
    assert origin_note(other, "type") == "Kooperationsart: 5 von 5 Werten abgeleitet ◆."
