"""Who is using the app, for the pages: the acting identity and the guard of every edit page.

Local mode (no `[auth]` in .streamlit/secrets.toml): a person gives their name once per session;
editing is allowed only while the server listens on a loopback address. The sign-in issue
extends this module with st.login; pages only call the functions below.
"""

from __future__ import annotations

import streamlit as st

from ikz.access import Identity, PermissionDenied, require_editor

LOOPBACK = ("127.0.0.1", "localhost", "::1")
NAME_KEY = "lokal_name"


def local_mode() -> bool:
    """True without an [auth] section in the secrets: no sign-in configured."""
    try:
        return "auth" not in st.secrets
    except FileNotFoundError:
        return True


def on_loopback() -> bool:
    """True while the server listens only on a loopback address (what local mode may edit on)."""
    return str(st.get_option("server.address") or "") in LOOPBACK


def current_identity() -> Identity | None:
    """The acting identity, or None when nobody has said who they are (local mode) yet."""
    name = st.session_state.get(NAME_KEY, "")
    if not name:
        return None
    return Identity.local(name, is_editor=on_loopback())


def editor_identity() -> Identity:
    """The identity of an editor on an edit page; otherwise explains why in German and stops the page."""
    if not on_loopback():
        st.error(
            "Keine Berechtigung: Ohne Anmeldung (lokaler Modus) darf nur bearbeitet werden, solange der "
            "Server ausschließlich auf dieser Maschine (127.0.0.1) erreichbar ist.",
            icon="🔒",
        )
        st.stop()
    identity = current_identity()
    if identity is None:
        st.info(
            "Lokaler Modus – ohne Anmeldung. Bitte einmal Ihren Namen angeben: "
            "jede Änderung wird damit gespeichert."
        )
        with st.form("lokal_name_form"):
            name = st.text_input("Ihr Name", max_chars=80)
            if st.form_submit_button("Weiter") and name.strip():
                st.session_state[NAME_KEY] = name.strip()
                st.rerun()
        st.stop()
    try:
        return require_editor(identity)
    except PermissionDenied as exc:
        st.error(str(exc), icon="🔒")
        st.stop()
        raise  # st.stop() raises already; this keeps type checkers content
