"""The Karte page in Streamlit's AppTest: the map, its filters and URL state, lists and records."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from ikz.rules.geo import ATTRIBUTION, ATTRIBUTION_URL
from tests.apptest import open_app
from tests.plotly_specs import assert_valid_figures

# Whole-page AppTest runs and real builds: seconds each, so not in the fast tier.
pytestmark = pytest.mark.slow

PAGE = "pages/karte.py"


def the_map(at: AppTest) -> dict:
    """The page's one figure, as a Plotly spec."""
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def bubbles(spec: dict) -> dict[str, float]:
    """Partner name → marker size of every bubble on the map."""
    found = {}
    for trace in spec["data"]:
        if trace.get("customdata"):
            found.update(zip([d[0] for d in trace["customdata"]], trace["marker"]["size"], strict=True))
    return found


def direct(db: Path, type_name: str | None = None) -> dict[str, int]:
    """Records naming each placed partner, straight from the base tables."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """
            SELECT p.name, count(*) FROM cooperation c
            JOIN cooperation_type t USING (type_id)
            JOIN cooperation_partner USING (cooperation_id) JOIN partner p USING (partner_id)
            WHERE p.ars IS NOT NULL AND (? IS NULL OR t.name = ?)
            GROUP BY p.name
            """,
            [type_name, type_name],
        ).fetchall()
    return dict(rows)


def test_default_run_shows_every_placed_partner(app: AppTest, built_db: Path) -> None:
    # The map's „Daten als Tabelle“ is open (it is filled only then).
    app.session_state["karte_map_tabelle_offen"] = True
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Karte der Partner"
    assert assert_valid_figures(at) == 1
    spec = the_map(at)
    assert "Wo die Partner liegen" in spec["layout"]["title"]["text"]
    assert spec["layout"]["title"]["subtitle"]["text"] == "Alle Kooperationen, ohne Filter"
    assert set(bubbles(spec)) == set(direct(built_db))
    # Attribution linked to the BKG under the map, Kooperationsart first in the sidebar.
    assert any(ATTRIBUTION in c.value and ATTRIBUTION_URL in c.value for c in at.caption)
    assert at.multiselect[0].key == "art"
    headers = [h.value for h in at.subheader]
    assert "Partner ohne Ort" in headers
    # The map's „Daten als Tabelle“ lists its partners and their counts (not outline coordinates).
    # Once only, with each place's official key (the page used to repeat it in an expander).
    tables = [pl.from_pandas(d.value) for d in at.dataframe if "Einträge gesamt" in d.value.columns]
    assert len(tables) == 1
    table = tables[0]
    assert table["Regionalschlüssel"].null_count() == 0
    counts = dict(zip(table["Partner"].to_list(), table["Einträge gesamt"].to_list(), strict=True))
    assert counts == direct(built_db)


def test_url_filter_narrows_the_bubbles(app: AppTest, built_db: Path) -> None:
    app.query_params["art"] = ["Zweckvereinbarung"]
    at = app.run()
    assert not at.exception
    assert at.multiselect(key="art").value == ["Zweckvereinbarung"]
    spec = the_map(at)
    assert set(bubbles(spec)) == set(direct(built_db, "Zweckvereinbarung"))
    assert "Kooperationsart: Zweckvereinbarung" in spec["layout"]["title"]["subtitle"]["text"]


def test_partner_in_the_url_lists_its_records(app: AppTest, built_db: Path) -> None:
    app.query_params["partner"] = ["Landkreis Börde"]
    at = app.run()
    assert not at.exception
    assert at.selectbox(key="partner").value == "Landkreis Börde"
    records = next(d.value for d in at.dataframe if "Beleg" in d.value.columns)
    assert len(records) == direct(built_db)["Landkreis Börde"]
    assert set(records["Stadt"]) == {"Magdeburg"}


def test_lines_toggle_adds_the_connections(app: AppTest) -> None:
    at = app.run()
    plain = len(the_map(at)["data"])
    at.toggle(key="linien").set_value(True).run()
    assert not at.exception
    names = [t.get("name", "") for t in the_map(at)["data"]]
    assert len(names) == plain + 2
    assert "Verbindungen Erfurt" in names and "Verbindungen Magdeburg" in names


def test_filters_that_leave_no_place_say_so(app: AppTest) -> None:
    app.query_params["suche"] = ["xyzzy-kein-treffer"]
    at = app.run()
    assert not at.exception
    assert bubbles(the_map(at)) == {}
    assert any("nennt kein Eintrag einen Landkreis" in i.value for i in at.info)


def test_presentation_mode_shows_the_map_only(app: AppTest) -> None:
    at = app.run()
    at.toggle(key="praesentation").set_value(True).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1
    assert len(at.dataframe) == 0


def test_vergleich_shows_the_map_too(built_db: Path, on_built_db: Path) -> None:
    at = open_app("pages/compare.py")
    at.query_params["vergleich_diagramm"] = "Karte"  # the Vergleich's map has a tab of its own
    at.run()
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    maps = [s for s in specs if "Wo die Partner liegen" in s["layout"]["title"]["text"]]
    assert len(maps) == 1
    assert set(bubbles(maps[0])) == set(direct(built_db))


def test_a_partners_records_stand_beside_the_map(app: AppTest, built_db: Path) -> None:
    """The chosen partner's records are in the column right of the map, above the partners without a
    place – not below the map, out of sight."""
    app.query_params["partner"] = ["Landkreis Börde"]
    at = app.run()
    assert not at.exception
    map_column = next(c for c in at.columns if c.get("plotly_chart"))
    side = at.columns[list(at.columns).index(map_column) + 1]
    assert not [d for d in map_column.get("dataframe") if "Beleg" in d.value.columns]
    (records,) = [d.value for d in side.get("dataframe") if "Beleg" in d.value.columns]
    assert len(records) == direct(built_db)["Landkreis Börde"]
    assert list(records.columns[:3]) == ["Stadt", "Eintrag", "Beleg"]
    headers = [h.value for h in side.get("subheader")]
    assert headers == ["Einträge eines Partners", "Partner ohne Ort"]
