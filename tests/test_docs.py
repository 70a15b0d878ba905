"""The documentation: a README a newcomer reads in five minutes, and no link into nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ikz.core.paths import ROOT

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
MAX_README_LINES = 250

# Files a link may name before they exist (none now).
PENDING_FILES: set[Path] = set()

# Every term of the glossary; the project's brief requires the table in the README.
GLOSSARY_TERMS = (
    "Kooperationsart",
    "Kooperationsform",
    "Verbindlichkeit",
    "Fachbereich/Amt",
    "Dezernat",
    "Aufgabenbereich",
    "Effekte / Effektkategorie",
    "Arbeitsstand",
    "Perspektive",
    "abgeleitet",
    "Karte",
    "Amtlicher Regionalschlüssel (ARS)",
    "Partner ohne Ort",
    "geprüft",
    "Herkunft",
    "Prüfen, Prüfliste",
    "rückgängig",
    "zu prüfen (Quelle geändert)",
    "Anmelden / Abmelden",
    "Redaktion (Redakteurin, Redakteur)",
    "Lesezugriff",
    "Lokaler Modus",
    "Keine Berechtigung",
    "Protokoll",
    "Ansprechpartner",
    "Daten als Tabelle",
    "Anregung",
    "Ähnlichkeit",
    "Bewertung",
    "sicher / unsicher",
    "Listenüberschrift",
    "Auswertungsdatei",
    "Ausgabe / Ausgangsliste",
    "Schlüssel",
    "Stichtag",
    "neu / entfallen / geändert / unverändert",
    "Beginn (Jahr), Ende, Rechtsgrundlage, Ratsbeschluss/Drucksache, Einsparung (€/Jahr), Förderung",
    "Veröffentlichen / Zurücksetzen",
)

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text without code blocks and code spans, where a bracket is no link."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file, duplicates numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(prose(path.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(path: Path, pending: set[Path] = PENDING_FILES) -> list[str]:
    """Each relative link of a Markdown file whose file or heading does not exist, as 'target: why'."""
    problems = []
    for target in LINK.findall(prose(path.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # https:, mailto: … — not a file of the repository
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            if linked not in pending:
                problems.append(f"{target}: no such file")
            continue
        if anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            problems.append(f"{target}: no heading with anchor #{anchor}")
    return problems


def test_the_readme_is_short_enough_to_read_in_five_minutes() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines, at most {MAX_README_LINES}"


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_points_to_an_existing_file_and_heading(path: Path) -> None:
    assert broken_links(path) == []


def test_the_readme_holds_the_glossary_with_every_term() -> None:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Glossary\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert section, "README.md has no section „## Glossary“"
    rows = [line for line in section.group(1).splitlines() if line.startswith("|")]
    assert rows[0].replace(" ", "").startswith("|German(UI)|English"), rows[0]
    terms = {row.split("|")[1].strip() for row in rows[2:]}
    missing = [term for term in GLOSSARY_TERMS if term not in terms]
    assert not missing, f"glossary lacks {missing}"
    without_english = [row for row in rows[2:] if row.count("|") < 3 or not row.split("|")[2].strip()]
    assert not without_english, f"terms without English: {without_english}"


def test_the_readme_links_every_docs_page() -> None:
    linked = {target.partition("#")[0] for target in LINK.findall(prose(README.read_text(encoding="utf-8")))}
    missing = [p.relative_to(ROOT).as_posix() for p in DOCS if p.relative_to(ROOT).as_posix() not in linked]
    assert not missing, f"README.md links none of {missing}"


def test_the_link_check_finds_a_missing_file_and_a_missing_heading(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Title\n\n## Known limitations\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md) [ok](other.md#known-limitations) [web](https://example.org/x.md)\n"
        "[gone](missing.md) [bad anchor](other.md#nowhere) [self](#nowhere-either)\n"
        "`[in code](missing-too.md)`\n```\n[in a block](missing-three.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page, pending=set()) == [
        "missing.md: no such file",
        "other.md#nowhere: no heading with anchor #nowhere",
        "#nowhere-either: no heading with anchor #nowhere-either",
    ]
    assert broken_links(page, pending={tmp_path / "missing.md"}) == [
        "other.md#nowhere: no heading with anchor #nowhere",
        "#nowhere-either: no heading with anchor #nowhere-either",
    ]


def test_slugs_follow_github_for_german_headings() -> None:
    assert slug("„Protokoll“") == "protokoll"
    assert slug("Effektkategorien: the lexicon") == "effektkategorien-the-lexicon"
    assert slug("Vergleich Erfurt – Magdeburg") == "vergleich-erfurt--magdeburg"
    assert slug("Überblick") == "überblick"
