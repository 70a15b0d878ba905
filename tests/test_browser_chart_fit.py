"""The Vergleich at 1280 and 1920 px in Chromium: no chart text cut, turned, hidden or unnamed.

For every Plotly chart the browser measures the drawn text (title, subtitle, ticks, value labels,
legend, notes) against the chart's own box and the legend's box, reads each tick's rotation, checks
that no two tick labels overlap, and that every category of a bar chart or heatmap is a drawn tick
(tests/chart_fit_check.js). Screenshots of the whole page land in artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live_app import (
    MAIN,
    AppServer,
    chart_tabs,
    open_chart_tab,
    screenshot,
    settle,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHECK = (Path(__file__).parent / "chart_fit_check.js").read_text()


@pytest.mark.parametrize("width", [1280, 1920])
def test_vergleich_has_no_cut_or_turned_chart_text(browser, server: AppServer, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 1000})
    try:
        page.goto(f"{server.url}/vergleich")
        wait_idle(page, timeout=120)
        # One chart per tab: each tab opened in turn, its chart measured once drawn and still.
        labels = [t.strip() for t in chart_tabs(page, "vergleich_diagramm").all_inner_texts()]
        found = []
        for i, label in enumerate(labels):
            open_chart_tab(page, "vergleich_diagramm", i, timeout=120)
            settle(page)
            found += page.evaluate(CHECK)
            if label in ("Profil", "Themen"):
                screenshot(page, f"vergleich-{label.lower()}-{width}")
        assert len(found) >= 9  # every chart of the page was drawn and measured
        problems = [(c["title"], p) for c in found for p in c["problems"]]
        assert problems == [], problems
        # A tall viewport: the main area scrolls inside itself, a full-page shot shows only the viewport.
        height = page.evaluate(f"() => document.querySelector('{MAIN}').scrollHeight")
        page.set_viewport_size({"width": width, "height": min(height, 16000)})
        settle(page)
        screenshot(page, f"vergleich-{width}")
    finally:
        page.close()
