"""The slides read back: every chart slide of the real pages, rendered as the deck renders it, names
each of its categories, and no two tick labels overlap.

The deck embeds PNGs; the same figure at the same size rendered as SVG (same kaleido/Chromium, same
Plotly.js) lists the tick labels Plotly actually drew, with each label's raw text and position.
The PDF embeds the very same images, so this covers its pages too.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ikz.present.export import DeckSpec, get_renderer
from ikz.present.export.fit import category_rows, is_category_rows, is_heatmap, plain
from ikz.present.export.spec import DECK_IMAGE_HEIGHT, DECK_IMAGE_WIDTH, deck_figure
from tests.apptest import offered_decks, open_app
from tests.export_samples import needs_chromium

pytestmark = [pytest.mark.slow, needs_chromium]
SVG = "{http://www.w3.org/2000/svg}"
LINE_SPACING = 1.3  # Plotly's line height in ems (svg_text_utils.LINE_SPACING)


def page_spec(monkeypatch: pytest.MonkeyPatch, page: str | None, **params: list[str]) -> DeckSpec:
    """The DeckSpec a page hands its export panel, from a real AppTest run."""
    offered = offered_decks(monkeypatch, draw=False)
    at = open_app(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return offered[-1]


def drawn_ticks(svg: bytes, axis: str) -> list[tuple[str, int, float, float, str]]:
    """(label, its lines, position along the axis, font size, transform) of every tick label drawn."""
    ticks = []
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if axis + "tick" not in (group.get("class") or "").split():
            continue
        for text in group.iter(f"{SVG}text"):
            transform = text.get("transform") or ""
            x, y = map(float, re.search(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)", transform).groups())
            size = float(re.search(r"font-size:\s*([\d.]+)px", text.get("style") or "").group(1))
            lines = [line.text or "" for line in text.iter(f"{SVG}tspan")] or [text.text or ""]
            label = " ".join(line.strip() for line in lines)
            ticks.append((label, len(lines), y if axis == "y" else x, size, transform))
    return ticks


def assert_readable(svg: bytes, figure: dict, title: str) -> None:
    """Every category of the figure is a drawn tick, and the ticks do not overlap."""
    if is_heatmap(figure):
        expected_y, expected_x = figure["data"][0]["y"], figure["data"][0]["x"]
    elif is_category_rows(figure):
        expected_y, expected_x = category_rows(figure), None
    else:
        return
    ticks = drawn_ticks(svg, "y")
    named = sorted(plain(y) for y in expected_y)
    assert sorted(t[0] for t in ticks) == named, f"{title}: not every row is named"
    ticks.sort(key=lambda t: t[2])
    for (label, lines, pos, size, _), (after, more, next_pos, _, _) in itertools.pairwise(ticks):
        # Centred on their rows, two labels need half of each one's lines between their centres.
        room = (lines + more) / 2 * LINE_SPACING * size * 0.92
        assert next_pos - pos >= room, f"{title}: {label!r} meets {after!r}"
    if expected_x is not None:
        columns = drawn_ticks(svg, "x")
        assert sorted(t[0] for t in columns) == sorted(plain(x) for x in expected_x), (
            f"{title}: a column unnamed"
        )
        assert not any("rotate" in t[4] for t in columns), f"{title}: column names turned"


@pytest.mark.parametrize(
    ("page", "params"),
    [(None, {}), (None, {"stadt": ["Erfurt"]}), ("pages/compare.py", {})],
    ids=["ueberblick", "ueberblick-erfurt", "vergleich"],
)
def test_every_slide_names_its_categories(
    on_built_db: Path, monkeypatch: pytest.MonkeyPatch, page: str | None, params: dict
) -> None:
    spec = page_spec(monkeypatch, page, **params)
    slides = spec.chart_slides()
    figures = [deck_figure(chart) for chart in slides]
    # The deck renders PNGs at this size (render_deck_images); the SVG shows what they hold.
    svgs = get_renderer().render_many(figures, "svg", DECK_IMAGE_WIDTH, DECK_IMAGE_HEIGHT, 1)
    checked = 0
    for chart, figure, svg in zip(slides, figures, svgs, strict=True):
        assert_readable(svg, figure, chart.title)
        checked += is_heatmap(figure) or is_category_rows(figure)
    assert checked >= 5
    names = {re.sub(r"(: weitere)? \(\d+–\d+ von \d+\)$", "", c.title) for c in slides}
    assert names == {c.title for c in spec.charts}  # every chart of the page is in the deck
