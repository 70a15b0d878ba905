"""Scale benchmark of the dashboard: build, script runs per page, queries and charts, browser, memory.

Run:  .venv/bin/python -m benchmarks.bench --rows 100000 --out artifacts/bench-100k.json
      .venv/bin/python -m benchmarks.bench --real --out artifacts/bench-real.json

Measures, for a synthetic database of --rows cooperations (benchmarks/synthetic.py) or the real one:
- build_s: ikz.builder.database.write_database of the tables (the real build path);
- per page, the full script run after a Kooperationsart change in AppTest, median of --runs runs,
  with the cache warm (the two filter values alternate, both cached), for a new filter state (a
  Kooperationsart not chosen before in this server: what a user's next filter change costs; the
  unfiltered totals and options stay cached) and cold (st.cache_data.clear() before each run, as
  after a restart); and the time in each ikz.read.queries / ikz.present.charts /
  ikz.read.comparison function and in
  polars' CSV/Excel writers during the cold runs;
- the same query and chart calls replayed directly (no Streamlit), median of --runs;
- in headless Chromium against `streamlit run`: first load of each page, and the time from choosing
  a Kooperationsart to the last change of any chart; the server's peak RSS (with children).
A cProfile of one cold script run per page is written next to --out (*.prof and a text summary).
Goals: 1M rows: script run ≤ 250 ms, browser filter → charts ≤ 1 s, server ≤ 1 GB; real: script ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import io
import json
import os
import pstats
import statistics
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

PAGES = {"ueberblick": ("/", None), "vergleich": ("/vergleich", "pages/compare.py")}
INSTRUMENTED_MODULES = ("ikz.read.queries", "ikz.present.charts", "ikz.read.comparison")
GOALS_1M = {
    "script_run_ms_median": 250,
    "browser_filter_to_charts_ms_median": 1000,
    "server_rss_mb_peak": 1000,
}
GOALS_REAL = {"script_run_ms_median": 50}

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
    db: Path, runs: int, cold_runs: int, log: CallLog, profile_dir: Path, pages: list[str]
) -> dict[str, Any]:
    """AppTest runs of every page after a Kooperationsart change, warm and cold cache."""
    global PROFILER
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    types = top_types(db, k=2 + runs)
    results: dict[str, Any] = {}
    for name in pages:
        _, page_file = PAGES[name]
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800)
        at.run()
        if page_file:
            at.switch_page(page_file).run()
        assert not at.exception, [e.value for e in at.exception]

        def change(kind: str, at: AppTest = at) -> float:
            at.multiselect(key="art").set_value([kind])
            t0 = time.perf_counter()
            at.run()
            elapsed = (time.perf_counter() - t0) * 1000
            assert not at.exception, [e.value for e in at.exception]
            return elapsed

        change(types[0]), change(types[1])  # both filter values now cached
        warm = [change(types[i % 2]) for i in range(runs)]
        # Each run a Kooperationsart this server has not shown yet (the rarer ones last).
        new_filter = [change(kind) for kind in types[2:]]
        cold: list[float] = []
        for i in range(cold_runs):
            st.cache_data.clear()
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
        results[name] = {
            "script_run_warm_ms_median": median(warm),
            "script_run_new_filter_ms_median": median(new_filter),
            "script_run_cold_ms_median": median(cold),
            "script_run_new_filter_ms": [round(x, 1) for x in new_filter],
            "script_run_warm_ms": [round(x, 1) for x in warm],
            "script_run_cold_ms": [round(x, 1) for x in cold],
            "cold_run_ms_by_function": log.medians(cold_runs),
            "direct_ms_by_call": replay(calls, db, runs),
        }
    return results


MINIMAL_APP = """
import plotly.graph_objects as go
import streamlit as st

choice = st.selectbox("Wert", list(range(100)), key="wert")
for i in range(3):
    st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[choice, i, 3])), key=f"chart{i}")
"""


def minimal_app_runs(runs: int, workdir: Path) -> float | None:
    """Median script run of a minimal three-chart Streamlit app after a widget change (AppTest):
    the floor a page's run is compared with, measured on the same machine in the same run."""
    from streamlit.testing.v1 import AppTest

    script = workdir / "minimal_app.py"
    script.write_text(MINIMAL_APP, encoding="utf-8")
    at = AppTest.from_file(str(script), default_timeout=600)
    at.run()
    times = []
    for i in range(runs + 1):
        at.selectbox(key="wert").set_value(i + 1)
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
    return median(times[1:])  # the first run after the start warms Plotly's validators


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


def browser_runs(db: Path, runs: int, workdir: Path, pages: list[str]) -> dict[str, Any]:
    """First load of each page and Kooperationsart change → charts updated, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    types = top_types(db)
    results: dict[str, Any] = {}
    with (
        serve_app(db, workdir / "streamlit.log") as server,
        RssSampler(server) as rss,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        for name in pages:
            path, _ = PAGES[name]
            first_loads: list[float] = []
            changes: list[float] = []
            for run in range(runs):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                context.add_init_script(TIMING_SCRIPT)
                page = context.new_page()
                page.goto(server.url + path)
                charts = wait_idle(page, timeout=600)
                assert not problems(page), problems(page)
                if charts:
                    first_loads.append(page.evaluate("window.__lastChartChange"))
                else:
                    first_loads.append(page.evaluate("performance.now()"))
                if run == 0:
                    results.setdefault(name, {})["charts"] = len(charts)
                if charts:
                    # Two changes per visit: one Kooperationsart, then a second one added.
                    for i in range(2):
                        before = page.evaluate("window.__lastChartChange")
                        choose(page, "Kooperationsart", types[(run + i) % len(types)])
                        # A page may also answer with fewer charts or none (no data for the filter).
                        with contextlib.suppress(AssertionError):
                            wait_until(
                                lambda page=page, before=before: (
                                    page.evaluate("window.__lastChartChange") > before
                                ),
                                timeout=30,
                                what="a chart to change",
                            )
                        wait_idle(page, timeout=600)
                        if page.evaluate("window.__lastChartChange") > before:
                            changes.append(page.evaluate("window.__lastChartChange - window.__clickAt"))
                context.close()
            results[name].update(
                {
                    "browser_first_load_ms_median": median(first_loads),
                    "browser_first_load_ms": [round(x) for x in first_loads],
                    "browser_filter_to_charts_ms_median": median(changes),
                    "browser_filter_to_charts_ms": [round(x) for x in changes],
                }
            )
        browser.close()
    results["server_rss_mb_peak"] = round(rss.peak, 1)
    return results


def prepare_db(args: argparse.Namespace, workdir: Path) -> tuple[Path, dict[str, Any]]:
    target = workdir / "ikz.duckdb"
    if args.real:
        from ikz.builder.database import build, load_tables, write_database

        tables = load_tables()
        t0 = time.perf_counter()
        write_database(tables, target)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        build(target)
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


def print_table(result: dict[str, Any]) -> None:
    print(f"\nrows={result['rows']:,}  build_s={result['build_s']}  db_mb={result['db_mb']}")
    print(
        f"{'Seite':<12} {'warm ms':>9} {'neu ms':>9} {'kalt ms':>9} {'Erstladen ms':>13} "
        f"{'Filter→Charts ms':>17}"
    )
    for name, page in result["pages"].items():
        warm, cold = page.get("script_run_warm_ms_median"), page.get("script_run_cold_ms_median")
        new = page.get("script_run_new_filter_ms_median")
        load = page.get("browser_first_load_ms_median")
        change = page.get("browser_filter_to_charts_ms_median")
        print(f"{name:<12} {warm!s:>9} {new!s:>9} {cold!s:>9} {load!s:>13} {change!s:>17}")
    print(f"Server-RSS Spitze: {result.get('server_rss_mb_peak')} MB")
    print(f"Minimale Streamlit-App (3 Diagramme): {result.get('minimal_app_ms_median')} ms")
    for name, page in result["pages"].items():
        slow = sorted(page["cold_run_ms_by_function"].items(), key=lambda kv: -(kv[1] or 0))[:8]
        print(f"{name}: langsamste Funktionen (kalt, ms): " + ", ".join(f"{k}={v}" for k, v in slow))
    goals = GOALS_REAL if result.get("real") else GOALS_1M if result["rows"] >= 1_000_000 else {}
    for key, limit in goals.items():
        value = result.get(key)
        verdict = "ok" if value is not None and value <= limit else "VERFEHLT"
        print(f"Ziel {key} ≤ {limit}: {value} → {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--rows", type=int, help="synthetic cooperations")
    size.add_argument("--real", action="store_true", help="the real database from data/raw")
    parser.add_argument("--out", type=Path, required=True, help="JSON file for the results")
    parser.add_argument("--runs", type=int, default=10, help="script runs per measure (≥ 10)")
    parser.add_argument("--cold-runs", type=int, default=None, help="cold script runs (default --runs)")
    parser.add_argument("--browser-runs", type=int, default=3, help="browser contexts per page")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument(
        "--pages", nargs="+", choices=list(PAGES), default=list(PAGES), help="pages to measure"
    )
    args = parser.parse_args()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    profile_dir = args.out.with_suffix("")
    profile_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ikz-bench-") as tmp:
        workdir = Path(tmp)
        db, info = prepare_db(args, workdir)
        os.environ[DB_ENV_VAR] = str(db)
        result: dict[str, Any] = {"real": bool(args.real), **info}
        print(f"Datenbank: {info}", flush=True)
        log = CallLog()
        log.install()
        profile_script_thread()
        result["minimal_app_ms_median"] = minimal_app_runs(args.runs, workdir)
        pages = script_runs(db, args.runs, args.cold_runs or args.runs, log, profile_dir, args.pages)
        print("Skriptläufe fertig", flush=True)
        # Written now too: on a busy machine the browser part can take long or be cut short.
        args.out.write_text(json.dumps({**result, "pages": pages}, indent=2, ensure_ascii=False))
        if not args.skip_browser:
            if reason := chromium_missing_reason():
                print(f"Browser übersprungen: {reason}")
            else:
                browser = browser_runs(db, args.browser_runs, workdir, args.pages)
                result["server_rss_mb_peak"] = browser.pop("server_rss_mb_peak")
                for name, values in browser.items():
                    pages[name].update(values)
        result["pages"] = pages
        result.update(summary(result))
        with duckdb.connect(str(db), read_only=True) as con:  # the app must not have rebuilt the file
            assert con.execute("SELECT count(*) FROM cooperation").fetchall()[0][0] == info["rows"]
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print_table(result)
    print(f"\nJSON: {args.out}; Profile: {profile_dir}/")


if __name__ == "__main__":
    main()
