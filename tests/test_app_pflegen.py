"""Daten pflegen and Überblick's „Änderungen seit …“ in Streamlit's AppTest (upload: see the browser test)."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from ikz.builder.database import build
from ikz.core.numbers import fmt_int
from ikz.edit import publish
from ikz.present.export import build_deck, build_pdf, chromium_available
from ikz.present.export.spec import KEY_FIGURES_TITLE
from ikz.store.access import Identity
from ikz.store.sqlite import Store
from tests.apptest import offered_decks, open_app
from tests.editions_fixture import FILLED_IN, NEW_DEPARTMENT, next_edition
from tests.export_samples import page_texts, png
from tests.plotly_specs import chart_titles, tab_labels

# Whole-page AppTest runs and real builds: seconds each, so not in the fast tier.
pytestmark = pytest.mark.slow


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store, loopback: None) -> Path:
    """A database built for the test, its own store and edition folder; local mode on loopback."""
    monkeypatch.setenv("IKZ_EDITIONS", str(tmp_path / "editions"))
    monkeypatch.setenv("IKZ_DB", str(tmp_path / "ikz.duckdb"))
    build(tmp_path / "ikz.duckdb")
    return tmp_path


def pflegen(name: str | None = "Anna") -> AppTest:
    return open_app("pages/maintain.py", local_name=name).run()


def test_the_page_asks_for_a_name_first(office: Path) -> None:
    at = pflegen(name=None)
    assert not at.exception
    assert at.text_input[0].label == "Ihr Name"
    assert not at.title or at.title[0].value != "Daten pflegen" or not at.tabs


def test_the_page_shows_the_current_edition_and_the_edition_list(office: Path) -> None:
    at = pflegen()
    assert not at.exception
    assert at.title[0].value == "Daten pflegen"
    assert "Ausgangsliste" in at.info[0].value and "78 Kooperationen" in at.info[0].value
    assert [t.label for t in at.tabs] == ["Neue Ausgabe hochladen", "Einzelne Kooperation", "Ausgaben"]
    assert "Noch keine weitere Ausgabe" in " ".join(c.value for c in at.caption)


def test_editing_one_record_publishes_a_derived_edition(office: Path) -> None:
    at = pflegen()
    choice = next(
        o for o in at.selectbox(key="einzeln_wahl").options if o.startswith("Personal- und Organisationsamt")
    )
    at.selectbox(key="einzeln_wahl").set_value(choice).run()
    beginn = next(w for w in at.text_input if w.label == "Beginn (Jahr)")
    beginn.set_value("2015")
    next(w for w in at.selectbox if w.label == "Status").set_value("laufend")
    next(b for b in at.button if b.label == "Als neue Ausgabe speichern").click().run()
    assert not at.exception
    assert "ist jetzt aktuell" in at.toast[0].value  # a toast: seen wherever the person looks
    [edition] = Store().editions("Erfurt")
    assert edition.note.startswith("Kooperation geändert") and edition.imported_by == "Anna"
    from ikz.builder import editions

    record = next(
        r
        for r in editions.load_records(editions.current_info("Erfurt", Store()), Store())
        if r.key == FILLED_IN
    )
    assert (record.start_year, record.status_text) == (2015, "laufend")


def test_a_wrong_year_in_the_form_is_refused_in_german(office: Path) -> None:
    at = pflegen()
    choice = at.selectbox(key="einzeln_wahl").options[3]
    at.selectbox(key="einzeln_wahl").set_value(choice).run()
    next(w for w in at.text_input if w.label == "Beginn (Jahr)").set_value("zwanzig")
    next(b for b in at.button if b.label == "Als neue Ausgabe speichern").click().run()
    assert not at.exception
    assert "„zwanzig“ ist keine gültige Angabe" in at.error[0].value
    assert Store().editions("Erfurt") == []


def test_overview_shows_changes_since_and_development_after_a_publish(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = next_edition(publish.template("Erfurt"), wrong_cell=False)
    args = {
        "city": "Erfurt",
        "as_of": __import__("datetime").date(2026, 11, 30),
        "accepted_departments": [NEW_DEPARTMENT],
    }
    first = publish.prepare_import(data, "a.xlsx", **args)
    publish.publish(
        Identity.local("Anna"), publish.prepare_import(data, "a.xlsx", confirmed=first.undecided, **args)
    )
    # The spec the export panel offers, made as a click makes it: its deck is read back.
    offered = offered_decks(monkeypatch)
    at = open_app().run()
    assert not at.exception
    assert [s.value for s in at.subheader][:1] == ["Änderungen seit der Ausgangsliste (undatiert, nach 2020)"]
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Neu"], shown["Entfallen"], shown["Geändert"]) == ("3", "2", "8")
    magdeburg = (
        duckdb.connect(str(office / "ikz.duckdb"), read_only=True)
        .execute("SELECT count(*) FROM cooperation_wide WHERE city = 'Magdeburg'")
        .fetchone()[0]
    )
    assert shown["Kooperationen"] == fmt_int(79 + magdeburg)  # Erfurt's new edition + Magdeburg's seed
    # The seven charts and „Entwicklung“, one per tab (the open one drawn); its tab draws it.
    assert tab_labels(at)[-1] == "Entwicklung" and len(tab_labels(at)) == 8
    at.session_state["ueberblick_diagramm"] = "Entwicklung"
    at.run()
    assert not at.exception
    assert [t for t in chart_titles(at) if "Entwicklung" in t] == [
        "<b>Entwicklung: Kooperationen je Ausgabe nach Kooperationsform – Erfurt</b>"
    ]
    # The deck and the PDF carry „Entwicklung“ too: title, 8 charts, key figures, sources.
    if chromium_available():  # without it the panel offers no deck
        spec = offered[-1]
        # A long chart takes several slides and the heatmap adds an appendix (ikz.present.export.fit).
        assert len(spec.charts) == 8
        assert any("mit allen 8 Diagrammen dieser Ansicht" in c.value for c in at.caption)
        images = [png()] * len(spec.chart_slides())
        deck = Presentation(io.BytesIO(build_deck(spec, images)))
        key_slide = next(s for s in deck.slides if s.shapes.title.text_frame.text == KEY_FIGURES_TITLE)
        shown_on_slide = " | ".join(
            shape.text_frame.text for shape in key_slide.shapes if shape.has_text_frame
        )
        since = "Änderungen seit der Ausgangsliste (undatiert, nach 2020) – Erfurt"
        assert since in shown_on_slide and "3 neu, 2 entfallen, 8 geändert" in shown_on_slide
        report = " ".join(page_texts(build_pdf(spec, images)))
        assert since in " ".join(report.split()) and "3 neu, 2 entfallen, 8 geändert" in report
    # Beginn is a filter now that an edition gives it: 2015 (FILLED_IN) and the new rows' years.
    assert at.multiselect(key="beginn").options == ["2015", "2025", "2026"]
    at.multiselect(key="beginn").set_value(["2015"]).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Kooperationen"] == "1"
    # The editions tab lists both, and offers going back to the seed.
    at = pflegen()
    assert "Ausgabe 1" in at.info[0].value
    assert at.selectbox(key="zuruecksetzen_wahl").options == ["Ausgangsliste (Stand undatiert, nach 2020)"]
