"""Export layer: Plotly figures and their wording in; PNG/SVG, CSV/XLSX, PowerPoint and PDF bytes out.

No Streamlit and no file writes; the only side effect is the shared headless Chromium that renders
the charts. One module per job:

- `render`: the persistent kaleido/Chromium renderer (`get_renderer().render(fig, "svg")`);
- `tables`: the filtered records as CSV for German Excel and as .xlsx;
- `spec`: what a deck or report shows (`DeckSpec` and its slides), and the shared wording;
- `deck`: the 16:9 PowerPoint deck of a spec; `pdf`: the A4 landscape report of the same spec,
  page for slide.

A page builds one `DeckSpec` and hands it to the export panel (ikz/ui/export_panel.py):

    spec = DeckSpec(title=…, subtitle=…, created=date.today(), filters_text=…, charts=(ChartExport(…), …),
                    key_figures=(KeyFigure(…), …), sources=(…), note=…)
    images = render_deck_images(spec)          # each chart rendered once, shared by deck and PDF
    pptx, pdf = build_deck(spec, images), build_pdf(spec, images)

How a feature adds a slide (and the matching PDF page): build a `ChartExport` (any Plotly figure,
e.g. a map), a `TextSlide` (paragraphs, e.g. „Anregungen“) or a `TableSlide` (columns and rows of
text, e.g. „Änderungen seit …“; long tables continue on further slides) and add it to the spec's
`extra_slides`, e.g. `replace(spec, extra_slides=(*spec.extra_slides, TextSlide("Anregungen", lines)))`.
Extra slides follow the page's charts, before the key figures and the closing slide; nothing in
`deck.py` or `pdf.py` needs to change, and a new kind of slide is one dataclass in `spec.py` plus
one layout function in each of `deck.py` and `pdf.py`.
"""

from collections.abc import Sequence
from importlib import import_module

from ikz.present.export.render import (
    BROWSER_PATH_ENV,
    IMAGE_FORMATS,
    NO_BROWSER_MESSAGE,
    ExportError,
    ExportUnavailable,
    ImageFormat,
    ImageRenderer,
    chromium_available,
    find_browser,
    get_renderer,
    shutdown_renderer,
)
from ikz.present.export.spec import (
    ChartExport,
    DeckSpec,
    KeyFigure,
    Slide,
    TableSlide,
    TextSlide,
    chart_file_name,
    checked_values_slide,
    render_deck_images,
)
from ikz.present.export.tables import records_csv, records_xlsx


# python-pptx and fpdf2 take about 45 MB of a process (measured): loaded with the first deck or
# report, so a server whose people never export does not carry them (issue 21). Not a cycle.
def build_deck(
    spec: DeckSpec, images: Sequence[bytes] | None = None, *, renderer: ImageRenderer | None = None
) -> bytes:
    """The 16:9 PowerPoint deck of spec (ikz.present.export.deck.build_deck)."""
    return import_module("ikz.present.export.deck").build_deck(spec, images, renderer=renderer)


def build_pdf(
    spec: DeckSpec, images: Sequence[bytes] | None = None, *, renderer: ImageRenderer | None = None
) -> bytes:
    """The A4 landscape report of spec, page for slide (ikz.present.export.pdf.build_pdf)."""
    return import_module("ikz.present.export.pdf").build_pdf(spec, images, renderer=renderer)


__all__ = [
    "BROWSER_PATH_ENV",
    "IMAGE_FORMATS",
    "NO_BROWSER_MESSAGE",
    "ChartExport",
    "DeckSpec",
    "ExportError",
    "ExportUnavailable",
    "ImageFormat",
    "ImageRenderer",
    "KeyFigure",
    "Slide",
    "TableSlide",
    "TextSlide",
    "build_deck",
    "build_pdf",
    "chart_file_name",
    "checked_values_slide",
    "chromium_available",
    "find_browser",
    "get_renderer",
    "records_csv",
    "records_xlsx",
    "render_deck_images",
    "shutdown_renderer",
]
