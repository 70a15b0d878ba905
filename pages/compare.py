"""Vergleich Erfurt – Magdeburg (wird ausgebaut)."""

from __future__ import annotations

import streamlit as st

from pages.common import database, presentation_toggle, sidebar_filters

db = database()
presentation_toggle()
sidebar_filters(db)
st.title("Vergleich Erfurt – Magdeburg")
st.info("Diese Seite wird gerade aufgebaut.")
