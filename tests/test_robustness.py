"""The served app under faults, rebuilds and hostile input, checked in a real browser.

A damaged or missing database file, a malformed source document, a rebuild while sessions read, and
user text or URL values meant to break out of their place: the page always shows German text, never a
Python traceback, and never renders data as markup.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import duckdb
import polars as pl
import pytest

from ikz.build import build, load_tables, write_database
from ikz.normalise import Tables
from ikz.paths import ERFURT_FILE, RAW_DIR
from ikz.theme import fmt_int
from tests.live_app import (
    EXCEPTION,
    AppServer,
    chart_marks,
    choose,
    chromium_missing_reason,
    has_marks,
    launch_chromium,
    metrics,
    problems,
    serve_app,
    wait_idle,
    wait_until,
)
from tests.one_city import erfurt_only

if reason := chromium_missing_reason():
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.browser

WARNING = '[data-testid="stAlertContentWarning"]'
INFO = '[data-testid="stAlertContentInfo"]'


def replace_file(source: Path, target: Path) -> None:
    """Put a copy of source at target the way a build does: new file, then an atomic rename."""
    tmp = target.with_name(target.name + ".copy")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def count(db: Path, where: str = "TRUE", params: list | None = None) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM cooperation_wide WHERE {where}", params or []).fetchall()[
            0
        ][0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield ctx
    ctx.close()


def visit(context: Any, url: str) -> Any:
    """Open url, fail on a JavaScript error or a dialog (an injected alert()), wait for the charts."""
    page = context.new_page()
    js_errors: list[str] = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    page.on("dialog", lambda dialog: js_errors.append(f"dialog: {dialog.message}"))
    page.goto(url)
    wait_idle(page)
    assert not js_errors, js_errors
    page.js_errors = js_errors  # later checks see errors raised after the load, too
    return page


def main_text(page: Any) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


# --- A server whose database file the tests damage, replace and rebuild -------------------------


@pytest.fixture(scope="module")
def good_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("robust") / "good.duckdb"
    build(path)
    return path


@pytest.fixture(scope="module")
def live(good_db: Path) -> Iterator[AppServer]:
    path = good_db.with_name("live.duckdb")
    replace_file(good_db, path)
    with serve_app(path, good_db.with_name("live.log")) as server:
        yield server


@pytest.fixture
def healthy(live: AppServer, good_db: Path) -> Iterator[AppServer]:
    """The live server with the good file in place before and after the test."""
    replace_file(good_db, live.db)
    yield live
    replace_file(good_db, live.db)


def damage(path: Path, how: str) -> None:
    if how == "abgeschnitten":
        with open(path, "r+b") as handle:
            handle.truncate(path.stat().st_size // 3)
    elif how == "keine-duckdb-datei":
        tmp = path.with_name("text.tmp")
        tmp.write_text("Dies ist keine DuckDB-Datei.\n" * 50)
        os.replace(tmp, path)
    elif how == "leer":
        path.write_bytes(b"")


def test_damaged_database_is_set_aside_and_rebuilt_by_the_app(
    healthy: AppServer, context: Any, good_db: Path
) -> None:
    """Truncated, not a DuckDB file, empty: each time the next page load repairs it (one session)."""
    page = visit(context, healthy.url)
    assert metrics(page)["Kooperationen"] == fmt_int(count(good_db))
    for how in ("abgeschnitten", "keine-duckdb-datei", "leer"):
        before = set(healthy.db.parent.glob(f"{healthy.db.name}.defekt-*"))
        damage(healthy.db, how)
        broken = healthy.db.read_bytes()
        # The next page load notices the damage, keeps the file aside and rebuilds: no restart.
        page.reload()
        page.wait_for_selector(INFO)
        wait_idle(page)
        notice = page.locator(INFO).all_inner_texts()
        assert any("beschädigt und wurde aus den Quelldokumenten neu aufgebaut" in n for n in notice), (
            how,
            notice,
        )
        assert problems(page) == [], how
        assert page.locator(EXCEPTION).count() == 0, how
        assert metrics(page)["Kooperationen"] == fmt_int(count(good_db)), how
        (kept,) = set(healthy.db.parent.glob(f"{healthy.db.name}.defekt-*")) - before
        assert kept.read_bytes() == broken, how
        assert kept.name in " ".join(notice), how


def test_missing_database_is_rebuilt_from_the_documents(healthy: AppServer, context: Any) -> None:
    healthy.db.unlink()
    page = visit(context, healthy.url)
    assert problems(page) == []
    assert healthy.db.exists()
    assert metrics(page)["Kooperationen"] == fmt_int(count(healthy.db))
    assert all(has_marks(c) for c in chart_marks(page))


def test_rebuild_while_serving_switches_to_the_new_data(
    healthy: AppServer, browser: Any, good_db: Path, tmp_path: Path
) -> None:
    """Sessions keep reading while the file is rebuilt over and over; they see old or new, never half."""
    tables = load_tables()
    erfurt = erfurt_only(tables)
    types = [
        r[0]
        for r in duckdb.connect(str(good_db), read_only=True)
        .execute("SELECT type_name FROM cooperation_wide GROUP BY ALL ORDER BY count(*) DESC LIMIT 4")
        .fetchall()
    ]
    full_db = good_db
    erfurt_db = tmp_path / "erfurt.duckdb"
    write_database(erfurt, erfurt_db)
    allowed = {t: {fmt_int(count(db, "type_name = ?", [t])) for db in (full_db, erfurt_db)} for t in types}

    failures: list[BaseException] = []
    stop = threading.Event()
    enough_seen = threading.Event()  # the readers loaded pages during the rewrites

    def rebuild_repeatedly() -> None:
        try:
            # At least 8 rewrites, and on until the readers have loaded three pages meanwhile: a
            # fast rewrite on a quiet machine must not end the test before anyone read.
            i = 0
            while i < 8 or not enough_seen.is_set():
                write_database(erfurt if i % 2 == 0 else tables, healthy.db)
                time.sleep(0.4)
                i += 1
            write_database(erfurt, healthy.db)
        except BaseException as exc:
            failures.append(exc)
        finally:
            stop.set()

    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(4)]
    try:
        # The first session stays open on the old file, untouched, until the rebuilds are over.
        waiting, *pages = [visit(ctx, healthy.url) for ctx in contexts]
        rebuilder = threading.Thread(target=rebuild_repeatedly)
        rebuilder.start()
        seen = 0
        i = 0
        while not stop.is_set():
            page = pages[i % len(pages)]
            kind = types[i % len(types)]
            page.goto(f"{healthy.url}/?{urlencode({'art': kind})}")
            wait_idle(page)
            assert problems(page) == [], problems(page)
            assert metrics(page)["Kooperationen"] in allowed[kind]
            seen += 1
            i += 1
            if seen >= 3:
                enough_seen.set()
        rebuilder.join()
        assert not failures, failures
        assert seen >= 3
        # The session opened on the old file shows the final (Erfurt-only) data on its next run.
        assert metrics(waiting)["Kooperationen"] == fmt_int(count(full_db))
        choose(waiting, "Kooperationsart", types[0])
        wanted = fmt_int(count(erfurt_db, "type_name = ?", [types[0]]))
        wait_until(lambda: metrics(waiting).get("Kooperationen") == wanted, what="the rebuilt data")
        assert problems(waiting) == []
        fresh = visit(contexts[1], healthy.url)
        assert metrics(fresh)["Kooperationen"] == fmt_int(count(erfurt_db))
        assert all(not p.js_errors for p in [waiting, *pages])
    finally:
        enough_seen.set()  # a failed read must not leave the rewriting thread running
        for ctx in contexts:
            ctx.close()


# --- Hostile input: search text and URL values --------------------------------------------------

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


def test_hostile_search_text_is_plain_text_and_searched_literally(
    healthy: AppServer, context: Any, good_db: Path
) -> None:
    page = visit(context, healthy.url)
    box = page.get_by_role("textbox", name="Volltextsuche")
    for text, terms in HOSTILE_SEARCHES.items():
        typed = text.replace("\u0000", "")  # a NUL cannot be typed into an input
        box.fill(typed)
        box.press("Enter")
        expected = fmt_int(expected_search_count(good_db, terms))
        wait_until(lambda expected=expected: metrics(page).get("Kooperationen") == expected, what=text)
        wait_idle(page)
        assert problems(page) == [], text
        assert not page.js_errors, page.js_errors
        main = page.locator('[data-testid="stMain"]')
        # Markup from the search box never becomes elements: no bold, link or script from it.
        assert (
            main.locator("b, strong, em, a[href='https://example.org'], script")
            .filter(has_text="fett")
            .count()
            == 0
        )
        assert main.locator("script:not([src])").filter(has_text="alert").count() == 0
        for chart in chart_marks(page):
            if "Suche" in chart["subtitle"]:
                assert typed.strip()[:40] in chart["subtitle"]


HOSTILE_URLS = [
    {"art": ["Gibt es nicht", "<script>alert(1)</script>"], "praesentation": ["vielleicht"]},
    {"stadt": ["<b>Erfurt</b>"], "form": ["\u202eZweckverband"]},
    {"amt": ["x" * 5000], "status": ["%", "_"]},
    {"suche": ["<img src=x onerror=alert(1)>"], "effekt": ["' OR 1=1 --"]},
]


@pytest.mark.parametrize("params", HOSTILE_URLS, ids=["art", "stadt", "lang", "suche"])
def test_hostile_url_values_fall_back_with_notice(
    healthy: AppServer, context: Any, good_db: Path, params: dict[str, list[str]]
) -> None:
    query = "&".join(f"{k}={quote(v, safe='')}" for k, values in params.items() for v in values)
    page = visit(context, f"{healthy.url}/?{query}")
    assert problems(page) == []
    assert not page.js_errors, page.js_errors
    if any(k != "suche" for k in params):
        assert "unbekannt" in page.locator(INFO).all_inner_texts()[0]
    if "suche" in params:
        text = params["suche"][0]
        assert page.get_by_role("textbox", name="Volltextsuche").input_value() == text
        assert metrics(page)["Kooperationen"] == fmt_int(expected_search_count(good_db, text))
    else:
        assert metrics(page)["Kooperationen"] == fmt_int(count(good_db))
    assert page.locator('[data-testid="stMain"] img[src="x"]').count() == 0


# --- Data that looks like markup ------------------------------------------------------------------

MARKUP_DEPARTMENT = '<b>Fett</b> <a href="https://example.org">Link</a> Amt'
MARKUP_TITLE = "<i>kursiv</i> <b>Fett</b> & Co"


@pytest.fixture(scope="module")
def markup_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A server on data whose largest department and a title contain HTML."""
    tables = load_tables()
    frames = dict(tables.frames)
    biggest = frames["cooperation"]["department_id"].mode().sort()[0]
    frames["department"] = frames["department"].with_columns(
        pl.when(pl.col("department_id") == biggest)
        .then(pl.lit(MARKUP_DEPARTMENT))
        .otherwise(pl.col("name"))
        .alias("name")
    )
    frames["cooperation"] = frames["cooperation"].with_columns(
        pl.when(pl.col("cooperation_id") == 1)
        .then(pl.lit(MARKUP_TITLE))
        .otherwise(pl.col("title"))
        .alias("title")
    )
    path = tmp_path_factory.mktemp("markup") / "ikz.duckdb"
    write_database(Tables(frames), path)
    with serve_app(path, path.with_name("streamlit.log")) as server:
        yield server


def test_markup_in_data_is_shown_literally_in_charts(markup_server: AppServer, context: Any) -> None:
    page = visit(context, markup_server.url)
    assert problems(page) == []
    found = page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(plot => ({
            links: plot.querySelectorAll('a').length,
            texts: Array.from(plot.querySelectorAll('text')).map(t => t.textContent)
                .filter(t => t.includes('Fett')),
            bold: Array.from(plot.querySelectorAll('tspan[style*="bold"]')).map(t => t.textContent)
                .filter(t => t.includes('Fett')),
        }))"""
    )
    assert found
    assert [f["links"] for f in found] == [0] * len(found)
    shown = [t for f in found for t in f["texts"]]
    assert shown, "the department with markup is in no chart"
    assert all("<b>" in t for t in shown), shown
    assert [b for f in found for b in f["bold"]] == []


# --- A malformed source document ------------------------------------------------------------------


def test_malformed_source_keeps_the_last_good_database(tmp_path: Path, browser: Any) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    db = tmp_path / "ikz.duckdb"
    build(db, raw_dir=raw)
    before = hashlib.sha256(db.read_bytes()).hexdigest(), db.stat().st_ino
    with serve_app(db, tmp_path / "streamlit.log", raw_dir=raw) as server:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = visit(ctx, server.url)
            assert page.locator(WARNING).count() == 0
            shown = metrics(page)["Kooperationen"]
            time.sleep(0.01)  # the broken file must be newer than the database
            (raw / ERFURT_FILE).write_bytes((raw / ERFURT_FILE).read_bytes()[:500] + b"\xff\xfe kaputt\n")
            page.reload()
            page.wait_for_selector(WARNING)
            wait_idle(page)
            warning = page.locator(WARNING).inner_text()
            assert "zuletzt erfolgreich gebaute Stand" in warning
            assert ERFURT_FILE in warning
            assert problems(page) == []
            assert metrics(page)["Kooperationen"] == shown
            assert all(has_marks(c) for c in chart_marks(page))
        finally:
            ctx.close()
    assert (hashlib.sha256(db.read_bytes()).hexdigest(), db.stat().st_ino) == before
