"""The export panel under a page's charts: deck and PDF report with one click each, single charts as images.

A page offers its export as an `ExportOffer` (the charts' titles, and how to make the DeckSpec)
and calls `export_panel(page_key, offer)`. Each of „Foliensatz herunterladen“ and „PDF-Bericht
herunterladen“ is one `st.download_button` whose data is a callable: Streamlit runs it on its own
thread when the button is clicked (the button shows a spinner meanwhile) and then starts the
download. Only then is the spec made: every chart's figure, fitted to its slides (issue 21).
Streamlit ignores st.* calls inside that callable, so the progress bar comes from the click's
fragment rerun, which follows the build through a small thread-safe progress object until the
file is ready.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import streamlit as st
from plotly.io.json import to_json_plotly

from ikz.core.numbers import fmt_decimal, fmt_int
from ikz.present.export import (
    NO_BROWSER_MESSAGE,
    DeckSpec,
    ExportError,
    build_deck,
    build_pdf,
    chromium_available,
    get_renderer,
    render_deck_images,
)
from ikz.present.export.spec import ChartExport, chart_file_name, deck_figure, deck_file_stem
from ikz.present.theme import EXPORT_HEIGHT, EXPORT_WIDTH

logger = logging.getLogger(__name__)

IMAGE_DOWNLOADS = (("png", "image/png", ":material/image:"), ("svg", "image/svg+xml", ":material/polyline:"))
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF_MIME = "application/pdf"
# Rendered chart images kept for the next click: a deck and then the PDF of the same view render
# each chart only once. About 2 MB per view of seven charts.
IMAGE_CACHE_ENTRIES = 8
POLL_SECONDS = 0.2
START_TIMEOUT = 15.0  # s from the click until the build has begun on Streamlit's download thread
FOLLOW_TIMEOUT = 180.0  # s; the renderer itself gives up after 120 s
FAILED = "Der Export ist fehlgeschlagen: {error}"
UNITS = {"pptx": ("Folie", "Folien"), "pdf": ("Seite", "Seiten")}


@dataclass(frozen=True)
class ExportOffer:
    """A view's export as its panel offers it: what the panel names at once, what a click builds.

    Making the DeckSpec builds every chart's figure and fits it to its slides: tens of milliseconds
    on each new filter state, in every page run, for files most runs never build (issue 21). So
    the panel names the charts by their titles and makes the spec (or one chart) only on a click.
    """

    title: str
    created: date
    titles: tuple[str, ...]  # the charts' titles, in deck order
    make: Callable[[], DeckSpec]  # the whole spec, every figure made
    chart: Callable[[int], ChartExport]  # chart i with its figure made

    def file_stem(self) -> str:
        """File name of deck and report without extension (as DeckSpec.file_stem)."""
        return deck_file_stem(self.title, self.created)


@dataclass
class Progress:
    """Progress of one file being built on the download thread, read by the panel's rerun."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    generation: int = 0  # counts builds; the panel follows the first one newer than it last showed
    started: float = 0.0
    finished: float | None = None
    done: int = 0
    total: int = 1
    stage: str = ""
    error: str | None = None
    slides: int = 0  # slides (pages) of the file being built, known once its spec is made

    def begin(self, total: int) -> None:
        """A new build of total steps starts."""
        with self.lock:
            self.generation += 1
            self.started, self.finished = time.monotonic(), None
            self.done, self.total, self.stage, self.error = 0, max(total, 1), "", None
            self.slides = 0

    def plan(self, total: int, slides: int) -> None:
        """Once the spec is made: the build's steps, and the slides (pages) the file will have."""
        with self.lock:
            self.total, self.slides = max(total, 1), slides

    def note(self, stage: str) -> None:
        """Say what is happening without a step being done (e.g. the browser starting)."""
        with self.lock:
            self.stage = stage

    def tick(self, stage: str) -> None:
        """One step is done (called from the renderer's thread for each chart); stage may use {done}."""
        with self.lock:
            self.done = min(self.done + 1, self.total)
            self.stage = stage.format(done=self.done)

    def finish(self, error: str | None = None) -> None:
        """The build ended, with a German error message if it failed."""
        with self.lock:
            self.finished, self.error = time.monotonic(), error

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy of the fields, for the panel to show."""
        with self.lock:
            names = ("generation", "started", "finished", "done", "total", "stage", "error", "slides")
            return {name: getattr(self, name) for name in names}


_images_cache: OrderedDict[str, list[bytes]] = OrderedDict()
_images_lock = threading.Lock()


def _deck_images(spec: DeckSpec, progress: Progress) -> list[bytes]:
    """The chart images of spec, from the cache when this view was exported a moment ago."""
    charts = spec.chart_slides()
    key = hashlib.sha1("\x1e".join(to_json_plotly(deck_figure(c)) for c in charts).encode()).hexdigest()
    with _images_lock:
        images = _images_cache.get(key)
        if images is not None:
            _images_cache.move_to_end(key)
    if images is None:
        renderer = get_renderer()
        if not renderer.is_running:
            progress.note("Der Export-Browser wird gestartet …")  # about 3 s, once per server
        stage = f"Diagramme gerendert: {{done}} von {len(charts)}"
        images = render_deck_images(spec, renderer, on_done=lambda: progress.tick(stage))
        with _images_lock:
            _images_cache[key] = images
            while len(_images_cache) > IMAGE_CACHE_ENTRIES:
                _images_cache.popitem(last=False)
    else:
        for _ in charts:
            progress.tick("Diagramme aus dem letzten Export übernommen")
    return images


def _deferred_file(
    make_spec: Callable[[], DeckSpec],
    progress: Progress,
    build: Callable[[DeckSpec, Sequence[bytes]], bytes],
    what: str,
) -> Callable[[], bytes]:
    """The download button's callable: makes the spec, renders the charts, builds the file when clicked."""

    def make() -> bytes:
        progress.begin(total=1)
        try:
            spec = make_spec()
            progress.plan(total=len(spec.chart_slides()) + 1, slides=spec.slide_count())
            images = _deck_images(spec, progress)
            progress.tick(f"{what} wird zusammengestellt …")
            data = build(spec, images)
        except ExportError as exc:
            progress.finish(error=FAILED.format(error=exc))
            raise
        except Exception:
            logger.exception("Export of %s failed", what)
            unexpected = "ein unerwarteter Fehler (siehe Server-Protokoll). Bitte noch einmal versuchen."
            progress.finish(error=FAILED.format(error=unexpected))
            raise
        progress.finish()
        return data

    return make


def _follow(progress: Progress, page_key: str, kind: str, what: str) -> None:
    """After a click: a status box whose bar follows the build on the download thread to its end."""
    seen_key = f"{page_key}_{kind}_seen"
    seen = st.session_state.get(seen_key, 0)
    clicked = time.monotonic()
    with st.status(f"{what} wird erstellt …", expanded=True) as status:
        bar = st.progress(0.0, text="Der Export beginnt …")
        while True:
            now = progress.snapshot()
            current = now["generation"] > seen
            if current and now["finished"] is not None:
                break
            waited = time.monotonic() - clicked
            if (not current and waited > START_TIMEOUT) or waited > FOLLOW_TIMEOUT:
                label = (
                    f"{what}: kein Fortschritt zu sehen – der Download beginnt, sobald die Datei fertig ist"
                )
                status.update(label=label, state="error", expanded=False)
                return
            # Called every round also while waiting: a filter change can interrupt this rerun here.
            share = now["done"] / now["total"] if current else 0.0
            bar.progress(share, text=now["stage"] if current and now["stage"] else "Der Export beginnt …")
            time.sleep(POLL_SECONDS)
        st.session_state[seen_key] = now["generation"]
        if now["error"]:
            status.update(label=f"{what} fehlgeschlagen", state="error", expanded=True)
            st.error(now["error"], icon="🚫")
            return
        bar.progress(1.0, text="Fertig")
        seconds = fmt_decimal(now["finished"] - now["started"])
        one, many = UNITS[kind]
        size = f"{fmt_int(now['slides'])} {one if now['slides'] == 1 else many}"
        status.update(
            label=f"{what} fertig: {size} ({seconds} s) – der Download beginnt",
            state="complete",
            expanded=False,
        )


def _deferred_image(chart: Callable[[], ChartExport], fmt: str) -> Callable[[], bytes]:
    """Make and render one chart only when its download button is clicked (on Streamlit's own thread)."""

    def render() -> bytes:
        return get_renderer().render(chart().figure, fmt, EXPORT_WIDTH, EXPORT_HEIGHT)

    return render


def _progress(key: str) -> Progress:
    """This session's progress object for key, kept across reruns."""
    if key not in st.session_state:
        st.session_state[key] = Progress()
    return st.session_state[key]


def _row(n: int) -> list[Any]:
    """n slots in one row that wraps: buttons keep their whole label (columns of a quarter cut
    „Foliensatz herunterladen“ to „Foliensatz herunterl…“ at 1,280 px)."""
    return [st.container(horizontal=True)] * n


@st.fragment
def export_panel(page_key: str, offer: ExportOffer) -> None:
    """Slide deck, PDF report and single-chart images of the current view.

    A fragment: a click reruns only this panel (to show the progress), not the page's queries and charts.
    """
    st.header("Export für Präsentationen")
    if not chromium_available():
        st.info(NO_BROWSER_MESSAGE, icon="ℹ️")
        c1 = c2 = st.container(horizontal=True)  # a wrapping row: columns cut the labels at 1,280 px
        c1.button("Foliensatz herunterladen", disabled=True, key=f"{page_key}_pptx_off")
        c2.button("PDF-Bericht herunterladen", disabled=True, key=f"{page_key}_pdf_off")
        return
    charts = len(offer.titles)
    shown = "dem Diagramm" if charts == 1 else f"allen {fmt_int(charts)} Diagrammen"
    st.caption(
        f"Ein Klick erstellt die Datei mit {shown} dieser Ansicht, Kennzahlen, Filterzeile und "
        "Quellen: Foliensatz (PowerPoint, 16:9) oder PDF-Bericht (A4 quer). Ein langes Diagramm "
        "verteilt sich auf mehrere Folien; wie viele es sind, steht nach dem Erstellen hier."
    )
    stem = offer.file_stem()
    files = (
        ("pptx", "Foliensatz", build_deck, PPTX_MIME, ":material/slideshow:", "Foliensatz herunterladen"),
        ("pdf", "PDF-Bericht", build_pdf, PDF_MIME, ":material/picture_as_pdf:", "PDF-Bericht herunterladen"),
    )
    clicked: list[tuple[str, str]] = []
    for column, (kind, what, build, mime, icon, label) in zip(_row(2), files, strict=False):
        progress = _progress(f"{page_key}_{kind}_progress")
        if column.download_button(
            label,
            _deferred_file(offer.make, progress, build, what),
            file_name=f"{stem}.{kind}",
            mime=mime,
            icon=icon,
            on_click="rerun",  # reruns this fragment, which then shows the build's progress
            key=f"{page_key}_{kind}",
        ):
            clicked.append((kind, what))
        elif progress.snapshot()["finished"] is not None:
            # Builds this session saw end without following them (e.g. a rerun interrupted the
            # follow): the next click must follow a newer one.
            st.session_state[f"{page_key}_{kind}_seen"] = progress.snapshot()["generation"]
    # The progress box sits under the buttons but is filled last, so the rest of the panel is not
    # left greyed out (stale) while the rerun follows the build.
    progress_slot = st.container()

    if offer.titles:
        _image_downloads(page_key, offer)
    for kind, what in clicked:
        with progress_slot:
            _follow(_progress(f"{page_key}_{kind}_progress"), page_key, kind, what)


def _image_downloads(page_key: str, offer: ExportOffer) -> None:
    """One chart of the view as PNG or SVG, made and rendered when its button is clicked."""
    st.markdown("**Einzelnes Diagramm als Bild** (1920 × 1080)")
    titles = list(offer.titles)
    chosen = st.selectbox("Diagramm", titles, key=f"{page_key}_chart_choice", label_visibility="collapsed")
    index = titles.index(chosen) if chosen in titles else 0
    for column, (fmt, mime, icon) in zip(_row(len(IMAGE_DOWNLOADS)), IMAGE_DOWNLOADS, strict=False):
        column.download_button(
            f"{fmt.upper()} herunterladen",
            _deferred_image(lambda: offer.chart(index), fmt),
            file_name=chart_file_name(titles[index], fmt),
            mime=mime,
            on_click="ignore",
            key=f"{page_key}_{fmt}",
            icon=icon,
        )
