"""Chart builders: a chart-ready polars frame in, a finished Plotly figure out. No queries, no logic."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from ikz.labels import file_stem
from ikz.theme import (
    CITY_COLORS,
    EXPORT_HEIGHT,
    EXPORT_WIDTH,
    FONT_FAMILY,
    GRID_COLOR,
    MUTED_COLOR,
    PLOTLY_SEPARATORS,
    TEXT_COLOR,
    color_of,
    fmt_int,
    fmt_pct,
)

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


SOURCE_WRAP = 100  # characters per source line; fits a half-width chart
NOTE_ANNOTATION = "note"
SOURCE_ANNOTATION = "source"


def finish(
    fig: go.Figure,
    text: ChartText,
    *,
    height: int = 460,
    large: bool = False,
    legend: bool = False,
    extra_top: int = 0,
) -> go.Figure:
    """Apply title, subtitle, source line, fonts and German number format to a figure.

    With legend, a vertical legend sits right of the plot, where it never collides with the
    subtitle, the axis labels or the source line at the bottom.
    """
    base = 20 if large else 14
    note_lines = textwrap.wrap(text.note, SOURCE_WRAP)
    source_lines = textwrap.wrap(text.source, SOURCE_WRAP)
    line_px = round(base * 0.8 * 1.35)
    top = round(base * 6.2) + extra_top
    # The footer starts below tick labels and axis title (about 4 lines of the base size).
    footer_top = round(base * 5.2)
    bottom = footer_top + line_px * (len(note_lines) + len(source_lines)) + 8

    def footer(name: str, lines: list[str], shift: int) -> dict:
        # Named, so exports can drop the source line they print beside the image themselves.
        return {
            "name": name,
            "text": "<br>".join(esc(line) for line in lines),
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 0,
            "yshift": -shift,
            "xanchor": "left",
            "yanchor": "top",
            "showarrow": False,
            "align": "left",
            "font": {"size": round(base * 0.8), "color": MUTED_COLOR},
        }

    annotations = [footer(SOURCE_ANNOTATION, source_lines, footer_top + line_px * len(note_lines))]
    if note_lines:
        annotations.insert(0, footer(NOTE_ANNOTATION, note_lines, footer_top))
    fig.update_layout(
        title={
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
        font={"family": FONT_FAMILY, "size": base, "color": TEXT_COLOR},
        separators=PLOTLY_SEPARATORS,
        paper_bgcolor="white",
        plot_bgcolor="white",
        height=round(height * (1.25 if large else 1)) + extra_top,
        margin={"l": 10, "r": 24, "t": top, "b": bottom},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": base}},
        showlegend=legend,
        legend={
            "title": {"text": ""},
            "orientation": "v",
            "x": 1.01,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "font": {"size": round(base * 0.9)},
        },
        annotations=annotations,
    )
    fig.update_xaxes(gridcolor=GRID_COLOR, zerolinecolor=GRID_COLOR, automargin=True)
    fig.update_yaxes(gridcolor=GRID_COLOR, zerolinecolor=GRID_COLOR, automargin=True, ticklabelstandoff=6)
    return fig


def _label_lines(labels: list[str]) -> int:
    """Most lines any wrapped label takes (for row heights)."""
    return max((label.count("<br>") + 1 for label in labels), default=1)


def _value_range(values: list[float], headroom: float = 1.28) -> list[float]:
    """Axis range with room for the value labels printed outside the bars."""
    top = max(values, default=0) or 1
    return [0, top * headroom]


def _count_labels(counts: pl.Series, shares: pl.Series | None = None) -> list[str]:
    if shares is None:
        return [fmt_int(c) for c in counts]
    return [f"{fmt_int(c)} ({fmt_pct(s)})" for c, s in zip(counts, shares, strict=True)]


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
    colour_keys = frame[color_by].to_list() if color_by else cats
    shares = frame["share"] if "share" in frame.columns else None
    hover_extra = "<br>%{customdata[1]}" if color_by else ""
    fig = go.Figure(
        go.Bar(
            orientation="h",
            x=frame["count"].to_list(),
            y=[wrap_label(c) for c in cats],
            marker={"color": [color_of(k) for k in colour_keys]},
            text=_count_labels(frame["count"], shares),
            textposition="outside",
            cliponaxis=False,
            customdata=[[c, esc(k)] for c, k in zip(cats, colour_keys, strict=True)],
            hovertemplate=f"%{{y}}<br>{value_label}: %{{x:,d}}{hover_extra}<extra></extra>",
        )
    )
    fig.update_xaxes(
        title={"text": value_label}, tickformat=",d", range=_value_range(frame["count"].to_list())
    )
    fig.update_yaxes(title={"text": ""})
    labels = [wrap_label(c) for c in cats]
    height = max(320, 150 + (14 + 16 * _label_lines(labels)) * len(cats))
    return finish(fig, text, height=height, large=large)


def departments_stacked(
    frame: pl.DataFrame, text: ChartText, *, forms: tuple[str, ...], large: bool = False
) -> go.Figure:
    """Horizontal bars per department (columns city, department, form, count), stacked by form."""
    departments = frame.select("city", "department").unique(maintain_order=True)
    two_cities = frame["city"].n_unique() > 1
    labels = {(c, d): wrap_label(f"{d} ({c})" if two_cities else d) for c, d in departments.iter_rows()}
    y_order = [labels[k] for k in departments.iter_rows()][::-1]
    fig = go.Figure()
    for form in forms:
        part = frame.filter(pl.col("form") == form)
        if part.is_empty():
            continue
        fig.add_bar(
            orientation="h",
            name=esc(form),
            x=part["count"].to_list(),
            y=[labels[k] for k in part.select("city", "department").iter_rows()],
            marker={"color": color_of(form)},
            customdata=[[d, c, form] for c, d in part.select("city", "department").iter_rows()],
            hovertemplate=f"%{{y}}<br>{esc(form)}: %{{x:,d}}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=y_order, title={"text": ""})
    fig.update_xaxes(title={"text": "Kooperationen"}, tickformat=",d")
    height = max(360, 150 + (12 + 16 * _label_lines(y_order)) * len(y_order))
    return finish(fig, text, height=height, large=large, legend=True)


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
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            colorscale=[[0, "#F4F6F8"], [0.0001, "#DCE9F5"], [1, "#1F5A8C"]],
            text=[[fmt_int(v) if v else "" for v in row] for row in z],
            texttemplate="%{text}",
            hovertemplate="%{y}<br>%{x}<br>Nennungen: %{z:,d}<extra></extra>",
            colorbar={"title": {"text": "Nennungen"}, "tickformat": ",d"},
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", title={"text": ""})
    fig.update_xaxes(side="top", title={"text": ""}, tickangle=-35)
    if not text.note:
        text = ChartText(text.title, text.subtitle, text.source, MULTI_NOTE)
    height = max(420, 150 + (12 + 16 * _label_lines(y)) * len(rows))
    # The effect names stand rotated above the matrix; the top margin makes room for them.
    longest = max((len(e) for e in present), default=0)
    return finish(fig, text, height=height, large=large, extra_top=round(longest * 4.6) + 10)


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
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": colours, "line": {"color": "white", "width": 1}},
            texttemplate="%{label}<br>%{value:,d}",
            hovertemplate="%{label}<br>Kooperationen: %{value:,d}<extra></extra>",
            maxdepth=3,
            tiling={"pad": 2},
        )
    )
    return finish(fig, text, height=560, large=large)


def city_share_bars(
    frame: pl.DataFrame,
    text: ChartText,
    *,
    order: tuple[str, ...],
    cities: tuple[str, ...] = tuple(CITY_COLORS),
    large: bool = False,
) -> go.Figure:
    """Grouped horizontal bars of each city's share per category (columns city, category, count, share)."""
    present = [c for c in order if c in set(frame["category"].to_list())]
    present += sorted(set(frame["category"].to_list()) - set(present))
    fig = go.Figure()
    for city in cities:
        part = frame.filter(pl.col("city") == city)
        if part.is_empty():
            continue
        by_cat = {r["category"]: r for r in part.iter_rows(named=True)}
        cats = [c for c in present if c in by_cat]
        fig.add_bar(
            orientation="h",
            name=city,
            y=[wrap_label(c, 34) for c in cats],
            x=[by_cat[c]["share"] * 100 for c in cats],
            marker={"color": CITY_COLORS.get(city, color_of(city))},
            text=[f"{fmt_pct(by_cat[c]['share'], 0)} ({fmt_int(by_cat[c]['count'])})" for c in cats],
            textposition="outside",
            cliponaxis=False,
            customdata=[[by_cat[c]["count"], by_cat[c]["city_total"]] for c in cats],
            hovertemplate=(
                f"{esc(city)}<br>%{{y}}<br>Anteil: %{{x:.1f}} %<br>"
                "%{customdata[0]:,d} von %{customdata[1]:,d} Einträgen<extra></extra>"
            ),
        )
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_yaxes(
        categoryorder="array", categoryarray=[wrap_label(c, 34) for c in present][::-1], title={"text": ""}
    )
    fig.update_xaxes(title={"text": "Anteil an den Einträgen der Stadt"}, ticksuffix=" %", rangemode="tozero")
    fig.update_xaxes(range=_value_range([100 * v for v in frame["share"].to_list()], 1.35))
    height = max(360, 150 + 52 * len(present) * _label_lines([wrap_label(c, 34) for c in present]) ** 0.5)
    return finish(fig, text, height=round(height), large=large, legend=True)


def city_profile(
    frame: pl.DataFrame,
    text: ChartText,
    *,
    order: tuple[str, ...],
    cities: tuple[str, ...] = tuple(CITY_COLORS),
    large: bool = False,
) -> go.Figure:
    """100 % stacked bar per city (columns city, category, count, share): both mixes at a glance."""
    fig = go.Figure()
    shown_cities = [c for c in cities if c in set(frame["city"].to_list())]
    for cat in order:
        part = frame.filter(pl.col("category") == cat)
        if part.is_empty():
            continue
        by_city = {r["city"]: r for r in part.iter_rows(named=True)}
        fig.add_bar(
            orientation="h",
            name=esc(cat),
            y=[esc(c) for c in shown_cities],
            x=[by_city[c]["share"] * 100 if c in by_city else 0 for c in shown_cities],
            marker={"color": color_of(cat)},
            text=[fmt_pct(by_city[c]["share"], 0) if c in by_city else "" for c in shown_cities],
            textposition="inside",
            insidetextanchor="middle",
            customdata=[[by_city[c]["count"] if c in by_city else 0, esc(cat)] for c in shown_cities],
            hovertemplate="%{y}<br>%{customdata[1]}: %{x:.1f} % (%{customdata[0]:,d})<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", title={"text": ""})
    fig.update_yaxes(autorange="reversed", title={"text": ""})
    return finish(fig, text, height=300, large=large, legend=True)
