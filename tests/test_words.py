"""Words users read: sources named instead of file names, the seed's date without nested
parentheses, and the German for Streamlit's English (the table the browser script uses)."""

from __future__ import annotations

import pytest

from ikz.builder.editions import seed_info
from ikz.rules.cities import load_cities
from ikz.rules.sources import DOCUMENTS, source_name
from ikz.ui import german_ui

ERFURT = load_cities().get("Erfurt").source


@pytest.mark.parametrize(
    ("file_name", "shown"),
    [
        ("erfurt_kooperationen.tsv", "Ausgangsliste Erfurt"),
        ("raw/magdeburg_ikz_2010.txt", "Ausgangsliste Magdeburg"),
        ("editions/Erfurt/2026-12-07_803042285d74.xlsx", "Ausgabe Erfurt vom 7. Dezember 2026"),
        (None, ""),
    ],
)
def test_source_name_says_which_list_not_which_file(file_name: str | None, shown: str) -> None:
    assert source_name(file_name) == shown
    assert not any(part in shown for part in (".tsv", ".txt", ".xlsx", "/"))


def test_seed_dates_hold_no_parentheses_of_their_own() -> None:
    assert all("(" not in d.as_of and ")" not in d.as_of for d in DOCUMENTS)
    assert seed_info("Erfurt", is_current=True).label() == f"Ausgangsliste (Stand {ERFURT.as_of})"


@pytest.mark.parametrize(
    ("english", "german"),
    [
        ("Select all", "Alle auswählen"),
        ("Select 12 matches", "Alle 12 Treffer auswählen"),
        ("Upload", "Datei auswählen"),
        ("200MB per file", "höchstens 200 MB je Datei"),
        ("Drag and drop a file here", "Datei hierher ziehen"),
        ("Stop", "Anhalten"),
        ("File must be 200.0MB or smaller.", "Die Datei darf höchstens 200.0MB groß sein."),
        ("Kooperation", None),  # anything else is left alone
    ],
)
def test_german_for_streamlits_english(english: str, german: str | None) -> None:
    assert german_ui.german(english) == german


def test_every_rule_is_scoped_to_a_streamlit_element() -> None:
    scopes = {scope for _, scope in german_ui.EXACT.values()} | {scope for *_, scope in german_ui.PATTERNS}
    assert all(scope.startswith("[") for scope in scopes)
    script = german_ui.script()
    assert script.count("<script>") == 1 and "window.ikzGerman" in script
