"""The app as a user meets it: a real `streamlit run` server and Debian's Chromium driven by Playwright.

Shared by the browser tests, the robustness tests and the benchmarks. Never runs `playwright install`:
the browser is /usr/bin/chromium, started through executable_path.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psutil

from ikz.core.paths import ARTIFACTS_DIR, DB_ENV_VAR, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"
STARTUP_TIMEOUT_S = 60
VIEWPORT = {"width": 1400, "height": 1000}

# Streamlit marks its root element with the script state; idle means no rerun is in flight.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
STATUS = '[data-testid="stStatusWidget"]'
EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'
METRIC = '[data-testid="stMetric"]'
CHART = ".js-plotly-plot"
PLOTLY_ELEMENT = '[data-testid="stPlotlyChart"]'
MAIN = '[data-testid="stMain"]'
SKELETON = '[data-testid="stMain"] [data-testid="stSkeleton"]'

# A launcher for servers that must read their source documents from another folder: ikz.read.db binds
# RAW_DIR as a default argument at import, so the override has to happen before anything imports it.
_RAW_DIR_LAUNCHER = """
import os, runpy, sys
from pathlib import Path
import ikz.core.paths
ikz.core.paths.RAW_DIR = Path(os.environ["IKZ_TEST_RAW_DIR"])
runpy.run_path(os.environ["IKZ_SERVE"], run_name="__main__")
"""
# What run.sh starts: `streamlit run app.py` through scripts/serve.py.
SERVE = ROOT / "scripts" / "serve.py"


def chromium_missing_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} fehlt (apt-get install chromium; scripts/setup.sh tut das als root)"
    return None


def copy_of(built_db: Path, target: Path) -> Path:
    """A database of a test's own: a copy of the session's build (the same build from data/raw and the
    tests' empty store, without paying for the build again)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built_db, target)
    return target


def replace_file(source: Path, target: Path) -> None:
    """Put a copy of source at target the way a build does: new file, then an atomic rename."""
    tmp = target.with_name(target.name + ".copy")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def mart_count(db: Path, where: str = "TRUE", params: list | None = None) -> int:
    """Records of the mart matching where, counted directly in the file."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM cooperation_wide WHERE {where}", params or []).fetchone()[0]


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    """A running `streamlit run app.py` on loopback, in its own process group."""

    process: subprocess.Popen
    port: int
    db: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        """Resident memory of the server and all its children, in MB."""
        try:
            proc = psutil.Process(self.process.pid)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        return total / 1e6

    def stop(self) -> None:
        """Stop the server and everything it started (the whole process group)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_app(
    db: Path,
    log: Path,
    *,
    raw_dir: Path | None = None,
    extra_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
    script: Path | None = None,
) -> AppServer:
    """Start the app on a free port with IKZ_DB=db and wait for /_stcore/health.

    extra_args are further `streamlit run` options (e.g. `--secrets.files` for a test's own
    sign-in settings); extra_env is added to the environment (e.g. IKZ_STORE). script: another
    Streamlit script served instead of the app (the benchmark's minimal reference app).
    """
    port = free_port()
    args = [
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        # Others edit the sources while tests run; a file-change rerun would make results flaky.
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    env = {**os.environ, DB_ENV_VAR: str(db), "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    if script is not None:
        command = [sys.executable, "-m", "streamlit", "run", str(script), *args]
    elif raw_dir is None:
        command = [sys.executable, str(SERVE), *args]
    else:
        env["IKZ_TEST_RAW_DIR"] = str(raw_dir)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["IKZ_SERVE"] = str(SERVE)
        command = [sys.executable, "-c", _RAW_DIR_LAUNCHER, *args]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = AppServer(process, port, db, log)

    def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"Streamlit ended early:\n{log.read_text(errors='replace')[-3000:]}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response,
        ):
            return response.status == 200
        return False

    try:
        wait_until(healthy, timeout=STARTUP_TIMEOUT_S, what="Streamlit to answer /_stcore/health")
    except BaseException:
        server.stop()
        raise
    return server


@contextlib.contextmanager
def serve_app(
    db: Path,
    log: Path,
    *,
    raw_dir: Path | None = None,
    extra_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
    script: Path | None = None,
) -> Iterator[AppServer]:
    """start_app as a context manager that always stops the server."""
    server = start_app(db, log, raw_dir=raw_dir, extra_args=extra_args, extra_env=extra_env, script=script)
    try:
        yield server
    finally:
        server.stop()


# Put into every page before Streamlit's own code (see TrackedBrowser): counts the script runs the
# page asks for and notes when the last of them has finished and been drawn, so that settle() waits
# for the run a click or a page load started, never for a fixed time. A run is asked for by a
# BackMsg whose first byte is 0x5A (field 11, rerun_script); it has finished with a ForwardMsg that
# holds field 6 (script_finished) with any status but 2 (finished early, for the next run); it is
# drawn two animation frames later (React commits the run's last messages before the next frame).
RUN_TRACKER = """
(() => {
  if (window.ikzRuns) return;
  const runs = window.ikzRuns = {requested: 0, drawn: 0};
  const varint = (bytes, at) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return [value, at];
  };
  const finishedStatus = (bytes) => {  // script_finished of a ForwardMsg, or null
    let at = 0, tag, value;
    while (at < bytes.length) {
      [tag, at] = varint(bytes, at);
      const field = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) { [value, at] = varint(bytes, at); if (field === 6) return value; }
      else if (wire === 1) at += 8;
      else if (wire === 2) { [value, at] = varint(bytes, at); at += value; }
      else if (wire === 5) at += 4;
      else return null;
    }
    return null;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const status = finishedStatus(new Uint8Array(event.data));
        if (status === null || status === 2) return;
        const answered = runs.requested;
        requestAnimationFrame(() => requestAnimationFrame(() => {
          runs.drawn = Math.max(runs.drawn, answered);
        }));
      });
    }
    send(data) {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
        : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
      if (bytes && bytes[0] === 0x5a) runs.requested += 1;
      super.send(data);
    }
  };
})();
"""


class TrackedBrowser:
    """A Playwright browser whose every new context and page carries RUN_TRACKER."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **kwargs: Any) -> Any:
        context = self._browser.new_context(**kwargs)
        context.add_init_script(RUN_TRACKER)
        return context

    def new_page(self, **kwargs: Any) -> Any:
        page = self._browser.new_page(**kwargs)
        page.context.add_init_script(RUN_TRACKER)
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


def launch_chromium(playwright: Any) -> TrackedBrowser:
    """Debian's Chromium, headless, with the flags that keep it off the network; its pages report
    their script runs to settle() (RUN_TRACKER)."""
    return TrackedBrowser(
        playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    )


def runs_drawn(page: Any) -> bool:
    """True when every script run the page has asked for has finished and been drawn."""
    try:
        runs = page.evaluate("() => window.ikzRuns || null")
    except Exception:  # the page is navigating: its next document reports afresh
        return False
    if runs is None:
        raise AssertionError("page without RUN_TRACKER: open it from launch_chromium's browser")
    return runs["requested"] > 0 and runs["drawn"] == runs["requested"]


def wait_until(check: Callable[[], Any], *, timeout: float = 30, what: str = "condition") -> Any:
    """Poll check() until it returns something truthy; its last value names the failure."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {value!r})")


def chart_marks(page: Any) -> list[dict]:
    """Per Plotly chart on the page: its SVG's bars, treemap tiles, heatmaps, bar texts, axis ticks."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(plot => ({
            svg: plot.querySelector('svg.main-svg') !== null,
            marks: plot.querySelectorAll(
                '.main-svg .trace path, .main-svg .trace image, g.hm image, .main-svg .slice').length,
            bars: plot.querySelectorAll('g.trace.bars g.point path').length,
            tiles: plot.querySelectorAll('g.slice').length,
            heatmaps: plot.querySelectorAll('g.hm image').length,
            bar_texts: Array.from(plot.querySelectorAll('g.trace.bars text.bartext'))
                .map(t => t.textContent),
            yticks: Array.from(plot.querySelectorAll('g.ytick text')).map(t => t.textContent),
            xticks: Array.from(plot.querySelectorAll('g.xtick text')).map(t => t.textContent),
            title: (plot.querySelector('.gtitle') || {}).textContent || '',
            subtitle: (plot.querySelector('.gtitle-subtitle') || {}).textContent || '',
            // The accessible name app.py gives each chart element ("Diagramm: <title>").
            name: plot.closest('[data-testid="stPlotlyChart"]')?.getAttribute('aria-label') || '',
        }))"""
    )


def has_marks(chart: dict) -> bool:
    """True when a chart drew something: bars, points, lines, tiles, slices or a heatmap."""
    return chart["svg"] and chart["marks"] > 0


def idle(page: Any) -> bool:
    """True when every run the page asked for is drawn, none is in flight and no element still
    loads its code (Streamlit shows a skeleton until then: Plotly's bundle on a first visit)."""
    return (
        runs_drawn(page)
        and bool(page.locator(IDLE).count())
        and not page.locator(f"{STATUS}, {SKELETON}").count()
    )


def wait_idle(page: Any, *, timeout: float = 30) -> list[dict]:
    """Wait until the page has content, its last script run is drawn and every chart holds a drawn
    plot that reads the same twice in a row; returns the charts' marks."""
    # :visible: the first container may be an empty one (app.py's script for the charts' names).
    page.wait_for_selector(f"{MAIN} [data-testid='stElementContainer']:visible", timeout=timeout * 1000)
    previous: list[dict] | None = None

    def settled() -> tuple[list[dict]] | None:
        nonlocal previous
        current = chart_marks(page) if idle(page) else None
        # Every chart element must hold a drawn Plotly plot (none still waiting for its bundle).
        if current is not None and page.locator(PLOTLY_ELEMENT).count() != len(current):
            current = None
        # The same reading at two polls in a row: Plotly draws a chart in one go once its data has
        # arrived, and a chart still being drawn reads differently.
        done = current is not None and current == previous and all(has_marks(c) for c in current)
        previous = current
        return (current,) if done and current is not None else None

    return wait_until(settled, timeout=timeout, what="charts to settle")[0]


def metrics(page: Any) -> dict[str, str]:
    """The st.metric values on the page by label, as shown (German number format)."""
    return page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
            .map(m => [m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
                       m.querySelector('[data-testid="stMetricValue"]').innerText.trim()]))"""
    )


def settle(page: Any, *, timeout: float = 60) -> None:
    """Wait until the script run the last page load or widget change asked for has finished and is
    drawn, and no element still loads its code.

    Streamlit loads the code of most elements (st.metric, Plotly, tables) lazily; until it has
    arrived the page is idle but shows a skeleton in their place. On a busy machine, after a fresh
    page load, that took long enough for a test to read key figures that were not there yet. And
    right after a click the page still shows the previous run as idle until the server answers:
    RUN_TRACKER counts the run the click asked for, so that is waited for too.
    """
    wait_until(lambda: idle(page), timeout=timeout, what="the script run to end and every element to load")


def runs_requested(page: Any) -> int:
    """How many script runs the page has asked the server for so far (RUN_TRACKER)."""
    return int(page.evaluate("() => window.ikzRuns.requested"))


def click_and_settle(locator: Any, *, timeout: float = 60) -> None:
    """Click a widget that reruns the script and wait until that run is drawn.

    The click's run request can leave the page a moment after Playwright's click returns; until it
    has, the page still reads as idle with the previous run. So the request is waited for first.
    """
    page = locator.page
    before = runs_requested(page)
    locator.click()
    wait_until(lambda: runs_requested(page) > before, timeout=timeout, what="the run the click asks for")
    settle(page, timeout=timeout)


def shown_metrics(page: Any, *labels: str, timeout: float = 60) -> dict[str, str]:
    """The key figures on the page, read once every one of labels is shown."""
    shown: dict[str, str] = {}

    def complete() -> dict[str, str] | None:
        nonlocal shown
        shown = metrics(page)
        return shown if all(label in shown for label in labels) else None

    try:
        return wait_until(complete, timeout=timeout, what=f"the key figures {', '.join(labels)}")
    except AssertionError as error:
        raise AssertionError(f"{error}; shown: {shown}") from None


def problems(page: Any) -> list[str]:
    """Texts of exception boxes and error alerts on the page (empty when all is well)."""
    found = page.locator(EXCEPTION).all_inner_texts() + page.locator(ERROR_ALERT).all_inner_texts()
    return [t.strip() for t in found]


def choose(page: Any, label: str, option: str) -> None:
    """Pick option in the sidebar multiselect labelled label (typing narrows the virtual list)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def open_options(page: Any, box: Any, *, attempts: int = 4, wait_ms: int = 15_000) -> list[str]:
    """Click the combobox box until its option list is open; the options' texts.

    On a busy machine a click can land while the widget is still being replaced after a rerun, and the
    list then stays closed; the click is repeated (after Escape) rather than waited on for minutes.
    """
    option = page.get_by_role("option").first
    for attempt in range(attempts):
        box.click()
        try:
            option.wait_for(timeout=wait_ms)
        except Exception:
            if attempt == attempts - 1:
                screenshot(page, "debug-options-closed")
                raise
            page.keyboard.press("Escape")
            continue
        return [text.strip() for text in page.get_by_role("option").all_inner_texts()]
    return []


def clear_multiselect(page: Any, label: str) -> None:
    """Remove every chosen value of the multiselect labelled label."""
    widget = page.locator('[data-testid="stMultiSelect"]').filter(has=page.get_by_label(label, exact=True))
    widget.get_by_role("button", name="Clear all").click()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# Each hostile text with the terms it must be searched as, written out by hand from the rule
# (words, or phrases in double quotes; at most 200 characters, the input's limit; lower case).
HOSTILE_SEARCHES = {
    "Amt": ["amt"],  # a control: finds something
    "<script>alert(1)</script>": ["<script>alert(1)</script>"],
    '<b>fett</b> <a href="https://example.org">Link</a>': [
        "<b>fett</b>",
        "<a",
        'href="https://example.org">link</a>',
    ],
    "**fett** _kursiv_ [x](y) :red[rot] $x$": ["**fett**", "_kursiv_", "[x](y)", ":red[rot]", "$x$"],
    "' \" ; -- DROP TABLE cooperation": ["'", '"', ";", "--", "drop", "table", "cooperation"],
    "100%": ["100%"],
    "_": ["_"],
    '"Gesunde Städte"': ["gesunde städte"],
    "Ä\u200bö\u202eü 🤝 \u0000x": ["ä\u200bö\u202eü", "🤝", "x"],  # the NUL cannot be typed
    "ß" * 260: ["ß" * 200],
}


def expected_search_count(db: Path, terms: list[str]) -> int:
    """Direct count for a search: records whose search text holds every term (Python `in`)."""
    with duckdb.connect(str(db), read_only=True) as con:
        texts = [t for (t,) in con.execute("SELECT search_text FROM cooperation").fetchall()]
    return sum(all(term in t for term in terms) for t in texts)


def chart_tabs(page: Any, key: str) -> Any:
    """The tabs of a page's chart tab group (st.tabs with this key, bound to the URL)."""
    return page.locator(f".st-key-{key} [role='tab']")


def open_chart_tab(page: Any, key: str, index: int, *, timeout: float = 60) -> list[dict]:
    """Open the chart tab at index (if it is not open) and return the charts once drawn and still:
    after the click, the tab is selected and the page shows other charts than before."""
    tab = chart_tabs(page, key).nth(index)
    if tab.get_attribute("aria-selected") != "true":
        before = [c["title"] for c in chart_marks(page)]
        tab.click()
        wait_until(
            lambda: (
                tab.get_attribute("aria-selected") == "true"
                and [c["title"] for c in chart_marks(page)] != before
            ),
            timeout=timeout,
            what=f"the chart of tab {index} of {key}",
        )
    return wait_idle(page, timeout=timeout)


def visit_chart_tabs(page: Any, key: str, *, timeout: float = 60) -> dict[str, list[dict]]:
    """Open each chart tab in turn (one chart per tab, only the open one drawn); per tab label the
    charts drawn once the page settled. The tab open at the start is opened again at the end."""
    tabs = chart_tabs(page, key)
    wait_until(lambda: tabs.count(), timeout=timeout, what=f"the chart tabs {key}")
    labels = [t.strip() for t in tabs.all_inner_texts()]
    start = next(i for i in range(len(labels)) if tabs.nth(i).get_attribute("aria-selected") == "true")
    return {labels[i]: open_chart_tab(page, key, i, timeout=timeout) for i in [*range(len(labels)), start]}
