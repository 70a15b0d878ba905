"""Who is using the app, for the pages: sign-in gate, the acting identity and the guard of every edit page.

Two modes, chosen by .streamlit/secrets.toml:
- **Anmeldung** (an `[auth]` section): Streamlit's st.login against the city's OIDC provider.
  Every signed-in person may read (optionally only from `[ikz] allowed_domains`); the e-mail
  addresses in `[ikz] editors` may write. The identity comes from the ID token (e-mail, sub).
- **Lokaler Modus** (no `[auth]`): a person gives their name once per session; editing is
  allowed only while the server listens on a loopback address, otherwise the app is read-only.

`token_claims()` is the only place that reads st.user; the decisions are in ikz.store.access (pure).
Pages only call the functions below.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import streamlit as st

from ikz.rules.cities import joined, load_cities
from ikz.store.access import AccessConfigError, AccessRules, Identity, PermissionDenied, identity_from_claims
from ikz.store.access import require_editor as _require_editor

LOOPBACK = ("127.0.0.1", "localhost", "::1")
NAME_KEY = "lokal_name"
TITLE = f"IKZ Dashboard – {joined(load_cities().names)}"
LOCAL_NOTE = "Lokaler Modus – ohne Anmeldung"
READ_ONLY_REASON = (
    "Nur Lesen: Ohne Anmeldung (lokaler Modus) darf nur bearbeitet werden, solange der Server "
    "ausschließlich auf dieser Maschine (127.0.0.1) erreichbar ist. Dieser Server ist im Netz "
    "erreichbar; für Änderungen bitte die Anmeldung einrichten (Abschnitt [auth] in "
    ".streamlit/secrets.toml, siehe README)."
)


def _secrets_section(name: str) -> Any:
    """A section of the secrets, or None when there is none (or no secrets file at all)."""
    try:
        return st.secrets.get(name)
    except FileNotFoundError:
        # Streamlit raises this for a missing file and for one it cannot parse. A broken file must
        # not fall back to local mode (no sign-in): the dashboard stays closed until it is fixed.
        if any(Path(p).is_file() for p in st.get_option("secrets.files") or ()):
            st.error(
                "Die Datei .streamlit/secrets.toml kann nicht gelesen werden (kein gültiges TOML). "
                "Bis sie korrigiert ist, bleibt das Dashboard gesperrt.",
                icon="🚫",
            )
            st.stop()
        return None


def auth_configured() -> bool:
    """True with an [auth] section in the secrets: sign-in through the city's provider."""
    return _secrets_section("auth") is not None


def local_mode() -> bool:
    """True without an [auth] section in the secrets: no sign-in configured."""
    return not auth_configured()


def on_loopback() -> bool:
    """True while the server listens only on a loopback address (what local mode may edit on)."""
    return str(st.get_option("server.address") or "") in LOOPBACK


def access_rules() -> AccessRules:
    """Editors, allowed domains and session length from `[ikz]`; a malformed section stops the page."""
    try:
        return AccessRules.from_settings(_secrets_section("ikz"))
    except AccessConfigError as exc:
        st.error(str(exc), icon="🚫")
        st.stop()
        raise  # st.stop() raises already


def token_claims() -> dict[str, Any] | None:
    """The ID token's claims while somebody is signed in, else None (the one reader of st.user)."""
    info = st.user.to_dict()
    if info.get("is_logged_in") is not True:
        return None
    return {k: v for k, v in info.items() if k not in ("is_logged_in", "tokens")}


def _signed_in() -> tuple[Identity | None, str | None]:
    """(identity, None) when signed in and allowed to read; (None, German reason or None) otherwise."""
    claims = token_claims()
    if claims is None:
        return None, None
    try:
        return identity_from_claims(claims, access_rules(), now=time.time()), None
    except PermissionDenied as exc:
        return None, str(exc)


def current_identity() -> Identity | None:
    """The acting identity, or None (not signed in; in local mode: no name given yet)."""
    if auth_configured():
        return _signed_in()[0]
    name = st.session_state.get(NAME_KEY, "")
    if not name:
        return None
    return Identity.local(name, is_editor=on_loopback())


def read_only_reason() -> str | None:
    """Why nobody may edit on this server (local mode on a network address), else None."""
    if local_mode() and not on_loopback():
        return READ_ONLY_REASON
    return None


def may_edit() -> bool:
    """True when the acting person may write (for showing edit links; the pages still check)."""
    if local_mode():
        return on_loopback()
    identity = current_identity()
    return identity is not None and identity.is_editor


def may_see_contacts() -> bool:
    """True when contact persons (Ansprechpartner) may be shown: to signed-in users only.

    In local mode that is the office's own machine (loopback); on a network address without
    sign-in nobody is signed in, so contacts stay hidden.
    """
    if local_mode():
        return on_loopback()
    return current_identity() is not None


def gate() -> bool:
    """Show the sign-in screen and return False when the visitor must sign in first; else True.

    app.py calls this before running any page, so without sign-in no page's data is ever read.
    """
    if local_mode():
        return True
    identity, reason = _signed_in()
    if identity is not None:
        return True
    st.title(TITLE)
    st.markdown(
        "Das Dashboard der Stabsstelle Strategie ist nur für Beschäftigte der Stadtverwaltung. "
        "Bitte melden Sie sich mit Ihrem Dienstkonto an."
    )
    if reason:
        st.warning(reason, icon="🔒")
    st.button("Anmelden", type="primary", on_click=st.login, key="anmelden")
    return False


def sidebar_account() -> None:
    """The sidebar's account box: signed-in name and „Abmelden“, or the local-mode note."""
    box = st.sidebar.container(border=True)
    if local_mode():
        box.markdown(f"**{LOCAL_NOTE}**")
        if reason := read_only_reason():
            box.caption("Nur Lesen: Der Server ist im Netz erreichbar; Bearbeiten ist abgeschaltet.")
            st.warning(reason, icon="🔒")
        elif name := st.session_state.get(NAME_KEY):
            box.caption(f"Änderungen werden als „{name}“ gespeichert.")
        return
    identity = current_identity()
    if identity is None:
        return
    role = "Redaktion" if identity.is_editor else "Lesezugriff"
    box.markdown(f"Angemeldet: **{_plain(identity.name)}**")
    box.caption(f"{_plain(identity.email)} · {role}")
    box.button("Abmelden", on_click=st.logout, key="abmelden", icon=":material/logout:")


def _plain(text: str) -> str:
    """Token text for Markdown: Markdown and Streamlit ':…:' characters escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$:" else c for c in text)


def _deny(message: str) -> None:
    st.title("Keine Berechtigung")
    st.error(message, icon="🔒")
    st.stop()


def editor_reader() -> Identity | None:
    """On a page only editors may open: the editor's identity, or None in local mode before a name is given.

    Anybody else gets „Keine Berechtigung“ and the page stops, before any of its data is read.
    Reading needs no name; only a write does (editor_identity, ask_local_name).
    """
    if auth_configured():
        identity, reason = _signed_in()
        if identity is None:
            _deny(reason or "Keine Berechtigung: Bitte zuerst anmelden.")
        try:
            return _require_editor(identity)
        except PermissionDenied as exc:
            _deny(str(exc))
            raise  # st.stop() raises already; this keeps type checkers content
    if not on_loopback():
        _deny(
            "Keine Berechtigung: Ohne Anmeldung (lokaler Modus) darf nur bearbeitet werden, solange der "
            "Server ausschließlich auf dieser Maschine (127.0.0.1) erreichbar ist."
        )
    identity = current_identity()
    if identity is None:
        return None
    try:
        return _require_editor(identity)
    except PermissionDenied as exc:
        _deny(str(exc))
        raise


def ask_local_name(message: str) -> None:
    """Local mode: the form that asks once per session for the name every change is saved under."""
    st.info(message)
    with st.form("lokal_name_form"):
        name = st.text_input("Ihr Name", max_chars=80)
        if st.form_submit_button("Weiter") and name.strip():
            st.session_state[NAME_KEY] = name.strip()
            st.rerun()


def editor_identity() -> Identity:
    """The identity of an editor on an edit page; otherwise explains why in German and stops the page.

    Called first on every edit page, before anything of the page's data is read.
    """
    identity = editor_reader()
    if identity is None:
        ask_local_name(
            f"{LOCAL_NOTE}. Bitte einmal Ihren Namen angeben: jede Änderung wird damit gespeichert."
        )
        st.stop()
        raise AssertionError  # st.stop() raises already; this keeps type checkers content
    return identity
