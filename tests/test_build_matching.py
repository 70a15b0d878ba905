"""Invariants of the build's matching tables: both directions, scores in range, one suggestion per idea."""

from __future__ import annotations

import duckdb

from ikz.derive.matching import THRESHOLD, TOP_MATCHES


def test_every_record_has_counterparts_in_the_other_city(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        SELECT w.city, count(DISTINCT w.cooperation_id), min(n), max(n)
        FROM cooperation_wide w
        JOIN (SELECT cooperation_id, count(*) AS n FROM cooperation_match GROUP BY 1) m USING (cooperation_id)
        GROUP BY 1 ORDER BY 1
        """
    ).fetchall()
    totals = dict(con.execute("SELECT city, count(*) FROM cooperation_wide GROUP BY 1").fetchall())
    for city, records, fewest, _ in rows:
        assert records == totals[city]
        assert fewest >= TOP_MATCHES
    # Never a record of the same city as counterpart.
    assert con.execute(
        """
        SELECT count(*) FROM cooperation_match m
        JOIN cooperation_wide a ON a.cooperation_id = m.cooperation_id
        JOIN cooperation_wide b ON b.cooperation_id = m.other_cooperation_id
        WHERE a.city = b.city
        """
    ).fetchone() == (0,)


def test_each_pair_in_both_directions_with_the_same_score(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute(
        """
        SELECT count(*) FROM cooperation_match m
        LEFT JOIN cooperation_match r
               ON r.cooperation_id = m.other_cooperation_id AND r.other_cooperation_id = m.cooperation_id
        WHERE r.cooperation_id IS NULL OR r.score <> m.score
        """
    ).fetchone() == (0,)


def test_scores_in_range_and_ranks_in_order(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute(
        "SELECT count(*) FROM cooperation_match WHERE score < 0 OR score > 1 OR rank < 1 OR reason = ''"
    ).fetchone() == (0,)
    # Within a record, a better rank never has a lower score.
    assert con.execute(
        """
        SELECT count(*) FROM cooperation_match a JOIN cooperation_match b USING (cooperation_id)
        WHERE a.rank < b.rank AND a.score < b.score
        """
    ).fetchone() == (0,)


def test_one_suggestion_per_idea_record(con: duckdb.DuckDBPyConnection) -> None:
    # Exactly the records whose best counterpart stays below the threshold, each once, for the other city.
    expected = set(
        con.execute(
            """
            SELECT m.cooperation_id, CASE w.city WHEN 'Erfurt' THEN 'Magdeburg' ELSE 'Erfurt' END,
                   m.other_cooperation_id, m.score
            FROM cooperation_match m JOIN cooperation_wide w USING (cooperation_id)
            WHERE m.rank = 1 AND m.score < ?
            """,
            [THRESHOLD],
        ).fetchall()
    )
    stored = con.execute("SELECT * FROM suggestion").fetchall()
    assert len(stored) == len({r[0] for r in stored})
    assert set(stored) == expected
    assert len(stored) > 0


def test_the_hand_read_example_from_the_issue(con: duckdb.DuckDBPyConnection) -> None:
    # Issue 14: D 115 hides under a topic Erfurt also names; record by record it is an idea for Erfurt.
    assert con.execute(
        """
        SELECT s.for_city FROM suggestion s JOIN cooperation_wide w USING (cooperation_id)
        WHERE w.title = 'Behördennummer D 115'
        """
    ).fetchall() == [("Erfurt",)]
