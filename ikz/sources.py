"""The two source documents: which city, which file, how to cite them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import polars as pl

from ikz.dates import as_of_text
from ikz.paths import ERFURT_FILE, MAGDEBURG_FILE


@dataclass(frozen=True)
class SourceDocument:
    """Metadata of one source document, as cited on charts and in the city table."""

    city: str
    state: str
    file: str
    citation: str  # for chart source lines
    as_of: str  # the document's date as far as it can be told


ERFURT = SourceDocument(
    city="Erfurt",
    state="Thüringen",
    file=ERFURT_FILE,
    citation="Landeshauptstadt Erfurt, Übersicht interkommunale Kooperationen",
    # No date is printed; it mentions the Digitalpakt Schule and the Corona pandemic. No parentheses:
    # the text is itself put in parentheses („Ausgangsliste (undatiert, nach 2020)“).
    as_of="undatiert, nach 2020",
)
MAGDEBURG = SourceDocument(
    city="Magdeburg",
    state="Sachsen-Anhalt",
    file=MAGDEBURG_FILE,
    citation="Landeshauptstadt Magdeburg, Interkommunale Zusammenarbeit in den Dezernaten",
    as_of="November 2010",
)
DOCUMENTS: tuple[SourceDocument, ...] = (ERFURT, MAGDEBURG)
OWN_ANALYSIS = "eigene Auswertung"


def source_line(cities: tuple[str, ...] | list[str] | None = None) -> str:
    """Chart source line naming the documents of the given cities (all when None or empty)."""
    docs = [d for d in DOCUMENTS if not cities or d.city in cities]
    return "Quelle: " + "; ".join(d.citation for d in docs) + "; " + OWN_ANALYSIS


# An imported edition's kept file: editions/<city>/<YYYY-MM-DD>_<hash>.<ext> (ikz.publish.keep_file).
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
