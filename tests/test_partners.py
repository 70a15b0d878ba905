"""Partner extraction with the gazetteer data/partners.toml, on real texts of both documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from ikz.core.errors import TaxonomyError
from ikz.core.paths import PARTNERS_PATH
from ikz.derive.partners import Gazetteer, load_gazetteer

TITLE = "Bezeichnung/Thema"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def names(gazetteer: Gazetteer, text: str, city: str, label: str = TITLE) -> list[str]:
    return [m.partner.name for m in gazetteer.find([(label, text)], city=city)]


def test_every_entry_has_a_kind_of_the_file(gazetteer: Gazetteer) -> None:
    partners = gazetteer.partners()
    assert {p.kind for p in partners} <= set(gazetteer.kinds)
    assert len({p.name for p in partners}) == len(partners)


def test_erfurt_rettungsdienst_names_four_landkreise(gazetteer: Gazetteer) -> None:
    # erfurt_kooperationen.tsv line 56, as the parser joins it.
    text = (
        "Wahrnehmung der Aufgaben des bodengebundenen Rettungsdienstes für den kreisübergreifenden "
        "Einsatz mit den Landkreisen Weimarer Land, Ilmkreis, Gotha, Sömmerda"
    )
    found = gazetteer.find([(TITLE, text)], city="Erfurt")
    assert [(m.partner.name, m.partner.kind) for m in found] == [
        ("Landkreis Weimarer Land", "Landkreis"),
        ("Ilm-Kreis", "Landkreis"),
        ("Landkreis Gotha", "Landkreis"),
        ("Landkreis Sömmerda", "Landkreis"),
    ]
    assert found[1].evidence == ("Bezeichnung/Thema: „Ilmkreis“",)


def test_magdeburg_rettungsdienst_names_landkreis_boerde(gazetteer: Gazetteer) -> None:
    text = (
        "Verwaltungsvereinbarung mit dem Landkreis Börde zur bereichsübergreifenden Zusammenarbeit "
        "im Rettungsdienst"
    )
    found = gazetteer.find([(TITLE, text)], city="Magdeburg")
    assert [(m.partner.name, m.partner.kind, m.evidence) for m in found] == [
        ("Landkreis Börde", "Landkreis", ("Bezeichnung/Thema: „Landkreis Börde“",))
    ]


@pytest.mark.parametrize(
    ("city", "text", "expected"),
    [
        # The longer hit wins: "Landkreis Weimar" is the Weimarer Land, "Stadt Weimar" the city.
        (
            "Erfurt",
            "Betreiben eines gemeinsamen Tierseuchenkrisenzentrums mit Stadt Weimar, Landkreis Weimar, "
            "Landkreis Saalfeld-Rudolstadt",
            ["Weimar", "Landkreis Weimarer Land", "Landkreis Saalfeld-Rudolstadt"],
        ),
        # Erfurt is not its own partner.
        (
            "Erfurt",
            "gemeinsame Adoptionsvermittlungsstelle der Landeshauptstadt Erfurt und dem Ilm-Kreis",
            ["Ilm-Kreis"],
        ),
        (
            "Erfurt",
            "Deutscher Städtetag, Gemeinde- und Städtebund Thüringen",
            ["Deutscher Städtetag", "Gemeinde- und Städtebund Thüringen"],
        ),
        ("Erfurt", "Gründung des Ausbildungsverbundes in Thüringen (mit Gera und Jena)", ["Gera", "Jena"]),
        ("Erfurt", "Thüringer Landesverwaltungsamt (Aufsichtsbehörde)", ["Thüringer Landesverwaltungsamt"]),
        ("Erfurt", "KGSt Vergleichsring", ["KGSt"]),
        # MD is Magdeburg itself; HAL and DE are Halle and Dessau; "in LSA" is a place, not a partner.
        (
            "Magdeburg",
            "In der Form regelmäßiger Konsultationen zwischen MD, HAL, DE zu allen aktuellen Fragen von "
            "Statistik u. Wahlen in LSA",
            ["Halle (Saale)", "Dessau-Roßlau"],
        ),
        (
            "Magdeburg",
            "Interkommunaler Wissenstransfer der Rechtsämter Magdeburg, Halle und Dessau-Roßlau",
            ["Halle (Saale)", "Dessau-Roßlau"],
        ),
        (
            "Magdeburg",
            "Aufgaben im Rahmen der Forsthoheit mit LK Jerichower Land (2. Funktionalreformgesetz)",
            ["Landkreis Jerichower Land"],
        ),
        ("Magdeburg", "AG Zweckvereinbarung (Bördekreis, Magdeburg)", ["Landkreis Börde"]),
        # "Börde" alone is a landscape: the Tourismusverband, not the Landkreis, and not Magdeburg.
        (
            "Magdeburg",
            "Zusammenarbeit mit dem Magdeburger Tourismusverband Elbe, Börde, Heide e. V.",
            ["Magdeburger Tourismusverband Elbe-Börde-Heide"],
        ),
        (
            "Magdeburg",
            "Gesunde-Städte-Netzwerk der Bundesrepublik Deutschland",
            ["Gesunde Städte-Netzwerk"],
        ),
        ("Magdeburg", "ÖPNV marego-Verkehrsverbund", ["marego-Verkehrsverbund"]),
        # A meeting place is not a partner.
        ("Magdeburg", "Nächstes Treffen: 19./20. Mai 2011 in Braunschweig", []),
        # Magdeburg names Erfurt (Metropolregion) – the other city is a partner like any other.
        (
            "Magdeburg",
            "Interkommunale Zusammenarbeit mit den Städten Chemnitz, Dresden, Halle, Leipzig, Zwickau, "
            "Erfurt, Gera, Jena, Dessau-Roßlau und Magdeburg",
            [
                "Chemnitz",
                "Dresden",
                "Halle (Saale)",
                "Leipzig",
                "Zwickau",
                "Erfurt",
                "Gera",
                "Jena",
                "Dessau-Roßlau",
            ],
        ),
    ],
)
def test_real_texts(gazetteer: Gazetteer, city: str, text: str, expected: list[str]) -> None:
    assert names(gazetteer, text, city) == expected


@pytest.mark.parametrize(
    "text", ["Neubau der Turnhalle", "Gerade Linien", "Hallenbad", "Gerätehaus", "Weimarer Straße"]
)
def test_word_boundaries_prevent_false_positives(gazetteer: Gazetteer, text: str) -> None:
    assert names(gazetteer, text, "Erfurt") == []
    assert names(gazetteer, text, "Magdeburg") == []


def test_same_name_two_authorities_by_city(gazetteer: Gazetteer) -> None:
    text = "Erste Vorstellungen wurden mit dem LVWA besprochen; das Landesverwaltungsamt empfahl es."
    assert names(gazetteer, text, "Magdeburg", "Arbeitsstand") == ["Landesverwaltungsamt Sachsen-Anhalt"]
    assert names(gazetteer, "Thüringer Landesverwaltungsamtes und Fachministerien", "Erfurt") == [
        "Thüringer Landesverwaltungsamt",
        "Thüringer Fachministerien",
    ]


def test_lsa_only_as_a_partner_item(gazetteer: Gazetteer) -> None:
    assert names(gazetteer, "LSA; Landkreise", "Magdeburg", "Partner") == ["Land Sachsen-Anhalt"]
    assert names(gazetteer, "umliegende Landkreise; umliegende Kommunen; Großstädte LSA", "Magdeburg") == []


def test_evidence_collects_every_field(gazetteer: Gazetteer) -> None:
    found = gazetteer.find(
        [
            (TITLE, "Aufgaben im Rahmen der Forsthoheit mit LK Jerichower Land"),
            ("Arbeitsstand", "Vertragsentwurf zur Zusammenarbeit wird durch LK JL bis zur 38. KW übergeben"),
            ("Perspektive", None),
        ],
        city="Magdeburg",
    )
    assert [(m.partner.name, m.evidence) for m in found] == [
        (
            "Landkreis Jerichower Land",
            ("Bezeichnung/Thema: „Jerichower Land“", "Arbeitsstand: „LK JL“"),
        )
    ]


def test_partner_in_a_refusal_is_no_partner(gazetteer: Gazetteer) -> None:
    # magdeburg_ikz_2010.txt line 40, Perspektive: Jena declined; Halle and Dessau-Roßlau take part.
    outlook = (
        "Zweite Sitzung im Frühjahr 2011; "
        "die Stadt Jena hat keinen konkreten Bedarf an einer weiteren Zusammenarbeit angekündigt"
    )
    assert names(gazetteer, outlook, "Magdeburg", "Perspektive") == []
    status = "Kontaktaufnahme zu den Städten Halle und Dessau-Roßlau ist erfolgt"
    assert names(gazetteer, status, "Magdeburg", "Arbeitsstand") == ["Halle (Saale)", "Dessau-Roßlau"]
    # The same name outside the refusing clause still counts.
    assert names(gazetteer, "Wissensaustausch mit Jena. Jena hat kein Interesse.", "Magdeburg") == ["Jena"]


def test_deterministic(gazetteer: Gazetteer) -> None:
    texts = [(TITLE, "LEADER Aktionsgruppen „Gotha – Ilmkreis – Erfurt“, „Weimarer Land - Mittelthüringen“")]
    first = gazetteer.find(texts, city="Erfurt")
    assert first == gazetteer.find(texts, city="Erfurt") == load_gazetteer().find(texts, city="Erfurt")
    assert [m.partner.name for m in first] == ["Landkreis Gotha", "Ilm-Kreis", "Landkreis Weimarer Land"]


KINDS = 'kinds = ["Landkreis", "Gemeinde"]\nplace_keys = { "Landkreis" = [5] }\n'
ONE_KIND = 'kinds = ["Landkreis"]\n'
ENTRY = '[[partners]]\nname = "Testkreis"\nkind = "Landkreis"\nars = "16070"\naliases = ["Testkreis"]\n'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[partners]\n", "kein gültiges TOML"),
        (KINDS + "x = 1\n", "partners: muss eine nicht leere Liste"),
        (ENTRY, "kinds: muss eine nicht leere Liste"),
        ('kinds = ["Landkreis", "Landkreis"]\n' + ENTRY, "kinds: muss eine nicht leere Liste verschiedener"),
        (ENTRY.replace('"Landkreis"', '"Kreis"'), "partners[0] (Testkreis): unbekannte Art 'Kreis'"),
        (ENTRY + ENTRY, "partners[1] (Testkreis): doppelter Name"),
        (ENTRY.replace("aliases", "alias"), "partners[0] (Testkreis): unbekannte(s) Feld(er) ['alias']"),
        (ENTRY.replace('aliases = ["Testkreis"]', "patterns = ['(']"), "fehlerhaftes Muster '('"),
        (ENTRY.replace('aliases = ["Testkreis"]', "patterns = ['x?']"), "passt auf leeren Text"),
        (ENTRY.replace('aliases = ["Testkreis"]', "aliases = []"), "braucht 'aliases' oder 'patterns'"),
        (ENTRY + 'cities = ["Halle"]\n', "unbekannte Stadt 'Halle'"),
        (ONE_KIND + 'place_keys = { "Kreis" = [5] }\n' + ENTRY, "place_keys: unbekannte Art 'Kreis'"),
        (ONE_KIND + 'place_keys = { "Landkreis" = [4] }\n' + ENTRY, "place_keys: 'Landkreis': Liste aus"),
        (ONE_KIND + 'place_keys = { "Landkreis" = [] }\n' + ENTRY, "place_keys: 'Landkreis': Liste aus"),
        (ONE_KIND + "place_keys = 5\n" + ENTRY, "place_keys: muss eine Tabelle"),
        ('[[partners]]\nkind = "Landkreis"\n', "partners[0]: braucht ein nicht leeres Textfeld 'name'"),
    ],
)
def test_bad_file_names_file_and_entry(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "partners.toml"
    # Every case but the two about `kinds` itself has a valid list of kinds first.
    if "kinds" not in content and content not in (ENTRY, "[[partners]\n"):
        content = KINDS + content
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TaxonomyError) as error:
        load_gazetteer(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match=r"partners\.toml: Datei nicht gefunden"):
        load_gazetteer(tmp_path / "partners.toml")


def test_default_path_is_the_data_file(gazetteer: Gazetteer) -> None:
    assert gazetteer.source == PARTNERS_PATH


# --- places of data/geo without an entry of their own ------------------------------------------


def found(gazetteer: Gazetteer, text: str, city: str) -> list[tuple[str, str | None]]:
    """(name, ARS) of every partner found in one text."""
    return [
        (m.partner.name, m.partner.place.ars if m.partner.place else None)
        for m in gazetteer.find([("Bezeichnung/Thema", text)], city=city)
    ]


@pytest.mark.parametrize(
    ("city", "text", "expected"),
    [
        # Towns and Kreise that no entry names, by their official name (ARS from data/geo by hand).
        (
            "Erfurt",
            "Schulnetz mit Apolda und Arnstadt",
            [("Apolda", "160710001001"), ("Arnstadt", "160700004004")],
        ),
        ("Erfurt", "Rettungsdienst der Stadt Suhl", [("Suhl", "160540000000")]),
        ("Magdeburg", "Beratung für die Stadt Wolmirstedt", [("Wolmirstedt", "150830565565")]),
        ("Erfurt", "Kreisarchiv in Mühlhausen", [("Mühlhausen/Thüringen", "160640046046")]),
        # „Landkreis X“, and X-Kreis written as one word or with a hyphen.
        ("Magdeburg", "Abstimmung mit dem Landkreis Börde", [("Landkreis Börde", "15083")]),
        (
            "Erfurt",
            "Wartburg-Kreis und Unstrut-Hainich-Kreis",
            [("Wartburgkreis", "16063"), ("Unstrut-Hainich-Kreis", "16064")],
        ),
        # A town named inside the name of a Verwaltungsgemeinschaft or a Zweckverband.
        ("Erfurt", "Verwaltungsgemeinschaft Kölleda", [("Kölleda", "160680034034")]),
        ("Magdeburg", "Zweckverband Wasserversorgung Haldensleben", [("Haldensleben", "150830270270")]),
    ],
)
def test_every_place_of_the_geodata_is_found_by_its_usual_names(
    gazetteer: Gazetteer, city: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(gazetteer, text, city) == expected


def test_a_name_that_is_also_a_common_noun_needs_its_prefix(gazetteer: Gazetteer) -> None:
    # „Harz“ and „Börde“ are words too: only „Landkreis Harz“ is the Landkreis.
    assert found(gazetteer, "Holz aus dem Harz, Wetter in der Börde", "Magdeburg") == []
    assert found(gazetteer, "Landkreis Harz", "Magdeburg") == [("Landkreis Harz", "15085")]


def test_an_entry_of_the_file_goes_before_the_geodata(gazetteer: Gazetteer) -> None:
    # In Erfurt's texts „Gotha“ is the Landkreis (partners.toml); in Magdeburg's, the town.
    assert found(gazetteer, "Gotha", "Erfurt") == [("Landkreis Gotha", "16067")]
    assert found(gazetteer, "Gotha", "Magdeburg") == [("Gotha", "160670029029")]


def test_place_partner_names_are_unique(gazetteer: Gazetteer) -> None:
    names = [p.name for p in gazetteer.partners()]
    assert len(names) == len(set(names))
    assert len(gazetteer.places) > 800  # every Gemeinde and Landkreis of Thüringen and Sachsen-Anhalt
