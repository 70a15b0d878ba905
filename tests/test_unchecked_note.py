"""The sentence that says how many values of a view are derived and unchecked (Überblick, deck, PDF)."""

from __future__ import annotations

import polars as pl

from ikz.present.labels import unchecked_note


def counts(*rows: tuple[str, str, int, int, int, int]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["city", "field", "count_values", "count_derived", "count_uncertain", "count_checked"],
        orient="row",
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
