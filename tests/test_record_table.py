"""The Überblick's table frame (ikz.present.record_table): marks, the „Herkunft“ column, order."""

from __future__ import annotations

import polars as pl

from ikz.present.record_table import ORIGIN_COLUMN, table_frame
from ikz.rules.words import CHECKED, DERIVED, DOCUMENT, ORIGIN_FIELD_LABELS


def test_values_are_marked_and_their_fields_named_after_the_title() -> None:
    origin = {f"{field}_origin": [None, None] for field in ORIGIN_FIELD_LABELS}
    origin["type_origin"] = [f"{DERIVED.mark} {DERIVED.name}", None]
    origin["partners_origin"] = [f"{CHECKED.mark} {CHECKED.name} von A", None]
    records = pl.DataFrame(
        {
            "cooperation_id": [1, 2],
            "title": ["Eins", "Zwei"],
            "type_name": ["Zweckverband", "Vertrag"],
            "binding": ["x", "y"],
            "effects": ["e", "f"],
            "status": ["s", "t"],
            "partner_names": ["Gotha", "Weimar"],
            **origin,
        },
        schema_overrides=dict.fromkeys(origin, pl.String),
    )
    table = table_frame(records)
    assert table.columns[:3] == ["Nr.", "Bezeichnung / Thema", ORIGIN_COLUMN]
    first, second = table.rows(named=True)
    assert first[ORIGIN_COLUMN] == (
        f"{DERIVED.mark} {ORIGIN_FIELD_LABELS['type']} · {CHECKED.mark} {ORIGIN_FIELD_LABELS['partners']}"
    )
    assert second[ORIGIN_COLUMN] == f"wie im {DOCUMENT.name}"
    assert f"Zweckverband {DERIVED.mark}" in first.values()
    assert f"Gotha {CHECKED.mark}" in first.values()
    assert "Vertrag" in second.values() and "Weimar" in second.values()
    # Values from a short list go as categories (Arrow sends each once); titles and texts as text.
    assert table.schema[ORIGIN_COLUMN] == pl.Categorical
    assert table.schema["Kooperationsart"] == pl.Categorical
    assert table.schema["Bezeichnung / Thema"] == pl.String
