"""Every page in a real browser: Streamlit served on loopback, Debian's Chromium driven by Playwright.

The Überblick page is checked against direct DuckDB queries (key figures, bars, tiles, downloads); the
Vergleich page, which is still growing, is checked for structure: no error box, every chart drawn,
filters and URL state working.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import openpyxl
import pytest

from ikz.core.numbers import fmt_int, fmt_pct
from tests.live_app import (
    AppServer,
    chart_marks,
    choose,
    has_marks,
    metrics,
    problems,
    screenshot,
    visit_chart_tabs,
    wait_idle,
    wait_until,
)

pytestmark = pytest.mark.browser

PAGES = {"ueberblick": "/", "vergleich": "/vergleich", "karte": "/karte"}
TABS = {"ueberblick": "ueberblick_diagramm", "vergleich": "vergleich_diagramm"}  # the chart tabs' URL keys
TOP_DEPARTMENTS = 25  # pages/explore.py: departments shown in the bar chart and heatmap


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context per test: its own cookies, so its own Streamlit session."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield ctx
    ctx.close()


def open_page(context: Any, url: str) -> tuple[Any, list[dict]]:
    """Open url in a new tab, wait for all charts, fail on a JavaScript error."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    charts = wait_idle(page)
    assert not errors, errors
    return page, charts


def every_chart(page: Any, name: str) -> list[dict]:
    """The page's charts, each tab opened in turn: one chart per tab (the Vergleich's partner tab of
    a city without partners has none), in tab order."""
    per_tab = visit_chart_tabs(page, TABS[name])
    assert all(len(charts) <= 1 for charts in per_tab.values()), per_tab
    # Each keeps its accessible name, given as it is drawn (app.py), in whichever tab.
    assert all(c["name"] == f"Diagramm: {c['title']}" for charts in per_tab.values() for c in charts), per_tab
    return [chart for charts in per_tab.values() for chart in charts]


def chart(charts: list[dict], title_part: str) -> dict:
    """The one chart whose title contains title_part."""
    found = [c for c in charts if title_part in c["title"]]
    assert len(found) == 1, [c["title"] for c in charts]
    return found[0]


# --- Direct DuckDB expectations for the Überblick page ----------------------------------------


def direct(db: Path, sql: str, type_name: str | None) -> list[tuple]:
    """Run sql over the cooperations of type_name (all when None); sql reads the CTE `f`."""
    where = "WHERE type_name = ?" if type_name else ""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            f"WITH f AS (SELECT * FROM cooperation_wide {where}) {sql}", [type_name] if type_name else []
        ).fetchall()


def expected_overview(db: Path, type_name: str | None) -> dict[str, Any]:
    """What the Überblick must show for one Kooperationsart, straight from the database."""
    (count, departments, committed), *_ = direct(
        db,
        "SELECT count(*), count(DISTINCT (city, department)), "
        "avg(CASE WHEN binding IN ('öffentlich-rechtlich', 'vertraglich') THEN 1.0 ELSE 0.0 END) FROM f",
        type_name,
    )
    effect_rows = direct(
        db,
        "SELECT ec.name, count(*), min(ec.sort_order) FROM f JOIN cooperation_effect ce USING "
        "(cooperation_id) JOIN effect_category ec USING (effect_id) GROUP BY ec.name ORDER BY 2 DESC, 3",
        type_name,
    )
    top_effect = next((name for name, _, _ in effect_rows if name != "ohne Angabe"), "–")

    def labelled(rows: list[tuple]) -> list[str]:
        return sorted(f"{fmt_int(n)} ({fmt_pct(n / count)})" for _, n in rows)

    types = direct(db, "SELECT type_name, count(*) FROM f GROUP BY ALL", type_name)
    forms = direct(db, "SELECT form, count(*) FROM f GROUP BY ALL", type_name)
    (department_bars,), *_ = direct(
        db,
        f"""
        , top AS (SELECT city, department, count(*) AS n FROM f GROUP BY ALL
                  ORDER BY n DESC, city, department LIMIT {TOP_DEPARTMENTS})
        SELECT count(*) FROM (
            SELECT DISTINCT city, department, form FROM f SEMI JOIN top USING (city, department))
        """,
        type_name,
    )
    (tiles,), *_ = direct(
        db,
        # Plotly adds an unlabelled root tile above several top-level task areas.
        "SELECT (count(DISTINCT task_area) > 1)::INTEGER + count(DISTINCT task_area) "
        "+ count(DISTINCT (task_area, city, department)) "
        "+ count(DISTINCT (task_area, city, department, form)) FROM f",
        type_name,
    )
    return {
        "metrics": {
            "Kooperationen": fmt_int(count),
            "Fachbereiche/Ämter": fmt_int(departments),
            "Anteil verbindlicher Kooperationen": fmt_pct(committed),
            "Häufigste Effektkategorie": top_effect,
        },
        "count": count,
        "type_texts": labelled(types),
        "form_texts": labelled(forms),
        "effect_texts": labelled([(name, n) for name, n, _ in effect_rows]),
        "department_bars": department_bars,
        "heatmap_rows": min(departments, TOP_DEPARTMENTS),
        "tiles": tiles,
    }


def assert_overview(page: Any, charts: list[dict], expected: dict[str, Any]) -> None:
    """Key figures, bars and tiles of the Überblick equal the direct query's."""
    assert metrics(page) == expected["metrics"]
    types = chart(charts, "nach Kooperationsart")
    assert types["bars"] == len(expected["type_texts"])
    assert sorted(types["bar_texts"]) == expected["type_texts"]
    forms = chart(charts, "nach Kooperationsform")
    assert sorted(forms["bar_texts"]) == expected["form_texts"]
    effects = chart(charts, "nach Effektkategorie")
    assert sorted(effects["bar_texts"]) == expected["effect_texts"]
    assert chart(charts, "nach Fachbereich/Amt")["bars"] == expected["department_bars"]
    heatmap = chart(charts, "× Effektkategorie")
    assert heatmap["heatmaps"] == 1
    assert len(heatmap["yticks"]) == expected["heatmap_rows"]
    assert chart(charts, "Aufgabenbereich →")["tiles"] == expected["tiles"]


@pytest.fixture(scope="session")
def chosen_type(built_db: Path) -> str:
    """A Kooperationsart spread over many departments, so the filtered charts have several bars."""
    with duckdb.connect(str(built_db), read_only=True) as con:
        return con.execute(
            "SELECT type_name FROM cooperation_wide WHERE type_name <> 'ohne Angabe' GROUP BY ALL "
            "ORDER BY count(DISTINCT department) DESC, type_name LIMIT 1",
        ).fetchall()[0][0]


# --- Every page ---------------------------------------------------------------------------------


def assert_downloads_hold_every_row(page: Any, count: int, chosen_type: str) -> None:
    """The view's downloads: CSV (UTF-8 with BOM, „;“) and Excel with every filtered row."""
    with page.expect_download() as download_info:
        page.get_by_role("button", name="CSV herunterladen").click()
    assert download_info.value.suggested_filename.endswith(".csv")
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Nr.", "Stadt"]
    assert len(rows) == count + 1
    assert {r[rows[0].index("Kooperationsart")] for r in rows[1:]} == {chosen_type}

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Excel herunterladen").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    xlsx = Path(download_info.value.path()).read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == rows[0]
    assert len(table) == count + 1


# Überblick and Vergleich; the Karte is drawn, clicked and reopened from its address in
# test_browser_map.py, its filters and Präsentationsansicht are checked in test_app_karte.py.
@pytest.mark.parametrize("name", ["ueberblick", "vergleich"])
def test_page_draws_every_chart_reacts_to_a_filter_reopens_from_its_address_and_presents(
    server: AppServer, browser: Any, context: Any, name: str, chosen_type: str
) -> None:
    """Every chart drawn, no developer toolbar; a filter changes the charts and the address, which
    opens the same view in another browser; then the Präsentationsansicht without sidebar. On the
    Überblick the key figures and charts equal direct DuckDB queries before and after the filter,
    and the filtered view's downloads hold every row."""
    page, first = open_page(context, server.url + PAGES[name])
    assert problems(page) == []
    assert page.locator("h1").count() >= 1
    assert len(first) == 1 and has_marks(first[0]), first  # only the open tab's chart is drawn
    before = every_chart(page, name)
    assert len(before) == {"ueberblick": 7, "vergleich": 10}[name]
    assert all(has_marks(c) for c in before), before
    # .streamlit/config.toml: users see no developer toolbar ("Deploy").
    assert page.get_by_role("button", name="Deploy").count() == 0
    screenshot(page, name)
    overview = name == "ueberblick"
    if overview:
        assert_overview(page, before, expected_overview(server.db, None))
        expected = expected_overview(server.db, chosen_type)
    shown_before = metrics(page)
    choose(page, "Kooperationsart", chosen_type)
    wait_until(lambda: "art=" in page.url, what="the filter in the URL")
    if overview:
        wait_until(lambda: metrics(page) == expected["metrics"], what="filtered key figures")
    wait_until(
        lambda: chart_marks(page) != first or metrics(page) != shown_before,
        what="the page to react to the filter",
    )
    wait_idle(page)
    charts = every_chart(page, name)
    assert problems(page) == []
    assert all(has_marks(c) for c in charts)
    assert charts != before
    if overview:
        assert_overview(page, charts, expected)
        screenshot(page, "ueberblick-gefiltert")
        assert_downloads_hold_every_row(page, expected["count"], chosen_type)
    shown = metrics(page)
    # The open tab is in the address too: the last tab's chart opens from a copied link.
    visit_chart_tabs(page, TABS[name])  # settled, back on the first tab
    page.locator(f".st-key-{TABS[name]} [role='tab']").last.click()
    wait_until(lambda: f"{TABS[name]}=" in page.url, what="the open tab in the URL")
    wait_until(
        lambda: [c["title"] for c in chart_marks(page)] == [charts[-1]["title"]], what="the last tab's chart"
    )
    last = wait_idle(page)
    copied = page.url

    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        reopened, opened = open_page(fresh, copied)
        assert problems(reopened) == []
        assert opened == last  # the same tab open, the same chart
        box = reopened.locator('[data-testid="stMultiSelect"]').filter(has_text="Kooperationsart")
        assert chosen_type in box.inner_text()
        assert metrics(reopened) == shown
        assert every_chart(reopened, name) == charts
    finally:
        fresh.close()

    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.is_visible()
    page.get_by_text("Präsentationsansicht", exact=True).click()
    wait_until(lambda: "praesentation=true" in page.url, what="praesentation in the URL")
    wait_until(lambda: not sidebar.is_visible(), what="the sidebar to disappear")
    wait_idle(page)
    presented = every_chart(page, name)
    assert problems(page) == []
    assert len(presented) == len(charts)
    assert all(has_marks(c) for c in presented)
    assert page.get_by_text("CSV herunterladen").filter(visible=True).count() == 0
    screenshot(page, f"{name}-praesentation")


def has_ideas(db: Path, type_name: str) -> bool:
    """True when a record of this Kooperationsart is an Anregung (the Vergleich deck's extra slide)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return (
            con.execute(
                "SELECT count(*) FROM suggestion JOIN cooperation_wide USING (cooperation_id)"
                " WHERE type_name = ?",
                [type_name],
            ).fetchone()[0]
            > 0
        )


# On the Überblick; the Vergleich's and the Karte's deck and PDF come from the same panel and are read
# back from the spec their pages offer (tests/test_app_compare.py, tests/test_map_export.py).
@pytest.mark.parametrize("name", ["ueberblick"])
def test_slide_deck_and_pdf_download_with_one_click_each(
    server: AppServer, context: Any, name: str, chosen_type: str
) -> None:
    """Each file is one button: a single click renders, builds and downloads it, with progress shown."""
    from pptx import Presentation
    from pypdf import PdfReader

    page = context.new_page()
    page.goto(f"{server.url}{PAGES[name]}?art={quote(chosen_type)}")
    # Generous: with other sessions' work on the two cores a first Vergleich load took 140 s here.
    wait_idle(page, timeout=300)
    charts_shown = len(every_chart(page, name))  # one per tab; the deck holds them all
    assert page.get_by_role("button", name="Foliensatz und PDF-Bericht erstellen").count() == 0
    # Title slide, one slide per chart on the page, key figures, sources and note; on Vergleich
    # also „Anregungen“ when the chosen Kooperationsart has ideas (tests/test_app_anregungen.py).
    expected = charts_shown + 3 + (1 if name == "vergleich" and has_ideas(server.db, chosen_type) else 0)

    deck_button = page.get_by_role("button", name="Foliensatz herunterladen")
    with page.expect_download(timeout=120_000) as download_info:
        deck_button.click()
    assert download_info.value.suggested_filename.endswith(".pptx")
    deck = Presentation(download_info.value.path())
    slides = list(deck.slides)
    # A chart too long for one slide continues on the next, a condensed heatmap adds an appendix
    # after the sources (ikz.present.export.fit): at least one slide per chart, the same count in the PDF.
    assert len(slides) >= expected
    texts = [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides]
    assert f"Kooperationsart: {chosen_type}" in texts[0]
    pictures = [sum(1 for s in slide.shapes if s.shape_type == 13) for slide in slides]
    assert pictures.count(1) >= charts_shown and set(pictures) == {0, 1}
    # The click's rerun followed the build to its end, and names the slides it made.
    done = page.get_by_text(f"Foliensatz fertig: {len(slides)} Folien")
    wait_until(lambda: done.count() > 0, timeout=60, what="deck progress finished")

    with page.expect_download(timeout=120_000) as download_info:
        page.get_by_role("button", name="PDF-Bericht herunterladen").click()
    assert download_info.value.suggested_filename.endswith(".pdf")
    pdf = PdfReader(download_info.value.path())
    assert len(pdf.pages) == len(slides)
    assert f"Kooperationsart: {chosen_type}" in pdf.pages[1].extract_text()
    assert f"Seite {len(slides)} von {len(slides)}" in pdf.pages[-1].extract_text()
    done = page.get_by_text(f"PDF-Bericht fertig: {len(pdf.pages)} Seiten")
    wait_until(lambda: done.count() > 0, timeout=60, what="PDF progress finished")
    screenshot(page, f"{name}-export")
    assert problems(page) == []


# --- Answers where people look (issue 5) -------------------------------------------------------

ROW_PX = 35  # Streamlit's data grid: header and row height
TRUNCATED_LABELS = """() => Array.from(document.querySelectorAll(
    '[data-testid="stMain"] button p, [data-testid="stMain"] button div, [data-testid="stMain"] a p,'
    + '[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *'))
    .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""


@pytest.mark.parametrize("width", [1280, 1920])
def test_a_click_on_a_rows_text_opens_the_record_beside_the_table(
    server: AppServer, browser: Any, width: int
) -> None:
    """A click on the title text (not the checkbox) opens the record in a drawer at the right, over
    the page where the person is; Esc closes it and the same row opens again. The ✓/◆ summary column
    fits beside the title, and no button label on the page is cut."""
    from ikz.read import queries
    from ikz.read.db import Database
    from pages.explore import COLUMN_WIDTHS

    with Database(server.db).cursor() as cur:
        titles = queries.records(cur, filters=queries.ALL, limit=5)["title"].to_list()
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page, _ = open_page(ctx, server.url)
        table = page.locator(".st-key-records_table")
        table.scroll_into_view_if_needed()
        box = wait_until(table.bounding_box, what="the records table")
        # Checkbox column (≈ 37 px) + Nr. + Bezeichnung + Herkunft inside the table: no scrolling sideways.
        assert 40 + sum(COLUMN_WIDTHS.values()) <= box["width"], box
        assert page.evaluate(TRUNCATED_LABELS) == []
        drawer = page.get_by_role("dialog")
        for attempt in range(2):  # the second time: the same row again, after Esc
            page.mouse.click(box["x"] + 40 + COLUMN_WIDTHS["Nr."] + 60, box["y"] + ROW_PX * 3 + ROW_PX // 2)
            wait_until(lambda: drawer.count() == 1 and drawer.is_visible(), timeout=60, what="the drawer")
            heading = drawer.get_by_role("heading").first
            wait_until(
                lambda h=heading: titles[2] in (h.text_content() or ""), what="the third record's title"
            )
            # Slid in completely: its right edge at the window's, its left in the right half, from the top.
            dbox = wait_until(
                lambda: (b := drawer.bounding_box()) and abs(b["x"] + b["width"] - width) < 2 and b,
                what="the drawer to slide in",
            )
            assert dbox["x"] >= width / 2 - 1 and dbox["y"] <= 1, dbox
            assert "Originaltext" in drawer.inner_text()
            assert "Diesen Eintrag prüfen oder korrigieren" in drawer.inner_text()
            if attempt == 0:
                screenshot(page, f"ueberblick-eintrag-{width}")
            page.keyboard.press("Escape")
            wait_until(lambda: drawer.count() == 0 or not drawer.is_visible(), what="the drawer to close")
        assert problems(page) == []
    finally:
        ctx.close()


@pytest.mark.parametrize(
    ("path", "width", "how"), [("/", 1280, "Esc"), ("/", 1920, "Klick"), ("/karte", 1280, "Esc")]
)
def test_presentation_mode_is_left_from_the_top_and_with_escape(
    server: AppServer, browser: Any, path: str, width: int, how: str
) -> None:
    """In the Präsentationsansicht the way back is a button at the top, in view; Esc does the same:
    the sidebar returns and the address loses its praesentation flag."""
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page, _ = open_page(ctx, f"{server.url}{path}?praesentation=true")
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert not sidebar.is_visible()
        leave = page.get_by_role("button", name="Präsentationsansicht verlassen")
        box = wait_until(leave.bounding_box, what="the leave button")
        assert leave.is_visible() and box["y"] < 150, box  # at the top, without scrolling
        assert page.evaluate(TRUNCATED_LABELS) == []
        screenshot(page, f"praesentation{path.replace('/', '-').rstrip('-')}-{width}")
        if how == "Esc":
            page.keyboard.press("Escape")
        else:
            leave.click()
        # location.href, not page.url: the sync API updates page.url only while it talks to the browser.
        wait_until(
            lambda: "praesentation" not in page.evaluate("location.href"),
            what="the flag to leave the address",
        )
        wait_until(sidebar.is_visible, what="the sidebar to return")
        wait_idle(page)
        assert leave.count() == 0
        assert problems(page) == []
    finally:
        ctx.close()
