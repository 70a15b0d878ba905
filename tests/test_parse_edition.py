"""Reading and validating edition files: every problem at once, in German, with row, column and value."""

from __future__ import annotations

from datetime import date

import pytest

from ikz.core.records import EditionRecord
from ikz.derive.diff import diff_editions
from ikz.parse.edition import (
    EditionInvalid,
    decode_csv,
    detect_delimiter,
    parse_edition,
    parse_euro,
    parse_year,
)

AS_OF = date(2026, 11, 30)
KNOWN = ("Amt für Bildung", "Umwelt- und Naturschutzamt")
HEADER = (
    "Schlüssel;Fachbereich/Amt;Bezeichnung;Kooperationsart;Effekte;Beginn (Jahr);Ende;Status;"
    "Einsparung (€/Jahr)"
)


def parse(text: str, name: str = "liste.csv", encoding: str = "utf-8", **kwargs: object):
    return parse_edition(
        text.encode(encoding), name, city="Erfurt", as_of=AS_OF, known_departments=KNOWN, **kwargs
    )


def test_every_problem_is_reported_at_once_with_row_column_and_value() -> None:
    text = "\n".join(
        [
            HEADER,
            "EF-1;Amt für Bildung;Schulnetz;Zweckvereinbarung;Austausch;2019;;laufend;12.500",
            "EF-1;Amt für Bldung;;Neue Art;;2203;;;zwölf",
            ";Umwelt- und Naturschutzamt;Klima;;;1850;2030;;",
        ]
    )
    with pytest.raises(EditionInvalid) as caught:
        parse(text)
    found = [
        (p.row, p.column, p.value, p.message.split(" –")[0].split(" (")[0]) for p in caught.value.problems
    ]
    assert found == [
        (2, "Schlüssel", "EF-1", "Schlüssel kommt mehrfach vor; jeder Schlüssel darf nur einmal stehen"),
        (3, "Schlüssel", "EF-1", "Schlüssel kommt mehrfach vor; jeder Schlüssel darf nur einmal stehen"),
        (3, "Fachbereich/Amt", "Amt für Bldung", "unbekannter Fachbereich/Amt"),
        (3, "Bezeichnung", None, "Pflichtfeld ist leer"),
        (3, "Beginn (Jahr)", "2203", "kein gültiges Jahr"),
        (3, "Einsparung (€/Jahr)", "zwölf", "keine Zahl: bitte den Betrag in Euro ohne Text eintragen"),
        (4, "Beginn (Jahr)", "1850", "kein gültiges Jahr"),
    ]
    report = caught.value.report()
    assert report.startswith("liste.csv: 7 Probleme gefunden – es wurde nichts übernommen.")
    assert "meinten Sie „Amt für Bildung“?" in report
    assert "Zeile 3, Spalte „Einsparung (€/Jahr)“, Wert „zwölf“: keine Zahl" in report


def test_unknown_type_is_accepted_as_new_raw_type_and_named() -> None:
    text = f"{HEADER}\n;Amt für Bildung;Schulnetz;Innovationspartnerschaft;Austausch;;;;\n"
    parsed = parse(text, type_known=lambda t: t != "Innovationspartnerschaft")
    assert parsed.new_types == ("Innovationspartnerschaft",)
    assert parsed.records[0].type_raw == "Innovationspartnerschaft"


def test_a_confirmed_new_department_name_is_accepted() -> None:
    text = f"{HEADER}\nEF-1;Amt für Schule und Bildung;Schulnetz;Zweckvereinbarung;;;;;\n"
    with pytest.raises(EditionInvalid):
        parse(text)
    parsed = parse(text, accepted_departments=["Amt für Schule und Bildung"])
    assert parsed.new_departments == ("Amt für Schule und Bildung",)


def test_a_department_the_taxonomy_cannot_place_is_an_error_even_when_confirmed() -> None:
    text = f"{HEADER}\nEF-1;Referat X;Schulnetz;Zweckvereinbarung;;;;;\n"
    with pytest.raises(EditionInvalid) as caught:
        parse(text, accepted_departments=["Referat X"], department_has_area=lambda name: name != "Referat X")
    assert "kein Aufgabenbereich hinterlegt" in caught.value.report()


def test_csv_in_windows_1252_with_semicolons_and_utf8_with_commas_read_the_same() -> None:
    rows = [
        HEADER,
        "EF-1;Amt für Bildung;Schulnetz „Süd“;Zweckvereinbarung;Kosten;2019;2030;laufend;12.500,50",
    ]
    cp1252 = parse("\n".join(rows), encoding="cp1252")
    utf8 = parse("\n".join(r.replace(";", ",").replace("12.500,50", '"12.500,50"') for r in rows))
    assert cp1252.records == utf8.records
    r = cp1252.records[0]
    assert (r.title, r.start_year, r.end_year, r.status_text, r.savings_eur_per_year) == (
        "Schulnetz „Süd“",
        2019,
        2030,
        "laufend",
        12500.5,
    )
    assert "Windows-1252" in cp1252.notices[0] and "Semikolon" in cp1252.notices[0]


def test_values() -> None:
    assert [
        parse_euro(v) for v in ("12500", "12.500", "12.500,50", "12500,5", "12500.5", "12 500 €", "ca. 5")
    ] == [
        12500.0,
        12500.0,
        12500.5,
        12500.5,
        12500.5,
        12500.0,
        None,
    ]
    assert [parse_year(v) for v in ("2019", "2019.0", "2019-05-01", "01.05.2019", "19", "zwanzig")] == [
        2019,
        2019,
        2019,
        2019,
        None,
        None,
    ]
    assert detect_delimiter("a;b,c;d\n") == ";" and detect_delimiter("a,b,c\n") == ","
    assert decode_csv("ä".encode("cp1252"))[1] == "Windows-1252"


def test_missing_columns_and_an_unknown_format_are_german_problems() -> None:
    with pytest.raises(EditionInvalid) as caught:
        parse("Fachbereich/Amt,Bezeichnung\nAmt für Bildung,A\n")
    assert {p.column for p in caught.value.problems} == {"Kooperationsart", "Effekte"}
    with pytest.raises(EditionInvalid) as caught:
        parse("x", name="liste.pdf")
    assert "Excel-Datei (.xlsx)" in caught.value.report()


def test_rows_without_key_get_a_derived_one_and_keep_a_given_one() -> None:
    text = f"{HEADER}\nEF-given;Amt für Bildung;A;;;;;;\n;Amt für Bildung;B;;;;;;\n;Amt für Bildung;B;;;;;;\n"
    keys = [r.key for r in parse(text).records]
    assert keys[0] == "EF-given" and keys[1].startswith("EF-") and keys[2] == f"{keys[1]}-2"


def record(key: str, title: str, department: str = "Amt für Bildung", *, given: bool = True, **kw: object):
    return EditionRecord(key, department, title, "Netzwerk", "Austausch", 2, 2, key_given=given, **kw)  # type: ignore[arg-type]


def test_diff_matches_by_key_then_title_and_lists_changed_fields() -> None:
    old = [
        record("K1", "Schulnetz"),
        record("K2", "Bibliotheksverbund Thüringen"),
        record("K3", "Altes Projekt"),
        record("K4", "Unverändert"),
    ]
    new = [
        record("K1", "Schulnetz", status_text="laufend"),
        record("X", "Bibliotheksverbund Thüringen e.V.", given=False),
        record("K4", "Unverändert"),
        record("Y", "Ganz Neues", given=False),
    ]
    diff = diff_editions(old, new)
    got = {(c.change, c.key, c.match) for c in diff.changes}
    assert got == {
        ("geändert", "K1", "Schlüssel"),
        ("geändert", "K2", "ähnlich"),
        ("unverändert", "K4", "Schlüssel"),
        ("neu", "Y", None),
        ("entfallen", "K3", None),
    }
    assert diff.summary_line() == "neu 1, entfallen 1, geändert 2, unverändert 1"
    changed = next(c for c in diff.changes if c.key == "K1")
    assert [f.text() for f in changed.fields] == ["Status: – → „laufend“"]
    assert [c.key for c in diff.to_confirm()] == ["K2"]
    assert diff.key_map() == {2: "K2"}  # the row without Schlüssel keeps K2 once confirmed
    rejected = diff_editions(old, new, rejected=["K2"])
    assert rejected.counts() == {"neu": 2, "entfallen": 2, "geändert": 1, "unverändert": 1}


def test_magdeburg_template_keeps_bodies_projects_their_body_and_outlook(tmp_path) -> None:
    """A Magdeburg edition downloaded as template and uploaded unchanged loses nothing the list says."""
    from ikz.builder import editions
    from ikz.edit import publish
    from ikz.store.sqlite import Store

    store = Store(tmp_path / "pflege.sqlite")
    current = editions.load_records(editions.current_info("Magdeburg", store), store)
    back = parse_edition(
        publish.template("Magdeburg", store=store),
        "magdeburg.xlsx",
        city="Magdeburg",
        as_of=AS_OF,
        known_departments=None,
    ).records
    fields = ("key", "record_kind", "context", "outlook_text", "status_text", "partners_text", "title")
    assert [tuple(getattr(r, f) for f in fields) for r in back] == [
        tuple(getattr(r, f) for f in fields) for r in current
    ]
    assert {"Gremium", "Projekt"} <= {r.record_kind for r in back}
    assert any(r.context for r in back) and any(r.outlook_text for r in back)
    # Unchanged, the diff finds nothing to publish.
    assert {c.change for c in diff_editions(current, back).changes} == {"unverändert"}


def test_an_unknown_record_kind_is_a_german_problem() -> None:
    text = (
        "Fachbereich/Amt;Bezeichnung;Kooperationsart;Effekte;Art des Eintrags\n"
        "Amt für Bildung;Netz;;;Verein\n"
    )
    with pytest.raises(EditionInvalid) as caught:
        parse(text)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "Art des Eintrags", "Verein")
    assert "Kooperation, Gremium und Projekt" in problem.message
    # Empty means a plain cooperation, as in Erfurt's list.
    ok = parse(text.replace(";Verein\n", ";\n"))
    assert ok.records[0].record_kind == "Kooperation"
