"""Parsed records + taxonomy → the normalised tables of the database (polars frames, in schema order)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ikz.classify import Taxonomy
from ikz.keys import cooperation_key, fingerprint
from ikz.partners import Gazetteer
from ikz.records import ErfurtRecord, MagdeburgRecord
from ikz.sources import ERFURT, MAGDEBURG, SourceDocument

DOCUMENT = "Dokument"
DERIVED = "abgeleitet"
SURE = "sicher"
UNSURE = "unsicher"
KIND_LABELS = {"row": "Kooperation", "body": "Gremium", "project": "Projekt"}

# Column order and types of each table, exactly as in schema.sql; the build inserts by position.
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "city": {
        "city_id": pl.Int32(),
        "name": pl.String(),
        "state": pl.String(),
        "source": pl.String(),
        "source_file": pl.String(),
        "as_of": pl.String(),
    },
    "department": {
        "department_id": pl.Int32(),
        "city_id": pl.Int32(),
        "name": pl.String(),
        "division": pl.String(),
        "task_area": pl.String(),
        "task_area_evidence": pl.String(),
    },
    "cooperation_type": {
        "type_id": pl.Int32(),
        "name": pl.String(),
        "form": pl.String(),
        "binding": pl.String(),
    },
    "cooperation": {
        "cooperation_id": pl.Int32(),
        "city_id": pl.Int32(),
        "department_id": pl.Int32(),
        "record_kind": pl.String(),
        "title": pl.String(),
        "context": pl.String(),
        "sub_unit": pl.String(),
        "partners_text": pl.String(),
        "type_raw": pl.String(),
        "type_id": pl.Int32(),
        "type_source": pl.String(),
        "type_evidence": pl.String(),
        "effects_text": pl.String(),
        "effects_source": pl.String(),
        "status_text": pl.String(),
        "status": pl.String(),
        "status_evidence": pl.String(),
        "outlook_text": pl.String(),
        "source_file": pl.String(),
        "line_start": pl.Int32(),
        "line_end": pl.Int32(),
        "source_lines": pl.String(),
        "parse_notes": pl.String(),
        "search_text": pl.String(),
        "cooperation_key": pl.String(),
        "source_fingerprint": pl.String(),
        "list_heading": pl.String(),
        "binding": pl.String(),
        "binding_source": pl.String(),
        "binding_evidence": pl.String(),
        "status_source": pl.String(),
        "type_confidence": pl.String(),
        "binding_confidence": pl.String(),
        "effects_confidence": pl.String(),
        "status_confidence": pl.String(),
    },
    "effect_category": {
        "effect_id": pl.Int32(),
        "name": pl.String(),
        "description": pl.String(),
        "sort_order": pl.Int32(),
    },
    "cooperation_effect": {
        "cooperation_id": pl.Int32(),
        "effect_id": pl.Int32(),
        "evidence": pl.String(),
        "is_derived": pl.Boolean(),
    },
    "partner": {
        "partner_id": pl.Int32(),
        "name": pl.String(),
        "kind": pl.String(),
    },
    "cooperation_partner": {
        "cooperation_id": pl.Int32(),
        "partner_id": pl.Int32(),
        "evidence": pl.String(),
    },
}
TABLE_ORDER = tuple(SCHEMAS)  # parents before children, for foreign keys


@dataclass(frozen=True)
class Tables:
    """The normalised tables, each a polars frame with the columns of SCHEMAS."""

    frames: dict[str, pl.DataFrame]

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]


@dataclass(frozen=True)
class _Row:
    """One record of either city, reduced to what the cooperation table needs."""

    doc: SourceDocument
    department: str
    division: str | None
    kind: str
    title: str
    context: str | None
    sub_unit: str | None
    partners_text: str | None
    type_raw: str | None
    effects_text: str | None
    status_text: str | None
    outlook_text: str | None
    line_start: int
    line_end: int
    notes: tuple[str, ...]
    list_heading: str | None = None


def make_frame(table: str, rows: Sequence[dict]) -> pl.DataFrame:
    """A frame with exactly the table's columns and types, also when rows is empty."""
    schema = SCHEMAS[table]
    return pl.DataFrame(list(rows), schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def source_lines_label(start: int, end: int) -> str:
    """German label of a line range: 'Z. 12' or 'Z. 12–15'."""
    return f"Z. {start}" if start == end else f"Z. {start}–{end}"


def normalise(
    erfurt: Sequence[ErfurtRecord],
    magdeburg: Sequence[MagdeburgRecord],
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
) -> Tables:
    """Classify every record, find its partners and lay the result out as the database's tables."""
    rows = [_from_erfurt(r) for r in erfurt] + [_from_magdeburg(r) for r in magdeburg]
    return tables_from_rows(rows, taxonomy, gazetteer)


def _from_erfurt(r: ErfurtRecord) -> _Row:
    return _Row(
        doc=ERFURT,
        department=r.department,
        division=None,
        kind="row",
        title=r.title,
        context=None,
        sub_unit=None,
        partners_text=None,
        type_raw=r.type_raw,
        effects_text=r.effects_text,
        status_text=None,
        outlook_text=None,
        line_start=r.line_start,
        line_end=r.line_end,
        notes=r.notes,
    )


def _from_magdeburg(r: MagdeburgRecord) -> _Row:
    return _Row(
        doc=MAGDEBURG,
        department=r.unit,
        division=r.division,
        kind=r.kind,
        title=r.title,
        context=r.context,
        sub_unit=r.sub_unit,
        partners_text=r.partners_text,
        type_raw=None,
        effects_text=None,
        status_text=r.status_text,
        outlook_text=r.outlook_text,
        line_start=r.line_start,
        line_end=r.line_end,
        notes=r.notes,
        list_heading=r.list_heading,
    )


def partner_texts(row: _Row) -> list[tuple[str, str | None]]:
    """The texts searched for partners, each with the German label its evidence carries."""
    return [
        ("Bezeichnung/Thema", row.title),
        ("Gremium", row.context),
        ("Teilbereich", row.sub_unit),
        ("Partner", row.partners_text),
        ("Effekte", row.effects_text),
        ("Arbeitsstand", row.status_text),
        ("Perspektive", row.outlook_text),
    ]


def source_fingerprint(row: _Row) -> str:
    """Fingerprint of the texts a reviewer judged: a decision applies while they are unchanged."""
    return fingerprint(
        row.title,
        row.type_raw,
        row.effects_text,
        row.status_text,
        row.outlook_text,
        row.context,
        row.partners_text,
    )


def effects_confidence(matches: Sequence) -> str | None:
    """NULL when the effects are printed (Dokument); else the weakest confidence of the categories."""
    if not any(m.is_derived for m in matches):
        return None
    return UNSURE if any(m.confidence != SURE for m in matches) else SURE


def tables_from_rows(rows: Sequence[_Row], taxonomy: Taxonomy, gazetteer: Gazetteer) -> Tables:
    """Assign ids in source order (so equal input gives equal output) and classify each row."""
    city_rows: list[dict] = []
    city_ids: dict[str, int] = {}
    for doc in (ERFURT, MAGDEBURG):
        city_ids[doc.city] = len(city_ids) + 1
        city_rows.append(
            {
                "city_id": city_ids[doc.city],
                "name": doc.city,
                "state": doc.state,
                "source": doc.citation,
                "source_file": doc.file,
                "as_of": doc.as_of,
            }
        )

    types = taxonomy.types()
    type_ids = {t.name: i for i, t in enumerate(types, start=1)}
    type_rows = [
        {"type_id": type_ids[t.name], "name": t.name, "form": t.form, "binding": t.binding} for t in types
    ]
    effects = taxonomy.effect_categories()
    effect_ids = {name: i for i, (name, _) in enumerate(effects, start=1)}
    effect_rows = [
        {"effect_id": i, "name": name, "description": desc, "sort_order": i}
        for i, (name, desc) in enumerate(effects, start=1)
    ]

    partners = gazetteer.partners()
    partner_ids = {p.name: i for i, p in enumerate(partners, start=1)}
    partner_rows = [{"partner_id": partner_ids[p.name], "name": p.name, "kind": p.kind} for p in partners]
    partner_links: list[dict] = []

    department_ids: dict[tuple[str, str], int] = {}
    department_rows: list[dict] = []
    cooperation_rows: list[dict] = []
    link_rows: list[dict] = []
    taken_keys: set[str] = set()
    for cooperation_id, row in enumerate(rows, start=1):
        key = (row.doc.city, row.department)
        if key not in department_ids:
            department_ids[key] = len(department_ids) + 1
            area = taxonomy.task_area(row.doc.city, row.department)
            department_rows.append(
                {
                    "department_id": department_ids[key],
                    "city_id": city_ids[row.doc.city],
                    "name": row.department,
                    "division": row.division,
                    "task_area": area.value,
                    "task_area_evidence": "; ".join(area.evidence),
                }
            )
        is_erfurt = row.doc is ERFURT
        # A record's type comes from its own name: a project's body (context) names the body, not
        # the project ("Angebot … an die Stadt Burg" is no Arbeitskreis because its row names one).
        type_match = taxonomy.classify_type(
            row.type_raw, [row.title], column=None if is_erfurt else KIND_LABELS[row.kind]
        )
        if type_match.name not in type_ids:
            raise ValueError(f"Taxonomie liefert unbekannte Kooperationsart {type_match.name!r}")
        # Erfurt prints an Effekte column; Magdeburg's effects come from Thema, Arbeitsstand, Perspektive.
        effect_texts = (
            [row.effects_text or ""]
            if is_erfurt
            else [t for t in (row.title, row.status_text, row.outlook_text) if t]
        )
        effect_matches = taxonomy.classify_effects(effect_texts, derived=not is_erfurt)
        # The list heading an item stands under ("Vorschläge für …") decides before any wording.
        status = (
            taxonomy.classify_status(None)
            if is_erfurt
            else taxonomy.classify_status(
                row.status_text, row.title, outlook=row.outlook_text, list_heading=row.list_heading
            )
        )
        binding = taxonomy.classify_binding(
            printed=row.type_raw,
            title=row.title,
            context=row.context,
            status=row.status_text,
            outlook=row.outlook_text,
            list_heading=row.list_heading,
        )
        cooperation_rows.append(
            {
                "cooperation_id": cooperation_id,
                "city_id": city_ids[row.doc.city],
                "department_id": department_ids[key],
                "record_kind": KIND_LABELS[row.kind],
                "title": row.title,
                "context": row.context,
                "sub_unit": row.sub_unit,
                "partners_text": row.partners_text,
                "type_raw": row.type_raw,
                "type_id": type_ids[type_match.name],
                "type_source": DERIVED if type_match.is_derived else DOCUMENT,
                "type_evidence": "; ".join(type_match.evidence),
                "effects_text": row.effects_text,
                "effects_source": DOCUMENT if is_erfurt else DERIVED,
                "status_text": row.status_text,
                "status": status.value,
                "status_evidence": "; ".join(status.evidence),
                "outlook_text": row.outlook_text,
                "source_file": row.doc.file,
                "line_start": row.line_start,
                "line_end": row.line_end,
                "source_lines": source_lines_label(row.line_start, row.line_end),
                "parse_notes": "; ".join(row.notes) or None,
                "search_text": " ".join(
                    t
                    for t in (
                        row.title,
                        row.context,
                        row.partners_text,
                        row.type_raw,
                        row.effects_text,
                        row.status_text,
                        row.outlook_text,
                    )
                    if t
                ).lower(),
                "cooperation_key": cooperation_key(
                    row.doc.city, row.department, KIND_LABELS[row.kind], row.title, taken_keys
                ),
                "source_fingerprint": source_fingerprint(row),
                "list_heading": row.list_heading,
                "binding": binding.value,
                "binding_source": DERIVED if binding.is_derived else DOCUMENT,
                "binding_evidence": "; ".join(binding.evidence),
                "status_source": DERIVED if status.is_derived else DOCUMENT,
                "type_confidence": type_match.confidence,
                "binding_confidence": binding.confidence,
                "effects_confidence": effects_confidence(effect_matches),
                "status_confidence": status.confidence,
            }
        )
        for m in effect_matches:
            link_rows.append(
                {
                    "cooperation_id": cooperation_id,
                    "effect_id": effect_ids[m.value],
                    "evidence": "; ".join(m.evidence),
                    "is_derived": m.is_derived,
                }
            )
        for found in gazetteer.find(partner_texts(row), city=row.doc.city):
            partner_links.append(
                {
                    "cooperation_id": cooperation_id,
                    "partner_id": partner_ids[found.partner.name],
                    "evidence": "; ".join(found.evidence),
                }
            )

    return Tables(
        {
            "city": make_frame("city", city_rows),
            "department": make_frame("department", department_rows),
            "cooperation_type": make_frame("cooperation_type", type_rows),
            "cooperation": make_frame("cooperation", cooperation_rows),
            "effect_category": make_frame("effect_category", effect_rows),
            "cooperation_effect": make_frame("cooperation_effect", link_rows),
            "partner": make_frame("partner", partner_rows),
            "cooperation_partner": make_frame("cooperation_partner", partner_links),
        }
    )
