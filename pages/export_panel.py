"""The „Export für Präsentationen“ panel: slide deck, PDF report and single-chart images of a view."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import streamlit as st

from ikz.export import (
    NO_BROWSER_MESSAGE,
    DeckSpec,
    ExportError,
    build_deck,
    build_pdf,
    chromium_available,
    get_renderer,
    render_deck_images,
)
from ikz.labels import file_stem
from ikz.theme import EXPORT_HEIGHT, EXPORT_WIDTH, fmt_decimal

IMAGE_DOWNLOADS = (("png", "image/png", ":material/image:"), ("svg", "image/svg+xml", ":material/polyline:"))


def _fingerprint(spec: DeckSpec) -> str:
    """What the export shows; a stored export is offered only while the view is unchanged."""
    parts = [spec.title, spec.filters_text, *(c.title + c.subtitle for c in spec.charts)]
    parts += [f"{k.label}={k.value}" for k in spec.key_figures]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def _deferred_image(fig: Any, fmt: str) -> Callable[[], bytes]:
    """Render one chart only when its download button is clicked (on Streamlit's own thread)."""

    def render() -> bytes:
        return get_renderer().render(fig, fmt, EXPORT_WIDTH, EXPORT_HEIGHT)

    return render


@st.fragment
def export_panel(page_key: str, spec: DeckSpec) -> None:
    """Slide deck, PDF report and single-chart images of the current view.

    A fragment: clicking its buttons reruns only this panel, not the page's queries and charts.
    """
    st.header("Export für Präsentationen")
    if not chromium_available():
        st.info(NO_BROWSER_MESSAGE, icon="ℹ️")
        st.button("Foliensatz und PDF-Bericht erstellen", disabled=True, key=f"{page_key}_export_off")
        return
    state_key = f"{page_key}_export"
    fingerprint = _fingerprint(spec)
    stored = st.session_state.get(state_key)
    if stored and stored["fingerprint"] != fingerprint:
        stored = None
    st.caption(
        "Foliensatz (PowerPoint, 16:9) und PDF-Bericht (A4 quer) mit allen Diagrammen dieser Ansicht, "
        "Kennzahlen, Filterzeile und Quellen."
    )
    if st.button(
        "Foliensatz und PDF-Bericht erstellen", key=f"{page_key}_export_build", icon=":material/slideshow:"
    ):
        with st.status("Export wird erstellt …", expanded=True) as status:
            started = time.perf_counter()
            progress = st.progress(0.0, text="Diagramme werden gerendert …")
            renderer = get_renderer()
            images: list[bytes] = []
            try:
                # In pairs, so the bar moves while the export browser's two tabs work in parallel.
                for i in range(0, len(spec.charts), 2):
                    images += render_deck_images(
                        replace(spec, charts=spec.charts[i : i + 2]), renderer=renderer
                    )
                    progress.progress(
                        0.8 * len(images) / len(spec.charts),
                        text=f"Diagramme gerendert: {len(images)} von {len(spec.charts)}",
                    )
                progress.progress(0.85, text="Foliensatz wird gebaut …")
                pptx = build_deck(spec, images)
                progress.progress(0.95, text="PDF-Bericht wird gebaut …")
                pdf = build_pdf(spec, images)
            except ExportError as exc:
                status.update(label="Export fehlgeschlagen", state="error")
                st.error(f"Der Export ist fehlgeschlagen: {exc} Bitte noch einmal versuchen.")
                return
            progress.progress(1.0, text="Fertig")
            status.update(
                label=f"Export fertig ({fmt_decimal(time.perf_counter() - started)} s)",
                state="complete",
                expanded=False,
            )
        stored = {"fingerprint": fingerprint, "pptx": pptx, "pdf": pdf}
        st.session_state[state_key] = stored
    if stored:
        stem = file_stem(f"{spec.title} {spec.created.isoformat()}")
        c1, c2, _ = st.columns([1, 1, 2])
        c1.download_button(
            "Foliensatz herunterladen",
            stored["pptx"],
            file_name=f"{stem}.pptx",
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            icon=":material/download:",
            on_click="ignore",
            key=f"{page_key}_pptx",
        )
        c2.download_button(
            "PDF-Bericht herunterladen",
            stored["pdf"],
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
            key=f"{page_key}_pdf",
        )
    st.markdown("**Einzelnes Diagramm als Bild** (1920 × 1080)")
    titles = [c.title for c in spec.charts]
    chosen = st.selectbox("Diagramm", titles, key=f"{page_key}_chart_choice", label_visibility="collapsed")
    chart = spec.charts[titles.index(chosen)] if chosen in titles else spec.charts[0]
    columns = st.columns([1, 1, 2])
    for column, (fmt, mime, icon) in zip(columns, IMAGE_DOWNLOADS, strict=False):
        column.download_button(
            f"{fmt.upper()} herunterladen",
            _deferred_image(chart.figure, fmt),
            file_name=chart.file_name(fmt),
            mime=mime,
            on_click="ignore",
            key=f"{page_key}_{fmt}",
            icon=icon,
        )
