"""Charts fitted to a slide image: every category named at the export size, or split over slides.

A slide's chart image has a fixed size (ikz.present.export.spec.DECK_IMAGE_WIDTH × DECK_IMAGE_HEIGHT), so
the dashboard's figure, which grows with its rows on screen, is squeezed into it. Squeezed, Plotly
labels only every second category and two-line labels print over each other. Here a figure (a plain
dict, as ikz.present.export.spec.deck_figure makes it) is measured against that height:

- bar charts whose rows are categories are cut into parts that each fit (`split_rows`);
- a heatmap keeps its largest rows and columns with big numbers, the rest goes into a table
  (`condense_heatmap`);
- a legend taller than the plot moves below it, its groups side by side (`fit_legend`).

Pure functions on figure dicts: no Plotly objects, no browser.
"""

from __future__ import annotations

import copy
import html
import math
import re
import textwrap
from dataclasses import dataclass
from typing import Any

# Heights in font sizes: a tick label's line (Plotly's line spacing), the gap between rows, a
# legend entry.
LINE = 1.3
ROW_GAP = 0.5
LEGEND_ENTRY = 1.45
LEGEND_TITLE = 1.9
# A heatmap on a slide: at most this many columns and rows, its numbers this much larger than the
# chart font, and its column names wrapped at this many characters (level, not turned).
HEATMAP_COLUMNS = 6
HEATMAP_ROWS = 12
HEATMAP_TEXT = 1.15
HEATMAP_WRAP = 16
# A slide image is 1100 px wide: its row labels may take this many characters a line, where a
# half-width dashboard column broke them after 24 (three-line names made every row three lines high).
SLIDE_LABEL_WRAP = 40
# Plotly's default margins, for figures that do not set their own.
_DEFAULT_MARGIN = {"t": 100, "b": 80, "l": 80, "r": 80}
_TAG = re.compile(r"<[^>]*>")


def plain(label: object) -> str:
    """A Plotly label as the reader sees it: line breaks as spaces, no markup, entities resolved."""
    return html.unescape(_TAG.sub("", str(label).replace("<br>", " "))).strip()


def font_size(fig: dict) -> float:
    """The figure's base font size in px (Plotly's default 12 when unset)."""
    return float(fig.get("layout", {}).get("font", {}).get("size", 12))


def _margin(layout: dict, side: str) -> float:
    return float(layout.get("margin", {}).get(side, _DEFAULT_MARGIN[side]))


def plot_height(fig: dict, height: int) -> float:
    """Height in px left for the plot area of fig in an image of height px."""
    layout = fig.get("layout", {})
    return height - _margin(layout, "t") - _margin(layout, "b")


def _lines(label: object) -> int:
    return str(label).count("<br>") + 1


def is_category_rows(fig: dict) -> bool:
    """True for horizontal bar charts whose y values are plain category labels."""
    traces = fig.get("data", [])
    return bool(traces) and all(
        t.get("type") == "bar"
        and t.get("orientation") == "h"
        and not any(isinstance(y, list | tuple) for y in t.get("y", []))
        for t in traces
    )


def category_rows(fig: dict) -> list[str]:
    """The categories of a horizontal bar chart from top to bottom, as the chart draws them."""
    present: list[str] = []
    for trace in fig["data"]:
        present += [y for y in trace.get("y", []) if y not in present]
    yaxis = fig.get("layout", {}).get("yaxis", {})
    if yaxis.get("categoryorder") == "array" and yaxis.get("categoryarray"):
        ordered = [c for c in yaxis["categoryarray"] if c in present]
        bottom_up = ordered + [c for c in present if c not in ordered]
    else:
        bottom_up = present  # Plotly draws the first category seen at the bottom
    return bottom_up if yaxis.get("autorange") == "reversed" else bottom_up[::-1]


def rewrap_rows(fig: dict, width: int = SLIDE_LABEL_WRAP) -> dict:
    """fig with its row labels (horizontal bars or heatmap rows) broken into lines of width
    characters instead of the dashboard's; labels with markup (bold headers) stay as they are."""
    if not (is_category_rows(fig) or is_heatmap(fig)):
        return fig
    mapping: dict[str, str] = {}
    for trace in fig["data"]:
        for label in trace.get("y", []):
            text = str(label)
            if text in mapping or re.search(r"<(?!br>)", text):
                continue
            joined = " ".join(part.strip() for part in text.split("<br>"))
            lines = textwrap.wrap(joined, width, break_long_words=False, break_on_hyphens=False)
            mapping[text] = "<br>".join(lines) if "<br>" in text else text
    fitted = copy.deepcopy(fig)
    for trace in fitted["data"]:
        trace["y"] = [mapping.get(str(y), y) for y in trace.get("y", [])]
    yaxis = fitted.get("layout", {}).get("yaxis", {})
    if yaxis.get("categoryarray"):
        yaxis["categoryarray"] = [mapping.get(str(y), y) for y in yaxis["categoryarray"]]
    return fitted


def _group_size(fig: dict) -> int:
    """Bars side by side in one category row (grouped bars), else 1."""
    if fig.get("layout", {}).get("barmode") == "group":
        return max(1, len(fig["data"]))
    return 1


def row_height(label: str, font: float, group: int = 1) -> float:
    """Px one category row needs: its label's lines, or its grouped bars with their value labels."""
    return max(_lines(label) * LINE * font, group * 1.2 * font) + ROW_GAP * font


def pitch(fig: dict) -> float:
    """Px every row of a category chart needs: Plotly spaces categories evenly, so the row with
    the most label lines sets the pitch for all (two- and three-line names printed over each other
    where only the average had room)."""
    font, group = font_size(fig), _group_size(fig)
    return max((row_height(c, font, group) for c in category_rows(fig)), default=0.0)


def rows_fit(fig: dict, height: int) -> bool:
    """True when every category row of fig has room for its label in an image of height px."""
    if not is_category_rows(fig):
        return True
    return len(category_rows(fig)) * pitch(fig) <= plot_height(fig, height)


def _chunks(count: int, per_part: int) -> list[tuple[int, int]]:
    """count rows as consecutive (start, end) ranges of at most per_part rows, about equally long."""
    parts = math.ceil(count / max(per_part, 1))
    size = math.ceil(count / parts)
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def _take(value: Any, keep: list[int], length: int) -> Any:
    """value with only the points keep, when it is a per-point array of a trace with length points."""
    if isinstance(value, list | tuple) and len(value) == length:
        return [value[i] for i in keep]
    if isinstance(value, dict):
        return {k: _take(v, keep, length) for k, v in value.items()}
    return value


def _value_range(fig: dict) -> list[float]:
    """The value axis range of the whole chart, so that every part draws bars to the same scale."""
    xaxis = fig["layout"].get("xaxis", {})
    if xaxis.get("range"):
        return list(xaxis["range"])
    stacked = fig["layout"].get("barmode") in ("stack", "relative")
    sums: dict[str, float] = {}
    for trace in fig["data"]:
        for y, x in zip(trace.get("y", []), trace.get("x", []), strict=False):
            value = float(x or 0)
            sums[y] = sums.get(y, 0.0) + value if stacked else max(sums.get(y, 0.0), value)
    return [0.0, max(sums.values(), default=1.0) * 1.05 or 1.0]


@dataclass(frozen=True)
class Part:
    """One slide's share of a split chart: its figure and which rows (1-based, inclusive) it shows."""

    figure: dict
    first: int
    last: int
    total: int


def split_rows(fig: dict, height: int) -> list[Part]:
    """fig cut into parts whose category rows all have room in an image of height px (one part when
    it fits). Each part keeps the whole chart's value range and draws every category as a tick."""
    if not is_category_rows(fig):
        return [Part(fig, 0, 0, 0)]
    rows = category_rows(fig)
    room = plot_height(fig, height)
    per_part = math.floor(room / pitch(fig))
    if len(rows) <= per_part:
        return [Part(fig, 1, len(rows), len(rows))]
    reversed_axis = fig["layout"].get("yaxis", {}).get("autorange") == "reversed"
    value_range = _value_range(fig)
    parts = []
    for start, end in _chunks(len(rows), per_part):
        shown = rows[start:end]
        keep = set(shown)
        part = copy.deepcopy(fig)
        traces = []
        for trace in part["data"]:
            ys = trace.get("y", [])
            points = [i for i, y in enumerate(ys) if y in keep]
            if points:
                traces.append({k: _take(v, points, len(ys)) for k, v in trace.items()})
        part["data"] = traces
        yaxis = part["layout"].setdefault("yaxis", {})
        yaxis.update(categoryorder="array", categoryarray=shown if reversed_axis else shown[::-1])
        part["layout"].setdefault("xaxis", {})["range"] = value_range
        parts.append(Part(part, start + 1, end, len(rows)))
    return parts


@dataclass(frozen=True)
class Matrix:
    """A heatmap's numbers as a table: row and column names (plain text) and the counts."""

    rows: list[str]
    columns: list[str]
    values: list[list[float]]


def is_heatmap(fig: dict) -> bool:
    """True for a figure made of one heatmap."""
    traces = fig.get("data", [])
    return len(traces) == 1 and traces[0].get("type") == "heatmap"


def heatmap_matrix(fig: dict) -> Matrix:
    """The full numbers of a heatmap figure, rows and columns in the chart's order."""
    trace = fig["data"][0]
    z = [[float(v or 0) for v in row] for row in trace["z"]]
    return Matrix([plain(y) for y in trace["y"]], [plain(x) for x in trace["x"]], z)


def _wrap(text: str, width: int) -> str:
    # Long compounds stay whole („Wirtschaftlichkeit“): a word broken in two reads worse.
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def condense_heatmap(fig: dict, height: int) -> tuple[dict, Matrix, bool]:
    """A heatmap for a slide: its largest rows and columns (by total), level column names, numbers
    at 115 % of the font, no colour bar (the numbers say it). Returns the figure, the full matrix and
    whether anything was left out."""
    matrix = heatmap_matrix(fig)
    font = font_size(fig)
    trace = fig["data"][0]
    column_totals = [sum(row[j] for row in matrix.values) for j in range(len(matrix.columns))]
    columns = sorted(sorted(range(len(matrix.columns)), key=lambda j: -column_totals[j])[:HEATMAP_COLUMNS])
    names = [_wrap(matrix.columns[j], HEATMAP_WRAP) for j in columns]
    header = max((_lines(n) for n in names), default=1) * LINE * font + font
    room = plot_height(fig, height) - header
    row_totals = [sum(row) for row in matrix.values]
    ranked = sorted(range(len(matrix.rows)), key=lambda i: -row_totals[i])
    chosen: list[int] = []
    tallest = 0.0
    # Rows are evenly spaced: the tallest name chosen so far sets every row's height.
    for i in ranked[:HEATMAP_ROWS]:
        tallest_with = max(tallest, row_height(trace["y"][i], font))
        if chosen and (len(chosen) + 1) * tallest_with > room:
            break
        chosen.append(i)
        tallest = tallest_with
    rows = sorted(chosen)
    text = trace.get("text") or [[""] * len(matrix.columns) for _ in matrix.rows]
    condensed = copy.deepcopy(fig)
    heat = condensed["data"][0]
    heat.update(
        x=names,
        y=[trace["y"][i] for i in rows],
        z=[[trace["z"][i][j] for j in columns] for i in rows],
        text=[[text[i][j] for j in columns] for i in rows],
        textfont={"size": round(font * HEATMAP_TEXT)},
        showscale=False,
    )
    heat.pop("colorbar", None)
    xaxis = condensed["layout"].setdefault("xaxis", {})
    xaxis.update(tickangle=0)
    omitted = len(rows) < len(matrix.rows) or len(columns) < len(matrix.columns)
    return condensed, matrix, omitted


def _legend_entries(fig: dict) -> tuple[int, int, int]:
    """Entries shown in the legend, their groups, and the most entries in one group."""
    groups: dict[str, int] = {}
    shown = 0
    for trace in fig["data"]:
        if trace.get("showlegend", True) is False:
            continue
        shown += 1
        key = str(trace.get("legendgroup", ""))
        groups[key] = groups.get(key, 0) + 1
    return shown, len(groups), max(groups.values(), default=0)


def fit_legend(fig: dict, height: int) -> dict:
    """fig with a vertical legend that is taller than the plot moved below it, its groups side by
    side (Plotly scrolls an overlong legend, and a still image then loses its last entries)."""
    layout = fig.get("layout", {})
    legend = layout.get("legend", {})
    if not layout.get("showlegend") or legend.get("orientation", "v") != "v":
        return fig
    entries, groups, longest = _legend_entries(fig)
    size = float(legend.get("font", {}).get("size", font_size(fig)))
    titled = groups > 1
    need = entries * LEGEND_ENTRY * size + (groups * LEGEND_TITLE * size if titled else 0)
    room = plot_height(fig, height)
    if need <= room:
        return fig
    fitted = copy.deepcopy(fig)
    below = longest * LEGEND_ENTRY * size + (LEGEND_TITLE * size if titled else 0)
    margin = fitted["layout"].setdefault("margin", {})
    bottom = _margin(layout, "b")
    margin["b"] = bottom + below
    room = height - _margin(layout, "t") - margin["b"]
    fitted["layout"]["legend"] = {
        **legend,
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "y": -bottom / room,
        "yanchor": "top",
    }
    return fitted
