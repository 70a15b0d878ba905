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
