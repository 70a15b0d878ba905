"""Queries of the „Anregungen“: ideas one city has and the other lacks, record-level pairs, marks.

The build decides what is an idea (table suggestion) and which records match (cooperation_match);
these queries only read, filter with bound parameters and order. Marks come from the store of record
(ikz/store/sqlite.py) and are joined here by the stable cooperation_key, so they survive rebuilds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import duckdb
import polars as pl

from ikz.derive.ideas import IdeaFeatures, idea_context, idea_reasons, idea_score, own_task_area, title_kind
from ikz.derive.matching import THRESHOLD
from ikz.read.comparison import compared, pair_of
from ikz.read.queries import ALL, Filters, where_clause
from ikz.rules.sources import named_sources
from ikz.store.sqlite import Mark

MARKS = ("interessant", "gibt es bei uns schon", "nicht relevant")
UNMARKED = "noch nicht bewertet"
# The cooperation_topic field of the title: the topics it names give an idea its own Aufgabenbereich.
TITLE_FIELD = "Bezeichnung/Thema"
# How concrete an idea is, as a label for the list and the CSV (the order is ikz.derive.ideas.idea_score):
# a project with a reported status, a binding agreement (Zweckverband, Zweckvereinbarung, Vertrag),
# another project, a general exchange body.
CONCRETENESS = (
    "Projekt mit Arbeitsstand",
    "verbindliche Vereinbarung",
    "Projekt",
    "Austausch/Gremium",
)
_CONCRETENESS_SQL = """
    CASE
        WHEN w.record_kind = 'Projekt' AND w.status NOT IN (SELECT name FROM status WHERE is_no_info) THEN 0
        WHEN w.binding IN (SELECT name FROM binding WHERE is_committed) THEN 1
        WHEN w.record_kind = 'Projekt' THEN 2
        ELSE 3
    END
"""


def suggestion_list(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, for_city: str) -> pl.DataFrame:
    """The ideas for for_city among the filtered records of the other city, best to act on first.

    One row per idea: cooperation_id, cooperation_key, task_area (the idea's own, see
    ikz.derive.ideas.own_task_area), department_task_area, department, record_kind, title, title_kind,
    context, type_name, status, status_text, outlook_text, effects_text, partners, source,
    concreteness (label), idea_score (0–1), idea_reasons, rank (1 = best), nearest_id, nearest_title,
    nearest_department, nearest_source, nearest_score, nearest_reason.
    Ordered by idea_score, then the least similar first. The Aufgabenbereich filter keeps an idea
    when its own or its department's area is chosen.
    """
    where, params = where_clause(compared(replace(filters, task_areas=())))
    frame = con.sql(
        f"""
        SELECT w.cooperation_id, w.cooperation_key, w.task_area AS department_task_area, w.department,
               w.record_kind, w.title, w.context AS body, w.list_heading, w.type_name, w.form, w.binding,
               w.status, w.status_text, w.outlook_text, w.effects_text, w.effect_names,
               w.source_file || ', ' || w.source_lines AS source,
               {_CONCRETENESS_SQL} AS concreteness_rank,
               coalesce((SELECT list(DISTINCT p.name ORDER BY p.name) FROM cooperation_partner cp
                         JOIN partner p USING (partner_id)
                         WHERE cp.cooperation_id = w.cooperation_id), []) AS partner_names,
               coalesce((SELECT list(t.task_area ORDER BY t.topic) FROM cooperation_topic t
                         WHERE t.cooperation_id = w.cooperation_id AND t.field = ?), []) AS title_areas,
               -- Projects a document lists under this body: they say what an abbreviation stands for.
               coalesce((SELECT list(c.title ORDER BY c.cooperation_id) FROM cooperation_wide c
                         WHERE c.city = w.city AND c.department = w.department AND c.context = w.title
                           AND c.cooperation_id <> w.cooperation_id), []) AS children,
               s.nearest_cooperation_id AS nearest_id, n.title AS nearest_title,
               n.department AS nearest_department,
               n.source_file || ', ' || n.source_lines AS nearest_source,
               s.nearest_score, m.reason AS nearest_reason
        FROM suggestion s
        JOIN cooperation_wide w USING (cooperation_id)
        LEFT JOIN cooperation_wide n ON n.cooperation_id = s.nearest_cooperation_id
        LEFT JOIN cooperation_match m
               ON m.cooperation_id = s.cooperation_id AND m.other_cooperation_id = s.nearest_cooperation_id
        WHERE s.for_city = ? AND {where}
        """,
        params=[TITLE_FIELD, for_city, *params],
    ).pl()
    areas = [r[0] for r in con.execute("SELECT name FROM task_area ORDER BY sort_order").fetchall()]
    rows = frame.to_dicts()
    features = [_features(r) for r in rows]
    kinds = [title_kind(r["title"]) for r in rows]
    frame = frame.with_columns(
        pl.Series(
            "task_area",
            [own_task_area(r["department_task_area"], r["title_areas"], areas) for r in rows],
            dtype=pl.String,
        ),
        pl.Series("title_kind", kinds, dtype=pl.String),
        pl.Series(
            "context",
            [
                idea_context(
                    kind=k,
                    body=r["body"],
                    list_heading=r["list_heading"],
                    children=r["children"],
                    status_text=r["status_text"],
                )
                for r, k in zip(rows, kinds, strict=True)
            ],
            dtype=pl.String,
        ),
        pl.Series("partners", [", ".join(r["partner_names"]) for r in rows], dtype=pl.String),
        pl.Series("idea_score", [idea_score(f) for f in features], dtype=pl.Float64),
        pl.Series("idea_reasons", [idea_reasons(f) for f in features], dtype=pl.String),
        pl.col("concreteness_rank")
        .replace_strict(dict(enumerate(CONCRETENESS)), return_dtype=pl.String)
        .alias("concreteness"),
    )
    if filters.task_areas:
        chosen = list(filters.task_areas)
        frame = frame.filter(pl.col("task_area").is_in(chosen) | pl.col("department_task_area").is_in(chosen))
    frame = named_sources(frame, "source", "nearest_source")
    return (
        frame.sort(["idea_score", "nearest_score", "cooperation_id"], descending=[True, False, False])
        .with_row_index("rank", offset=1)
        .select(
            "cooperation_id",
            "cooperation_key",
            "task_area",
            "department_task_area",
            "department",
            "record_kind",
            "title",
            "title_kind",
            "context",
            "type_name",
            "status",
            "status_text",
            "outlook_text",
            "effects_text",
            "partners",
            "source",
            "concreteness",
            "idea_score",
            "idea_reasons",
            "rank",
            "nearest_id",
            "nearest_title",
            "nearest_department",
            "nearest_source",
            "nearest_score",
            "nearest_reason",
        )
    )


def idea_count(con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, for_city: str) -> int:
    """How many ideas suggestion_list gives for these filters, without working each one out.

    An Aufgabenbereich filter keeps an idea by its own area, which is worked out per idea
    (ikz.derive.ideas.own_task_area): then the list is made and counted."""
    if filters.task_areas:
        return suggestion_list(con, filters=filters, for_city=for_city).height
    where, params = where_clause(compared(filters))
    ((count,),) = con.execute(
        f"SELECT count(*) FROM suggestion s JOIN cooperation_wide w USING (cooperation_id) "
        f"WHERE s.for_city = ? AND {where}",
        [for_city, *params],
    ).fetchall()
    return count


def _features(row: Mapping) -> IdeaFeatures:
    """The score's features of one suggestion_list row (status None where the document has none)."""
    return IdeaFeatures(
        title=row["title"],
        record_kind=row["record_kind"],
        form=row["form"],
        binding=row["binding"],
        status=row["status"] if row["status_text"] else None,
        effects=tuple(row["effect_names"] or ()),
        partners=len(row["partner_names"]),
    )


def record_pairs(
    con: duckdb.DuckDBPyConnection, *, filters: Filters = ALL, threshold: float = THRESHOLD
) -> pl.DataFrame:
    """Pairs of records of the two compared cities (comparison.pair_of) that match (score ≥
    threshold), when either passes the filters.

    Columns task_area, score, reason (from the first city's side), first_id, first_title,
    first_source, second_id, second_title, second_source; best pairs first within an Aufgabenbereich.
    """
    first, second = pair_of(filters)
    where_e, params_e = where_clause(compared(filters), alias="e")
    where_m, params_m = where_clause(compared(filters), alias="g")
    frame = con.sql(
        f"""
        SELECT e.task_area, ta.sort_order AS _area, m.score, m.reason,
               e.cooperation_id AS first_id, e.title AS first_title,
               e.source_file || ', ' || e.source_lines AS first_source,
               g.cooperation_id AS second_id, g.title AS second_title,
               g.source_file || ', ' || g.source_lines AS second_source
        FROM cooperation_match m
        JOIN cooperation_wide e ON e.cooperation_id = m.cooperation_id AND e.city = ?
        JOIN cooperation_wide g ON g.cooperation_id = m.other_cooperation_id AND g.city = ?
        LEFT JOIN task_area ta ON ta.name = e.task_area
        WHERE m.score >= ? AND (({where_e}) OR ({where_m}))
        """,
        params=[first, second, threshold, *params_e, *params_m],
    ).pl()
    return (
        named_sources(frame, "first_source", "second_source")
        .sort(["_area", "score", "first_id", "second_id"], descending=[False, True, False, False])
        .drop("_area")
    )


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
    ranked = frame.sort(["idea_score", "nearest_score", "cooperation_id"], descending=[True, False, False])
    marked = ranked.filter(pl.col("mark") == MARKS[0])
    if not marked.is_empty():
        return "Als „interessant“ markierte Anregungen", marked.head(top)
    # No judgement yet: the best ideas to act on, taking turns between the two cities.
    turns = ranked.with_columns(pl.int_range(pl.len()).over("for_city").alias("_n")).sort("_n", "for_city")
    return "Die besten Anregungen (noch keine als „interessant“ markiert)", turns.drop("_n").head(top)
