"""The Vergleich page's Anregungen and record pairs in AppTest; marks in the store survive a rebuild."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ikz.access import Identity
from ikz.build import build
from ikz.paths import DB_ENV_VAR, ROOT
from ikz.store import STORE_ENV_VAR, Store
from ikz.suggestions import suggestion_list, with_marks
from pages.identity import NAME_KEY

# Whole-page AppTest runs and real builds: seconds each, so not in the fast tier.
pytestmark = pytest.mark.slow

TIMEOUT = 90
PAGE = "pages/compare.py"
EDITOR = Identity.local("Test Redaktion")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    path = tmp_path / "pflege.sqlite"
    monkeypatch.setenv(STORE_ENV_VAR, str(path))
    return Store(path)


@pytest.fixture
def app(built_db: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(DB_ENV_VAR, str(built_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(PAGE)
    return at


@pytest.fixture
def loopback():
    # Local mode may edit only while the server listens on a loopback address.
    before = st.get_option("server.address")
    st.config.set_option("server.address", "127.0.0.1")
    yield
    st.config.set_option("server.address", before)


def tables(at: AppTest, column: str) -> list[pl.DataFrame]:
    return [f for f in (pl.from_pandas(e.value) for e in at.dataframe) if column in f.columns]


def idea_key(built_db: Path, title: str, for_city: str) -> str:
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        frame = suggestion_list(con, for_city=for_city)
    finally:
        con.close()
    return frame.filter(pl.col("title") == title)["cooperation_key"].item()


def test_both_tabs_list_concrete_ideas_with_their_nearest_record(app: AppTest) -> None:
    app.run()
    assert not app.exception
    labels = [t.label for t in app.tabs]
    assert "Anregungen aus Magdeburg" in labels and "Anregungen aus Erfurt" in labels
    ideas = pl.concat(tables(app, "Nächster Eintrag der anderen Stadt"), how="vertical")
    titles = ideas["Eintrag"].to_list()
    assert "Behördennummer D 115" in titles  # Magdeburg → Erfurt
    assert any(t.startswith("gemeinsame Adoptionsvermittlungsstelle") for t in titles)  # Erfurt → Magdeburg
    d115 = ideas.filter(pl.col("Eintrag") == "Behördennummer D 115").row(0, named=True)
    assert d115["Quelle"].endswith("Z. 67")
    assert d115["Art der Anregung"] == "Projekt mit Arbeitsstand"
    assert d115["Nächster Eintrag der anderen Stadt"] not in ("", "–")
    assert d115["Bewertung"] == "noch nicht bewertet"
    # Grouped by Aufgabenbereich: a heading per area above its table.
    assert any("3 Recht, Sicherheit und Ordnung" in m.value for m in app.markdown)


def test_shared_view_shows_record_pairs_with_reason(app: AppTest) -> None:
    app.run()
    assert not app.exception
    (pairs,) = tables(app, "Warum sie passen")
    winter = pairs.filter(pl.col("Erfurt: Eintrag").str.starts_with("Fahrbahnwinterdienst"))
    assert "Kooperation Winterdienst" in winter["Magdeburg: Eintrag"].to_list()
    assert winter["Warum sie passen"].str.contains("Winterdienst").all()


def test_filters_apply_to_the_ideas(app: AppTest) -> None:
    app.query_params["art"] = ["Zweckverband"]
    app.run()
    assert not app.exception
    ideas = pl.concat(tables(app, "Nächster Eintrag der anderen Stadt"), how="vertical")
    assert ideas.height > 0
    assert all("verband" in t.casefold() for t in ideas["Eintrag"].to_list())


def test_a_reader_sees_no_mark_form(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert not any(b.label == "Bewertung speichern" for b in app.button)


def test_an_editor_marks_an_idea_and_the_mark_filter_and_url_work(
    app: AppTest, store: Store, built_db: Path, loopback
) -> None:
    app.session_state[NAME_KEY] = "Test Redaktion"
    app.run()
    assert not app.exception
    key = idea_key(built_db, "Behördennummer D 115", "Erfurt")
    choose = next(s for s in app.selectbox if s.key == "anregung_wahl_magdeburg")
    choose.set_value(key)
    next(r for r in app.radio if r.key == "anregung_mark_magdeburg").set_value("interessant")
    next(t for t in app.text_input if t.key == "anregung_notiz_magdeburg").input("für 2027 prüfen")
    next(b for b in app.button if b.label == "Bewertung speichern" and "magdeburg" in b.id).click()
    app.run()
    assert not app.exception
    mark = store.latest_marks()[(key, "Erfurt")]
    assert (mark.mark, mark.note, mark.actor_name) == ("interessant", "für 2027 prüfen", "Test Redaktion")
    # The mark filter of the tab: only the marked idea is left there.
    next(m for m in app.multiselect if m.key == "bewertung_md").set_value(["interessant"])
    app.run()
    assert not app.exception
    assert marked_ideas(app) == [("Behördennummer D 115", "für 2027 prüfen")]


def test_the_mark_filter_comes_from_the_url(app: AppTest, store: Store, built_db: Path) -> None:
    key = idea_key(built_db, "Meldeportal", "Erfurt")
    store.record_mark(EDITOR, cooperation_key=key, for_city="Erfurt", mark="gibt es bei uns schon", note=None)
    app.query_params["bewertung_md"] = ["gibt es bei uns schon"]
    app.run()
    assert not app.exception
    magdeburg = [f for f in tables(app, "Bewertung") if "Meldeportal" in f["Eintrag"].to_list()]
    assert [f["Eintrag"].to_list() for f in magdeburg] == [["Meldeportal"]]


def marked_ideas(app: AppTest) -> list[tuple[str, str]]:
    return [
        (r["Eintrag"], r["Notiz"])
        for f in tables(app, "Bewertung")
        for r in f.iter_rows(named=True)
        if r["Bewertung"] == "interessant"
    ]


def test_marks_survive_a_rebuild(tmp_path: Path, store: Store) -> None:
    db = tmp_path / "ikz.duckdb"
    build(db)
    key = idea_key(
        db,
        "gemeinsame Adoptionsvermittlungsstelle der Landeshauptstadt Erfurt und dem Ilm-Kreis",
        "Magdeburg",
    )
    store.record_mark(EDITOR, cooperation_key=key, for_city="Magdeburg", mark="interessant", note="prüfen")
    build(db)  # a new file from the same sources: ids may change, the key does not
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = with_marks(
            suggestion_list(con, for_city="Magdeburg"), store.latest_marks(), for_city="Magdeburg"
        )
    finally:
        con.close()
    marked = frame.filter(pl.col("mark") == "interessant")
    assert marked["title"].to_list() == [
        "gemeinsame Adoptionsvermittlungsstelle der Landeshauptstadt Erfurt und dem Ilm-Kreis"
    ]
    assert marked["mark_note"].to_list() == ["prüfen"]
    # Withdrawing is a new row; the list shows the idea unmarked again.
    store.record_mark(EDITOR, cooperation_key=key, for_city="Magdeburg", mark=None, note=None)
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = with_marks(
            suggestion_list(con, for_city="Magdeburg"), store.latest_marks(), for_city="Magdeburg"
        )
    finally:
        con.close()
    assert frame.filter(pl.col("mark") == "interessant").is_empty()


def deck_slides(built_db: Path, marks: dict) -> list[list[str]]:
    """The texts of each slide of a Vergleich deck with the Anregungen slide (no charts needed)."""
    import io
    from datetime import date

    from pptx import Presentation

    from ikz.export import DeckSpec, build_deck
    from pages.anregungen import ideas_slide

    con = duckdb.connect(str(built_db), read_only=True)
    try:
        frames = [
            with_marks(suggestion_list(con, for_city=city), marks, for_city=city).with_columns(
                pl.lit(city).alias("for_city")
            )
            for city in ("Erfurt", "Magdeburg")
        ]
    finally:
        con.close()
    slide = ideas_slide(pl.concat(frames))
    assert slide is not None
    spec = DeckSpec(
        title="Vergleich",
        subtitle="",
        created=date(2026, 11, 30),
        filters_text="",
        charts=(),
        key_figures=(),
        sources=("Quelle",),
        note="",
        extra_slides=(slide,),
    )
    prs = Presentation(io.BytesIO(build_deck(spec, images=[])))
    return [[s.text_frame.text for s in sl.shapes if s.has_text_frame] for sl in prs.slides]


def test_deck_slide_lists_the_interesting_ideas(built_db: Path, store: Store) -> None:
    # None marked: the most concrete ideas of both cities.
    unmarked = next(s for s in deck_slides(built_db, {}) if "Anregungen" in s)
    assert any("noch keine als „interessant“ markiert" in t for t in unmarked)
    assert any("Für Erfurt:" in t for t in unmarked) and any("Für Magdeburg:" in t for t in unmarked)
    key = idea_key(built_db, "Behördennummer D 115", "Erfurt")
    store.record_mark(EDITOR, cooperation_key=key, for_city="Erfurt", mark="interessant", note="D115 prüfen")
    marked = next(s for s in deck_slides(built_db, store.latest_marks()) if "Anregungen" in s)
    body = next(t for t in marked if "•" in t)
    assert body.count("•") == 1
    assert "Für Erfurt: Behördennummer D 115" in body and "Notiz: D115 prüfen" in body
