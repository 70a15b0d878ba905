"""Load on loopback: many sessions change filters at once; each must see its own numbers.

Run: .venv/bin/python -m benchmarks.load --sessions 20 --seconds 60 [--client websocket|browser]
     [--rows N] [--out FILE]

--client websocket (default, what CI runs): each session is one websocket speaking Streamlit's
own protocol (tests/ws_client.py), exactly what a browser tab sends: the URL's query string and
the widget values. Every fourth session works on the Vergleich page, the others on Überblick. Each
step picks the session's next Kooperationsart (and on Überblick a Stadt), or presses „Filter
zurücksetzen“, and checks the finished run against DuckDB: key figures, the chart by
Kooperationsart, every chart's filter subtitle, on Vergleich each city's record count. A number or
subtitle from another session's filters (cross-talk through caches or shared state), an exception
box, an error alert or an unfinished run is a failure. The latency is the server's, from the
widget change to the last figure sent.

--client browser: one headless Chromium context per session (the whole stack, Plotly drawing
included); each picks its Kooperationsart in the sidebar and waits for the key figure. On two
cores twenty tabs mostly measure Chromium, so this one is a script, not a CI test.

Without --rows it serves the real database.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

import duckdb

from ikz.core.numbers import fmt_int
from ikz.present.labels import describe_filters
from ikz.read.queries import Filters
from tests.live_app import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ERROR_ALERT,
    EXCEPTION,
    IDLE,
    METRIC,
    AppServer,
    serve_app,
)
from tests.ws_client import Run, StreamlitSession

CLIENTS = ("websocket", "browser")
EXPLORE_CHARTS = 1  # one chart per tab: the open one, by Kooperationsart (the first tab)
# The Vergleich's sessions open the tab of the chart they check (pages/layout.Page.tabs).
COMPARE_TAB = {"vergleich_diagramm": "Kooperationsform"}
ALL = describe_filters(Filters())

# Twenty Chromium tabs drawing Plotly on two cores are slow clients: give each action time, so that
# only a wrong number or an error on the page counts as a failure, not the test rig's own CPU limit.
STEP_TIMEOUT_S = 120


@dataclass
class LoadResult:
    """What the sessions did and what went wrong."""

    sessions: int
    seconds: float
    client: str = "websocket"
    steps_by_page: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    server_rss_mb_peak: float = 0.0

    @property
    def steps(self) -> int:
        """Filter changes completed, on all pages."""
        return sum(self.steps_by_page.values())

    def count_step(self, page: str) -> None:
        """One more completed filter change on page."""
        self.steps_by_page[page] = self.steps_by_page.get(page, 0) + 1

    def summary(self) -> dict:
        lat = sorted(self.latencies_ms)
        return {
            "client": self.client,
            "sessions": self.sessions,
            "seconds": round(self.seconds, 1),
            "steps": self.steps,
            "steps_by_page": self.steps_by_page,
            "failures": len(self.failures),
            "filter_to_figure_ms_median": round(statistics.median(lat)) if lat else None,
            "filter_to_figure_ms_p95": round(lat[int(0.95 * (len(lat) - 1))]) if lat else None,
            "server_rss_mb_peak": round(self.server_rss_mb_peak, 1),
        }


def type_counts(db: Path) -> dict[str, str]:
    """Kooperationsart → the key figure it must give, in German format."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT type_name, count(*) FROM cooperation_wide GROUP BY ALL ORDER BY 1"
        ).fetchall()
    return {name: fmt_int(n) for name, n in rows}


@dataclass(frozen=True)
class Expected:
    """What a view must show, straight from DuckDB: records, departments, records per city."""

    cooperations: int
    departments: int
    per_city: dict[str, int]


def expected_views(db: Path) -> dict[tuple[str, str | None], Expected]:
    """(Kooperationsart, Stadt or None) → the numbers that view must show, for every non-empty view."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """SELECT type_name, city, count(*), count(DISTINCT department_id)
               FROM cooperation_wide GROUP BY GROUPING SETS ((type_name, city), (type_name))"""
        ).fetchall()
    per_city: dict[str, dict[str, int]] = {}
    for kind, city, n, _ in rows:
        if city is not None:
            per_city.setdefault(kind, {})[city] = n
    return {(kind, city): Expected(n, depts, per_city[kind]) for kind, city, n, depts in rows}


def total_view(db: Path) -> Expected:
    """The unfiltered view's numbers."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT city, count(*), count(DISTINCT department_id) FROM cooperation_wide GROUP BY ALL"
        ).fetchall()
        (departments,) = con.execute("SELECT count(DISTINCT department_id) FROM cooperation_wide").fetchone()
    return Expected(sum(n for _, n, _ in rows), departments, {city: n for city, n, _ in rows})


def wrong_subtitle(charts: list[dict], wanted: str) -> list[str]:
    """The first chart whose filter subtitle is not `wanted`, as a difference (titles are escaped)."""
    for chart in charts:
        shown = html.unescape(chart["layout"]["title"]["subtitle"]["text"])
        if shown != wanted:
            return [f"Untertitel „{shown}“, erwartet „{wanted}“"]
    return []


def check_explore(run: Run, view: Expected, subtitle: str, kind: str | None) -> list[str]:
    """What an Überblick run must show for this view; returns the differences in German."""
    wrong = run.problems()
    metrics = run.metrics()
    for label, wanted in (("Kooperationen", view.cooperations), ("Fachbereiche/Ämter", view.departments)):
        if metrics.get(label) != fmt_int(wanted):
            wrong.append(f"{label} {metrics.get(label)}, erwartet {fmt_int(wanted)}")
    charts = run.charts()
    if len(charts) != EXPLORE_CHARTS:
        wrong.append(f"{len(charts)} Diagramme, erwartet {EXPLORE_CHARTS}")
    wrong += wrong_subtitle(charts, subtitle)
    if kind is not None and charts:
        # The first chart is by Kooperationsart: under this filter it may hold only this type.
        types = {row[0] for trace in charts[0]["data"] for row in trace.get("customdata", [])}
        if types != {kind}:
            wrong.append(f"Diagramm nach Kooperationsart zeigt {sorted(types)}, erwartet {kind}")
    return wrong


def check_compare(run: Run, view: Expected, kind: str) -> list[str]:
    """What a Vergleich run must show for this Kooperationsart; returns the differences."""
    wrong = run.problems()
    charts = run.charts()
    if not charts:
        return [*wrong, "kein Diagramm auf der Vergleichsseite"]
    wrong += wrong_subtitle(charts, describe_filters(Filters(types=(kind,))))
    forms = next((c for c in charts if "Kooperationsform im Vergleich" in c["layout"]["title"]["text"]), None)
    if forms is None:
        return [*wrong, "„Kooperationsform im Vergleich“ fehlt (Reiter nicht geöffnet)"]
    # Each city's bar carries "n von N Einträgen": N is that city's number of records of this type.
    totals = {trace["name"]: trace["customdata"][0][1] for trace in forms["data"]}
    if totals != view.per_city:
        wrong.append(f"Einträge je Stadt {totals}, erwartet {view.per_city}")
    return wrong


async def ws_session(
    k: int,
    server: AppServer,
    views: dict[tuple[str, str | None], Expected],
    total: Expected,
    deadline: float,
    result: LoadResult,
) -> None:
    """One user on its own websocket; every fourth user on the Vergleich page, the rest on Überblick.

    Each step chooses this user's next Kooperationsart (on Überblick also a Stadt, in turn none,
    Erfurt, Magdeburg) the way the browser reports a widget change, and checks every number and
    chart subtitle of the finished run against DuckDB; every fourth step instead presses
    „Filter zurücksetzen“ and checks the totals.
    """
    compare = k % 4 == 3
    step = 0
    try:
        async with StreamlitSession(server.port, page="vergleich" if compare else "") as session:
            run = await session.run(query_string=urlencode(COMPARE_TAB) if compare else None)
            if wrong := run.problems():
                result.failures.extend(f"Sitzung {k}, Start: {w}" for w in wrong)
                return
            # Vergleich always shows both cities: only the Kooperationsart changes there.
            choices = sorted((view for view in views if not compare or view[1] is None), key=str)
            while step == 0 or time.monotonic() < deadline:
                kind, city = choices[(k * 7 + step * 5) % len(choices)]
                art = run.widget_id("multiselect", "Kooperationsart")
                widgets = {art: ("string_array_value", [kind])}
                query = {"art": kind} | (COMPARE_TAB if compare else {})
                if not compare:
                    stadt = run.widget_id("multiselect", "Stadt")
                    widgets[stadt] = ("string_array_value", [city] if city else [])
                    query |= {"stadt": city} if city else {}
                reset = not compare and step % 4 == 3
                if reset:
                    widgets[run.widget_id("button", "Filter zurücksetzen")] = ("trigger_value", True)
                # The browser sends the URL it shows, which a bound widget's change has just updated.
                run = await session.run(widgets=widgets, query_string=urlencode(query))
                step += 1
                if compare:
                    wrong = check_compare(run, views[(kind, None)], kind)
                elif reset:
                    wrong = check_explore(run, total, ALL, None)
                else:
                    filters = Filters(cities=(city,) if city else (), types=(kind,))
                    wrong = check_explore(run, views[(kind, city)], describe_filters(filters), kind)
                what = "zurückgesetzt" if reset else f"{kind}/{city or 'beide'}"
                result.failures.extend(f"Sitzung {k}, {what}: {w}" for w in wrong)
                result.latencies_ms.append(run.seconds * 1000)
                result.count_step("vergleich" if compare else "ueberblick")
    except Exception as exc:  # a stuck session is a finding, not a crash of the whole run
        result.failures.append(f"Sitzung {k}, Schritt {step}: {type(exc).__name__}: {str(exc)[:300]}")


async def cooperations_shown(page) -> str | None:
    return await page.evaluate(
        """() => {
            for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
                if (m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === 'Kooperationen')
                    return m.querySelector('[data-testid="stMetricValue"]').innerText.trim();
            }
            return null;
        }"""
    )


def url_has(url: str, kind: str) -> bool:
    """True when the page URL carries this Kooperationsart (the widget is bound to ?art=)."""
    return quote_plus(kind) in url or quote(kind) in url


async def choose_type(page, kind: str) -> float:
    """Pick kind in the Kooperationsart box; retried when a starved tab dropped the click.

    Returns the perf_counter time of the click that took (the URL then carries the type).
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    # Retried until the step timeout every step already has: a tab starved of CPU by the other
    # sessions can take longer than one click's 20 s to open and fill its list.
    step_deadline = time.perf_counter() + STEP_TIMEOUT_S
    while time.perf_counter() < step_deadline:
        box = page.get_by_role("combobox", name="Kooperationsart", exact=True)
        await box.click()
        await box.fill(kind)
        t0 = time.perf_counter()
        try:
            await page.get_by_role("option", name=kind, exact=True).click(timeout=20_000)
        except PlaywrightTimeout:  # the list closed under a rerun before the click: open it again
            await page.keyboard.press("Escape")
            continue
        await page.keyboard.press("Escape")
        # The click took: wait for the rerun to put it in the URL, as long as any step may take.
        # Under 20 sessions on two cores that is often over 10 s; clicking again meanwhile would
        # look for an option that is already selected, and so never find it.
        waited_until = time.perf_counter() + STEP_TIMEOUT_S
        while time.perf_counter() < waited_until:
            if url_has(page.url, kind):
                return t0
            await asyncio.sleep(0.1)
        break
    raise TimeoutError(f"Kooperationsart {kind} ließ sich nicht wählen")


async def browser_session(
    k: int, browser, server: AppServer, counts: dict[str, str], deadline: float, result: LoadResult
) -> None:
    """One user: its own context; steps through the types starting at its own offset."""
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_S * 1000)
    page = await context.new_page()
    js_errors: list[str] = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    names = sorted(counts)
    try:
        await page.goto(server.url, timeout=STEP_TIMEOUT_S * 1000)
        await page.wait_for_selector(METRIC, timeout=STEP_TIMEOUT_S * 1000)
        step = 0
        # At least one step each, however long the start took; then until the deadline.
        while step == 0 or time.monotonic() < deadline:
            kind = names[(k * 7 + step) % len(names)]
            step += 1
            await page.get_by_role("button", name="Filter zurücksetzen").click()
            await page.wait_for_selector(IDLE, timeout=STEP_TIMEOUT_S * 1000)
            t0 = await choose_type(page, kind)
            wanted = counts[kind]
            shown = None
            while time.perf_counter() - t0 < STEP_TIMEOUT_S:
                shown = await cooperations_shown(page)
                if shown == wanted and await page.locator(IDLE).count():
                    break
                await asyncio.sleep(0.05)
            else:
                result.failures.append(f"Sitzung {k}: {kind} zeigt {shown}, erwartet {wanted}")
                continue
            result.latencies_ms.append((time.perf_counter() - t0) * 1000)
            # Still right once the run is over, and no error on the page.
            await asyncio.sleep(0.2)
            shown = await cooperations_shown(page)
            if shown != wanted:
                result.failures.append(f"Sitzung {k}: {kind} zeigt danach {shown}, erwartet {wanted}")
            bad = await page.locator(f"{EXCEPTION}, {ERROR_ALERT}").all_inner_texts()
            if bad:
                result.failures.append(f"Sitzung {k}: Fehler auf der Seite: {bad[0][:200]}")
            result.count_step("ueberblick")
        if js_errors:
            result.failures.append(f"Sitzung {k}: JavaScript-Fehler {js_errors[:3]}")
    except Exception as exc:  # a stuck session is a finding, not a crash of the whole run
        result.failures.append(f"Sitzung {k}: {type(exc).__name__}: {str(exc)[:300]}")
    finally:
        await context.close()


async def _sample_rss(server: AppServer, result: LoadResult, stop: asyncio.Event) -> None:
    while not stop.is_set():
        result.server_rss_mb_peak = max(result.server_rss_mb_peak, server.rss_mb())
        await asyncio.sleep(0.2)


async def run_load_async(
    server: AppServer, db: Path, sessions: int, seconds: float, client: str
) -> LoadResult:
    result = LoadResult(sessions=sessions, seconds=seconds, client=client)
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(server, result, stop))
    t0 = time.monotonic()
    deadline = t0 + seconds
    if client == "websocket":
        views, total = expected_views(db), total_view(db)
        await asyncio.gather(
            *(ws_session(k, server, views, total, deadline, result) for k in range(sessions))
        )
    else:
        from playwright.async_api import async_playwright

        counts = type_counts(db)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            await asyncio.gather(
                *(browser_session(k, browser, server, counts, deadline, result) for k in range(sessions))
            )
            await browser.close()
    result.seconds = time.monotonic() - t0
    stop.set()
    await sampler
    return result


def run_load(
    server: AppServer, db: Path, *, sessions: int = 20, seconds: float = 60, client: str = "websocket"
) -> LoadResult:
    """Drive `sessions` concurrent sessions (websocket clients or browser tabs) for about `seconds`."""
    return asyncio.run(run_load_async(server, db, sessions, seconds, client))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--client",
        choices=CLIENTS,
        default="websocket",
        help="websocket: Streamlit's own protocol from Python (the server's load); "
        "browser: one Chromium context per session (the whole stack, slow on few cores)",
    )
    parser.add_argument("--rows", type=int, help="serve a synthetic database of this size")
    parser.add_argument("--out", type=Path, help="JSON file for the summary")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ikz-load-") as tmp:
        db = Path(tmp) / "ikz.duckdb"
        if args.rows:
            from benchmarks.synthetic import write_synthetic

            write_synthetic(args.rows, db)
        else:
            from ikz.builder.database import build

            build(db)
        with serve_app(db, Path(tmp) / "streamlit.log") as server:
            result = run_load(server, db, sessions=args.sessions, seconds=args.seconds, client=args.client)
    summary = result.summary()
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    for failure in result.failures[:20]:
        print("FEHLER:", failure)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({**summary, "failure_texts": result.failures}, indent=2))
    sys.exit(1 if result.failures else 0)


if __name__ == "__main__":
    main()
