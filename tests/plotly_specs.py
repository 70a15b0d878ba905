"""The figures a page sent, checked against Plotly's schema: the chart builders skip Plotly's
validation for speed (ikz.present.charts.figure_of), so a misspelt property would otherwise pass unseen."""

from __future__ import annotations

import html
import json

import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest


def assert_valid_figures(at: AppTest) -> int:
    """Validate every Plotly chart of the run at (raises on an unknown property); how many."""
    specs = [json.loads(element.proto.spec) for element in at.get("plotly_chart")]
    for spec in specs:
        go.Figure(spec)  # validates every trace and layout property
    return len(specs)


def figures_by_title(at: AppTest) -> dict[str, dict]:
    """The page's Plotly figures (as sent) by title, markup removed."""
    found = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        title = html.unescape(spec["layout"]["title"]["text"].replace("<b>", "").replace("</b>", ""))
        found[title] = spec
    return found


def tab_labels(at: AppTest, key: str = "ueberblick_diagramm") -> list[str]:
    """The labels of the tab group bound to the URL parameter key."""
    (group,) = [b for b in at.get("tab_container") if b.proto.tab_container.query_param_key == key]
    return [tab.label for tab in group.children.values()]


def chart_titles(at: AppTest) -> list[str]:
    """The titles of the Plotly charts the run sent, in page order."""
    return [json.loads(e.proto.spec)["layout"]["title"]["text"] for e in at.get("plotly_chart")]


def visit_tabs(at: AppTest, key: str = "ueberblick_diagramm", *, tables: bool = True) -> dict[str, list[str]]:
    """Open each tab of the page's chart tabs (st.tabs bound to key) in turn; per tab label the titles
    of the charts the run drew, each figure validated, each with its „Daten als Tabelle“ (not in the
    Präsentationsansicht: tables=False, then none). The tab open at the start is opened again last."""
    labels = tab_labels(at, key)
    start = at.session_state[key] if key in at.session_state else labels[0]
    seen: dict[str, list[str]] = {}
    for label in [*labels, start]:
        at.session_state[key] = label
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert_valid_figures(at)
        seen[label] = chart_titles(at)
        # Every drawn chart has its numbers below it, „Daten als Tabelle“ (the text alternative).
        shown_tables = [e.label for e in at.expander].count("Daten als Tabelle")
        assert shown_tables == (len(seen[label]) if tables else 0)
    return seen
