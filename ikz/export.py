"""Export layer: Plotly figures and their metadata in, PNG/SVG, PowerPoint and PDF bytes out.

Images are rendered by one persistent headless Chromium (kaleido 1.x), shared by every caller in
the process: starting Chromium costs about 3 s, a render on a warm browser about 0.2 s.

Pure apart from that browser: no Streamlit, no file writes. Typical use on a page:

    pptx_bytes, pdf_bytes = build_exports(spec)   # renders each chart once, builds both files
    png = get_renderer().render(fig)               # a single chart as PNG (1920 × 1080)
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import io
import logging
import math
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl
from babel.dates import format_date
from fpdf import FPDF
from plotly.graph_objects import Figure
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from ikz.charts import SOURCE_ANNOTATION
from ikz.labels import file_stem, german_columns
from ikz.theme import MUTED_COLOR, TEXT_COLOR

logger = logging.getLogger(__name__)

# --- Browser -------------------------------------------------------------------------------------

# The variable choreographer (kaleido's browser driver) itself honours, so one setting serves both.
BROWSER_PATH_ENV = "BROWSER_PATH"
DEFAULT_BROWSER_PATHS = (
    Path("/usr/bin/chromium"),  # Debian's package; the one the project installs
    Path("/usr/bin/chromium-browser"),
    Path("/usr/bin/google-chrome"),
)

NO_BROWSER_MESSAGE = (
    "Für den Bildexport (PNG, SVG, PowerPoint, PDF) wird der Browser Chromium benötigt, "
    "er wurde auf diesem Rechner aber nicht gefunden. Unter Debian oder Ubuntu lässt er sich mit "
    "`sudo apt-get install chromium` installieren; liegt er an einem anderen Ort, gibt die "
    "Umgebungsvariable `BROWSER_PATH` den Pfad an. Einzelne Diagramme lassen sich auch ohne "
    "Chromium über das Kamerasymbol in der Diagrammleiste als PNG speichern."
)

ImageFormat = Literal["png", "svg"]
IMAGE_FORMATS: tuple[str, ...] = ("png", "svg")


class ExportError(Exception):
    """An export failed: a chart could not be rendered, or the renderer was busy for too long."""


class ExportUnavailable(ExportError):
    """No Chromium is installed (or the configured path is wrong); the message is for the UI."""

    def __init__(self, message: str = NO_BROWSER_MESSAGE) -> None:
        super().__init__(message)


def find_browser() -> Path | None:
    """Path of the Chromium to render with: $BROWSER_PATH if set, else a standard location."""
    override = os.environ.get(BROWSER_PATH_ENV)
    # An explicit override that points nowhere is reported, not silently replaced by a default.
    candidates = (Path(override).expanduser(),) if override else DEFAULT_BROWSER_PATHS
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def chromium_available() -> bool:
    """True when a Chromium for image export is installed (no browser is started)."""
    return find_browser() is not None


class ImageRenderer:
    """One persistent headless Chromium that renders Plotly figures for every thread in the process.

    The browser runs in a private asyncio loop on a daemon thread; callers from any thread hand
    their figures to that loop and wait for the bytes with a timeout, so a stuck export can't
    block other sessions forever. Kaleido keeps `tabs` browser tabs in a queue: concurrent
    requests share them first come, first served, and `render_many` renders on all tabs at once.
    The browser starts lazily on the first render (or `start()`) and stops on `close()`, on
    leaving a `with` block, or at interpreter exit. If Chromium dies it is restarted once.
    """

    def __init__(
        self,
        browser_path: Path | str | None = None,
        *,
        tabs: int = 2,  # this machine has 2 cores; more tabs only queue for the CPU
        render_timeout: float = 30.0,  # seconds for one image inside the browser
        request_timeout: float = 120.0,  # seconds a caller waits for all its images, queue included
        start_timeout: float = 60.0,
    ) -> None:
        self._browser_path = Path(browser_path) if browser_path is not None else None
        self._tabs = tabs
        self._render_timeout = render_timeout
        self._request_timeout = request_timeout
        self._start_timeout = start_timeout
        # Guards start and close only; rendering runs concurrently through kaleido's tab queue.
        self._lifecycle_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None  # kaleido.Kaleido, imported lazily (it pulls in choreographer)

    # -- lifecycle --

    @property
    def is_running(self) -> bool:
        """True while the browser process is up."""
        kaleido = self._kaleido
        return kaleido is not None and kaleido.subprocess.poll() is None

    def start(self) -> None:
        """Start the browser unless it is running; raises ExportUnavailable without Chromium."""
        if self.is_running:
            return
        if not self._lifecycle_lock.acquire(timeout=self._start_timeout):
            raise ExportError("Der Bildexport ist gerade ausgelastet. Bitte gleich noch einmal.")
        try:
            if self.is_running:  # another thread started it while we waited for the lock
                return
            self._stop_locked()  # clean up a browser that died
            self._start_locked()
        finally:
            self._lifecycle_lock.release()

    def close(self) -> None:
        """Stop the browser and its loop thread; the renderer can be started again later."""
        with self._lifecycle_lock:
            self._stop_locked()

    def __enter__(self) -> ImageRenderer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start_locked(self) -> None:
        path = self._browser_path or find_browser()
        if path is None or not path.is_file() or not os.access(path, os.X_OK):
            raise ExportUnavailable()
        import kaleido  # lazily: importing it is slow and only needed once a render is asked for

        started = time.perf_counter()
        try:
            browser = kaleido.Kaleido(
                n=self._tabs,
                timeout=self._render_timeout,
                path=str(path),  # explicit, rather than mutating the process-wide BROWSER_PATH
                mathjax=False,  # the default loads MathJax from a CDN; we have no LaTeX labels
            )
        except kaleido.errors.ChromeNotFoundError as error:
            raise ExportUnavailable() from error
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="ikz-export-browser", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(browser.open(), loop).result(self._start_timeout)
        except BaseException as error:
            # A browser that started but didn't answer in time must not be left running.
            self._loop, self._thread, self._kaleido = loop, thread, browser
            self._stop_locked()
            raise ExportError(f"Chromium für den Bildexport startet nicht: {error}") from error
        # Published together, so no other thread sees a browser without its loop.
        self._loop, self._thread, self._kaleido = loop, thread, browser
        logger.info("Export browser started in %.1f s (%s)", time.perf_counter() - started, path)

    def _stop_locked(self) -> None:
        loop, thread, browser = self._loop, self._thread, self._kaleido
        self._loop = self._thread = self._kaleido = None
        if loop is None or thread is None:
            return

        async def shut_down() -> None:
            if browser is not None:
                await browser.close()
            # choreographer leaves helper tasks (its watchdog) behind; end them before the loop.
            others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(shut_down(), loop).result(timeout=10)
        except Exception:  # a browser that already died can fail to close; stop the loop anyway
            logger.warning("Export browser did not close cleanly", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        if not thread.is_alive():
            loop.close()
        logger.info("Export browser stopped")

    # -- rendering --

    def render(
        self,
        fig: Figure | dict[str, Any],
        fmt: ImageFormat = "png",
        width: int = 1920,
        height: int = 1080,
        scale: float = 1,
    ) -> bytes:
        """Render one figure as PNG or SVG bytes of width × height CSS pixels times scale."""
        return self.render_many([fig], fmt, width, height, scale)[0]

    def render_many(
        self,
        figs: Sequence[Figure | dict[str, Any]],
        fmt: ImageFormat = "png",
        width: int = 1920,
        height: int = 1080,
        scale: float = 1,
    ) -> list[bytes]:
        """Render several figures concurrently on the browser's tabs; bytes in the given order."""
        if fmt not in IMAGE_FORMATS:
            raise ValueError(f"format must be one of {IMAGE_FORMATS}, not {fmt!r}")
        if not figs:
            return []
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        try:
            return self._render_once(figs, opts)
        except _BrowserGone as gone:
            # Chromium died (crash, OOM killer): replace it and try once more.
            logger.warning("Export browser died; restarting it")
            self._discard(gone.browser)
            return self._render_once(figs, opts)

    def _render_once(self, figs: Sequence[Any], opts: dict[str, Any]) -> list[bytes]:
        self.start()
        loop, browser = self._loop, self._kaleido
        if loop is None or browser is None:  # closed by another thread right after start()
            raise ExportError("Der Bildexport wurde beendet. Bitte noch einmal versuchen.")

        async def render_all() -> list[bytes]:
            return await asyncio.gather(*(browser.calc_fig(fig, opts=opts) for fig in figs))

        future = asyncio.run_coroutine_threadsafe(render_all(), loop)
        try:
            return future.result(timeout=self._request_timeout)
        except concurrent.futures.TimeoutError as error:
            future.cancel()  # cancels the renders in the loop; kaleido returns their tabs
            raise ExportError(
                "Der Bildexport hat zu lange gedauert (der Export ist vermutlich ausgelastet). "
                "Bitte gleich noch einmal versuchen."
            ) from error
        except (Exception, concurrent.futures.CancelledError) as error:
            from choreographer.errors import BrowserClosedError, ChannelClosedError

            # When Chromium dies, choreographer's watchdog closes the channel and cancels the
            # renders; the wrapper process may not have exited yet, so is_running can't tell.
            died = (BrowserClosedError, ChannelClosedError, concurrent.futures.CancelledError)
            if isinstance(error, died) or not self.is_running:
                raise _BrowserGone(browser, error) from error
            raise ExportError(f"Ein Diagramm ließ sich nicht als Bild erzeugen: {error}") from error

    def _discard(self, browser: Any) -> None:
        """Stop browser if it is still this renderer's, so the next render starts a fresh one."""
        if not self._lifecycle_lock.acquire(timeout=self._start_timeout):
            raise ExportError("Der Bildexport ist gerade ausgelastet. Bitte gleich noch einmal.")
        try:
            if self._kaleido is browser:  # another thread may have replaced it already
                self._stop_locked()
        finally:
            self._lifecycle_lock.release()


class _BrowserGone(ExportError):
    """Chromium died during a render; a fresh browser will probably succeed."""

    def __init__(self, browser: Any, error: BaseException) -> None:
        super().__init__(f"Der Browser für den Bildexport ist abgestürzt: {error}")
        self.browser = browser


_shared_renderer: ImageRenderer | None = None
_shared_renderer_lock = threading.Lock()


def get_renderer() -> ImageRenderer:
    """The process-wide renderer shared by all sessions (its browser starts on first render)."""
    global _shared_renderer
    with _shared_renderer_lock:
        if _shared_renderer is None:
            _shared_renderer = ImageRenderer()
        return _shared_renderer


def shutdown_renderer() -> None:
    """Stop the shared renderer's browser, if one was started; also runs at interpreter exit."""
    with _shared_renderer_lock:
        renderer = _shared_renderer
    if renderer is not None:
        renderer.close()


atexit.register(shutdown_renderer)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's IHDR header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# --- File names ----------------------------------------------------------------------------------


def records_csv(frame: pl.DataFrame) -> bytes:
    """Records as CSV for German Excel: UTF-8 with BOM, ';' separator, German column headers."""
    return german_columns(frame).write_csv(separator=";", include_bom=True).encode("utf-8")


def records_xlsx(frame: pl.DataFrame) -> bytes:
    """Records as an .xlsx workbook with German column headers and a frozen header row."""
    buffer = io.BytesIO()
    german_columns(frame).write_excel(buffer, worksheet="Kooperationen", autofit=True, freeze_panes=(1, 0))
    return buffer.getvalue()


def chart_file_name(title: str, ext: str) -> str:
    """A safe file name saying what a chart shows: 'Kosten je Amt' → 'kosten-je-amt.png'."""
    extension = ext.lower().lstrip(".")
    if not extension.isalnum() or not extension.isascii():
        raise ValueError(f"not a file extension: {ext!r}")
    return f"{file_stem(title)}.{extension}"


# --- Deck specification --------------------------------------------------------------------------


@dataclass(frozen=True)
class DeckStyle:
    """Fonts and colours for slides and PDF pages; pass the dashboard's colours from the chart layer.

    `font_family` is used in the PowerPoint file. It defaults to Arial rather than the dashboard's
    web font because a .pptx only names its fonts: PowerPoint on the council's Windows laptops has
    Arial, LibreOffice maps it to the metric-compatible Liberation Sans, whereas a missing font is
    replaced unpredictably and text boxes then overflow. The PDF embeds its font file instead
    (see PDF_FONT_CANDIDATES), because a PDF must carry its glyphs.
    """

    font_family: str = "Arial"
    # Titles, big numbers and the accent bar. The dashboard has no accent colour of its own and
    # the city colours would favour one city, so the default is the text colour.
    primary_color: str = TEXT_COLOR
    text_color: str = TEXT_COLOR
    muted_color: str = MUTED_COLOR  # subtitles, filter, source and page lines


@dataclass(frozen=True)
class ChartExport:
    """One chart to export: the figure and the words printed around it."""

    title: str  # the slide/page title; the image itself is rendered without the figure's title
    subtitle: str  # one line under the title, e.g. what is counted; may be ""
    source: str  # printed as "Quelle: …"
    figure: Figure
    file_stem: str = ""  # file name stem for single downloads; "" derives it from the title

    def file_name(self, ext: str) -> str:
        """Safe download file name for this chart, e.g. 'kooperationen-nach-kooperationsart.png'."""
        return chart_file_name(self.file_stem or self.title, ext)


@dataclass(frozen=True)
class KeyFigure:
    """One big number on the key-figures slide, already formatted (e.g. '1.234' or '42 %')."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class TextSlide:
    """A slide of text lines after the charts (e.g. „Anregungen“): title, subtitle, bullet lines."""

    title: str
    subtitle: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class DeckSpec:
    """Everything a slide deck or PDF report shows, in order."""

    title: str
    subtitle: str
    created: date
    filters_text: str  # the active filters in words, e.g. "Städte: Erfurt, Magdeburg; alle Arten"
    charts: tuple[ChartExport, ...]
    key_figures: tuple[KeyFigure, ...]  # 3–4 work best; the slide is left out when empty
    sources: tuple[str, ...]
    note: str  # the comparability note for the closing slide
    style: DeckStyle = field(default_factory=DeckStyle)
    text_slides: tuple[TextSlide, ...] = ()  # after the charts, in the deck only


KEY_FIGURES_TITLE = "Kennzahlen"
CLOSING_TITLE = "Quellen und Hinweise"
SOURCES_HEADING = "Quellen"
NOTE_HEADING = "Hinweis zur Vergleichbarkeit"

# Chart images for slides and pages: about 2.1 : 1, between the slide body (2.4 : 1) and the A4
# page body (1.8 : 1), so the same PNG fills most of both. 1100 CSS pixels wide keeps the
# dashboard's 12–14 px chart fonts at about 10 pt on a slide; scale 3 makes it crisp when projected.
DECK_IMAGE_WIDTH = 1100
DECK_IMAGE_HEIGHT = 520
DECK_IMAGE_SCALE = 3


def format_created(day: date) -> str:
    """A date the German way, e.g. '21. November 2026'."""
    return format_date(day, format="long", locale="de_DE")


def filter_line(filters_text: str) -> str:
    """The line printed under every chart and on the title page."""
    return f"Filter: {filters_text}"


def source_line(source: str) -> str:
    """The source line printed under a chart; 'Quelle:' once, also when the source has it."""
    return source if source.startswith("Quelle") else f"Quelle: {source}"


def value_size(value: str, large: int) -> int:
    """Font size for a key figure: numbers big, a category name small enough to fit its column."""
    # A number ("1.234", "36,4 %") fits at the large size; a word like "Erfahrungs- und
    # Wissensaustausch" would break mid-word there.
    return large if len(value) <= 10 else max(large * 2 // 5, 14)


DECK_IMAGE_TOP_MARGIN = 40  # px; Plotly reserves 100 for the title, which the image leaves out


def _deck_figure(chart: ChartExport) -> dict[str, Any]:
    """The chart's figure as a dict without the title and source the slide or page prints."""
    data = chart.figure.to_dict()
    layout = data.setdefault("layout", {})
    layout["title"] = {"text": ""}  # also drops the subtitle, which the slide prints too
    # A legend above the plot still gets its room: Plotly grows the margin for it automatically.
    margin = layout.setdefault("margin", {})
    margin["t"] = min(margin.get("t", DECK_IMAGE_TOP_MARGIN), DECK_IMAGE_TOP_MARGIN)
    # The slide or page prints the source line itself; ikz.charts.finish names that annotation.
    if "annotations" in layout:
        layout["annotations"] = [a for a in layout["annotations"] if a.get("name") != SOURCE_ANNOTATION]
    return data


def render_deck_images(spec: DeckSpec, renderer: ImageRenderer | None = None) -> list[bytes]:
    """Render every chart of the spec once, as the PNGs that slides and PDF pages embed."""
    return (renderer or get_renderer()).render_many(
        [_deck_figure(chart) for chart in spec.charts],
        "png",
        DECK_IMAGE_WIDTH,
        DECK_IMAGE_HEIGHT,
        DECK_IMAGE_SCALE,
    )


def build_exports(spec: DeckSpec, renderer: ImageRenderer | None = None) -> tuple[bytes, bytes]:
    """PowerPoint and PDF bytes of the spec, rendering each chart only once."""
    images = render_deck_images(spec, renderer)
    return build_deck(spec, images), build_pdf(spec, images)


def _checked_images(
    spec: DeckSpec, images: Sequence[bytes] | None, renderer: ImageRenderer | None
) -> Sequence[bytes]:
    if images is None:
        return render_deck_images(spec, renderer)
    if len(images) != len(spec.charts):
        raise ValueError(f"{len(images)} images for {len(spec.charts)} charts")
    return images


# --- PowerPoint ----------------------------------------------------------------------------------

SLIDE_WIDTH = Emu(12_192_000)  # 13.333 in: PowerPoint's 16:9 "Breitbild"
SLIDE_HEIGHT = Emu(6_858_000)  # 7.5 in
_MARGIN = Inches(0.5)
_CONTENT_WIDTH = SLIDE_WIDTH - 2 * _MARGIN
_LAYOUT_TITLE = 0  # the default template's "Title Slide"
_LAYOUT_TITLE_ONLY = 5  # "Title Only": keeps a real title placeholder for the outline view


@dataclass(frozen=True)
class _Line:
    """One paragraph of a text box."""

    text: str
    size: int  # points
    color: str  # hex
    bold: bool = False
    space_after: int = 0  # points


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _fill_text_frame(frame: Any, lines: Sequence[_Line], font: str, align: Any) -> None:
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_after = Pt(line.space_after)
        run = paragraph.runs[0] if paragraph.runs else paragraph.add_run()
        run.text = line.text
        run.font.name = font
        run.font.size = Pt(line.size)
        run.font.bold = line.bold
        run.font.color.rgb = _rgb(line.color)


def _add_text(
    slide: Any,
    box: tuple[int, int, int, int],
    lines: Sequence[_Line],
    style: DeckStyle,
    *,
    name: str,
    align: Any = PP_ALIGN.LEFT,
    anchor: Any = MSO_ANCHOR.TOP,
) -> Any:
    shape = slide.shapes.add_textbox(*box)
    shape.name = name
    shape.text_frame.vertical_anchor = anchor
    _fill_text_frame(shape.text_frame, lines, style.font_family, align)
    return shape


def _set_title(slide: Any, box: tuple[int, int, int, int], line: _Line, style: DeckStyle) -> None:
    # The template's placeholders are laid out for 4:3 and centred 44 pt Calibri; move and restyle.
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = box
    title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    _fill_text_frame(title.text_frame, [line], style.font_family, PP_ALIGN.LEFT)


def _remove_empty_placeholders(slide: Any) -> None:
    for shape in list(slide.placeholders):
        if not shape.has_text_frame or not shape.text_frame.text:
            shape.element.getparent().remove(shape.element)


def _fit(image_size: tuple[int, int], box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The largest box with the image's aspect ratio inside box, centred."""
    left, top, width, height = box
    image_width, image_height = image_size
    ratio = min(width / image_width, height / image_height)
    fit_width, fit_height = int(image_width * ratio), int(image_height * ratio)
    return left + (width - fit_width) // 2, top + (height - fit_height) // 2, fit_width, fit_height


def _title_slide(prs: Any, spec: DeckSpec) -> None:
    style = spec.style
    slide = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE])
    accent = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.25), SLIDE_HEIGHT)
    accent.name = "Akzent"
    accent.fill.solid()
    accent.fill.fore_color.rgb = _rgb(style.primary_color)
    accent.line.fill.background()
    title_line = _Line(spec.title, 40, style.primary_color, bold=True)
    _set_title(slide, (Inches(1), Inches(1.6), Inches(11.3), Inches(1.9)), title_line, style)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        Inches(1),
        Inches(3.6),
        Inches(11.3),
        Inches(0.9),
    )
    _fill_text_frame(
        subtitle.text_frame,
        [_Line(spec.subtitle, 22, style.text_color)],
        style.font_family,
        PP_ALIGN.LEFT,
    )
    _add_text(
        slide,
        (Inches(1), Inches(4.9), Inches(11.3), Inches(0.5)),
        [_Line(f"Stand: {format_created(spec.created)}", 16, style.text_color)],
        style,
        name="Datum",
    )
    _add_text(
        slide,
        (Inches(1), Inches(5.5), Inches(11.3), Inches(1.2)),
        [_Line(filter_line(spec.filters_text), 14, style.muted_color)],
        style,
        name="Filterzeile",
    )
    _remove_empty_placeholders(slide)


def _titled_slide(prs: Any, title: str, subtitle: str, style: DeckStyle) -> Any:
    slide = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE_ONLY])
    # Titles up to about 60 characters fit one line at 28 pt; longer ones get 22 pt and two lines.
    size = 28 if len(title) <= 60 else 22
    title_line = _Line(title, size, style.primary_color, bold=True)
    _set_title(slide, (_MARGIN, Inches(0.3), _CONTENT_WIDTH, Inches(0.8)), title_line, style)
    if subtitle:
        _add_text(
            slide,
            (_MARGIN, Inches(1.1), _CONTENT_WIDTH, Inches(0.4)),
            [_Line(subtitle, 16, style.muted_color)],
            style,
            name="Untertitel",
        )
    return slide


def _chart_slide(prs: Any, spec: DeckSpec, chart: ChartExport, png: bytes) -> None:
    style = spec.style
    slide = _titled_slide(prs, chart.title, chart.subtitle, style)
    body = (_MARGIN, Inches(1.55), _CONTENT_WIDTH, Inches(5.1))
    picture = slide.shapes.add_picture(io.BytesIO(png), *_fit(png_size(png), body))
    picture.name = "Diagramm"
    # Alt text for screen readers; python-pptx has no public setter for it.
    alt_text = f"{chart.title}. {chart.subtitle}".strip(" .")
    picture._element.nvPicPr.cNvPr.set("descr", alt_text)
    footer = [
        (Inches(6.7), filter_line(spec.filters_text), "Filterzeile"),
        (Inches(7.0), source_line(chart.source), "Quellenzeile"),
    ]
    for top, text, name in footer:
        box = (_MARGIN, top, _CONTENT_WIDTH, Inches(0.3))
        _add_text(slide, box, [_Line(text, 11, style.muted_color)], style, name=name)


def _text_slide(prs: Any, spec: DeckSpec, text: TextSlide) -> None:
    style = spec.style
    slide = _titled_slide(prs, text.title, text.subtitle, style)
    # Up to about eight two-line bullets fit at 16 pt; more get 12 pt rather than running off.
    size = 16 if len(text.lines) <= 8 else 12
    lines = [_Line(f"• {line}", size, style.text_color, space_after=6) for line in text.lines]
    box = (_MARGIN, Inches(1.6), _CONTENT_WIDTH, Inches(5.0))
    _add_text(slide, box, lines, style, name=text.title)
    footer = (_MARGIN, Inches(6.7), _CONTENT_WIDTH, Inches(0.3))
    _add_text(
        slide,
        footer,
        [_Line(filter_line(spec.filters_text), 11, style.muted_color)],
        style,
        name="Filterzeile",
    )


def _key_figures_slide(prs: Any, spec: DeckSpec) -> None:
    style = spec.style
    slide = _titled_slide(prs, KEY_FIGURES_TITLE, "", style)
    figures = spec.key_figures
    columns = min(len(figures), 4)
    rows = math.ceil(len(figures) / columns)
    gap = Inches(0.3)
    cell_width = (_CONTENT_WIDTH - gap * (columns - 1)) // columns
    cell_height = (Inches(5.2) - gap * (rows - 1)) // rows
    base_size = 54 if rows == 1 else 36
    for index, figure in enumerate(figures):
        row, column = divmod(index, columns)
        box = (
            _MARGIN + column * (cell_width + gap),
            Inches(1.6) + row * (cell_height + gap),
            cell_width,
            cell_height,
        )
        lines = [
            _Line(
                figure.value,
                value_size(figure.value, base_size),
                style.primary_color,
                bold=True,
                space_after=6,
            ),
            _Line(figure.label, 18, style.text_color, bold=True, space_after=4),
        ]
        if figure.note:
            lines.append(_Line(figure.note, 13, style.muted_color))
        _add_text(
            slide,
            box,
            lines,
            style,
            name=f"Kennzahl {index + 1}",
            align=PP_ALIGN.CENTER,
            anchor=MSO_ANCHOR.MIDDLE,
        )


def _closing_slide(prs: Any, spec: DeckSpec) -> None:
    style = spec.style
    slide = _titled_slide(prs, CLOSING_TITLE, "", style)
    # Long source lists get a smaller font rather than running off the slide.
    size = 16 if len(spec.sources) <= 6 else 12
    lines = [_Line(SOURCES_HEADING, size + 2, style.text_color, bold=True, space_after=4)]
    lines += [_Line(f"• {source}", size, style.text_color, space_after=2) for source in spec.sources]
    if spec.note:
        lines[-1] = _Line(lines[-1].text, lines[-1].size, lines[-1].color, space_after=14)
        lines.append(_Line(NOTE_HEADING, size + 2, style.text_color, bold=True, space_after=4))
        lines.append(_Line(spec.note, size, style.text_color))
    box = (_MARGIN, Inches(1.5), _CONTENT_WIDTH, Inches(5.6))
    _add_text(slide, box, lines, style, name="Quellen und Hinweis")


def build_deck(
    spec: DeckSpec,
    images: Sequence[bytes] | None = None,
    *,
    renderer: ImageRenderer | None = None,
) -> bytes:
    """A 16:9 PowerPoint deck: title, one slide per chart, key figures, sources and note.

    `images` are the charts' PNGs from render_deck_images (rendered here when not given).
    """
    pngs = _checked_images(spec, images, renderer)
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    prs.core_properties.title = spec.title
    prs.core_properties.subject = spec.subtitle
    prs.core_properties.language = "de-DE"
    _title_slide(prs, spec)
    for chart, png in zip(spec.charts, pngs, strict=True):
        _chart_slide(prs, spec, chart, png)
    for text_slide in spec.text_slides:
        _text_slide(prs, spec, text_slide)
    if spec.key_figures:
        _key_figures_slide(prs, spec)
    _closing_slide(prs, spec)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------------

# TTF fonts with German letters and „“ quotes, best first: Arial's metric twin (matches the
# slides), Arial itself on Windows and macOS laptops, then DejaVu Sans. No installed Python package
# ships a usable TTF (Streamlit has only woff2), so without any of these the PDF falls back to the
# built-in Helvetica in Windows-1252, which still has umlauts, ß, „“ and –; other characters
# become "?".
PDF_FONT_CANDIDATES: tuple[tuple[Path, Path], ...] = (
    (
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ),
    (Path("C:/Windows/Fonts/arial.ttf"), Path("C:/Windows/Fonts/arialbd.ttf")),
    (
        Path("/System/Library/Fonts/Supplemental/Arial.ttf"),
        Path("/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
)
_PDF_FONT = "ikz"
_PAGE_WIDTH, _PAGE_HEIGHT = 297.0, 210.0  # mm, A4 landscape
_PDF_MARGIN = 15.0
_PDF_CONTENT_WIDTH = _PAGE_WIDTH - 2 * _PDF_MARGIN


def _pdf_font_files() -> tuple[Path, Path] | None:
    for regular, bold in PDF_FONT_CANDIDATES:
        if regular.is_file():
            return regular, bold if bold.is_file() else regular
    return None


def _hex_to_rgb(hex_color: str) -> tuple[int, int, int]:
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class _Report:
    """An A4 landscape FPDF with the deck's font and colours and a few layout helpers."""

    def __init__(self, spec: DeckSpec, page_count: int) -> None:
        self.spec = spec
        self.page_count = page_count
        self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(_PDF_MARGIN, _PDF_MARGIN, _PDF_MARGIN)
        self.pdf.set_title(spec.title)
        self.pdf.set_subject(spec.subtitle)
        self.pdf.set_creator("IKZ Dashboard")
        self.pdf.set_lang("de-DE")
        fonts = _pdf_font_files()
        if fonts is None:
            logger.warning("No TTF font found; the PDF uses Helvetica (Windows-1252 only)")
            self.font = "helvetica"
            self.pdf.core_fonts_encoding = "windows-1252"
            self.unicode = False
        else:
            self.pdf.add_font(_PDF_FONT, "", str(fonts[0]))
            self.pdf.add_font(_PDF_FONT, "B", str(fonts[1]))
            self.font = _PDF_FONT
            self.unicode = True

    def clean(self, text: str) -> str:
        """Text the font can show: unchanged for a TTF, Windows-1252 with '?' for Helvetica."""
        if self.unicode:
            return text
        return text.encode("cp1252", "replace").decode("cp1252")

    def text(self, text: str, size: float, color: str, *, bold: bool = False, align: str = "L") -> None:
        """Write wrapped text at the cursor across the content width, then move below it."""
        self.pdf.set_font(self.font, "B" if bold else "", size)
        self.pdf.set_text_color(*_hex_to_rgb(color))
        self.pdf.set_x(_PDF_MARGIN)
        line_height = size * 0.45  # mm; about 1.3 × the font size in points
        self.pdf.multi_cell(_PDF_CONTENT_WIDTH, line_height, self.clean(text), align=align)

    def new_page(self, title: str, subtitle: str = "") -> None:
        """A page with its title (and subtitle) at the top and the page footer at the bottom."""
        self.pdf.add_page()
        self.footer()
        self.pdf.set_y(_PDF_MARGIN)
        self.text(title, 20, self.spec.style.primary_color, bold=True)
        if subtitle:
            self.pdf.ln(1)
            self.text(subtitle, 12, self.spec.style.muted_color)
        self.pdf.ln(4)

    def footer(self) -> None:
        style = self.spec.style
        self.pdf.set_draw_color(*_hex_to_rgb(style.primary_color))
        self.pdf.set_line_width(0.4)
        self.pdf.line(_PDF_MARGIN, _PAGE_HEIGHT - 11, _PAGE_WIDTH - _PDF_MARGIN, _PAGE_HEIGHT - 11)
        self.pdf.set_font(self.font, "", 8)
        self.pdf.set_text_color(*_hex_to_rgb(style.muted_color))
        self.pdf.set_xy(_PDF_MARGIN, _PAGE_HEIGHT - 10)
        left = f"{self.spec.title} · {format_created(self.spec.created)}"
        self.pdf.cell(_PDF_CONTENT_WIDTH / 2, 5, self.clean(left), align="L")
        right = f"Seite {self.pdf.page_no()} von {self.page_count}"
        self.pdf.cell(_PDF_CONTENT_WIDTH / 2, 5, right, align="R")


def build_pdf(
    spec: DeckSpec,
    images: Sequence[bytes] | None = None,
    *,
    renderer: ImageRenderer | None = None,
) -> bytes:
    """An A4 landscape PDF report: title page, one chart per page, key figures, sources and note.

    `images` are the charts' PNGs from render_deck_images (rendered here when not given).
    """
    pngs = _checked_images(spec, images, renderer)
    style = spec.style
    page_count = 1 + len(spec.charts) + (1 if spec.key_figures else 0) + 1
    report = _Report(spec, page_count)
    pdf = report.pdf

    pdf.add_page()
    report.footer()
    pdf.set_fill_color(*_hex_to_rgb(style.primary_color))
    pdf.rect(0, 0, 6, _PAGE_HEIGHT, style="F")
    pdf.set_y(55)
    report.text(spec.title, 30, style.primary_color, bold=True)
    pdf.ln(4)
    report.text(spec.subtitle, 16, style.text_color)
    pdf.ln(8)
    report.text(f"Stand: {format_created(spec.created)}", 13, style.text_color)
    pdf.ln(3)
    report.text(filter_line(spec.filters_text), 11, style.muted_color)

    footer_top = _PAGE_HEIGHT - 26  # filter and source lines above the page footer
    for chart, png in zip(spec.charts, pngs, strict=True):
        report.new_page(chart.title, chart.subtitle)
        top = pdf.get_y()
        alt_text = f"{chart.title}. {chart.subtitle}".strip(" .")
        pdf.image(
            io.BytesIO(png),
            x=_PDF_MARGIN,
            y=top,
            w=_PDF_CONTENT_WIDTH,
            h=footer_top - 2 - top,
            keep_aspect_ratio=True,  # fits and centres the image in the box
            alt_text=alt_text,
        )
        pdf.set_y(footer_top)
        report.text(filter_line(spec.filters_text), 9, style.muted_color)
        report.text(source_line(chart.source), 9, style.muted_color)

    if spec.key_figures:
        report.new_page(KEY_FIGURES_TITLE)
        figures = spec.key_figures
        columns = min(len(figures), 4)
        gap = 8.0
        cell_width = (_PDF_CONTENT_WIDTH - gap * (columns - 1)) / columns
        row_height = 60.0  # mm: a 36 pt number, a label and a note with room to spare
        rows = math.ceil(len(figures) / columns)
        free = footer_top - pdf.get_y() - rows * row_height
        row_top = pdf.get_y() + max(free / 2, 0)  # the block sits in the middle of the page
        for index, figure in enumerate(figures):
            row, column = divmod(index, columns)
            x = _PDF_MARGIN + column * (cell_width + gap)
            pdf.set_xy(x, row_top + row * row_height)
            for text, size, color, bold in (
                (figure.value, value_size(figure.value, 36), style.primary_color, True),
                (figure.label, 13, style.text_color, True),
                (figure.note, 10, style.muted_color, False),
            ):
                if not text:
                    continue
                pdf.set_font(report.font, "B" if bold else "", size)
                pdf.set_text_color(*_hex_to_rgb(color))
                pdf.set_x(x)
                pdf.multi_cell(cell_width, size * 0.45, report.clean(text), align="C")
                pdf.ln(2)

    report.new_page(CLOSING_TITLE)
    report.text(SOURCES_HEADING, 14, style.text_color, bold=True)
    pdf.ln(2)
    for source in spec.sources:
        report.text(f"• {source}", 11, style.text_color)
        pdf.ln(1)
    if spec.note:
        pdf.ln(6)
        report.text(NOTE_HEADING, 14, style.text_color, bold=True)
        pdf.ln(2)
        report.text(spec.note, 11, style.text_color)
    return bytes(pdf.output())
