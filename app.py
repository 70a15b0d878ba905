"""Entry point of the IKZ Dashboard: page config, sign-in gate, navigation over the listed pages."""

from __future__ import annotations

import streamlit as st

from ikz.rules.cities import load_cities
from ikz.ui import data, german_ui, identity, warm

# The first run that sees a database version starts the warm-up of the states opened most (issue 21).
data.on_new_version(warm.start)
# A database built here stores those states' reads (at scale), for the first runs after a restart.
data.on_build(warm.precompute)

# An emoji favicon and no ":material/…" page icons: Streamlit loads a Material favicon (also a
# page's icon) from fonts.gstatic.com, and no page may make the browser contact a third party
# (the city's network may not even reach it). Button icons come from Streamlit's bundled font.
st.set_page_config(
    page_title=identity.TITLE,
    page_icon="🤝",
    layout="wide",
    initial_sidebar_state="expanded",
    menu_items={"About": f"IKZ Dashboard der Stabsstelle Strategie, {load_cities().owner}."},
)

st.html(
    """<style>
    /* Long key figures (an effect category's name) wrap instead of being cut off with an ellipsis. */
    [data-testid="stMetricValue"] div, [data-testid="stMetricValue"] p {
        white-space: normal !important; text-overflow: clip !important; overflow: visible !important;
        overflow-wrap: normal !important; word-break: normal !important; line-height: 1.15;
    }
    /* The fourth key figure is a category name, not a number: smaller, so it wraps at words. */
    [data-testid="stColumn"]:nth-child(4) [data-testid="stMetricValue"] {font-size: 1.5rem;}
    /* Key figure labels wrap rather than end in „…“ („Anteil verbindlicher Kooperationen“ at 1,280 px). */
    [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
        white-space: normal !important; text-overflow: clip !important; overflow: visible !important;
    }
    /* A chosen filter value shows its whole name (a long Kooperationsform), wrapping if need be. */
    [data-testid="stMultiSelect"] [data-tag] {max-width: 100% !important; height: auto !important;}
    [data-testid="stMultiSelect"] [data-tag] > span {
        white-space: normal !important; text-overflow: clip !important; overflow: visible !important;
        max-width: none !important;
    }
    /* WCAG 2.1 AA contrast: Streamlit's captions are text colour at 60 % opacity (#828180 on
       white, 3.9:1); they become ikz.present.theme.MUTED_COLOR at full opacity (#5F6B76, 5.4:1). */
    [data-testid="stCaptionContainer"] {opacity: 1 !important;}
    [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {color: #5F6B76 !important;}
    </style>"""
)

# Accessible names for the charts: each chart element gets role "figure" and "Diagramm: <title>" from
# st.plotly_chart's alt (pages/layout.show_chart); its numbers are in „Daten als Tabelle“ below it.
# Streamlit's own English (multiselect's „Select all“, the uploader, „Stop“, …): see pages/german_ui.
st.html(german_ui.script(), unsafe_allow_javascript=True)

editor = identity.may_edit()
pages = [
    st.Page(
        "pages/explore.py",
        title="Überblick",
        # The default page is served at the app's root URL; Streamlit ignores a url_path here.
        default=True,
    ),
    # Named after the default pair; the page itself lets the person choose any two cities.
    st.Page(
        "pages/compare.py", title="Vergleich {} – {}".format(*load_cities().compare), url_path="vergleich"
    ),
    st.Page("pages/karte.py", title="Karte", url_path="karte"),
    # Listed for everybody so its address always resolves; the pages themselves refuse non-editors.
    st.Page(
        "pages/review.py", title="Prüfen", url_path="pruefen", visibility="visible" if editor else "hidden"
    ),
    st.Page(
        "pages/maintain.py",
        title="Daten pflegen",
        url_path="pflegen",
        visibility="visible" if editor else "hidden",
    ),
    # Listed for everybody so its address always resolves; the page itself refuses non-editors.
    st.Page(
        "pages/protocol.py",
        title="Protokoll",
        url_path="protokoll",
        visibility="visible" if editor else "hidden",
    ),
]
signed_in = identity.gate()
navigation = st.navigation(pages, position="sidebar" if signed_in else "hidden")
if signed_in:
    identity.sidebar_account()
    navigation.run()
