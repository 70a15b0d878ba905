"""A database of seven cooperations in two invented cities, small enough to count by reading it.

Written through the build's own write_database (ikz/core/schema.sql, marts included), so the queries
read it exactly as they read the real file; the test that uses it works its expected values out
by hand from the table RECORDS_TABLE (tests/test_queries.py).

Vocabularies, in display order (sort_order):
  bindings     verbindlich (committed), lose, keine Angabe (no info)
  forms        Verband (verbindlich), Vertrag (verbindlich), Netzwerk (lose)
  types        Zweckverband → Verband, Vereinbarung → Vertrag, Arbeitskreis → Netzwerk,
               Stammtisch → Netzwerk
  statuses     laufend, beendet, keine Angabe (no info)
  task areas   1 Ordnung, 2 Soziales
  effects      Sparen, Entlastung, Qualität, keine Angabe (no info)
  cities       Nordstadt, Südstadt

The records are the table RECORDS_TABLE below; forms follow from the types, task areas from the
departments (DEPARTMENTS).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from ikz.builder.database import write_database
from ikz.derive.normalise import SCHEMAS, TABLE_ORDER, Tables
from ikz.rules.files import shipped_words

BINDINGS = [("verbindlich", True, False), ("lose", False, False), ("keine Angabe", False, True)]
FORMS = [("Verband", "verbindlich"), ("Vertrag", "verbindlich"), ("Netzwerk", "lose")]
TYPES = {
    "Zweckverband": "Verband",
    "Vereinbarung": "Vertrag",
    "Arbeitskreis": "Netzwerk",
    "Stammtisch": "Netzwerk",
}
STATUSES = [("laufend", False), ("beendet", False), ("keine Angabe", True)]
TASK_AREAS = ["1 Ordnung", "2 Soziales"]
EFFECTS = [("Sparen", False), ("Entlastung", False), ("Qualität", False), ("keine Angabe", True)]
CITIES = ["Nordstadt", "Südstadt"]
DEPARTMENTS = [  # (city, name, task area)
    ("Nordstadt", "Ordnungsamt", "1 Ordnung"),
    ("Nordstadt", "Sozialamt", "2 Soziales"),
    ("Südstadt", "Ordnungsamt", "1 Ordnung"),
    ("Südstadt", "Jugendamt", "2 Soziales"),
]
# One record a line; a record's binding is its own, not its type's (record 5). Effects joined by +.
RECORDS_TABLE = """
id  city       department   type          binding       status        effects              title
1   Nordstadt  Ordnungsamt  Zweckverband  verbindlich   laufend       Sparen+Entlastung    Leitstelle
2   Nordstadt  Ordnungsamt  Vereinbarung  verbindlich   laufend       Sparen+Entlastung    Winterdienst
3   Nordstadt  Ordnungsamt  Arbeitskreis  lose          beendet       keine Angabe         Runder Tisch
4   Nordstadt  Sozialamt    Arbeitskreis  lose          laufend       Entlastung+Qualität  Netzwerk Pflege
5   Südstadt   Ordnungsamt  Vereinbarung  lose          keine Angabe  Sparen               Gemeinsamer Vollzug
6   Südstadt   Jugendamt    Stammtisch    lose          laufend       Qualität             Jugendforum
7   Südstadt   Jugendamt    Arbeitskreis  keine Angabe  beendet       Entlastung+Qualität  Netzwerk Kinder
"""


def _records() -> dict[int, tuple]:
    """RECORDS_TABLE as id → (city, department, type, binding, status, effects, title)."""
    lines = RECORDS_TABLE.strip().splitlines()[1:]
    rows = [re.split(r"\s{2,}", line.strip()) for line in lines]
    return {int(i): (c, d, t, b, s, tuple(e.split("+")), title) for i, c, d, t, b, s, e, title in rows}


RECORDS = _records()


def _frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """rows as the table's frame; columns a row leaves out are empty (NULL)."""
    schema = SCHEMAS[table]
    return pl.DataFrame([{c: row.get(c) for c in schema} for row in rows], schema=schema, orient="row")


def _cooperation(cooperation_id: int) -> dict[str, Any]:
    city, department, type_name, binding, status, _, title = RECORDS[cooperation_id]
    department_id = DEPARTMENTS.index((city, department, _task_area(city, department))) + 1
    return {
        "cooperation_id": cooperation_id,
        "city_id": CITIES.index(city) + 1,
        "department_id": department_id,
        "record_kind": "Kooperation",
        "title": title,
        "type_raw": type_name,
        "type_id": list(TYPES).index(type_name) + 1,
        "type_source": "Dokument",
        "type_evidence": type_name,
        "effects_source": "abgeleitet",
        "status": status,
        "status_evidence": "",
        "source_file": "klein.tsv",
        "line_start": cooperation_id + 1,
        "line_end": cooperation_id + 1,
        "source_lines": f"Z. {cooperation_id + 1}",
        "search_text": title.lower(),
        "cooperation_key": f"KL-{cooperation_id:08x}",
        "source_fingerprint": f"klein-{cooperation_id}",
        "binding": binding,
        "binding_source": "Dokument",
        "binding_evidence": "",
        "status_source": "Dokument",
    }


def _task_area(city: str, department: str) -> str:
    return next(area for c, d, area in DEPARTMENTS if (c, d) == (city, department))


def small_tables() -> Tables:
    """The normalised tables of the seven records (every other table empty)."""
    rows: dict[str, list[dict[str, Any]]] = {
        "binding": [
            {"name": n, "sort_order": i, "is_committed": committed, "is_no_info": no_info}
            for i, (n, committed, no_info) in enumerate(BINDINGS, 1)
        ],
        "form": [
            {"name": name, "binding": binding, "sort_order": i, "is_no_info": False, "pattern": ""}
            for i, (name, binding) in enumerate(FORMS, 1)
        ],
        # The shipped origins: the records' *_source columns refer to them.
        "origin": [
            {"name": o.name, "role": o.role, "mark": o.mark, "label": o.label, "sort_order": i}
            for i, o in enumerate(shipped_words().origins, 1)
        ],
        "status": [{"name": n, "sort_order": i, "is_no_info": x} for i, (n, x) in enumerate(STATUSES, 1)],
        "task_area": [{"name": n, "sort_order": i} for i, n in enumerate(TASK_AREAS, 1)],
        "city": [
            {
                "city_id": i,
                "name": n,
                "state": "Nirgendland",
                "source": f"Liste {n}",
                "source_file": "klein.tsv",
                "as_of": "2026",
                "sort_order": i,
            }
            for i, n in enumerate(CITIES, 1)
        ],
        "department": [
            {
                "department_id": i,
                "city_id": CITIES.index(c) + 1,
                "name": n,
                "task_area": a,
                "task_area_evidence": "",
            }
            for i, (c, n, a) in enumerate(DEPARTMENTS, 1)
        ],
        "cooperation_type": [
            {"type_id": i, "name": n, "form": f, "binding": dict(FORMS)[f], "is_no_info": False}
            for i, (n, f) in enumerate(TYPES.items(), 1)
        ],
        "cooperation": [_cooperation(i) for i in RECORDS],
        "effect_category": [
            {"effect_id": i, "name": n, "description": n, "sort_order": i, "is_no_info": x}
            for i, (n, x) in enumerate(EFFECTS, 1)
        ],
        "cooperation_effect": [
            {
                "cooperation_id": i,
                "effect_id": [e for e, _ in EFFECTS].index(name) + 1,
                "evidence": "",
                "is_derived": True,
            }
            for i, record in RECORDS.items()
            for name in record[5]
        ],
    }
    return Tables({table: _frame(table, rows.get(table, [])) for table in TABLE_ORDER})


def write_small_db(target: Path) -> Path:
    """The seven records as a database file at target."""
    write_database(small_tables(), target)
    return target
