"""Entry point of the IKZ Dashboard: page config, navigation over the pages listed explicitly."""

from __future__ import annotations

import streamlit as st

st.set_page_config(
    page_title="IKZ Dashboard – Erfurt und Magdeburg",
    page_icon=":material/handshake:",
    layout="wide",
    initial_sidebar_state="expanded",
    menu_items={"About": "IKZ Dashboard der Stabsstelle Strategie, Landeshauptstadt Erfurt."},
)

# Long key figures (an effect category's name) wrap instead of being cut off with an ellipsis.
st.html(
    """<style>
    [data-testid="stMetricValue"] div, [data-testid="stMetricValue"] p {
        white-space: normal !important; text-overflow: clip !important; overflow: visible !important;
        overflow-wrap: normal !important; word-break: normal !important; line-height: 1.15;
    }
    /* The fourth key figure is a category name, not a number: smaller, so it wraps at words. */
    [data-testid="stColumn"]:nth-child(4) [data-testid="stMetricValue"] {font-size: 1.5rem;}
    </style>"""
)

pages = [
    st.Page(
        "pages/explore.py",
        title="Überblick",
        icon=":material/dashboard:",
        # The default page is served at the app's root URL; Streamlit ignores a url_path here.
        default=True,
    ),
    st.Page(
        "pages/compare.py",
        title="Vergleich Erfurt – Magdeburg",
        icon=":material/compare_arrows:",
        url_path="vergleich",
    ),
    st.Page("pages/review.py", title="Prüfen", icon=":material/fact_check:", url_path="pruefen"),
    st.Page("pages/maintain.py", title="Daten pflegen", icon=":material/edit_note:", url_path="pflegen"),
]
st.navigation(pages, position="sidebar").run()
