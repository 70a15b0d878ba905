"""Tests of ikz.derive.classify on real phrases copied from both source documents."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ikz.core import paths
from ikz.core.errors import TaxonomyError
from ikz.derive.classify import CooperationType, Match, Taxonomy, TypeMatch, load_taxonomy
from tests.seed_files import ERFURT_FILE

AK = "Arbeitskreis / Arbeitsgruppe / Gremium"
NET = "Netzwerk / Erfahrungsaustausch"
VV = "Vertrag / Vereinbarung"
VVM = "Verein / Verband / Mitgliedschaft"
PV = "Projekt / Verbund"

EXCHANGE = "Erfahrungs- und Wissensaustausch"
COST = "Kosteneinsparung und Wirtschaftlichkeit"
STAFF = "Personalentlastung"
PROCESS = "Prozessoptimierung und Standardisierung"
QUALITY = "Qualität und Fachkompetenz"
SERVICE = "Daseinsvorsorge und Versorgungssicherheit"
REGION = "Regionalentwicklung und Wirtschaft"
INTERESTS = "Interessenvertretung"
NO_INFO = "ohne Angabe"

A1, A2, A3, A4 = (
    "1 Allgemeine Verwaltung",
    "2 Finanzen",
    "3 Recht, Sicherheit und Ordnung",
    "4 Schule und Kultur",
)
A5, A6, A7, A8 = (
    "5 Soziales, Jugend und Gesundheit",
    "6 Bauwesen",
    "7 Öffentliche Einrichtungen",
    "8 Wirtschaft und Verkehr",
)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


# --- display lists ------------------------------------------------------------------------------


def test_display_lists(taxonomy: Taxonomy) -> None:
    assert taxonomy.forms() == [
        "Zweckverband",
        "Zweckvereinbarung",
        VV,
        "Arbeitsgemeinschaft",
        VVM,
        AK,
        NET,
        PV,
        NO_INFO,
    ]
    assert taxonomy.bindings() == [
        "öffentlich-rechtlich",
        "vertraglich",
        "institutionell",
        "informell",
        NO_INFO,
    ]
    assert taxonomy.task_areas() == [A1, A2, A3, A4, A5, A6, A7, A8]
    assert taxonomy.statuses() == [
        "umgesetzt",
        "laufend",
        "in Umsetzung",
        "in Planung",
        "ruht",
        "gescheitert",
        "Vorschlag",
        NO_INFO,
    ]


def test_effect_categories_have_one_sentence_descriptions(taxonomy: Taxonomy) -> None:
    categories = taxonomy.effect_categories()
    assert [name for name, _ in categories] == [
        EXCHANGE,
        COST,
        STAFF,
        PROCESS,
        QUALITY,
        SERVICE,
        REGION,
        INTERESTS,
        NO_INFO,
    ]
    for _, description in categories:
        assert description.endswith(".")
        assert description.count(". ") == 0  # one sentence


def test_types_table(taxonomy: Taxonomy) -> None:
    def row(name: str, form: str, binding: str) -> CooperationType:
        return CooperationType(name, form, binding)

    assert taxonomy.types() == [
        row("Zweckverband", "Zweckverband", "öffentlich-rechtlich"),
        row("Zweckvereinbarung", "Zweckvereinbarung", "öffentlich-rechtlich"),
        row("Verwaltungsvereinbarung", VV, "vertraglich"),
        row("Kooperationsvereinbarung", VV, "vertraglich"),
        row("Kooperationsvertrag", VV, "vertraglich"),
        row("Vereinbarung", VV, "vertraglich"),
        row("Arbeitsgemeinschaft", "Arbeitsgemeinschaft", "informell"),
        row("Verein", VVM, "institutionell"),
        row("Verband", VVM, "institutionell"),
        row("Mitgliedschaft", VVM, "institutionell"),
        row("Arbeitskreis", AK, "informell"),
        row("Arbeitsgruppe", AK, "informell"),
        row("Gremium", AK, "informell"),
        row("Konferenz", AK, "informell"),
        row("Interessengemeinschaft", NET, "informell"),
        row("Forum", NET, "informell"),
        row("Netzwerk", NET, "informell"),
        row("Austausch", NET, "informell"),
        row("Projektkooperation", PV, "informell"),
        row("Verbund", PV, "informell"),
        row("lose Kooperation", NET, "informell"),
        row("Kooperation", NET, "informell"),
        row(NO_INFO, NO_INFO, NO_INFO),
    ]


# --- Kooperationsart: Erfurt's printed cells --------------------------------------------------

# Every distinct Kooperationsart cell of erfurt_kooperationen.tsv, as printed (line-end hyphens
# and all), plus the cells the parser produces when it joins wrapped or broken words.
ERFURT_CELLS = {
    "Zweckverband": ("Zweckverband", "Zweckverband"),
    "Vereinbarung": ("Vereinbarung", VV),
    "lose Kooperation": ("lose Kooperation", NET),
    "Arbeitskreise": ("Arbeitskreis", AK),
    "Arbeitsgruppen, Gremien und lose Kooperationen": ("Arbeitsgruppe", AK),
    "Arbeitskreise (mit und ohne vertraglicher Basis)": ("Arbeitskreis", AK),
    "Facharbeitskreise": ("Arbeitskreis", AK),
    "Mitgliedschaft": ("Mitgliedschaft", VVM),
    "Zusammenschluss": ("lose Kooperation", NET),
    "Zweckvereinbarung": ("Zweckvereinbarung", "Zweckvereinbarung"),
    "Austausch": ("Austausch", NET),
    "Arbeitskreis": ("Arbeitskreis", AK),
    "Beratungen, Veranstaltungen": ("Austausch", NET),
    "Forum": ("Forum", NET),
    "Unterarbeitskreis": ("Arbeitskreis", AK),
    "Arbeitsgruppen": ("Arbeitsgruppe", AK),
    "Netzwerke": ("Netzwerk", NET),
    "Zweckvereinbarungen": ("Zweckvereinbarung", "Zweckvereinbarung"),
    "Arbeitsgemeinschaft": ("Arbeitsgemeinschaft", "Arbeitsgemeinschaft"),
    "Interkommunale Arbeits- gruppe": ("Arbeitsgruppe", AK),
    "Interkommunale Arbeitsgruppe": ("Arbeitsgruppe", AK),
    "Projektkooperation": ("Projektkooperation", PV),
    "Kooperationen auf vertrag- licher Basis": ("Kooperationsvertrag", VV),
    "Kooperationen auf vertraglicher Basis": ("Kooperationsvertrag", VV),
    "Vereinbarungen": ("Vereinbarung", VV),
    "lose Kooperationsverein- barungen": ("lose Kooperation", NET),
    "Netzwerke, Arbeitsgruppen und Arbeitskreise": ("Netzwerk", NET),
    "lokalen und überregionalen Arbeitskreisen und Arbeits- gruppen": ("Arbeitskreis", AK),
    "digitales Forum": ("Forum", NET),
    "Fachkonferenzen und Facharbeitsgruppen": ("Konferenz", AK),
    "Mitarbeit": ("Gremium", AK),
    "Vertrag nach AdVermiG": ("Kooperationsvertrag", VV),
    "Arbeitsgruppen/ Netzwerke": ("Arbeitsgruppe", AK),
    "Regionalnetzwerk": ("Netzwerk", NET),
    "informelle Zusammen- schlüsse": ("lose Kooperation", NET),
    "Netzwerk": ("Netzwerk", NET),
    "Kooperationsgemeinschaft": ("Projektkooperation", PV),
    "Erfahrungsaustausch": ("Austausch", NET),
    "Kooperation": ("Kooperation", NET),
    "organisierter Austausch": ("Austausch", NET),
    "Verbund": ("Verbund", PV),
    "Zusammenarbeit": ("Kooperation", NET),
    "Regelmäßig organisierter Austausch": ("Austausch", NET),
    "Verein": ("Verein", VVM),
    "Arbeitsgruppe": ("Arbeitsgruppe", AK),
    "Verband": ("Verband", VVM),
    "privatrechtliche Verträge": ("Kooperationsvertrag", VV),
    "Arbeitsgemeinschaft mit themenbezogenen Arbeitsgruppen": ("Arbeitsgemeinschaft", "Arbeitsgemeinschaft"),
    "Interessengemeinschaft": ("Interessengemeinschaft", NET),
}

# Pieces of the wrapped cell "Arbeitsgemeinschaft mit / themenbezogenen / Arbeitsgruppen".
WRAPPED_FRAGMENTS = {"Arbeitsgemeinschaft mit", "themenbezogenen"}


def _printed_type_cells() -> set[str]:
    """Every non-empty Kooperationsart cell of the raw Erfurt file."""
    text = (paths.RAW_DIR / ERFURT_FILE).read_text(encoding="utf-8")
    cells = set()
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[2].strip() and fields[2] != "Kooperationsart":
            cells.add(fields[2].strip())
    return cells


def test_table_covers_every_printed_cell() -> None:
    assert _printed_type_cells() - set(ERFURT_CELLS) == WRAPPED_FRAGMENTS


@pytest.mark.parametrize(("cell", "expected"), ERFURT_CELLS.items())
def test_erfurt_printed_cell(taxonomy: Taxonomy, cell: str, expected: tuple[str, str]) -> None:
    match = taxonomy.classify_type(cell, ["Titel ohne Hinweis"])
    assert (match.name, match.form) == expected
    assert match.is_derived is False
    assert match.evidence  # at least one word of the cell


def test_bindings_of_key_erfurt_cells(taxonomy: Taxonomy) -> None:
    bindings = {cell: taxonomy.classify_type(cell, []).binding for cell in ERFURT_CELLS}
    assert bindings["Zweckverband"] == "öffentlich-rechtlich"
    assert bindings["Zweckvereinbarungen"] == "öffentlich-rechtlich"
    assert bindings["privatrechtliche Verträge"] == "vertraglich"
    assert bindings["Mitgliedschaft"] == "institutionell"
    assert bindings["Arbeitskreise"] == "informell"
    assert bindings["Netzwerke"] == "informell"


def test_multi_value_cell_keeps_every_matched_word(taxonomy: Taxonomy) -> None:
    cell = "Netzwerke, Arbeitsgruppen und Arbeitskreise"
    assert taxonomy.classify_type(cell, []) == TypeMatch(
        "Netzwerk", NET, "informell", ("Netzwerke", "Arbeitsgruppen", "Arbeitskreise"), False
    )
    match = taxonomy.classify_type("Kooperationen auf vertrag- licher Basis", [])
    assert match.evidence == ("Kooperationen auf vertraglicher Basis",)


def test_printed_cell_wins_over_title(taxonomy: Taxonomy) -> None:
    # Erfurt: "AG Personal des Gemeinde- und Städtebundes Thüringen" is printed "lose Kooperation".
    title = "AG Personal des Gemeinde- und Städtebundes Thüringen"
    match = taxonomy.classify_type("lose Kooperation", [title])
    assert (match.name, match.is_derived) == ("lose Kooperation", False)


@pytest.mark.parametrize("printed", [None, "", "   "])
def test_empty_cell_derives_from_title(taxonomy: Taxonomy, printed: str | None) -> None:
    match = taxonomy.classify_type(printed, ["Arbeitskreis ASD Thüringen etc."])
    assert match == TypeMatch("Arbeitskreis", AK, "informell", ("Arbeitskreis",), True, "sicher")


def test_nothing_matches_gives_ohne_angabe(taxonomy: Taxonomy) -> None:
    assert taxonomy.classify_type(None, ["LEMADRE", None, ""]) == TypeMatch(
        NO_INFO, NO_INFO, NO_INFO, (), True, "unsicher"
    )


# --- Kooperationsart: Magdeburg, derived from the texts -----------------------------------------

MAGDEBURG_TITLES = {
    "Verwaltungsvereinbarung mit dem Landkreis Börde zur bereichsübergreifenden "
    "Zusammenarbeit im Rettungsdienst": ("Verwaltungsvereinbarung", VV),
    "Verwaltungsvereinbarungen des Amtes 37 mit dem Landkreis Börde zur Einsatzplanung "
    "auf den Bundesautobahnen A2 und A14": ("Verwaltungsvereinbarung", VV),
    "AG Einsatzleitwagen Sachsen-Anhalt (ELSA)": ("Arbeitsgruppe", AK),
    "Ad-hoc-AG „Kommunikation der Qualitätsstandards und Leitlinien zur PSNV und zur "
    "Entwicklung von Umsetzungsempfehlungen bei den deutschen Feuerwehren“ der AGBF-Bund": (
        "Arbeitsgruppe",
        AK,
    ),
    "AG „Gesundheitsmanagement und Sport“ im AK Ausbildung der AGBF Bund": ("Arbeitsgruppe", AK),
    "AG Zweckvereinbarung (Bördekreis, Magdeburg)": ("Arbeitsgruppe", AK),
    "AK „Grundsatzfragen“ der AGBF Bund": ("Arbeitskreis", AK),
    "AGBF Land": ("Arbeitsgemeinschaft", "Arbeitsgemeinschaft"),
    "Arbeitsgemeinschaft Ländlicher Raum beim Amt für Landwirtschaft, Flurbereinigung und "
    "Forsten (ALFF) Mitte": ("Arbeitsgemeinschaft", "Arbeitsgemeinschaft"),
    "Personalamtsleiterkonferenz deutscher Städte des DSt": ("Konferenz", AK),
    "Haupt- und Organisationsamtsleiterkonferenz des DSt": ("Konferenz", AK),
    "Arbeitskreis Nord der Haupt- und Personalamtsleiter in Sachsen-Anhalt": ("Arbeitskreis", AK),
    "Beirat „Aus- und Fortbildung“ der BKS Heyrothsberge": ("Gremium", AK),
    "Fachgruppe „Feuerwehren-Hilfeleistung“ des Bundesverbandes der Unfallkassen": (
        "Arbeitsgruppe",
        AK,
    ),
    "Zwischen den (vor allem größeren) Städten der Bundesrepublik im Verband Deutscher "
    "Städtestatistiker, durch regelmäßige Tagungen (mind. 2x jährlich)": ("Verband", VVM),
    "Verband kommunaler Abfallwirtschaft und Stadtreinigung (VKS)": ("Verband", VVM),
    "Bundes- und Landesverband der Kommunalkassenverwalter e.V.": ("Verband", VVM),
    "Regionale Planungsgemeinschaft (RPG)": ("Verband", VVM),
    "Gesunde-Städte-Netzwerk der Bundesrepublik Deutschland": ("Netzwerk", NET),
    "In der Form einer Newsgroup der Wahlämter der Bundesrepublik": ("Netzwerk", NET),
    "Erfahrungsaustausch zu aktuellen Themen": ("Austausch", NET),
    "Interkommunaler Wissenstransfer der Rechtsämter Magdeburg, Halle und Dessau-Roßlau": (
        "Austausch",
        NET,
    ),
    "Aufbau eines Vergleichsringes zu Personalkennzahlen im Bereich der norddeutschen Städte": (
        "Austausch",
        NET,
    ),
    "Intrakommunaler Bibliothekenverbund": ("Verbund", PV),
    "ÖPNV marego-Verkehrsverbund": ("Verbund", PV),
    "Verbund mit anderen Theatern in Sachsen-Anhalt": ("Verbund", PV),
    # „Verbundsystem“ is a system: „Verbund“ only as modifier names no Verbund.
    "Intrakommunale Zusammenarbeit „Verbundsystem Leistungssport“": ("Kooperation", NET),
    "Projekt „Technische Ausstattung eines Abrollbehälters für den Massenansturm von Verletzten“": (
        "Projektkooperation",
        PV,
    ),
    "luk Gründung der Kommunalen IT-Union eG": ("Mitgliedschaft", VVM),
    "Vertikale Zusammenarbeit S/A „Regionalteam Eliteschulen des Sports in S/A“": ("Gremium", AK),
    "Kooperation Winterdienst": ("Kooperation", NET),
    "Bilaterale Zusammenarbeit mit der Gemeinde Barleben zur Errichtung eines gemeinsamen Gewerbegebietes": (
        "Kooperation",
        NET,
    ),
    "Vereinbarung zur Generation der Steuerungsanregungen und zum Erfahrungsaustausch bei der "
    "Produkt- und Prozessoptimierung im Aufgabengebiet des Sozialgesetzbuches (SGB) VIII": (
        "Vereinbarung",
        VV,
    ),
}


@pytest.mark.parametrize(("title", "expected"), MAGDEBURG_TITLES.items())
def test_magdeburg_derived_type(taxonomy: Taxonomy, title: str, expected: tuple[str, str]) -> None:
    match = taxonomy.classify_type(None, [title])
    assert (match.name, match.form) == expected
    assert match.is_derived is True


def test_magdeburg_ag_is_never_arbeitsgemeinschaft(taxonomy: Taxonomy) -> None:
    titles = [
        "AG „Landeskonzept MANV“",
        "AG „Neukonzeption KatS“",
        "AG „Wirtschaftsförderung“ der RKM",
        "AG „Standortatlas“ der Planungsregion Magdeburg",
        "Spontan AG „Internetauftritt“ der Regionalen Planungsgemeinschaft Magdeburg",
        "AG „überregionale Kompetenzen“ der Metropolregion Mitteldeutschland",
        "AG „ Kennzahlenvergleich der Jugendämter als Fachbehörde“",
        "AG Ausgleichsflächenmanagement",
    ]
    assert {taxonomy.classify_type(None, [t]).name for t in titles} == {"Arbeitsgruppe"}


def test_aktiengesellschaft_is_no_arbeitsgruppe(taxonomy: Taxonomy) -> None:
    match = taxonomy.classify_type(None, ["gebietsübergreifender Busverkehr der Verkehrsbetriebe AG"])
    assert match.name == NO_INFO


def test_a_projects_type_comes_from_its_own_name_else_the_column(taxonomy: Taxonomy) -> None:
    # Amt 31: the Thema names no type. Its Arbeitsstand ("Vertragsentwurf") is not its name, so the
    # column decides – a default, hence unsure.
    title = "Aufgaben im Rahmen der Forsthoheit mit LK Jerichower Land (2. Funktionalreformgesetz)"
    match = taxonomy.classify_type(None, [title], column="Projekt")
    assert match == TypeMatch(
        "Projektkooperation",
        PV,
        "informell",
        ("Spalte „Konkrete Projekte/Vereinbarungen“",),
        True,
        "unsicher",
    )


PROJECT_TITLES = {
    # Words in parentheses and weak words far into a Thema name topics, not the form.
    "„Bühnencard Sachsen-Anhalt“ für 60 € (Kaufpreis Theater Magdeburg) besuchen Sie im Theater "
    "Magdeburg eine Spielzeit lang alle Vorstellungen mit 25% Ermäßigung (gilt nicht für Premieren, "
    "Sonderveranstaltungen und Gastspiele).": "Projektkooperation",
    "Unterstützung bei der Ausrichtung der Absolventenmesse, bei der Ausrichtung von Tagungen und "
    "Foren - insbesondere in Magdeburg - , Kontaktherstellung zu Magdeburger Unternehmen etc.": (
        "Projektkooperation"
    ),
    "Erstellung eines Wissenschaftsatlasses (Vernetzung von Wissenschaft und Wirtschaft)": (
        "Projektkooperation"
    ),
    "Vernetzung von Informationssystemen der Wirtschaft in der Metropolregion": "Projektkooperation",
    # A generic "Kooperation" never beats the column.
    "Kooperation Winterdienst": "Projektkooperation",
    # Named forms in the Thema's head still win.
    "Erfahrungsaustausch zu aktuellen Themen": "Austausch",
    "Aufbau eines Vergleichsringes zu Personalkennzahlen im Bereich der norddeutschen Städte": "Austausch",
    "Gremium der Institutionen (Olympiastützpunkt, Landessportbund)": "Gremium",
}


@pytest.mark.parametrize(("title", "expected"), PROJECT_TITLES.items())
def test_magdeburg_project_type(taxonomy: Taxonomy, title: str, expected: str) -> None:
    assert taxonomy.classify_type(None, [title], column="Projekt").name == expected


def test_fragments_never_name_a_type(taxonomy: Taxonomy) -> None:
    # FD 23.2: "Abordnung eines Mitarbeiters" is no Gremium; the column decides.
    title = (
        "Die Zusammenarbeit mit dem Bundesamt für Zentrale Dienste und offene Vermögensfragen (BADV) "
        "gestaltet sich durch einen jährlichen länderübergreifenden Amtsleiterlehrgang und die "
        "dauerhafte Abordnung eines Mitarbeiters des BADV"
    )
    assert taxonomy.classify_type(None, [title], column="Gremium").name == "Austausch"
    assert taxonomy.classify_type(None, ["Nordharzer Städtebundtheater"]).name == NO_INFO
    assert taxonomy.classify_type("Mitarbeit", []).name == "Gremium"


# --- Verbindlichkeit -----------------------------------------------------------------------------

BINDINGS = [
    # (printed, title, context, status, outlook, list heading) → (binding, confidence)
    (
        ("Zweckvereinbarung", "Übertragung von Aufgaben", None, None, None, None),
        ("öffentlich-rechtlich", "sicher"),
    ),
    (
        (None, "Regionale Planungsgemeinschaft (RPG)", None, None, None, None),
        ("öffentlich-rechtlich", "sicher"),
    ),
    (
        (
            None,
            "Aufstellung des Regionalen Entwicklungsplans",
            None,
            "Erarbeitung des Vorentwurfs",
            "Pflichtaufgabe nach Landesplanungsgesetz LSA",
            None,
        ),
        ("öffentlich-rechtlich", "sicher"),
    ),
    (
        ("Arbeitsgemeinschaft", "Kommunale Arbeitsgemeinschaft (KAG) Erfurter Seen", None, None, None, None),
        ("öffentlich-rechtlich", "sicher"),
    ),
    # The AG is a working group of the Planungsgemeinschaft, which only hosts it.
    (
        (
            None,
            "Spontan AG „Internetauftritt“ der Regionalen Planungsgemeinschaft Magdeburg",
            None,
            None,
            None,
            None,
        ),
        ("informell", "sicher"),
    ),
    (
        ("Vertrag nach AdVermiG", "gemeinsame Adoptionsvermittlungsstelle", None, None, None, None),
        ("vertraglich", "sicher"),
    ),
    (
        (
            None,
            "Intrakommunaler Bibliothekenverbund",
            None,
            "die Kooperationsvereinbarung mit der Sikosa trat am 1.07.2010 in Kraft",
            None,
            None,
        ),
        ("vertraglich", "sicher"),
    ),
    (
        (
            None,
            "Meldeportal",
            None,
            "befindet sich in der vertraglichen Endabstimmung mit der KID",
            None,
            None,
        ),
        ("vertraglich", "sicher"),
    ),
    # What the Perspektive plans does not bind yet; "Vertragskonditionen" is no contract.
    (
        (
            None,
            "Vermarktung Altpapier",
            None,
            "Prüfung gemeinsame Vergabe",
            "Abstimmung Leistungsvereinbarung, Leistungszeitraum",
            None,
        ),
        ("informell", "unsicher"),
    ),
    (
        (None, "Führungskräftecoaching; gemeinsame Nutzung von Vertragskonditionen", None, None, None, None),
        ("informell", "unsicher"),
    ),
    # Negated or loose agreements are none.
    (
        (
            "Arbeitskreise (mit und ohne vertraglicher Basis)",
            "Kreisfreie Städte und Landkreise",
            None,
            None,
            None,
            None,
        ),
        ("informell", "sicher"),
    ),
    (
        ("lose Kooperationsverein- barungen", "Bildungs- und Kulturkooperationen", None, None, None, None),
        ("informell", "sicher"),
    ),
    # The column or "Projekt" never makes a record vertraglich.
    ((None, "Digitalfunk", None, None, None, None), ("informell", "unsicher")),
    (
        ("Projektkooperation", "Forschungs- und Entwicklungsprojekt TOBIS", None, None, None, None),
        ("informell", "unsicher"),
    ),
    # Arbeitsgemeinschaften: informal AGBF, an association when it is an e. V.
    (
        (
            "Arbeitsgemeinschaft",
            "Arbeitsgemeinschaft der Leiter der Berufsfeuerwehren (AGBF)",
            None,
            None,
            None,
            None,
        ),
        ("informell", "unsicher"),
    ),
    (
        (
            "Arbeitsgemeinschaft mit themenbezogenen Arbeitsgruppen",
            '"Arbeitsgemeinschaft Deutscher Sportämter e.V." (ADS), "AG Stadien"',
            None,
            None,
            None,
            None,
        ),
        ("institutionell", "sicher"),
    ),
    (
        ("Mitgliedschaft", '"Kommunen für biologische Vielfalt e.V."', None, None, None, None),
        ("institutionell", "sicher"),
    ),
    # The host association of a working group does not make it institutional …
    (
        (
            "Arbeitskreis",
            "Arbeitskreis der Bürger- und Meldeämter des Deutschen Städtetages",
            None,
            None,
            None,
            None,
        ),
        ("informell", "sicher"),
    ),
    # … membership named after the head does, and "Gründung der … eG" passes through.
    (
        (
            None,
            "Zwischen den (vor allem größeren) Städten der Bundesrepublik im Verband Deutscher "
            "Städtestatistiker",
            None,
            None,
            None,
            None,
        ),
        ("institutionell", "sicher"),
    ),
    (
        (None, "luk Gründung der Kommunalen IT-Union eG", None, "erfolgt", None, None),
        ("institutionell", "sicher"),
    ),
    # A proposal is no cooperation in force.
    (
        (
            None,
            "Einkaufsgemeinschaft mit weiteren Kommunen",
            None,
            None,
            None,
            "Vorschläge für die Stadtverwaltung",
        ),
        (NO_INFO, "sicher"),
    ),
]


@pytest.mark.parametrize(("texts", "expected"), BINDINGS)
def test_binding_from_the_records_own_words(
    taxonomy: Taxonomy, texts: tuple[str | None, ...], expected: tuple[str, str]
) -> None:
    printed, title, context, status, outlook, heading = texts
    match = taxonomy.classify_binding(
        printed=printed, title=title, context=context, status=status, outlook=outlook, list_heading=heading
    )
    assert (match.value, match.confidence) == expected
    assert match.is_derived is True and match.evidence


def test_binding_evidence_names_the_words(taxonomy: Taxonomy) -> None:
    match = taxonomy.classify_binding(
        title="Behördennummer D 115",
        status=(
            "Unterzeichnung der Kooperationsvereinbarung zwischen dem Innenminister und dem OB ist erfolgt."
        ),
    )
    assert match == Match("vertraglich", ("Unterzeichnung", "Kooperationsvereinbarung"), True, "sicher")


# --- Effektkategorien -------------------------------------------------------------------------

ERFURT_EFFECTS = {
    "Kosteneinsparungen, Optimierung interner Prozesse, Stärkung der Fachkompetenz, "
    "Standardisierung und Professionalisierung von Abläufen, Personalentwicklung und "
    "-entlastung": {COST, PROCESS, QUALITY, STAFF},
    "Erfahrungsaustausch": {EXCHANGE},
    "Erfahrungsaustausche zu einzelnen Fachgebieten/ Fachfragen": {EXCHANGE},
    "Erfahrungs- und Wissensaustausche": {EXCHANGE},
    "Kommunaler Informations- und Erfahrungsaus- tausch, zeitnaher Zugriff auf ggf. gesetzliche "
    "Veränderungen, sonstiger fachlicher Austausch": {EXCHANGE},
    "Wissenstransfer Nutzung von Synergieeffekten": {EXCHANGE, COST},
    "Gemeinsamte Wahrnehmung von Aufgaben der Tierseuchenbekämpfung, des Tierschutzes und der "
    "Lebensmittelüberwachung außerhalb der Dienstzeiten und an Wochenenden, die wochenweise "
    "Belastung wird auf 7 Tierärzte verteilt, dies führt zu einer Halbierung der für den Dienst "
    "zusätzlich anfallenden Lohnkosten für Tarifbeschäftigte bzw. Zeitausgleiche für "
    "Beamte": {SERVICE, STAFF, COST},
    "woraus eine erhebliche Einsparung von Personal folgt": {STAFF},
    "Teilen bewährter Praktiken und das Vorantreiben der bibliothekarischen Entwicklung "
    "Ressourcenschonung und Effizienzsteigerung, Prozessoptimierung, Personalentlastung": {
        EXCHANGE,
        COST,
        PROCESS,
        STAFF,
    },
    "Informationsaustausch Qualitätsoptimierung, Entlastung des Personals": {
        EXCHANGE,
        QUALITY,
        STAFF,
    },
    "Sicherstellung der Versorgung der Verbandsmitglieder mit Fernwasser über seine Beteiligung "
    "an der Thüringer Fernwasserversorgung": {SERVICE},
    "Sicherstellung der gesetzlich vorgeschriebenen Verkehrssicherungspflichten, "
    "Effizienzvorteil für Gebietskörperschaften": {SERVICE, COST},
    "gebietsübergreifender Linienverkehr, Verknüpfung bei Tarif- und Fahrplanabstimmung mit "
    "anderen Kommunen, Kosten- und Personaleinsparungen, Qualitätsverbesserungen für "
    "ÖPNV-Nutzer": {SERVICE, COST, STAFF, QUALITY},
    "Erfahrungsaustausch zur Sicherstellung von Fachkompetenz im Dienstgeschäft, Anwendung "
    "neuer Entwicklungen bei Brückenbau und Bauwerksunterhaltung": {EXCHANGE, QUALITY},
    "Stärkung des ländlichen Raumes; Einwerbung von Fördermitteln": {REGION},
    "Kooperation in den Bereichen Kultur und Tourismus; Wirtschaft, Wissenschaft und "
    "Technologie; Stadt- und Regionalentwicklung sowie Sport.": {REGION},
    "fachlicher Austausch mit den großen Pass- und Meldebehörden im Bundesgebiet und Rückkop- "
    "pelung mit dem Bundesministerium des Inneren": {EXCHANGE, INTERESTS},
    "Absprachen bei der Dozentensuche, der gemeinsamen Fortbildung oder der Meinungsbildung "
    "gegenüber dem Fördermittelgeber": {EXCHANGE, QUALITY, INTERESTS},
    "u. a. beteiligt an der Erstellung der Richtlinie zum Empfehlungen für die Ausstattung der "
    "Thüringer Schulen mit Informations- und Medientechnik Digitalpakt Schulen": {INTERESTS},
    "Umstellung der Fachanwendung auf medienbruchfreie digitale Antragsbearbeitung, "
    "paritätischen Teilung der Investitionssummen, Prozessoptimierung von "
    "Entwicklungsleistungen der Dienstleister, Personalentlastung": {PROCESS, COST, STAFF},
    "gewährleisten die gesetzeskonforme Entsorgung für die Vertragspartner (z.B. Klärschlamm, "
    "häusliches Abwassers aus Kleinkläranlagen und abflusslosen Gruben oder Abwasser aus "
    "Chemietoiletten)": {SERVICE},
    "interkommunale Zusammenarbeit": {NO_INFO},
    "": {NO_INFO},
}


@pytest.mark.parametrize(("text", "expected"), ERFURT_EFFECTS.items())
def test_erfurt_effects(taxonomy: Taxonomy, text: str, expected: set[str]) -> None:
    matches = taxonomy.classify_effects([text], derived=False)
    assert {m.value for m in matches} == expected
    assert all(m.is_derived is False for m in matches)


def test_effect_evidence_is_the_words_as_printed(taxonomy: Taxonomy) -> None:
    text = (
        "Kosteneinsparungen, Optimierung interner Prozesse, Stärkung der Fachkompetenz, "
        "Standardisierung und Professionalisierung von Abläufen, Personalentwicklung und "
        "-entlastung"
    )
    assert taxonomy.classify_effects([text], derived=False) == [
        Match(COST, ("Kosteneinsparungen",), False),
        Match(STAFF, ("-entlastung",), False),
        Match(PROCESS, ("Optimierung", "Prozesse", "Standardisierung", "Abläufen"), False),
        Match(QUALITY, ("Fachkompetenz", "Professionalisierung", "Personalentwicklung"), False),
    ]
    assert taxonomy.classify_effects(
        ["woraus eine erhebliche Einsparung von Personal folgt"], derived=False
    ) == [Match(STAFF, ("Einsparung von Personal",), False)]


def test_false_friends_are_not_matched(taxonomy: Taxonomy) -> None:
    def values(text: str) -> set[str]:
        return {m.value for m in taxonomy.classify_effects([text], derived=False)}

    assert STAFF not in values("Einzelkooperationen im Bereich Personalentwicklung")
    assert EXCHANGE not in values("Forschung und Wissenschaft")
    assert REGION not in values("überregionale Austausch")
    assert SERVICE not in values("Sicherstellung von Fachkompetenz im Dienstgeschäft")


def test_magdeburg_effects_are_derived_from_several_texts(taxonomy: Taxonomy) -> None:
    # Amt 53, Arbeitskreis der Sozialpsychiatrischen Dienste: Thema, Arbeitsstand, Perspektive.
    texts = [
        "Kontinuierlicher Austausch zu aktuellen Problemlagen in der Versorgung psychisch "
        "kranker Menschen und deren Angehörigen im LSA",
        "Vernetzung der SPD's umgesetzt, zweimal jährlich findet ein Treffen des Arbeitskreises "
        "in Magdeburg bzw. Halle/S. statt",
        None,
        "Ziel ist eine erhöhte Einflussnahme auf gesundheitspolitische Entscheidungen",
    ]
    # Magdeburg prints no Effekte column: its topic words are no indirect effects (indirect=False).
    assert taxonomy.classify_effects(texts, derived=True, indirect=False) == [
        Match(EXCHANGE, ("Austausch",), True, "sicher"),
        Match(SERVICE, ("Versorgung",), True, "sicher"),
        Match(INTERESTS, ("Einflussnahme",), True, "sicher"),
    ]
    # Nothing said is a default: unsure.
    assert taxonomy.classify_effects([], derived=True) == [Match(NO_INFO, (), True, "unsicher")]


FRAGMENTS = {
    # Stems inside unrelated words name nothing.
    "Bildung einer Regionalleitstelle Feuerwehr/Rettungsdienst/ Katastrophenschutz": REGION,
    "Verband kommunaler Abfallwirtschaft und Stadtreinigung (VKS)": REGION,
    "Erhöhung Streugutkapazität um 500 Tonnen ab 2011 (Beschluss Stadtrat, Wirtschaftsplan 2011)": REGION,
    "Auswertung Referententwurf Novellierung Kreislaufwirtschaftsgesetz": REGION,
    "Vertikale Zusammenarbeit S/A „Regionalteam Eliteschulen des Sports in S/A“": REGION,
    "Vermarktung Altpapier": REGION,
    "EU-Dienstleistungsrichtlinie BUS = (Bürger- und Unternehmensservice)": INTERESTS,
    "Geräteverleih, gemeinsame Anschaffung von Spezialgeräten u. a. Ölspurbeseitigung": SERVICE,
}


@pytest.mark.parametrize(("text", "category"), FRAGMENTS.items())
def test_fragments_are_not_effects(taxonomy: Taxonomy, text: str, category: str) -> None:
    assert category not in {m.value for m in taxonomy.classify_effects([text], derived=True)}


def test_effects_where_the_text_says_something(taxonomy: Taxonomy) -> None:
    def values(text: str) -> set[str]:
        return {m.value for m in taxonomy.classify_effects([text], derived=True)}

    assert values(
        "die dauerhafte Abordnung eines Mitarbeiters des BADV zur Unterstützung bei der Erledigung "
        "der Aufgaben"
    ) == {STAFF}
    assert values("Touristische Vermarktung der Region Magdeburg") == {REGION}
    assert values("Kooperation Winterdienst; Mitbeschaffung (Salz/Splitt)") == {SERVICE, COST}


def test_effect_confidence(taxonomy: Taxonomy) -> None:
    (single_modifier,) = taxonomy.classify_effects(["Kostendeckungsgrad"], derived=True)
    assert (single_modifier.value, single_modifier.confidence) == (COST, "unsicher")
    (head,) = taxonomy.classify_effects(["Erfahrungsaustausch"], derived=True)
    assert (head.value, head.confidence) == (EXCHANGE, "sicher")
    (printed,) = taxonomy.classify_effects(["Erfahrungsaustausch"], derived=False)
    assert printed.confidence is None


@functools.cache
def _shared_taxonomy() -> Taxonomy:
    """One taxonomy for the Hypothesis test (function-scoped fixtures do not mix with @given)."""
    return load_taxonomy()


@given(st.lists(st.one_of(st.none(), st.text())))
def test_classify_effects_never_empty_never_raises(texts: list[str | None]) -> None:
    matches = _shared_taxonomy().classify_effects(texts, derived=True)
    assert matches
    names = [m.value for m in matches]
    assert names == [NO_INFO] or NO_INFO not in names


@given(st.one_of(st.none(), st.text()), st.lists(st.one_of(st.none(), st.text()), max_size=3))
def test_type_and_status_never_raise_and_stay_in_the_lists(
    printed: str | None, texts: list[str | None]
) -> None:
    taxonomy = _shared_taxonomy()
    assert taxonomy.classify_type(printed, texts).name in {t.name for t in taxonomy.types()}
    title = texts[0] if texts else None
    assert taxonomy.classify_status(printed, title).value in taxonomy.statuses()


@given(
    st.lists(st.one_of(st.none(), st.text()), min_size=6, max_size=6),
    st.one_of(st.none(), st.just("Vorschläge für FB 02"), st.text()),
)
def test_binding_never_raises_and_always_says_how_sure(texts: list[str | None], heading: str | None) -> None:
    taxonomy = _shared_taxonomy()
    printed, title, context, status, outlook, _ = texts
    match = taxonomy.classify_binding(
        printed=printed, title=title, context=context, status=status, outlook=outlook, list_heading=heading
    )
    assert match.value in taxonomy.bindings()
    assert match.is_derived and match.evidence and match.confidence in ("sicher", "unsicher")


# --- Arbeitsstand -------------------------------------------------------------------------------

STATUSES = [
    ("umgesetzt", None, "umgesetzt"),
    ("Maßnahme umgesetzt", None, "umgesetzt"),
    ("erfolgt", None, "umgesetzt"),
    ("gegründet", None, "umgesetzt"),
    ("eingeführt", None, "umgesetzt"),
    ("wird praktiziert", None, "laufend"),
    ("Die Aktualisierung der Internetseiten ist erfolgt.", None, "umgesetzt"),
    (
        "Umgesetzt (es handelt sich bei diesen Projekt jedoch nicht um interkommunale "
        "Zusammenarbeit im eigentlichen Sinne",
        None,
        "umgesetzt",
    ),
    ("Umsetzung gescheitert aufgrund nicht kompatibeler Datenbanksysteme", None, "gescheitert"),
    ("Ruht zurzeit", None, "ruht"),
    (
        "Ruht zurzeit. Das Verkehrsministerium verweigert die Zulassung der Fahrschüler zur Prüfung.",
        None,
        "ruht",
    ),
    (
        "Thema muss „wiederbelebt“ werden. HuO-Konferenz in Duisburg soll dazu genutzt werden.",
        None,
        "ruht",
    ),
    ("wird laufend umgesetzt", None, "laufend"),
    ("wird fortlaufend umgesetzt", None, "laufend"),
    ("Regelmäßige Treffen zwei Mal jährlich", None, "laufend"),
    ("jährliche Treffen auf Bundesebene", None, "laufend"),
    ("laufende Abstimmungen Untere Landesplanungsbehörde (61) /RPG", None, "laufend"),
    (
        "- Der erste Lehrgang läuft mit Anmeldungen aus LSA und umliegenden Ländern ab dem 15.09.2010",
        None,
        "laufend",
    ),
    ("in Umsetzung", None, "in Umsetzung"),
    ("Gemeinsames Coaching mit der Stadt Burg ist in Vorbereitung", None, "in Planung"),
    (
        "Das Dez. III, die GWM und die Wirtschaftsförderer der Landkreise konzipieren einen "
        "gemeinsamen Standortatlas und einen Imagefilm. Beide Projekte befinden sich in der "
        "Umsetzung. Die Aktualisierung der Internetseiten ist erfolgt.",
        None,
        "in Umsetzung",
    ),
    (
        "Vereinbarung zur Übernahme der Geschäftsführung für den Umlageausschuss der Gemeinde "
        "Sülzetal zur Unterzeichnung",
        None,
        "in Umsetzung",
    ),
    ("Prüfung gemeinsame Nutzung von Software", None, "in Planung"),
    ("Erarbeitung des Vorentwurfs", None, "in Planung"),
    ("Konstituierende Sitzung 02/11", None, "in Planung"),
    (
        "Mehrere Abstimmungsgespräche auf Arbeitsebene mit dem jeweiligen Fachamt im Ldkr.; "
        "Erarbeitung und Abgleich v. Vereinbarungsentwürfen",
        None,
        "in Planung",
    ),
    (
        "EAP (einheitlicher Ansprechpartner): durch das Land wurde das Portal des EA erstellt, "
        "hier gibt es für die jeweiligen LK, Städte die Schnittstelle Zuständige Stelle (ZS).",
        None,
        "umgesetzt",
    ),
    (
        None,
        "Vorschläge für die Stadtverwaltung: Leistung zentraler Rechenzentren aus einer Hand",
        "Vorschlag",
    ),
    (None, "Vorschläge für FB 02", "Vorschlag"),
    (None, None, NO_INFO),
    ("", "Meldeportal", NO_INFO),
]


@pytest.mark.parametrize(("text", "title", "expected"), STATUSES)
def test_status(taxonomy: Taxonomy, text: str | None, title: str | None, expected: str) -> None:
    assert taxonomy.classify_status(text, title).value == expected


def test_every_status_is_covered() -> None:
    assert {expected for _, _, expected in STATUSES} == set(load_taxonomy().statuses())


def test_status_evidence_and_derivation(taxonomy: Taxonomy) -> None:
    assert taxonomy.classify_status("Umsetzung gescheitert aufgrund …") == Match(
        "gescheitert", ("gescheitert",), True, "sicher"
    )
    # The list heading decides, whatever the Arbeitsstand says.
    assert taxonomy.classify_status(
        "wird praktiziert", "Aufbau", list_heading="Vorschläge für FB 02"
    ) == Match("Vorschlag", ("Liste „Vorschläge für FB 02“",), True, "sicher")
    assert taxonomy.classify_status(None) == Match(NO_INFO, (), False)
    # Words of two statuses: the first rule decides, unsure.
    mixed = taxonomy.classify_status("Kontaktaufnahme ist erfolgt; Erste Sitzung fand am 03.11.2010 statt")
    assert (mixed.value, mixed.confidence) == ("laufend", "unsicher")
    # Without Arbeitsstand, a plan in the Perspektive counts, unsure.
    planned = taxonomy.classify_status(
        None, "Aufbau eines Vergleichsringes", outlook="Sondierungsgespräch 2011"
    )
    assert (planned.value, planned.confidence) == ("in Planung", "unsicher")
    # A printed Arbeitsstand no rule understands is derived "ohne Angabe", unsure.
    assert taxonomy.classify_status("Hängt vom Ergebnis ab") == Match(NO_INFO, (), True, "unsicher")


# --- Aufgabenbereich ----------------------------------------------------------------------------

ERFURT_AREAS = {
    "Beteiligungsmanagement": A2,
    "Personal- und Organisationsamt": A1,
    "Stadtkämmerei": A2,
    "Amt für Gebäudemanagement": A6,
    "Umwelt- und Naturschutzamt": A3,
    "Bürgeramt": A3,
    "Amt für Brandschutz, Rettungsdienst und Katastrophenschutz": A3,
    "Veterinär- und Lebensmittelüberwachungsamt": A3,
    "Amt für Bildung": A4,
    "Amt für Soziales": A5,
    "Jugendamt": A5,
    "Gesundheitsamt": A5,
    "Bauamt, Abt. Bauaufsicht": A6,
    "Tiefbau- und Verkehrsamt": A6,
    "Garten- und Friedhofsamt": A6,
    "Entwässerungsbetrieb": A7,
    "Amt für Stadtentwicklung und Stadtplanung": A6,
    "Thüringer Zoopark": A7,
    "Erfurter Sportbetrieb": A5,
}

MAGDEBURG_AREAS = {
    "FB 01": A1,
    "Amt 12": A1,
    "Amt 31": A3,
    "Amt 30": A3,
    "FB 32": A3,
    "Amt 37": A3,
    "SAB": A7,
    "FB 02": A2,
    "FD 23.1": A2,
    "FD 23.2": A2,
    "II/01": A2,
    "Dezernat III": A8,
    "FB 40": A4,
    "Theater Magdeburg": A4,
    "Amt 51": A5,
    "Amt 53": A5,
    "Amt 61": A6,
    "FB 62": A6,
}


def test_task_areas_of_all_departments(taxonomy: Taxonomy) -> None:
    assert {d: taxonomy.task_area("Erfurt", d).value for d in ERFURT_AREAS} == ERFURT_AREAS
    assert {u: taxonomy.task_area("Magdeburg", u).value for u in MAGDEBURG_AREAS} == (MAGDEBURG_AREAS)


def test_task_area_evidence_names_the_rule(taxonomy: Taxonomy) -> None:
    assert taxonomy.task_area("Magdeburg", "Amt 37") == Match(A3, ("Amtsnummer „37“ beginnt mit „3“",), True)
    assert taxonomy.task_area("Magdeburg", "SAB") == Match(A7, ("Eintrag „SAB“ (Magdeburg)",), True)
    # The printed, line-broken spelling finds the same entry.
    assert taxonomy.task_area("Erfurt", "Amt für Gebäude- management") == Match(
        A6, ("Eintrag „Amt für Gebäudemanagement“ (Erfurt)",), True
    )
    assert taxonomy.task_area("Erfurt", "Volkshochschule") == Match(A4, ("Stichwort „schul“",), True)


def test_unknown_department_raises_naming_the_file(taxonomy: Taxonomy) -> None:
    with pytest.raises(TaxonomyError, match=r"taxonomy\.toml.*'Amt für Xyz'"):
        taxonomy.task_area("Erfurt", "Amt für Xyz")


# --- loading errors -----------------------------------------------------------------------------


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the real rules file with one text replaced."""
    text = paths.TAXONOMY_PATH.read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / "taxonomy.toml"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'name = "Verbund"\nform = "Projekt / Verbund"',
            'name = "Verbund"\nform = "Verbundform"',
            r"types\[\d+\] \(Verbund\): unbekannte Kooperationsform 'Verbundform'",
        ),
        (
            "patterns = ['*zweckverb[aä]nd']",
            "patterns = ['*zweckverb[aä']",
            r"types\[0\] \(Zweckverband\): fehlerhaftes Muster",
        ),
        ("bindings = [", "bindungen = [", r"toml: bindings: Abschnitt fehlt"),
        (
            "patterns = ['*verbund', ",
            "patterns = ['*verbund|', ",
            r"\(Verbund\): fehlerhaftes Muster .*leeren Text",
        ),
        ("[status]\n", "[stat]\n", r"status\.names: Abschnitt fehlt"),
        (
            'status = "gescheitert"',
            'status = "abgebrochen"',
            r"status\.rules\[0\]: unbekannt als Status: 'abgebrochen'",
        ),
        (
            '"SAB" = "7 Öffentliche Einrichtungen"',
            '"SAB" = "7 Betriebe"',
            r"task_areas\.units\.Magdeburg\.'SAB': unbekannt als Aufgabenbereich",
        ),
        ('binding = "institutionell"', 'binding = "halb"', r"unbekannte Verbindlichkeit 'halb'"),
        ('name = "ohne Angabe"\ndescription', 'name = "keine"\ndescription', r"effects"),
        ('[[types]]\nname = "Zweckverband"', '[[types]\nname = "Zweckverband"', "kein gültiges TOML"),
    ],
)
def test_bad_content_raises_naming_file_and_entry(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = _broken_copy(tmp_path, old, new)
    with pytest.raises(TaxonomyError, match=message) as error:
        load_taxonomy(path)
    assert str(path) in str(error.value)


def test_missing_file_raises_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "fehlt.toml"
    with pytest.raises(TaxonomyError, match=r"fehlt\.toml: Datei nicht gefunden"):
        load_taxonomy(path)


def test_default_path_is_the_project_file() -> None:
    assert load_taxonomy().source == paths.TAXONOMY_PATH


def test_magdeburg_column_decides_when_no_text_names_a_type() -> None:
    taxonomy = load_taxonomy()
    project = taxonomy.classify_type(None, ["Digitalfunk"], column="Projekt")
    assert (project.name, project.form, project.is_derived) == (
        "Projektkooperation",
        "Projekt / Verbund",
        True,
    )
    assert project.evidence == ("Spalte „Konkrete Projekte/Vereinbarungen“",)
    body = taxonomy.classify_type(None, ["LEMADRE"], column="Gremium")
    assert (body.name, body.form) == ("Austausch", "Netzwerk / Erfahrungsaustausch")
    # A type named in the text still wins over the column.
    named = taxonomy.classify_type(None, ["AG Einsatzleitwagen Sachsen-Anhalt (ELSA)"], column="Projekt")
    assert named.name == "Arbeitsgruppe"
    assert taxonomy.classify_type(None, ["Digitalfunk"]).name == "ohne Angabe"


def test_column_types_must_name_a_known_type(tmp_path: Path) -> None:
    bad = tmp_path / "taxonomy.toml"
    bad.write_text(
        paths.TAXONOMY_PATH.read_text(encoding="utf-8").replace(
            'type = "Projektkooperation"', 'type = "Gibtsnicht"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        TaxonomyError, match=r"taxonomy\.toml: column_types\[1\]: unbekannt als Kooperationsart: 'Gibtsnicht'"
    ):
        load_taxonomy(bad)
