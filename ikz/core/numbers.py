"""German number formats (1.234 · 3,3 · 12,3 %), for every page, chart, table and export."""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal, format_percent

# One Locale object, its number data loaded here at import: babel looks a locale's data up under a
# process-wide lock, and twenty first page runs at once (the load test) deadlocked on it when a
# lookup came from inside a polars expression. Loaded once, the formatters never take that lock.
LOCALE = Locale.parse("de_DE")
_ = (LOCALE.number_symbols, LOCALE.decimal_formats, LOCALE.percent_formats)


def fmt_int(value: int | float) -> str:
    """German integer with thousands dot: 1234 → '1.234'."""
    return format_decimal(round(value), format="#,##0", locale=LOCALE)


def fmt_decimal(value: float, digits: int = 1) -> str:
    """German decimal with comma: 3.25 → '3,3'."""
    return format_decimal(value, format="#,##0." + "0" * digits, locale=LOCALE)


def fmt_pct(share: float, digits: int = 1) -> str:
    """German percentage of a share with a space before the sign: 0.123 → '12,3 %'."""
    # A no-break space before % (German usage) keeps number and sign on one line.
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "\u00a0%"
    return format_percent(share, format=pattern, locale=LOCALE)
