"""A chart's numbers as a table („Daten als Tabelle“): the text alternative every chart offers (pure).

Read back from the finished Plotly figure, so the table always shows exactly what the chart draws,
whichever builder made it: bars (one row per category and series), heatmaps (one row per row
of the matrix) and treemaps (one row per tile with its path).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl

from ikz.core.numbers import fmt_decimal, fmt_int

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\r\n]+")  # not the no-break space of '12,3 %'


def plain(label: object) -> str:
    """A Plotly label as plain text: line breaks become spaces, markup and entities are resolved."""
    text = _BREAK.sub(" ", str(label))
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", text))).strip(" ")


def number(value: Any) -> str:
    """A value in German notation: whole numbers with thousands dot, others with one decimal."""
    if value is None or isinstance(value, str):
        return plain(value or "")
    if float(value).is_integer():
        return fmt_int(value)
    return fmt_decimal(float(value))


def _axis_title(fig: go.Figure, axis_ref: str | None, letter: str) -> str:
    """The title of the axis a trace uses ('x', 'x2', …), '' when it has none."""
    name = (axis_ref or letter).replace(letter, f"{letter}axis", 1)
    try:
        axis = fig.layout[name]
    except (KeyError, ValueError):
        return ""
    return plain(axis.title.text) if axis is not None and axis.title.text else ""


def _seq(values: Any) -> list:
    return [] if values is None else list(values)


def _bars(fig: go.Figure, traces: Sequence[Any]) -> pl.DataFrame:
    first = traces[0]
    horizontal = first.orientation == "h"
    category_letter, value_letter = ("y", "x") if horizontal else ("x", "y")
    category_title = _axis_title(fig, getattr(first, f"{category_letter}axis"), category_letter)
    value_title = _axis_title(fig, getattr(first, f"{value_letter}axis"), value_letter)
    named = len({t.name for t in traces}) > 1 or any(t.name for t in traces)
    rows: list[dict[str, str]] = []
    for trace in traces:
        categories = _seq(trace[category_letter])
        # A two-level axis (Plotly's multicategory: [groups, categories]) gives each bar a group.
        groups: list | None = None
        if len(categories) == 2 and all(isinstance(c, (list, tuple)) for c in categories):
            groups, categories = list(categories[0]), list(categories[1])
        values = _seq(trace[value_letter])
        texts = _seq(trace.text) if not isinstance(trace.text, str) else [trace.text] * len(values)
        for i, (category, value) in enumerate(zip(categories, values, strict=False)):
            if value is None:  # no bar drawn here (a series that has no value in this row)
                continue
            row = {"Gruppe": plain(groups[i])} if groups is not None else {}
            row["Kategorie"] = plain(category)
            if named:
                row["Reihe"] = plain(trace.name or "")
            row["Wert"] = number(value)
            if texts:
                row["Beschriftung"] = plain(texts[i]) if i < len(texts) else ""
            rows.append(row)
    frame = pl.DataFrame(rows)
    # Plotly draws the first category of horizontal bars at the bottom: the table reads top-down.
    axis = fig.layout[f"{category_letter}axis"]
    if horizontal and axis.autorange != "reversed":
        frame = frame.reverse()
    return frame.rename(
        {
            "Kategorie": category_title or "Kategorie",
            "Wert": value_title or "Wert",
        }
    )


def _heatmap(fig: go.Figure, trace: Any) -> pl.DataFrame:
    rows_title = _axis_title(fig, trace.yaxis, "y") or "Kategorie"
    columns = [plain(c) for c in _seq(trace.x)]
    data: dict[str, list[str]] = {rows_title: [plain(r) for r in _seq(trace.y)]}
    matrix = [_seq(r) for r in _seq(trace.z)]
    for j, column in enumerate(columns):
        data[column] = [number(row[j]) if j < len(row) else "" for row in matrix]
    return pl.DataFrame(data)


def _treemap(trace: Any) -> pl.DataFrame:
    ids = _seq(trace.ids) or _seq(trace.labels)
    labels = dict(zip(ids, (plain(label) for label in _seq(trace.labels)), strict=False))
    parents = dict(zip(ids, _seq(trace.parents), strict=False))

    def path(node: str) -> str:
        parts: list[str] = []
        while node:
            parts.append(labels.get(node, plain(node)))
            node = parents.get(node, "")
        return " → ".join(reversed(parts))

    return pl.DataFrame(
        {
            "Ebene": [path(i).count("→") + 1 for i in ids],
            "Pfad": [path(i) for i in ids],
            "Anzahl": [number(v) for v in _seq(trace.values)],
        }
    )


def figure_table(fig: go.Figure) -> pl.DataFrame:
    """The numbers a figure shows, as a table with German headers and German number format."""
    traces = [t for t in fig.data if t.visible is not False]
    if not traces:
        return pl.DataFrame()
    kind = traces[0].type
    if kind == "heatmap":
        return _heatmap(fig, traces[0])
    if kind == "treemap":
        return _treemap(traces[0])
    bars = [t for t in traces if t.type == "bar"]
    if bars:
        return _bars(fig, bars)
    # Any other trace: its points as x and y.
    rows = [
        {"x": plain(x), "y": number(y), "Reihe": plain(t.name or "")}
        for t in traces
        for x, y in zip(_seq(getattr(t, "x", None)), _seq(getattr(t, "y", None)), strict=False)
    ]
    return pl.DataFrame(rows)


def figure_title(fig: go.Figure) -> str:
    """The chart's title as plain text (its accessible name), '' when it has none."""
    return plain(fig.layout.title.text or "")
