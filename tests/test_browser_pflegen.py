"""Daten pflegen in a real browser: template → upload → German error list → corrected file → diff →
confirm → publish, and the running dashboard shows the new numbers and „Änderungen seit …“ at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ikz.builder.database import build
from ikz.core.numbers import fmt_int
from tests.editions_fixture import NEW_DEPARTMENT, next_edition
from tests.live_app import (
    EXCEPTION,
    AppServer,
    click_and_settle,
    screenshot,
    serve_app,
    settle,
    shown_metrics,
    wait_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[AppServer, Path]]:
    """A server with its own database, store and editions folder (fresh for each test: one may
    store an accepted department name)."""
    root = tmp_path
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IKZ_STORE", str(root / "pflege.sqlite"))
        mp.setenv("IKZ_EDITIONS", str(root / "editions"))
        mp.setenv("IKZ_DB", str(root / "ikz.duckdb"))
        build(root / "ikz.duckdb")
        with serve_app(root / "ikz.duckdb", root / "streamlit.log") as server:
            yield server, root


def open_pflegen(server: AppServer, browser: Any, *, width: int, height: int) -> tuple[Any, bytes]:
    """„Daten pflegen“ opened as Anna in local mode, and the template downloaded from it."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    # The server's first run of /pflegen, an upload's parse and diff: on two busy cores each can take
    # longer than Playwright's default 30 s (a first attempt failed so in a parallel run, then passed).
    context.set_default_timeout(90_000)
    page = context.new_page()
    page.goto(f"{server.url}/pflegen")
    page.get_by_label("Ihr Name").fill("Anna")
    page.get_by_role("button", name="Weiter").click()
    page.get_by_text("Angemeldet als Anna (lokal)").wait_for(timeout=60_000)
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Vorlage herunterladen").click()
    return page, Path(download.value.path()).read_bytes()


def test_the_office_publishes_a_new_edition_through_the_page(
    office: tuple[AppServer, Path], browser: Any
) -> None:
    server, root = office
    # 1. The template, as the office downloads it.
    page, template = open_pflegen(server, browser, width=1400, height=1000)
    assert template[:2] == b"PK"

    # 2. The next edition with one wrong cell: the German error list, nothing published.
    bad = root / "ausgabe-fehler.xlsx"
    bad.write_bytes(next_edition(template, wrong_cell=True))
    page.locator("input[type=file]").set_input_files(str(bad))
    # The error box of this upload (the page has other text with „Problem“ in it).
    page.get_by_text(re.compile(r"Probleme? in der Datei")).first.wait_for(timeout=120_000)
    settle(page)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "6 Probleme in der Datei – es wurde nichts übernommen" in body
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for()
    click_and_settle(page.get_by_text(f"„{NEW_DEPARTMENT}“ als neuen Namen übernehmen"))
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "1 Problem in der Datei" in body  # only the wrong cell is left
    screenshot(page, "pflegen-fehlerliste")

    # 3. The corrected file: the diff, a title-only match to confirm, then publish.
    good = root / "ausgabe.xlsx"
    good.write_bytes(next_edition(template, wrong_cell=False))
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_text("keine Fehler").wait_for(timeout=60_000)
    settle(page)
    shown = shown_metrics(page, "Neu", "Entfallen", "Geändert", "Unverändert")
    assert (shown["Neu"], shown["Entfallen"], shown["Geändert"], shown["Unverändert"]) == (
        "3",
        "2",
        "8",
        "68",
    )
    publish_button = page.get_by_role("button", name="Veröffentlichen")
    assert publish_button.is_disabled()
    click_and_settle(page.get_by_text("dieselbe Kooperation").first)
    screenshot(page, "pflegen-vergleich")
    assert not page.locator(EXCEPTION).count()
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("ist jetzt aktuell").wait_for(timeout=120_000)
    settle(page)
    assert (root / "editions" / "Erfurt").is_dir()

    # 3b. Review at import: the publish says how many unsure values its new and changed records
    # hold, and its link opens Prüfen filtered to exactly those records.
    from ikz.read.review_queue import waiting_after_publish

    with duckdb.connect(str(root / "ikz.duckdb"), read_only=True) as con:
        values, records = waiting_after_publish(con, "Erfurt")
    assert values > 0
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert f"Zu prüfen: {fmt_int(values)} unsichere abgeleitete Werte in {fmt_int(records)}" in body
    screenshot(page, "pflegen-zu-pruefen")
    page.get_by_role("link", name="Zur Prüfliste dieser Ausgabe").click()
    page.get_by_text("Prüfen und korrigieren").first.wait_for(timeout=60_000)
    settle(page)
    assert "neu=1" in page.evaluate("location.href")
    page.get_by_text(f"Warteschlange: {fmt_int(records)} Einträge").wait_for(timeout=60_000)
    assert page.get_by_role("switch", name="Nur unsichere Werte neuer und geänderter Einträge").is_checked()
    screenshot(page, "pruefen-nach-veroeffentlichung")

    # 4. The same server, no restart: Überblick shows the new numbers and the changes; its chart tab
    # „Entwicklung“ (one chart per tab, the open one in the address) the editions.
    page.goto(server.url + "/?ueberblick_diagramm=Entwicklung")
    page.get_by_text("Änderungen seit der Ausgangsliste (undatiert, nach 2020)").wait_for(timeout=60_000)
    settle(page)
    shown = shown_metrics(page, "Kooperationen", "Neu", "Entfallen", "Geändert")
    magdeburg = (
        duckdb.connect(str(root / "ikz.duckdb"), read_only=True)
        .execute("SELECT count(*) FROM cooperation_wide WHERE city = 'Magdeburg'")
        .fetchone()[0]
    )
    assert shown["Kooperationen"] == fmt_int(79 + magdeburg)
    assert (shown["Neu"], shown["Entfallen"], shown["Geändert"]) == ("3", "2", "8")
    page.get_by_text("Entwicklung: Kooperationen je Ausgabe").first.wait_for(timeout=60_000)
    assert not page.locator(EXCEPTION).count()
    screenshot(page, "ueberblick-aenderungen")
    chart = page.locator(".js-plotly-plot").filter(has_text="Entwicklung").first
    chart.scroll_into_view_if_needed()
    wait_idle(page)  # every chart drawn and no longer changing, instead of a fixed second
    chart.screenshot(path=str(screenshot(page, "ueberblick-entwicklung")))


def four_column_list(template: bytes, *, reworded: int = 0) -> bytes:
    """The office's own list (four columns, no Schlüssel); the first `reworded` titles get a suffix,
    so that they match their record only by a similar title."""
    import io

    import polars as pl

    frame = pl.read_excel(template, engine="calamine", sheet_id=1, infer_schema_length=0)
    frame = frame.select("Fachbereich/Amt", "Bezeichnung", "Kooperationsart", "Effekte")
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) < reworded)
        .then(pl.col("Bezeichnung") + " (Thüringen)")
        .otherwise(pl.col("Bezeichnung"))
        .alias("Bezeichnung")
    )
    buffer = io.BytesIO()
    frame.write_excel(buffer)
    return buffer.getvalue()


def test_the_offices_four_column_list_needs_no_answers_and_similar_titles_are_decided_at_once(
    office: tuple[AppServer, Path], browser: Any
) -> None:
    server, root = office
    page, template = open_pflegen(server, browser, width=1366, height=900)

    # The office's four columns of the current edition: unchanged, nothing to answer, the missing
    # columns named as „nicht geliefert“.
    plain = root / "amtsliste.xlsx"
    plain.write_bytes(four_column_list(template))
    page.locator("input[type=file]").set_input_files(str(plain))
    page.get_by_text("keine Fehler").wait_for(timeout=60_000)
    settle(page)
    shown = shown_metrics(page, "Neu", "Entfallen", "Geändert", "Unverändert")
    assert (shown["Neu"], shown["Entfallen"], shown["Geändert"]) == ("0", "0", "0")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "Nicht geliefert:" in body and "„Einsparung (€/Jahr)“" in body
    assert "dieselbe Kooperation" not in body
    assert page.get_by_role("button", name="Veröffentlichen").is_enabled()
    screenshot(page, "pflegen-amtsliste")

    # Three titles reworded: one click decides them all.
    reworded = root / "amtsliste-umbenannt.xlsx"
    reworded.write_bytes(four_column_list(template, reworded=3))
    page.locator("input[type=file]").set_input_files(str(reworded))
    page.get_by_role("button", name="Alle übernehmen").wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_role("button", name="Veröffentlichen").is_disabled()
    click_and_settle(page.get_by_role("button", name="Alle übernehmen"))
    assert page.get_by_role("button", name="Veröffentlichen").is_enabled()
    click_and_settle(page.get_by_role("button", name="Alle ablehnen"))
    shown = shown_metrics(page, "Neu", "Entfallen")
    assert (shown["Neu"], shown["Entfallen"]) == ("3", "3")
    assert page.get_by_role("button", name="Veröffentlichen").is_enabled()
    assert not page.locator(EXCEPTION).count()
