"""German labels for filters and columns, and the filter state in words for chart subtitles."""

from __future__ import annotations

from ikz.queries import Filters

FILTER_LABELS: dict[str, str] = {
    "cities": "Stadt",
    "types": "Kooperationsart",
    "forms": "Kooperationsform",
    "bindings": "Verbindlichkeit",
    "task_areas": "Aufgabenbereich",
    "departments": "Fachbereich/Amt",
    "effects": "Effektkategorie",
    "statuses": "Status",
    "search": "Suche",
}

COLUMN_LABELS: dict[str, str] = {
    "cooperation_id": "Nr.",
    "city": "Stadt",
    "division": "Dezernat",
    "department": "Fachbereich/Amt",
    "task_area": "Aufgabenbereich",
    "record_kind": "Art des Eintrags",
    "title": "Bezeichnung / Thema",
    "context": "Gremium (Kontext)",
    "sub_unit": "Teilbereich",
    "partners_text": "Partner (Dokument)",
    "type_raw": "Kooperationsart (Dokument)",
    "type_name": "Kooperationsart",
    "form": "Kooperationsform",
    "binding": "Verbindlichkeit",
    "type_source": "Herkunft Kooperationsart",
    "effects": "Effektkategorien",
    "effects_text": "Effekte (Dokument)",
    "effects_source": "Herkunft Effekte",
    "status": "Status",
    "status_text": "Arbeitsstand (Dokument)",
    "outlook_text": "Perspektive (Dokument)",
    "source_file": "Quelldatei",
    "source_lines": "Zeilen",
    "parse_notes": "Reparaturen beim Einlesen",
}

MAX_LISTED = 3


def describe_filters(filters: Filters) -> str:
    """The active filters in German words, e.g. 'Stadt: Erfurt · Kooperationsart: Zweckvereinbarung'."""
    parts: list[str] = []
    for name, label in FILTER_LABELS.items():
        value = getattr(filters, name)
        if not value:
            continue
        if isinstance(value, str):
            parts.append(f"{label}: „{value.strip()}“")
            continue
        shown = ", ".join(value[:MAX_LISTED])
        more = len(value) - MAX_LISTED
        parts.append(f"{label}: {shown}" + (f" und {more} weitere" if more > 0 else ""))
    return " · ".join(parts) if parts else "Alle Kooperationen, ohne Filter"
