"""Checking a value in a real browser: correct it, see ✓ with the author after the rebuild, in the CSV
download too, after a restart of the server, and undo it."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ikz.read import review_queue
from ikz.store.sqlite import STORE_ENV_VAR, Store
from tests.live_app import (
    EXCEPTION,
    MAIN,
    open_options,
    screenshot,
    serve_app,
    settle,
    wait_until,
)

pytestmark = pytest.mark.browser
NAME = "Anna Beispiel"


@pytest.fixture
def files(built_db: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A database and an empty store of this test's own; the servers it starts inherit the store."""
    db = tmp_path / "ikz.duckdb"
    shutil.copyfile(built_db, db)
    store = tmp_path / "pflege.sqlite"
    previous = os.environ.get(STORE_ENV_VAR)
    os.environ[STORE_ENV_VAR] = str(store)
    yield db, store
    if previous is None:
        os.environ.pop(STORE_ENV_VAR, None)
    else:
        os.environ[STORE_ENV_VAR] = previous


def settle_page(page: Any) -> None:
    """settle() once the page has content, and no exception shown."""
    page.wait_for_selector(f"{MAIN} [data-testid='stElementContainer']:visible")
    settle(page)
    assert page.locator(EXCEPTION).count() == 0


def main_text(page: Any) -> str:
    return page.locator(MAIN).inner_text()


def csv_rows(page: Any) -> dict[str, dict[str, str]]:
    """The Überblick's CSV download, by Schlüssel."""
    button = page.get_by_role("button", name="CSV herunterladen")
    try:
        button.wait_for()
    except Exception:
        screenshot(page, "debug-csv")
        raise
    with page.expect_download() as download:
        button.click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    return {row["Schlüssel"]: row for row in csv.DictReader(io.StringIO(text), delimiter=";")}


def test_correct_in_the_browser_see_it_everywhere_and_undo(
    files: tuple[Path, Path], browser: Any, tmp_path: Path
) -> None:
    db, store_path = files
    with serve_app(db, tmp_path / "streamlit.log") as server:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        page = ctx.new_page()
        page.set_default_timeout(90_000)  # the machine may be busy; a rebuild and a full page take a while
        # The first record of the queue, opened by its key as the Überblick's link does.
        with duckdb.connect(str(db), read_only=True) as con:
            key = review_queue.queue(con)["cooperation_key"][0]
            total = con.execute("SELECT count(*) FROM cooperation").fetchall()[0][0]
        page.goto(f"{server.url}/pruefen?eintrag={key}")
        settle_page(page)
        # Local mode: the person gives a name once per session.
        name_box = page.get_by_role("textbox", name="Ihr Name")
        name_box.fill(NAME)
        name_box.press("Enter")
        page.wait_for_selector("text=Einträgen geprüft")
        settle_page(page)
        assert f"0 von {total} Einträgen geprüft" in main_text(page)
        assert f"Schlüssel {key}" in main_text(page)
        screenshot(page, "pruefen-start")
        # Correct the Status: open the select, pick another value, type a note, Enter saves.
        status = page.get_by_role("combobox", name="Status")
        before = (
            status.input_value()
            or page.locator('[data-testid="stSelectbox"]').filter(has_text="Status").inner_text()
        )
        options = open_options(page, status)
        new_status = next(o for o in options if o and o not in before)
        page.get_by_role("option", name=new_status, exact=True).click()
        note = page.get_by_role("textbox", name="Notiz (optional)")
        note.fill("im Browser geprüft")
        note.press("Enter")
        page.wait_for_selector("text=Gespeichert")
        settle_page(page)
        decisions = Store(store_path).decisions()
        status_decision = next(d for d in decisions if d.field == "status" and d.cooperation_key == key)
        assert (status_decision.new_value, status_decision.actor_name) == (new_status, NAME)
        # After the rebuild the record shows ✓ with its author on the page …
        assert re.search(
            rf"✓ Status: {re.escape(new_status)} – geprüft von {NAME} am \d\d\.\d\d\.\d{{4}}", main_text(page)
        )
        screenshot(page, "pruefen-geprueft")
        # … and in the Überblick's CSV download.
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Überblick").click()
        settle_page(page)
        row = csv_rows(page)[key]
        assert row["Status"] == new_status
        assert row["Herkunft Status"].startswith(f"✓ geprüft ({NAME}, ")
        ctx.close()

    # A restart of the server changes nothing: the decision lives in the store.
    with serve_app(db, tmp_path / "streamlit-2.log") as server:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        page = ctx.new_page()
        page.set_default_timeout(90_000)  # the machine may be busy; a rebuild and a full page take a while
        # The Prüfen page of the restarted server shows the check (a new session: the name is asked again).
        page.goto(f"{server.url}/pruefen?eintrag={key}")
        settle_page(page)
        name_box = page.get_by_role("textbox", name="Ihr Name")
        name_box.fill(NAME)
        name_box.press("Enter")
        page.wait_for_selector("text=✓ Status")
        settle_page(page)
        assert f"✓ Status: {new_status} – geprüft von {NAME}" in main_text(page)
        # Undo it there.
        # The element holds two matching buttons in Streamlit 1.67 (seen: one element container,
        # two „rückgängig“ buttons inside it); the first is the one that takes the click.
        page.locator(f".stElementContainer.st-key-undo-{key}-status button").first.click()
        page.wait_for_selector("text=Rückgängig gemacht")
        settle_page(page)
        last = Store(store_path).decisions()[-1]
        assert (last.field, last.new_value, last.actor_name) == ("status", None, NAME)

        # The rebuild after the undo (the page's next run makes it): Status is no longer a checked value.
        def status_source() -> str:
            with duckdb.connect(str(db), read_only=True) as con:
                return con.execute(
                    "SELECT status_source FROM cooperation_wide WHERE cooperation_key = ?", [key]
                ).fetchone()[0]

        wait_until(lambda: status_source() != "geprüft", timeout=60, what="the rebuild after the undo")
        assert status_source() in ("abgeleitet", "Dokument")
        ctx.close()


@pytest.mark.parametrize("width", [1280, 1920])
def test_a_decision_is_confirmed_where_the_person_looks(
    files: tuple[Path, Path], browser: Any, tmp_path: Path, width: int
) -> None:
    """After saving, the confirmation is a toast inside the viewport (not a box above it), no
    „Datenbank … neu aufgebaut“ message follows the person's own change, and „rückgängig“ is whole."""
    db, _ = files
    with duckdb.connect(str(db), read_only=True) as con:
        key = review_queue.queue(con)["cooperation_key"][0]
    with serve_app(db, tmp_path / "streamlit.log") as server:
        ctx = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = ctx.new_page()
            page.set_default_timeout(90_000)
            page.goto(f"{server.url}/pruefen?eintrag={key}")
            settle_page(page)
            name_box = page.get_by_role("textbox", name="Ihr Name")
            name_box.fill(NAME)
            name_box.press("Enter")
            page.wait_for_selector("text=Einträgen geprüft")
            settle_page(page)
            note = page.get_by_role("textbox", name="Notiz (optional)")
            note.scroll_into_view_if_needed()
            note.fill("bestätigt")
            note.press("Enter")  # confirms the derived values as they are
            toast = page.locator('[data-testid="stToast"]').filter(has_text="Gespeichert")
            wait_until(lambda: toast.count() > 0 and toast.first.is_visible(), timeout=90, what="the toast")
            box = toast.first.bounding_box()
            assert "view more" not in toast.first.inner_text()  # whole, without Streamlit's English fold
            assert box["y"] >= 0 and box["y"] + box["height"] <= 900, box
            settle_page(page)
            assert "aufgebaut" not in page.locator('[data-testid="stToast"]').all_inner_texts().__str__()
            undo = page.get_by_role("button", name="rückgängig").first
            undo.scroll_into_view_if_needed()
            assert undo.is_visible()
            cut = undo.evaluate(
                "b => Array.from(b.querySelectorAll('*')).some(e => e.scrollWidth > e.clientWidth + 1)"
            )
            assert not cut, "„rückgängig“ is cut"
            screenshot(page, f"pruefen-entscheidung-{width}")
        finally:
            ctx.close()
