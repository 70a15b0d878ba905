"""The Vergleich page's Anregungen and record pairs in AppTest; marks in the store survive a rebuild."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from ikz.builder.database import build
from ikz.read.suggestions import suggestion_list, with_marks
from ikz.store.access import Identity
from ikz.store.sqlite import Store
from ikz.ui.anregungen import PAGE_SIZE, SECTION_KEYS, mark_key
from ikz.ui.identity import NAME_KEY

# Whole-page AppTest runs and real builds: seconds each, so not in the fast tier.
pytestmark = pytest.mark.slow

PAGE = "pages/compare.py"
EDITOR = Identity.local("Test Redaktion")


def tables(at: AppTest, column: str) -> list[pl.DataFrame]:
    return [f for f in (pl.from_pandas(e.value) for e in at.dataframe) if column in f.columns]


def idea_key(built_db: Path, title: str, for_city: str) -> str:
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        frame = suggestion_list(con, for_city=for_city)
    finally:
        con.close()
    return frame.filter(pl.col("title") == title)["cooperation_key"].item()


def tab(at: AppTest, label: str):
    """The section „Anregungen aus <city> für …“ of label („Anregungen aus <city>“), opened first
    (with a run) if it is not open: a closed section does not run."""
    key = SECTION_KEYS[label.removeprefix("Anregungen aus ")]
    if key not in at.session_state or not at.session_state[key]:
        at.session_state[key] = True
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return next(e for e in at.expander if e.label.startswith(f"{label} für "))


def plain(text: str) -> str:
    """Markdown as read: without the backslashes md_escape put before punctuation."""
    return re.sub(r"\\(.)", r"\1", text)


def mds(block) -> list[str]:
    return [plain(m.value) for m in block.markdown]


def caps(block) -> list[str]:
    return [plain(c.value) for c in block.caption]


def rows(block) -> list[str]:
    """The titles of the idea rows shown in a tab, in order („**3. Titel**“ → „Titel“)."""
    return [
        m[2:-2].split(". ", 1)[1]
        for m in mds(block)
        if m.startswith("**") and m.endswith("**") and m[2:3].isdigit()
    ]


def test_both_tabs_list_the_best_ideas_first_with_their_nearest_record(app: AppTest) -> None:
    app.run()
    assert not app.exception
    magdeburg = tab(app, "Anregungen aus Magdeburg")
    erfurt = tab(app, "Anregungen aus Erfurt")
    # A screenful each: the best PAGE_SIZE, the rest on demand.
    assert len(rows(magdeburg)) == PAGE_SIZE and len(rows(erfurt)) == PAGE_SIZE
    assert any(c == "78 von 78 Anregungen für Erfurt; gezeigt die besten 10." for c in caps(magdeburg))
    # A binding agreement with its status, effects and partner named.
    assert "gemeinsames Wissensmanagement" in rows(magdeburg)
    assert any(t.startswith("gemeinsame Adoptionsvermittlungsstelle") for t in rows(erfurt))
    # No fragment and no bare abbreviation among the first shown.
    assert not {"KITU", "LEMADRE"} & set(rows(magdeburg))
    assert not any(t.startswith(("In der Form", "Der FD 23.2")) for t in rows(magdeburg))
    # The nearest record of the other city and the score stand in the same row.
    nearest = [c for c in caps(magdeburg) if c.startswith("**Nächster Eintrag in Erfurt:** ")]
    assert len(nearest) == PAGE_SIZE
    assert sum(c.startswith("Ähnlichkeit 0,") for c in caps(magdeburg)) == PAGE_SIZE
    # Title, then its Aufgabenbereich, department, kind, status and source line.
    meta = "3 Recht, Sicherheit und Ordnung · FB 32 · Projekt mit Arbeitsstand · Arbeitsstand: in Umsetzung"
    assert any(c.startswith(meta) and c.endswith("Z. 68") for c in caps(magdeburg)), caps(magdeburg)
    assert not app.toast  # nothing was rebuilt or saved


def test_more_ideas_on_demand_and_each_in_its_own_task_area(app: AppTest) -> None:
    app.run()
    magdeburg = tab(app, "Anregungen aus Magdeburg")
    first = rows(magdeburg)
    next(b for b in magdeburg.button if b.label == "Weitere 10 Anregungen anzeigen").click()
    app.run()
    magdeburg = tab(app, "Anregungen aus Magdeburg")
    assert rows(magdeburg)[:PAGE_SIZE] == first and len(rows(magdeburg)) == 2 * PAGE_SIZE
    next(b for b in magdeburg.button if b.label == "Alle 78 anzeigen").click()
    app.run()
    magdeburg = tab(app, "Anregungen aus Magdeburg")
    shown = rows(magdeburg)
    assert len(shown) == 78 and not any(b.label.startswith("Weitere") for b in magdeburg.button)
    # Fragments and abbreviations come last, with their context.
    assert "LEMADRE" in shown[-5:]
    assert any(
        c == "Zusammenhang: darunter: Entwicklung gemeinsamer Kennzahlen im LuK-Bereich"
        for c in caps(magdeburg)
    )
    assert any(
        c.startswith("Zusammenhang: Arbeitsstand: Prüfung gemeinsame Nutzung von Software")
        for c in caps(magdeburg)
    )
    # The theatre tour proposed by FB 02 (Finanzen) is listed under its own topic's area.
    theatre = next(c for c in caps(magdeburg) if "FB 02" in c and "4 Schule und Kultur" in c)
    assert theatre.startswith("4 Schule und Kultur ◆ (Thema des Titels; Fachbereich: 2 Finanzen)")


def test_shared_view_shows_record_pairs_with_reason(app: AppTest) -> None:
    app.query_params["vergleich_gemeinsame_themen"] = "true"  # a link with the section open
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
    titles = rows(tab(app, "Anregungen aus Erfurt"))
    assert titles
    assert all("verband" in t.casefold() for t in titles)


def test_a_reader_sees_no_mark_buttons(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert not app.pills
    assert "Bewertung: noch nicht bewertet" in caps(tab(app, "Anregungen aus Magdeburg"))


def test_an_editor_marks_in_the_row_gets_a_toast_and_the_list_stays(
    app: AppTest, store: Store, built_db: Path, loopback: None
) -> None:
    app.session_state[NAME_KEY] = "Test Redaktion"
    app.run()
    assert not app.exception
    magdeburg = tab(app, "Anregungen aus Magdeburg")
    next(b for b in magdeburg.button if b.label == "Weitere 10 Anregungen anzeigen").click()
    app.run()
    before = rows(tab(app, "Anregungen aus Magdeburg"))
    assert len(before) == 2 * PAGE_SIZE
    key = idea_key(built_db, "Behördennummer D 115", "Erfurt")
    app.pills(key=mark_key("magdeburg", key)).set_value("interessant")
    app.run()
    assert not app.exception
    mark = store.latest_marks()[(key, "Erfurt")]
    assert (mark.mark, mark.actor_name) == ("interessant", "Test Redaktion")
    toasts = [t.value for t in app.toast]
    assert toasts == ["Gespeichert: „interessant“ für Behördennummer D 115"]
    # Same rows, same order, as many as before: nothing jumps back to the first item.
    assert rows(tab(app, "Anregungen aus Magdeburg")) == before
    assert app.pills(key=mark_key("magdeburg", key)).value == "interessant"
    # A note in the row, kept with the mark.
    app.text_input(key=f"notiz_magdeburg_{key}").input("für 2027 prüfen")
    app.run()
    assert [t.value for t in app.toast] == ["Notiz gespeichert."]
    # The mark filter of the tab: only the marked idea is left there.
    next(m for m in app.multiselect if m.key == "bewertung_md").set_value(["interessant"])
    app.run()
    assert not app.exception
    assert rows(tab(app, "Anregungen aus Magdeburg")) == ["Behördennummer D 115"]
    assert "Notiz: für 2027 prüfen" in caps(tab(app, "Anregungen aus Magdeburg"))
    # A second click on the same mark withdraws it.
    app.pills(key=mark_key("magdeburg", key)).set_value(None)
    app.run()
    assert store.latest_marks()[(key, "Erfurt")].mark is None
    assert [t.value for t in app.toast] == ["Bewertung zurückgenommen: Behördennummer D 115"]


def test_the_mark_filter_comes_from_the_url(app: AppTest, store: Store, built_db: Path) -> None:
    key = idea_key(built_db, "Meldeportal", "Erfurt")
    store.record_mark(EDITOR, cooperation_key=key, for_city="Erfurt", mark="gibt es bei uns schon", note=None)
    app.query_params["bewertung_md"] = ["gibt es bei uns schon"]
    app.run()
    assert not app.exception
    assert rows(tab(app, "Anregungen aus Magdeburg")) == ["Meldeportal"]
    assert any(
        c.startswith("Bewertung: gibt es bei uns schon (Test Redaktion, ")
        for c in caps(tab(app, "Anregungen aus Magdeburg"))
    )


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

    from ikz.present.export import DeckSpec, build_deck
    from ikz.ui.anregungen import ideas_slide

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
