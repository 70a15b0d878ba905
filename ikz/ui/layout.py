"""The scaffold every page shares: title and lead, sidebar filters, key figures, charts kept for the
export, the export panel and the Präsentationsansicht. A page is then a short file of what it shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ikz.present.chart_table import figure_table
from ikz.present.charts import ChartText, plotly_config
from ikz.present.export import ChartExport, DeckSpec, KeyFigure, Slide
from ikz.present.labels import describe_filters
from ikz.read.queries import Filters
from ikz.rules.sources import source_line
from ikz.ui import data, state
from ikz.ui.export_panel import ExportOffer, export_panel
from ikz.ui.markdown import md_escape

ALL_FILTERS = tuple(state.FILTER_KEYS)
PRESENTATION_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], .stDownloadButton,
[data-testid="stExpander"] {display: none !important;}
[data-testid="stMainBlockContainer"] {padding-top: 1.5rem; max-width: 100%;}
[data-testid="stMetricValue"] {font-size: 3.2rem;}
[data-testid="stColumn"]:nth-child(4) [data-testid="stMetricValue"] {font-size: 2.1rem;}
[data-testid="stMetricLabel"] p {font-size: 1.3rem;}
</style>"""
LEAVE_KEY = "praesentation_verlassen"
# What Streamlit's frontend sets on a selectable chart that does not set it itself.
SELECTION_LAYOUT = {"clickmode": "event+select", "hovermode": "closest", "dragmode": "pan"}
# URL parameter (= widget key) of the open chart tab, after the page's key: a shared link opens the
# same chart. One per page: the pages' tabs differ, and one key shared by two pages carried the
# open tab of one into the other.
TAB_KEY = "{page}_diagramm"
# A key figure's label wraps instead of ending in „…“ („Anteil verbindlicher Koope…“ at 1,280 px).
LABEL_CSS = """<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] div, [data-testid="stMetricLabel"] p {
    white-space: normal !important; text-overflow: clip !important; overflow: visible !important;
}
</style>"""


def show_chart(
    fig: data.DrawnFigure,
    title: str,
    *,
    key: str,
    presentation: bool,
    on_select: Callable[[], None] | None = None,
    table: pl.DataFrame | None = None,
) -> None:
    """Render a finished figure with the German toolbar config, its accessible name and its numbers
    as a table („Daten als Tabelle“, the text alternative: table, or the figure's own numbers);
    optional selection callback."""
    config = plotly_config(title)
    # Nothing is fetched from another host: no MathJax for LaTeX labels, no topojson for geo charts.
    config.update(typesetMath=False, topojsonURL="")
    if presentation:
        config["displayModeBar"] = False
    # theme=None: the figure keeps exactly the fonts and colours of ikz.present.theme, as in its exports.
    # alt: the chart's accessible name (role "figure"), set by Streamlit as the element is drawn.
    kwargs: dict[str, Any] = {
        "key": key,
        "config": config,
        "width": "stretch",
        "theme": None,
        "alt": f"Diagramm: {title}",
    }
    if on_select is not None and not presentation:
        kwargs.update(on_select=on_select, selection_mode="points")
        # Set here as Streamlit's frontend would after the first draw: set by it, they redrew the chart.
        layout = fig.spec["layout"]
        layout.update({k: v for k, v in SELECTION_LAYOUT.items() if layout.get(k) is None})
    # The container gives each chart and its table one stable CSS class (st-key-diagramm_<key>).
    with st.container(key=f"diagramm_{key}"):
        st.plotly_chart(fig, **kwargs)
        if not presentation:
            _chart_table(fig, title, key=key, table=table)


@st.fragment
def _chart_table(fig: data.DrawnFigure, title: str, *, key: str, table: pl.DataFrame | None) -> None:
    """„Daten als Tabelle“, filled only while it is open: opening it reruns this fragment alone.

    Built on every run, the seven tables of a page cost script time, wire bytes and a data grid
    each in the browser although they are rarely opened (measured in the README).
    """
    box = st.expander(
        "Daten als Tabelle", icon=":material/table_view:", key=f"{key}_tabelle_offen", on_change="rerun"
    )
    if box.open:
        with box:
            st.caption(f"Die Zahlen des Diagramms „{md_escape(title)}“.")
            shown = figure_table(fig.figure()) if table is None else table
            st.dataframe(shown, hide_index=True, key=f"{key}_tabelle")


@dataclass
class Page:
    """One run of a page: its filters, view mode and the charts it has shown (for the export)."""

    key: str
    title: str
    filters: Filters
    presentation: bool
    source: str
    # The charts for the export, in page order; a closed tab's is a callable making its figure,
    # called in `export` after the page's drawn chart has gone to the browser.
    exports: list[ChartExport | tuple[ChartExport, Callable[[], dict]]]
    # False inside a closed tab: its charts are built (cached) for the export but not drawn.
    drawing: bool = field(default=True)

    @classmethod
    def open(
        cls,
        key: str,
        title: str,
        lead: str,
        *,
        filters: tuple[str, ...] = ALL_FILTERS,
        source: Callable[[Filters], str] = lambda f: source_line(f.cities),
    ) -> Page:
        """Database, Präsentationsansicht switch, sidebar filters, title and lead of a page."""
        data.database()
        st.html(LABEL_CSS)
        presentation = state.presentation_switch()
        if presentation:
            st.html(PRESENTATION_CSS)
            # The way back at the top, where the person is looking, and on Esc (issue 5: it used to
            # be a link at the very end of the page).
            with st.container(horizontal=True, horizontal_alignment="right", key="praesentation_ende"):
                st.button(
                    "Präsentationsansicht verlassen",
                    key=LEAVE_KEY,
                    on_click=state.leave_presentation,
                    type="tertiary",
                    icon=":material/close_fullscreen:",
                    help="Zurück zur normalen Ansicht mit Seitenleiste und Bedienelementen",
                    shortcut="Esc",  # Streamlit shows the key on the button
                )
        chosen = state.sidebar_filters(include=filters)
        st.title(title)
        if not presentation:
            st.caption(lead)
        return cls(key, title, chosen, presentation, source(chosen), [])

    @property
    def subtitle(self) -> str:
        """The active filters in words: every chart's subtitle and the deck's filter line."""
        return describe_filters(self.filters)

    def text(self, title: str, note: str = "") -> ChartText:
        """Title, filter subtitle and source line of one chart."""
        return ChartText(title=title, subtitle=self.subtitle, source=self.source, note=note)

    def key_figures(self, figures: list[KeyFigure], help: dict[str, str] | None = None) -> None:
        """The key figures in one row, each with its note below."""
        for column, figure in zip(st.columns(len(figures)), figures, strict=True):
            column.metric(figure.label, figure.value, help=(help or {}).get(figure.label))
            column.caption(figure.note)

    def tabs(self, labels: Sequence[str]) -> dict[str, Any]:
        """One tab per chart (label → tab), the open one bound to the URL (tab_key).

        Only the open tab's content runs: the page draws what the person looks at (issue 21), and
        a tab switch reruns the page with the new tab's chart only. Use each with `page.tab(t)`.
        """
        tabs = st.tabs(list(labels), key=self.tab_key, bind="query-params")
        return dict(zip(labels, tabs, strict=True))

    @property
    def tab_key(self) -> str:
        """The URL parameter of this page's open chart tab, e.g. 'vergleich_diagramm'."""
        return TAB_KEY.format(page=self.key)

    @contextmanager
    def tab(self, tab: Any) -> Iterator[bool]:
        """Inside: True and the tab's container when the tab is open; else False, and charts shown
        with `chart` are only built for the export (from the cache) and not sent to the browser.
        Anything else in a tab is written only when this yields True."""
        is_open = tab.open is not False  # None: tabs that do not track state run everything
        previous, self.drawing = self.drawing, is_open
        try:
            if is_open:
                with tab:
                    yield True
            else:
                yield False
        finally:
            self.drawing = previous

    def chart(
        self,
        title: str,
        build: Callable[..., go.Figure],
        source: data.Read[..., Any],
        *args: Any,
        key: str,
        note: str = "",
        part: str | None = None,
        on_select: Callable[[], None] | None = None,
        options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> data.DrawnFigure | None:
        """Show build(frame) for the frame of the read source(*args, **kwargs) (cached), and keep it
        for the export of this view. In a closed tab only kept: its figure is made (as a dict, which
        the export takes too) when the export is, after the drawn chart went to the browser."""
        options = {"text": self.text(title, note), "large": self.presentation, **(options or {})}
        export = ChartExport(title=title, subtitle=self.subtitle, source=self.source, figure={})
        if not self.drawing:
            self.keep(
                export, lambda: data.figure_spec(build, source, *args, part=part, options=options, **kwargs)
            )
            return None
        fig = data.figure(build, source, *args, part=part, options=options, **kwargs)
        show_chart(fig, title, key=key, presentation=self.presentation, on_select=on_select)
        self.exports.append(replace(export, figure=fig.spec))
        return fig

    def keep(self, export: ChartExport, make: Callable[[], dict]) -> None:
        """Keep a chart that is not drawn for the export; make() gives its figure when it is built."""
        self.exports.append((export, make))

    def _chart(self, index: int) -> ChartExport:
        """The export's chart at index, its figure made."""
        entry = self.exports[index]
        return entry if isinstance(entry, ChartExport) else replace(entry[0], figure=entry[1]())

    def _charts(self) -> tuple[ChartExport, ...]:
        """The charts for the export, every figure made."""
        return tuple(self._chart(i) for i in range(len(self.exports)))

    def _titles(self) -> tuple[str, ...]:
        """The export's chart titles, no figure made."""
        return tuple((e if isinstance(e, ChartExport) else e[0]).title for e in self.exports)

    def end_of_charts(self) -> None:
        """In the Präsentationsansicht the page ends after its charts (the way back is at the top)."""
        if self.presentation:
            st.stop()

    def export(
        self,
        *,
        subtitle: str,
        key_figures: list[KeyFigure],
        sources: tuple[str, ...],
        note: str,
        extra_slides: Callable[[], tuple[Slide, ...]] = tuple,
    ) -> None:
        """The export panel with every chart of this view, then extra_slides() – all made only when
        a file or image is asked for (ikz/ui/export_panel.py)."""
        created = date.today()

        def make() -> DeckSpec:
            return DeckSpec(
                title=self.title,
                subtitle=subtitle,
                created=created,
                filters_text=self.subtitle,
                charts=self._charts(),
                key_figures=tuple(key_figures),
                sources=sources,
                note=note,
                extra_slides=extra_slides(),
            )

        offer = ExportOffer(self.title, created, self._titles(), make, self._chart)
        export_panel(self.key, offer)
