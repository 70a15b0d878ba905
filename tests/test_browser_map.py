"""The Karte page in a real browser: the map is drawn, a click lists a partner's records, and no
page that shows the map asks any host but the app's own for anything (no tiles, CDN, fonts)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

import duckdb
import pytest

from ikz.build import build
from tests.live_app import (
    AppServer,
    chromium_missing_reason,
    launch_chromium,
    problems,
    screenshot,
    serve_app,
    wait_idle,
    wait_until,
)

if reason := chromium_missing_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.browser

MAP_PAGES = {"karte": "/karte", "vergleich": "/vergleich"}
MAP_TITLE = "Wo die Partner liegen"


@pytest.fixture(scope="module")
def map_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browser_map") / "ikz.duckdb"
    build(path)
    return path


@pytest.fixture(scope="module")
def server(map_db: Path) -> Iterator[AppServer]:
    with serve_app(map_db, map_db.with_name("streamlit.log")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    yield ctx
    ctx.close()


def placed_counts(db: Path) -> dict[str, int]:
    """Records naming each partner with a place, straight from the base tables."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT p.name, count(*) FROM cooperation_partner JOIN partner p USING (partner_id) "
            "WHERE p.ars IS NOT NULL GROUP BY p.name"
        ).fetchall()
    return dict(rows)


def map_points(page: Any) -> dict[str, list[float]]:
    """Partner name → [x, y] page position of its bubble, read from the drawn Plotly figure."""
    return page.evaluate(
        """(title) => {
            const plot = Array.from(document.querySelectorAll('.js-plotly-plot'))
                .find(p => (p.querySelector('.gtitle') || {}).textContent?.includes(title));
            const found = {};
            plot.data.forEach((trace, t) => {
                if (!trace.customdata) return;
                const paths = plot.querySelectorAll('.scatterlayer .trace')[t].querySelectorAll('path.point');
                trace.customdata.forEach((d, i) => {
                    const box = paths[i].getBoundingClientRect();
                    found[d[0]] = [box.x + box.width / 2, box.y + box.height / 2];
                });
            });
            return found;
        }""",
        MAP_TITLE,
    )


@pytest.mark.parametrize("name", MAP_PAGES)
def test_map_page_requests_nothing_from_another_host(server: AppServer, context: Any, name: str) -> None:
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + MAP_PAGES[name])
    wait_idle(page, timeout=180)
    assert not errors and problems(page) == []
    own = urlsplit(server.url).netloc
    foreign = [
        u
        for u in requested
        if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != own
    ]
    assert requested and foreign == []
    # data: URLs (the favicon) stay inside the page; nothing else may appear.
    assert all(urlsplit(u).scheme in ("http", "https", "ws", "wss", "data", "blob") for u in requested)


def test_map_draws_every_partner(server: AppServer, context: Any, map_db: Path) -> None:
    page = context.new_page()
    page.goto(server.url + "/karte")
    wait_idle(page, timeout=180)
    points = wait_until(lambda: map_points(page), what="map bubbles")
    counts = placed_counts(map_db)
    assert set(points) == set(counts)
    # The outlines are drawn: Länder and Kreise are filled/stroked paths in the scatter layer.
    outlines = page.locator(".js-plotly-plot .scatterlayer .trace path.js-line").count()
    assert outlines >= 4
    # Hovering a bubble names the partner and its records.
    x, y = points["Landkreis Börde"]
    page.mouse.move(x, y)
    hover = page.locator(".js-plotly-plot .hoverlayer .hovertext")
    wait_until(
        lambda: (
            hover.count() > 0
            and f"Einträge: {counts['Landkreis Börde']}" in (hover.first.text_content() or "")
        ),
        what="hover",
    )
    assert problems(page) == []
    screenshot(page, "karte")


def test_partner_in_the_address_lists_its_records(server: AppServer, context: Any, map_db: Path) -> None:
    # What a click on a bubble sets (pages/map_view.py): the partner in the address lists its records.
    partner = "Landkreis Börde"
    page = context.new_page()
    page.goto(f"{server.url}/karte?partner={quote_plus(partner)}")
    wait_idle(page, timeout=180)
    caption = page.get_by_text(f"Einträge nennen {partner}", exact=False)
    wait_until(lambda: caption.count() > 0, timeout=120, what="records caption")
    assert caption.first.inner_text().startswith(
        f"{placed_counts(map_db)[partner]} Einträge nennen {partner}"
    )
    assert problems(page) == []


def test_clicking_a_bubble_lists_its_records(server: AppServer, context: Any, map_db: Path) -> None:
    """A click on a partner's bubble puts the partner in the address and lists its records."""
    partner = "Landkreis Börde"
    page = context.new_page()
    page.goto(server.url + "/karte")
    wait_idle(page, timeout=180)
    x, y = wait_until(lambda: map_points(page).get(partner), what="the bubble")
    # Hover first, as a person's pointer does: Plotly answers a click on the point it hovers.
    page.mouse.move(x, y)
    page.locator(".js-plotly-plot .hoverlayer .hovertext").first.wait_for()
    # plotly.js misses some clicks with clickmode "event+select" (plotly/plotly.js#6898; here the
    # first click after loading, every time): a second click, as a person would, must do it.
    for _ in range(2):
        page.mouse.click(x, y)
        try:
            wait_until(lambda: f"partner={quote_plus(partner)}" in page.url, timeout=20, what="the URL")
            break
        except AssertionError:
            continue
    assert f"partner={quote_plus(partner)}" in page.url, "two clicks on the bubble did not reach the app"
    caption = page.get_by_text(f"Einträge nennen {partner}", exact=False)
    wait_until(lambda: caption.count() > 0, timeout=120, what="records caption")
    assert caption.first.inner_text().startswith(
        f"{placed_counts(map_db)[partner]} Einträge nennen {partner}"
    )
    assert problems(page) == []
    screenshot(page, "karte-klick")
