"""Whole pages in Streamlit's AppTest: app.py opened on one page, as a browser tab opens it.

The fixtures around it (a database, a store, the server address) are in tests/conftest.py.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import ikz.ui.layout
from ikz.core.paths import ROOT
from ikz.present.export import DeckSpec
from ikz.ui.export_panel import ExportOffer
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


def offered_decks(monkeypatch: pytest.MonkeyPatch, *, draw: bool = True) -> list[DeckSpec]:
    """The deck specs the pages' export panels offer, made in the run as a click would make them
    (the panel itself makes one only on a click); draw=False: the panel is not drawn at all."""
    offered: list[DeckSpec] = []
    panel = ikz.ui.layout.export_panel

    def capture(key: str, offer: ExportOffer) -> None:
        offered.append(offer.make())
        if draw:
            panel(key, offer)

    monkeypatch.setattr(ikz.ui.layout, "export_panel", capture)
    return offered
