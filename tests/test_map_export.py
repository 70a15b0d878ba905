"""The map in the static export: drawn by kaleido with Debian's Chromium without any network, and
as a slide of the deck and a page of the PDF, with the BKG attribution on image and sources slide."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from ikz.core.paths import ROOT
from ikz.present import maps
from ikz.present.charts import ChartText
from ikz.present.export import (
    ChartExport,
    DeckSpec,
    ImageRenderer,
    KeyFigure,
    build_deck,
    build_pdf,
    render_deck_images,
)
from ikz.present.theme import CITY_COLORS, MAP_NEIGHBOUR_FILL
from ikz.read.db import Database
from ikz.read.partner_map import city_points, map_partners
from ikz.rules import geo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").is_file(), reason="needs /usr/bin/chromium"),
]

TITLE = "Wo die Partner liegen: Erfurt und Magdeburg"
TEXT = ChartText(title=TITLE, subtitle="Alle Kooperationen, ohne Filter", source="Quelle: Testdokumente")
SOURCE = f"Quelle: Testdokumente; Geodaten: {geo.ATTRIBUTION}"

# Renders the real map in a separate process: under `unshare -n` that process has no network at all
# (not even loopback), so any request kaleido or Chromium made for plotly.js, fonts, tiles or world
# outlines would fail and the map would come out blank or not at all.
RENDER_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[3])
from ikz.rules import geo
from ikz.present import maps
from ikz.present.charts import ChartText
from ikz.read.db import Database
from ikz.present.export import ImageRenderer
from ikz.read.partner_map import city_points, map_partners

with Database(sys.argv[1]).cursor() as cur:
    frame, cities = map_partners(cur), city_points(cur)
fig = maps.partner_map(frame, geo.outlines(), cities, ChartText("Karte", "ohne Filter", "Quelle: Test"))
with ImageRenderer(render_timeout=120, start_timeout=180, request_timeout=240) as renderer:
    for fmt in ("png", "svg"):
        with open(f"{sys.argv[2]}.{fmt}", "wb") as out:
            out.write(renderer.render(fig, fmt, 1920, 1080))
"""


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))


def test_static_export_draws_the_map_without_network(built_db: Path, tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    offline = (
        unshare is not None and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0
    )
    if not offline:
        pytest.skip("no network namespace available (unshare -n): cannot prove the export is offline")
    out = tmp_path / "karte"
    result = subprocess.run(
        [unshare, "-n", sys.executable, "-c", RENDER_SCRIPT, str(built_db), str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    image = Image.open(out.with_suffix(".png")).convert("RGB")
    assert image.size == (1920, 1080)
    counts: dict[tuple[int, int, int], int] = {}
    reddish = bluish = 0
    for n, pixel in image.getcolors(maxcolors=1 << 22):
        counts[pixel] = n
        r, _, b = pixel
        reddish += n if r > b + 60 else 0
        bluish += n if b > r + 40 else 0
    # The faded neighbours, the white states, both city squares and many bubble pixels are there.
    assert counts.get(_rgb(MAP_NEIGHBOUR_FILL), 0) > 100_000
    assert counts.get((255, 255, 255), 0) > 300_000
    assert counts.get(_rgb(CITY_COLORS["Erfurt"]), 0) > 100
    assert counts.get(_rgb(CITY_COLORS["Magdeburg"]), 0) > 100
    assert reddish > 2_000 and bluish > 5_000
    svg = out.with_suffix(".svg").read_text(encoding="utf-8")
    assert "GeoBasis-DE / BKG 2021 (Daten verändert)" in svg
    assert svg.count("<path") > 50  # outlines and bubbles are vector paths


@pytest.fixture(scope="module")
def renderer() -> Iterator[ImageRenderer]:
    with ImageRenderer(render_timeout=120, start_timeout=180, request_timeout=240) as shared:
        yield shared


def test_deck_and_pdf_include_the_map(database: Database, renderer: ImageRenderer) -> None:
    with database.cursor() as cur:
        frame, cities = map_partners(cur), city_points(cur)
    fig = maps.partner_map(frame, geo.outlines(), cities, TEXT)
    spec = DeckSpec(
        title="Karte der Partner",
        subtitle="Test",
        created=date(2026, 11, 30),
        filters_text="Alle Kooperationen, ohne Filter",
        charts=(ChartExport(title=TITLE, subtitle=TEXT.subtitle, source=SOURCE, figure=fig),),
        key_figures=(KeyFigure("Partner auf der Karte", str(frame.height)),),
        sources=("Testdokumente", f"Geodaten: {geo.ATTRIBUTION}, {geo.ATTRIBUTION_URL}"),
        note="",
    )
    images = render_deck_images(spec, renderer)
    pptx, pdf = build_deck(spec, images), build_pdf(spec, images)
    slides = list(Presentation(io.BytesIO(pptx)).slides)
    texts = [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides]
    map_slides = [i for i, t in enumerate(texts) if TITLE in t]
    assert len(map_slides) == 1
    slide = slides[map_slides[0]]
    pictures = [s for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 1
    # The image keeps the attribution in its corner; the slide prints the source line with it.
    assert geo.ATTRIBUTION in texts[map_slides[0]]
    assert geo.ATTRIBUTION in texts[-1]  # the sources slide
    png = Image.open(io.BytesIO(pictures[0].image.blob)).convert("RGB")
    assert png.getcolors(maxcolors=1 << 22) is not None and len(png.getcolors(maxcolors=1 << 22)) > 50
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert sum(TITLE in p for p in pages) == 1
    assert geo.ATTRIBUTION in next(p for p in pages if TITLE in p)


def test_deck_image_keeps_the_attribution_annotation() -> None:
    from ikz.present.export.spec import deck_figure

    empty = pl.DataFrame(
        schema={
            "partner": pl.String, "kind": pl.String, "place_name": pl.String, "lon": pl.Float64,
            "lat": pl.Float64, "city_counts": pl.List(pl.Struct({"city": pl.String, "count": pl.Int32})),
            "count_total": pl.Int32, "named_by": pl.String, "first_records": pl.List(pl.String),
        }
    )  # fmt: skip
    cities = pl.DataFrame({"city": ["Erfurt"], "lon": [11.0], "lat": [51.0]})
    fig = maps.partner_map(empty, geo.outlines(), cities, TEXT)
    data = deck_figure(ChartExport(title=TITLE, subtitle="", source=SOURCE, figure=fig))
    names = [a.get("name") for a in data["layout"]["annotations"]]
    assert maps.ATTRIBUTION_ANNOTATION in names and "source" not in names
