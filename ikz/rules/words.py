"""The German words every layer shares: the origins and their marks, „ohne Angabe“, the names of
fields and filters. Category words come from data/taxonomy.toml (shipped_words); the field names
are the product's own."""

from __future__ import annotations

from ikz.rules.files import shipped_words

# Where a value comes from, and its mark: data/taxonomy.toml [origins].
ORIGINS = shipped_words().origins
DOCUMENT, DERIVED, CHECKED = ORIGINS.document, ORIGINS.derived, ORIGINS.checked
NO_INFO = shipped_words().no_info  # „the text says nothing“ (data/taxonomy.toml `no_info`)
COMMITTED_BINDINGS = shipped_words().committed_bindings  # count in „Anteil verbindlicher Kooperationen“

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
    "start_years": "Beginn (Jahr)",
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
    "partners_text": f"Partner ({DOCUMENT.name})",
    "type_raw": f"Kooperationsart ({DOCUMENT.name})",
    "type_name": "Kooperationsart",
    "form": "Kooperationsform",
    "binding": "Verbindlichkeit",
    "type_source": "Herkunft Kooperationsart",
    "effects": "Effektkategorien",
    "effects_text": f"Effekte ({DOCUMENT.name})",
    "effects_source": "Herkunft Effekte",
    "status": "Status",
    "status_text": f"Arbeitsstand ({DOCUMENT.name})",
    "outlook_text": f"Perspektive ({DOCUMENT.name})",
    "source_file": "Quelle",
    "source_lines": "Zeilen",
    "parse_notes": "Reparaturen beim Einlesen",
    "type_origin": "Herkunft Kooperationsart",
    "binding_origin": "Herkunft Verbindlichkeit",
    "effects_origin": "Herkunft Effektkategorien",
    "status_origin": "Herkunft Status",
    "partner_names": "Partner",
    "partners_origin": "Herkunft Partner",
    "start_year": "Beginn (Jahr)",
    "end_year": "Ende",
    "legal_basis": "Rechtsgrundlage",
    "council_decision": "Ratsbeschluss/Drucksache",
    "contact_person": "Ansprechpartner",
    "savings_eur_per_year": "Einsparung (€/Jahr)",
    "funding": "Förderung",
    "cooperation_key": "Schlüssel",
}

ORIGIN_FIELD_LABELS = {
    "type": "Kooperationsart",
    "binding": "Verbindlichkeit",
    "effects": "Effektkategorien",
    "status": "Status",
    "partners": "Partner",
}


# The partner map's group for a partner both cities name (its colour: ikz.present.theme).
BOTH_CITIES = "beide Städte"
MANY_CITIES = "mehrere Städte"  # named by two or more of more than two cities shown
