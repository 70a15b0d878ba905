"""The chart renderer: real renders in headless Chromium, shared by threads, restarted after a crash."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from ikz.present import export
from ikz.present.export import (
    NO_BROWSER_MESSAGE,
    ExportUnavailable,
    ImageRenderer,
    build_deck,
    chromium_available,
    render_deck_images,
)
from tests.export_samples import SPEC, bar_figure, chromium_children, image_size, needs_chromium


@pytest.fixture(scope="module")
def renderer() -> Iterator[ImageRenderer]:
    """One browser for the whole module; afterwards no Chromium it started may be left running.

    Only this module's: an earlier test file in the same worker may have started the app's shared
    renderer (ikz.present.export.get_renderer), which lives until the process ends by design."""
    before = {p.pid for p in chromium_children()}
    with ImageRenderer() as shared:
        yield shared
    assert not shared.is_running
    # Chromium's helper processes end a moment after the browser does (under load, after the
    # check): wait for them to exit, and fail on any still running after that.
    _, alive = psutil.wait_procs([p for p in chromium_children() if p.pid not in before], timeout=30)
    assert alive == []


@needs_chromium
def test_png_is_full_hd(renderer: ImageRenderer) -> None:
    png = renderer.render(bar_figure())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert image_size(png) == (1920, 1080)


@needs_chromium
def test_png_size_and_scale(renderer: ImageRenderer) -> None:
    assert image_size(renderer.render(bar_figure(), width=400, height=300, scale=2)) == (800, 600)


@needs_chromium
def test_svg(renderer: ImageRenderer) -> None:
    svg = renderer.render(bar_figure(), fmt="svg")
    assert svg.lstrip().startswith((b"<svg", b"<?xml"))
    assert b"Kooperationen nach Form" in svg


@needs_chromium
def test_render_many_keeps_order_and_ticks_once_per_figure(renderer: ImageRenderer) -> None:
    titles = [f"Diagramm Nummer {n}" for n in range(5)]
    ticks: list[int] = []
    svgs = renderer.render_many([bar_figure(t) for t in titles], fmt="svg", on_done=lambda: ticks.append(1))
    assert [title.encode() in svg for title, svg in zip(titles, svgs, strict=True)] == [True] * 5
    assert len(ticks) == 5


@needs_chromium
def test_deck_images_leave_out_title_and_source(renderer: ImageRenderer) -> None:
    """One PNG per chart slide at 1100 × 520 CSS px, scale 3; the slide prints title and source."""
    images = render_deck_images(SPEC, renderer)
    assert [image_size(image) for image in images] == [(3300, 1560)] * len(SPEC.charts)
    svg = renderer.render(export.spec.deck_figure(SPEC.charts[0]), fmt="svg")
    assert b"Kooperationen nach Form" not in svg  # the title
    assert b"Stadt Erfurt" not in svg  # the source line
    assert "Mehrfachnennungen möglich.".encode() in svg  # the note stays with the chart


@needs_chromium
def test_concurrent_callers_get_their_own_image(renderer: ImageRenderer) -> None:
    """Several sessions exporting at once share the browser and never swap results."""
    results: dict[int, bytes] = {}

    def export_in_session(n: int) -> None:
        results[n] = renderer.render(bar_figure(f"Sitzung {n} exportiert"), fmt="svg")

    threads = [threading.Thread(target=export_in_session, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert {n: f"Sitzung {n} exportiert".encode() in svg for n, svg in results.items()} == {
        n: True for n in range(4)
    }


@needs_chromium
def test_browser_restarts_after_crash(renderer: ImageRenderer) -> None:
    renderer.start()
    wrapper = psutil.Process(renderer._kaleido.subprocess.pid)  # the process kaleido started
    browser = next(child for child in wrapper.children() if "chrom" in child.name())
    os.kill(browser.pid, signal.SIGKILL)
    browser.wait(timeout=10)
    assert image_size(renderer.render(bar_figure(), width=200, height=100)) == (200, 100)
    assert renderer.is_running


def test_render_many_of_nothing_starts_no_browser() -> None:
    renderer = ImageRenderer(browser_path="/nonexistent/chromium")
    assert renderer.render_many([]) == []
    assert not renderer.is_running


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        ImageRenderer().render(bar_figure(), fmt="gif")  # type: ignore[arg-type]


def test_export_unavailable_without_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(export.BROWSER_PATH_ENV, str(tmp_path / "kein-chromium"))
    assert not chromium_available()
    with pytest.raises(ExportUnavailable) as raised:
        ImageRenderer().render(bar_figure())
    assert str(raised.value) == NO_BROWSER_MESSAGE
    with pytest.raises(ExportUnavailable):
        build_deck(SPEC, renderer=ImageRenderer())  # no images given: it must render, and can't
    with pytest.raises(ExportUnavailable):
        ImageRenderer(browser_path=tmp_path / "auch-nicht-da").render(bar_figure())


def test_no_browser_message_says_how_to_install() -> None:
    assert "apt-get install chromium" in NO_BROWSER_MESSAGE
    assert "Chromium" in NO_BROWSER_MESSAGE
