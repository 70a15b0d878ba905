"""The seed documents' file names, from data/cities.toml (tests may name the cities)."""

from __future__ import annotations

from ikz.rules.cities import load_cities

ERFURT_FILE = load_cities().get("Erfurt").source.file
MAGDEBURG_FILE = load_cities().get("Magdeburg").source.file
