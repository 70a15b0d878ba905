"""Run by tests/test_third_city.py in a Python whose $IKZ_DATA holds a copy of data/ with Jena added
(its list in the template's columns, its entry in cities.toml). Not collected on its own: the
name does not start with test_. Each check looks for Jena where a person would see it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from ikz.builder.database import build
from ikz.core.paths import CITIES_PATH, DATA_ENV_VAR, ROOT, db_path
from ikz.present import maps
from ikz.present.charts import ChartText
from ikz.present.export import DeckSpec
from ikz.read.db import Database
from ikz.read.partner_map import city_points, map_partners
from ikz.read.queries import ALL, Filters, filter_options, records
from ikz.rules import geo
from ikz.rules.cities import load_cities
from tests.apptest import offered_decks
from tests.live_app import (
    chromium_missing_reason,
    launch_chromium,
    open_options,
    serve_app,
    settle,
    wait_until,
)
from tests.plotly_specs import figures_by_title as figures

pytestmark = pytest.mark.skipif(DATA_ENV_VAR not in os.environ, reason="needs the data folder with Jena")

JENA = "Jena"
TIMEOUT = 90
TABS = "vergleich_diagramm"  # one chart per tab: a check opens the tab it looks at


@pytest.fixture(scope="module")
def db() -> Path:
    path = db_path()
    build(path)
    return path


@pytest.fixture
def con(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with Database(db).cursor() as cur:
        yield cur


@pytest.fixture
def decks(monkeypatch: pytest.MonkeyPatch) -> list[DeckSpec]:
    """The deck/PDF specs the pages offer for export (captured instead of drawing the panel)."""
    return offered_decks(monkeypatch, draw=False)


def run_page(page: str, params: dict[str, list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(page)
    for key, values in (params or {}).items():
        at.query_params[key] = values
    at.run()
    assert not at.exception, at.exception
    return at


def trace_names(spec: dict) -> set[str]:
    return {t.get("name") for t in spec["data"]}


def test_the_copy_is_in_use() -> None:
    assert Path(os.environ[DATA_ENV_VAR]) / "cities.toml" == CITIES_PATH
    assert load_cities().names == ("Erfurt", "Magdeburg", JENA)
    assert load_cities().compare == ("Erfurt", "Magdeburg")


def test_jena_is_built_and_filterable(con: duckdb.DuckDBPyConnection) -> None:
    assert JENA in filter_options(con).cities
    jena = records(con, filters=Filters(cities=(JENA,)))
    assert jena.height == int(os.environ["IKZ_JENA_ROWS"])
    assert set(jena["city"]) == {JENA}
    # The list's own columns are kept: a printed Kooperationsart, the Status column.
    assert "Zweckvereinbarung" in jena["type_name"].to_list()
    assert records(con, filters=ALL).height > jena.height


def test_jena_is_on_the_map(con: duckdb.DuckDBPyConnection) -> None:
    bubbles = map_partners(con)
    named_by_jena = bubbles.filter(
        pl.col("city_counts").list.eval(pl.element().struct.field("city") == JENA).list.any()
    )
    assert not named_by_jena.is_empty()
    # With three cities, a partner several of them name is „mehrere Städte“, never „beide Städte“.
    assert "beide Städte" not in bubbles["named_by"].to_list()
    points = city_points(con)
    assert JENA in points["city"].to_list()
    text = ChartText(title="Karte", subtitle="", source="Quelle: Test")
    fig = maps.partner_map(bubbles, geo.outlines(), points, text, lines=True)
    assert f"Verbindungen {JENA}" in {t.name for t in fig.data}
    marked = fig.data[-1]
    assert f"<b>{JENA}</b>" in list(marked.text)
    assert load_cities().get(JENA).color in list(marked.marker.color)


def test_ueberblick_filters_charts_records_and_export(db: Path, decks: list[DeckSpec]) -> None:
    at = run_page("pages/explore.py")
    assert JENA in at.multiselect(key="stadt").options
    shown = figures(at)
    assert any(JENA in json.dumps(spec, ensure_ascii=False) for spec in shown.values())
    table = pl.from_pandas(next(d for d in at.dataframe if d.key == "records_table").value)
    assert JENA in table["Stadt"].to_list()
    # Jena alone through its filter: every chart draws only Jena's records.
    at = run_page("pages/explore.py", {"stadt": [JENA]})
    table = pl.from_pandas(next(d for d in at.dataframe if d.key == "records_table").value)
    assert set(table["Stadt"]) == {JENA}
    spec = decks[-1]
    assert any(JENA in s for s in spec.sources) and JENA in spec.filters_text
    assert spec.charts and all(JENA in c.subtitle for c in spec.charts)


def test_karte_shows_jena(db: Path, decks: list[DeckSpec]) -> None:
    at = run_page("pages/karte.py")
    (spec,) = [s for t, s in figures(at).items() if t.startswith("Wo die Partner liegen")]
    assert JENA in json.dumps(spec, ensure_ascii=False)
    assert any(JENA in s for s in decks[-1].sources)


def test_vergleich_defaults_to_the_files_pair_and_offers_jena(db: Path) -> None:
    at = run_page("pages/compare.py", {TABS: ["Kooperationsform"]})
    assert at.title[0].value == "Vergleich Erfurt – Magdeburg"
    assert JENA in at.selectbox(key="stadt_a").options
    assert JENA in at.selectbox(key="stadt_b").options
    names = set().union(*(trace_names(s) for s in figures(at).values()))
    assert {"Erfurt", "Magdeburg"} <= names and JENA not in names


def test_vergleich_compares_the_pair_in_the_url(db: Path, decks: list[DeckSpec]) -> None:
    at = run_page("pages/compare.py", {"stadt_a": [JENA], "stadt_b": ["Magdeburg"], TABS: ["Profil"]})
    assert at.title[0].value == f"Vergleich {JENA} – Magdeburg"
    assert (at.selectbox(key="stadt_a").value, at.selectbox(key="stadt_b").value) == (JENA, "Magdeburg")
    profile = next(s for t, s in figures(at).items() if t.startswith("Profil"))
    assert JENA in json.dumps(profile, ensure_ascii=False)
    at = run_page(
        "pages/compare.py", {"stadt_a": [JENA], "stadt_b": ["Magdeburg"], TABS: ["Kooperationsform"]}
    )
    shown = figures(at)
    shares = next(s for t, s in shown.items() if t == "Kooperationsform im Vergleich")
    assert trace_names(shares) == {JENA, "Magdeburg"}
    (deck,) = decks[-1:]
    assert deck.title == f"Vergleich {JENA} – Magdeburg"
    citations = " ".join(deck.sources)
    assert load_cities().get(JENA).source.citation in citations
    assert load_cities().get("Erfurt").source.citation not in citations
    # Choosing Magdeburg first moves the second city on: never the same city twice.
    at.selectbox(key="stadt_a").set_value("Magdeburg").run()
    assert at.title[0].value == "Vergleich Magdeburg – Erfurt"
    assert "Magdeburg" not in at.selectbox(key="stadt_b").options
    at.selectbox(key="stadt_b").set_value(JENA).run()
    assert at.title[0].value == f"Vergleich Magdeburg – {JENA}"


def test_the_pair_lives_in_the_address(db: Path, tmp_path: Path) -> None:
    """In Chromium: a link opens its pair, a choice is written into the address, and the address
    opens the same pair again."""
    if reason := chromium_missing_reason():
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    def heading(page) -> str:
        return page.locator("h1").first.inner_text() if page.locator("h1").count() else ""

    with serve_app(db, tmp_path / "app.log") as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{server.url}/vergleich?stadt_a={JENA}&stadt_b=Magdeburg")
            wait_until(lambda: heading(page) == f"Vergleich {JENA} – Magdeburg", timeout=120, what="link")
            settle(page, timeout=120)
            second = page.get_by_role("combobox", name="Zweite Stadt", exact=True)
            assert open_options(page, second) == ["Erfurt", "Magdeburg"]  # never the first city
            page.get_by_role("option", name="Erfurt", exact=True).click()
            wait_until(lambda: heading(page) == f"Vergleich {JENA} – Erfurt", timeout=60, what="choice")
            wait_until(lambda: "stadt_b=Erfurt" in page.url, timeout=30, what="address")
            again = browser.new_page(viewport={"width": 1280, "height": 1000})
            again.goto(page.url)
            wait_until(lambda: heading(again) == f"Vergleich {JENA} – Erfurt", timeout=120, what="reopened")
        finally:
            browser.close()
