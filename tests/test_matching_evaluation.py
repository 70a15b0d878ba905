"""The matcher against the hand-read list data/evaluation/anregungen.toml (written from the documents).

Reports recall of the hand-listed ideas, recall of the hand-listed shared pairs and the share of
each city's records declared ideas, and checks them against the goals of issue 14.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ikz.derive.matching import THRESHOLD, Match, MatchRecord, Suggestion
from ikz.derive.matching_check import EVALUATION_PATH, Located, load_evaluation, measure, resolve

GOAL_IDEA_RECALL = 0.80
GOAL_PAIR_RECALL = 0.85
GOAL_MAX_IDEA_SHARE = 0.60


@pytest.fixture(scope="module")
def built(built_db: Path) -> tuple[list[Located], list[MatchRecord], list[Match], list[Suggestion]]:
    """What the real build stored: records with their place, matches and suggestions."""
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        rows = con.execute(
            "SELECT cooperation_id, city, line_start, line_end, title FROM cooperation_wide ORDER BY 1"
        ).fetchall()
        matches = [Match(*r) for r in con.execute("SELECT * FROM cooperation_match").fetchall()]
        ideas = [Suggestion(*r) for r in con.execute("SELECT * FROM suggestion").fetchall()]
    finally:
        con.close()
    located = [Located(*r) for r in rows]
    records = [MatchRecord(cooperation_id=r.cooperation_id, city=r.city, texts=()) for r in located]
    return located, records, matches, ideas


def test_the_list_has_enough_entries_and_each_names_one_record(built) -> None:
    located = built[0]
    evaluation = load_evaluation(EVALUATION_PATH)
    for city in ("Erfurt", "Magdeburg"):
        assert sum(i.city == city for i in evaluation.ideas) >= 10
    assert len(evaluation.pairs) >= 10
    for ref in (*evaluation.ideas, *(r for pair in evaluation.pairs for r in pair)):
        resolve(ref, located)  # raises unless exactly one record


def test_goals_against_the_hand_read_list(built, capsys: pytest.CaptureFixture[str]) -> None:
    located, records, matches, ideas = built
    figures = measure(load_evaluation(), located, records, matches, ideas, threshold=THRESHOLD)
    with capsys.disabled():
        print(f"\nAbgleich gegen {EVALUATION_PATH.name} (Schwelle {THRESHOLD}):\n{figures.text()}")
    assert figures.idea_recall >= GOAL_IDEA_RECALL, figures.text()
    assert figures.pair_recall >= GOAL_PAIR_RECALL, figures.text()
    for city, share in figures.idea_share.items():
        assert share <= GOAL_MAX_IDEA_SHARE, f"{city}: {share:.0%}\n{figures.text()}"


def test_resolve_refuses_an_ambiguous_or_missing_reference(built) -> None:
    from ikz.derive.matching_check import RecordRef

    located = built[0]
    with pytest.raises(ValueError, match="0 Einträge"):
        resolve(RecordRef("Erfurt", 2, "gibt es nicht"), located)
    # Magdeburg line 75 holds twelve bodies and a project: a part every title has is ambiguous.
    with pytest.raises(ValueError, match="Einträge statt einem"):
        resolve(RecordRef("Magdeburg", 75, "A"), located)


BLIND_PATH = EVALUATION_PATH.with_name("anregungen_blind.toml")
# Measured once on the blind list (never tuned on): ideas 71 %, pairs 91 %. A floor against
# regressions, below the goal of 80 % that the matcher does not reach on it yet (docs/quality.md).
BLIND_IDEA_FLOOR = 0.70


def test_against_the_blind_list_of_ideas(built, capsys: pytest.CaptureFixture[str]) -> None:
    located, records, matches, ideas = built
    evaluation = load_evaluation(BLIND_PATH)
    for ref in (*evaluation.ideas, *(r for pair in evaluation.pairs for r in pair)):
        resolve(ref, located)
    figures = measure(evaluation, located, records, matches, ideas, threshold=THRESHOLD)
    with capsys.disabled():
        print(f"\nAbgleich gegen {BLIND_PATH.name} (blind, Schwelle {THRESHOLD}):\n{figures.text()}")
    assert figures.idea_recall >= BLIND_IDEA_FLOOR, figures.text()
    assert figures.pair_recall >= GOAL_PAIR_RECALL, figures.text()
