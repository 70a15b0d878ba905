"""Presentation constants used by every chart and page: category order and colour, fonts, German numbers."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

LOCALE = "de_DE"
# Quoted: an unquoted family name containing a digit makes browsers drop the whole list.
FONT_FAMILY = '"Source Sans 3", "Source Sans Pro", Arial, sans-serif'
TEXT_COLOR = "#1F2933"
MUTED_COLOR = "#5F6B76"
GRID_COLOR = "#E4E7EB"
NA_COLOR = "#B8BEC4"  # 'ohne Angabe' is the same light grey in every dimension
NA = "ohne Angabe"

# Plotly's separators: decimal comma, thousands dot (German usage).
PLOTLY_SEPARATORS = ",."

# Image export through the chart toolbar and the slide deck: full-HD 16:9.
EXPORT_WIDTH = 1920
EXPORT_HEIGHT = 1080

CITY_COLORS: dict[str, str] = {
    "Erfurt": "#B3282D",  # Erfurt's red
    "Magdeburg": "#1F5A8C",  # a calm blue, clearly apart from Erfurt
}

# Orders follow the taxonomy (tests check both agree). Colours stay apart for colour-blind viewers:
# tests/test_palette.py simulates protanopia, deuteranopia and tritanopia (ΔE ≥ 8 in every palette).
FORM_COLORS: dict[str, str] = {
    "Zweckverband": "#0B4F6C",
    "Zweckvereinbarung": "#2E86AB",
    "Vertrag / Vereinbarung": "#6BB3D6",
    "Arbeitsgemeinschaft": "#7A4EAB",
    "Verein / Verband / Mitgliedschaft": "#E69F00",
    "Arbeitskreis / Arbeitsgruppe / Gremium": "#009E73",
    "Netzwerk / Erfahrungsaustausch": "#8CCB5E",
    "Projekt / Verbund": "#D55E00",
    NA: NA_COLOR,
}
BINDING_COLORS: dict[str, str] = {
    "öffentlich-rechtlich": "#0B4F6C",
    "vertraglich": "#6BB3D6",
    "institutionell": "#E69F00",
    "informell": "#8CCB5E",
    NA: NA_COLOR,
}
EFFECT_COLORS: dict[str, str] = {
    "Erfahrungs- und Wissensaustausch": "#4E79A7",
    "Kosteneinsparung und Wirtschaftlichkeit": "#F28E2B",
    "Personalentlastung": "#9C755F",
    "Prozessoptimierung und Standardisierung": "#AA4499",
    "Qualität und Fachkompetenz": "#59A14F",
    "Daseinsvorsorge und Versorgungssicherheit": "#EDC948",
    "Regionalentwicklung und Wirtschaft": "#B07AA1",
    "Interessenvertretung": "#FF9DA7",
    NA: NA_COLOR,
}
TASK_AREA_COLORS: dict[str, str] = {
    "1 Allgemeine Verwaltung": "#5B8DB8",
    "2 Finanzen": "#A0CBE8",
    "3 Recht, Sicherheit und Ordnung": "#C44E52",
    "4 Schule und Kultur": "#F1CE63",
    "5 Soziales, Jugend und Gesundheit": "#E39B5B",
    "6 Bauwesen": "#8C6D31",
    "7 Öffentliche Einrichtungen": "#6AA56E",
    "8 Wirtschaft und Verkehr": "#F28E2B",
}
STATUS_COLORS: dict[str, str] = {
    "umgesetzt": "#1A7F4B",
    "laufend": "#5DB075",
    "in Umsetzung": "#A6D96A",
    "in Planung": "#FDD05B",
    "ruht": "#B07AA1",
    "gescheitert": "#C0392B",
    "Vorschlag": "#7FA7D9",
    NA: NA_COLOR,
}

# Kinds of named partners (ikz.partners.KINDS, same order); Verband/Verein shares the orange of
# the form "Verein / Verband / Mitgliedschaft", so an association looks alike on every chart.
PARTNER_KIND_COLORS: dict[str, str] = {
    "Landkreis": "#009E73",
    "kreisfreie Stadt": "#0072B2",
    "Gemeinde": "#56B4E9",
    "Landesbehörde": "#F0E442",
    "Verband/Verein": "#E69F00",
    "Bund/Bundesbehörde": "#D55E00",
    "Sonstige": "#8C96A0",
}

FORMS = tuple(FORM_COLORS)
BINDINGS = tuple(BINDING_COLORS)
EFFECTS = tuple(EFFECT_COLORS)
TASK_AREAS = tuple(TASK_AREA_COLORS)
STATUSES = tuple(STATUS_COLORS)
CITIES = tuple(CITY_COLORS)
PARTNER_KINDS = tuple(PARTNER_KIND_COLORS)

# Verbindlichkeiten that count as 'verbindlich' in the key figures.
BINDING_COMMITTED = ("öffentlich-rechtlich", "vertraglich")

# One lookup for every category: names are unique across dimensions except 'ohne Angabe',
# which is the same grey everywhere.
CATEGORY_COLORS: dict[str, str] = {
    **CITY_COLORS,
    **FORM_COLORS,
    **BINDING_COLORS,
    **EFFECT_COLORS,
    **TASK_AREA_COLORS,
    **STATUS_COLORS,
    **PARTNER_KIND_COLORS,
}


def color_of(category: str) -> str:
    """The category's colour; unknown categories get the neutral grey."""
    return CATEGORY_COLORS.get(category, NA_COLOR)


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
