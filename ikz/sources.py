"""The two source documents: which city, which file, how to cite them."""

from __future__ import annotations

from dataclasses import dataclass

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
    # No date is printed; it mentions the Digitalpakt Schule and the Corona pandemic.
    as_of="undatiert (nach 2020)",
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
