"""The partner map: bundled outlines and a chart-ready partner frame in, a finished figure out.

Offline by construction: every trace is a plain `Scatter` on longitude/latitude drawn from the
outlines in data/geo (ikz.geo) – no tiles, no `Scattergeo` base map, no choropleth, so neither
the browser nor the image export ever asks another host for map data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import plotly.graph_objects as go
import polars as pl

from ikz.charts import ChartText, esc, finish
from ikz.geo import ATTRIBUTION, Outlines, Shape
from ikz.geo import outlines as bundled_outlines
from ikz.partner_map import MapFrames
from ikz.theme import (
    BOTH_CITIES,
    CITY_COLORS,
    MAP_BACKGROUND,
    MAP_KREIS_LINE,
    MAP_NEIGHBOUR_FILL,
    MAP_NEIGHBOUR_LINE,
    MAP_STATE_FILL,
    MAP_STATE_LINE,
    MUTED_COLOR,
    TEXT_COLOR,
    color_of,
)

ATTRIBUTION_ANNOTATION = "attribution"  # kept in deck images (only the source line is dropped)
SIZE_NOTE = "Kreisfläche: Zahl der Einträge, die den Partner nennen."
# Bubble diameter in px: area proportional to the count, so 4 records look four times 1 record.
BUBBLE_PX_PER_SQRT = 11
BUBBLE_MIN_PX = 9
# Bubbles with at least this many records get a name on the map; all others on hover.
LABEL_MIN_COUNT = 2
MAX_LABELS = 12
PAD_DEGREES = 0.15
MAP_HEIGHT = 880  # px at the normal font size: the map needs height more than the bar charts
# A white glow around map labels keeps them legible over outlines and bubbles.
HALO = "0 0 2px white, 0 0 3px white, 0 0 4px white"


def bubble_px(count: int, large: bool = False) -> float:
    """Marker diameter for a partner named by count records."""
    scale = 1.3 if large else 1.0
    return round(max(BUBBLE_MIN_PX, BUBBLE_PX_PER_SQRT * math.sqrt(count)) * scale, 1)


def _path(shapes: Iterable[Shape]) -> tuple[list[float | None], list[float | None]]:
    """All rings of the shapes as one path, rings separated by None (one trace per layer)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for shape in shapes:
        for ring in shape.rings:
            xs += [x for x, _ in ring] + [None]
            ys += [y for _, y in ring] + [None]
    return xs, ys


def _bounds(
    shapes: Iterable[Shape], points: Iterable[tuple[float, float]]
) -> tuple[float, float, float, float]:
    """lon_min, lon_max, lat_min, lat_max over the shapes' rings and the points."""
    lons = [x for s in shapes for r in s.rings for x, _ in r]
    lats = [y for s in shapes for r in s.rings for _, y in r]
    for lon, lat in points:
        lons.append(lon)
        lats.append(lat)
    return min(lons), max(lons), min(lats), max(lats)


def hover_text(row: dict) -> str:
    """A bubble's hover: name, kind, today's place name if different, counts, first records."""
    lines = [f"<b>{esc(row['partner'])}</b>", esc(row["kind"])]
    if row["place_name"] and row["place_name"] not in row["partner"]:
        lines.append(f"heute: {esc(row['place_name'])}")
    counts = []
    for city in CITY_COLORS:
        n = row[f"count_{city.lower()}"]
        if n:
            counts.append(f"{esc(city)} {n}")
    lines.append(f"Einträge: {row['count_total']} ({', '.join(counts)})")
    for title in row["first_records"] or []:
        short = title if len(title) <= 70 else title[:69] + "…"
        lines.append("· " + esc(short))
    if row["count_total"] > len(row["first_records"] or []):
        lines.append(f"· … und {row['count_total'] - len(row['first_records'])} weitere")
    return "<br>".join(lines)


def partner_map(
    frame: pl.DataFrame,
    outlines: Outlines,
    cities: pl.DataFrame,
    text: ChartText,
    *,
    lines: bool = False,
    large: bool = False,
) -> go.Figure:
    """Partners on a map of Thüringen and Sachsen-Anhalt, Kreise outlined, neighbours faded.

    frame: ikz.partner_map.map_partners (partner, kind, place_name, lon, lat, count_<city>,
    count_total, named_by, first_records). cities: city, lon, lat of the marked cities. Each
    bubble is sized by its count and coloured by the city naming it (BOTH_CITIES for both);
    customdata[0] is the partner's name, for click selection. With lines, each city is joined to
    its partners.
    """
    base = 20 if large else 14
    fig = go.Figure()
    skip = {"hoverinfo": "skip", "showlegend": False}
    xs, ys = _path(outlines.neighbours)
    fig.add_scatter(
        x=xs, y=ys, mode="lines", fill="toself", fillcolor=MAP_NEIGHBOUR_FILL,
        line={"color": MAP_NEIGHBOUR_LINE, "width": 0.8}, name="Nachbarländer", **skip,
    )  # fmt: skip
    xs, ys = _path(outlines.states)
    fig.add_scatter(
        x=xs, y=ys, mode="lines", fill="toself", fillcolor=MAP_STATE_FILL,
        line={"color": MAP_STATE_LINE, "width": 0}, name="Länder", **skip,
    )  # fmt: skip
    xs, ys = _path(outlines.kreise)
    fig.add_scatter(
        x=xs, y=ys, mode="lines", line={"color": MAP_KREIS_LINE, "width": 0.7}, name="Kreise", **skip,
    )  # fmt: skip
    xs, ys = _path(outlines.states)
    fig.add_scatter(
        x=xs, y=ys, mode="lines", line={"color": MAP_STATE_LINE, "width": 1.6}, name="Landesgrenzen", **skip,
    )  # fmt: skip
    rows = frame.to_dicts()
    where = {c["city"]: (c["lon"], c["lat"]) for c in cities.to_dicts()}
    if lines:
        for city, color in CITY_COLORS.items():
            if city not in where:
                continue
            lx: list[float | None] = []
            ly: list[float | None] = []
            for row in rows:
                if row[f"count_{city.lower()}"]:
                    lx += [where[city][0], row["lon"], None]
                    ly += [where[city][1], row["lat"], None]
            if lx:
                fig.add_scatter(
                    x=lx, y=ly, mode="lines", line={"color": color, "width": 1.2}, opacity=0.45,
                    name=f"Verbindungen {esc(city)}", **skip,
                )  # fmt: skip

    # The most named partners carry their name beside the bubble; every one has it on hover.
    ranked = sorted((r for r in rows if r["count_total"] >= LABEL_MIN_COUNT), key=lambda r: -r["count_total"])
    labelled = {r["partner"] for r in ranked[:MAX_LABELS]}
    groups = [*CITY_COLORS, BOTH_CITIES]
    colors = {group: color_of(group) for group in groups}
    for group in groups:
        part = [r for r in rows if r["named_by"] == group]
        if not part:
            continue
        label = f"genannt von {group}" if group != BOTH_CITIES else "genannt von beiden Städten"
        # Largest first, so a small bubble is drawn on top of a large one that would hide it.
        part.sort(key=lambda r: -r["count_total"])
        fig.add_scatter(
            x=[r["lon"] for r in part],
            y=[r["lat"] for r in part],
            mode="markers+text",
            name=esc(label),
            text=[esc(r["place_name"] or r["partner"]) if r["partner"] in labelled else "" for r in part],
            textposition="middle right",
            textfont={"size": round(base * 0.8), "color": TEXT_COLOR, "shadow": HALO},
            marker={
                "size": [bubble_px(r["count_total"], large) for r in part],
                "color": colors[group],
                "opacity": 0.78,
                "line": {"color": "white", "width": 1},
            },
            customdata=[[r["partner"]] for r in part],
            hovertext=[hover_text(r) for r in part],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    # The two cities on top of everything: a dark-edged square in their colour, named in bold.
    marked = [(city, where[city]) for city in CITY_COLORS if city in where]
    fig.add_scatter(
        x=[p[0] for _, p in marked],
        y=[p[1] for _, p in marked],
        mode="markers+text",
        name="Landeshauptstadt",
        marker={
            "symbol": "square",
            "size": round(base * 1.05),
            "color": [color_of(c) for c, _ in marked],
            "line": {"color": TEXT_COLOR, "width": 1.5},
        },
        text=[f"<b>{esc(c)}</b>" for c, _ in marked],
        # Below: north of both cities lie their nearest partners (Nöda, Alperstedt; Barleben).
        textposition="bottom center",
        textfont={"size": round(base * 1.1), "color": [color_of(c) for c, _ in marked], "shadow": HALO},
        hovertext=[f"<b>{esc(c)}</b><br>Landeshauptstadt" for c, _ in marked],
        hovertemplate="%{hovertext}<extra></extra>",
        showlegend=False,
    )

    lon_min, lon_max, lat_min, lat_max = _bounds(outlines.states, [(r["lon"], r["lat"]) for r in rows])
    lat_mid = (lat_min + lat_max) / 2
    fig.update_layout(
        plot_bgcolor=MAP_BACKGROUND,
        dragmode="pan",
        clickmode="event+select",
        # Inside the map's top-left corner (Lower Saxony, where no partner lies): the map keeps the width.
        legend={
            "itemsizing": "constant",
            "x": 0.01,
            "xanchor": "left",
            "y": 0.99,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.85)",
            "bordercolor": MAP_NEIGHBOUR_LINE,
            "borderwidth": 1,
        },
        annotations=[
            {
                "name": ATTRIBUTION_ANNOTATION,
                "text": esc(ATTRIBUTION),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": round(base * 0.75), "color": MUTED_COLOR},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        ],
    )
    fig.update_xaxes(
        range=[lon_min - PAD_DEGREES, lon_max + PAD_DEGREES],
        visible=False,
        showgrid=False,
        zeroline=False,
        # A degree of longitude is cos(latitude) as long as a degree of latitude: keeps shapes true.
        scaleanchor="y",
        scaleratio=math.cos(math.radians(lat_mid)),
        # The map fills the figure's width, showing more of the neighbours, rather than shrinking.
        constrain="range",
    )
    fig.update_yaxes(
        range=[lat_min - PAD_DEGREES, lat_max + PAD_DEGREES],
        visible=False,
        showgrid=False,
        zeroline=False,
        constrain="range",
    )
    note = f"{text.note} {SIZE_NOTE}".strip()
    full = ChartText(title=text.title, subtitle=text.subtitle, source=text.source, note=note)
    return finish(fig, full, height=MAP_HEIGHT, large=large, legend=True)


def map_figure(frames: MapFrames, *, text: ChartText, lines: bool = False, large: bool = False) -> go.Figure:
    """partner_map over the bundled outlines, for the frames of ikz.partner_map.map_frames."""
    return partner_map(frames.bubbles, bundled_outlines(), frames.cities, text, lines=lines, large=large)
