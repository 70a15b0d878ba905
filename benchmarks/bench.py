"""Scale benchmark of the dashboard: build, script runs per page, queries and charts, browser, memory.

Run:  .venv/bin/python -m benchmarks.bench --rows 100000 --out artifacts/bench-100k.json
      .venv/bin/python -m benchmarks.bench --real --out artifacts/bench-real.json

Measures, for a synthetic database of --rows cooperations (benchmarks/synthetic.py) or the real one:
- build_s: ikz.builder.database.write_database of the tables (the real build path);
- per page, the full script run after a Kooperationsart change in AppTest, median of --runs runs
  (after the warm-up of ikz/ui/warm.py has finished, as on a server that has been up a while),
  with the cache warm (the two filter values alternate, both cached), for a new filter state (a
  Kooperationsart not chosen before in this server: what a user's next filter change costs; the
  unfiltered totals and options stay cached) and cold (data.clear_caches() before each run, as
  after a restart); and the time in each ikz.read.queries / ikz.present.charts /
  ikz.read.comparison function and in
  polars' CSV/Excel writers during the cold runs;
- the same query and chart calls replayed directly (no Streamlit), median of --runs;
- in headless Chromium against `streamlit run`: first load of each page, and the time from choosing
  a Kooperationsart to the last change of any chart; the server's peak RSS (with children).
A cProfile of one cold script run per page is written next to --out (*.prof and a text summary).

The minimal reference app (MINIMAL_APP: a Kooperationsart multiselect, three go.Bar, 1,000 rows) is
measured in the same run, the same way: its script run in AppTest and, on a server of its own, its
browser figures, interleaved with the pages' visits. The results table, with the machine, the load
average before the run, each page's ratio to the minimal app and the goals (GOALS_RATIO, GOALS_1M,
issue 21), is written into docs/performance.md between its markers (--no-docs: not).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import io
import itertools
import json
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from benchmarks.synthetic import write_synthetic
from ikz.core.paths import DB_ENV_VAR, ROOT
from ikz.read.db import FileIdentity
from tests.live_app import (
    AppServer,
    choose,
    chromium_missing_reason,
    launch_chromium,
    problems,
    serve_app,
    wait_idle,
    wait_until,
)

PAGES = {
    "ueberblick": ("/", None),
    "vergleich": ("/vergleich", "pages/compare.py"),
    "karte": ("/karte", "pages/karte.py"),
}
PAGE_NAMES = {"ueberblick": "Überblick", "vergleich": "Vergleich", "karte": "Karte"}
MINIMAL = "minimal"  # the reference app's name among the browser results
INSTRUMENTED_MODULES = ("ikz.read.queries", "ikz.present.charts", "ikz.read.comparison")
# Per page, against the minimal app of the same run: (at most this many times, and at most ms).
GOALS_RATIO = {
    "browser_filter_to_charts_ms_median": (2.0, 800),
    "browser_first_load_ms_median": (1.5, None),
    "script_run_new_filter_ms_median": (3.0, None),
}
# At a million rows, absolute: the worst page's figure (and the server's peak memory).
GOALS_1M = {
    "script_run_new_filter_ms_median": 200,
    "script_run_cold_ms_median": 250,
    "browser_filter_to_charts_ms_median": 1000,
    "server_rss_mb_peak": 600,
}
DOCS = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- benchmark results: begin -->", "<!-- benchmark results: end -->"

# Records the time of the last DOM change inside any chart, and of the user's last click.
TIMING_SCRIPT = """
window.__lastChartChange = 0;
window.__clickAt = 0;
document.addEventListener('click', () => { window.__clickAt = performance.now(); }, true);
new MutationObserver(records => {
  for (const r of records) {
    const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    if (el && el.closest('[data-testid="stPlotlyChart"], .js-plotly-plot')) {
      window.__lastChartChange = performance.now();
      return;
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


# --- Timing the package functions the pages call --------------------------------------------


class CallLog:
    """Wraps the public functions of the instrumented modules; sums their time per script run."""

    def __init__(self) -> None:
        self.active = False
        self.current: dict[str, float] = defaultdict(float)
        self.runs: list[dict[str, float]] = []
        self.calls: list[tuple[str, Callable, tuple, dict]] = []  # for the direct replay

    def wrap(self, name: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.active:
                return fn(*args, **kwargs)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.current[name] += (time.perf_counter() - t0) * 1000
                self.calls.append((name, fn, args, kwargs))

        return timed

    def install(self) -> None:
        import importlib

        for module_name in INSTRUMENTED_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for attr, value in list(vars(module).items()):
                if (
                    callable(value)
                    and not attr.startswith("_")
                    and getattr(value, "__module__", "") == module_name
                ):
                    if isinstance(value, type):
                        continue
                    setattr(module, attr, self.wrap(f"{module_name.split('.')[-1]}.{attr}", value))
        for writer in ("write_csv", "write_excel"):
            setattr(pl.DataFrame, writer, self.wrap(f"polars.{writer}", getattr(pl.DataFrame, writer)))

    @contextlib.contextmanager
    def run(self, record_calls: bool = False) -> Iterator[None]:
        self.current = defaultdict(float)
        self.active = True
        if record_calls:
            self.calls = []
        try:
            yield
        finally:
            self.active = False
            self.runs.append(dict(self.current))

    def medians(self, last: int) -> dict[str, float]:
        runs = self.runs[-last:]
        names = sorted({n for r in runs for n in r})
        return {n: median([r.get(n, 0.0) for r in runs]) for n in names}


PROFILER: cProfile.Profile | None = None


def profile_script_thread() -> None:
    """Let a module-level cProfile profile the script thread of AppTest (it runs in its own thread)."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    original = ScriptRunner._run_script

    def run_script(self: Any, rerun_data: Any) -> None:
        if PROFILER is None:
            return original(self, rerun_data)
        PROFILER.enable()
        try:
            return original(self, rerun_data)
        finally:
            PROFILER.disable()

    ScriptRunner._run_script = run_script


def share_script_cache() -> None:
    """One compiled-script cache for all AppTest runs, as the server has: AppTest makes a new
    ScriptCache per run and so compiled (and rewrote for magic) every page again on each run, a
    cost the server pays once; the minimal app, a few lines, hardly paid it."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment]


def top_types(db: Path, k: int = 4) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT type_name FROM cooperation_wide WHERE type_name NOT IN "
            "(SELECT name FROM cooperation_type WHERE is_no_info) "
            "GROUP BY ALL ORDER BY count(*) DESC LIMIT ?",
            [k],
        ).fetchall()
    return [r[0] for r in rows]


def script_runs(
    db: Path,
    runs: int,
    cold_runs: int,
    log: CallLog,
    profile_dir: Path,
    pages: list[str],
    minimal: Callable[[str], float],
) -> dict[str, Any]:
    """AppTest runs of every page after a Kooperationsart change, warm and cold cache; each run for
    a new filter followed by one of the minimal app (minimal), the floor of that page's ratio."""
    global PROFILER
    from streamlit.testing.v1 import AppTest

    from ikz.ui import data
    from ikz.ui import warm as warm_up

    types = top_types(db, k=2 + runs)
    results: dict[str, Any] = {}
    changes: dict[str, Callable[[str], float]] = {}
    for name in pages:
        _, page_file = PAGES[name]
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800)
        t0 = time.perf_counter()
        at.run()
        # The first run started the warm-up of this file version (ikz/ui/warm.py); a server has
        # long finished it when people choose filters, so the measures wait for it.
        warm_up.wait(db, FileIdentity.of(db), timeout=1800)
        warm_up_s = time.perf_counter() - t0
        if page_file:
            at.switch_page(page_file).run()
        assert not at.exception, [e.value for e in at.exception]

        def change(kind: str, at: AppTest = at) -> float:
            return change_to([kind], at)

        def change_to(kinds: list[str], at: AppTest = at) -> float:
            at.multiselect(key="art").set_value(kinds)
            t0 = time.perf_counter()
            at.run()
            elapsed = (time.perf_counter() - t0) * 1000
            assert not at.exception, [e.value for e in at.exception]
            return elapsed

        change(types[0]), change(types[1])  # both filter values now cached
        warm = [change(types[i % 2]) for i in range(runs)]
        # Each run a Kooperationsart this server has not shown yet (the rarer ones last): a state
        # the warm-up has read already, as every single Kooperationsart.
        # Each followed by a run of the minimal app: its floor measured in turn with the page's,
        # so both see the same machine (the minimal app alone moved 6–10 ms within an hour).
        new_filter, floor = [], []
        for kind in types[2:]:
            new_filter.append(change(kind))
            floor.append(minimal(kind))
        # Each run two Kooperationsarten together, a state neither a person nor the warm-up chose before.
        unwarmed = [change_to([a, b]) for a, b in itertools.pairwise(types[2:])]
        results[name] = {
            "script_run_warm_ms_median": median(warm),
            "script_run_new_filter_ms_median": median(new_filter),
            "minimal_script_run_new_filter_ms_median": median(floor),
            "script_run_unwarmed_ms_median": median(unwarmed),
            "warm_up_s": round(warm_up_s, 2),
            "script_run_new_filter_ms": [round(x, 1) for x in new_filter],
            "script_run_unwarmed_ms": [round(x, 1) for x in unwarmed],
            "script_run_warm_ms": [round(x, 1) for x in warm],
        }
        changes[name] = change
    # The cold runs clear every cache (the warm-up's too): after all pages' warm measures.
    for name, change in changes.items():
        cold: list[float] = []
        for i in range(cold_runs):
            data.clear_caches()
            with log.run(record_calls=i == 0):
                if i == 0:
                    PROFILER = cProfile.Profile()
                cold.append(change(types[i % 2]))
                if i == 0:
                    profile = PROFILER
                    PROFILER = None
                    calls = list(log.calls)
        profile.dump_stats(str(profile_dir / f"{name}.prof"))
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(40)
        (profile_dir / f"{name}.txt").write_text(text.getvalue())
        results[name] |= {
            "script_run_cold_ms_median": median(cold),
            "script_run_cold_ms": [round(x, 1) for x in cold],
            "cold_run_ms_by_function": log.medians(cold_runs),
            "direct_ms_by_call": replay(calls, db, runs),
        }
    return results


MINIMAL_APP = """
import numpy as np
import plotly.graph_objects as go
import polars as pl
import streamlit as st

TYPES = {types!r}
rng = np.random.default_rng(1)
rows = pl.DataFrame({{
    "type": rng.choice(TYPES, 1000), "form": rng.choice(["a", "b", "c", "d"], 1000),
    "city": rng.choice(["Erfurt", "Magdeburg"], 1000),
}})
chosen = st.sidebar.multiselect("Kooperationsart", TYPES, key="art")
shown = rows.filter(pl.col("type").is_in(chosen)) if chosen else rows
for column in ("type", "form", "city"):
    counts = shown.group_by(column).len().sort(column)
    st.plotly_chart(go.Figure(go.Bar(x=counts[column], y=counts["len"])), key=column)
"""


def minimal_script(workdir: Path, types: list[str]) -> Path:
    """The minimal reference app, offering the same Kooperationsarten as the database."""
    script = workdir / "minimal_app.py"
    script.write_text(MINIMAL_APP.format(types=types), encoding="utf-8")
    return script


def minimal_app(workdir: Path, types: list[str]) -> Callable[[str], float]:
    """The minimal app in AppTest, run twice; a function choosing a Kooperationsart and returning the
    script run's ms."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(minimal_script(workdir, types)), default_timeout=600)
    at.run()

    def change(kind: str) -> float:
        at.multiselect(key="art").set_value([kind])
        t0 = time.perf_counter()
        at.run()
        return (time.perf_counter() - t0) * 1000

    change(types[0]), change(types[1])  # the first runs warm Plotly's validators
    return change


def minimal_app_runs(runs: int, workdir: Path, types: list[str]) -> dict[str, Any]:
    """Script runs of the minimal app after a Kooperationsart change (AppTest), as for the pages:
    warm (two values alternating) and new (a value not chosen before); the floor to compare with."""
    change = minimal_app(workdir, types)
    warm = [change(types[i % 2]) for i in range(runs)]
    new_filter = [change(kind) for kind in types[2:]]
    return {
        "script_run_warm_ms_median": median(warm),
        "script_run_new_filter_ms_median": median(new_filter),
        # It has no cache: every run is cold, and a state of two Kooperationsarten costs the same.
        "script_run_unwarmed_ms_median": median(new_filter),
        "script_run_cold_ms_median": median(new_filter),
    }


def replay(calls: list[tuple[str, Callable, tuple, dict]], db: Path, runs: int) -> dict[str, float]:
    """The page's query and chart calls again, outside Streamlit, on a fresh cursor: median ms each."""
    from ikz.read.db import Database

    database = Database(db)
    out: dict[str, float] = {}
    for i, (name, fn, args, kwargs) in enumerate(calls):
        # Only the page's own calls: queries (a connection first) and chart builders (a frame first).
        if not args or not isinstance(args[0], duckdb.DuckDBPyConnection | pl.DataFrame):
            continue
        label = f"{i:02d} {name}"
        times = []
        for _ in range(runs):
            with database.cursor() as cur:
                call_args = tuple(cur if isinstance(a, duckdb.DuckDBPyConnection) else a for a in args)
                t0 = time.perf_counter()
                fn(*call_args, **kwargs)
                times.append((time.perf_counter() - t0) * 1000)
        out[label] = median(times)
    return out


# --- The browser ------------------------------------------------------------------------------


class RssSampler:
    """Samples the server's RSS (with children) every 50 ms in a thread; keeps the peak."""

    def __init__(self, server: AppServer) -> None:
        self.server = server
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.server.rss_mb())
            time.sleep(0.05)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.server.rss_mb())


def browser_visit(browser: Any, url: str, types: list[str], run: int) -> dict[str, Any]:
    """One fresh browser context: first load of url to the last chart drawn, then two Kooperationsart
    changes, each to the last change of any chart."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(TIMING_SCRIPT)
    try:
        page = context.new_page()
        page.goto(url)
        charts = wait_idle(page, timeout=600)
        assert not problems(page), problems(page)
        visit: dict[str, Any] = {"charts": len(charts), "changes": []}
        visit["first_load"] = page.evaluate("window.__lastChartChange" if charts else "performance.now()")
        if charts:
            # Two changes per visit: one Kooperationsart, then a second one added.
            for i in range(2):
                before = page.evaluate("window.__lastChartChange")
                choose(page, "Kooperationsart", types[(run + i) % len(types)])
                # A page may also answer with fewer charts or none (no data for the filter).
                with contextlib.suppress(AssertionError):
                    wait_until(
                        lambda page=page, before=before: page.evaluate("window.__lastChartChange") > before,
                        timeout=30,
                        what="a chart to change",
                    )
                wait_idle(page, timeout=600)
                if page.evaluate("window.__lastChartChange") > before:
                    visit["changes"].append(page.evaluate("window.__lastChartChange - window.__clickAt"))
        return visit
    finally:
        context.close()


def browser_runs(db: Path, runs: int, workdir: Path, pages: list[str]) -> dict[str, Any]:
    """First load of each page and Kooperationsart change → charts updated, in headless Chromium;
    the minimal app on a server of its own, visited in turn with the pages (the same run, the same
    load on the machine)."""
    from playwright.sync_api import sync_playwright

    from ikz.ui import warm as warm_up

    types = top_types(db)
    visits: dict[str, list[dict[str, Any]]] = {name: [] for name in [MINIMAL, *pages]}
    with (
        serve_app(db, workdir / "streamlit.log") as server,
        serve_app(
            db, workdir / "minimal.log", script=minimal_script(workdir, top_types(db, k=50))
        ) as minimal,
        RssSampler(server) as rss,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        browser_visit(browser, minimal.url, types, 0)  # Chromium's own first start is nobody's figure
        # The server's first run starts its warm-up (ikz/ui/warm.py), long over when people come.
        browser_visit(browser, server.url, types, 0)
        if warm_up.enabled():  # IKZ_WARM=0 measures without it
            warmed = lambda: "warm-up of" in server.log.read_text()  # noqa: E731
            wait_until(warmed, timeout=600, what="the server's warm-up")
        for run in range(runs):
            for name in visits:
                url = minimal.url if name == MINIMAL else server.url + PAGES[name][0]
                visits[name].append(browser_visit(browser, url, types, run))
        browser.close()
    results: dict[str, Any] = {}
    for name, done in visits.items():
        first_loads = [v["first_load"] for v in done]
        changes = [c for v in done for c in v["changes"]]
        results[name] = {
            "charts": done[0]["charts"],
            "browser_first_load_ms_median": median(first_loads),
            "browser_first_load_ms": [round(x) for x in first_loads],
            "browser_filter_to_charts_ms_median": median(changes),
            "browser_filter_to_charts_ms": [round(x) for x in changes],
        }
    results["server_rss_mb_peak"] = round(rss.peak, 1)
    return results


def prepare_db(args: argparse.Namespace, workdir: Path) -> tuple[Path, dict[str, Any]]:
    target = workdir / "ikz.duckdb"
    if args.real:
        from ikz.builder.database import build, load_tables, write_database
        from ikz.ui.warm import precompute

        tables = load_tables()
        t0 = time.perf_counter()
        write_database(tables, target, precompute)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        build(target, finish=precompute)
        info = {"build_s": round(build_s, 3), "full_build_s": round(time.perf_counter() - t0, 3)}
    else:
        times = write_synthetic(args.rows, target)
        info = {k: round(v, 3) for k, v in times.items()}
    with duckdb.connect(str(target), read_only=True) as con:
        info["rows"] = con.execute("SELECT count(*) FROM cooperation").fetchall()[0][0]
        info["cities"] = con.execute("SELECT count(*) FROM city").fetchall()[0][0]
        info["departments"] = con.execute("SELECT count(*) FROM department").fetchall()[0][0]
    info["db_mb"] = round(target.stat().st_size / 1e6, 1)
    return target, info


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """The headline figures: the worst page for each measure."""
    pages = result["pages"]

    def worst(key: str) -> float | None:
        values = [p[key] for p in pages.values() if p.get(key) is not None]
        return max(values) if values else None

    return {
        "script_run_ms_median": worst("script_run_cold_ms_median"),
        "script_run_warm_ms_median": worst("script_run_warm_ms_median"),
        "script_run_new_filter_ms_median": worst("script_run_new_filter_ms_median"),
        "browser_filter_to_charts_ms_median": worst("browser_filter_to_charts_ms_median"),
        "browser_first_load_ms_median": worst("browser_first_load_ms_median"),
    }


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model and the load average now (call it before the run)."""
    import platform

    import psutil

    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "cpu": model,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def fmt_ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}".replace(",", " ")


def goal_rows(result: dict[str, Any]) -> list[list[str]]:
    """One table row per page and measure: the page's figure, the minimal app's, the ratio, the goal
    and whether it is met; at a million rows also the absolute goals."""
    minimal = result.get("minimal", {})
    labels = {
        "browser_filter_to_charts_ms_median": "Filter → Diagramme (Browser)",
        "browser_first_load_ms_median": "Erster Besuch (Browser)",
        "script_run_new_filter_ms_median": "Skriptlauf, neuer Filter (AppTest)",
        "script_run_unwarmed_ms_median": "Skriptlauf, neuer Filter, nicht vorgewärmt (AppTest)",
        "script_run_cold_ms_median": "Skriptlauf nach Neustart (AppTest)",
    }
    big = result["rows"] >= 1_000_000
    rows = []
    for key, label in labels.items():
        ratio_goal, ms_goal = GOALS_RATIO.get(key, (None, None))
        if big and key in GOALS_1M:
            ms_goal = min(filter(None, (ms_goal, GOALS_1M[key])))
        for name, page in result["pages"].items():
            # The floor measured in turn with this page's runs where there is one (new filter).
            value, floor = page.get(key), page.get(f"minimal_{key}", minimal.get(key))
            if value is None:
                continue
            ratio = value / floor if floor else None
            goal, met = [], True
            if ratio_goal is not None:
                goal.append(f"≤ {ratio_goal:g}×")
                met &= ratio is not None and ratio <= ratio_goal
            if ms_goal is not None:
                goal.append(f"≤ {fmt_ms(ms_goal)} ms")
                met &= value <= ms_goal
            rows.append(
                [
                    label,
                    PAGE_NAMES.get(name, name),
                    fmt_ms(value),
                    fmt_ms(floor),
                    f"{ratio:.1f}×" if ratio is not None else "–",
                    " und ".join(goal) or "–",
                    ("ja" if met else "**nein**") if goal else "–",
                ]
            )
    rss = result.get("server_rss_mb_peak")
    if rss is not None:
        limit = GOALS_1M["server_rss_mb_peak"] if big else None
        met = "–" if limit is None else ("ja" if rss <= limit else "**nein**")
        goal = f"≤ {limit} MB" if limit else "–"
        rows.append(["Server-Speicher, Spitze (MB)", "alle", fmt_ms(rss), "–", "–", goal, met])
    return rows


def results_markdown(result: dict[str, Any]) -> str:
    """This run's section of the results table in docs/performance.md."""
    m = result["machine"]
    data = "echte Daten" if result["real"] else "synthetische Daten"
    head = [
        f"### {result['label']}",
        "",
        f"{m['date']} · {data}, {fmt_ms(result['rows'])} Kooperationen · {m['cores']} Kerne, "
        f"{m['ram_gb']} GB RAM, {m['cpu']} · Last vor dem Lauf {' / '.join(map(str, m['load_average']))}"
        f" · `{result['command']}`",
        "",
        "| Messung | Seite | Seite ms | Minimal-App ms | Verhältnis | Ziel | erreicht |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    return "\n".join([*head, *("| " + " | ".join(r) + " |" for r in goal_rows(result))]) + "\n"


def write_docs(result: dict[str, Any], path: Path = DOCS) -> None:
    """Put this run's section between the markers of path, replacing the section of the same data
    (real data, or this many synthetic rows) and keeping the others."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    sections = [s for s in text[start:end].split("\n### ") if s.strip()]
    sections = ["### " + s.removeprefix("### ").strip() + "\n" for s in sections]
    mine = results_markdown(result)
    title = mine.splitlines()[0]
    kept = [s for s in sections if s.splitlines()[0] != title]
    body = "\n".join(sorted([*kept, mine], key=lambda s: (not s.startswith("### Echte"), s)))
    path.write_text(text[:start] + "\n" + body + text[end:], encoding="utf-8")


def print_table(result: dict[str, Any]) -> None:
    print("\n" + results_markdown(result))
    for name, page in result["pages"].items():
        slow = sorted(page.get("cold_run_ms_by_function", {}).items(), key=lambda kv: -(kv[1] or 0))[:8]
        print(f"{name}: langsamste Funktionen (kalt, ms): " + ", ".join(f"{k}={v}" for k, v in slow))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--rows", type=int, help="synthetic cooperations")
    size.add_argument("--real", action="store_true", help="the real database from data/raw")
    parser.add_argument("--out", type=Path, help="JSON file (default artifacts/bench/<real|rows>.json)")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.md")
    parser.add_argument("--runs", type=int, default=10, help="script runs per measure (≥ 10)")
    parser.add_argument("--cold-runs", type=int, default=None, help="cold script runs (default --runs)")
    parser.add_argument("--browser-runs", type=int, default=3, help="browser contexts per page")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument(
        "--pages", nargs="+", choices=list(PAGES), default=list(PAGES), help="pages to measure"
    )
    args = parser.parse_args()
    if args.out is None:
        args.out = ROOT / "artifacts" / "bench" / ("real.json" if args.real else f"{args.rows}.json")

    started = machine()  # the load average before anything of this run
    args.out.parent.mkdir(parents=True, exist_ok=True)
    profile_dir = args.out.with_suffix("")
    profile_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ikz-bench-") as tmp:
        workdir = Path(tmp)
        db, info = prepare_db(args, workdir)
        os.environ[DB_ENV_VAR] = str(db)
        result: dict[str, Any] = {
            "real": bool(args.real),
            "label": "Echte Daten" if args.real else f"{args.rows:,} synthetische Zeilen".replace(",", " "),
            "command": "python -m benchmarks.bench " + " ".join(sys.argv[1:]),
            "machine": started,
            **info,
        }
        print(f"Datenbank: {info}", flush=True)
        log = CallLog()
        log.install()
        profile_script_thread()
        share_script_cache()
        types = top_types(db, k=2 + args.runs)
        result["minimal"] = minimal_app_runs(args.runs, workdir, types)
        result["minimal_app_ms_median"] = result["minimal"]["script_run_new_filter_ms_median"]
        pages = script_runs(
            db, args.runs, args.cold_runs or args.runs, log, profile_dir, args.pages,
            minimal_app(workdir, types),
        )  # fmt: skip
        print("Skriptläufe fertig", flush=True)
        # Written now too: on a busy machine the browser part can take long or be cut short.
        args.out.write_text(json.dumps({**result, "pages": pages}, indent=2, ensure_ascii=False))
        if not args.skip_browser:
            if reason := chromium_missing_reason():
                print(f"Browser übersprungen: {reason}")
            else:
                browser = browser_runs(db, args.browser_runs, workdir, args.pages)
                result["server_rss_mb_peak"] = browser.pop("server_rss_mb_peak")
                result["minimal"].update(browser.pop(MINIMAL))
                for name, values in browser.items():
                    pages[name].update(values)
        result["pages"] = pages
        result.update(summary(result))
        with duckdb.connect(str(db), read_only=True) as con:  # the app must not have rebuilt the file
            assert con.execute("SELECT count(*) FROM cooperation").fetchall()[0][0] == info["rows"]
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print_table(result)
    if not args.no_docs:
        write_docs(result)
        print(f"Tabelle geschrieben: {DOCS}")
    print(f"\nJSON: {args.out}; Profile: {profile_dir}/")


if __name__ == "__main__":
    main()
