"""The bundled geodata and the partners' official keys: every place is found, bad keys stop the build."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import pytest

from ikz.builder.database import build
from ikz.core.errors import TaxonomyError
from ikz.core.paths import GEO_DIR, PARTNERS_PATH
from ikz.derive.partners import Gazetteer, load_gazetteer
from ikz.rules import geo

# The kinds the partner file declares as places (its `place_keys`).
PLACEABLE = tuple(load_gazetteer().place_keys)
# Kinds and place keys for the hand-written partner files below, as data/partners.toml declares them.
HEADER = (
    'kinds = ["Landkreis", "kreisfreie Stadt", "Gemeinde", "Landesbehörde"]\n'
    '[place_keys]\n"Landkreis" = [5]\n"kreisfreie Stadt" = [12]\n"Gemeinde" = [12, 9]\n'
)
# Thüringen, Sachsen-Anhalt and their neighbours, generously: a point outside is a wrong key.
LON_RANGE = (9.0, 15.0)
LAT_RANGE = (49.5, 53.5)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def _core(name: str) -> str:
    """A name without its Bezeichnung or suffix: 'Schönebeck (Elbe)' → 'Schönebeck'."""
    return re.sub(r"\s*\(.*\)$", "", name)


def test_every_placeable_partner_has_a_key_found_in_the_geodata(gazetteer: Gazetteer) -> None:
    placeable = [p for p in gazetteer.partners() if p.kind in PLACEABLE]
    assert len(placeable) >= 40
    places = geo.places()
    for partner in placeable:
        assert partner.place is not None, partner.name
        assert places[partner.place.ars] == partner.place
        assert len(partner.place.ars) in gazetteer.place_keys[partner.kind], partner.name
        assert LON_RANGE[0] < partner.place.lon < LON_RANGE[1], partner.name
        assert LAT_RANGE[0] < partner.place.lat < LAT_RANGE[1], partner.name
    # Everything else has no place: an authority or association is not drawn on the map.
    assert all(p.place is None for p in gazetteer.partners() if p.kind not in PLACEABLE)


def test_keys_name_the_partner_they_belong_to(gazetteer: Gazetteer) -> None:
    # A wrong digit gives another real place: the key's name must be the partner's (the words
    # 'Landkreis', 'Stadt', 'Gemeinde', 'Hansestadt', 'VG' aside).
    for partner in gazetteer.partners():
        if partner.place is None:
            continue
        if partner.place.kind == "Gemeindeverband":
            # A Verwaltungsgemeinschaft is named after its places or streams: Gramme-Vippach holds
            # Markvippach and Schloßvippach, Arneburg-Goldbeck holds Arneburg and Goldbeck.
            members = [p for k, p in geo.places().items() if len(k) == 12 and k.startswith(partner.place.ars)]
            words = [w.lower() for w in re.split(r"[-\s]", partner.name) if len(w) > 3]
            assert any(w in m.name.lower() for w in words for m in members), (partner.name, members)
            continue
        assert _core(partner.place.name) in partner.name, (partner.name, partner.place.name)


def test_same_name_in_two_kreise_is_told_apart_by_the_key(gazetteer: Gazetteer) -> None:
    # Two Thüringer Gemeinden are called Elxleben; Erfurt's partner is the one north of the city.
    elxleben = [p for k, p in geo.places().items() if p.name == "Elxleben"]
    assert len(elxleben) == 2
    partner = next(p for p in gazetteer.partners() if p.name == "Gemeinde Elxleben")
    assert partner.place is not None and partner.place.ars[:5] == "16068"  # Landkreis Sömmerda


def test_kreis_points_lie_inside_their_kreis() -> None:
    shapes = {s.ars: s for s in geo.outlines().kreise}
    with (GEO_DIR / "kreise.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["ars"] in shapes]
    assert len(rows) == len(shapes) == 37  # 14 Kreise in Sachsen-Anhalt, 23 in Thüringen
    for row in rows:
        lon, lat = float(row["lon"]), float(row["lat"])
        assert any(_inside(lon, lat, ring) for ring in shapes[row["ars"]].rings), row["name"]


def _inside(lon: float, lat: float, ring: tuple[tuple[float, float], ...]) -> bool:
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def test_outlines_hold_the_two_states_their_neighbours_and_kreise() -> None:
    outlines = geo.outlines()
    assert sorted(s.name for s in outlines.states) == ["Sachsen-Anhalt", "Thüringen"]
    assert {"Sachsen", "Niedersachsen", "Brandenburg", "Hessen", "Bayern"} <= {
        s.name for s in outlines.neighbours
    }
    assert all(s.ars[:2] in ("15", "16") for s in outlines.kreise)
    assert all(len(ring) >= 4 for s in outlines.kreise for ring in s.rings)


def test_bundled_geodata_stay_small_and_carry_their_licence() -> None:
    files = [p for p in GEO_DIR.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 250_000
    readme = (GEO_DIR / "README.md").read_text(encoding="utf-8")
    assert geo.ATTRIBUTION in readme and "dl-de/by-2-0" in readme and geo.ATTRIBUTION_URL in readme
    for name in ("laender.geojson", "kreise.geojson"):
        data = json.loads((GEO_DIR / name).read_text(encoding="utf-8"))
        assert data["type"] == "FeatureCollection"


@pytest.mark.slow  # a real build: seconds
def test_historical_name_maps_to_todays_gemeinde(tmp_path: Path) -> None:
    # Mönchenholzhausen has been part of Grammetal since 2019: the entry keeps the name the
    # document prints and takes today's key; the database then names today's Gemeinde.
    path = tmp_path / "partners.toml"
    path.write_text(
        PARTNERS_PATH.read_text(encoding="utf-8")
        + '\n[[partners]]\nname = "Gemeinde Mönchenholzhausen"\nkind = "Gemeinde"\n'
        'ars = "160710103103"\naliases = ["Mönchenholzhausen"]\n',
        encoding="utf-8",
    )
    target = tmp_path / "ikz.duckdb"
    build(target, partners_path=path)
    with duckdb.connect(str(target), read_only=True) as con:
        row = con.execute(
            "SELECT ars, place_name, lon, lat FROM partner WHERE name = 'Gemeinde Mönchenholzhausen'"
        ).fetchone()
    assert row[:2] == ("160710103103", "Grammetal")
    assert (row[2], row[3]) == (geo.place("160710103103").lon, geo.place("160710103103").lat)


ENTRY = '[[partners]]\nname = "Testgemeinde"\nkind = "Gemeinde"\naliases = ["Testgemeinde"]\n'


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("", "braucht 'ars' (Amtlicher Regionalschlüssel), damit die Karte 'Gemeinde' zeigen kann"),
        ('ars = "16070"\n', "'ars' muss ein Text aus 12 oder 9 Ziffern sein, nicht '16070'"),
        ("ars = 160510000000\n", "'ars' muss ein Text aus 12 oder 9 Ziffern sein"),
        ('ars = "16051000000x"\n', "'ars' muss ein Text aus 12 oder 9 Ziffern sein"),
        ('ars = "169990000000"\n', "Schlüssel 169990000000 steht nicht in den Geodaten (data/geo)"),
    ],
)
def test_placeable_partner_without_a_valid_key_fails_the_build(
    tmp_path: Path, extra: str, message: str
) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(HEADER + ENTRY + extra, encoding="utf-8")
    target = tmp_path / "ikz.duckdb"
    with pytest.raises(TaxonomyError) as error:
        build(target, partners_path=path)
    assert f"{path}: partners[0] (Testgemeinde): {message}" in str(error.value)
    assert not target.exists()


def test_a_key_on_an_authority_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(
        HEADER + '[[partners]]\nname = "Testamt"\nkind = "Landesbehörde"\nars = "16"\n'
        'aliases = ["Testamt"]\n',
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match=r"partners\[0\] \(Testamt\): 'ars' nur für"):
        load_gazetteer(path)


def test_database_stores_key_and_point_for_places_only(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT name, kind, ars, place_name, lon, lat FROM partner").fetchall()
    for name, kind, ars, place_name, lon, lat in rows:
        if kind in PLACEABLE:
            place = geo.place(ars)
            assert place is not None, name
            assert (place_name, lon, lat) == (place.name, place.lon, place.lat)
        else:
            assert (ars, place_name, lon, lat) == (None, None, None, None), name


def test_an_updated_geodata_file_makes_the_database_stale() -> None:
    from ikz.read.db import input_files

    assert set(geo.geo_files()) <= set(input_files())
