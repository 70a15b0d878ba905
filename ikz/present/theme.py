"""Presentation constants used by every chart and page: colour per category name, fonts, German numbers."""

from __future__ import annotations

import zlib

from ikz.rules.cities import load_cities
from ikz.rules.files import shipped_words
from ikz.rules.words import BOTH_CITIES, MANY_CITIES

# Quoted: an unquoted family name containing a digit makes browsers drop the whole list.
FONT_FAMILY = '"Source Sans 3", "Source Sans Pro", Arial, sans-serif'
TEXT_COLOR = "#1F2933"
MUTED_COLOR = "#5F6B76"
GRID_COLOR = "#E4E7EB"
NA_COLOR = "#B8BEC4"  # the taxonomy's `no_info` is the same light grey in every dimension

# Plotly's separators: decimal comma, thousands dot (German usage).
PLOTLY_SEPARATORS = ",."

# Image export through the chart toolbar and the slide deck: full-HD 16:9.
EXPORT_WIDTH = 1920
EXPORT_HEIGHT = 1080

# Colours by category name. This module knows no category lists and no orders: those are the
# build's dimension tables (ikz/core/schema.sql), read through ikz.read.queries.categories. A name without a
# colour here gets one from PALETTE (color_of), so a category added to a rules file still has a
# fixed colour of its own. Names are unique across dimensions, so one lookup serves all.
CITY_COLORS: dict[str, str] = load_cities().colors  # data/cities.toml, in its order
# Distinguishable for colour-blind viewers (tests/test_palette.py: ΔE ≥ 8 under simulated protanopia,
# deuteranopia and tritanopia). The taxonomy's `no_info` is the same grey in every dimension.
CATEGORY_COLORS: dict[str, str] = {
    **CITY_COLORS,
    # The partner map (ikz.present.maps): a partner both cities name gets the colour between their two.
    BOTH_CITIES: "#6B4C9A",
    MANY_CITIES: "#6B4C9A",  # the same, when the map shows more than two cities
    # Kooperationsform, Effektkategorie, Verbindlichkeit, Status, Aufgabenbereich: data/taxonomy.toml
    # (`color` of [[forms]] and [[effects]], [colors])
    **dict(shipped_words().colors),
    # Partner kinds; Verband/Verein shares the orange of the form "Verein / Verband /
    # Mitgliedschaft", so an association looks alike on every chart.
    "Landkreis": "#009E73",
    "kreisfreie Stadt": "#0072B2",
    "Gemeinde": "#56B4E9",
    "Landesbehörde": "#F0E442",
    "Verband/Verein": "#E69F00",
    "Bund/Bundesbehörde": "#D55E00",
    "Sonstige": "#8C96A0",
    shipped_words().no_info: NA_COLOR,
}

# The partner map: the base map stays quiet greys so the bubbles carry the colour.
MAP_STATE_FILL = "#FFFFFF"
MAP_STATE_LINE = "#5F6B76"
MAP_KREIS_LINE = "#C3C9CF"
MAP_NEIGHBOUR_FILL = "#EEF0F2"
MAP_NEIGHBOUR_LINE = "#D3D7DC"
MAP_BACKGROUND = "#F8F9FA"

# Colours for categories the table above does not name (a new form, effect or kind in a rules
# file): Plotly's Dark24 palette, minus any colour already used above.
_PALETTE = (
    "#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A", "#B68100", "#750D86",
    "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE",
    "#862A16", "#A777F1", "#620042", "#1616A7", "#DA60CA", "#6C4516", "#0D2A63", "#AF0038",
)  # fmt: skip
PALETTE = tuple(c for c in _PALETTE if c not in set(CATEGORY_COLORS.values()))


# Kooperationsform is also drawn as a fill pattern, so that colour is not its only cue (WCAG 2.1,
# 1.4.1): on the Kooperationsart chart, whose bars take their form's colour, the pattern matches the
# bar of the same form on the Kooperationsform chart beside it. The patterns are the `pattern` of
# [[forms]] in data/taxonomy.toml; „ohne Angabe“ stays plain: its bars are labelled so.


def pattern_of(category: str) -> str:
    """The fill pattern of a Kooperationsform ('' = solid); every other category is solid."""
    return shipped_words().pattern_of(category)


def color_of(category: str) -> str:
    """The category's colour; a name without one gets a palette colour chosen by the name alone.

    Chosen by a checksum of the name, not by the order of first use, so the same new category has
    the same colour on every chart, in every session and in every export.
    """
    known = CATEGORY_COLORS.get(category)
    if known is not None:
        return known
    return PALETTE[zlib.crc32(category.encode("utf-8")) % len(PALETTE)]
