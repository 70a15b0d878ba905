"""Topic matching with data/topics.toml: real texts of both documents, shared topics, pairs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from ikz.core.errors import TaxonomyError
from ikz.derive.classify import load_taxonomy
from ikz.derive.normalise import topic_frames
from ikz.derive.topics import TOPIC_FIELDS, Vocabulary, fold, load_topics
from ikz.read import comparison
from ikz.read.queries import Filters

TITLE = "Bezeichnung/Thema"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_topics()


def topics(vocab: Vocabulary, *texts: str, label: str = TITLE) -> list[str]:
    return [hit.topic for hit in vocab.match([(label, t) for t in texts])]


def test_vocabulary_is_valid(vocab: Vocabulary) -> None:
    assert len(vocab.topics) >= 40
    assert {t.area for t in vocab.topics} == set(load_taxonomy().task_areas())
    assert all(t.stems or t.patterns for t in vocab.topics)
    assert not any(stem in vocab.stop_words for t in vocab.topics for stem in t.stems)


def test_fold_is_german_aware() -> None:
    assert fold("Städte-Straße ÖPNV") == "staedte-strasse oepnv"


# (topic, Erfurt text, Magdeburg text): the same topic in both documents, as printed.
SHARED = [
    (
        "Rettungsdienst",
        "Wahrnehmung der Aufgaben des bodengebundenen Rettungsdienstes für den kreisübergreifenden "
        "Einsatz mit den Landkreisen Weimarer Land, Ilmkreis, Gotha, Sömmerda",
        "Verwaltungsvereinbarung mit dem Landkreis Börde zur bereichsübergreifenden Zusammenarbeit "
        "im Rettungsdienst",
    ),
    (
        "Winterdienst",
        'Fahrbahnwinterdienst "Austauschstrecken" mit benachbarten Landkreisen und Gemeinden',
        "Kooperation Winterdienst",
    ),
    (
        "Gesunde Städte-Netzwerk",
        "Gesunde Städte-Netzwerk",
        "Gesunde-Städte-Netzwerk der Bundesrepublik Deutschland",
    ),
    ("Verkehrsverbund und ÖPNV", "Verkehrsverbund Mittelthüringen - ÖPNV", "ÖPNV marego-Verkehrsverbund"),
    (
        "Kennzahlenvergleich",
        "KGSt Vergleichsring",
        "AG „ Kennzahlenvergleich der Jugendämter als Fachbehörde“",
    ),
    (
        "Kennzahlenvergleich",
        "KGSt Vergleichsring",
        "Aufbau eines Vergleichsringes zu Personalkennzahlen im Bereich der norddeutschen Städte",
    ),
    (
        "Kfz-Zulassung und Fahrerlaubnis",
        "Kfz-Zulassung/Fahrerlaubnis",
        "Meldeportal; Führerschein umtauschen",
    ),
]


@pytest.mark.parametrize(("topic", "erfurt", "magdeburg"), SHARED, ids=[s[0] for s in SHARED])
def test_shared_topic_in_both_texts(vocab: Vocabulary, topic: str, erfurt: str, magdeburg: str) -> None:
    assert topic in topics(vocab, erfurt)
    assert topic in topics(vocab, magdeburg)


def test_hit_explains_itself(vocab: Vocabulary) -> None:
    [hit] = vocab.match([(TITLE, 'Fahrbahnwinterdienst "Austauschstrecken" mit benachbarten Landkreisen')])
    assert (hit.topic, hit.area, hit.stems, hit.words, hit.is_fuzzy) == (
        "Winterdienst",
        "7 Öffentliche Einrichtungen",
        ("winterdienst",),
        ("Bezeichnung/Thema: „Fahrbahnwinterdienst“",),
        False,
    )


def test_words_from_several_fields_and_phrases(vocab: Vocabulary) -> None:
    hits = vocab.match(
        [
            (TITLE, "Gesundheitsförderung in Kommunen"),
            ("Gremium", "Gesunde-Städte-Netzwerk der Bundesrepublik Deutschland"),
        ]
    )
    [hit] = [h for h in hits if h.topic == "Gesunde Städte-Netzwerk"]
    assert hit.stems == ("gesunde staedte", "gesundheitsfoerderung")
    assert hit.words == ("Bezeichnung/Thema: „Gesundheitsförderung“", "Gremium: „Gesunde Städte“")


def test_pattern_hit_keys_on_the_word(vocab: Vocabulary) -> None:
    [hit] = [
        h for h in vocab.match([(TITLE, "AK „Grundsatzfragen“ der AGBF Bund")]) if h.topic.startswith("Feuer")
    ]
    assert hit.stems == ("agbf",)


def test_typo_matches_fuzzy_and_says_so(vocab: Vocabulary) -> None:
    # FB 32 of the Magdeburg report spells "Gewereregister".
    [hit] = vocab.match([(TITLE, "Gemeinsame Nutzung des Gewereregister zur Auskunftserteilung")])
    assert (hit.topic, hit.is_fuzzy) == ("Gewerbe", True)
    assert hit.words == ("Bezeichnung/Thema: „Gewereregister“ ≈ gewerberegister",)


@pytest.mark.parametrize(
    ("text", "not_topic"),
    [
        # Similar words that are not typos must not match.
        ("die Einwohner mit Trink- und Brauchwasser versorgen sowie Wasser bereitstellen", "Rettungsdienst"),
        ("Die Zusammenarbeit mit dem Landesamt zur Regelung offener Vermögensfragen", "Standesamt"),
        ("Abstimmung der agrarstrukturellen / landeskulturellen Fördermittel", "Theater und Kultur"),
        ("Bauwerkserhaltung der süddeutschen Städte", "Zoo und Tierhaltung"),
        # "Beschaffung" of water is not joint procurement.
        ("Beschaffung und Erschließung von Wasser", "Einkauf und Beschaffung"),
    ],
)
def test_no_false_positives(vocab: Vocabulary, text: str, not_topic: str) -> None:
    assert not_topic not in topics(vocab, text)


def test_short_stems_only_at_word_start(vocab: Vocabulary) -> None:
    assert topics(vocab, 'ortsunabhängige Plattform "vhs.cloud"') == ["Volkshochschule"]
    assert topics(vocab, "Schulungsvhsmaterial") == []


def test_stop_words_never_count(vocab: Vocabulary) -> None:
    assert topics(vocab, "Erfahrungsaustausch, Zusammenarbeit, Kooperation, Arbeitskreis") == []


def test_deterministic_and_in_vocabulary_order(vocab: Vocabulary) -> None:
    text = "Regionales Entwicklungskonzept Erfurter Seen; Entwicklungskonzept zu ÖPNV und Radverkehr"
    first = vocab.match([(TITLE, text)])
    assert first == vocab.match([(TITLE, text)]) == load_topics().match([(TITLE, text)])
    order = [t.name for t in vocab.topics]
    assert [h.topic for h in first] == sorted((h.topic for h in first), key=order.index)
    assert [h.topic for h in first] == [
        "Regionalentwicklung und Regionalplanung",
        "Radverkehr",
        "Verkehrsverbund und ÖPNV",
    ]


# --- on the built database ------------------------------------------------------------------------

EXPECTED_SHARED = {
    "Rettungsdienst",
    "Winterdienst",
    "Gesunde Städte-Netzwerk",
    "Verkehrsverbund und ÖPNV",
    "Kennzahlenvergleich",
}


def test_overview_marks_the_shared_topics(con: duckdb.DuckDBPyConnection) -> None:
    overview = comparison.topic_overview(con)
    shared = set(overview.filter(pl.col("presence") == comparison.BOTH)["topic"].to_list())
    assert shared >= EXPECTED_SHARED
    # Presence agrees with the counts, and every row names at least one record.
    for row in overview.iter_rows(named=True):
        expected = {
            (True, True): comparison.BOTH,
            (True, False): "nur Erfurt",
            (False, True): "nur Magdeburg",
        }[(row["count_first"] > 0, row["count_second"] > 0)]
        assert row["presence"] == expected


def test_winterdienst_pair(con: duckdb.DuckDBPyConnection) -> None:
    pairs = comparison.topic_pairs(con, topic="Winterdienst")
    assert pairs.select("first_title", "second_title", "shared_stems", "reason").to_dicts() == [
        {
            "first_title": (
                'Fahrbahnwinterdienst "Austauschstrecken" mit benachbarten Landkreisen und Gemeinden'
            ),
            "second_title": "Kooperation Winterdienst",
            "shared_stems": "winterdienst",
            "reason": "beide: winterdienst",
        }
    ]
    assert pairs["first_source"][0].startswith("Ausgangsliste Erfurt, Z. ")
    assert pairs["second_source"][0].startswith("Ausgangsliste Magdeburg, Z. ")


def test_pairs_are_the_product_of_each_topics_records(con: duckdb.DuckDBPyConnection) -> None:
    overview = comparison.topic_overview(con)
    pairs = comparison.topic_pairs(con)
    expected = overview.select(n=pl.col("count_first") * pl.col("count_second"))["n"].sum()
    assert pairs.height == expected
    assert pairs.select("topic", "first_id", "second_id").is_duplicated().sum() == 0


def test_suggestions_are_one_sided_topics(con: duckdb.DuckDBPyConnection) -> None:
    overview = comparison.topic_overview(con)
    for city, presence in (("Magdeburg", "nur Magdeburg"), ("Erfurt", "nur Erfurt")):
        suggestions = comparison.topic_suggestions(con, source_city=city)
        only = set(overview.filter(pl.col("presence") == presence)["topic"].to_list())
        assert set(suggestions["topic"].to_list()) == only
    assert "IT und Software" in set(comparison.topic_suggestions(con, source_city="Magdeburg")["topic"])
    assert "Veterinärwesen und Tierseuchen" in set(
        comparison.topic_suggestions(con, source_city="Erfurt")["topic"]
    )


def test_topics_follow_filters(con: duckdb.DuckDBPyConnection) -> None:
    narrowed = comparison.topic_overview(con, filters=Filters(search="winterdienst"))
    assert narrowed.filter(pl.col("topic") == "Winterdienst")["presence"].to_list() == [comparison.BOTH]
    assert comparison.topic_overview(con, filters=Filters(search="zzzz-gibt-es-nicht")).is_empty()


# --- validation --------------------------------------------------------------------------------

TOPIC = '[[topics]]\nname = "Test"\narea = "2 Finanzen"\nstems = ["kasse"]\n'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[topics]\n", "kein gültiges TOML"),
        ("stop_words = []\n", "topics: muss eine nicht leere Liste"),
        (
            TOPIC.replace("2 Finanzen", "9 Sonstiges"),
            "topics[0] (Test): unbekannter Aufgabenbereich '9 Sonstiges'",
        ),
        (TOPIC + TOPIC, "topics[1] (Test): doppelter Name"),
        (TOPIC.replace('"kasse"', '"ka"'), "Wortstamm 'ka' ist kürzer als 3 Buchstaben"),
        (TOPIC.replace('"kasse"', '"kas-se"'), "darf nur Buchstaben und Ziffern enthalten"),
        ('stop_words = ["kasse"]\n' + TOPIC, "Wortstamm 'kasse' ist ein Stoppwort"),
        (TOPIC + "patterns = ['(']\n", "fehlerhaftes Muster '('"),
        (TOPIC + "stem = ['x']\n", "unbekannte(s) Feld(er) ['stem']"),
        ("[fuzzy]\nmin_score = 10\n" + TOPIC, "fuzzy.min_score: muss eine Zahl zwischen 50 und 100 sein"),
    ],
)
def test_bad_file_names_file_and_entry(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TaxonomyError) as error:
        load_topics(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_a_later_build_in_the_same_process_follows_a_changed_vocabulary(tmp_path: Path) -> None:
    """Topic hits are kept across builds of one process (normalise._topic_memo): a changed
    vocabulary must not be answered from the hits of the old one, in either direction."""
    text = 'stems = ["winterdienst", "streugut"]'
    source = Path("data/topics.toml").read_text(encoding="utf-8")
    assert text in source
    changed = tmp_path / "topics.toml"
    changed.write_text(source.replace(text, 'stems = ["winterdienst", "streugut", "zauberwort"]'), "utf-8")
    frame = pl.DataFrame(
        {
            "cooperation_id": [1],
            **{c: ["Zauberwortprojekt der Stadt" if c == "title" else None] for c, _ in TOPIC_FIELDS},
        }
    )

    def found(vocabulary: Vocabulary) -> list[str]:
        return topic_frames(frame, vocabulary)["cooperation_topic"]["topic"].to_list()

    assert found(load_topics()) == []
    assert found(load_topics(changed)) == ["Winterdienst"]
    assert found(load_topics()) == []
