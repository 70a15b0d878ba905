"""A third city by data alone: Jena's list in the template's columns and its entry in a copy of
data/cities.toml, in a data folder of its own ($IKZ_DATA), reach every view without a code change.

The checks run in a fresh Python (tests/third_city_checks.py): the cities are read once per
process, as in the app, so the copy must be in place before anything is imported.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ikz.core.paths import DATA_DIR, DATA_ENV_VAR, DB_ENV_VAR, ROOT

pytestmark = pytest.mark.slow

CHECKS = ROOT / "tests" / "third_city_checks.py"
CHECKS_WITHOUT_BROWSER = 7  # the checks in that file that need no Chromium
JENA_FILE = "jena_kooperationen.csv"
# Jena's list as the office would send it: the template's columns (docs/editions.md), the
# departments with their Amt numbers so the taxonomy places them in a task area.
JENA_ROWS = [
    {
        "Fachbereich/Amt": "Amt 37 Feuerwehr",
        "Bezeichnung": "Zweckvereinbarung Rettungsdienst mit dem Saale-Holzland-Kreis",
        "Kooperationsart": "Zweckvereinbarung",
        "Effekte": "Kosten werden geteilt, Einsätze schneller",
        "Partner": "Saale-Holzland-Kreis",
        "Status": "laufend",
    },
    {
        "Fachbereich/Amt": "Amt 66 Tiefbau",
        "Bezeichnung": "Winterdienst auf Austauschstrecken mit Weimar",
        "Kooperationsart": "Vertrag",
        "Effekte": "Personalentlastung im Winter",
        "Partner": "Weimar",
        "Status": "umgesetzt",
    },
    {
        "Fachbereich/Amt": "Amt 40 Schulverwaltung",
        "Bezeichnung": "Arbeitskreis Schulentwicklungsplanung der Städte in Thüringen",
        "Kooperationsart": "Arbeitskreis",
        "Effekte": "Erfahrungsaustausch",
        "Partner": "Erfurt; Gera",
        "Status": "laufend",
    },
]
JENA_ENTRY = f"""
[[cities]]
name = "Jena"
land = "Thüringen"
ags = "16053000"
code = "J"
color = "#2A9D8F"

[cities.source]
file = "{JENA_FILE}"
format = "vorlage"
citation = "Stadt Jena, Liste der Kooperationen (Testdaten)"
as_of = "2026-11-30"
note = "listet Kooperationen in den Spalten der Vorlage"
description = "Jenas Liste (Testdaten) steht in den Spalten der Vorlage."
reports_status = true
"""


def jena_data(folder: Path) -> Path:
    """A copy of data/ (without the evaluation files) with Jena's list and cities entry."""
    shutil.copytree(DATA_DIR, folder, ignore=shutil.ignore_patterns("evaluation", "*.duckdb*", "*.sqlite*"))
    with (folder / "raw" / JENA_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(JENA_ROWS[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(JENA_ROWS)
    cities = folder / "cities.toml"
    cities.write_text(cities.read_text(encoding="utf-8") + JENA_ENTRY, encoding="utf-8")
    return folder


def test_a_third_city_reaches_every_view_without_code(tmp_path: Path) -> None:
    data = jena_data(tmp_path / "data")
    env = {
        **os.environ,
        DATA_ENV_VAR: str(data),
        DB_ENV_VAR: str(tmp_path / "ikz.duckdb"),
        "IKZ_STORE": str(tmp_path / "store" / "pflege.sqlite"),
        "IKZ_EDITIONS": str(tmp_path / "store" / "editions"),
        "IKZ_JENA_ROWS": str(len(JENA_ROWS)),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", str(CHECKS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # Every check ran (only the browser's may skip where Chromium is missing).
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed[1]) >= CHECKS_WITHOUT_BROWSER, result.stdout[-2000:]


def test_the_shipped_data_stays_two_cities() -> None:
    from ikz.rules.cities import load_cities

    assert "Jena" not in load_cities().names
    assert not (DATA_DIR / "raw" / JENA_FILE).exists()
