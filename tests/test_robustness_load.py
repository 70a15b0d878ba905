"""Twenty browser sessions change filters at once on one server: no errors, no cross-talk.

The driver lives in benchmarks/load.py (run there for 60 s); here it runs shorter so CI stays fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ikz.build import build
from tests.live_app import chromium_missing_reason, serve_app

if reason := chromium_missing_reason():
    pytest.skip(reason, allow_module_level=True)

from benchmarks.load import run_load

pytestmark = pytest.mark.browser

SESSIONS = 20
SECONDS = 30


def test_concurrent_sessions_each_see_their_own_numbers(tmp_path: Path) -> None:
    db = tmp_path / "ikz.duckdb"
    build(db)
    with serve_app(db, tmp_path / "streamlit.log") as server:
        result = run_load(server, db, sessions=SESSIONS, seconds=SECONDS)
    print(result.summary())
    assert result.failures == []
    # Every session got through at least one full filter change under load.
    assert result.steps >= SESSIONS
