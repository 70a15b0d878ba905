"""Magdeburg parser: golden records read off the report by hand, invariants, and bad input."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ikz.core.errors import SourceError
from ikz.core.paths import RAW_DIR
from ikz.core.records import MagdeburgRecord
from ikz.parse.magdeburg import (
    best_match,
    distribute,
    join_items,
    parse_magdeburg,
    split_items,
    split_sentences,
    strip_markup,
)
from tests.seed_files import MAGDEBURG_FILE

SHIFT_LEFT = (
    "repariert: Zeile um eine Spalte nach links verschoben; die Liste unter „LEMADRE“ von Spalte 1 "
    "nach Thema, Thema nach Arbeitsstand verschoben"
)
JOINED = "verschachtelte Liste in den Titel übernommen"


@pytest.fixture(scope="module")
def text() -> str:
    return (RAW_DIR / MAGDEBURG_FILE).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def records(text: str) -> list[MagdeburgRecord]:
    return parse_magdeburg(text)


def rec(
    division: str,
    unit: str,
    kind: str,
    title: str,
    line: int,
    *,
    context: str | None = None,
    sub_unit: str | None = None,
    partners_text: str | None = None,
    status_text: str | None = None,
    outlook_text: str | None = None,
    notes: tuple[str, ...] = (),
    list_heading: str | None = None,
) -> MagdeburgRecord:
    """An expected record from one printed line."""
    return MagdeburgRecord(
        division=division,
        unit=unit,
        kind=kind,  # type: ignore[arg-type]
        title=title,
        context=context,
        sub_unit=sub_unit,
        partners_text=partners_text,
        status_text=status_text,
        outlook_text=outlook_text,
        line_start=line,
        line_end=line,
        notes=notes,
        list_heading=list_heading,
    )


def on_line(records: list[MagdeburgRecord], line: int) -> list[MagdeburgRecord]:
    return [r for r in records if r.line_start == line]


def titles(records: list[MagdeburgRecord], unit: str, kind: str) -> list[str]:
    return [r.title for r in records if r.unit == unit and r.kind == kind]


# --- golden records --------------------------------------------------------------------------


def test_first_records_of_fb01(records: list[MagdeburgRecord]) -> None:
    body = "Personalamtsleiterkonferenz deutscher Städte des DSt"
    assert records[:3] == [
        rec("I", "FB 01", "body", body, 10),
        rec(
            "I",
            "FB 01",
            "project",
            "Erfahrungsaustausch zu aktuellen Themen",
            10,
            context=body,
            status_text="Regelmäßige Treffen zwei Mal jährlich",
            outlook_text="Nächstes Treffen: 19./20. Mai 2011 in Braunschweig",
        ),
        # Column 1 is empty on its own line: no context, although the body above spans it.
        rec(
            "I",
            "FB 01",
            "project",
            "Aufbau eines Vergleichsringes zu Personalkennzahlen im Bereich der norddeutschen Städte",
            11,
            outlook_text="Sondierungsgespräch im 1. Quartal 2011",
        ),
    ]


def test_project_in_merged_cell_takes_the_body_sharing_its_words(records: list[MagdeburgRecord]) -> None:
    # Amt 30: column 1 names three exchanges; only the third shares the project's distinctive words
    # (Halle, Dessau-Roßlau), so it is the project's context.
    body = "Interessensbekundung durch Halle und Dessau-Roßlau"
    assert on_line(records, 40)[-1] == rec(
        "I",
        "Amt 30",
        "project",
        "Interkommunaler Wissenstransfer der Rechtsämter Magdeburg, Halle und Dessau-Roßlau",
        40,
        context=body,
        status_text=(
            "Kontaktaufnahme zu den Städten Halle und Dessau-Roßlau ist erfolgt; "
            "Erste Sitzung fand am 03.11.2010 statt und war erfolgreich"
        ),
        outlook_text=(
            "Zweite Sitzung im Frühjahr 2011; "
            "die Stadt Jena hat keinen konkreten Bedarf an einer weiteren Zusammenarbeit angekündigt"
        ),
        notes=(f"Gremium „{body}“ nach gemeinsamen Wörtern zugeordnet",),
    )


def test_sulzetal_body_is_the_context_of_the_gewerbegebiet_project(records: list[MagdeburgRecord]) -> None:
    body = (
        "Bilaterale Zusammenarbeit mit der Gemeinde Sülzetal im Rahmen des gemeinsamen "
        "Gewerbegebietes Magdeburg/Sülzetal"
    )
    project = on_line(records, 136)[-1]
    assert (project.title, project.context) == (
        "Ansiedlung von Unternehmen im gemeinsamen Gewerbegebiet",
        body,
    )


def test_kitu_is_a_project_whose_arbeitsstand_is_kept(records: list[MagdeburgRecord]) -> None:
    # Line 18 prints KITU as Thema and the check of shared software as its Arbeitsstand.
    assert on_line(records, 18) == [
        rec("I", "FB 01", "project", "KITU", 18, status_text="Prüfung gemeinsame Nutzung von Software")
    ]


def test_lemadre_row_shifted_left_is_repaired(records: list[MagdeburgRecord]) -> None:
    assert on_line(records, 22) == [
        rec("I", "FB 01", "body", "LEMADRE", 22, notes=(SHIFT_LEFT,)),
        rec(
            "I",
            "FB 01",
            "project",
            "Entwicklung gemeinsamer Kennzahlen im LuK-Bereich",
            22,
            context="LEMADRE",
            status_text=(
                "Thema muss „wiederbelebt“ werden. HuO-Konferenz in Duisburg soll dazu genutzt werden."
            ),
            notes=(SHIFT_LEFT,),
        ),
    ]


def test_amt12_bodies_with_nested_list(records: list[MagdeburgRecord]) -> None:
    assert titles(records, "Amt 12", "project") == []
    assert titles(records, "Amt 12", "body") == [
        "Zwischen den (vor allem größeren) Städten der Bundesrepublik im Verband Deutscher "
        "Städtestatistiker, durch regelmäßige Tagungen (mind. 2x jährlich), durch gemeinsame "
        "Projekte und regelmäßigen Informationsaustausch via Internet (Newsgroups und Newsletter).",
        "Zwischen den (auch kleineren) Städten der östlichen Bundesländer (Jahrestagung, "
        "Newsletter, gemeinsame Projekte) MD z.B.: jährlicher Finanzvergleich ostdeutscher "
        "Großstädte",
        "In der Form regelmäßiger Konsultationen zwischen MD, HAL, DE zu allen aktuellen Fragen "
        "von Statistik u. Wahlen in LSA",
        "In der Form einer Newsgroup der Wahlämter der Bundesrepublik - laufender Austausch zu "
        "aktuellen Problemen des Wahlgeschäfts, Austausch von Schulungsmaterial, Formblättern u. a.",
        # The intro "Mitarbeit in den folgenden Gremien des Städtetages" is no body: a note.
        "Arbeitskreis Stadtforschung, Statistik und Wahlen",
        "Arbeitsgruppe Wahlen Bund",
    ]
    assert on_line(records, 28)[-1] == rec(
        "I",
        "Amt 12",
        "body",
        "Arbeitsgruppe Wahlen Bund",
        28,
        list_heading="Mitarbeit in den folgenden Gremien des Städtetages",
    )


def test_amt31_project_after_empty_bullet(records: list[MagdeburgRecord]) -> None:
    assert [r for r in records if r.unit == "Amt 31"] == [
        rec(
            "I",
            "Amt 31",
            "project",
            "Aufgaben im Rahmen der Forsthoheit mit LK Jerichower Land (2. Funktionalreformgesetz)",
            34,
            # The second item holds a ";" of its own, as printed.
            status_text=(
                "Vertragsentwurf zur Zusammenarbeit wird durch LK JL bis zur 38. KW übergeben; "
                "Nach Abstimmung wird dazu bis 15.10.2010 eine Kreisratsdrucksache in JL; "
                "OB-DS in MD erstellt; "
                "Übergabe des Vertragsentwurfs erfolgte zum 2.11.2010; "
                "Kreistagsbeschluss zum Vertragsentwurf erfolgte im November"
            ),
            outlook_text=(
                "Inkrafttreten der Vereinbarung zum 01.01.2011; "
                "Weitere Themen ergeben sich ab 2014; "
                "Inkrafttreten nach informeller Auskunft aus dem LK immer noch für 1/2011 "
                "vorgesehen"
            ),
            notes=("Spalte 1 enthält nur einen leeren Aufzählungspunkt: kein Gremium",),
        )
    ]


def test_fb32_projects_carry_sub_unit_and_partners(records: list[MagdeburgRecord]) -> None:
    assert on_line(records, 49) == [
        rec(
            "I",
            "FB 32",
            "project",
            "Gemeinsame Ausbildung der Verwaltungsvollzugsbeamten bei der SIKOSA",
            49,
            sub_unit="Stadtordnungsdienst (32.1)",
            partners_text="Ordnungsdienste der anderen Großstädte",
            status_text=(
                "Der erste Lehrgang läuft mit Anmeldungen aus LSA und umliegenden Ländern ab dem 15.09.2010"
            ),
            outlook_text=(
                "Gemeinsam mit den Ordnungsdiensten der anderen Großstädte soll dieses Programm "
                "nach Eignung und Einführung genutzt werden"
            ),
        )
    ]
    assert on_line(records, 69) == [
        rec(
            "I",
            "FB 32",
            "project",
            "gemeinsame Telefonzentrale",
            69,
            sub_unit="Bürgerservice (32.4)",
            status_text=(
                "ist Verhandlungsgegenstand im Rahmen D 115, wurde in die "
                "Kooperationsvereinbarung zu D115 mit aufgenommen"
            ),
            outlook_text=(
                "Wird im Laufe des Pilotprojektes verwirklicht, terminliche Vorstellungen "
                "befinden sich in der Abstimmung"
            ),
        )
    ]
    fb32 = [r for r in records if r.unit == "FB 32"]
    assert Counter(r.kind for r in fb32) == {"project": 13}
    assert [r.partners_text for r in fb32 if r.line_start in (50, 51)] == [
        "umliegende Landkreise; umliegende Kommunen; Großstädte LSA",
        "Ordn. und Gewerbeang.(32.2); KID; andere Ordnungsämter (LSA)",
    ]


def test_fb02_proposals_are_four_projects(records: list[MagdeburgRecord]) -> None:
    heading = "Vorschläge für die Stadtverwaltung"
    assert on_line(records, 101) == [
        rec("II", "FB 02", "project", title, 101, list_heading=heading)
        for title in (
            "Leistung zentraler Rechenzentren aus einer Hand",
            "Abrechnung von Personalkosten aus einer Hand",
            "Bespielung von ländlichen Bühnen durch das Theater Magdeburg mit dem Ziel der "
            "Erhöhung des Kostendeckungsgrads",
            "Einkaufsgemeinschaft mit weiteren Kommunen hinsichtlich der IuK-Ausstattung",
        )
    ]
    assert titles(records, "FB 02", "body") == [
        "Bundes- und Landesverband der Kommunalkassenverwalter e.V.",
        "Arbeitskreis Treasury deutscher Großstädte",
    ]


def test_fb02_list_continued_in_the_next_row_keeps_its_heading(records: list[MagdeburgRecord]) -> None:
    heading = "Vorschläge für FB 02"
    assert on_line(records, 103) == [
        rec(
            "II",
            "FB 02",
            "project",
            "Aufbau eines zusammengefasstes Liquiditätsmanagements",
            103,
            list_heading=heading,
            notes=(f"setzt die Liste „{heading}“ der Zeile davor fort",),
        )
    ]
    assert [r.list_heading for r in on_line(records, 102)] == [heading]


def test_free_text_units(records: list[MagdeburgRecord]) -> None:
    fd231 = [r for r in records if r.unit == "FD 23.1"]
    fd232 = [r for r in records if r.unit == "FD 23.2"]
    assert [(r.kind, r.line_start) for r in fd231] == [("body", 106)] * 4
    assert [(r.kind, r.line_start) for r in fd232] == [("body", 107)] * 3
    # The trailing comma that separated list items is gone; the <p> paragraph is an item.
    assert fd231[1] == rec(
        "II",
        "FD 23.1",
        "body",
        "Abstimmungen mit Bundes- und Landesbehörden bei der Bearbeitung von Zuordnungsplänen",
        106,
    )
    assert fd231[3].title == (
        "Erfahrungsaustausch mit der VG Arneburg-Goldbeck zur Anwendung des "
        "ARCHI-KART-Softwaremoduls „Vermögensbewertung“."
    )
    assert fd232[1].title == (
        "Der FD 23.2 berichtet halbjährlich über die Erledigungsstatistik bei der Bearbeitung der "
        "Aufgaben nach dem VermG, EntschG, DDR-EErfG und der GVO."
    )


def test_ii01_projects(records: list[MagdeburgRecord]) -> None:
    assert [r for r in records if r.unit == "II/01"] == [
        rec(
            "II",
            "II/01",
            "project",
            "luk Gründung der Kommunalen IT-Union eG",
            113,
            status_text="erfolgt",
        ),
        rec("II", "II/01", "project", "ÖPNV marego-Verkehrsverbund", 114, status_text="gegründet"),
    ]


def test_dezernat3_shared_arbeitsstand_is_split_by_the_projects_words(records: list[MagdeburgRecord]) -> None:
    # One Arbeitsstand cell for three projects: each sentence goes to the project it names, a
    # sentence naming none ("Beide Projekte …") to the project of the sentence before.
    split = ("Arbeitsstand der Zeile nach gemeinsamen Wörtern auf die Projekte verteilt",)
    internet_body = "Spontan AG „Internetauftritt“ der Regionalen Planungsgemeinschaft Magdeburg"
    assert [r for r in on_line(records, 120) if r.kind == "project"] == [
        rec(
            "III",
            "Dezernat III",
            "project",
            "Erarbeitung gemeinsamer Marketingstrategien für die Region Magdeburg",
            120,
            status_text=(
                "Kooperation des Dez. III mit den Wirtschaftsförderungen der Landkreise Börde, "
                "Jerichower Land, Salzlandkreis und einigen Städten aus der Region wie z. B. Burg und "
                "Schönebeck."
            ),
            notes=split,
        ),
        rec(
            "III",
            "Dezernat III",
            "project",
            "Erstellung eines Standortatlases über die Gewerbegebiete in der Planungsregion "
            "Magdeburg sowie Erstellung eines Imagefilm über die Planungsregion Magdeburg",
            120,
            status_text=(
                "Das Dez. III, die GWM und die Wirtschaftsförderer der Landkreise Börde, "
                "Jerichower Land, Salzlandkreis und die Regionale Planungsgemeinschaft Magdeburg "
                "konzipieren zur Investorenakquise einen gemeinsamen Standortatlas und einen Imagefilm. "
                "Beide Projekte befinden sich in der Umsetzung."
            ),
            notes=split,
        ),
        rec(
            "III",
            "Dezernat III",
            "project",
            "Aktualisierung des Internetauftrittes",
            120,
            context=internet_body,
            status_text="Die Aktualisierung der Internetseiten ist erfolgt.",
            notes=(*split, f"Gremium „{internet_body}“ nach gemeinsamen Wörtern zugeordnet"),
        ),
    ]
    assert titles(records, "Dezernat III", "body")[:4] == [
        "AG „Wirtschaftsförderung“ der RKM",
        "AG „Standortatlas“ der Planungsregion Magdeburg",
        "AG „Imagefilm“ der Planungsregion Magdeburg",
        internet_body,
    ]


def test_dezernat3_doubled_opening_is_repaired(records: list[MagdeburgRecord]) -> None:
    body = "AG „Wirtschaft und Wissenschaft“ der Metropolregion Mitteldeutschland"
    assert on_line(records, 125) == [
        rec(
            "III",
            "Dezernat III",
            "body",
            body,
            125,
            notes=("repariert: Anfang „AG „Wirtschaft und“ stand doppelt",),
        ),
        rec(
            "III",
            "Dezernat III",
            "project",
            "Erstellung der Internetpräsentation für die Metropolregion Mitteldeutschland",
            125,
            context=body,
            status_text="umgesetzt",
            outlook_text=(
                "AG wird mit neuem Schwerpunkt fortgeführt: Konzept einer Presse-reise für die "
                "Metropolregion."
            ),
        ),
    ]


def test_amt37_bodies_and_projects(records: list[MagdeburgRecord]) -> None:
    assert titles(records, "Amt 37", "body") == [
        "Ad-hoc-AG „Kommunikation der Qualitätsstandards und Leitlinien zur PSNV und zur "
        "Entwicklung von Umsetzungsempfehlungen bei den deutschen Feuerwehren“ der AGBF-Bund",
        "AG Einsatzleitwagen Sachsen-Anhalt (ELSA)",
        "AG „Gesundheitsmanagement und Sport“ im AK Ausbildung der AGBF Bund",
        "AG „Landeskonzept MANV“",
        "AG „Neukonzeption KatS“",
        "AGBF Land",
        "AK „Grundsatzfragen“ der AGBF Bund",
        "AK „Vorbeugender Gefahrenschutz“ der AGBF Bund",
        "AK „Ausbildung“ der AGBF Bund",
        "Beirat „Aus- und Fortbildung“ der BKS Heyrothsberge",
        "Fachgruppe „Feuerwehren-Hilfeleistung“ des Bundesverbandes der Unfallkassen",
        "Wissenschaftlicher Beirat des IdF Sachsen-Anhalt",
    ]
    assert titles(records, "Amt 37", "project") == [
        "Verwaltungsvereinbarungen des Amtes 37 mit dem Landkreis Börde zur Einsatzplanung auf "
        "den Bundesautobahnen A2 und A14",
        "Verwaltungsvereinbarung mit dem Landkreis Börde zur bereichsübergreifenden "
        "Zusammenarbeit im Rettungsdienst",
        "Projekt „Technische Ausstattung eines Abrollbehälters für den Massenansturm von Verletzten“",
        # The unmatched closing quote is printed so.
        "Bildung einer Regionalleitstelle Feuerwehr/Rettungsdienst/ Katastrophenschutz“",
        "Digitalfunk",
        "Wechselseitige Teilnahme an Übungen",
    ]
    # A row with only a Thema is a project without status.
    assert on_line(records, 79) == [rec("I", "Amt 37", "project", "Digitalfunk", 79)]


def test_fb40_thema_with_partner_list_stays_one_project(records: list[MagdeburgRecord]) -> None:
    assert on_line(records, 155) == [
        rec("IV", "FB 40", "body", "Berufliche Bildung", 155),
        rec(
            "IV",
            "FB 40",
            "project",
            "Auswahl und Abstimmung der für den Abschluss einer Vereinbarung geeigneten "
            "Bildungsgänge; Schulträgervereinbarungen mit: Nordverbund (Ldkr. SAW,SDL, JL); "
            "Jerichower Land; Bördekreis; Salzlandkreis",
            155,
            context="Berufliche Bildung",
            status_text=(
                "Mehrere Abstimmungsgespräche auf Arbeitsebene mit dem jeweiligen Fachamt im "
                "Ldkr.; Erarbeitung und Abgleich v. Vereinbarungsentwürfen"
            ),
            outlook_text="Abschluss der Vereinbarungen",
            notes=(JOINED,),
        ),
    ]


def test_fb40_underline_and_dash_list_removed(records: list[MagdeburgRecord]) -> None:
    body, project = on_line(records, 146)
    assert body.title == "Vertikale Zusammenarbeit S/A „Regionalteam Eliteschulen des Sports in S/A“"
    assert project.context == body.title
    assert project.status_text == (
        "Gründung am 24.09.2009 Jährlich 1x zweitägige Klausur (Osterburg) und eine Tagesklausur "
        "(im Wechsel in Halle bzw. Magdeburg), letzte Tagung am 5./6.10.2010, Gremium gibt "
        "Empfehlungen, bisher 2 entscheidende Empfehlung auf Landesebene durchgesetzt: "
        "Möglichkeit der Flexibilisierung der Klassenstärken (variable Klassenteiler); "
        "Freiwillige Schulzeitstreckung auch im Sekundarschulbereich Klasse 9/10"
    )


def test_theater_body_keeps_its_members(records: list[MagdeburgRecord]) -> None:
    body = (
        "Verbund mit anderen Theatern in Sachsen-Anhalt: Anhaltisches Theater Dessau; "
        "Nordharzer Städtebundtheater Quedlinburg/Halberstadt"
    )
    assert on_line(records, 161)[0] == rec(
        "IV",
        "Theater Magdeburg",
        "body",
        body,
        161,
        notes=(JOINED,),
    )
    assert on_line(records, 161)[1].context == body


def test_last_record(records: list[MagdeburgRecord]) -> None:
    assert records[-2:] == [
        rec("VI", "FB 62", "body", "Bodenordnung, Baulandumlegung", 193),
        rec(
            "VI",
            "FB 62",
            "project",
            "Geschäftsstelle für den Umlageausschuss der Gemeinde Sülzetal",
            193,
            context="Bodenordnung, Baulandumlegung",
            status_text=(
                "Vereinbarung zur Übernahme der Geschäftsführung für den Umlageausschuss der "
                "Gemeinde Sülzetal zur Unterzeichnung"
            ),
        ),
    ]


# --- invariants ------------------------------------------------------------------------------

EXPECTED_COUNTS = {  # (division, unit): (bodies, projects), counted by hand in the report
    ("I", "FB 01"): (4, 10),  # KITU is a project, not a body
    ("I", "Amt 12"): (6, 0),
    ("I", "Amt 31"): (0, 1),
    ("I", "Amt 30"): (3, 3),
    ("I", "FB 32"): (0, 13),
    ("I", "Amt 37"): (12, 6),
    ("I", "SAB"): (3, 4),
    ("II", "FB 02"): (2, 7),
    ("II", "FD 23.1"): (4, 0),
    ("II", "FD 23.2"): (3, 0),
    ("II", "II/01"): (0, 2),
    ("III", "Dezernat III"): (12, 15),
    ("IV", "FB 40"): (4, 4),
    ("IV", "Theater Magdeburg"): (1, 1),
    ("V", "Amt 51"): (1, 1),
    ("V", "Amt 53"): (2, 2),
    ("VI", "Amt 61"): (2, 3),
    ("VI", "FB 62"): (2, 2),
}


def test_units_in_order(records: list[MagdeburgRecord]) -> None:
    units = list(dict.fromkeys((r.division, r.unit) for r in records))
    assert units == list(EXPECTED_COUNTS)
    assert len(units) == 18


def test_counts_per_unit(records: list[MagdeburgRecord]) -> None:
    counts = Counter((r.division, r.unit, r.kind) for r in records)
    assert {
        key: (counts[(*key, "body")], counts[(*key, "project")]) for key in EXPECTED_COUNTS
    } == EXPECTED_COUNTS
    assert len(records) == 135


def test_every_record_is_clean(records: list[MagdeburgRecord]) -> None:
    for record in records:
        assert record.title
        for field in fields(record):
            value = getattr(record, field.name)
            for text in value if isinstance(value, tuple) else (value,):
                if not isinstance(text, str) or field.name == "notes":
                    continue
                assert text == " ".join(text.split()), (record, field.name)
                for remnant in ("<", ">", "•", "**", "&nbsp;", "\t"):
                    assert remnant not in text, (record, field.name)
                assert not text.startswith("- "), (record, field.name)


def test_line_ranges_point_at_table_rows(records: list[MagdeburgRecord], text: str) -> None:
    lines = text.split("\n")
    for record in records:
        assert 1 <= record.line_start <= record.line_end <= len(lines)
        assert "\t" in lines[record.line_start - 1]
    starts = [r.line_start for r in records]
    assert starts == sorted(starts)


def test_context_is_a_body_of_its_line(records: list[MagdeburgRecord]) -> None:
    # The single body of the line, or (several bodies) the one named by the note that chose it.
    for record in records:
        bodies = [r.title for r in on_line(records, record.line_start) if r.kind == "body"]
        if record.kind == "project" and record.unit != "FB 32" and len(bodies) == 1:
            assert record.context == bodies[0]
        elif record.kind == "project" and record.context is not None:
            assert record.context in bodies
            assert f"Gremium „{record.context}“ nach gemeinsamen Wörtern zugeordnet" in record.notes
        else:
            assert record.context is None


def test_sub_units_only_in_fb32(records: list[MagdeburgRecord]) -> None:
    assert {r.unit for r in records if r.sub_unit or r.partners_text} == {"FB 32"}
    assert all(r.sub_unit for r in records if r.unit == "FB 32")


def test_parse_is_pure(text: str, records: list[MagdeburgRecord]) -> None:
    assert parse_magdeburg(text) == records


# --- helpers ---------------------------------------------------------------------------------


def test_strip_markup() -> None:
    cell = '<ul style="list-style-type: none"> • <u>Vertikale</u> Zusammenarbeit </p>**&nbsp;x'
    assert strip_markup(cell) == "Vertikale Zusammenarbeit x"


def test_split_items() -> None:
    cell = '<ul style="list-style-type: none"> • A, • - B <p>C</p>  • '
    assert split_items(cell) == ["A", "B", "C"]
    assert split_items("•") == []


def test_join_items() -> None:
    assert join_items([]) is None
    assert join_items(["a", "b."]) == "a; b."
    assert join_items(["a.", "b", "c:"]) == "a. b; c:"


MARKUP = st.sampled_from(['<ul style="list-style-type: none">', "</ul>", "<p>", "</p>", "•"])
WORDS = st.text(alphabet="abcäöß -,.;:„“", min_size=1, max_size=12)


@given(st.lists(st.one_of(MARKUP, WORDS, st.just("<u>"), st.just("</u>")), max_size=20))
def test_split_items_leave_no_markup(pieces: list[str]) -> None:
    for item in split_items(" ".join(pieces)):
        assert item and item == item.strip()
        assert not any(mark in item for mark in ("<", ">", "•"))


LINES = st.sampled_from(
    [
        "",
        "Dezernat I",
        "Dezernat II",
        "FB 01",
        "Erfahrungsaustausch, Arbeitsgruppen, etc. allgemein\tKonkrete Projekte/Vereinbarungen\t\t",
        "\tThema\tArbeitsstand\tPerspektive",
        "AK Nord\tProjekt\tläuft\t2011",
        "<ul> • A • B <ul> • C\t<p>X</p>\t\t",
        "\tKITU\t<ul> Prüfung \t",
        "Erfahrungsaustausch, Arbeitsgruppen, etc. allgemein\t",
        "FD 1\t• a • b",
        "x\ty",
        "Ein langer Satz ohne Tabulator, der keine Überschrift sein kann, weil er zu lang ist.",
    ]
)


@given(st.lists(LINES, max_size=15))
def test_any_input_parses_or_raises_source_error(lines: list[str]) -> None:
    try:
        result = parse_magdeburg("\n".join(lines), source="x.txt")
    except SourceError as error:
        assert error.file == "x.txt"
    else:
        assert result


# --- bad input -------------------------------------------------------------------------------

HEADER = "Erfahrungsaustausch, Arbeitsgruppen, etc. allgemein\tKonkrete Projekte/Vereinbarungen\t\t"
COLUMNS = "\tThema\tArbeitsstand\tPerspektive"


def error_of(text: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        parse_magdeburg(text, source="md.txt")
    return caught.value


def test_small_document_parses() -> None:
    text = "\n".join(["Dezernat V", "", "Amt 51", "", HEADER, COLUMNS, "AK\tThema\tläuft\t"])
    assert parse_magdeburg(text) == [
        rec("V", "Amt 51", "body", "AK", 7),
        rec("V", "Amt 51", "project", "Thema", 7, context="AK", status_text="läuft"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", None, "leerer Text"),
        (" \n\t\n", None, "leerer Text"),
        ("Dezernat VII\n", 1, "unbekanntes Dezernat 'VII'"),
        ("FB 01\n\nDezernat I\n", 1, "Überschrift 'FB 01' vor dem ersten Dezernat"),
        (f"{HEADER}\n{COLUMNS}\nAK\tT\t\t", 1, "Tabelle vor der ersten Dezernats-Überschrift"),
        ("Dezernat I\n\nFB 01\n\nAK\tT\t\t\n", 5, "Tabellenzeile ohne Tabellenkopf darüber"),
        (f"Dezernat I\n\nFB 01\n\n{HEADER}\nAK\tT\t\t", 6, "erwartet den Spaltenkopf"),
        (f"Dezernat I\n\nFB 01\n\n{HEADER}\n{COLUMNS}\nAK\tT\t\t\textra", 7, "5 Spalten"),
        (
            "Dezernat I\n\nDieser Bericht ist kein Kopf einer Einheit, sondern laufender Text.\n",
            3,
            "unbekannte Überschrift oder verirrter Text",
        ),
        ("Dezernat I\nFB 01\n", 2, "unbekannte Überschrift oder verirrter Text"),
        ("Dezernat II\n\nDezernat I\n", 3, "Dezernat I steht außer der Reihe"),
    ],
)
def test_bad_input_names_file_and_line(text: str, line: int | None, message: str) -> None:
    error = error_of(text)
    assert (error.file, error.line) == ("md.txt", line)
    assert message in error.message


def test_truncated_file_fails_clearly(text: str) -> None:
    # Cut inside the last row: the row is short of columns.
    cut_row = text[: text.index("\tVereinbarung zur Übernahme der Geschäftsführung")]
    error = error_of(cut_row)
    assert (error.line, error.message) == (193, "Zeile hat 2 Spalten, erwartet 4")
    # Cut after the last unit heading: the unit has no rows.
    cut_heading = text[: text.index("FB 62\n") + len("FB 62\n")]
    error = error_of(cut_heading)
    assert (error.line, error.message) == (188, "Einheit 'FB 62' hat keine Tabellenzeilen")
    # Cut after the last table's header: the table has no rows.
    cut_header = text[: text.index('<ul style="list-style-type: none"> AG Ausgleichsflächen')]
    error = error_of(cut_header)
    assert (error.line, error.message) == (190, "Tabellenkopf ohne Zeilen")


@given(st.lists(st.text(min_size=1), max_size=6), st.lists(st.text(min_size=1), min_size=2, max_size=4))
def test_distribute_keeps_every_sentence_once(items: list[str], titles: list[str]) -> None:
    pieces = distribute(items, titles)
    if pieces is not None:
        assert len(pieces) == len(titles)
        assert sorted(s for piece in pieces for s in piece) == sorted(split_sentences(items))


def test_best_match_needs_a_distinctive_word() -> None:
    titles = [
        "AG „Standortatlas“ der Planungsregion Magdeburg",
        "AG „Imagefilm“ der Planungsregion Magdeburg",
    ]
    assert best_match("einen gemeinsamen Standortatlas", titles) == 0
    # "Planungsregion" is in both, "Magdeburg" is too common: no choice.
    assert best_match("Gewerbegebiete in der Planungsregion Magdeburg", titles) is None
    assert split_sentences(["Kooperation des Dez. III mit z. B. Burg. Beide Projekte laufen."]) == [
        "Kooperation des Dez. III mit z. B. Burg.",
        "Beide Projekte laufen.",
    ]
