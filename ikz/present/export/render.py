"""The chart renderer: one persistent headless Chromium (kaleido 1.x) turning Plotly figures into PNG/SVG.

Shared by every caller in the process: starting Chromium costs about 3 s, a render on a warm
browser about 0.2 s. No Streamlit, no file writes.

    png = get_renderer().render(fig)   # a single chart as PNG (1920 × 1080)
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from plotly.graph_objects import Figure

logger = logging.getLogger(__name__)

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
        *,
        on_done: Callable[[], None] | None = None,
    ) -> list[bytes]:
        """Render several figures concurrently on the browser's tabs; bytes in the given order.

        on_done, if given, is called on the browser's thread after each finished figure (a progress
        bar's tick); after a browser crash the figures are rendered again and tick again.
        """
        if fmt not in IMAGE_FORMATS:
            raise ValueError(f"format must be one of {IMAGE_FORMATS}, not {fmt!r}")
        if not figs:
            return []
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        try:
            return self._render_once(figs, opts, on_done)
        except _BrowserGone as gone:
            # Chromium died (crash, OOM killer): replace it and try once more.
            logger.warning("Export browser died; restarting it")
            self._discard(gone.browser)
            return self._render_once(figs, opts, on_done)

    def _render_once(
        self, figs: Sequence[Any], opts: dict[str, Any], on_done: Callable[[], None] | None
    ) -> list[bytes]:
        self.start()
        loop, browser = self._loop, self._kaleido
        if loop is None or browser is None:  # closed by another thread right after start()
            raise ExportError("Der Bildexport wurde beendet. Bitte noch einmal versuchen.")

        async def render_one(fig: Any) -> bytes:
            image = await browser.calc_fig(fig, opts=opts)
            if on_done is not None:
                on_done()
            return image

        async def render_all() -> list[bytes]:
            return await asyncio.gather(*(render_one(fig) for fig in figs))

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
