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
# Vergleich: filters that make sense when two cities are always shown: no city, no department
# (each city has its own), no status (not every document reports one).
COMPARE_FILTERS = ("types", "forms", "bindings", "task_areas", "effects", "search")
TOP_PARTNERS = 15

ReadCall = Callable[..., Any]  # read(data.some_read, *args, **kwargs) -> its result


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


def ueberblick(read: ReadCall, filters: Filters) -> None:
    """pages/explore.py: key figures, the charts' aggregate, editions, checked values, the table."""
    sidebar(read, filters)
    read(data.overview, **overview_args(filters))
    read(data.key_figures, filters=filters.only("cities"))
    read(data.origin_counts, filters=filters)
    read(data.changes_since, cities=filters.cities)
    growing = [c for c in filters.cities or load_cities().names if read(data.edition_count, city=c) >= 2]
    for city in growing:
        read(data.development, city=city)
    for dimension in ("form", "effect"):
        read(data.categories, dimension)
    read(data.checked_values, filters=filters)
    read(data.records, filters=filters, limit=TABLE_LIMIT)


def vergleich(read: ReadCall, filters: Filters) -> None:
    """pages/compare.py for the default pair of data/cities.toml (filters without cities)."""
    first, second = pair = load_cities().compare
    filters = compared(filters, pair)
    read(data.filter_options)
    read(data.city_facts, filters=filters)
    read(data.origin_counts, filters=filters)
    read(data.topic_overview, filters=filters)
    for dimension in ("form", "binding", "task_area", "effect", "partner_kind"):
        read(data.categories, dimension)
    read(data.city_mix, filters=filters)
    read(data.partner_kinds, filters=filters)
    read(data.partners, filters=filters, top=TOP_PARTNERS)
    # The sections below the charts show these counts; their tables are read when a section opens.
    read(data.record_pairs, filters=filters)
    for city in (first, second):
        read(data.idea_count, filters=filters, for_city=city)


def karte(read: ReadCall, filters: Filters) -> None:
    """pages/karte.py: the map's frames and the partners without a place."""
    sidebar(read, filters)
    read(data.map_frames, filters=filters)
    read(data.unplaced_partners, filters=filters)


PAGES: dict[str, Callable[[ReadCall, Filters], None]] = {
    "ueberblick": ueberblick,
    "vergleich": vergleich,
    "karte": karte,
}
