"""What each analysis page reads for one filter state, declared once.

The pages take their read arguments from here (the number of departments, partners, table rows),
and `ikz.ui.warm` calls these functions for the filter states the office opens most, so that a
page run for such a state finds every read in its cache (issue 21). A read is made through
`read(data.x, …)` with exactly the arguments the page passes (a cache key is the arguments as
written: `categories("form")` and `categories(dimension="form")` are two keys).
tests/test_warm.py runs each page after warming a state and fails on any read the page computes
itself, so a page that reads something new shows up there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ikz.read.queries import Filters
from ikz.rules.cities import load_cities
from ikz.ui import data

# Überblick
TOP_DEPARTMENTS = 25
TOP_TREEMAP_DEPARTMENTS = 60
TABLE_LIMIT = 1000  # rows sent to the browser; the downloads hold all filtered records
# The records' columns the Überblick's table shows (and marks ◆/✓ from the *_origin columns).
TABLE_COLUMNS = (
    "cooperation_id", "title", "city", "department", "type_name", "form", "binding", "effects",
    "status", "partner_names", "effects_text", "status_text", "outlook_text", "source_lines",
    "type_origin", "binding_origin", "effects_origin", "status_origin", "partners_origin",
)  # fmt: skip
# Vergleich: filters that make sense when two cities are always shown: no city, no department
# (each city has its own), no status (not every document reports one).
COMPARE_FILTERS = ("types", "forms", "bindings", "task_areas", "effects", "search")
TOP_PARTNERS = 15

ReadCall = Callable[..., Any]  # read(data.some_read, *args, **kwargs) -> its result
Call = tuple[data.Read[..., Any], dict[str, Any]]  # a read and its keyword arguments


def overview_args(filters: Filters) -> dict[str, Any]:
    """The arguments of the Überblick's one aggregate read (data.overview)."""
    return {"filters": filters, "top_departments": TOP_DEPARTMENTS, "top_tree": TOP_TREEMAP_DEPARTMENTS}


def compared(filters: Filters, pair: tuple[str, str]) -> Filters:
    """The Vergleich's reads' filters: the page's (no city among them) with the pair as cities."""
    return replace(filters.only(*COMPARE_FILTERS), cities=pair)


def sidebar(read: ReadCall, filters: Filters) -> None:
    """The sidebar's options (ikz.ui.state.sidebar_filters)."""
    read(data.filter_options)
    if filters.cities:
        read(data.filter_options, cities=filters.cities)


def ueberblick_state(filters: Filters) -> list[Call]:
    """The Überblick's reads of one filter state, none needing another's result: prefetched side
    by side (data.prefetch) when the page opens the state."""
    return [
        (data.overview, overview_args(filters)),
        (data.origin_sums, {"filters": filters}),
        (data.records_table, {"filters": filters, "limit": TABLE_LIMIT, "columns": TABLE_COLUMNS}),
        (data.key_figures, {"filters": filters.only("cities")}),
    ]


def ueberblick(read: ReadCall, filters: Filters) -> None:
    """pages/explore.py: key figures, the charts' aggregate, editions, the table."""
    sidebar(read, filters)
    for source, kwargs in ueberblick_state(filters):
        read(source, **kwargs)
    read(data.changes_since, cities=filters.cities)
    growing = [c for c in filters.cities or load_cities().names if read(data.edition_count, city=c) >= 2]
    for city in growing:
        read(data.development, city=city)
    for dimension in ("form", "effect"):
        read(data.categories, dimension)


def vergleich_state(filters: Filters) -> list[Call]:
    """The Vergleich's reads of one filter state (its filters with the pair, `compared`), none
    needing another's result: prefetched side by side when the page opens the state."""
    # The sections below the charts show the counts of pairs and ideas; their tables are read
    # when a section opens.
    return [
        (data.city_facts, {"filters": filters}),
        (data.origin_sums, {"filters": filters}),
        (data.topic_overview, {"filters": filters}),
        (data.city_mix, {"filters": filters}),
        (data.partners, {"filters": filters, "top": TOP_PARTNERS}),
        (data.record_pairs, {"filters": filters}),
        *((data.idea_count, {"filters": filters, "for_city": city}) for city in filters.cities),
    ]


def vergleich(read: ReadCall, filters: Filters) -> None:
    """pages/compare.py for the default pair of data/cities.toml (filters without cities)."""
    filters = compared(filters, load_cities().compare)
    read(data.filter_options)
    for source, kwargs in vergleich_state(filters):
        read(source, **kwargs)
    for dimension in ("form", "binding", "task_area", "effect", "partner_kind"):
        read(data.categories, dimension)
    read(data.partner_kinds, filters=filters)


def karte_state(filters: Filters) -> list[Call]:
    """The Karte's reads of one filter state: prefetched side by side when the page opens it."""
    return [(data.map_frames, {"filters": filters}), (data.unplaced_partners, {"filters": filters})]


def karte(read: ReadCall, filters: Filters) -> None:
    """pages/karte.py: the map's frames and the partners without a place."""
    sidebar(read, filters)
    for source, kwargs in karte_state(filters):
        read(source, **kwargs)


PAGES: dict[str, Callable[[ReadCall, Filters], None]] = {
    "ueberblick": ueberblick,
    "vergleich": vergleich,
    "karte": karte,
}
