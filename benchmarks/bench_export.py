"""Time the export layer: browser cold start, warm per-chart renders, and a 7-chart deck plus PDF.

Run: .venv/bin/python benchmarks/bench_export.py [--write DIR]   (needs /usr/bin/chromium)
The target is a full deck under 10 s with a warm renderer on a 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

import plotly.graph_objects as go

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ikz.present.export import (
    ChartExport,
    DeckSpec,
    ImageRenderer,
    KeyFigure,
    build_deck,
    build_pdf,
    chromium_available,
    render_deck_images,
)

CITIES = ("Erfurt", "Magdeburg")
TYPES = ("Vertrag", "Arbeitsgemeinschaft", "Zweckverband", "Erfahrungsaustausch", "Projekt")
AREAS = (
    "Bildung",
    "Kultur",
    "Verkehr",
    "Umwelt",
    "Soziales",
    "Sicherheit und Ordnung",
    "Wirtschaft",
    "Verwaltung",
    "Gesundheit",
    "Stadtentwicklung",
)
# The quotes matter: unquoted, a family name with a digit voids the whole CSS list (serif text).
LAYOUT = {"font": {"family": '"Source Sans 3", Arial, sans-serif', "size": 14}}


def sample_figures(seed: int = 7) -> list[tuple[str, go.Figure]]:
    """Seven charts like the dashboard's: bars, stacked and horizontal bars, heatmap, treemap."""
    rng = random.Random(seed)
    figures: list[tuple[str, go.Figure]] = []

    bars = go.Figure(
        [go.Bar(name=c, x=list(TYPES), y=[rng.randint(3, 60) for _ in TYPES]) for c in CITIES],
        layout={**LAYOUT, "barmode": "group", "title": "Kooperationen nach Kooperationsart"},
    )
    figures.append(("Kooperationen nach Kooperationsart", bars))

    departments = [f"Amt {n} – Fachbereich „{AREAS[n % len(AREAS)]}“" for n in range(10, 40)]
    horizontal = go.Figure(
        go.Bar(
            x=[rng.randint(1, 25) for _ in departments],
            y=departments,
            orientation="h",
            text=None,
        ),
        layout={**LAYOUT, "title": "Kooperationen je Amt (Erfurt)", "height": 900},
    )
    figures.append(("Kooperationen je Amt (Erfurt)", horizontal))

    stacked = go.Figure(
        [go.Bar(name=t, x=list(AREAS), y=[rng.randint(0, 15) for _ in AREAS]) for t in TYPES],
        layout={**LAYOUT, "barmode": "stack", "title": "Aufgabenbereiche nach Art"},
    )
    figures.append(("Aufgabenbereiche nach Art", stacked))

    heatmap = go.Figure(
        go.Heatmap(
            z=[[rng.randint(0, 20) for _ in AREAS] for _ in TYPES],
            x=list(AREAS),
            y=list(TYPES),
            colorscale="Blues",
            texttemplate="%{z}",
        ),
        layout={**LAYOUT, "title": "Kooperationsart × Aufgabenbereich"},
    )
    figures.append(("Kooperationsart × Aufgabenbereich", heatmap))

    labels, parents, values = [], [], []
    for area in AREAS:
        labels.append(area)
        parents.append("")
        values.append(0)
        for kind in TYPES:
            labels.append(f"{kind} ({area})")
            parents.append(area)
            values.append(rng.randint(1, 12))
    treemap = go.Figure(
        go.Treemap(labels=labels, parents=parents, values=values, branchvalues="remainder"),
        layout={**LAYOUT, "title": "Aufgabenbereiche (Treemap)"},
    )
    figures.append(("Aufgabenbereiche (Treemap)", treemap))

    effects = ("Kosten sparen", "Qualität", "Wissen teilen", "Fördermittel", "Personal")
    effect_bars = go.Figure(
        [go.Bar(name=c, x=list(effects), y=[rng.randint(2, 40) for _ in effects]) for c in CITIES],
        layout={**LAYOUT, "barmode": "group", "title": "Erwartete Effekte"},
    )
    figures.append(("Erwartete Effekte", effect_bars))

    statuses = ("laufend", "abgeschlossen", "geplant", "ruhend", "unbekannt")
    status_bars = go.Figure(
        go.Bar(x=list(statuses), y=[rng.randint(1, 50) for _ in statuses]),
        layout={**LAYOUT, "title": "Arbeitsstand der Projekte (Magdeburg)"},
    )
    figures.append(("Arbeitsstand der Projekte (Magdeburg)", status_bars))
    return figures


def sample_spec() -> DeckSpec:
    """A deck spec with the seven sample charts, four key figures, sources and a note."""
    charts = tuple(
        ChartExport(
            title=title,
            subtitle="Anzahl der Kooperationen",
            source="Stadt Erfurt 2023; Landeshauptstadt Magdeburg 2010",
            figure=figure,
        )
        for title, figure in sample_figures()
    )
    return DeckSpec(
        title="Interkommunale Zusammenarbeit Erfurt und Magdeburg",
        subtitle="Auswertung für den Stadtrat",
        created=date(2026, 11, 21),
        filters_text="Städte: Erfurt, Magdeburg; Kooperationsart: alle; Aufgabenbereich: alle",
        charts=charts,
        key_figures=(
            KeyFigure("Kooperationen Erfurt", "214", "Stand 2023"),
            KeyFigure("Kooperationen Magdeburg", "187", "Stand 2010"),
            KeyFigure("Aufgabenbereiche", "10", ""),
            KeyFigure("Anteil Verträge", "31 %", "beide Städte"),
        ),
        sources=(
            "Stadt Erfurt: Übersicht der Kooperationen (2023)",
            "Landeshauptstadt Magdeburg: Bericht zur interkommunalen Zusammenarbeit (2010)",
        ),
        note="Die Berichte stammen aus verschiedenen Jahren und zählen „Kooperation“ verschieden.",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tabs", type=int, default=2, help="browser tabs (parallel renders)")
    parser.add_argument("--write", type=Path, help="also write deck.pptx and report.pdf here")
    args = parser.parse_args()
    if not chromium_available():
        sys.exit("No Chromium found; install it with `apt-get install chromium`.")

    spec = sample_spec()
    figures = [chart.figure for chart in spec.charts]
    with ImageRenderer(tabs=args.tabs) as renderer:
        started = time.perf_counter()
        renderer.close()
        renderer.start()
        renderer.render(figures[0])
        print(f"cold start + first PNG (1920×1080):  {time.perf_counter() - started:6.2f} s")

        started = time.perf_counter()
        for figure in figures:
            renderer.render(figure)
        per_chart = (time.perf_counter() - started) / len(figures)
        print(f"warm PNG 1920×1080, one at a time:   {per_chart:6.2f} s per chart")

        started = time.perf_counter()
        renderer.render_many(figures)
        per_chart = (time.perf_counter() - started) / len(figures)
        print(f"warm PNG 1920×1080, render_many:     {per_chart:6.2f} s per chart")

        started = time.perf_counter()
        images = render_deck_images(spec, renderer)
        rendered = time.perf_counter()
        deck = build_deck(spec, images)
        built_deck = time.perf_counter()
        pdf = build_pdf(spec, images)
        done = time.perf_counter()
        print(f"deck images ({len(images)} PNGs, 3300×1560):   {rendered - started:6.2f} s")
        print(f"build_deck (PPTX, {len(deck) // 1024} KiB):          {built_deck - rendered:6.2f} s")
        print(f"build_pdf (PDF, {len(pdf) // 1024} KiB):            {done - built_deck:6.2f} s")
        print(f"total deck + PDF, warm renderer:     {done - started:6.2f} s")

    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        (args.write / "deck.pptx").write_bytes(deck)
        (args.write / "report.pdf").write_bytes(pdf)
        for chart, image in zip(spec.charts, images, strict=True):
            (args.write / chart.file_name("png")).write_bytes(image)
        print(f"written to {args.write}")


if __name__ == "__main__":
    main()
