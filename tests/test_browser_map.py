"""The Karte page in a real browser: the map is drawn, a click lists a partner's records, and the
page asks no host but the app's own for anything (no tiles, CDN, fonts). The Vergleich, which shows
the same map, is checked for third-party requests in test_browser_access.py, as every page is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

import duckdb
import pytest

from tests.live_app import (
    AppServer,
    problems,
    screenshot,
    wait_idle,
    wait_until,
)

pytestmark = pytest.mark.browser

MAP_TITLE = "Wo die Partner liegen"


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


def foreign_requests(requested: list[str], server: AppServer) -> list[str]:
    """Requests to any host but the app's own, or of a scheme that leaves the page."""
    own = urlsplit(server.url).netloc
    return [
        u
        for u in requested
        if (urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != own)
        # data: URLs (the favicon) stay inside the page; nothing else may appear.
        or urlsplit(u).scheme not in ("http", "https", "ws", "wss", "data", "blob")
    ]


def open_watched(context: Any, url: str) -> tuple[Any, list[str], list[str]]:
    """Open url in a new tab with every request and JavaScript error recorded; wait for the charts."""
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    wait_idle(page, timeout=180)
    return page, requested, errors


def assert_beside_the_map(page: Any, element: Any, viewport_height: int) -> None:
    """element is right of the map and inside the viewport: seen without scrolling after the click."""
    plot = page.locator(".js-plotly-plot").filter(has_text=MAP_TITLE).first.bounding_box()
    box = element.bounding_box()
    assert box["x"] >= plot["x"] + plot["width"], (box, plot)
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport_height, box


def test_map_draws_every_partner_and_a_click_lists_its_records(server: AppServer, context: Any) -> None:
    """One visit of /karte: every partner drawn, nothing fetched from elsewhere, hover names a
    partner's records, a click lists them and puts the partner in the address, which reopens it."""
    page, requested, errors = open_watched(context, server.url + "/karte")
    assert not errors and problems(page) == []
    assert requested and foreign_requests(requested, server) == []
    points = wait_until(lambda: map_points(page), what="map bubbles")
    counts = placed_counts(server.db)
    assert set(points) == set(counts)
    # The outlines are drawn: Länder and Kreise are filled/stroked paths in the scatter layer.
    outlines = page.locator(".js-plotly-plot .scatterlayer .trace path.js-line").count()
    assert outlines >= 4
    screenshot(page, "karte")
    # Hovering a bubble names the partner and its records, as a person's pointer does before a click.
    partner = "Landkreis Börde"
    x, y = points[partner]
    page.mouse.move(x, y)
    hover = page.locator(".js-plotly-plot .hoverlayer .hovertext")
    wait_until(
        lambda: hover.count() > 0 and f"Einträge: {counts[partner]}" in (hover.first.text_content() or ""),
        what="hover",
    )
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
    listed = f"{counts[partner]} Einträge nennen {partner}"
    caption = page.get_by_text(f"Einträge nennen {partner}", exact=False)
    wait_until(lambda: caption.count() > 0, timeout=120, what="records caption")
    assert caption.first.inner_text().startswith(listed)
    assert problems(page) == []
    assert_beside_the_map(page, caption.first, context.pages[0].viewport_size["height"])
    screenshot(page, "karte-klick")
    # The address with the partner, mailed or bookmarked, opens the same list.
    reopened = context.new_page()
    reopened.goto(page.url)
    wait_idle(reopened, timeout=180)
    caption = reopened.get_by_text(f"Einträge nennen {partner}", exact=False)
    wait_until(lambda: caption.count() > 0, timeout=120, what="records caption after reopening")
    assert caption.first.inner_text().startswith(listed)
    assert problems(reopened) == []


def test_at_1280_px_a_partners_records_stand_beside_the_map(server: AppServer, browser: Any) -> None:
    """On an office laptop's 1,280 px the records of the partner in the address are right of the map,
    in view, and the table shows what each record is and why it names the partner."""
    partner = "Landkreis Börde"
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(f"{server.url}/karte?partner={quote_plus(partner)}")
        wait_idle(page, timeout=180)
        caption = page.get_by_text(f"Einträge nennen {partner}", exact=False)
        wait_until(lambda: caption.count() > 0, timeout=120, what="records caption")
        assert_beside_the_map(page, caption.first, 800)
        side = page.locator('[data-testid="stColumn"]').filter(has=caption.first)
        table = side.locator('[data-testid="stDataFrame"]').first
        box = table.bounding_box()
        assert box["y"] < 800, box  # the table starts in view, under its caption
        assert problems(page) == []
        screenshot(page, "karte-partner-1280")
    finally:
        ctx.close()
