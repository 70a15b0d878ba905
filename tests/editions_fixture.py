"""A realistic next edition of Erfurt's list, made from the template in code (never a hand-edited binary).

Changes against the seed: two cooperations ended (rows deleted), three new ones (no Schlüssel, one
with a Kooperationsart the taxonomy does not know), three changed (Effekte, Kooperationsart, the new
optional columns filled in), a renamed department (four rows), one title reworded with its
Schlüssel lost (matched only by a similar title), and — unless corrected — one wrong cell.
"""

from __future__ import annotations

import io

import polars as pl

ENDED = ("EF-6234cd7b", "EF-e4a74c18")  # Fernwasserzweckverband …, ÖPNV mit benachbarten Landkreisen
CHANGED_EFFECTS = "EF-b3e6b7dc"  # Altlastenzweckverband: Effekte reworded
CHANGED_TYPE = "EF-a33a23dd"  # Zweckverband Wasserversorgung: Kooperationsart
FILLED_IN = "EF-61aca629"  # AG Personal: Beginn, Status, Einsparung, Rechtsgrundlage
FUZZY_KEY = "EF-79d6976a"  # Kommunaler Energiezweckverband Thüringen → „… Thüringen (KET)“, no Schlüssel
WRONG_CELL_KEY = "EF-d82b9ea3"  # Stadtkämmerei: text in Einsparung
OLD_DEPARTMENT = "Umwelt- und Naturschutzamt"
NEW_DEPARTMENT = "Amt für Umwelt- und Naturschutz"
NEW_TYPE = "Innovationspartnerschaft"
NEW_TITLES = (
    "Digitale Bauakte Mittelthüringen",
    "Gemeinsame Vergabestelle mit dem Ilm-Kreis",
    "Klimaanpassung Erfurt-Weimar",
)
EXPECTED_COUNTS = {"neu": 3, "entfallen": 2, "geändert": 8, "unverändert": 68}
WRONG_VALUE = "etwa 5000 Euro"


def next_edition(template: bytes, *, wrong_cell: bool = True, fmt: str = "xlsx") -> bytes:
    """The next edition as XLSX (or CSV with ';' in Windows-1252) made from the template's bytes."""
    frame = pl.read_excel(template, engine="calamine", sheet_id=1, infer_schema_length=0)
    key = pl.col("Schlüssel")
    frame = frame.filter(~key.is_in(ENDED))
    frame = frame.with_columns(
        pl.when(key == CHANGED_EFFECTS)
        .then(pl.lit("Kostenteilung bei der Altlastensanierung, Erfahrungsaustausch"))
        .otherwise(pl.col("Effekte"))
        .alias("Effekte"),
        pl.when(key == CHANGED_TYPE)
        .then(pl.lit("Zweckvereinbarung"))
        .otherwise(pl.col("Kooperationsart"))
        .alias("Kooperationsart"),
        pl.when(key == FILLED_IN)
        .then(pl.lit("2015"))
        .otherwise(pl.col("Beginn (Jahr)"))
        .alias("Beginn (Jahr)"),
        pl.when(key == FILLED_IN).then(pl.lit("laufend")).otherwise(pl.col("Status")).alias("Status"),
        pl.when(key == FILLED_IN)
        .then(pl.lit("ThürKGG"))
        .otherwise(pl.col("Rechtsgrundlage"))
        .alias("Rechtsgrundlage"),
        pl.when(key == FILLED_IN)
        .then(pl.lit("12.500"))
        .when((key == WRONG_CELL_KEY) & pl.lit(wrong_cell))
        .then(pl.lit(WRONG_VALUE))
        .otherwise(pl.col("Einsparung (€/Jahr)"))
        .alias("Einsparung (€/Jahr)"),
        pl.when(pl.col("Fachbereich/Amt") == OLD_DEPARTMENT)
        .then(pl.lit(NEW_DEPARTMENT))
        .otherwise(pl.col("Fachbereich/Amt"))
        .alias("Fachbereich/Amt"),
        pl.when(key == FUZZY_KEY)
        .then(pl.lit("Kommunaler Energiezweckverband Thüringen (KET)"))
        .otherwise(pl.col("Bezeichnung"))
        .alias("Bezeichnung"),
    ).with_columns(pl.when(key == FUZZY_KEY).then(None).otherwise(key).alias("Schlüssel"))
    new = pl.DataFrame(
        {
            "Fachbereich/Amt": [
                "Amt für Stadtentwicklung und Stadtplanung",
                "Beteiligungsmanagement",
                NEW_DEPARTMENT,
            ],
            "Bezeichnung": list(NEW_TITLES),
            "Kooperationsart": ["Arbeitsgemeinschaft", "Zweckvereinbarung", NEW_TYPE],
            "Effekte": ["Erfahrungsaustausch", "Kosteneinsparung", "Wissenstransfer"],
            "Beginn (Jahr)": ["2025", "2026", "2026"],
            "Status": ["in Planung", "in Umsetzung", "laufend"],
        }
    )
    frame = pl.concat([frame, new], how="diagonal")
    if fmt == "csv":
        return frame.write_csv(separator=";").encode("cp1252")
    buffer = io.BytesIO()
    frame.write_excel(buffer, worksheet="Kooperationen")
    return buffer.getvalue()
