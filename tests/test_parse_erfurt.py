"""Erfurt parser: golden records read off the document, invariants, the hyphen rule, bad input."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ikz.core.errors import SourceError
from ikz.core.paths import RAW_DIR
from ikz.core.records import ErfurtRecord
from ikz.parse.erfurt import (
    HEADER,
    clean_cell,
    join_broken_words,
    parse_erfurt,
    repair_split_effects,
    type_is_unfinished,
)
from tests.seed_files import ERFURT_FILE

TEXT = (RAW_DIR / ERFURT_FILE).read_text(encoding="utf-8")
LINES = TEXT.split("\n")
RECORDS = parse_erfurt(TEXT)
BY_START = {r.line_start: r for r in RECORDS}
HEADER_LINE = "\t".join(HEADER)

# Written from reading the document, line by line; not copied from the parser's output.
GOLDEN = [
    # The first row: wrapped, department and Bezeichnung run on to line 3 ("Ost-" / "thüringen").
    ErfurtRecord(
        department="Beteiligungsmanagement",
        title="Altlastenzweckverband Nord-/ Ostthüringen",
        type_raw="Zweckverband",
        effects_text="Beseitigung von Altlasten der Verbandsmitglieder im Sinne kontaminierter Flächen",
        line_start=2,
        line_end=3,
    ),
    # A wrapped Effekte over eight lines, with "Wasser-" / "versorgungsanlagen" across a line end.
    ErfurtRecord(
        department="Beteiligungsmanagement",
        title="Zweckverband Wasserversorgung Erfurter Becken",
        type_raw="Zweckverband",
        effects_text=(
            "Beschaffung und Erschließung von Wasser; Wasserversorgungsanlagen planen, errichten, "
            "übernehmen, betreiben und erneuern; die Einwohner im Gebiet mit Trink- und Brauchwasser "
            "versorgen sowie Wasser für öffentliche Zwecke bereitstellen und soweit das verfügbare Wasser "
            "ausreicht, für gewerbliche und sonstige Zwecke abgeben"
        ),
        line_start=8,
        line_end=15,
    ),
    # One row naming three bodies; the department wraps ("Personal- und" / "Organisationsamt").
    ErfurtRecord(
        department="Personal- und Organisationsamt",
        title=(
            "AG Personal des Gemeinde- und Städtebundes Thüringen, Einzelkooperationen im Bereich "
            "Personalentwicklung, Arbeitskreis Personalamtsleiter der kreisfreien Städte in Thüringen"
        ),
        type_raw="lose Kooperation",
        effects_text=(
            "Erfahrungsaustausch zu bereits funktionierenden Abläufen und Prozessen, "
            "Aufwand für die Eigenentwicklung von Lösungen können minimieren werden"
        ),
        line_start=25,
        line_end=30,
    ),
    # Across the page break: line 35 (after the repeated header) continues Bezeichnung and Effekte.
    ErfurtRecord(
        department="Stadtkämmerei",
        title="Deutscher Städtetag, Gemeinde- und Städtebund Thüringen",
        type_raw="Arbeitskreise",
        effects_text=(
            "Kommunaler Informations- und Erfahrungsaustausch, zeitnaher Zugriff auf ggf. gesetzliche "
            "Veränderungen, sonstiger fachlicher Austausch"
        ),
        line_start=31,
        line_end=35,
    ),
    # One line per row from here: "Gebäude- management".
    ErfurtRecord(
        department="Amt für Gebäudemanagement",
        title=(
            "Deutscher Verband für Facility Management (gefma), Verband kommunaler Immobilien- und "
            "Gebäudewirtschaften e.V. (VKIG), Arbeitskreis Maschinen- und Elektrotechnik staatlicher und "
            "kommunaler Verwaltungen (AMEV)"
        ),
        type_raw="Arbeitsgruppen, Gremien und lose Kooperationen",
        effects_text=(
            "Kosteneinsparungen, Optimierung interner Prozesse, Stärkung der Fachkompetenz, "
            "Standardisierung und Professionalisierung von Abläufen, Personalentwicklung und -entlastung"
        ),
        line_start=36,
        line_end=36,
    ),
    # The Zweckvereinbarung row: its Effekte continue on line 44, after the page break.
    ErfurtRecord(
        department="Bürgeramt",
        title=(
            "Übertragung von Aufgaben bei der Überwachung des ruhenden Verkehrs im Bereich des "
            "Alperstedter Sees mit Verwalungsgemeinschaft Gramme-Vippach"
        ),
        type_raw="Zweckvereinbarung",
        effects_text=(
            "Überwachung und Feststellung von geringfügigen Ordnungswidrigkeiten im ruhenden Verkehr, "
            "Verfolgung und Ahndung entsprechender Verstöße, Befugnis zur Identitätsfeststellung bei der "
            "Verfolgung von Ordnungswidrigkeiten, Anordnung der Halterhaftung, Entscheidung zur Anordnung "
            "verbotswidrig abgestellte Fahrzeuge abschleppen zu lassen, Erhebung und Vereinnahmung von "
            "Verwarnungs- und Bußgeldern sowie Gebühren aus/ zu den obigen Verfahren"
        ),
        line_start=41,
        line_end=44,
    ),
    ErfurtRecord(
        department="Bürgeramt",
        title="Kfz-Zulassung/Fahrerlaubnis",
        type_raw="Unterarbeitskreis",
        effects_text="regelmäßiger Informations- und Erfahrungsaustausch",
        line_start=49,
        line_end=49,
    ),
    # "Brand- schutz, Rettungs- dienst und Kata- strophenschutz", "Ausbildungsver- bundes".
    ErfurtRecord(
        department="Amt für Brandschutz, Rettungsdienst und Katastrophenschutz",
        title="Gründung des Ausbildungsverbundes in Thüringen (mit Gera und Jena)",
        type_raw="Zweckvereinbarung",
        effects_text=(
            "aktiver Erfahrungsaustausch, für wesentliche Belange der Feuerwehren, des Rettungsdienstes "
            "sowie des Katastrophenschutzes"
        ),
        line_start=53,
        line_end=53,
    ),
    ErfurtRecord(
        department="Amt für Brandschutz, Rettungsdienst und Katastrophenschutz",
        title=(
            "Wahrnehmung der Aufgaben des bodengebundenen Rettungsdienstes für den kreisübergreifenden "
            "Einsatz mit den Landkreisen Weimarer Land, Ilmkreis, Gotha, Sömmerda"
        ),
        type_raw="Zweckvereinbarungen",
        effects_text=(
            "können einheitliche Standards und Empfehlungen entwickelt werden, Prozesse werden effektiver "
            "und wirtschaftlicher umgesetzt und Redundanzen werden geschaffen"
        ),
        line_start=56,
        line_end=56,
    ),
    # A row without Effekte.
    ErfurtRecord(
        department="Amt für Brandschutz, Rettungsdienst und Katastrophenschutz",
        title=(
            "Einrichtung und der Betrieb der technischen Ausstattung für die Zentralen Leitstellen "
            "Erfurt und Nordhausen"
        ),
        type_raw="Zweckvereinbarung",
        effects_text=None,
        line_start=57,
        line_end=57,
    ),
    # One-line style across a page break (line 64 holds only Effekte).
    ErfurtRecord(
        department="Veterinär- und Lebensmittelüberwachungsamt",
        title="Zweckverband Tierkörperbeseitigung mit allen Landkreisen und kreisfreien Stadt Thüringens",
        type_raw="Zweckverband",
        effects_text=(
            "organisiert die Beseitigung von Tierkörpern einschließlich Abschluss von Verträgen mit dem "
            "Entsorgungsunternehmen und Abrechnung anfallender Kosten, ermöglicht gegenüber dem Entsorger "
            "in entsprechend günstigere Position bei der Vertragsgestaltung aufzutreten und die Abrechnung "
            "wird bei der Geschäftsstelle gebündelt, woraus eine erhebliche Einsparung von Personal folgt"
        ),
        line_start=61,
        line_end=64,
    ),
    # Effekte shift, Medienlogistik: "Gewährleistung eines effizienten" waits for "Medientransports".
    ErfurtRecord(
        department="Amt für Bildung",
        title="ThueBIBnet (Thüringer Online-Bibliothek) und PressReader",
        type_raw="Kooperationen auf vertraglicher Basis",
        effects_text="Zugang zu digitalen Medien ermöglichen",
        line_start=67,
        line_end=67,
        notes=(
            "Effekte: unvollständige Wendung 'Gewährleistung eines effizienten' zur folgenden Zeile "
            "(Z. 68) verschoben, wo ihr Nomen steht",
        ),
    ),
    ErfurtRecord(
        department="Amt für Bildung",
        title="Interkommunalen Medienlogistik",
        type_raw="Vereinbarungen",
        effects_text="Gewährleistung eines effizienten Medientransports und Ressourcenteilung",
        line_start=68,
        line_end=68,
        notes=(
            "Effekte: Anfang 'Gewährleistung eines effizienten' stand in der vorigen Zeile (Z. 67), "
            "hierher verschoben",
        ),
    ),
    # Effekte shift, Volkshochschule: "Spektrums an" waits for "Informations- und Bildungsangeboten".
    # The title's "du" is the source's misprint for "und", kept as printed.
    ErfurtRecord(
        department="Amt für Bildung",
        title="Volkshochschulen auf Landes- du Bundesebene",
        type_raw="lokalen und überregionalen Arbeitskreisen und Arbeitsgruppen",
        effects_text="Mitwirkung an der Ausgestaltung einer bedarfsgerechten kommunalen Bildungslandschaft,",
        line_start=73,
        line_end=73,
        notes=(
            "Effekte: unvollständige Wendung 'Bereitstellung eines breiteren Spektrums an' zur folgenden "
            "Zeile (Z. 74) verschoben, wo ihr Nomen steht",
        ),
    ),
    ErfurtRecord(
        department="Amt für Bildung",
        title=(
            "Thüringer Volkshochschulverband (TVV), Deutschen Volkshochschulverbandes (DVV) mit kommunalen "
            "und privatwirtschaftlichen Akteuren"
        ),
        type_raw="Mitgliedschaft",
        effects_text=(
            "Bereitstellung eines breiteren Spektrums an Informations- und Bildungsangeboten, gemeinsamen "
            "Planung und Bewerbung von Veranstaltungen, Adaptierung erfolgreicher Kooperationsmodelle "
            "anderer Kommunen,"
        ),
        line_start=74,
        line_end=74,
        notes=(
            "Effekte: Anfang 'Bereitstellung eines breiteren Spektrums an' stand in der vorigen Zeile "
            "(Z. 73), hierher verschoben",
        ),
    ),
    # A spaced dash stays a dash.
    ErfurtRecord(
        department="Tiefbau- und Verkehrsamt",
        title="Verkehrsverbund Mittelthüringen - ÖPNV",
        type_raw="Verbund",
        effects_text=(
            "gebietsübergreifender Linienverkehr, Verknüpfung bei Tarif- und Fahrplanabstimmung mit "
            "anderen Kommunen, Kosten- und Personaleinsparungen, Qualitätsverbesserungen für ÖPNV-Nutzer"
        ),
        line_start=99,
        line_end=99,
    ),
    ErfurtRecord(
        department="Entwässerungsbetrieb",
        title=(
            "Einleitung von Abwasser aus sechs umliegenden Gemeinden und Verbänden in die Abwasseranlagen "
            "der Stadtge. § 7 ThürKGG"
        ),
        type_raw="Zweckvereinbarung",
        effects_text=(
            "gewährleistet, dass das Abwasser der Einleiter in den leistungsfähigen "
            "Abwasserbehandlungsanlagen gesetzeskonform geklärt wird regelt die verursachergerechte "
            "Kostenverteilung"
        ),
        line_start=113,
        line_end=113,
    ),
    # Wrapped again: a three-line department and a twelve-line Effekte.
    ErfurtRecord(
        department="Amt für Stadtentwicklung und Stadtplanung",
        title="Kommunale Arbeitsgemeinschaft (KAG) Erfurter Seen",
        type_raw="Arbeitsgemeinschaft",
        effects_text=(
            "Erarbeitung des Regionalen Entwicklungskonzeptes (REK) als Grundlage für die Zusammenarbeit "
            "mit den Gemeinden Alperstedt, Nöda, Elxleben und Riethnordhausen und stellt einen "
            "Handlungsrahmen für die kommenden Jahrzehnte dar (nachhaltige Entwicklung der Seenlandschaft, "
            "Entwicklung zu einer attraktiven Naherholungs- und Tourismusdestination); Aufteilung der "
            "Kosten entsprechend Umlageschlüssel; gemeinsame Öffentlichkeitsarbeit und Beschilderung im "
            "Bereich der Radwege"
        ),
        line_start=118,
        line_end=129,
    ),
    # Bezeichnung wrapped over four lines, the Effekte over two.
    ErfurtRecord(
        department="Amt für Stadtentwicklung und Stadtplanung",
        title=(
            'LEADER Aktionsgruppen "Gotha – Ilmkreis – Erfurt", "Weimarer Land - Mittelthüringen", '
            '"Sömmerda - Erfurt"'
        ),
        type_raw="Verein",
        effects_text="Stärkung des ländlichen Raumes; Einwerbung von Fördermitteln",
        line_start=134,
        line_end=137,
    ),
    # Wrapped across the last page break: "Arten-" / "schutz" on lines 152-153.
    ErfurtRecord(
        department="Thüringer Zoopark",
        title="Verband der Zoologischen Gärten",
        type_raw="Arbeitsgruppen",
        effects_text=(
            "dient dem Austausch sowie der steten Verbesserung insb. im Bereich der Tierhaltung, "
            "Tiergesundheit, aber auch der Besucherangebote, Wirtschaftlichkeit sowie den Bereichen "
            "Artenschutz, Forschung und Wissenschaft"
        ),
        line_start=147,
        line_end=153,
    ),
    # Wrapped Kooperationsart over three lines; Effekte shift: "adap-" is completed by "tiert …".
    ErfurtRecord(
        department="Erfurter Sportbetrieb",
        title='"Arbeitsgemeinschaft Deutscher Sportämter e.V." (ADS), "AG Stadien"',
        type_raw="Arbeitsgemeinschaft mit themenbezogenen Arbeitsgruppen",
        effects_text=(
            "ein interkommunaler Erfahrungsaustausch bei dem Anregungen/ Hinweise oder modellhafte Vorhaben "
            "aufgegriffen werden, um sie ggf. adaptiert in den Alltag vor Ort einfließen zu lassen"
        ),
        line_start=154,
        line_end=156,
        notes=(
            "Effekte: 'tiert in den Alltag vor Ort einfließen zu lassen' aus der folgenden Zeile (Z. 157) "
            "hierher verschoben, Rest des getrennten Wortes 'adap-'",
        ),
    ),
    # The last row: its only Effekte text was the rest of the row above.
    ErfurtRecord(
        department="Erfurter Sportbetrieb",
        title='"Thüringer Sportämterkonferenz"',
        type_raw="Interessengemeinschaft",
        effects_text=None,
        line_start=157,
        line_end=157,
        notes=(
            "Effekte: 'tiert in den Alltag vor Ort einfließen zu lassen' zur vorigen Zeile (Z. 154) "
            "verschoben, Rest des getrennten Wortes 'adap-'",
        ),
    ),
]

DEPARTMENTS = [
    "Beteiligungsmanagement",
    "Personal- und Organisationsamt",
    "Stadtkämmerei",
    "Amt für Gebäudemanagement",
    "Umwelt- und Naturschutzamt",
    "Bürgeramt",
    "Amt für Brandschutz, Rettungsdienst und Katastrophenschutz",
    "Veterinär- und Lebensmittelüberwachungsamt",
    "Amt für Bildung",
    "Amt für Soziales",
    "Jugendamt",
    "Gesundheitsamt",
    "Bauamt, Abt. Bauaufsicht",
    "Tiefbau- und Verkehrsamt",
    "Garten- und Friedhofsamt",
    "Entwässerungsbetrieb",
    "Amt für Stadtentwicklung und Stadtplanung",
    "Thüringer Zoopark",
    "Erfurter Sportbetrieb",
]

# A lowercase letter, "- ", a lowercase letter: a broken word left unjoined. Elliptical hyphens before
# a conjunction are fine; "du" is the source's misprint for "und" (line 73, kept as printed).
BROKEN_REMNANT = re.compile(r"[a-zäöüß]- (?!(?:und|oder|sowie|du)\b|bzw\.)[a-zäöüß]")


def _texts(record: ErfurtRecord) -> list[str]:
    return [t for t in (record.department, record.title, record.type_raw, record.effects_text) if t]


# --- golden records -----------------------------------------------------------------------------


@pytest.mark.parametrize("expected", GOLDEN, ids=lambda r: f"line{r.line_start}")
def test_golden_record(expected: ErfurtRecord) -> None:
    assert BY_START[expected.line_start] == expected


def test_first_and_last_record() -> None:
    assert RECORDS[0] == GOLDEN[0]
    assert RECORDS[-1] == GOLDEN[-1]


# --- invariants ---------------------------------------------------------------------------------


def test_count() -> None:
    assert len(RECORDS) == 78


def test_departments_in_order_of_first_appearance() -> None:
    assert list(dict.fromkeys(r.department for r in RECORDS)) == DEPARTMENTS


def test_departments_are_contiguous() -> None:
    # "Same as above" means a department's rows are one block: it never reappears later.
    blocks = [
        d for i, d in enumerate(r.department for r in RECORDS) if i == 0 or RECORDS[i - 1].department != d
    ]
    assert blocks == DEPARTMENTS


def test_no_broken_word_remnants() -> None:
    remnants = [(r.line_start, t) for r in RECORDS for t in _texts(r) if BROKEN_REMNANT.search(t)]
    assert remnants == []


def test_whitespace_is_normalised() -> None:
    for record in RECORDS:
        for text in _texts(record):
            assert "\t" not in text and "  " not in text and text == text.strip(), record


def test_every_row_has_title_and_type() -> None:
    assert all(r.title and r.type_raw for r in RECORDS)


def test_line_ranges_increase_and_stay_in_the_file() -> None:
    assert RECORDS[0].line_start == 2
    for before, after in itertools.pairwise(RECORDS):
        assert before.line_start <= before.line_end < after.line_start
    assert RECORDS[-1].line_end == len(LINES)


def test_every_content_line_belongs_to_a_record() -> None:
    # No row dropped silently: each non-blank, non-header line lies in exactly one record's range.
    covered = [n for r in RECORDS for n in range(r.line_start, r.line_end + 1)]
    content = [n for n, line in enumerate(LINES, start=1) if line.strip() and line != HEADER_LINE]
    assert set(content) <= set(covered)
    assert len(covered) == len(set(covered))


def test_only_the_shifted_effects_are_repaired() -> None:
    assert [r.line_start for r in RECORDS if r.notes] == [67, 68, 73, 74, 154, 157]


def test_crlf_line_endings_parse_the_same() -> None:
    assert parse_erfurt(TEXT.replace("\n", "\r\n")) == RECORDS


# --- hyphen rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "cleaned"),
    [
        ("Erfahrungsaus- tausch", "Erfahrungsaustausch"),
        ("Rettungs- dienst", "Rettungsdienst"),
        ("Kata- strophenschutz", "Katastrophenschutz"),
        ("Wasser- versorgungsanlagen", "Wasserversorgungsanlagen"),
        ("Stadt- entwässerungen", "Stadtentwässerungen"),
        ("Lebensmittel- überwachungs- amt", "Lebensmittelüberwachungsamt"),
        ('"Austausch- strecken"', '"Austauschstrecken"'),
        # a capitalised part: the hyphen of a compound or name stays, the space goes
        ("Gramme- Vippach", "Gramme-Vippach"),
        ("Online- Bibliothek", "Online-Bibliothek"),
        ("Lebensmittel- Überwachungs- amt", "Lebensmittel-Überwachungsamt"),
        # elliptical hyphen before a conjunction stays with its space
        ("Gemeinde- und Städtebund", "Gemeinde- und Städtebund"),
        ("Informations- und", "Informations- und"),
        ("Bundes- oder Landesebene", "Bundes- oder Landesebene"),
        ("Tarif- bzw. Fahrplan", "Tarif- bzw. Fahrplan"),
        ("Kosten- sowie Personal", "Kosten- sowie Personal"),
        ("Landes- du Bundesebene", "Landes- du Bundesebene"),
        # a conjunction must be a whole word
        ("Landes- dual", "Landesdual"),
        ("Wort- und- teil", "Wortundteil"),
        ("Nord-/ Ost- thüringen", "Nord-/ Ostthüringen"),
        # spaced dashes, leading hyphens and digits are not broken words
        ("Verkehrsverbund Mittelthüringen - ÖPNV", "Verkehrsverbund Mittelthüringen - ÖPNV"),
        ("ÖPNV - Nutzer", "ÖPNV - Nutzer"),
        ("Personalentwicklung und -entlastung", "Personalentwicklung und -entlastung"),
        ("7- tägig", "7- tägig"),
        ("adap-", "adap-"),
    ],
)
def test_join_broken_words(printed: str, cleaned: str) -> None:
    assert join_broken_words(printed) == cleaned


@pytest.mark.parametrize(
    ("pieces", "cleaned"),
    [
        (["Beteiligungs-", "management"], "Beteiligungsmanagement"),
        (["Personal- und", "Organisationsamt"], "Personal- und Organisationsamt"),
        (
            ["Wirtschaftlichkeit sowie den Bereichen Arten-", "schutz, Forschung"],
            "Wirtschaftlichkeit sowie den Bereichen Artenschutz, Forschung",
        ),
        (
            ["  Kommunaler   Informations- und Erfahrungsaus-", "tausch, "],
            "Kommunaler Informations- und Erfahrungsaustausch,",
        ),
        (["Amt für", "Stadtentwicklung", "und Stadtplanung"], "Amt für Stadtentwicklung und Stadtplanung"),
    ],
)
def test_clean_cell_joins_wrapped_lines(pieces: list[str], cleaned: str) -> None:
    assert clean_cell(pieces) == cleaned


@pytest.mark.parametrize(
    ("type_text", "unfinished"),
    [
        ("Arbeitsgemeinschaft mit", True),
        ("Arbeitsgemeinschaft mit themenbezogenen", True),
        ("Arbeits-", True),
        ("Arbeitsgemeinschaft mit themenbezogenen Arbeitsgruppen", False),
        ("Interkommunale Arbeits- gruppe", False),
        ("lose Kooperation", False),
        ("Arbeitskreise (mit und ohne vertraglicher Basis)", False),
        ("", False),
    ],
)
def test_type_is_unfinished(type_text: str, unfinished: bool) -> None:
    assert type_is_unfinished(type_text) is unfinished


_WORDS = st.sampled_from(
    [
        "Wort",
        "teil",
        "und",
        "oder",
        "bzw.",
        "sowie",
        "du",
        "Über",
        "über",
        "ÖPNV",
        "-",
        "a",
        "7",
        "/",
        "Nord-/",
    ]
)
_JOINERS = st.sampled_from([" ", "- ", "-", " - ", "-/ "])


@st.composite
def _hyphenated_texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORDS, min_size=1, max_size=12))
    joiners = draw(st.lists(_JOINERS, min_size=len(words) - 1, max_size=len(words) - 1))
    return words[0] + "".join(j + w for j, w in zip(joiners, words[1:], strict=True))


@given(st.one_of(_hyphenated_texts(), st.text(alphabet="aAüÜ- ./u nd7", max_size=40)))
def test_join_broken_words_is_idempotent_and_only_drops_hyphens_and_spaces(text: str) -> None:
    once = join_broken_words(text)
    assert join_broken_words(once) == once
    # It only ever removes a "-" or a " " of a "- ": no letter is lost, added or reordered.
    assert once.replace("-", "").replace(" ", "") == text.replace("-", "").replace(" ", "")


@given(st.text(max_size=60).filter(lambda t: "- " not in t))
def test_join_broken_words_leaves_text_without_hyphen_space_alone(text: str) -> None:
    assert join_broken_words(text) == text


_CAP_WORDS = st.lists(
    st.sampled_from(["Amt", "Verein", "Städtetag", "Thüringen", "Netzwerk", "Kosten"]), min_size=1, max_size=4
)


@given(
    st.lists(
        st.tuples(_CAP_WORDS, _CAP_WORDS, _CAP_WORDS, st.one_of(st.just([]), _CAP_WORDS), st.booleans()),
        min_size=1,
        max_size=8,
    )
)
def test_one_line_per_row_tables_round_trip(rows: list[tuple[list[str], ...]]) -> None:
    # Each line with a Kooperationsart is one record; an empty department repeats the one above.
    lines = [HEADER_LINE]
    expected = []
    department = ""
    for i, (dept, title, kind, effects, repeat) in enumerate(rows):
        new_department = i == 0 or not repeat
        department = " ".join(dept) if new_department else department
        lines.append(
            "\t".join(
                [department if new_department else "", " ".join(title), " ".join(kind), " ".join(effects)]
            )
        )
        expected.append(
            ErfurtRecord(department, " ".join(title), " ".join(kind), " ".join(effects) or None, i + 2, i + 2)
        )
    assert parse_erfurt("\n".join(lines)) == expected


# --- Effekte repair, in isolation ---------------------------------------------------------------


def _record(effects: str | None, line: int, department: str = "Amt") -> ErfurtRecord:
    return ErfurtRecord(department, f"Titel {line}", "Verein", effects, line, line)


def test_repair_leaves_complete_effects_alone() -> None:
    records = [
        _record("Austausch der Leitungen,", 2),
        _record("Wissenstransfer", 3),
        _record("Kosten abgeben", 4),
    ]
    assert repair_split_effects(records) == records


def test_repair_does_not_cross_departments() -> None:
    records = [_record("um sie ggf. adap-", 2, "Amt A"), _record("tiert in den Alltag", 3, "Amt B")]
    assert repair_split_effects(records) == records


def test_repair_moves_only_the_first_clause_up() -> None:
    repaired = repair_split_effects([_record("Sport adap-", 2), _record("tiert vor Ort, Beratung", 3)])
    assert [r.effects_text for r in repaired] == ["Sport adaptiert vor Ort", "Beratung"]


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "  \t \n"])
def test_empty_text_is_an_error(text: str) -> None:
    with pytest.raises(SourceError, match="leerer Text") as info:
        parse_erfurt(text, source="leer.tsv")
    assert info.value.file == "leer.tsv"


def test_missing_header_is_an_error() -> None:
    with pytest.raises(SourceError, match="Kopfzeile") as info:
        parse_erfurt("\n".join(LINES[1:]))
    assert info.value.line == 1


def test_wrong_header_is_an_error() -> None:
    with pytest.raises(SourceError, match="Kopfzeile") as info:
        parse_erfurt("Amt\tBezeichnung\tArt\tEffekte\n" + "\n".join(LINES[1:]))
    assert info.value.line == 1


def test_header_only_is_an_error() -> None:
    with pytest.raises(SourceError, match="keine Zeilen"):
        parse_erfurt(HEADER_LINE + "\n")


def test_five_columns_name_the_line() -> None:
    lines = list(LINES)
    lines[44] += "\tzu viel"  # line 45
    with pytest.raises(SourceError, match="gefunden 5") as info:
        parse_erfurt("\n".join(lines), source=ERFURT_FILE)
    assert (info.value.file, info.value.line) == (ERFURT_FILE, 45)
    assert f"{ERFURT_FILE}:45:" in str(info.value)


def test_three_columns_are_an_error() -> None:
    # The extraction keeps trailing tabs on every line, so a short line has lost a cell boundary.
    lines = list(LINES)
    lines[56] = "\tEinrichtung und der Betrieb\tZweckvereinbarung"  # line 57 without its empty Effekte cell
    with pytest.raises(SourceError, match="gefunden 3") as info:
        parse_erfurt("\n".join(lines))
    assert info.value.line == 57


def test_first_three_lines_parse_to_the_first_record() -> None:
    assert parse_erfurt("\n".join(LINES[:3])) == [GOLDEN[0]]


def test_file_cut_mid_line_fails_at_that_line() -> None:
    cut = "\n".join(LINES[:2]) + "\nmanagement\tthür"
    with pytest.raises(SourceError, match="gefunden 2") as info:
        parse_erfurt(cut)
    assert info.value.line == 3


def test_continuation_before_the_first_row_is_an_error() -> None:
    with pytest.raises(SourceError, match="Fortsetzungszeile vor") as info:
        parse_erfurt(f"{HEADER_LINE}\nAmt\tVerein ohne Art\t\tAustausch")
    assert info.value.line == 2


def test_row_without_department_is_an_error() -> None:
    with pytest.raises(SourceError, match="Fachbereich/Amt") as info:
        parse_erfurt(f"{HEADER_LINE}\n\tVerein\tMitgliedschaft\tAustausch")
    assert info.value.line == 2


def test_department_text_under_an_inherited_row_is_an_error() -> None:
    text = f"{HEADER_LINE}\nAmt\tVerein\tMitgliedschaft\tAustausch\n\tVerband\tMitgliedschaft\t\nAmt B\t\t\t"
    with pytest.raises(SourceError, match="Fortsetzungszeile einer Zeile, die selbst keinen nennt") as info:
        parse_erfurt(text)
    assert info.value.line == 4
