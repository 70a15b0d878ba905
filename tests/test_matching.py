"""The record matcher (ikz/derive/matching.py) on small made-up records: signals, reasons, determinism."""

from __future__ import annotations

import pytest

from ikz.derive.matching import (
    MatchRecord,
    match_frames,
    match_records,
    records_from_frames,
    stem,
    suggestions,
    words_of,
)


def record(cid: int, city: str, title: str, effects: str = "", **kw: object) -> MatchRecord:
    texts = tuple(
        (label, text) for label, text in (("Bezeichnung/Thema", title), ("Effekte", effects)) if text
    )
    return MatchRecord(cooperation_id=cid, city=city, texts=texts, **kw)  # type: ignore[arg-type]


RECORDS = [
    record(1, "Erfurt", 'Fahrbahnwinterdienst "Austauschstrecken" mit benachbarten Landkreisen'),
    record(
        2,
        "Erfurt",
        "gemeinsame Adoptionsvermittlungsstelle mit dem Ilm-Kreis",
        "Vergrößerung des Bewerberpools",
    ),
    record(3, "Erfurt", "Erfahrungsaustausch", "regelmäßiger Austausch"),
    record(11, "Magdeburg", "Kooperation Winterdienst", "Streuguteinlagerung für angrenzende Gemeinden"),
    record(12, "Magdeburg", "Behördennummer D 115", "Aufbau eines Servicecenters"),
    record(13, "Magdeburg", "Erfahrungsaustausch zu aktuellen Themen"),
]


def by_pair(matches):
    return {(m.cooperation_id, m.other_cooperation_id): m for m in matches}


def test_a_compound_head_matches_the_word_alone() -> None:
    matches = by_pair(match_records(RECORDS))
    winter = matches[(1, 11)]
    assert winter.rank == 1
    assert "„Fahrbahnwinterdienst“ ↔ „Winterdienst“ (Bezeichnung/Thema)" in winter.reason
    # The same pair from Magdeburg's side, with the words in its own order and the same score.
    assert matches[(11, 1)].score == winter.score
    assert "„Winterdienst“ ↔ „Fahrbahnwinterdienst“" in matches[(11, 1)].reason


def test_generic_words_are_no_evidence() -> None:
    assert stem("Erfahrungsaustausch") is None
    assert stem("Kommunen") is None
    assert stem("und") is None
    matches = by_pair(match_records(RECORDS))
    assert matches[(3, 13)].score < 0.1
    assert "gemeinsame Wörter" not in matches[(3, 13)].reason


def test_a_short_modifier_is_not_the_same_thing() -> None:
    records = [record(1, "Erfurt", "Digitale Bauaufsicht"), record(2, "Magdeburg", "Digitalfunk")]
    (m, _) = match_records(records)
    assert "gemeinsame Wörter" not in m.reason


def test_codes_and_hyphenation() -> None:
    assert words_of("Teilhabe nach SGB IX und SGB VIII") == ["Teilhabe", "nach", "SGBIX", "und", "SGBVIII"]
    assert words_of("Adoptionsvermitt- lungsstelle") == ["Adoptionsvermittlungsstelle"]
    # „Psychiatrie- und Suchtkoordination“: the hyphen stands for a shared word part, not a line break.
    assert words_of("Psychiatrie- und Suchtkoordination") == ["Psychiatrie", "und", "Suchtkoordination"]


def test_topic_through_the_same_stem_counts_more_than_a_broad_topic() -> None:
    same = [
        record(
            1, "Erfurt", "Leitstelle", topics=frozenset({"R"}), topic_stems=frozenset({("R", "leitstelle")})
        ),
        record(
            2, "Magdeburg", "Zentrale", topics=frozenset({"R"}), topic_stems=frozenset({("R", "leitstelle")})
        ),
    ]
    broad = [
        record(
            1, "Erfurt", "Leitstelle", topics=frozenset({"R"}), topic_stems=frozenset({("R", "leitstelle")})
        ),
        record(
            2, "Magdeburg", "Zentrale", topics=frozenset({"R"}), topic_stems=frozenset({("R", "notarzt")})
        ),
    ]
    strong, weak = match_records(same)[0], match_records(broad)[0]
    assert strong.score > weak.score
    assert "beide: leitstelle" in strong.reason


def test_a_shared_association_counts_more_than_a_shared_neighbour() -> None:
    body = [
        record(1, "Erfurt", "Amt A", partners=frozenset({"DSt"}), bodies=frozenset({"DSt"})),
        record(2, "Magdeburg", "Amt B", partners=frozenset({"DSt"}), bodies=frozenset({"DSt"})),
    ]
    place = [
        record(1, "Erfurt", "Amt A mit Jena", partners=frozenset({"Jena"})),
        record(2, "Magdeburg", "Amt B mit Jena", partners=frozenset({"Jena"})),
    ]
    assert match_records(body)[0].score > match_records(place)[0].score
    # The neighbour's name is the partner signal's business, not a shared word.
    assert "„Jena“" not in match_records(place)[0].reason


def test_suggestions_are_records_without_a_close_counterpart() -> None:
    matches = match_records(RECORDS)
    ideas = {s.cooperation_id: s for s in suggestions(RECORDS, matches, threshold=0.13)}
    assert 1 not in ideas and 11 not in ideas  # Winterdienst on both sides
    assert ideas[12].for_city == "Erfurt"  # D 115 is an idea for Erfurt
    assert ideas[2].for_city == "Magdeburg"
    best = {m.cooperation_id: m for m in matches if m.rank == 1}
    assert ideas[12].nearest_cooperation_id == best[12].other_cooperation_id
    assert ideas[12].nearest_score == best[12].score < 0.13


def test_only_records_of_other_cities_are_counterparts() -> None:
    for m in match_records(RECORDS):
        cities = {r.cooperation_id: r.city for r in RECORDS}
        assert cities[m.cooperation_id] != cities[m.other_cooperation_id]
        assert 0.0 <= m.score <= 1.0


def test_deterministic_whatever_the_input_order() -> None:
    forward = match_records(RECORDS)
    backward = match_records(list(reversed(RECORDS)))
    assert sorted(forward, key=lambda m: (m.cooperation_id, m.rank)) == sorted(
        backward, key=lambda m: (m.cooperation_id, m.rank)
    )


@pytest.mark.parametrize("records", [[], [RECORDS[0]]])
def test_too_few_records_give_no_matches(records: list[MatchRecord]) -> None:
    assert match_records(records) == []


@pytest.mark.slow  # the build's tables from the documents: seconds
def test_records_from_the_build_frames() -> None:
    from ikz.builder.database import load_tables

    tables = load_tables()
    records = records_from_frames(
        tables["cooperation"], tables["city"], tables["cooperation_partner"], tables["partner"], None
    )
    assert len(records) == tables["cooperation"].height
    assert {r.city for r in records} == {"Erfurt", "Magdeburg"}
    assert all(r.texts and r.texts[0][0] == "Bezeichnung/Thema" for r in records)


def test_the_build_keeps_its_last_matches_only_for_the_same_records() -> None:
    """match_frames keeps the last inputs' matches (a rebuild of the same records scores no pair
    again); one changed text must give the matches of the changed records."""
    changed = [
        record(13, "Magdeburg", "Kooperation Adoptionsvermittlung mit dem Umland")
        if r.cooperation_id == 13
        else r
        for r in RECORDS
    ]
    first, _ = match_frames(RECORDS)
    again, _ = match_frames(list(RECORDS))
    other, _ = match_frames(changed)
    assert again.equals(first)
    fresh = sorted((m.cooperation_id, m.other_cooperation_id, m.score) for m in match_records(changed))
    assert sorted(other.select("cooperation_id", "other_cooperation_id", "score").rows()) == fresh
    assert not other.equals(first)
