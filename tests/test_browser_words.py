"""Every visible word German, nothing cut off (real browser): Streamlit's own English texts are
rewritten on every page, in the opened multiselect and in the uploader, and the key figures,
placeholders and chosen filter values of the Überblick are shown whole at 1,280 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ikz.store.access import Identity
from ikz.store.sqlite import Store
from tests.live_app import (
    AppServer,
    choose,
    click_and_settle,
    copy_of,
    open_options,
    screenshot,
    serve_app,
    settle,
)

pytestmark = pytest.mark.browser

# The English the issue names (and its siblings from the same widgets), as they must never be seen.
ENGLISH = re.compile(
    r"Select all|Select \d+ matches|\bUpload\b|per file|Drag and drop|\bStop\b|Stopping|"
    r"Skip to main content|Press Enter|Made with"
)
PAGES = ("Überblick", "Vergleich Erfurt – Magdeburg", "Karte", "Prüfen", "Daten pflegen", "Protokoll")
WIDTH = 1280


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """Local mode on loopback (editing allowed) with a store of its own holding one write."""
    folder = tmp_path_factory.mktemp("words")
    store = folder / "pflege.sqlite"
    Store(store).record_mark(
        Identity.local("Vorher"), cooperation_key="k", for_city="Erfurt", mark="ja", note=None
    )
    db = copy_of(built_db, folder / "ikz.duckdb")
    with serve_app(db, folder / "server.log", extra_env={"IKZ_STORE": str(store)}) as app:
        yield app


@pytest.fixture
def page(browser: Any, server: AppServer) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": WIDTH, "height": 1000}, locale="de-DE")
    tab = context.new_page()
    tab.goto(server.url)
    settle(tab, timeout=120)
    yield tab
    context.close()


def visible_english(page: Any) -> list[str]:
    """Every English text of the list above in the page's rendered text (hidden elements excluded)."""
    return ENGLISH.findall(page.evaluate("() => document.body.innerText"))


def go_to(page: Any, title: str) -> None:
    """Open a page through the sidebar (one session, so a given name holds), giving a name if asked."""
    click_and_settle(page.get_by_role("link", name=title, exact=True))
    name = page.locator('input[aria-label="Ihr Name"]:visible')
    if name.count() and title != "Protokoll":
        name.fill("Prüferin")
        click_and_settle(page.locator('[data-testid="stBaseButton-secondaryFormSubmit"]:visible'))


def test_no_english_from_the_framework_on_any_page(page: Any) -> None:
    for title in PAGES:
        go_to(page, title)
        assert visible_english(page) == [], title
    # The uploader on Daten pflegen, in German.
    go_to(page, "Daten pflegen")
    uploader = page.get_by_test_id("stFileUploader").first.inner_text()
    assert "Datei auswählen" in uploader and "höchstens 200 MB je Datei" in uploader
    assert not ENGLISH.findall(uploader)
    screenshot(page, "words-pflegen-uploader")
    # The skip link is in the page (shown on keyboard focus), in German.
    assert page.get_by_test_id("stSkipToContent").inner_text() == "Zum Inhalt springen"


def test_multiselect_bulk_actions_are_german(page: Any) -> None:
    box = page.get_by_role("combobox", name="Kooperationsart", exact=True)
    options = open_options(page, box)
    assert options[0] == "Alle auswählen"
    box.fill("zweck")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[role=option]')).some(o => /Treffer/.test(o.innerText))"
    )
    texts = page.get_by_role("option").all_inner_texts()
    assert re.fullmatch(r"Alle \d+ Treffer auswählen", texts[0].strip()), texts
    assert visible_english(page) == []
    screenshot(page, "words-ueberblick-filter-open")
    page.keyboard.press("Escape")


def test_running_indicator_and_menu_are_german(page: Any) -> None:
    # The „Stop“ button appears only while a run takes long; the same texts, placed where Streamlit
    # puts them, are rewritten the moment they appear.
    # The same word in the app's own content stays as it is: only Streamlit's widgets are touched.
    # It is added first: the observer handles changes in order, so once the widget's later change
    # is translated, the app's own word has been seen (and left alone) too.
    page.evaluate(
        "() => { const p = document.createElement('p'); p.id = 'ikz-own'; p.textContent = 'Stop';"
        " document.querySelector('[data-testid=stMain]').appendChild(p); }"
    )
    page.evaluate(
        """() => { const w = document.createElement('div'); w.setAttribute('data-testid', 'stStatusWidget');
                  w.id = 'ikz-probe'; document.body.appendChild(w);
                  const b = document.createElement('button'); b.textContent = 'Stop'; w.appendChild(b);
                  setTimeout(() => { b.textContent = 'Stopping...'; }, 50); }"""
    )
    page.wait_for_function(
        "() => document.querySelector('#ikz-probe button').textContent === 'Wird angehalten …'"
    )
    assert page.locator("#ikz-own").inner_text() == "Stop"
    page.evaluate("() => ['#ikz-probe', '#ikz-own'].forEach(s => document.querySelector(s).remove())")
    page.get_by_test_id("stMainMenuButton").click()
    menu = page.get_by_test_id("stMainMenuPopover").inner_text()
    assert "Drucken" in menu and "Über dieses Dashboard" in menu
    assert not re.search(r"\b(Print|About|Rerun|Settings|Light|Dark|Record)\b", menu), menu
    page.keyboard.press("Escape")


def test_nothing_on_the_overview_is_cut_off_at_1280(page: Any) -> None:
    choose(page, "Kooperationsform", "Vertrag / Vereinbarung")
    settle(page)
    cut = page.evaluate(
        """() => Array.from(document.querySelectorAll(
                '[data-testid="stMetricLabel"] *, [data-testid="stMultiSelect"] [data-tag] > span'))
            .filter(e => e.scrollWidth > e.clientWidth + 1 || /…$/.test(e.textContent.trim()))
            .map(e => e.textContent.trim())"""
    )
    assert cut == []
    chips = page.locator('[data-testid="stMultiSelect"] [data-tag]').all_inner_texts()
    assert any("Vertrag / Vereinbarung" in c for c in chips), chips
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert any("Anteil verbindlicher Kooperationen" in " ".join(label.split()) for label in labels), labels
    # Placeholders: the text's width (measured with the input's own font) fits the input's text area.
    too_long = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid="stSidebar"] input[placeholder]'))
            .filter(i => i.offsetParent !== null && i.placeholder)
            .map(i => {
                const c = document.createElement('canvas').getContext('2d');
                const s = getComputedStyle(i);
                c.font = s.font;
                const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
                return [i.placeholder, c.measureText(i.placeholder).width, room]; })
            .filter(([, width, room]) => width > room)"""
    )
    assert too_long == []
    screenshot(page, "words-ueberblick-chip")
