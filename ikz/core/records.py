"""Frozen records that the parsers return: one per cooperation as printed, with its source lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ErfurtRecord:
    """One row of Erfurt's table: one cooperation record, cells cleaned, wrapped lines joined."""

    department: str  # Fachbereich/Amt, "same as above" resolved, e.g. "Amt für Bildung"
    title: str  # Bezeichnung
    type_raw: str | None  # Kooperationsart as printed and cleaned; None when the cell is empty
    effects_text: str | None  # Effekte; None when the cell is empty
    line_start: int  # 1-based first line in the source file
    line_end: int  # 1-based last line (inclusive); a row may span a page break
    notes: tuple[str, ...] = ()  # repairs applied to this row, e.g. an Effekte shift undone


MagdeburgKind = Literal["body", "project"]


@dataclass(frozen=True)
class MagdeburgRecord:
    """One cooperation of Magdeburg's report: a general exchange body or a concrete project."""

    division: str  # Dezernat as Roman numeral, "I" … "VI"
    unit: str  # unit label as printed, e.g. "FB 01", "Amt 37", "Dezernat III"
    kind: MagdeburgKind  # "body": column 1 (Erfahrungsaustausch …); "project": a Thema
    title: str  # the body's name or the Thema
    context: str | None  # for a project: the body named in its own line (if just one)
    sub_unit: str | None  # FB 32 only: the sub-unit in column 1, e.g. "Stadtordnungsdienst (32.1)"
    partners_text: str | None  # FB 32 only: the partners listed under the sub-unit
    status_text: str | None  # Arbeitsstand, cleaned
    outlook_text: str | None  # Perspektive, cleaned
    line_start: int  # 1-based first line in the source file
    line_end: int  # 1-based last line (inclusive)
    notes: tuple[str, ...] = ()  # repairs applied, e.g. a shifted cell moved back
    list_heading: str | None = None  # the structured heading an item stands under: "Vorschläge für …"


# The kinds of record, as the tables and the template write them: a list row (Erfurt, Magdeburg's
# Kooperationen), a body (Gremium) and a project (Magdeburg).
RECORD_KIND_LABELS = {"row": "Kooperation", "body": "Gremium", "project": "Projekt"}


@dataclass(frozen=True)
class EditionRecord:
    """One row of an imported edition (template columns), or a seed record in the same shape."""

    key: str  # Schlüssel: as given in the file, else derived from department and title
    department: str  # Fachbereich/Amt
    title: str  # Bezeichnung
    type_raw: str | None  # Kooperationsart as written; an unknown one is kept as a new raw type
    effects_text: str | None  # Effekte
    line_start: int  # row in the file (header = 1) or first line of the seed record
    line_end: int
    partners_text: str | None = None  # Partner
    start_year: int | None = None  # Beginn (Jahr)
    end_year: int | None = None  # Ende (Jahr)
    legal_basis: str | None = None  # Rechtsgrundlage
    council_decision: str | None = None  # Ratsbeschluss/Drucksache
    contact: str | None = None  # Ansprechpartner
    status_text: str | None = None  # Status as written
    savings_eur_per_year: float | None = None  # Einsparung (€/Jahr)
    funding: str | None = None  # Förderung
    key_given: bool = True  # False: the file had no Schlüssel for this row
    record_kind: str = "Kooperation"  # seed records of Magdeburg: 'Gremium' or 'Projekt'
    context: str | None = None  # seed records of Magdeburg: the body named in a project's line
    outlook_text: str | None = None  # seed records of Magdeburg: Perspektive
    list_heading: str | None = None  # seed records of Magdeburg: the list heading („Vorschläge für …“)
    division: str | None = None  # seed records of Magdeburg: Dezernat as Roman numeral
    sub_unit: str | None = None  # seed records of Magdeburg (FB 32): the sub-unit
