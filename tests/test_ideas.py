"""The rules that rank the Anregungen and show their context (ikz/derive/ideas.py): pure, no database."""

from __future__ import annotations

import pytest

from ikz.derive.ideas import (
    ACRONYM,
    CLEAR,
    DESCRIPTION,
    FRAGMENT,
    IdeaFeatures,
    first_words,
    idea_context,
    idea_reasons,
    idea_score,
    is_bare_acronym,
    is_fragment,
    own_task_area,
    title_kind,
)

AREAS = ("1 Allgemeine Verwaltung", "2 Finanzen", "4 Schule und Kultur", "7 Öffentliche Einrichtungen")


@pytest.mark.parametrize(
    "title",
    [
        "In der Form einer Newsgroup der Wahlämter der Bundesrepublik",  # preposition first
        "Zwischen den (auch kleineren) Städten der östlichen Bundesländer",
        "zur Abstimmung der Ferientermine",
        "und weitere Landkreise",  # conjunction
        # An article, then more than eight words: a sentence.
        "Der FD 23.2 berichtet halbjährlich über die Erledigungsstatistik bei der Bearbeitung",
        "„Bühnencard“ für 60 € besuchen Sie im Theater alle Vorstellungen.",  # pronoun: a sentence
        "Auf Antrag kann der Bürger hier seinen Führerschein umtauschen",
        "Ein neues Portal wird gemeinsam betrieben",  # auxiliary verb
        "Interkommunalen Medienlogistik",  # inflected adjective before a singular noun
        "gegenseitigen Unterstützung bei Ermittlungen",
    ],
)
def test_fragments_are_recognised_by_their_shape(title: str) -> None:
    assert is_fragment(title)
    assert title_kind(title) == FRAGMENT


@pytest.mark.parametrize(
    "title",
    [
        "Behördennummer D 115",
        "Meldeportal",
        "Die Impulsregion e. V.",  # a short name may carry its article
        "Der deutsche Bibliotheksverband (dbv) und Landesverband Thüringen",
        "Gemeinsame Nutzung des Gewerberegisters",
        "Interkommunaler Wissenstransfer der Rechtsämter",  # nominative: a name
        "Unteren Bauaufsichtsbehörden",  # plural head: not decidable, kept
        "Kommunen für biologische Vielfalt e.V.",
        "Zweckverband Wasserversorgung Erfurter Becken",
        "Betreiben eines gemeinsamen Tierseuchenkrisenzentrums",  # a verb noun, not an adjective
        "",
    ],
)
def test_names_are_not_fragments(title: str) -> None:
    assert not is_fragment(title)


@pytest.mark.parametrize("title", ["KITU", "LEMADRE", "„VKS“", "D115", "IT-KOM"])
def test_bare_acronyms(title: str) -> None:
    assert is_bare_acronym(title)
    assert title_kind(title) == ACRONYM


@pytest.mark.parametrize(
    "title", ["Digitalfunk", "Meldeportal", "VKS Sachsen-Anhalt", "A", "Behördennummer D 115"]
)
def test_words_and_longer_titles_are_no_bare_acronyms(title: str) -> None:
    assert not is_bare_acronym(title)


def test_a_very_long_name_is_a_description() -> None:
    long = "Gremium der Institutionen " + " ".join(f"Partner{i}" for i in range(30))
    assert title_kind(long) == DESCRIPTION
    assert title_kind("Gremium der Institutionen") == CLEAR


def features(**changes) -> IdeaFeatures:
    base = {
        "title": "Vermarktung Altpapier",
        "record_kind": "Projekt",
        "form": "Projekt / Verbund",
        "binding": "informell",
        "status": "in Planung",
        "effects": ("Kosteneinsparung und Wirtschaftlichkeit",),
        "partners": 1,
    }
    return IdeaFeatures(**(base | changes))


def test_score_adds_the_four_weighted_features() -> None:
    # Project 0.75 × 0.40 + (status 0.5 + effect 0.5) × 0.25 + partner 0.15 + clear title 0.20.
    assert idea_score(features()) == pytest.approx(0.3 + 0.25 + 0.15 + 0.2)
    best = features(form="Vertrag / Vereinbarung", binding="vertraglich")
    assert idea_score(best) == pytest.approx(1.0)
    nothing = features(
        title="LEMADRE",
        record_kind="Gremium",
        form="Netzwerk / Erfahrungsaustausch",
        status="ohne Angabe",
        effects=("ohne Angabe",),
        partners=0,
    )
    assert idea_score(nothing) == 0.0


def test_each_feature_moves_the_score_the_documented_way() -> None:
    base = idea_score(features())
    exchange = features(record_kind="Gremium", form="Arbeitskreis / Arbeitsgruppe / Gremium")
    assert idea_score(exchange) < idea_score(
        features(form="Verein / Verband / Mitgliedschaft", record_kind="Gremium")
    )
    assert idea_score(exchange) < base
    assert idea_score(features(status=None)) < base  # no Arbeitsstand reported
    assert (
        idea_score(features(effects=("ohne Angabe",)))
        < idea_score(features(effects=("Erfahrungs- und Wissensaustausch",)))
        < base
    )  # the generic exchange effect counts half
    assert idea_score(features(partners=0)) < base
    assert idea_score(features(title="In der Form einer Newsgroup")) == pytest.approx(base - 0.2)
    assert idea_score(features(title="KITU")) == pytest.approx(base - 0.2)


def test_reasons_name_what_the_score_saw() -> None:
    text = idea_reasons(features(title="KITU", partners=0))
    assert text.startswith("Projekt · Arbeitsstand: in Planung · Effekte: Kosteneinsparung")
    assert "Partner genannt" not in text and text.endswith("Titel: Abkürzung")
    assert idea_reasons(features(binding="öffentlich-rechtlich")).startswith("verbindliche Vereinbarung")


def test_own_task_area_follows_the_title_topics_only_when_the_department_has_none_of_them() -> None:
    # FB 02 proposes a theatre tour: the title names a topic of Schule und Kultur only.
    assert own_task_area("2 Finanzen", ["4 Schule und Kultur"], AREAS) == "4 Schule und Kultur"
    # The department's own area among the title's topics: it stays.
    assert own_task_area("2 Finanzen", ["1 Allgemeine Verwaltung", "2 Finanzen"], AREAS) == "2 Finanzen"
    # No topic in the title: the department decides.
    assert own_task_area("2 Finanzen", [], AREAS) == "2 Finanzen"
    # Most topics win; a tie goes to the earlier KGSt main group.
    assert (
        own_task_area(
            "2 Finanzen",
            ["7 Öffentliche Einrichtungen", "4 Schule und Kultur", "7 Öffentliche Einrichtungen"],
            AREAS,
        )
        == "7 Öffentliche Einrichtungen"
    )
    assert own_task_area("2 Finanzen", ["7 Öffentliche Einrichtungen", "4 Schule und Kultur"], AREAS) == (
        "4 Schule und Kultur"
    )


def test_context_names_body_list_children_and_for_unclear_titles_the_status() -> None:
    assert (
        idea_context(
            kind=ACRONYM, body=None, list_heading=None, children=["Entwicklung gemeinsamer Kennzahlen"]
        )
        == "darunter: Entwicklung gemeinsamer Kennzahlen"
    )
    text = idea_context(
        kind=ACRONYM,
        body="Arbeitskreis Nord",
        list_heading="Vorschläge für die Stadtverwaltung",
        status_text="Prüfung gemeinsame Nutzung von Software",
    )
    assert text == (
        "unter „Arbeitskreis Nord“ · Liste „Vorschläge für die Stadtverwaltung“ · "
        "Arbeitsstand: Prüfung gemeinsame Nutzung von Software"
    )
    # A clear title needs no status in its context; nothing to say gives an empty text.
    assert idea_context(kind=CLEAR, body=None, list_heading=None, status_text="läuft") == ""
    assert first_words("eins zwei drei", 2) == "eins zwei …"
    assert first_words(None) == ""
