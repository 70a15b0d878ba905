"""Load on loopback: many browser sessions change filters at once; each must see its own numbers.

Run: .venv/bin/python benchmarks/load.py --sessions 20 --seconds 60 [--rows N] [--out FILE]

One headless Chromium, one context (= one Streamlit session) per simulated user. Each user loops:
reset the filters, choose the Kooperationsart assigned to it for this step, and wait until the key
figure "Kooperationen" equals the direct DuckDB count for that type. A value from another session's
filter (cross-talk through caches or shared state), an exception box, an error alert or a JavaScript
error is recorded as a failure. Without --rows it serves the real database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import duckdb  # noqa: E402

from ikz.theme import fmt_int  # noqa: E402
from tests.live_app import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    ERROR_ALERT,
    EXCEPTION,
    IDLE,
    METRIC,
    AppServer,
    serve_app,
)

# Twenty Chromium tabs drawing Plotly on two cores are slow clients: give each action time, so that
# only a wrong number or an error on the page counts as a failure, not the test rig's own CPU limit.
STEP_TIMEOUT_S = 120


@dataclass
class LoadResult:
    """What the sessions did and what went wrong."""

    sessions: int
    seconds: float
    steps: int = 0
    failures: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    server_rss_mb_peak: float = 0.0

    def summary(self) -> dict:
        lat = sorted(self.latencies_ms)
        return {
            "sessions": self.sessions,
            "seconds": round(self.seconds, 1),
            "steps": self.steps,
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


async def session(
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
            result.steps += 1
        if js_errors:
            result.failures.append(f"Sitzung {k}: JavaScript-Fehler {js_errors[:3]}")
    except Exception as exc:  # a stuck session is a finding, not a crash of the whole run
        result.failures.append(f"Sitzung {k}: {type(exc).__name__}: {str(exc)[:300]}")
    finally:
        await context.close()


async def run_load_async(server: AppServer, db: Path, sessions: int, seconds: float) -> LoadResult:
    from playwright.async_api import async_playwright

    counts = type_counts(db)
    result = LoadResult(sessions=sessions, seconds=seconds)

    async def sample_rss(stop: asyncio.Event) -> None:
        while not stop.is_set():
            result.server_rss_mb_peak = max(result.server_rss_mb_peak, server.rss_mb())
            await asyncio.sleep(0.2)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(stop))
        t0 = time.monotonic()
        deadline = t0 + seconds
        await asyncio.gather(
            *(session(k, browser, server, counts, deadline, result) for k in range(sessions))
        )
        result.seconds = time.monotonic() - t0
        stop.set()
        await sampler
        await browser.close()
    return result


def run_load(server: AppServer, db: Path, *, sessions: int = 20, seconds: float = 60) -> LoadResult:
    """Drive `sessions` concurrent browser sessions against server for about `seconds`."""
    return asyncio.run(run_load_async(server, db, sessions, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rows", type=int, help="serve a synthetic database of this size")
    parser.add_argument("--out", type=Path, help="JSON file for the summary")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ikz-load-") as tmp:
        db = Path(tmp) / "ikz.duckdb"
        if args.rows:
            from synthetic import write_synthetic

            write_synthetic(args.rows, db)
        else:
            from ikz.build import build

            build(db)
        with serve_app(db, Path(tmp) / "streamlit.log") as server:
            result = run_load(server, db, sessions=args.sessions, seconds=args.seconds)
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
