"""The partner map: bundled outlines and a chart-ready partner frame in, a finished figure out.

Offline by construction: every trace is a plain `Scatter` on longitude/latitude drawn from the
outlines in data/geo (ikz.rules.geo) – no tiles, no `Scattergeo` base map, no choropleth, so neither
the browser nor the image export ever asks another host for map data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from ikz.present.charts import ChartText, esc, finish, font_size
from ikz.present.theme import (
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
from ikz.read.partner_map import MapFrames
from ikz.rules.geo import ATTRIBUTION, Outlines, Shape
from ikz.rules.geo import outlines as bundled_outlines
from ikz.rules.words import BOTH_CITIES, MANY_CITIES

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


def city_counts(row: dict) -> dict[str, int]:
    """A partner row's records per city naming it (from city_counts: a list of {city, count})."""
    return {c["city"]: c["count"] for c in row.get("city_counts") or []}


def hover_text(row: dict) -> str:
    """A bubble's hover: name, kind, today's place name if different, counts, first records."""
    lines = [f"<b>{esc(row['partner'])}</b>", esc(row["kind"])]
    if row["place_name"] and row["place_name"] not in row["partner"]:
        lines.append(f"heute: {esc(row['place_name'])}")
    named = city_counts(row)
    counts = [f"{esc(city)} {named[city]}" for city in CITY_COLORS if named.get(city)]
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

    frame: ikz.read.partner_map.map_partners (partner, kind, place_name, lon, lat, city_counts,
    count_total, named_by, first_records). cities: city, lon, lat of the marked cities. Each
    bubble is sized by its count and coloured by the city naming it (BOTH_CITIES for both);
    customdata[0] is the partner's name, for click selection. With lines, each city is joined to
    its partners.
    """
    base = font_size(large)
    skip = {"type": "scatter", "mode": "lines", "hoverinfo": "skip", "showlegend": False}
    traces: list[dict] = []
    for paths, style in (
        (outlines.neighbours, {"fill": "toself", "fillcolor": MAP_NEIGHBOUR_FILL,
                               "line": {"color": MAP_NEIGHBOUR_LINE, "width": 0.8}, "name": "Nachbarländer"}),
        (outlines.states, {"fill": "toself", "fillcolor": MAP_STATE_FILL,
                           "line": {"color": MAP_STATE_LINE, "width": 0}, "name": "Länder"}),
        (outlines.kreise, {"line": {"color": MAP_KREIS_LINE, "width": 0.7}, "name": "Kreise"}),
        (outlines.states, {"line": {"color": MAP_STATE_LINE, "width": 1.6}, "name": "Landesgrenzen"}),
    ):  # fmt: skip
        xs, ys = _path(paths)
        traces.append({**skip, "x": xs, "y": ys, **style})
    rows = frame.to_dicts()
    where = {c["city"]: (c["lon"], c["lat"]) for c in cities.to_dicts()}
    if lines:
        for city, color in CITY_COLORS.items():
            if city not in where:
                continue
            lx: list[float | None] = []
            ly: list[float | None] = []
            for row in rows:
                if city_counts(row).get(city):
                    lx += [where[city][0], row["lon"], None]
                    ly += [where[city][1], row["lat"], None]
            if lx:
                traces.append(
                    {**skip, "x": lx, "y": ly, "line": {"color": color, "width": 1.2}, "opacity": 0.45,
                     "name": f"Verbindungen {esc(city)}"}
                )  # fmt: skip

    # The most named partners carry their name beside the bubble; every one has it on hover.
    ranked = sorted((r for r in rows if r["count_total"] >= LABEL_MIN_COUNT), key=lambda r: -r["count_total"])
    labelled = {r["partner"] for r in ranked[:MAX_LABELS]}
    groups = [*CITY_COLORS, BOTH_CITIES, MANY_CITIES]
    colors = {group: color_of(group) for group in groups}
    for group in groups:
        part = [r for r in rows if r["named_by"] == group]
        if not part:
            continue
        several = {BOTH_CITIES: "genannt von beiden Städten", MANY_CITIES: "genannt von mehreren Städten"}
        label = several.get(group, f"genannt von {group}")
        # Largest first, so a small bubble is drawn on top of a large one that would hide it.
        part.sort(key=lambda r: -r["count_total"])
        traces.append(
            {
                "type": "scatter",
                "x": [r["lon"] for r in part],
                "y": [r["lat"] for r in part],
                "mode": "markers+text",
                "name": esc(label),
                "text": [
                    esc(r["place_name"] or r["partner"]) if r["partner"] in labelled else "" for r in part
                ],
                "textposition": "middle right",
                "textfont": {"size": round(base * 0.8), "color": TEXT_COLOR, "shadow": HALO},
                "marker": {
                    "size": [bubble_px(r["count_total"], large) for r in part],
                    "color": colors[group],
                    "opacity": 0.78,
                    "line": {"color": "white", "width": 1},
                },
                "customdata": [[r["partner"]] for r in part],
                "hovertext": [hover_text(r) for r in part],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    # The two cities on top of everything: a dark-edged square in their colour, named in bold.
    marked = [(city, where[city]) for city in CITY_COLORS if city in where]
    traces.append(
        {
            "type": "scatter",
            "x": [p[0] for _, p in marked],
            "y": [p[1] for _, p in marked],
            "mode": "markers+text",
            "name": "Landeshauptstadt",
            "marker": {
                "symbol": "square",
                "size": round(base * 1.05),
                "color": [color_of(c) for c, _ in marked],
                "line": {"color": TEXT_COLOR, "width": 1.5},
            },
            "text": [f"<b>{esc(c)}</b>" for c, _ in marked],
            # Below: north of both cities lie their nearest partners (Nöda, Alperstedt; Barleben).
            "textposition": "bottom center",
            "textfont": {
                "size": round(base * 1.1),
                "color": [color_of(c) for c, _ in marked],
                "shadow": HALO,
            },
            "hovertext": [f"<b>{esc(c)}</b><br>Landeshauptstadt" for c, _ in marked],
            "hovertemplate": "%{hovertext}<extra></extra>",
            "showlegend": False,
        }
    )

    lon_min, lon_max, lat_min, lat_max = _bounds(outlines.states, [(r["lon"], r["lat"]) for r in rows])
    lat_mid = (lat_min + lat_max) / 2
    hidden_axis = {"visible": False, "showgrid": False, "zeroline": False, "constrain": "range"}
    layout = {
        "plot_bgcolor": MAP_BACKGROUND,
        "dragmode": "pan",
        "clickmode": "event+select",
        # Inside the map's top-left corner (Lower Saxony, where no partner lies): the map keeps the width.
        "legend": {
            "itemsizing": "constant",
            "x": 0.01,
            "xanchor": "left",
            "y": 0.99,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.85)",
            "bordercolor": MAP_NEIGHBOUR_LINE,
            "borderwidth": 1,
        },
        "annotations": [
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
        # constrain="range": the map fills the figure's width, showing more of the neighbours,
        # rather than shrinking.
        "xaxis": {
            **hidden_axis,
            "range": [lon_min - PAD_DEGREES, lon_max + PAD_DEGREES],
            # A degree of longitude is cos(latitude) as long as a degree of latitude: keeps shapes true.
            "scaleanchor": "y",
            "scaleratio": math.cos(math.radians(lat_mid)),
        },
        "yaxis": {**hidden_axis, "range": [lat_min - PAD_DEGREES, lat_max + PAD_DEGREES]},
    }
    # A plain spec, not validated, like the charts: validating the outlines' 4,000 coordinates was
    # most of the map's build time (56 ms a filter state, now 15 ms; measured).
    spec = {"data": traces, "layout": layout}
    note = f"{text.note} {SIZE_NOTE}".strip()
    full = ChartText(title=text.title, subtitle=text.subtitle, source=text.source, note=note)
    finished = finish(spec, full, height=MAP_HEIGHT, large=large, legend=True)
    _place_labels(finished)
    return finished


# --- labels that do not collide --------------------------------------------------------------

# Where a partner's name may go, in order of preference (Plotly textposition values).
LABEL_POSITIONS = (
    "middle right",
    "middle left",
    "top center",
    "bottom center",
    "top right",
    "bottom right",
    "top left",
    "bottom left",
)
CHAR_WIDTH = 0.56  # average glyph width of the map font, in font sizes (Arial, mixed case)
LINE_HEIGHT = 1.25


@dataclass(frozen=True)
class Box:
    """A rectangle in screen pixels (y upwards)."""

    x0: float
    x1: float
    y0: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def touches_circle(self, x: float, y: float, r: float) -> bool:
        nearest_x = min(max(x, self.x0), self.x1)
        nearest_y = min(max(y, self.y0), self.y1)
        return (nearest_x - x) ** 2 + (nearest_y - y) ** 2 < r * r


def label_box(x: float, y: float, r: float, text: str, font_px: float, position: str) -> Box:
    """The box a label of text takes at position around a marker of radius r at (x, y)."""
    w = len(text) * font_px * CHAR_WIDTH + 4
    h = font_px * LINE_HEIGHT
    vertical, horizontal = position.split()
    x0 = {"right": x + r + 2, "left": x - r - 2 - w, "center": x - w / 2}[horizontal]
    y0 = {"top": y + r, "bottom": y - r - h, "middle": y - h / 2}[vertical]
    return Box(x0, x0 + w, y0, y0 + h)


def place_labels(
    labels: list[tuple[str, float, float, float, str]],
    circles: list[tuple[float, float, float]],
    taken: list[Box],
    font_px: float,
) -> dict[str, str]:
    """A textposition per label key that overlaps no other label (and, where possible, no bubble).

    labels: (key, x, y, marker radius, text) in screen pixels, most important first. A label that
    fits nowhere is left out (its name stays on hover).
    """
    placed: dict[str, str] = {}
    boxes = list(taken)
    for strict in (True, False):
        for key, x, y, r, text in labels:
            if key in placed:
                continue
            for position in LABEL_POSITIONS:
                box = label_box(x, y, r, text, font_px, position)
                if any(box.overlaps(b) for b in boxes):
                    continue
                # Strict: over no other bubble; then, for the rest, over bubbles but no label.
                if strict and any(
                    box.touches_circle(cx, cy, cr) for cx, cy, cr in circles if (cx, cy) != (x, y)
                ):
                    continue
                placed[key] = position
                boxes.append(box)
                break
    return placed


def screen_scale(fig: go.Figure) -> tuple[float, float]:
    """Pixels per degree (x, y) of a finished map: the latitude range fills the plot height, and a
    degree of longitude is drawn as long as the x axis's scaleratio says."""
    layout = fig.layout
    y0, y1 = layout.yaxis.range
    scale_y = (layout.height - layout.margin.t - layout.margin.b) / (y1 - y0)
    return scale_y * layout.xaxis.scaleratio, scale_y


def _place_labels(fig: go.Figure) -> None:
    """Give the named bubbles positions where their names collide with nothing."""
    scale_x, scale_y = screen_scale(fig)
    bubbles = [t for t in fig.data if t.customdata is not None and t.mode == "markers+text"]
    cities = [t for t in fig.data if t.name == "Landeshauptstadt"]
    circles = [
        (x * scale_x, y * scale_y, size / 2)
        for t in (*bubbles, *cities)
        for x, y, size in zip(t.x, t.y, marker_sizes(t), strict=True)
    ]
    taken = []
    for t in cities:
        font = t.textfont.size
        for x, y, size, text in zip(t.x, t.y, marker_sizes(t), t.text, strict=True):
            shown = text.replace("<b>", "").replace("</b>", "")
            taken.append(label_box(x * scale_x, y * scale_y, size / 2, shown, font * 1.1, "bottom center"))
    font_px = bubbles[0].textfont.size if bubbles else 11
    labels = [
        (f"{i}:{j}", x * scale_x, y * scale_y, size / 2, text)
        for i, t in enumerate(bubbles)
        for j, (x, y, size, text) in enumerate(zip(t.x, t.y, marker_sizes(t), t.text, strict=True))
        if text
    ]
    # The most named first: they are the ones a reader looks for.
    labels.sort(key=lambda label: -label[3])
    positions = place_labels(labels, circles, taken, font_px)
    for i, t in enumerate(bubbles):
        keys = [f"{i}:{j}" for j in range(len(t.x))]
        t.text = [text if key in positions else "" for key, text in zip(keys, t.text, strict=True)]
        t.textposition = [positions.get(key, "middle right") for key in keys]


def marker_sizes(trace: go.Scatter) -> list[float]:
    """Each point's marker size in pixels (one size for all, or one per point)."""
    size = trace.marker.size
    return list(size) if isinstance(size, (list, tuple)) else [size] * len(trace.x)


def map_figure(frames: MapFrames, *, text: ChartText, lines: bool = False, large: bool = False) -> go.Figure:
    """partner_map over the bundled outlines, for the frames of ikz.read.partner_map.map_frames."""
    return partner_map(frames.bubbles, bundled_outlines(), frames.cities, text, lines=lines, large=large)
