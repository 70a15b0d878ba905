"""The bundled geodata in data/geo: places by official key (ARS) and outlines for the map.

BKG VG5000, state 2021, dl-de/by-2-0; whatever shows or exports these data carries ATTRIBUTION.
Only data/geo is read, never a network resource: the map must work in an intranet.
"""

from __future__ import annotations

import csv
import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from ikz.core import paths

ATTRIBUTION = "© GeoBasis-DE / BKG 2021 (Daten verändert)"
ATTRIBUTION_URL = "https://www.bkg.bund.de"
# The map's own states; their neighbours are drawn faded for orientation.
MAP_STATES = ("15", "16")  # Sachsen-Anhalt, Thüringen

# Key length per kind of area: Kreis 5, Verwaltungsgemeinschaft/Verbandsgemeinde 9, Gemeinde 12.
KREIS_DIGITS = 5
VERBAND_DIGITS = 9
GEMEINDE_DIGITS = 12


@dataclass(frozen=True)
class Place:
    """An area named by its official key, with a point inside it for the map."""

    ars: str
    name: str  # today's name in the geodata, e.g. 'Grammetal'
    kind: str  # the geodata's Bezeichnung: 'Stadt', 'Gemeinde', 'Landkreis', 'Gemeindeverband'
    lon: float
    lat: float


@dataclass(frozen=True)
class Shape:
    """One outlined area: its key, name and rings of (lon, lat) points."""

    ars: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True)
class Outlines:
    """What the map draws beneath the partners: Länder (own and neighbouring) and Kreise."""

    states: tuple[Shape, ...]  # Thüringen and Sachsen-Anhalt
    neighbours: tuple[Shape, ...]  # faded, for orientation
    kreise: tuple[Shape, ...]  # the Kreise of the two states


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.lru_cache(maxsize=2)
def _places(geo_dir: Path) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for row in _read_csv(geo_dir / "kreise.csv"):
        places[row["ars"]] = Place(
            row["ars"], row["name"], row["bezeichnung"], float(row["lon"]), float(row["lat"])
        )
    gemeinden = _read_csv(geo_dir / "gemeinden.csv")
    members: dict[str, list[Place]] = {}
    for row in gemeinden:
        place = Place(row["ars"], row["name"], row["bezeichnung"], float(row["lon"]), float(row["lat"]))
        places[place.ars] = place
        members.setdefault(place.ars[:VERBAND_DIGITS], []).append(place)
    # A Verwaltungsgemeinschaft or Verbandsgemeinde has no outline of its own here: it sits at the
    # member nearest the members' mean, which lies inside the group. Digits 6–9 '0000' or a
    # single member mean a Gemeinde without such a group.
    for key, group in members.items():
        if key[KREIS_DIGITS:] == "0000" or len(group) < 2:
            continue
        lon = sum(p.lon for p in group) / len(group)
        lat = sum(p.lat for p in group) / len(group)
        centre = min(group, key=lambda p: math.dist((p.lon, p.lat), (lon, lat)))
        places[key] = Place(
            key, f"{len(group)} Gemeinden um {centre.name}", "Gemeindeverband", centre.lon, centre.lat
        )
    return places


def places(geo_dir: Path | None = None) -> dict[str, Place]:
    """Every place of data/geo by key: Kreise (5 digits), Gemeindeverbände (9), Gemeinden (12)."""
    return _places(geo_dir or paths.GEO_DIR)


def place(ars: str, geo_dir: Path | None = None) -> Place | None:
    """The place with this key, or None when data/geo does not hold it."""
    return places(geo_dir).get(ars)


def _shapes(path: Path) -> list[tuple[dict, Shape]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    shapes = []
    for feature in data["features"]:
        props = feature["properties"]
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        rings = tuple(tuple((float(x), float(y)) for x, y in polygon[0]) for polygon in polygons)
        shapes.append((props, Shape(props["ARS"], props["GEN"], rings)))
    return shapes


@functools.lru_cache(maxsize=2)
def _outlines(geo_dir: Path) -> Outlines:
    laender = _shapes(geo_dir / "laender.geojson")
    kreise = _shapes(geo_dir / "kreise.geojson")
    return Outlines(
        states=tuple(s for p, s in laender if p["ARS"] in MAP_STATES),
        neighbours=tuple(s for p, s in laender if p["ARS"] not in MAP_STATES),
        kreise=tuple(s for p, s in kreise if p["ARS"][:2] in MAP_STATES),
    )


def outlines(geo_dir: Path | None = None) -> Outlines:
    """The Länder and Kreise outlines of data/geo (read once per process)."""
    return _outlines(geo_dir or paths.GEO_DIR)


def geo_files(geo_dir: Path | None = None) -> list[Path]:
    """The data files of data/geo: a newer one makes the database stale (partners' points)."""
    folder = geo_dir or paths.GEO_DIR
    return [folder / name for name in ("kreise.csv", "gemeinden.csv")]
