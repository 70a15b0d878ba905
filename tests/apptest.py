"""Whole pages in Streamlit's AppTest: app.py opened on one page, as a browser tab opens it.

The fixtures around it (a database, a store, the server address) are in tests/conftest.py.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ikz.core.paths import ROOT
from ikz.ui.identity import NAME_KEY

APP_TIMEOUT = 120  # seconds for one script run at most: a first run fills caches on a busy machine


def open_app(page: str | None = None, *, local_name: str | None = None) -> AppTest:
    """app.py in AppTest, switched to page (e.g. "pages/compare.py"; None: the start page), not run
    yet; with local_name the local-mode name a person gave (ikz.ui.identity) is set."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    if page:
        at.switch_page(page)
    if local_name:
        at.session_state[NAME_KEY] = local_name
    return at
