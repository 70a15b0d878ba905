"""Typed reads about editions from the built database: changes since the previous edition, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from ikz.core.dates import as_of_text, long_date

CHANGE_ORDER = ("neu", "entfallen", "geändert")


@dataclass(frozen=True)
class ChangesSince:
    """One city's changes from its previous to its current edition."""

    city: str
    previous_as_of: str  # the date of the previous edition, as the heading names it
    previous_label: str
    current_as_of: str
    counts: dict[str, int]  # 'neu', 'entfallen', 'geändert' → records

    @property
    def heading(self) -> str:
        """„Änderungen seit 30. November 2026“, or since the seed list, whose date is not a day."""
        try:
            day = long_date(date.fromisoformat(self.previous_as_of))
        except ValueError:
            return f"Änderungen seit der Ausgangsliste ({self.previous_as_of})"
        return f"Änderungen seit {day}"


def _label(edition_id: int, as_of: str, note: str | None) -> str:
    return (
        f"Ausgangsliste ({as_of_text(as_of)})"
        if edition_id < 0 or note == "Ausgangsliste"
        else f"Ausgabe {edition_id} ({as_of_text(as_of)})"
    )


def changes_since(con: duckdb.DuckDBPyConnection, *, cities: tuple[str, ...] = ()) -> list[ChangesSince]:
    """Per city with a replaced edition (of the given cities, all when empty): counts by change."""
    rows = con.execute(
        """
        SELECT ci.name, ch.from_edition_id, prev.as_of, prev.note, cur.as_of, ch.change, count(*)
        FROM cooperation_change ch
        JOIN city ci USING (city_id)
        JOIN edition prev ON prev.edition_id = ch.from_edition_id
        JOIN edition cur ON cur.edition_id = ch.to_edition_id
        WHERE len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], ci.name)
        GROUP BY ALL ORDER BY ci.name
        """,
        [list(cities), list(cities)],
    ).fetchall()
    out: dict[str, ChangesSince] = {}
    for city, from_id, prev_as_of, prev_note, cur_as_of, change, n in rows:
        item = out.setdefault(
            city,
            ChangesSince(
                city,
                prev_as_of,
                _label(from_id, prev_as_of, prev_note),
                cur_as_of,
                dict.fromkeys(CHANGE_ORDER, 0),
            ),
        )
        item.counts[change] = n
    return list(out.values())


def change_list(con: duckdb.DuckDBPyConnection, *, cities: tuple[str, ...] = ()) -> pl.DataFrame:
    """The changed records: city, change, department, title, changed_fields, cooperation_key."""
    return con.sql(
        """
        SELECT ci.name AS city, ch.change, ch.department, ch.title, ch.changed_fields, ch.cooperation_key
        FROM cooperation_change ch JOIN city ci USING (city_id)
        WHERE len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], ci.name)
        ORDER BY ci.name, array_position(['neu', 'entfallen', 'geändert'], ch.change), ch.department, ch.title
        """,
        params=[list(cities), list(cities)],
    ).pl()


def development(con: duckdb.DuckDBPyConnection, *, city: str) -> pl.DataFrame:
    """Cooperations per Kooperationsform per edition of a city, oldest edition first: edition, form, count."""
    frame = con.sql(
        """
        SELECT e.edition_id, e.as_of,
               CASE WHEN e.edition_id < 0 OR e.note = 'Ausgangsliste' THEN 'Ausgangsliste'
                    ELSE 'Ausgabe ' || e.edition_id END AS edition,
               f.form, f.cooperations AS count
        FROM edition_form_count f
        JOIN edition e USING (edition_id)
        JOIN city ci ON ci.city_id = f.city_id
        WHERE ci.name = ?
        ORDER BY (e.edition_id < 0) DESC, e.edition_id, f.form
        """,
        params=[city],
    ).pl()
    # The Stichtag in words, as everywhere else: „Ausgabe 2 (7. Dezember 2026)“.
    days = {a: as_of_text(a) for a in frame["as_of"].unique().drop_nulls()}
    dated = pl.col("edition") + " (" + pl.col("as_of").replace(days) + ")"
    seed = pl.col("edition") == "Ausgangsliste"
    return frame.with_columns(pl.when(seed).then(pl.col("edition")).otherwise(dated).alias("edition"))


def edition_count(con: duckdb.DuckDBPyConnection, *, city: str) -> int:
    """How many editions a city has (the seed included)."""
    return con.execute(
        "SELECT count(*) FROM edition JOIN city ci USING (city_id) WHERE ci.name = ?", [city]
    ).fetchone()[0]
