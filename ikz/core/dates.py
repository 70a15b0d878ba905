"""Dates and times as the office reads them: German words, Erfurt's local time (pure, no streamlit).

The store records every time in UTC (ISO 8601) and an edition's Stichtag as YYYY-MM-DD; everything a
user sees goes through this module, so „Stand 7. Dezember 2026“ reads the same on every page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime

LOCAL_ZONE = ZoneInfo("Europe/Berlin")  # the office's own time, summer time included
# Loaded once at import, like ikz.present.theme's number data: babel looks locale data up under a
# process-wide lock, and a first lookup from many sessions at once is what deadlocked there.
LOCALE = Locale.parse("de_DE")
_ = (LOCALE.months, LOCALE.date_formats, LOCALE.datetime_formats, LOCALE.time_zones)

LONG_DATE = "d. MMMM y"  # 7. Dezember 2026
DATE_TIME = "d. MMMM y, HH:mm"  # 7. Dezember 2026, 04:51
# Numeric, with seconds: German Excel reads this as a date and time it can sort and filter.
SPREADSHEET_TIME = "dd.MM.y HH:mm:ss"


def long_date(day: date) -> str:
    """A day in German words: '7. Dezember 2026'."""
    return format_date(day, format=LONG_DATE, locale=LOCALE)


def as_of_text(as_of: str) -> str:
    """An edition's Stichtag for people: an ISO day in words, any other text (a seed's) as it is."""
    try:
        return long_date(date.fromisoformat(as_of))
    except ValueError:
        return as_of


def _instant(at: str | datetime) -> datetime:
    """A stored timestamp as an aware datetime; a naive one is UTC, as the store writes it."""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_time(at: str | datetime) -> str:
    """A stored UTC timestamp in Erfurt's time, in words: '7. Dezember 2026, 04:51'."""
    return format_datetime(_instant(at), format=DATE_TIME, tzinfo=LOCAL_ZONE, locale=LOCALE)


def spreadsheet_time(at: str | datetime) -> str:
    """A stored UTC timestamp in Erfurt's time for a CSV cell: '07.12.2026 04:51:12'."""
    return format_datetime(_instant(at), format=SPREADSHEET_TIME, tzinfo=LOCAL_ZONE, locale=LOCALE)


def local_day(at: str | datetime) -> date:
    """The day in Erfurt on which a stored UTC timestamp fell (00:30 local is still that day)."""
    return _instant(at).astimezone(LOCAL_ZONE).date()


def day_bounds(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """UTC bounds for local days, both included, in the store's ISO form (until is exclusive there)."""

    def utc_start(day: date) -> str:
        return datetime.combine(day, time(), LOCAL_ZONE).astimezone(UTC).isoformat(timespec="seconds")

    return (
        utc_start(since) if since else None,
        utc_start(until + timedelta(days=1)) if until else None,
    )
