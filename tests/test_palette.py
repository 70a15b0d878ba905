"""The category colours stay distinguishable for colour-blind viewers (simulated), and never alone.

Each palette is passed through the colour-vision-deficiency matrices of Machado, Oliveira and
Fernandes (2009, severity 1.0) in linear RGB; every pair of categories of one dimension must stay
at least MIN_DELTA_E apart in CIELAB (CIE76), i.e. clearly distinguishable side by side.
"""

from __future__ import annotations

import itertools
import math

import pytest

from ikz.derive.classify import load_taxonomy
from ikz.derive.partners import load_gazetteer
from ikz.present import theme

MIN_DELTA_E = 8.0
SIMULATIONS: dict[str, tuple[tuple[float, float, float], ...]] = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}
# The dimensions as the rules files list them (the build's dimension tables), coloured by ikz.present.theme.
_TAXONOMY = load_taxonomy()
_DIMENSIONS: dict[str, list[str]] = {
    "Stadt": list(theme.CITY_COLORS),
    "Kooperationsform": [form for form, _ in _TAXONOMY.form_bindings],
    "Verbindlichkeit": list(_TAXONOMY.bindings()),
    "Effektkategorie": [name for name, _ in _TAXONOMY.effect_categories()],
    "Aufgabenbereich": list(_TAXONOMY.task_areas()),
    "Status": list(_TAXONOMY.statuses()),
    "Partnerart": list(load_gazetteer().kinds),
}
PALETTES = {
    dimension: {name: theme.color_of(name) for name in dict.fromkeys(names)}
    for dimension, names in _DIMENSIONS.items()
}


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def lab(hex_colour: str, matrix: tuple[tuple[float, float, float], ...]) -> tuple[float, float, float]:
    """CIELAB (D65) of a colour as a viewer with the given simulation sees it."""
    rgb = [_linear(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5)]
    r, g, b = (min(1.0, max(0.0, sum(m * v for m, v in zip(row, rgb, strict=True)))) for row in matrix)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def closest_pair(palette: dict[str, str], simulation: str) -> tuple[float, str, str]:
    """The two categories that look most alike under the simulation, with their ΔE."""
    matrix = SIMULATIONS[simulation]
    return min(
        (math.dist(lab(a, matrix), lab(b, matrix)), ka, kb)
        for (ka, a), (kb, b) in itertools.combinations(palette.items(), 2)
    )


@pytest.mark.parametrize("simulation", SIMULATIONS)
@pytest.mark.parametrize("dimension", PALETTES)
def test_categories_stay_apart(dimension: str, simulation: str) -> None:
    distance, a, b = closest_pair(PALETTES[dimension], simulation)
    assert distance >= MIN_DELTA_E, f"{dimension}, {simulation}: {a} / {b} only ΔE {distance:.1f}"


def test_the_check_catches_red_and_green() -> None:
    """The old Personalentlastung red and Qualität green look alike to deuteranopes: caught."""
    distance, *_ = closest_pair({"rot": "#E15759", "grün": "#59A14F"}, "deuteranopia")
    assert distance < MIN_DELTA_E
    assert closest_pair({"rot": "#E15759", "grün": "#59A14F"}, "normal")[0] > 40
