"""ikz/ui/data.py's reads: each is its query minus the connection, cached per query, arguments and
database version (without a Streamlit server: st.cache_data works in a plain process)."""

from __future__ import annotations

import inspect
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import streamlit as st

from ikz.present import labels
from ikz.read import queries
from ikz.read.queries import ALL, Filters
from ikz.ui import data

CALLS: list[tuple] = []


def counted(con: duckdb.DuckDBPyConnection, city: str, *, twice: bool = False) -> int:
    """A query that records each time it really runs."""
    CALLS.append((city, twice))
    n = con.execute("SELECT count(*) FROM cooperation_wide WHERE city = ?", [city]).fetchone()[0]
    return 2 * n if twice else n


@pytest.fixture
def db(own_db: Path) -> Iterator[Path]:
    """A copy of the session database as the pages' database, with empty caches."""
    st.cache_data.clear()
    CALLS.clear()
    yield own_db
    st.cache_data.clear()


def test_a_read_has_its_querys_signature_without_the_connection() -> None:
    assert list(inspect.signature(data.overview).parameters) == ["filters", "top_departments", "top_tree"]
    assert list(inspect.signature(data.record_detail).parameters) == ["cooperation_id"]
    assert data.overview.__doc__ == queries.overview.__doc__
    assert data.overview.query is queries.overview


def test_a_read_runs_its_query_once_per_arguments_and_database_version(db: Path) -> None:
    read = data.Read(counted)
    with duckdb.connect(str(db), read_only=True) as con:
        erfurt = con.execute("SELECT count(*) FROM cooperation_wide WHERE city = 'Erfurt'").fetchone()[0]
    assert erfurt > 0
    assert read("Erfurt") == read("Erfurt") == erfurt
    assert read("Erfurt", twice=True) == 2 * erfurt
    assert CALLS == [("Erfurt", False), ("Erfurt", True)]
    # A new file (as a rebuild leaves it) is a new version: the query runs again.
    shutil.copyfile(db, db.with_suffix(".new"))
    db.with_suffix(".new").replace(db)
    assert read("Erfurt") == erfurt
    assert CALLS[-1] == ("Erfurt", False) and len(CALLS) == 3


def test_reads_with_the_same_arguments_keep_apart(db: Path) -> None:
    # Both reads take filters=ALL; one shared cache would hand the second the first one's result.
    with duckdb.connect(str(db), read_only=True) as con:
        assert data.key_figures(filters=ALL) == queries.key_figures(con, filters=ALL)
        assert data.origin_sums(filters=ALL) == labels.origin_sums(queries.origin_counts(con, filters=ALL))
        magdeburg = Filters(cities=("Magdeburg",))
        assert data.records(filters=magdeburg).equals(queries.records(con, filters=magdeburg))
        assert data.checked_values(filters=magdeburg).equals(queries.checked_values(con, filters=magdeburg))


@pytest.mark.parametrize("page", [None, "pages/compare.py", "pages/karte.py"])
def test_a_cached_figure_is_what_to_plotly_json_gives(
    on_built_db: Path, store: object, monkeypatch: pytest.MonkeyPatch, page: str | None
) -> None:
    """data._plain takes a new figure's own dicts instead of to_plotly_json's copy: the same values
    (no numpy array among them, which to_plotly_json would have encoded), for every chart of a page."""
    from tests.apptest import offered_decks, open_app

    compared: list[str] = []
    plain = data._plain

    def checked(fig: object) -> dict:
        expected = fig.to_plotly_json()  # type: ignore[attr-defined]
        got = plain(fig)  # type: ignore[arg-type]
        assert got == expected
        compared.append(got["layout"].get("title", {}).get("text", ""))
        return got

    monkeypatch.setattr(data, "_plain", checked)
    offered_decks(monkeypatch, draw=False)  # the export's spec makes every chart of the page
    st.cache_data.clear()
    at = open_app(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(compared) >= 1 + (page != "pages/karte.py")  # a chart page makes several figures
    st.cache_data.clear()


def test_a_cached_read_hashes_its_key_only(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit hashes a cached function's arguments on every call; a read passes the file, its
    arguments and the Filters unhashed, so only the key string (and its name) is hashed."""
    from streamlit.runtime.caching import cache_utils

    hashed: list[object] = []
    original = cache_utils.update_hash

    def counting(value: object, *args: object, **kwargs: object) -> None:
        hashed.append(value)
        original(value, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_utils, "update_hash", counting)
    filters = Filters(types=("Zweckverband",))
    data.overview(filters=filters, top_departments=3, top_tree=3)  # the miss
    hashed.clear()
    data.overview(filters=filters, top_departments=3, top_tree=3)  # the hit
    assert len(hashed) == 2 and hashed[0] == "key" and isinstance(hashed[1], str)


@pytest.mark.parametrize("page", [None, "pages/compare.py", "pages/karte.py"])
def test_a_drawn_figure_sends_what_plotly_would(
    on_built_db: Path, store: object, monkeypatch: pytest.MonkeyPatch, page: str | None
) -> None:
    """DrawnFigure.to_dict (what st.plotly_chart sends) skips Plotly's figure and its copies: the
    same JSON as a go.Figure of the same spec gives, for every chart a page draws."""
    import plotly.io as pio

    from tests.apptest import open_app

    compared: list[str] = []
    shallow = data.DrawnFigure.to_dict

    def checked(self: data.DrawnFigure) -> dict:
        got = shallow(self)
        sent, plotly = (json.loads(pio.to_json(f, validate=False)) for f in (got, self.figure().to_dict()))
        assert sent == plotly
        compared.append(got["layout"].get("title", {}).get("text", ""))
        return got

    monkeypatch.setattr(data.DrawnFigure, "to_dict", checked)
    st.cache_data.clear()
    at = open_app(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert compared, "the page drew no chart"
    st.cache_data.clear()
