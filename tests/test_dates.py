"""ikz.core.dates: German words, Erfurt's local time (winter and summer), bounds of local days in UTC."""

from __future__ import annotations

from datetime import date

import pytest

from ikz.core import dates


def test_long_date_is_german_words() -> None:
    assert dates.long_date(date(2026, 12, 7)) == "7. Dezember 2026"
    assert dates.long_date(date(2026, 3, 1)) == "1. März 2026"


@pytest.mark.parametrize(
    ("as_of", "shown"),
    [
        ("2026-12-07", "7. Dezember 2026"),
        ("undatiert, nach 2020", "undatiert, nach 2020"),  # a seed's wording stays as it is
        ("November 2010", "November 2010"),
    ],
)
def test_as_of_text(as_of: str, shown: str) -> None:
    assert dates.as_of_text(as_of) == shown


@pytest.mark.parametrize(
    ("at", "shown", "cell"),
    [
        # Winter: UTC+1. 23:30 UTC on 31 December is already New Year's Day in Erfurt.
        ("2026-12-31T23:30:00+00:00", "1. Januar 2027, 00:30", "01.01.2027 00:30:00"),
        # Summer: UTC+2.
        ("2026-07-14T09:05:59+00:00", "14. Juli 2026, 11:05", "14.07.2026 11:05:59"),
        ("2026-12-07T03:51:12", "7. Dezember 2026, 04:51", "07.12.2026 04:51:12"),  # naive = UTC
    ],
)
def test_local_time_and_spreadsheet_time(at: str, shown: str, cell: str) -> None:
    assert dates.local_time(at) == shown
    assert dates.spreadsheet_time(at) == cell


def test_local_day_follows_erfurt_not_utc() -> None:
    assert dates.local_day("2026-12-31T23:30:00+00:00") == date(2027, 1, 1)
    assert dates.local_day("2026-07-14T21:59:00+00:00") == date(2026, 7, 14)
    assert dates.local_day("2026-07-14T22:00:00+00:00") == date(2026, 7, 15)


def test_day_bounds_are_local_midnights_in_utc() -> None:
    assert dates.day_bounds(date(2026, 12, 7), date(2026, 12, 7)) == (
        "2026-12-06T23:00:00+00:00",
        "2026-12-07T23:00:00+00:00",
    )
    # Across the change to summer time (29 March 2026): the upper bound is UTC+2.
    assert dates.day_bounds(date(2026, 3, 28), date(2026, 3, 29)) == (
        "2026-03-27T23:00:00+00:00",
        "2026-03-29T22:00:00+00:00",
    )
    assert dates.day_bounds(None, None) == (None, None)
