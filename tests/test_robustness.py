"""Hostile input in a real browser: search text, URL values and data meant to break out of their place.

The page always shows German text, never a Python traceback, and never renders user text or data as
markup (elements, links, script). Faults of the database file and the sources, and rebuilds while
sessions read, are decided by the server: tests/test_robustness_server.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl
import pytest

from ikz.builder.database import load_tables, write_database
from ikz.core.numbers import fmt_int
from ikz.derive.normalise import Tables
from ikz.ui.markdown import WORD_JOINER
from tests.live_app import (
    HOSTILE_SEARCHES,
    AppServer,
    chart_marks,
    chart_tabs,
    expected_search_count,
    metrics,
    open_chart_tab,
    problems,
    serve_app,
    wait_idle,
    wait_until,
)

pytestmark = pytest.mark.browser

WARNING = '[data-testid="stAlertContentWarning"]'
INFO = '[data-testid="stAlertContentInfo"]'


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield ctx
    ctx.close()


def visit(context: Any, url: str) -> Any:
    """Open url, fail on a JavaScript error or a dialog (an injected alert()), wait for the charts."""
    page = context.new_page()
    js_errors: list[str] = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    page.on("dialog", lambda dialog: js_errors.append(f"dialog: {dialog.message}"))
    page.goto(url)
    wait_idle(page)
    assert not js_errors, js_errors
    page.js_errors = js_errors  # later checks see errors raised after the load, too
    return page


def main_text(page: Any) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


# --- Hostile input: search text and URL values --------------------------------------------------

# In the browser, the searches that could become markup: what each search finds (every entry of
# HOSTILE_SEARCHES) is the server's to decide and is checked through the websocket
# (test_robustness_server.py).
MARKUP_SEARCHES = (
    "<script>alert(1)</script>",
    '<b>fett</b> <a href="https://example.org">Link</a>',
    "**fett** _kursiv_ [x](y) :red[rot] $x$",
    "Ä\u200bö\u202eü 🤝 \u0000x",
)


def test_hostile_search_text_is_plain_text_and_searched_literally(
    healthy: AppServer, context: Any, good_db: Path
) -> None:
    page = visit(context, healthy.url)
    box = page.get_by_role("textbox", name="Volltextsuche")
    for text in MARKUP_SEARCHES:
        typed = text.replace("\u0000", "")  # a NUL cannot be typed into an input
        box.fill(typed)
        box.press("Enter")
        expected = fmt_int(expected_search_count(good_db, HOSTILE_SEARCHES[text]))
        wait_until(lambda expected=expected: metrics(page).get("Kooperationen") == expected, what=text)
        wait_idle(page)
        assert problems(page) == [], text
        assert not page.js_errors, page.js_errors
        main = page.locator('[data-testid="stMain"]')
        # Markup from the search box never becomes elements: no bold, link or script from it.
        assert (
            main.locator("b, strong, em, a[href='https://example.org'], script")
            .filter(has_text="fett")
            .count()
            == 0
        )
        assert main.locator("script:not([src])").filter(has_text="alert").count() == 0
        for chart in chart_marks(page):
            if "Suche" in chart["subtitle"]:
                assert typed.strip()[:40] in chart["subtitle"]


# Values of every filter meant to break out of their place, in one address (test_robustness_server.py
# checks each filter's fallback and notice through the websocket).
HOSTILE_URL = {
    "art": ["Gibt es nicht", "<script>alert(1)</script>"],
    "praesentation": ["vielleicht"],
    "stadt": ["<b>Erfurt</b>"],
    "form": ["\u202eZweckverband"],
    "amt": ["x" * 5000, "[Anmelden](https://example.org)"],
    "status": ["%", "_"],
    "suche": ["<img src=x onerror=alert(1)>"],
    "effekt": ["' OR 1=1 --"],
}


def test_hostile_url_values_become_no_elements(healthy: AppServer, context: Any, good_db: Path) -> None:
    query = "&".join(f"{k}={quote(v, safe='')}" for k, values in HOSTILE_URL.items() for v in values)
    page = visit(context, f"{healthy.url}/?{query}")
    assert problems(page) == []
    assert not page.js_errors, page.js_errors
    assert "unbekannt" in page.locator(INFO).all_inner_texts()[0]
    text = HOSTILE_URL["suche"][0]
    assert page.get_by_role("textbox", name="Volltextsuche").input_value() == text
    assert metrics(page)["Kooperationen"] == fmt_int(expected_search_count(good_db, text.lower().split()))
    # The notice names every unknown value as typed: markup in them becomes no element.
    notice = page.locator(INFO).first
    shown = notice.inner_text().replace(WORD_JOINER, "")  # the joiner keeps the address from linking
    assert "<b>Erfurt</b>" in shown
    assert "[Anmelden](https://example.org)" in shown
    assert notice.locator("a, b, strong, script, img").count() == 0
    assert page.locator('img[src="x"], a[href^="https://example.org"]').count() == 0


# --- Data that looks like markup ------------------------------------------------------------------

MARKUP_DEPARTMENT = '<b>Fett</b> <a href="https://example.org">Link</a> Amt'
MARKUP_TITLE = "<i>kursiv</i> <b>Fett</b> & Co"


@pytest.fixture(scope="module")
def markup_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A server on data whose largest department and a title contain HTML."""
    tables = load_tables()
    frames = dict(tables.frames)
    biggest = frames["cooperation"]["department_id"].mode().sort()[0]
    frames["department"] = frames["department"].with_columns(
        pl.when(pl.col("department_id") == biggest)
        .then(pl.lit(MARKUP_DEPARTMENT))
        .otherwise(pl.col("name"))
        .alias("name")
    )
    frames["cooperation"] = frames["cooperation"].with_columns(
        pl.when(pl.col("cooperation_id") == 1)
        .then(pl.lit(MARKUP_TITLE))
        .otherwise(pl.col("title"))
        .alias("title")
    )
    path = tmp_path_factory.mktemp("markup") / "ikz.duckdb"
    write_database(Tables(frames), path)
    with serve_app(path, path.with_name("streamlit.log")) as server:
        yield server


def test_markup_in_data_is_shown_literally_in_charts(markup_server: AppServer, context: Any) -> None:
    page = visit(context, markup_server.url)
    assert problems(page) == []
    found = []
    # One chart per tab: every tab's chart, each opened in turn.
    for index in range(chart_tabs(page, "ueberblick_diagramm").count()):
        open_chart_tab(page, "ueberblick_diagramm", index)
        assert problems(page) == []
        found += page.evaluate(
            """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(plot => ({
                links: plot.querySelectorAll('a').length,
                texts: Array.from(plot.querySelectorAll('text')).map(t => t.textContent)
                    .filter(t => t.includes('Fett')),
                bold: Array.from(plot.querySelectorAll('tspan[style*="bold"]')).map(t => t.textContent)
                    .filter(t => t.includes('Fett')),
            }))"""
        )
    assert found
    assert [f["links"] for f in found] == [0] * len(found)
    shown = [t for f in found for t in f["texts"]]
    assert shown, "the department with markup is in no chart"
    assert all("<b>" in t for t in shown), shown
    assert [b for f in found for b in f["bold"]] == []
