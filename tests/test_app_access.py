"""Sign-in gate, roles, local mode and the Protokoll in Streamlit's AppTest (st.user seeded per test)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from ikz.store.access import Identity
from ikz.store.sqlite import Store
from tests.apptest import APP_TIMEOUT, open_app

# Whole-page AppTest runs and real builds: seconds each, so not in the fast tier.
pytestmark = pytest.mark.slow

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "ein-langes-zufaelliges-geheimnis-fuer-tests",
    "client_id": "ikz",
    "client_secret": "geheim",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
IKZ = {"editors": ["anna@erfurt.de"], "allowed_domains": ["erfurt.de"]}
EDITOR = {"sub": "a7f3", "email": "anna@erfurt.de", "name": "Anna Redakteurin"}
READER = {"sub": "b9c1", "email": "ben@erfurt.de", "name": "Ben Leser"}
DATA_ELEMENTS = ("plotly_chart", "dataframe", "metric")


def signed_in(*, user: dict | None = None, auth: bool = True) -> AppTest:
    """The start page with sign-in configured (auth) and user signed in (None: nobody)."""
    at = open_app()
    if auth:
        at.secrets["auth"] = AUTH
        at.secrets["ikz"] = IKZ
    at.user = {"is_logged_in": True, "iat": int(time.time()) - 60, **user} if user else {}
    return at


def data_shown(at: AppTest) -> int:
    return sum(len(at.get(kind)) for kind in DATA_ELEMENTS)


def texts(at: AppTest) -> str:
    parts = [
        e.value for kind in ("title", "markdown", "caption", "error", "warning", "info") for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", ["pages/explore.py", "pages/compare.py", "pages/protocol.py"])
def test_not_signed_in_sees_title_and_sign_in_only(on_built_db: Path, store: Store, page: str) -> None:
    at = signed_in()
    at.run()
    if page != "pages/explore.py":
        at.switch_page(page).run()
    assert not at.exception
    assert at.title[0].value == "IKZ Dashboard – Erfurt und Magdeburg"
    assert [b.label for b in at.button] == ["Anmelden"]
    assert data_shown(at) == 0
    assert "Abmelden" not in [b.label for b in at.sidebar.button]


def test_signed_in_reader_reads_and_sees_name_and_sign_out(on_built_db: Path, store: Store) -> None:
    at = signed_in(user=READER).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1  # the open chart tab (one chart per tab)
    sidebar = " ".join(e.value for e in [*at.sidebar.markdown, *at.sidebar.caption]).replace("\\", "")
    assert "Ben Leser" in sidebar and "ben@erfurt.de" in sidebar and "Lesezugriff" in sidebar
    assert "Abmelden" in [b.label for b in at.sidebar.button]


def test_reader_opening_the_protokoll_gets_no_permission_and_no_data(on_built_db: Path, store: Store) -> None:
    store.record_mark(Identity.local("Vorher"), cooperation_key="k", for_city="Erfurt", mark="ja", note=None)
    at = signed_in(user=READER).run()
    at.switch_page("pages/protocol.py").run()
    assert not at.exception
    assert "Keine Berechtigung" in texts(at)
    assert data_shown(at) == 0
    assert "Vorher" not in texts(at)


def test_editor_sees_the_protokoll_with_token_identities(on_built_db: Path, store: Store) -> None:
    anna = Identity(email="anna@erfurt.de", subject="a7f3", name="Anna Redakteurin", is_editor=True)
    store.record_mark(anna, cooperation_key="k1", for_city="Erfurt", mark="interessant", note=None)
    store.record_mark(Identity.local("Lokal"), cooperation_key="k2", for_city="Erfurt", mark=None, note=None)
    at = signed_in(user=EDITOR).run()
    at.switch_page("pages/protocol.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Person"]) == ["Lokal (lokal)", "Anna Redakteurin"]  # newest first
    assert list(table["E-Mail"]) == ["lokal", "anna@erfurt.de"]  # kept for the CSV and the details
    assert list(table["Kennung der Anmeldung"]) == ["lokal:Lokal", "a7f3"]
    at.selectbox(key="protokoll_person").set_value("anna@erfurt.de").run()
    assert list(at.dataframe[0].value["Person"]) == ["Anna Redakteurin"]


def test_expired_sign_in_is_signed_out(on_built_db: Path, store: Store) -> None:
    at = signed_in(user={**EDITOR, "iat": int(time.time()) - 13 * 3600}).run()
    assert not at.exception
    assert "abgelaufen" in texts(at)
    assert data_shown(at) == 0
    assert [b.label for b in at.button] == ["Anmelden"]


def test_broken_ikz_section_is_a_german_message(on_built_db: Path, store: Store) -> None:
    at = signed_in(user=EDITOR)
    at.secrets["ikz"] = {"editors": "kein-at-zeichen"}
    at.run()
    assert not at.exception
    assert "keine E-Mail-Adresse" in at.error[0].value
    assert data_shown(at) == 0


def test_local_mode_on_loopback_edits_with_a_given_name(
    on_built_db: Path, store: Store, server_address: None
) -> None:
    config.set_option("server.address", "127.0.0.1")
    at = signed_in(auth=False).run()
    assert not at.exception
    assert any("Lokaler Modus – ohne Anmeldung" in m.value for m in at.sidebar.markdown)
    assert len(at.get("plotly_chart")) == 1  # the open chart tab (one chart per tab)
    assert not at.warning
    at.switch_page("pages/protocol.py").run()
    # Reading needs no name: an empty Protokoll says so (nothing to export, so no name asked for).
    assert "Noch keine Änderungen gespeichert." in texts(at)
    assert not at.text_input
    at.switch_page("pages/maintain.py").run()
    assert [f.label for f in at.text_input] == ["Ihr Name"]  # editing asks for it first


def test_local_mode_on_a_network_address_is_read_only(
    on_built_db: Path, store: Store, server_address: None
) -> None:
    config.set_option("server.address", "0.0.0.0")
    at = signed_in(auth=False).run()
    assert not at.exception
    assert any("Nur Lesen" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 1  # reading stays possible: the open chart tab
    at.switch_page("pages/protocol.py").run()
    assert "Keine Berechtigung" in texts(at)
    assert data_shown(at) == 0


def _contacts() -> None:
    import streamlit as st

    from ikz.ui.identity import may_see_contacts

    st.write("ja" if may_see_contacts() else "nein")


@pytest.mark.parametrize(
    ("auth", "user", "address_value", "expected"),
    [
        (True, EDITOR, "127.0.0.1", "ja"),
        (True, READER, "0.0.0.0", "ja"),
        (True, None, "127.0.0.1", "nein"),
        (False, None, "127.0.0.1", "ja"),
        (False, None, "0.0.0.0", "nein"),
    ],
)
def test_contact_persons_only_for_signed_in_users(
    auth: bool, user: dict | None, address_value: str, expected: str, server_address: None
) -> None:
    config.set_option("server.address", address_value)
    at = AppTest.from_function(_contacts, default_timeout=APP_TIMEOUT)
    if auth:
        at.secrets["auth"] = AUTH
        at.secrets["ikz"] = IKZ
    at.user = {"is_logged_in": True, "iat": int(time.time()), **user} if user else {}
    at.run()
    assert at.markdown[0].value == expected


@pytest.mark.parametrize("with_contacts", [True, False])
def test_record_downloads_carry_contacts_only_when_allowed(on_built_db: Path, with_contacts: bool) -> None:
    """Ansprechpartner go into the Überblick's CSV only for those who may see contacts."""
    from ikz.present.export import records_csv
    from ikz.read.queries import ALL
    from ikz.ui import data

    header = data.deferred_records(ALL, records_csv, with_contacts=with_contacts)().decode("utf-8-sig")
    columns = header.splitlines()[0].split(";")
    assert "Bezeichnung / Thema" in columns
    assert ("Ansprechpartner" in columns) is with_contacts


def test_overview_download_leaves_out_contacts_on_a_network_address_without_sign_in(
    server_address: None,
) -> None:
    """Read-only on a network address without [auth]: nobody is signed in, no contact is shown."""
    from ikz.ui import identity

    config.set_option("server.address", "0.0.0.0")
    assert identity.may_see_contacts() is False
    config.set_option("server.address", "127.0.0.1")
    assert identity.may_see_contacts() is True
