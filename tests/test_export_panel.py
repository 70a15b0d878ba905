"""The export panel's download callables: build the file on click, report progress, cache the images."""

from __future__ import annotations

import io
from dataclasses import replace
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pypdf import PdfReader

import ikz.ui.export_panel as panel
from ikz.core.paths import ROOT
from ikz.present.export import ExportError, build_deck, build_pdf
from tests.export_samples import SPEC, png


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replace the browser: each render call is counted and ticks once per chart, as the renderer does."""
    calls: list[int] = []

    def fake_render(spec, renderer=None, *, on_done=None):
        calls.append(len(spec.chart_slides()))
        for _ in spec.chart_slides():
            on_done()
        return [png(color="red") for _ in spec.chart_slides()]

    monkeypatch.setattr(panel, "render_deck_images", fake_render)
    monkeypatch.setattr(panel, "get_renderer", lambda: SimpleNamespace(is_running=True))
    monkeypatch.setattr(panel, "_images_cache", type(panel._images_cache)())
    return calls


def test_deck_callable_builds_the_deck_and_reports_progress(renders: list[int]) -> None:
    progress = panel.Progress()
    data = panel._deferred_file(lambda: SPEC, progress, build_deck, "Foliensatz")()
    assert len(Presentation(io.BytesIO(data)).slides) == SPEC.slide_count()
    state = progress.snapshot()
    assert (state["generation"], state["done"], state["total"], state["error"]) == (1, 4, 4, None)
    # The slides are counted when the spec is made (on the click): the panel's status names them.
    assert state["slides"] == SPEC.slide_count()
    assert state["finished"] is not None and state["finished"] >= state["started"]
    assert state["stage"] == "Foliensatz wird zusammengestellt …"


def test_pdf_after_deck_reuses_the_rendered_images(renders: list[int]) -> None:
    panel._deferred_file(lambda: SPEC, panel.Progress(), build_deck, "Foliensatz")()
    progress = panel.Progress()
    data = panel._deferred_file(lambda: SPEC, progress, build_pdf, "PDF-Bericht")()
    assert len(PdfReader(io.BytesIO(data)).pages) == SPEC.slide_count()
    assert renders == [3]  # rendered once for both files
    assert progress.snapshot()["done"] == 4


def test_a_changed_view_is_rendered_again(renders: list[int]) -> None:
    panel._deferred_file(lambda: SPEC, panel.Progress(), build_deck, "Foliensatz")()
    figure = go.Figure(SPEC.charts[0].figure).update_traces(y=[1, 2], selector=0)
    changed = replace(SPEC, charts=(replace(SPEC.charts[0], figure=figure), *SPEC.charts[1:]))
    panel._deferred_file(lambda: changed, panel.Progress(), build_deck, "Foliensatz")()
    assert renders == [3, 3]


def test_the_spec_is_made_only_when_a_file_is_asked_for(renders: list[int]) -> None:
    made: list[int] = []
    deferred = panel._deferred_file(
        lambda: made.append(1) or SPEC, panel.Progress(), build_deck, "Foliensatz"
    )
    assert made == []  # offering the button makes nothing
    deferred()
    assert made == [1]


def test_a_failed_render_is_reported_in_german(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(spec, renderer=None, *, on_done=None):
        raise ExportError("Der Bildexport hat zu lange gedauert. Bitte gleich noch einmal versuchen.")

    monkeypatch.setattr(panel, "render_deck_images", broken)
    monkeypatch.setattr(panel, "get_renderer", lambda: SimpleNamespace(is_running=True))
    monkeypatch.setattr(panel, "_images_cache", type(panel._images_cache)())
    progress = panel.Progress()
    with pytest.raises(ExportError):  # Streamlit must not hand out a file
        panel._deferred_file(lambda: SPEC, progress, build_deck, "Foliensatz")()
    state = progress.snapshot()
    assert state["error"] == (
        "Der Export ist fehlgeschlagen: Der Bildexport hat zu lange gedauert. "
        "Bitte gleich noch einmal versuchen."
    )
    assert state["finished"] is not None


def test_the_deck_and_report_libraries_load_with_the_first_file_only() -> None:
    """python-pptx and fpdf2 (about 45 MB) are not loaded by the pages' modules: a server whose
    people never export does not carry them."""
    import subprocess
    import sys

    check = (
        "import sys, ikz.ui.layout, ikz.ui.export_panel, ikz.present.export as e; "
        "assert not {'pptx', 'fpdf'} & set(sys.modules), sorted({'pptx', 'fpdf'} & set(sys.modules)); "
        "from tests.export_samples import SPEC, png; "
        "e.build_pdf(SPEC, [png()] * len(SPEC.chart_slides())); assert 'fpdf' in sys.modules"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
