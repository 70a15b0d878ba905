"""Parsed records + taxonomy → the normalised tables of the database (polars frames, in schema order)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from ikz.core.records import RECORD_KIND_LABELS, EditionRecord, ErfurtRecord, MagdeburgRecord
from ikz.core.table_schema import TABLES
from ikz.derive.classify import Match, Taxonomy, TypeMatch
from ikz.derive.partners import Gazetteer
from ikz.derive.topics import TOPIC_FIELDS, Vocabulary
from ikz.parse.keys import cooperation_key, fingerprint
from ikz.rules.sources import DOCUMENTS, SourceDocument

SURE = "sicher"
UNSURE = "unsicher"
KIND_LABELS = RECORD_KIND_LABELS

# The tables this module makes, in schema.sql's order (parents before children, for foreign keys);
# their columns and types come from schema.sql (ikz.core.table_schema), the build inserts by position.
TABLE_ORDER = tuple(
    name
    for name in TABLES
    if name
    in {
        "binding", "form", "status", "task_area", "origin", "partner_kind", "city", "edition",
        "department", "cooperation_type", "cooperation", "effect_category", "cooperation_effect",
        "partner", "cooperation_partner", "cooperation_change", "edition_form_count", "topic",
        "cooperation_topic",
    }
)  # fmt: skip
SCHEMAS: dict[str, dict[str, pl.DataType]] = {name: TABLES[name] for name in TABLE_ORDER}


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
    # Issue 11: set for records of an imported edition (and the key for every record).
    key: str | None = None
    edition_id: int | None = None
    source_file: str | None = None  # an edition's file instead of the document's
    start_year: int | None = None
    end_year: int | None = None
    legal_basis: str | None = None
    council_decision: str | None = None
    contact_person: str | None = None
    savings_eur_per_year: float | None = None
    funding: str | None = None


@dataclass(frozen=True)
class EditionFacts:
    """What the build knows about editions: per city the current one, all of them, the changes."""

    current: dict[str, dict]  # city → {'edition_id', 'as_of', 'file_name'}
    editions: list[dict]  # rows of the edition table with 'city' instead of city_id
    changes: list[dict]  # rows of cooperation_change with 'city' instead of city_id
    form_counts: list[dict]  # rows of edition_form_count with 'city' instead of city_id


def make_frame(table: str, rows: Sequence[dict]) -> pl.DataFrame:
    """A frame with exactly the table's columns and types, also when rows is empty."""
    schema = SCHEMAS[table]
    return pl.DataFrame(list(rows), schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def source_lines_label(start: int, end: int) -> str:
    """German label of a line range: 'Z. 12' or 'Z. 12–15'."""
    return f"Z. {start}" if start == end else f"Z. {start}–{end}"


def topic_frames(cooperations: pl.DataFrame, topics: Vocabulary) -> dict[str, pl.DataFrame]:
    """The topic table and one row per (cooperation, topic, field) whose text names the topic."""
    topic_rows = [
        {"name": t.name, "task_area": t.area, "sort_order": i} for i, t in enumerate(topics.topics, start=1)
    ]
    links: list[dict] = []
    # Many records share a text (one body in several units), and most texts are those of the build
    # before: each distinct text is matched once per vocabulary, across builds of one process.
    hits_of, memo = _topic_memo(topics)
    columns = [column for column, _ in TOPIC_FIELDS]
    for record in cooperations.select("cooperation_id", *columns).iter_rows(named=True):
        for column, label in TOPIC_FIELDS:
            text = record[column]
            if not text:
                continue
            key = (label, text)
            if key not in hits_of:
                hits_of[key] = topics.match([key], memo)
            for hit in hits_of[key]:
                links.append(
                    {
                        "cooperation_id": record["cooperation_id"],
                        "topic": hit.topic,
                        "task_area": hit.area,
                        "field": label,
                        "stems": "; ".join(hit.stems),
                        "matched": "; ".join(hit.words),
                        "fuzzy": hit.is_fuzzy,
                    }
                )
    return {
        "topic": make_frame("topic", topic_rows),
        "cooperation_topic": make_frame("cooperation_topic", links),
    }


TOPIC_MEMO_TEXTS = 20_000
_TOPIC_MEMOS: dict[Vocabulary, tuple[dict[tuple[str, str], list], dict]] = {}


def _topic_memo(topics: Vocabulary) -> tuple[dict[tuple[str, str], list], dict]:
    """The texts' and words' topic hits under this vocabulary, kept for the next build; a
    vocabulary that differs in any field (another topics.toml) starts afresh."""
    # Bounded: a synthetic million-row build must not leave its texts in the server's memory.
    if topics not in _TOPIC_MEMOS or len(_TOPIC_MEMOS[topics][0]) > TOPIC_MEMO_TEXTS:
        _TOPIC_MEMOS.clear()
        _TOPIC_MEMOS[topics] = ({}, {})
    return _TOPIC_MEMOS[topics]


def _from_edition(r: EditionRecord, doc: SourceDocument, edition_id: int, file_name: str) -> _Row:
    kind = {label: kind for kind, label in KIND_LABELS.items()}[r.record_kind]
    return _Row(
        doc=doc,
        department=r.department,
        division=r.division,
        kind=kind,
        title=r.title,
        context=r.context,
        sub_unit=r.sub_unit,
        partners_text=r.partners_text,
        type_raw=r.type_raw,
        effects_text=r.effects_text,
        status_text=r.status_text,
        outlook_text=r.outlook_text,
        line_start=r.line_start,
        line_end=r.line_end,
        notes=(),
        list_heading=r.list_heading,
        key=r.key,
        edition_id=edition_id,
        source_file=file_name,
        start_year=r.start_year,
        end_year=r.end_year,
        legal_basis=r.legal_basis,
        council_decision=r.council_decision,
        contact_person=r.contact,
        savings_eur_per_year=r.savings_eur_per_year,
        funding=r.funding,
    )


def rows_of(
    records: Sequence[ErfurtRecord | MagdeburgRecord | EditionRecord],
    doc: SourceDocument,
    *,
    edition_id: int | None = None,
    file_name: str | None = None,
) -> list[_Row]:
    """One city's records (seed or edition) as rows of the cooperation table, with their edition."""
    out: list[_Row] = []
    for r in records:
        if isinstance(r, EditionRecord):
            out.append(_from_edition(r, doc, edition_id or 0, file_name or doc.file))
        elif isinstance(r, ErfurtRecord):
            out.append(replace(_from_erfurt(r, doc), edition_id=edition_id))
        else:
            out.append(replace(_from_magdeburg(r, doc), edition_id=edition_id))
    return out


def type_of(row: _Row, taxonomy: Taxonomy) -> TypeMatch:
    """The row's canonical type: printed where the source has the column, else derived."""
    printed = row.kind == "row"
    return taxonomy.classify_type(
        row.type_raw, [row.title], column=None if printed else KIND_LABELS[row.kind]
    )


def _from_erfurt(r: ErfurtRecord, doc: SourceDocument) -> _Row:
    return _Row(
        doc=doc,
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


def _from_magdeburg(r: MagdeburgRecord, doc: SourceDocument) -> _Row:
    return _Row(
        doc=doc,
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


def vocabulary_frames(taxonomy: Taxonomy, gazetteer: Gazetteer) -> dict[str, pl.DataFrame]:
    """The dimension tables: every vocabulary of the rules files with its display order."""
    no_info = taxonomy.no_info
    words = taxonomy.words
    committed = set(taxonomy.committed_bindings)
    return {
        "binding": make_frame(
            "binding",
            [
                {
                    "name": b,
                    "sort_order": i,
                    "is_no_info": b == no_info,
                    "is_committed": b in committed,
                    "color": words.color_of(b),
                }
                for i, b in enumerate(taxonomy.bindings(), start=1)
            ],
        ),
        "form": make_frame(
            "form",
            [
                {
                    "name": f,
                    "binding": b,
                    "sort_order": i,
                    "is_no_info": f == no_info,
                    "color": words.color_of(f),
                    "pattern": words.pattern_of(f),
                }
                for i, (f, b) in enumerate(taxonomy.form_bindings, start=1)
            ],
        ),
        "origin": make_frame(
            "origin",
            [
                {"name": o.name, "role": o.role, "mark": o.mark, "label": o.label, "sort_order": i}
                for i, o in enumerate(words.origins, start=1)
            ],
        ),
        "status": make_frame(
            "status",
            [
                {"name": s, "sort_order": i, "is_no_info": s == no_info, "color": words.color_of(s)}
                for i, s in enumerate(taxonomy.statuses(), start=1)
            ],
        ),
        "task_area": make_frame(
            "task_area",
            [
                {"name": a, "sort_order": i, "color": words.color_of(a)}
                for i, a in enumerate(taxonomy.task_areas(), start=1)
            ],
        ),
        "partner_kind": make_frame(
            "partner_kind", [{"name": k, "sort_order": i} for i, k in enumerate(gazetteer.kinds, start=1)]
        ),
    }


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


_CLAUSE = re.compile(r"[^,;.•\n]+")
_WORDS = re.compile(r"[^\W\d_]{3,}")


def unexplained_clauses(text: str | None, matches: Sequence[Match]) -> list[str]:
    """Clauses of an Effekte text (between commas, semicolons, full stops) that no evidence word of
    any category touches: what the text says there, the rules did not understand."""
    if not text:
        return []
    words = [w.casefold().strip("-") for m in matches for e in m.evidence for w in e.split()]
    out = []
    for clause in _CLAUSE.findall(text):
        folded = clause.casefold()
        if _WORDS.search(clause) and not any(w and w in folded for w in words):
            out.append(clause.strip())
    return out


def effects_confidence(matches: Sequence[Match], text: str | None = None) -> str | None:
    """NULL when the effects are printed (Dokument); else the weakest confidence of the categories,
    and unsure while a clause of the Effekte text names nothing the rules understood (an effect the
    set may lack)."""
    if not any(m.is_derived for m in matches):
        return None
    if any(m.confidence != SURE for m in matches) or unexplained_clauses(text, matches):
        return UNSURE
    return SURE


@dataclass(frozen=True)
class RowClassification:
    """What the rules derive from one record's own words."""

    type: TypeMatch
    effects: list[Match]
    effects_confidence: str | None  # of the whole set (see effects_confidence)
    status: Match
    binding: Match


def classify_row(row: _Row, taxonomy: Taxonomy) -> RowClassification:
    """Type, effects, status and binding of one record: the one path the build and the evaluation use."""
    # Erfurt's document and every imported edition print Kooperationsart and Effekte columns.
    is_erfurt = row.kind == "row"
    # A record's type comes from its own name: a project's body (context) names the body, not
    # the project ("Angebot … an die Stadt Burg" is no Arbeitskreis because its row names one).
    type_match = type_of(row, taxonomy)
    # Erfurt prints an Effekte column; Magdeburg's effects come from Thema, Arbeitsstand, Perspektive.
    effect_texts = (
        [row.effects_text or ""]
        if is_erfurt
        else [t for t in (row.title, row.status_text, row.outlook_text) if t]
    )
    # Every list prints effects as prose, never as categories: a category is always derived.
    # Indirect expressions („Vertretung“, „schneller“) speak of effects only in an Effekte column; in a
    # title or Arbeitsstand they name the topic („Fachgruppe Hilfeleistung“).
    effect_matches = taxonomy.classify_effects(effect_texts, derived=True, indirect=is_erfurt)
    if not is_erfurt:
        # Effects read from a topic (Thema, Arbeitsstand) are a guess at what the list never says.
        effect_matches = [replace(m, confidence=UNSURE) for m in effect_matches]
    # The list heading an item stands under ("Vorschläge für …") decides before any wording.
    status = (
        taxonomy.classify_status(row.status_text)  # an edition's Status column
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
    if row.status_text in taxonomy.statuses():  # chosen from the template's drop-down list
        status = Match(row.status_text, ("Spalte „Status“",), False)
    confidence = effects_confidence(effect_matches, row.effects_text if is_erfurt else None)
    return RowClassification(type_match, effect_matches, confidence, status, binding)


def tables_from_rows(
    rows: Sequence[_Row], taxonomy: Taxonomy, gazetteer: Gazetteer, facts: EditionFacts | None = None
) -> Tables:
    """Assign ids in source order (so equal input gives equal output) and classify each row."""
    city_rows: list[dict] = []
    city_ids: dict[str, int] = {}
    for doc in DOCUMENTS:
        city_ids[doc.city] = len(city_ids) + 1
        current = (facts.current if facts else {}).get(doc.city, {})
        city_rows.append(
            {
                "city_id": city_ids[doc.city],
                "name": doc.city,
                "state": doc.state,
                "source": doc.citation,
                "source_file": current.get("file_name", doc.file),
                "as_of": current.get("as_of", doc.as_of),
                "sort_order": city_ids[doc.city],
            }
        )
    # Stable keys: an edition's record keeps its Schlüssel; a seed record's is derived, per city in
    # source order (what ikz.builder.editions.as_edition_records gives the template, too).
    taken: dict[str, set[str]] = {}
    for row in rows:
        if row.key:
            taken.setdefault(row.doc.city, set()).add(row.key)
    keys = [
        row.key
        or cooperation_key(
            row.doc.city,
            row.department,
            KIND_LABELS[row.kind],
            row.title,
            taken.setdefault(row.doc.city, set()),
        )
        for row in rows
    ]

    document, derived_origin = taxonomy.words.origins.document.name, taxonomy.words.origins.derived.name
    types = taxonomy.types()
    type_ids = {t.name: i for i, t in enumerate(types, start=1)}
    no_info = taxonomy.no_info
    type_rows = [
        {
            "type_id": type_ids[t.name],
            "name": t.name,
            "form": t.form,
            "binding": t.binding,
            "is_no_info": t.name == no_info,
        }
        for t in types
    ]
    effects = taxonomy.effect_categories()
    effect_ids = {name: i for i, (name, _) in enumerate(effects, start=1)}
    effect_rows = [
        {
            "effect_id": i,
            "name": name,
            "description": desc,
            "sort_order": i,
            "is_no_info": name == no_info,
            "color": taxonomy.words.color_of(name),
        }
        for i, (name, desc) in enumerate(effects, start=1)
    ]

    partners = gazetteer.partners()
    partner_ids = {p.name: i for i, p in enumerate(partners, start=1)}
    partner_rows = [
        {
            "partner_id": partner_ids[p.name],
            "name": p.name,
            "kind": p.kind,
            # Where the map draws it: the key's area in data/geo, checked when the gazetteer loaded.
            "ars": p.place.ars if p.place else None,
            "place_name": p.place.name if p.place else None,
            "lon": p.place.lon if p.place else None,
            "lat": p.place.lat if p.place else None,
        }
        for p in partners
    ]
    partner_links: list[dict] = []

    department_ids: dict[tuple[str, str], int] = {}
    department_rows: list[dict] = []
    cooperation_rows: list[dict] = []
    link_rows: list[dict] = []
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
        derived = classify_row(row, taxonomy)
        type_match, effect_matches, status, binding = (
            derived.type,
            derived.effects,
            derived.status,
            derived.binding,
        )
        if type_match.name not in type_ids:
            raise ValueError(f"Taxonomie liefert unbekannte Kooperationsart {type_match.name!r}")
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
                "type_source": derived_origin if type_match.is_derived else document,
                "type_evidence": "; ".join(type_match.evidence),
                "effects_text": row.effects_text,
                "effects_source": derived_origin if any(m.is_derived for m in effect_matches) else document,
                "status_text": row.status_text,
                "status": status.value,
                "status_evidence": "; ".join(status.evidence),
                "outlook_text": row.outlook_text,
                "source_file": row.source_file or row.doc.file,
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
                        row.legal_basis,
                        row.funding,
                    )
                    if t
                ).lower(),
                "cooperation_key": keys[cooperation_id - 1],
                "source_fingerprint": source_fingerprint(row),
                "list_heading": row.list_heading,
                "binding": binding.value,
                "binding_source": derived_origin if binding.is_derived else document,
                "binding_evidence": "; ".join(binding.evidence),
                "status_source": derived_origin if status.is_derived else document,
                "type_confidence": type_match.confidence,
                "binding_confidence": binding.confidence,
                "effects_confidence": derived.effects_confidence,
                "status_confidence": status.confidence,
                "edition_id": row.edition_id,
                "start_year": row.start_year,
                "end_year": row.end_year,
                "legal_basis": row.legal_basis,
                "council_decision": row.council_decision,
                "contact_person": row.contact_person,
                "savings_eur_per_year": row.savings_eur_per_year,
                "funding": row.funding,
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

    def with_city_id(items: list[dict]) -> list[dict]:
        return [
            {"city_id": city_ids[i["city"]], **{k: v for k, v in i.items() if k != "city"}} for i in items
        ]

    return Tables(
        {
            **vocabulary_frames(taxonomy, gazetteer),
            "city": make_frame("city", city_rows),
            "edition": make_frame("edition", with_city_id(facts.editions if facts else [])),
            "department": make_frame("department", department_rows),
            "cooperation_type": make_frame("cooperation_type", type_rows),
            "cooperation": make_frame("cooperation", cooperation_rows),
            "effect_category": make_frame("effect_category", effect_rows),
            "cooperation_effect": make_frame("cooperation_effect", link_rows),
            "partner": make_frame("partner", partner_rows),
            "cooperation_partner": make_frame("cooperation_partner", partner_links),
            "cooperation_change": make_frame(
                "cooperation_change", with_city_id(facts.changes if facts else [])
            ),
            "edition_form_count": make_frame(
                "edition_form_count", with_city_id(facts.form_counts if facts else [])
            ),
        }
    )
