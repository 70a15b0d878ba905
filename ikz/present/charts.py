"""Chart builders: a chart-ready polars frame in, a finished Plotly figure out. No queries, no logic."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

# Plotly looks pandas and numpy up in sys.modules without taking the import lock; while one
# session's thread is still importing pandas, another's figure then meets a half-initialised module
# ("partially initialized module 'pandas' has no attribute 'Series"), seen with 20 sessions
# opening at once. Importing both fully here, under the lock, before any figure is built avoids it.
import numpy  # noqa: F401
import pandas  # noqa: F401
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from ikz.core.numbers import fmt_int, fmt_pct
from ikz.present.labels import file_stem
from ikz.present.theme import (
    EXPORT_HEIGHT,
    EXPORT_WIDTH,
    FONT_FAMILY,
    GRID_COLOR,
    MUTED_COLOR,
    PLOTLY_SEPARATORS,
    TEXT_COLOR,
    color_of,
    pattern_of,
)

# Every figure sets its own fonts, colours and grid. Plotly's default template would be validated
# and deep-copied into each new figure: about 60 % of the build time of a page's charts (measured).
pio.templates.default = "none"
# The same template as a plain layout value: figures built from plain specs are not validated, so
# the name "none" would reach Plotly.js (and the exports) unresolved.
NO_TEMPLATE = pio.templates["none"].to_plotly_json()

MULTI_NOTE = "Mehrfachnennungen möglich: ein Eintrag kann mehreren Effektkategorien angehören."


@dataclass(frozen=True)
class ChartText:
    """What every chart carries: a title, a subtitle naming the active filters, a source line."""

    title: str
    subtitle: str
    source: str
    note: str = ""  # an extra line above the source, e.g. about multiple counting


def esc(text: object) -> str:
    """Text from the data, escaped: Plotly renders some HTML (<b>, <a href>) in labels and hovers."""
    return html.escape(str(text), quote=False)


def wrap_label(text: str, width: int = 38) -> str:
    """Escaped label broken into lines with <br> so long department names stay readable."""
    # Long compounds stay whole: a broken German word reads worse than a wide label.
    lines = textwrap.wrap(str(text), width=width, break_long_words=False) or [""]
    return "<br>".join(esc(line) for line in lines)


def plotly_config(title: str) -> dict:
    """Toolbar config: German locale, PNG download at 1920×1080 named after the chart."""
    return {
        "locale": "de",
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": file_stem(title),
            "width": EXPORT_WIDTH,
            "height": EXPORT_HEIGHT,
            "scale": 1,
        },
        "modeBarButtonsToRemove": ["lasso2d"],
    }


def font_size(large: bool) -> int:
    """The figure's base font size in px: 14, or 20 in the Präsentationsansicht."""
    return 20 if large else 14


# Characters per footer line: a half-width chart (about 460 px in a 1400 px window, 420 px in a
# 1280 px one) held 86 of the 90 it was given, so the source line lost its first letters.
SOURCE_WRAP = 72
SOURCE_WRAP_LARGE = 60
NOTE_ANNOTATION = "note"
SOURCE_ANNOTATION = "source"
# Every category of a category axis is a tick. Left to itself Plotly labels only every second
# category once there are more than its length / (1.2 × font size) of them: on a slide the type
# chart named 13 of its 21 bars.
CATEGORY_TICKS = {"type": "category", "tickmode": "linear", "tick0": 0, "dtick": 1}
# A legend above the plot (legend="top"): one row of entries is this many base font sizes high.
TOP_LEGEND_ROW = 1.6


def finish(
    spec: dict,
    text: ChartText,
    *,
    height: int = 460,
    large: bool = False,
    legend: bool | str = False,
    extra_top: int = 0,
    rows: int | None = None,
    row_lines: int = 1,
    legend_rows: int = 1,
) -> go.Figure:
    """The figure of a plain spec {"data": [trace dicts], "layout": {…}} with title, subtitle, source
    line, fonts and German number format applied.

    With legend, a vertical legend sits right of the plot, where it never collides with the
    subtitle, the axis labels or the source line at the bottom; with legend="top" it runs in
    legend_rows rows between subtitle and plot, which leaves a half-width chart its width for bars
    and value labels. With rows (categories on the
    y axis, each label up to row_lines lines), the plot area gets room for every label at the
    current font size and height is only a minimum.
    """
    base = font_size(large)
    wrap = SOURCE_WRAP_LARGE if large else SOURCE_WRAP
    on_top = legend == "top"
    if legend and not on_top:
        wrap = wrap * 3 // 4  # the legend beside the plot takes about a quarter of the width
    note_lines = textwrap.wrap(text.note, wrap)
    source_lines = textwrap.wrap(text.source, wrap)
    line_px = round(base * 0.8 * 1.35)
    if on_top:
        extra_top += round(base * TOP_LEGEND_ROW * legend_rows)
    top = round(base * 6.2) + extra_top
    # The footer starts below tick labels and axis title (about 4 lines of the base size).
    footer_top = round(base * 5.2)
    bottom = footer_top + line_px * (len(note_lines) + len(source_lines)) + 8
    total_height = round(height * base / 14) + extra_top
    if rows:
        plot_px = rows * round(base * (0.8 + 1.3 * row_lines))
        total_height = max(total_height, plot_px + top + bottom)

    def footer(name: str, lines: list[str], shift: int) -> dict:
        # Named, so exports can drop the source line they print beside the image themselves.
        return {
            "name": name,
            "text": "<br>".join(esc(line) for line in lines),
            "xref": "paper",
            "yref": "paper",
            # Anchored at the plot's right edge, the lines can run left under the axis labels
            # and so use the figure's full width; anchored left they would stop at its edge.
            "x": 1,
            "y": 0,
            "yshift": -shift,
            "xanchor": "right",
            "yanchor": "top",
            "showarrow": False,
            "align": "right",
            "font": {"size": round(base * 0.8), "color": MUTED_COLOR},
        }

    annotations = [footer(SOURCE_ANNOTATION, source_lines, footer_top + line_px * len(note_lines))]
    if note_lines:
        annotations.insert(0, footer(NOTE_ANNOTATION, note_lines, footer_top))
    layout = {
        "template": NO_TEMPLATE,
        "title": {
            "text": f"<b>{esc(text.title)}</b>",
            "subtitle": {"text": esc(text.subtitle), "font": {"size": base, "color": MUTED_COLOR}},
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "pad": {"l": 12, "t": round(base * 0.8)},
            "y": 1.0,
            "yanchor": "top",
            "yref": "container",
            "font": {"size": round(base * 1.45), "color": TEXT_COLOR},
        },
        "font": {"family": FONT_FAMILY, "size": base, "color": TEXT_COLOR},
        "separators": PLOTLY_SEPARATORS,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        # Rows and labels grow with the font, so the whole figure does too (20 / 14 in presentation).
        "height": total_height,
        "margin": {"l": 10, "r": 24, "t": top, "b": bottom},
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": base}},
        "showlegend": bool(legend) and not on_top,
        "legend": {
            "title": {"text": ""},
            "orientation": "v",
            "x": 1.01,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "font": {"size": round(base * 0.9)},
        },
        "xaxis": {"gridcolor": GRID_COLOR, "zerolinecolor": GRID_COLOR, "automargin": True},
        "yaxis": {
            "gridcolor": GRID_COLOR,
            "zerolinecolor": GRID_COLOR,
            "automargin": True,
            "ticklabelstandoff": 6,
        },
    }
    own = spec["layout"]
    # The builder's own settings (axis ranges, barmode, legend order …) win over the defaults here.
    merged = _merge(layout, {k: v for k, v in own.items() if k != "annotations"})
    # A builder's wider right margin (room for value labels) would pull the footer's right end
    # away from the figure's edge and push its start off the left: shift it back by as much.
    for footer_annotation in annotations:
        footer_annotation["xshift"] = merged["margin"]["r"] - layout["margin"]["r"]
    if on_top:
        shift = merged["margin"]["r"] - layout["margin"]["r"]
        annotations.append(_key_annotation(spec["data"], merged, base, legend_rows, shift))
    merged["annotations"] = [*own.get("annotations", ()), *annotations]
    # One construction instead of update_layout: Plotly's relayout path costs about 12 ms per
    # figure, building the figure whole about 2 ms (measured), and the page draws seven of them.
    return figure_of(spec["data"], merged)


KEY_ANNOTATION = "key"


def _key_annotation(traces: list[dict], layout: dict, base: int, rows: int, shift: int) -> dict:
    """The legend above the plot as one right-aligned annotation: „■ Erfurt  ■ Magdeburg“.

    Not Plotly's own legend: a horizontal legend wraps at the plot's width (two cities took two
    rows in a half-width chart), and placed in the figure's width it pushed the plot narrower.
    """
    entries = [(t["name"], t["marker"]["color"]) for t in traces if t.get("showlegend", True)]
    if "reversed" in layout["legend"].get("traceorder", ""):
        entries.reverse()
    size = round(base * 0.9)
    lines: list[list[str]] = [[]]
    per_line = max(1, -(-len(entries) // rows))
    for name, colour in entries:
        if len(lines[-1]) == per_line:
            lines.append([])
        lines[-1].append(f'<span style="color:{colour}">■</span> {name}')
    return {
        "name": KEY_ANNOTATION,
        "text": "<br>".join("   ".join(line) for line in lines),
        "xref": "paper",
        "yref": "paper",
        # Right-aligned at the figure's edge, like the source line: the key may run left over the
        # axis labels' column, so a half-width chart keeps its plot width.
        "x": 1,
        "y": 1,
        "xshift": shift,
        "yshift": round(base * 0.3),
        "xanchor": "right",
        "yanchor": "bottom",
        "align": "right",
        "showarrow": False,
        "font": {"size": size, "color": TEXT_COLOR},
    }


def _merge(base: dict, override: dict) -> dict:
    """base with override's values, merging nested dicts key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def figure_of(traces: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, not validated: Plotly's validation of traces
    (add_bar, update_xaxes …) was most of a chart's build time (measured). The tests validate
    instead: the chart tests every figure they build, the page tests every figure a page sends."""
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def _cities(frame: pl.DataFrame) -> list[str]:
    """The cities of a frame in its row order (queries sort by the city's display order)."""
    return frame["city"].unique(maintain_order=True).to_list()


def _label_lines(labels: list[str]) -> int:
    """Most lines any wrapped label takes (for row heights)."""
    return max((label.count("<br>") + 1 for label in labels), default=1)


def _count_ticks(values: list[float]) -> dict:
    """Integer ticks for counts: step 1 for small numbers, else Plotly's own step."""
    top = max(values, default=0)
    # ',d' on Plotly's automatic half steps would print '0 1 1 2 2 …'.
    return {"tickformat": ",d", "dtick": 1} if top <= 8 else {"tickformat": ",d"}


def _value_range(values: list[float], headroom: float = 1.4) -> list[float]:
    """Axis range with room for the value labels printed outside the bars."""
    top = max(values, default=0) or 1
    return [0, top * headroom]


# Width of a digit, space or bracket in the figure's font, in ems (DejaVu/Source Sans: 0.5–0.6).
LABEL_EM = 0.6
# Category labels of the bar charts break after 24 characters: on half-width charts at 1280 px,
# „Arbeitskreis / Arbeitsgruppe / Gremium“ on one line left the bars about 60 px (seen).
CATEGORY_WRAP = 24


def _label_margin(texts: list[str], large: bool) -> int:
    """Right margin that holds the longest value label printed outside the bars: such a label
    may run past the plot area (cliponaxis off), and with 24 px it was cut off at the figure's
    edge on half-width charts („64 (30,0 %“)."""
    base = font_size(large)
    return max(24, round(max((len(t) for t in texts), default=0) * LABEL_EM * base))


# Width in px of a half-width chart column at 1280 px (measured: 402) and of a legend entry's
# symbol and gaps: what a legend above such a chart has per row.
NARROW_WIDTH = 400
LEGEND_SYMBOL = 46


def legend_rows(names: list[str], large: bool, width: int = NARROW_WIDTH) -> int:
    """Rows a horizontal legend of these entries takes in a chart of width px (greedy, like Plotly)."""
    size = round(font_size(large) * 0.9)
    rows, used = 1, 0.0
    for name in names:
        entry = LEGEND_SYMBOL + len(html.unescape(name)) * LABEL_EM * size
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def _count_labels(counts: pl.Series, shares: pl.Series | None = None) -> list[str]:
    if shares is None:
        return [fmt_int(c) for c in counts]
    return [f"{fmt_int(c)} ({fmt_pct(s)})" for c, s in zip(counts, shares, strict=True)]


# The pattern lies over the bar's colour, light enough to keep the colour recognisable.
FORM_PATTERN_STYLE = {"fillmode": "overlay", "solidity": 0.25}


def bar_by_category(
    frame: pl.DataFrame,
    text: ChartText,
    *,
    category: str = "category",
    color_by: str | None = None,
    order: tuple[str, ...] | None = None,
    value_label: str = "Kooperationen",
    large: bool = False,
) -> go.Figure:
    """Horizontal bars of count per category (columns category, count, share), largest on top.

    Colour per bar comes from color_by's category (e.g. a type's Kooperationsform) or the
    category itself, so a category has one colour everywhere.
    """
    if order is not None:
        rank = {c: i for i, c in enumerate(order)}
        frame = frame.sort(pl.col(category).replace_strict(rank, default=len(rank)))
    # Plotly draws the first y category at the bottom; reverse so the first row is on top.
    frame = frame.reverse()
    cats = frame[category].to_list()
    labels = [wrap_label(c, CATEGORY_WRAP) for c in cats]
    colour_keys = frame[color_by].to_list() if color_by else cats
    shares = frame["share"] if "share" in frame.columns else None
    hover_extra = "<br>%{customdata[1]}" if color_by else ""
    bar = {
        "type": "bar",
        "orientation": "h",
        "x": frame["count"].to_list(),
        "y": labels,
        "marker": {
            "color": [color_of(k) for k in colour_keys],
            # A form's pattern too (theme.pattern_of, from the taxonomy): colour is not the only cue for it.
            "pattern": {**FORM_PATTERN_STYLE, "shape": [pattern_of(k) for k in colour_keys]},
        },
        "text": (texts := _count_labels(frame["count"], shares)),
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": [[c, esc(k)] for c, k in zip(cats, colour_keys, strict=True)],
        "hovertemplate": f"%{{y}}<br>{value_label}: %{{x:,d}}{hover_extra}<extra></extra>",
    }
    layout = {
        "xaxis": {
            "title": {"text": value_label},
            "tickformat": ",d",
            # The labels have the right margin; a little headroom keeps them off the last gridline.
            "range": _value_range(frame["count"].to_list(), 1.1),
        },
        "yaxis": {"title": {"text": ""}, **CATEGORY_TICKS},
        "margin": {"r": _label_margin(texts, large)},
    }
    return finish(
        {"data": [bar], "layout": layout},
        text,
        height=320,
        large=large,
        rows=len(cats),
        row_lines=_label_lines(labels),
    )


def departments_stacked(
    frame: pl.DataFrame, text: ChartText, *, forms: tuple[str, ...], large: bool = False
) -> go.Figure:
    """Horizontal bars per department (columns city, department, form, count), stacked by form."""
    departments = frame.select("city", "department").unique(maintain_order=True)
    two_cities = frame["city"].n_unique() > 1
    labels = {(c, d): wrap_label(f"{d} ({c})" if two_cities else d) for c, d in departments.iter_rows()}
    y_order = [labels[k] for k in departments.iter_rows()][::-1]
    traces = []
    for form in forms:
        part = frame.filter(pl.col("form") == form)
        if part.is_empty():
            continue
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": esc(form),
                "x": part["count"].to_list(),
                "y": [labels[k] for k in part.select("city", "department").iter_rows()],
                "marker": {
                    "color": color_of(form),
                    "pattern": {**FORM_PATTERN_STYLE, "shape": pattern_of(form)},
                },
                "customdata": [[d, c, form] for c, d in part.select("city", "department").iter_rows()],
                "hovertemplate": f"%{{y}}<br>{esc(form)}: %{{x:,d}}<extra></extra>",
            }
        )
    totals = frame.group_by("city", "department").agg(pl.col("count").sum())["count"].to_list()
    layout = {
        "barmode": "stack",
        "xaxis": {"title": {"text": "Kooperationen"}, **_count_ticks(totals)},
        "yaxis": {
            "categoryorder": "array",
            "categoryarray": y_order,
            "title": {"text": ""},
            **CATEGORY_TICKS,
        },
    }
    return finish(
        {"data": traces, "layout": layout},
        text,
        height=360,
        large=large,
        legend=True,
        rows=len(y_order),
        row_lines=_label_lines(y_order),
    )


def effects_bar(frame: pl.DataFrame, text: ChartText, *, large: bool = False) -> go.Figure:
    """Bars per effect category (columns effect, count, share), with the multiple-counting note."""
    renamed = frame.rename({"effect": "category"})
    if not text.note:
        text = ChartText(text.title, text.subtitle, text.source, MULTI_NOTE)
    fig = bar_by_category(renamed, text, value_label="Nennungen", large=large)
    return fig


def effect_heatmap(
    frame: pl.DataFrame, text: ChartText, *, effects: tuple[str, ...], large: bool = False
) -> go.Figure:
    """Fachbereich × Effektkategorie heatmap (columns city, department, effect, count)."""
    departments = frame.select("city", "department").unique(maintain_order=True)
    two_cities = frame["city"].n_unique() > 1
    present = [e for e in effects if e in set(frame["effect"].to_list())]
    lookup = {
        (c, d, e): n for c, d, e, n in frame.select("city", "department", "effect", "count").iter_rows()
    }
    rows = list(departments.iter_rows())
    z = [[lookup.get((c, d, e), 0) for e in present] for c, d in rows]
    y = [wrap_label(f"{d} ({c})" if two_cities else d, 34) for c, d in rows]
    x = [esc(e) for e in present]
    heatmap = {
        "type": "heatmap",
        "z": z,
        "x": x,
        "y": y,
        "colorscale": [[0, "#F4F6F8"], [0.0001, "#DCE9F5"], [1, "#1F5A8C"]],
        "text": [[fmt_int(v) if v else "" for v in row] for row in z],
        "texttemplate": "%{text}",
        "hovertemplate": "%{y}<br>%{x}<br>Nennungen: %{z:,d}<extra></extra>",
        "colorbar": {"title": {"text": "Nennungen"}, "tickformat": ",d"},
        "xgap": 2,
        "ygap": 2,
    }
    spec = {
        "data": [heatmap],
        "layout": {
            "xaxis": {"side": "top", "title": {"text": ""}, "tickangle": -35, **CATEGORY_TICKS},
            "yaxis": {"autorange": "reversed", "title": {"text": ""}, **CATEGORY_TICKS},
        },
    }
    if not text.note:
        text = ChartText(text.title, text.subtitle, text.source, MULTI_NOTE)
    # The effect names stand rotated above the matrix; the top margin makes room for them.
    longest = max((len(e) for e in present), default=0)
    return finish(
        spec,
        text,
        height=420,
        large=large,
        extra_top=round(longest * 4.6 * font_size(large) / 14) + 10,
        rows=len(rows),
        row_lines=_label_lines(y),
    )


def task_area_treemap(frame: pl.DataFrame, text: ChartText, *, large: bool = False) -> go.Figure:
    """Treemap Aufgabenbereich → Fachbereich → Form (columns city, task_area, department, form, count)."""
    two_cities = frame.filter(pl.col("city") != "")["city"].n_unique() > 1
    ids: list[str] = []
    labels: list[str] = []
    parents: list[str] = []
    values: list[int] = []
    colours: list[str] = []
    area_totals = frame.group_by("task_area").agg(pl.col("count").sum()).sort("task_area")
    for area, total in area_totals.iter_rows():
        ids.append(f"A|{area}")
        labels.append(esc(area))
        parents.append("")
        values.append(int(total))
        colours.append(color_of(area))
    dept_totals = (
        frame.group_by("task_area", "city", "department")
        .agg(pl.col("count").sum())
        .sort("task_area", "city", "department")
    )
    for area, city, dept, total in dept_totals.iter_rows():
        ids.append(f"D|{area}|{city}|{dept}")
        labels.append(wrap_label(f"{dept} ({city})" if two_cities and city else dept, 24))
        parents.append(f"A|{area}")
        values.append(int(total))
        colours.append(color_of(area))
    for area, city, dept, form, count in frame.select(
        "task_area", "city", "department", "form", "count"
    ).iter_rows():
        ids.append(f"F|{area}|{city}|{dept}|{form}")
        labels.append(wrap_label(form, 20))
        parents.append(f"D|{area}|{city}|{dept}")
        values.append(int(count))
        colours.append(color_of(form))
    treemap = {
        "type": "treemap",
        "ids": ids,
        "labels": labels,
        "parents": parents,
        "values": values,
        "branchvalues": "total",
        "marker": {"colors": colours, "line": {"color": "white", "width": 1}},
        "texttemplate": "%{label}<br>%{value:,d}",
        "hovertemplate": "%{label}<br>Kooperationen: %{value:,d}<extra></extra>",
        "maxdepth": 3,
        "tiling": {"pad": 2},
    }
    return finish({"data": [treemap], "layout": {}}, text, height=560, large=large)


def city_share_bars(
    frame: pl.DataFrame,
    text: ChartText,
    *,
    order: tuple[str, ...],
    large: bool = False,
    narrow: bool = False,
) -> go.Figure:
    """Grouped horizontal bars of each city's share per category (columns city, category, count, share);
    cities in the frame's order (the query's display order). narrow: for a half-width column."""
    cities = _cities(frame)
    wrap = CATEGORY_WRAP if narrow else 34
    present = [c for c in order if c in set(frame["category"].to_list())]
    present += sorted(set(frame["category"].to_list()) - set(present))
    traces = []
    # Plotly stacks a group's horizontal bars bottom-up: add the last city first so the first
    # city's bar is on top, and reverse the legend to match.
    for city in reversed(cities):
        part = frame.filter(pl.col("city") == city)
        if part.is_empty():
            continue
        by_cat = {r["category"]: r for r in part.iter_rows(named=True)}
        cats = [c for c in present if c in by_cat]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": city,
                "y": [wrap_label(c, wrap) for c in cats],
                "x": [by_cat[c]["share"] * 100 for c in cats],
                "marker": {"color": color_of(city)},
                "text": [f"{fmt_pct(by_cat[c]['share'], 0)} ({fmt_int(by_cat[c]['count'])})" for c in cats],
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": [[by_cat[c]["count"], by_cat[c]["city_total"]] for c in cats],
                "hovertemplate": (
                    f"{esc(city)}<br>%{{y}}<br>Anteil: %{{x:.1f}} %<br>"
                    "%{customdata[0]:,d} von %{customdata[1]:,d} Einträgen<extra></extra>"
                ),
            }
        )
    labels = [wrap_label(c, wrap) for c in present]
    texts = [t for trace in traces for t in trace["text"]]
    layout = {
        "barmode": "group",
        "bargap": 0.25,
        "bargroupgap": 0.05,
        "legend": {"traceorder": "reversed"},
        "xaxis": {
            "title": {"text": "Anteil an den Einträgen der Stadt"},
            "ticksuffix": " %",
            "rangemode": "tozero",
            # The value labels have the right margin (as in bar_by_category): with only headroom
            # inside the axis, a half-width chart cut „20 % (27)“ to „20 % (2“ (seen at 1366 px).
            "range": _value_range([100 * v for v in frame["share"].to_list()], 1.05),
            # Plotly puts at least five ticks on an x axis and turns them upright when the plot is
            # narrow (seen at 1366 px); four at most stay level in a half-width column.
            **({"nticks": 4} if narrow else {}),
        },
        "yaxis": {
            "categoryorder": "array",
            "categoryarray": labels[::-1],
            "title": {"text": ""},
            **CATEGORY_TICKS,
        },
        "margin": {"r": _label_margin(texts, large)},
    }
    return finish(
        {"data": traces, "layout": layout},
        text,
        height=360,
        large=large,
        # Above the plot: beside it, two cities' legend took a quarter of a half-width chart.
        legend="top",
        rows=len(present),
        row_lines=max(2, _label_lines(labels)),
    )


# --- Vergleich Erfurt – Magdeburg ---------------------------------------------------------------

PROFILE_MIN_LABEL = 0.06  # segments narrower than this share carry no label (it would not fit)


def city_profiles(
    frame: pl.DataFrame,
    text: ChartText,
    *,
    orders: dict[str, tuple[str, ...]] | tuple[tuple[str, tuple[str, ...]], ...],
    large: bool = False,
) -> go.Figure:
    """Both cities' mixes in several dimensions at a glance: one 100 % stacked bar per dimension
    and city (columns dimension, city, category, count, share); orders maps dimension → categories
    (a dict or its items, which are hashable for the figure cache)."""
    orders = dict(orders)
    dims = [d for d in orders if d in set(frame["dimension"].to_list())]
    shown = _cities(frame)
    rows = [(d, c) for d in dims for c in shown]
    traces = []
    for dim in dims:
        part = frame.filter(pl.col("dimension") == dim)
        present = set(part["category"].to_list())
        categories = [c for c in orders[dim] if c in present] + sorted(present - set(orders[dim]))
        # Each trace holds its own dimension's rows only: with every row (the others empty) the
        # browser drew and measured three times the bars and labels on each filter change.
        own = [(d, c) for d, c in rows if d == dim]
        y = [[esc(d) for d, _ in own], [esc(c) for _, c in own]]
        for i, cat in enumerate(categories):
            by_city = {r["city"]: r for r in part.filter(pl.col("category") == cat).iter_rows(named=True)}
            cells = [by_city.get(c) for _, c in own]
            traces.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": esc(cat),
                    "legendgroup": esc(dim),
                    # The dimension's title heads its first category in the legend.
                    **({"legendgrouptitle": {"text": f"<b>{esc(dim)}</b>"}} if i == 0 else {}),
                    "y": y,
                    "x": [r["share"] * 100 if r else None for r in cells],
                    "marker": {"color": color_of(cat), "line": {"color": "white", "width": 1}},
                    "text": [
                        fmt_pct(r["share"], 0) if r and r["share"] >= PROFILE_MIN_LABEL else "" for r in cells
                    ],
                    "textposition": "inside",
                    "insidetextanchor": "middle",
                    # Level text only: Plotly turns a label that fits a narrow segment only upright.
                    "textangle": 0,
                    "customdata": [
                        [r["count"] if r else 0, r["city_total"] if r else 0, esc(cat)] for r in cells
                    ],
                    "hovertemplate": (
                        "%{y}<br>%{customdata[2]}: %{x:.1f} %<br>"
                        "%{customdata[0]:,d} von %{customdata[1]:,d} Einträgen<extra></extra>"
                    ),
                }
            )
    layout = {
        "barmode": "stack",
        "bargap": 0.3,
        # A label that does not fit its segment at 80 % of the font is left out (the share is in the
        # hover and the table) rather than shrunk to illegibility.
        "uniformtext": {"mode": "hide", "minsize": round(font_size(large) * 0.8)},
        # Stacked bars reverse the legend by default; keep categories in the order of the bars.
        "legend": {"groupclick": "toggleitem", "tracegroupgap": 12, "traceorder": "grouped"},
        "xaxis": {
            "range": [0, 100],
            "ticksuffix": " %",
            "title": {"text": "Anteil an den Einträgen der Stadt"},
        },
        "yaxis": {"autorange": "reversed", "title": {"text": ""}},
    }
    # Tall enough for the legend (one line per category, a title per dimension): a scrolling
    # legend would hide categories.
    height = max(250 + 48 * len(rows), 250 + 21 * len(traces) + 34 * len(dims))
    return finish({"data": traces, "layout": layout}, text, height=height, large=large, legend=True)


def partner_bars(
    frame: pl.DataFrame,
    text: ChartText,
    *,
    kinds: tuple[str, ...],
    city: str | None = None,
    large: bool = False,
    narrow: bool = False,
) -> go.Figure:
    """Horizontal bars of how many records name each partner (columns partner, kind, count), most
    named on top, coloured by the partner's kind (one legend entry per kind); only city's rows
    when given (the frame then needs a city column). narrow: for a half-width column."""
    if city is not None:
        frame = frame.filter(pl.col("city") == city)
    ordered = frame.sort(["count", "partner"], descending=[True, False])
    # In a half-width column at 1280 px, 34 characters per line ran past the chart's left edge.
    labels = {p: wrap_label(p, CATEGORY_WRAP if narrow else 34) for p in ordered["partner"].to_list()}
    traces = []
    present = set(ordered["kind"].to_list())
    for kind in [k for k in kinds if k in present] + sorted(present - set(kinds)):
        part = ordered.filter(pl.col("kind") == kind)
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": esc(kind),
                "y": [labels[p] for p in part["partner"].to_list()],
                "x": part["count"].to_list(),
                "marker": {"color": color_of(kind)},
                "text": [fmt_int(c) for c in part["count"].to_list()],
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": [[p, kind] for p in part["partner"].to_list()],
                "hovertemplate": f"%{{y}}<br>{esc(kind)}<br>Einträge: %{{x:,d}}<extra></extra>",
            }
        )
    order = [labels[p] for p in ordered["partner"].to_list()]
    texts = [t for trace in traces for t in trace["text"]]
    layout = {
        "xaxis": {
            # Centred under a half-width chart's narrow plot, the long title ran past both edges.
            "title": {"text": "Einträge" if narrow else "Einträge, die den Partner nennen"},
            "tickformat": ",d",
            "range": _value_range([float(c) for c in ordered["count"].to_list()], 1.05),
            **({"nticks": 5} if narrow else {}),
        },
        "yaxis": {
            "categoryorder": "array",
            "categoryarray": order[::-1],
            "title": {"text": ""},
            **CATEGORY_TICKS,
        },
        # Room for the value labels beside the longest bar (a legend to the right hid „14“ behind it).
        "margin": {"r": _label_margin(texts, large)},
    }
    height = max(320, 150 + 30 * len(order) * _label_lines(order) ** 0.5)
    names = [trace["name"] for trace in traces]
    return finish(
        {"data": traces, "layout": layout},
        text,
        height=round(height),
        large=large,
        legend="top" if narrow else True,
        legend_rows=legend_rows(names, large) if narrow else 1,
        rows=len(order),
        row_lines=_label_lines(order),
    )


def topic_map(
    frame: pl.DataFrame,
    text: ChartText,
    *,
    cities: tuple[str, str],
    large: bool = False,
) -> go.Figure:
    """Topics per Aufgabenbereich as diverging bars: the first city's records to the left, the
    second's to the right (comparison.topic_overview: columns area, topic, count_first and
    count_second for the two cities in this order).

    A topic with bars on both sides is shared; one side only is a suggestion for the other city.
    """
    left, right = cities
    rows: list[tuple[str, str | None]] = []  # (area, topic); topic None = the area's header row
    for area in frame["area"].unique(maintain_order=True).to_list():
        rows.append((area, None))
        rows += [(area, t) for t in frame.filter(pl.col("area") == area)["topic"].to_list()]
    # Header rows carry the area in bold; topic rows are indented under it. Labels stay unique
    # because every topic name is (vocabulary names are unique).
    labels = [f"<b>{esc(a)}</b>" if t is None else f"{esc(t)}  " for a, t in rows]
    counts = {
        city: dict(zip(frame["topic"].to_list(), frame[f"count_{side}"].to_list(), strict=True))
        for city, side in zip(cities, ("first", "second"), strict=True)
    }
    traces = []
    for city, sign in ((left, -1), (right, 1)):
        values = [counts[city].get(t, 0) if t else 0 for _, t in rows]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": esc(city),
                "y": labels,
                "x": [sign * v if v else None for v in values],
                "marker": {"color": color_of(city)},
                "text": [fmt_int(v) if v else "" for v in values],
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": [[v, esc(t or "")] for v, (_, t) in zip(values, rows, strict=True)],
                "hovertemplate": (
                    f"{esc(city)}<br>%{{customdata[1]}}: %{{customdata[0]:,d}} Einträge<extra></extra>"
                ),
            }
        )
    top = max([*counts[left].values(), *counts[right].values(), 1])
    step = max(1, round(top / 4))
    ticks = list(range(-step * (top // step), step * (top // step) + 1, step))
    layout = {
        "barmode": "relative",
        "bargap": 0.3,
        "xaxis": {
            "range": [-top * 1.25, top * 1.25],
            "tickvals": ticks,
            "ticktext": [fmt_int(abs(v)) for v in ticks],
            "title": {"text": f"← Einträge {esc(left)}   |   Einträge {esc(right)} →"},
            "zeroline": True,
            "zerolinecolor": MUTED_COLOR,
        },
        "yaxis": {
            "categoryorder": "array",
            "categoryarray": labels[::-1],
            "title": {"text": ""},
            **CATEGORY_TICKS,
        },
    }
    return finish(
        {"data": traces, "layout": layout},
        text,
        height=max(360, 170 + 24 * len(rows)),
        large=large,
        legend=True,
    )


def edition_development(
    frame: pl.DataFrame, text: ChartText, *, forms: tuple[str, ...], large: bool = False
) -> go.Figure:
    """„Entwicklung“: cooperations per form per edition, stacked (columns edition, form, count)."""
    editions = frame["edition"].unique(maintain_order=True).to_list()
    traces = [
        {
            "type": "bar",
            "name": esc(form),
            "x": part["edition"].to_list(),
            "y": part["count"].to_list(),
            "marker": {"color": color_of(form)},
            "hovertemplate": f"%{{x}}<br>{esc(form)}: %{{y:,d}}<extra></extra>",
        }
        for form in forms
        if not (part := frame.filter(pl.col("form") == form)).is_empty()
    ]
    totals = frame.group_by("edition").agg(pl.col("count").sum())["count"].to_list()
    layout = {
        "barmode": "stack",
        "xaxis": {"categoryorder": "array", "categoryarray": editions, "title": {"text": "Ausgabe"}},
        "yaxis": {"title": {"text": "Kooperationen"}, **_count_ticks(totals)},
    }
    return finish({"data": traces, "layout": layout}, text, height=420, large=large, legend=True)
