"""Copy the part of the shared BKG geodata the map uses into data/geo/ (run once, by hand).

    .venv/bin/python scripts/geo_subset.py /work/shared/geo

Writes data/geo/laender.geojson (Thüringen, Sachsen-Anhalt and their neighbours), kreise.geojson
(the Kreise of Thüringen and Sachsen-Anhalt), kreise.csv (one point inside each Kreis of Thüringen,
Sachsen-Anhalt and Sachsen) and gemeinden.csv (every Gemeinde of those three Länder, plus the
Gemeinden elsewhere that data/partners.toml names by key). Coordinates are rounded: outlines to
3 decimals (about 100 m; the source is simplified to ±1 km anyway), points to 4 (about 10 m).
The app never reads the shared folder; it reads only data/geo.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "data" / "geo"
STATES = ("15", "16")  # Sachsen-Anhalt, Thüringen: the two cities' Länder
NEIGHBOURS = (
    "03",
    "06",
    "09",
    "11",
    "12",
    "14",
)  # Niedersachsen, Hessen, Bayern, Berlin, Brandenburg, Sachsen
POINT_STATES = ("14", "15", "16")  # Gemeinden and Kreis points: central Germany
OUTLINE_DECIMALS = 3
POINT_DECIMALS = 4

Ring = list[list[float]]


def rings(geometry: dict) -> list[Ring]:
    """The outer rings of a Polygon or MultiPolygon (holes are not drawn on this map)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def rounded(ring: Ring, decimals: int) -> Ring:
    """The ring with rounded coordinates and consecutive duplicates dropped."""
    out: Ring = []
    for lon, lat in ring:
        point = [round(lon, decimals), round(lat, decimals)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def area_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed area and centroid of a ring (shoelace formula, in degrees: fine for a label point)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    return area, cx / (6 * area), cy / (6 * area)


def inside(lon: float, lat: float, ring: Ring) -> bool:
    """Point in polygon by ray casting."""
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def subset_features(source: Path, keep: tuple[str, ...], prefix_len: int) -> dict:
    """A FeatureCollection of the features whose ARS starts with one of keep, outer rings rounded."""
    data = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for feature in data["features"]:
        props = feature["properties"]
        if props["ARS"][:prefix_len] not in keep:
            continue
        polygons = [[rounded(r, OUTLINE_DECIMALS)] for r in rings(feature["geometry"])]
        features.append(
            {
                "type": "Feature",
                "properties": {"ARS": props["ARS"], "GEN": props["GEN"], "BEZ": props["BEZ"]},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def partner_keys() -> set[str]:
    """The ARS keys data/partners.toml names."""
    data = tomllib.loads((ROOT / "data" / "partners.toml").read_text(encoding="utf-8"))
    return {p["ars"] for p in data.get("partners", []) if "ars" in p}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", type=Path, help="the shared geodata folder (with README.md)")
    args = parser.parse_args()
    TARGET.mkdir(parents=True, exist_ok=True)

    laender = subset_features(args.shared / "laender.geojson", STATES + NEIGHBOURS, 2)
    kreise_all = json.loads((args.shared / "kreise.geojson").read_text(encoding="utf-8"))
    kreise = subset_features(args.shared / "kreise.geojson", STATES, 2)
    for name, collection in (("laender", laender), ("kreise", kreise)):
        text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
        (TARGET / f"{name}.geojson").write_text(text + "\n", encoding="utf-8")

    with (args.shared / "gemeinden.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    wanted = partner_keys()
    gemeinden = [
        r for r in rows if r["ars"][:2] in POINT_STATES or r["ars"] in wanted or r["ars"][:9] in wanted
    ]
    with (TARGET / "gemeinden.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ars", "name", "bezeichnung", "kreis", "lon", "lat"])
        for r in gemeinden:
            lon, lat = round(float(r["lon"]), POINT_DECIMALS), round(float(r["lat"]), POINT_DECIMALS)
            writer.writerow([r["ars"], r["name"], r["bezeichnung"], r["kreis"], lon, lat])

    # One point per Kreis: the centroid of its largest part if that lies inside, otherwise the
    # point of its Gemeinde nearest to the centroid (a crescent-shaped Kreis has its centroid outside).
    with (TARGET / "kreise.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ars", "name", "bezeichnung", "lon", "lat"])
        for feature in kreise_all["features"]:
            props = feature["properties"]
            if props["ARS"][:2] not in POINT_STATES:
                continue
            ring = max(rings(feature["geometry"]), key=lambda r: abs(area_centroid(r)[0]))
            _, lon, lat = area_centroid(ring)
            if not inside(lon, lat, ring):
                members = [r for r in rows if r["ars"][:5] == props["ARS"]]
                best = min(members, key=lambda r: math.dist((float(r["lon"]), float(r["lat"])), (lon, lat)))
                lon, lat = float(best["lon"]), float(best["lat"])
            writer.writerow(
                [
                    props["ARS"],
                    props["GEN"],
                    props["BEZ"],
                    round(lon, POINT_DECIMALS),
                    round(lat, POINT_DECIMALS),
                ]
            )
    print(
        f"{len(laender['features'])} Länder, {len(kreise['features'])} Kreise, "
        f"{len(gemeinden)} Gemeinden → {TARGET}"
    )


if __name__ == "__main__":
    main()
