"""The served app under faults, rebuilds and hostile URL values, seen through Streamlit's own websocket.

What these tests check is decided by the server (which file it reads, which notice it sends, which
numbers): a session of tests/ws_client.py sees exactly what a browser tab gets, without Chromium
drawing every chart. What only a browser can show (markup never becoming elements, JavaScript errors,
a damaged file repaired on reload) is in test_robustness.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import os
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import duckdb
import pytest
from streamlit.proto.Alert_pb2 import Alert

from ikz.builder.database import build, load_tables, write_database
from ikz.core.numbers import fmt_int
from ikz.core.paths import RAW_DIR
from ikz.read.queries import MAX_SEARCH_LENGTH
from tests.live_app import HOSTILE_SEARCHES, AppServer, expected_search_count, mart_count, serve_app
from tests.one_city import erfurt_only
from tests.seed_files import ERFURT_FILE
from tests.ws_client import Run, StreamlitSession

pytestmark = pytest.mark.slow


def alerts(run: Run, kind: int) -> list[str]:
    """Texts of the run's alerts of one kind (Alert.WARNING, Alert.INFO, …)."""
    return [alert.body for alert in run.of_type("alert") if alert.format == kind]


def visit(port: int, query_string: str = "") -> Run:
    """One fresh session's first run, as a new browser tab on that address."""

    async def go() -> Run:
        async with StreamlitSession(port) as session:
            return await session.run(query_string=query_string)

    return asyncio.run(go())


def damage(path: Path, how: str) -> None:
    """Break the database file in place, as a full disk or a bad copy would."""
    if how == "abgeschnitten":
        with open(path, "r+b") as handle:
            handle.truncate(path.stat().st_size // 3)
    elif how == "keine-duckdb-datei":
        tmp = path.with_name("text.tmp")
        tmp.write_text("Dies ist keine DuckDB-Datei.\n" * 50)
        tmp.replace(path)
    elif how == "leer":
        path.write_bytes(b"")


def test_damaged_database_is_set_aside_and_rebuilt_by_the_app(healthy: AppServer, good_db: Path) -> None:
    """Truncated, not a DuckDB file, empty: each time the next page load repairs it, without a restart."""
    assert visit(healthy.port).metrics()["Kooperationen"] == fmt_int(mart_count(good_db))
    for how in ("abgeschnitten", "keine-duckdb-datei", "leer"):
        before = set(healthy.db.parent.glob(f"{healthy.db.name}.defekt-*"))
        damage(healthy.db, how)
        broken = healthy.db.read_bytes()
        # The next page load notices the damage, keeps the file aside and rebuilds.
        run = visit(healthy.port)
        notice = " ".join(alerts(run, Alert.INFO))
        assert "beschädigt und wurde aus den Quelldokumenten neu aufgebaut" in notice, (how, notice)
        assert run.problems() == [], how
        assert run.metrics()["Kooperationen"] == fmt_int(mart_count(good_db)), how
        (kept,) = set(healthy.db.parent.glob(f"{healthy.db.name}.defekt-*")) - before
        assert kept.read_bytes() == broken, how
        assert kept.name in notice, how


def test_missing_database_is_rebuilt_from_the_documents(healthy: AppServer, good_db: Path) -> None:
    healthy.db.unlink()
    run = visit(healthy.port)
    assert run.problems() == []
    assert healthy.db.exists()
    assert run.metrics()["Kooperationen"] == fmt_int(mart_count(good_db))
    # The open tab's chart (one chart per tab), drawn from the rebuilt file.
    charts = run.charts()
    assert len(charts) == 1 and all(chart["data"] for chart in charts)


def test_rebuild_while_serving_switches_to_the_new_data(
    healthy: AppServer, good_db: Path, tmp_path: Path
) -> None:
    """Sessions keep reading while the file is rebuilt over and over; they see old or new, never half."""
    tables = load_tables()
    erfurt = erfurt_only(tables)
    with duckdb.connect(str(good_db), read_only=True) as con:
        types = [
            r[0]
            for r in con.execute(
                "SELECT type_name FROM cooperation_wide GROUP BY ALL ORDER BY count(*) DESC LIMIT 4"
            ).fetchall()
        ]
    erfurt_db = tmp_path / "erfurt.duckdb"
    write_database(erfurt, erfurt_db)
    allowed = {
        t: {fmt_int(mart_count(db, "type_name = ?", [t])) for db in (good_db, erfurt_db)} for t in types
    }

    failures: list[BaseException] = []
    stop = threading.Event()
    enough_seen = threading.Event()  # the readers loaded pages during the rewrites

    def rebuild_repeatedly() -> None:
        try:
            # At least 8 rewrites, and on until the readers have loaded six pages meanwhile: a fast
            # rewrite on a quiet machine must not end the test before anyone read.
            i = 0
            while i < 8 or not enough_seen.is_set():
                write_database(erfurt if i % 2 == 0 else tables, healthy.db)
                time.sleep(0.2)  # paces the rewrites (a load, not a wait for a condition)
                i += 1
            write_database(erfurt, healthy.db)
        except BaseException as exc:
            failures.append(exc)
        finally:
            stop.set()

    async def read_while_rebuilding() -> tuple[int, Run]:
        async with StreamlitSession(healthy.port) as waiting:
            # This session stays open on the old file, untouched, until the rebuilds are over.
            first = await waiting.run()
            assert first.metrics()["Kooperationen"] == fmt_int(mart_count(good_db))
            rebuilder.start()
            seen = 0
            try:
                while not stop.is_set():
                    kind = types[seen % len(types)]
                    async with StreamlitSession(healthy.port) as reader:
                        run = await reader.run(query_string=urlencode({"art": kind}))
                    assert run.problems() == [], run.problems()
                    assert run.metrics()["Kooperationen"] in allowed[kind], kind
                    seen += 1
                    if seen >= 6:
                        enough_seen.set()
            finally:
                enough_seen.set()  # a failed read must not leave the rewriting thread running
                await asyncio.to_thread(rebuilder.join)
            # Its next run (choosing a type in the sidebar) reads the final, Erfurt-only data.
            widget = first.widget_id("multiselect", "Kooperationsart")
            return seen, await waiting.run(widgets={widget: ("string_array_value", [types[0]])})

    rebuilder = threading.Thread(target=rebuild_repeatedly)
    seen, chosen = asyncio.run(read_while_rebuilding())
    assert not failures, failures
    assert seen >= 6
    assert chosen.problems() == []
    assert chosen.metrics()["Kooperationen"] == fmt_int(mart_count(erfurt_db, "type_name = ?", [types[0]]))
    assert visit(healthy.port).metrics()["Kooperationen"] == fmt_int(mart_count(erfurt_db))


# Each URL holds unknown values of several filters; the page falls back to „alle“ for them and says so.
HOSTILE_URLS = [
    {"art": ["Gibt es nicht", "<script>alert(1)</script>"], "praesentation": ["vielleicht"]},
    {"stadt": ["<b>Erfurt</b>"], "form": ["\u202eZweckverband"]},
    {"amt": ["x" * 5000], "status": ["%", "_"]},
    {"effekt": ["' OR 1=1 --"]},
]


def query(params: dict[str, list[str]]) -> str:
    return "&".join(f"{k}={quote(v, safe='')}" for k, values in params.items() for v in values)


@pytest.mark.parametrize("params", HOSTILE_URLS, ids=["art", "stadt", "lang", "effekt"])
def test_hostile_url_values_fall_back_with_notice(
    healthy: AppServer, good_db: Path, params: dict[str, list[str]]
) -> None:
    run = visit(healthy.port, query(params))
    assert run.problems() == []
    notice = alerts(run, Alert.INFO)
    assert notice and "unbekannt" in notice[0], notice
    assert run.metrics()["Kooperationen"] == fmt_int(mart_count(good_db))


def test_malformed_source_keeps_the_last_good_database(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    db = tmp_path / "ikz.duckdb"
    build(db, raw_dir=raw)
    before = hashlib.sha256(db.read_bytes()).hexdigest(), db.stat().st_ino
    with serve_app(db, tmp_path / "streamlit.log", raw_dir=raw) as server:
        run = visit(server.port)
        assert alerts(run, Alert.WARNING) == []
        shown = run.metrics()["Kooperationen"]
        (raw / ERFURT_FILE).write_bytes((raw / ERFURT_FILE).read_bytes()[:500] + b"\xff\xfe kaputt\n")
        # The broken file must be newer than the database: set its time rather than wait for a tick.
        newer = db.stat().st_mtime + 1
        os.utime(raw / ERFURT_FILE, (newer, newer))
        run = visit(server.port)
        warning = " ".join(alerts(run, Alert.WARNING))
        assert "zuletzt erfolgreich gebaute Stand" in warning
        assert ERFURT_FILE in warning
        assert run.problems() == []
        assert run.metrics()["Kooperationen"] == shown
        assert all(chart["data"] for chart in run.charts())
    assert (hashlib.sha256(db.read_bytes()).hexdigest(), db.stat().st_ino) == before


def test_every_hostile_search_is_searched_literally(healthy: AppServer, good_db: Path) -> None:
    """Each text typed into „Volltextsuche“ (HOSTILE_SEARCHES): the count is that of its terms,
    counted directly; no error; the charts' subtitle names it. The browser checks that none of it
    becomes markup (test_robustness.py)."""

    async def search_all() -> list[tuple[str, Run]]:
        async with StreamlitSession(healthy.port) as session:
            box = (await session.run()).widget_id("text_input", "Volltextsuche")
            runs = []
            for text in HOSTILE_SEARCHES:
                # As typed: a NUL cannot be typed, and the input takes at most its limit.
                typed = text.replace("\u0000", "")[:MAX_SEARCH_LENGTH]
                runs.append((typed, await session.run(widgets={box: ("string_value", typed)})))
            return runs

    for (text, terms), (typed, run) in zip(HOSTILE_SEARCHES.items(), asyncio.run(search_all()), strict=True):
        assert run.problems() == [], text
        found = expected_search_count(good_db, terms)
        assert run.metrics()["Kooperationen"] == fmt_int(found), text
        # Charts only where something is found; each names the search in its subtitle.
        subtitles = [html.unescape(c["layout"]["title"]["subtitle"]["text"]) for c in run.charts()]
        assert bool(subtitles) == (found > 0), text
        assert all(typed.strip()[:40] in s for s in subtitles), (text, subtitles[:1])
