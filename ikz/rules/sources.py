"""The seed documents (data/cities.toml): which city, which file, how to cite them."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import polars as pl

from ikz.core.dates import as_of_text
from ikz.rules.cities import SourceDocument, load_cities

__all__ = ["DOCUMENTS", "OWN_ANALYSIS", "SourceDocument", "named_sources", "source_line", "source_name"]

# The seed documents, one per city of data/cities.toml, in its order.
DOCUMENTS: tuple[SourceDocument, ...] = load_cities().documents
OWN_ANALYSIS = "eigene Auswertung"


def source_line(cities: tuple[str, ...] | list[str] | None = None) -> str:
    """Chart source line naming the documents of the given cities (all when None or empty)."""
    docs = [d for d in DOCUMENTS if not cities or d.city in cities]
    return "Quelle: " + "; ".join(d.citation for d in docs) + "; " + OWN_ANALYSIS


# An imported edition's kept file: editions/<city>/<YYYY-MM-DD>_<hash>.<ext> (ikz.edit.publish.keep_file).
_EDITION_FILE = re.compile(r"^(?P<as_of>\d{4}-\d{2}-\d{2})_[0-9a-f]+\.\w+$")


def named_sources(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Columns holding '<file>, Z. 3–7' with the file in words: 'Ausgangsliste Erfurt, Z. 3–7'."""

    def named(text: str | None) -> str | None:
        if not text:
            return text
        file_name, sep, lines = text.partition(", ")
        return f"{source_name(file_name)}{sep}{lines}"

    # A list comprehension, not map_elements: a Python callback inside polars' thread pool can
    # deadlock when several Streamlit sessions (threads) run it at once (seen in the load test).
    return frame.with_columns(
        pl.Series(c, [named(v) for v in frame[c].to_list()], dtype=pl.String)
        for c in columns
        if c in frame.columns
    )


def source_name(file_name: str | None) -> str:
    """A record's source in words instead of a file name: 'Ausgangsliste Erfurt',
    'Ausgabe Erfurt vom 7. Dezember 2026'; anything else as it is."""
    if not file_name:
        return ""
    path = PurePosixPath(file_name)
    for doc in DOCUMENTS:
        if path.name == doc.file:
            return f"Ausgangsliste {doc.city}"
    match = _EDITION_FILE.match(path.name)
    if match and len(path.parts) >= 2:
        return f"Ausgabe {path.parts[-2]} vom {as_of_text(match['as_of'])}"
    return file_name
