"""Twenty sessions change filters at once on one server for 40 s: no errors, no cross-talk.

The sessions speak Streamlit's websocket protocol (tests/ws_client.py), as a browser tab does, so
the test loads the server rather than twenty Chromium tabs on two cores. The driver is
benchmarks/load.py; `--client browser` there runs the same with real tabs.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from benchmarks.load import COMPARE_TAB, check_compare, check_explore, expected_views, run_load, total_view
from ikz.present.labels import describe_filters
from ikz.read.queries import Filters
from tests.live_app import AppServer, copy_of, serve_app
from tests.ws_client import StreamlitSession

SESSIONS = 20
# A fault test: every session's first run and filter changes after it, at once. Throughput is
# measured by the load benchmark (python -m benchmarks.load, 60 s; docs/performance.md).
SECONDS = 40


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_db: Path) -> Iterator[AppServer]:
    tmp = tmp_path_factory.mktemp("load")
    db = copy_of(built_db, tmp / "ikz.duckdb")
    with serve_app(db, tmp / "streamlit.log") as running:
        yield running


@pytest.mark.load
def test_concurrent_sessions_each_see_their_own_numbers(server: AppServer) -> None:
    result = run_load(server, server.db, sessions=SESSIONS, seconds=SECONDS)
    print(result.summary())
    assert result.failures == []
    # Every session got through its first run and filter changes after it, on both pages.
    assert result.steps >= 2 * SESSIONS
    assert set(result.steps_by_page) == {"ueberblick", "vergleich"}
    # The sampler saw the server (a Streamlit server alone takes well over 100 MB) within budget.
    assert 100 < result.server_rss_mb_peak < 1000


@pytest.mark.slow
def test_a_direct_link_to_a_sub_page_opens_it_on_a_fresh_server(tmp_path: Path, built_db: Path) -> None:
    """A mailed …/vergleich link as the server's very first request: the page, no „Page not found“."""
    db = tmp_path / "ikz.duckdb"
    shutil.copyfile(built_db, db)

    async def first_visit(port: int):
        async with StreamlitSession(port, page="vergleich") as session:
            # The tab of a chart in the link too (one chart per tab, the open one in the URL).
            return await session.run(query_string="art=Netzwerk&vergleich_diagramm=Kooperationsform")

    with serve_app(db, tmp_path / "streamlit.log") as fresh:
        run = asyncio.run(first_visit(fresh.port))
    assert run.problems() == []
    assert not run.page_not_found
    assert any("im Vergleich" in chart["layout"]["title"]["text"] for chart in run.charts())


def pick(port: int, kind: str, city: str | None, *, page: str = ""):
    """One session's run after choosing kind (and city) in the sidebar."""

    async def go():
        async with StreamlitSession(port, page=page) as session:
            # On the Vergleich the tab of the chart check_compare reads (the open tab is in the URL).
            run = await session.run(query_string=urlencode(COMPARE_TAB) if page == "vergleich" else None)
            widgets = {run.widget_id("multiselect", "Kooperationsart"): ("string_array_value", [kind])}
            if city:
                widgets[run.widget_id("multiselect", "Stadt")] = ("string_array_value", [city])
            return await session.run(widgets=widgets)

    return asyncio.run(go())


@pytest.mark.slow
def test_the_checks_see_numbers_that_belong_to_another_view(server: AppServer) -> None:
    """Cross-talk would show another view's numbers: the checks must catch exactly that."""
    views = expected_views(server.db)
    mine = ("Zweckverband", "Erfurt")
    other = ("Arbeitskreis", None)
    assert views[mine].cooperations != views[other].cooperations
    run = pick(server.port, *mine)
    subtitle = describe_filters(Filters(cities=("Erfurt",), types=("Zweckverband",)))
    assert check_explore(run, views[mine], subtitle, "Zweckverband") == []
    other_subtitle = describe_filters(Filters(types=("Arbeitskreis",)))
    wrong = check_explore(run, views[other], other_subtitle, "Arbeitskreis")
    assert any(w.startswith("Kooperationen ") for w in wrong)
    assert any(w.startswith("Untertitel ") for w in wrong)
    assert any("nach Kooperationsart" in w for w in wrong)
    assert check_explore(run, total_view(server.db), describe_filters(Filters()), None) != []

    compared = pick(server.port, "Netzwerk", None, page="vergleich")
    assert check_compare(compared, views[("Netzwerk", None)], "Netzwerk") == []
    assert check_compare(compared, views[("Arbeitskreis", None)], "Arbeitskreis") != []
