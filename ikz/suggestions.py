"""Queries of the „Anregungen“: ideas one city has and the other lacks, record-level pairs, marks.

The build decides what is an idea (table suggestion) and which records match (cooperation_match);
these queries only read, filter with bound parameters and order. Marks come from the store of record
(ikz/store.py) and are joined here by the stable cooperation_key, so they survive rebuilds.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import polars as pl

from ikz.comparison import compared
from ikz.matching import THRESHOLD
from ikz.queries import ALL, Filters, where_clause
from ikz.store import Mark

MARKS = ("interessant", "gibt es bei uns schon", "nicht relevant")
UNMARKED = "noch nicht bewertet"
# How concrete an idea is, for the order within an Aufgabenbereich: a project with a reported
# status first, then binding agreements (Zweckverband, Zweckvereinbarung, Vertrag), then other
# projects, then general exchange bodies.
CONCRETENESS = (
    "Projekt mit Arbeitsstand",
    "verbindliche Vereinbarung",
    "Projekt",
    "Austausch/Gremium",
)
_CONCRETENESS_SQL = """
    CASE
        WHEN w.record_kind = 'Projekt' AND w.status <> 'ohne Angabe' THEN 0
        WHEN w.binding IN ('öffentlich-rechtlich', 'vertraglich') THEN 1
        WHEN w.record_kind = 'Projekt' THEN 2
        ELSE 3
    END
"""


def suggestion_list(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, for_city: str) -> pl.DataFrame:
    """The ideas for for_city among the filtered records of the other city, most concrete first.

    One row per idea: cooperation_id, cooperation_key, task_area, department, record_kind, title,
    type_name, status, status_text, outlook_text, effects_text, source, concreteness (label),
    nearest_id, nearest_title, nearest_department, nearest_source, nearest_score, nearest_reason.
    Ordered by Aufgabenbereich (KGSt order), concreteness, then the least similar first.
    """
    where, params = where_clause(compared(filters))
    frame = con.sql(
        f"""
        SELECT w.cooperation_id, w.cooperation_key, w.task_area, w.department, w.record_kind, w.title,
               w.type_name, w.status, w.status_text, w.outlook_text, w.effects_text,
               w.source_file || ', ' || w.source_lines AS source,
               {_CONCRETENESS_SQL} AS concreteness_rank,
               s.nearest_cooperation_id AS nearest_id, n.title AS nearest_title,
               n.department AS nearest_department,
               n.source_file || ', ' || n.source_lines AS nearest_source,
               s.nearest_score, m.reason AS nearest_reason, ta.sort_order AS _area
        FROM suggestion s
        JOIN cooperation_wide w USING (cooperation_id)
        LEFT JOIN task_area ta ON ta.name = w.task_area
        LEFT JOIN cooperation_wide n ON n.cooperation_id = s.nearest_cooperation_id
        LEFT JOIN cooperation_match m
               ON m.cooperation_id = s.cooperation_id AND m.other_cooperation_id = s.nearest_cooperation_id
        WHERE s.for_city = ? AND {where}
        """,
        params=[for_city, *params],
    ).pl()
    return (
        frame.with_columns(
            pl.col("concreteness_rank")
            .replace_strict(dict(enumerate(CONCRETENESS)), return_dtype=pl.String)
            .alias("concreteness"),
        )
        .sort("_area", "concreteness_rank", "nearest_score", "cooperation_id")
        .select(
            "cooperation_id",
            "cooperation_key",
            "task_area",
            "department",
            "record_kind",
            "title",
            "type_name",
            "status",
            "status_text",
            "outlook_text",
            "effects_text",
            "source",
            "concreteness",
            "nearest_id",
            "nearest_title",
            "nearest_department",
            "nearest_source",
            "nearest_score",
            "nearest_reason",
        )
    )


def record_pairs(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, threshold: float = THRESHOLD
) -> pl.DataFrame:
    """Erfurt ↔ Magdeburg pairs of records that match (score ≥ threshold), when either passes the filters.

    Columns task_area, score, reason (from Erfurt's side), erfurt_id, erfurt_title, erfurt_source,
    magdeburg_id, magdeburg_title, magdeburg_source; best pairs first within an Aufgabenbereich.
    """
    where_e, params_e = where_clause(compared(filters), alias="e")
    where_m, params_m = where_clause(compared(filters), alias="g")
    frame = con.sql(
        f"""
        SELECT e.task_area, ta.sort_order AS _area, m.score, m.reason,
               e.cooperation_id AS erfurt_id, e.title AS erfurt_title,
               e.source_file || ', ' || e.source_lines AS erfurt_source,
               g.cooperation_id AS magdeburg_id, g.title AS magdeburg_title,
               g.source_file || ', ' || g.source_lines AS magdeburg_source
        FROM cooperation_match m
        JOIN cooperation_wide e ON e.cooperation_id = m.cooperation_id AND e.city = 'Erfurt'
        JOIN cooperation_wide g ON g.cooperation_id = m.other_cooperation_id AND g.city = 'Magdeburg'
        LEFT JOIN task_area ta ON ta.name = e.task_area
        WHERE m.score >= ? AND (({where_e}) OR ({where_m}))
        """,
        params=[threshold, *params_e, *params_m],
    ).pl()
    return frame.sort(
        ["_area", "score", "erfurt_id", "magdeburg_id"], descending=[False, True, False, False]
    ).drop("_area")


def with_marks(frame: pl.DataFrame, marks: Mapping[tuple[str, str], Mark], *, for_city: str) -> pl.DataFrame:
    """The suggestion list with each idea's latest mark, note, who and when (UNMARKED if none)."""
    rows = [marks.get((key, for_city)) for key in frame["cooperation_key"].to_list()]
    return frame.with_columns(
        pl.Series("mark", [m.mark if m and m.mark else UNMARKED for m in rows], dtype=pl.String),
        pl.Series("mark_note", [(m.note or "") if m and m.mark else "" for m in rows], dtype=pl.String),
        pl.Series("marked_by", [m.actor_name if m and m.mark else "" for m in rows], dtype=pl.String),
        pl.Series("marked_at", [m.at if m and m.mark else "" for m in rows], dtype=pl.String),
    )


def deck_ideas(frame: pl.DataFrame, *, top: int = 8) -> tuple[str, pl.DataFrame]:
    """What the deck's „Anregungen“ slide lists: the ideas marked „interessant“, else the top ones.

    frame is with_marks() output of both cities (a for_city column); returns a German heading and
    the rows (for_city, title, department, source).
    """
    order = {label: i for i, label in enumerate(CONCRETENESS)}
    ranked = frame.with_columns(
        pl.col("concreteness").replace_strict(order, default=len(order)).alias("_c")
    ).sort("_c", "nearest_score", "cooperation_id")
    marked = ranked.filter(pl.col("mark") == MARKS[0])
    if not marked.is_empty():
        return "Als „interessant“ markierte Anregungen", marked.drop("_c").head(top)
    # No judgement yet: the most concrete ideas, taking turns between the two cities.
    turns = ranked.with_columns(pl.int_range(pl.len()).over("for_city").alias("_n")).sort("_n", "for_city")
    return "Die konkretesten Anregungen (noch keine als „interessant“ markiert)", turns.drop("_c", "_n").head(
        top
    )
