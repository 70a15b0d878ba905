"""Parse Erfurt's cooperation table (erfurt_kooperationen.tsv): text in, one ErfurtRecord per row out.

The file is a PDF table extracted page by page. Every page repeats the header; blank lines separate
pages. Two extraction styles alternate between pages, and one line-based rule reads both:

- a line whose ``Kooperationsart`` cell is non-empty starts a new row (every row in the table names
  its kind of cooperation), unless the open row's ``Kooperationsart`` is still unfinished
  (``Arbeitsgemeinschaft mit`` / ``themenbezogenen`` / ``Arbeitsgruppen``);
- every other line continues the open row, cell by cell: wrapped text (``Beteiligungs-`` /
  ``management``) as well as a row that runs on after a page break (the Stadtkämmerei row continues
  with ``Gemeinde- und Städtebund Thüringen`` on the next page).

Cells are then cleaned (single spaces, words broken at a hyphen joined) and Effekte that the
extraction split across two rows are put back together (see ``repair_split_effects``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ikz.core.errors import SourceError
from ikz.core.records import ErfurtRecord

HEADER = ("Fachbereich/Amt", "Bezeichnung", "Kooperationsart", "Effekte")
N_COLUMNS = len(HEADER)

# Words after which a "Wort- " hyphen is elliptical ("Gemeinde- und Städtebund") and keeps its space.
# "du" is in the list because the source misprints "und" once: "Volkshochschulen auf Landes- du
# Bundesebene" (line 73). Joining would invent the word "Landesdu"; the text is kept as printed.
CONJUNCTIONS = ("und", "oder", "bzw.", "sowie", "du")

# A letter, a hyphen, one space, then a letter: the shape of a word broken by the extraction
# ("Erfahrungsaus- tausch"). A spaced dash ("Mittelthüringen - ÖPNV") has no letter before the
# hyphen, "Nord-/ Ost" has no space after it, so neither matches.
# The conjunction must be a whole word: not followed by a letter ("dual") or a hyphen ("und- teil" is
# itself a broken word), which also keeps the rule idempotent.
_BROKEN_WORD = re.compile(
    r"(?<=[^\W\d_])- (?!(?:" + "|".join(re.escape(c) for c in CONJUNCTIONS) + r")(?![^\W\d_]|-))(?=[^\W\d_])"
)

# Function words that cannot end a phrase: an Effekte cell ending in one of them lacks its noun.
ARTICLES = ("der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem", "einen")
PREPOSITIONS = ("an", "auf", "aus", "bei", "für", "in", "mit", "nach", "über", "von", "zu", "zum", "zur")

_CAP = r"[A-ZÄÖÜ][^\s,;]*"  # a capitalised word: in German, a noun (or a name)
_LOW = r"[a-zäöüß][^\s,;]*"  # a lowercase word: adjective, verb or function word
_ART = r"(?:" + "|".join(ARTICLES) + r")(?![^\s,;])"
_PREP = r"(?:" + "|".join(PREPOSITIONS) + r")(?![^\s,;])"
# A noun phrase left without its final noun at the end of a cell: a noun, any genitive attributes
# ("eines breiteren Spektrums"), then a dangling article + adjectives ("eines effizienten") or a
# dangling preposition ("an"). Its first word is where the phrase, and the list item, begins.
_DANGLING_PHRASE = re.compile(
    rf"(?<![^\s,;]){_CAP}(?:\s+{_ART}(?:\s+{_LOW})*?\s+{_CAP})*\s+(?:{_ART}(?:\s+{_LOW})*|{_PREP})$"
)
# A word broken at its hyphen at the very end of a cell ("adap-"): its rest is elsewhere.
_BROKEN_AT_END = re.compile(r"[^\W\d_]-$")


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace to one space and trim the ends."""
    return " ".join(text.split())


def join_broken_words(text: str) -> str:
    """Undo the extraction's "Wort- teil" breaks: join a lowercase rest, keep the hyphen before a capital.

    - ``Erfahrungsaus- tausch`` → ``Erfahrungsaustausch`` (lowercase rest: one word broken in two);
    - ``Gramme- Vippach`` → ``Gramme-Vippach``, ``Online- Bibliothek`` → ``Online-Bibliothek``
      (a capitalised part is a name or noun of a hyphenated compound, so the hyphen is real);
    - ``Gemeinde- und Städtebund`` stays (elliptical hyphen before a conjunction, see CONJUNCTIONS);
    - ``Mittelthüringen - ÖPNV`` stays (a spaced dash, not a broken word).

    The same rule applies to a hyphen at the end of a wrapped line, because wrapped lines are joined
    with a space first (``Wasser-`` + ``versorgungsanlagen`` → ``Wasserversorgungsanlagen``).
    """

    def _join(match: re.Match[str]) -> str:
        following = match.string[match.end()]
        return "" if following.islower() else "-"

    return _BROKEN_WORD.sub(_join, text)


def clean_cell(parts: list[str]) -> str:
    """Join a cell's pieces (wrapped lines, page-break continuations) into one clean text."""
    return join_broken_words(normalise_space(" ".join(parts)))


@dataclass
class _OpenRow:
    """A row being read: the raw pieces of each cell and the lines they came from."""

    line_start: int
    line_end: int
    department: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    type_raw: list[str] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)

    def add(self, cells: tuple[str, str, str, str], line_no: int) -> None:
        """Append a line's non-empty cells to this row's cells."""
        for pieces, cell in zip(
            (self.department, self.title, self.type_raw, self.effects), cells, strict=True
        ):
            if cell.strip():
                pieces.append(cell)
        self.line_end = line_no


def _split_line(line: str, line_no: int, source: str) -> tuple[str, str, str, str]:
    """Split a line into exactly four cells; any other count is a damaged extraction."""
    cells = line.split("\t")
    # Strict on purpose: the extraction keeps trailing tabs on every line (e.g. lines 29-30, 57), so a
    # short line has lost a cell boundary and we could not tell which column its text belongs to.
    if len(cells) != N_COLUMNS:
        raise SourceError(
            source,
            line_no,
            f"erwartet {N_COLUMNS} durch Tabulator getrennte Spalten, gefunden {len(cells)}: {line!r}",
        )
    return cells[0], cells[1], cells[2], cells[3]


def type_is_unfinished(type_text: str) -> bool:
    """Whether a Kooperationsart text still lacks its noun, so the next line's Kooperationsart continues it.

    German noun phrases end in a capitalised noun; every finished Kooperationsart in the table does
    ("lose Kooperation", "Arbeitsgruppen/ Netzwerke"). One ending in a lowercase word
    ("Arbeitsgemeinschaft mit", "… themenbezogenen") or a broken word ("Arbeits-") runs on.
    """
    text = clean_cell([type_text])  # cleaned first: "Arbeits- gruppe" ends in "Arbeitsgruppe"
    if not text:
        return False
    last = text.split(" ")[-1]
    letters = [c for c in last if c.isalpha()]
    return last.endswith("-") or (bool(letters) and letters[0].islower())


def _starts_row(cells: tuple[str, str, str, str], open_row: _OpenRow | None) -> bool:
    """Whether a line starts a new row (else it continues the open one)."""
    type_cell = cells[2].strip()
    if not type_cell:
        return False
    return open_row is None or not type_is_unfinished(" ".join(open_row.type_raw))


def _close(row: _OpenRow, previous_department: str | None, source: str) -> ErfurtRecord:
    """Turn a finished row into a record; an empty Fachbereich/Amt takes the department above."""
    department = clean_cell(row.department) or previous_department
    if not department:
        raise SourceError(source, row.line_start, "Zeile ohne Fachbereich/Amt, und darüber steht keiner")
    title = clean_cell(row.title)
    if not title:
        raise SourceError(source, row.line_start, "Zeile ohne Bezeichnung")
    return ErfurtRecord(
        department=department,
        title=title,
        type_raw=clean_cell(row.type_raw) or None,
        effects_text=clean_cell(row.effects) or None,
        line_start=row.line_start,
        line_end=row.line_end,
    )


def _read_rows(text: str, source: str) -> list[ErfurtRecord]:
    """Read the table's lines into records, cells cleaned, before any Effekte repair."""
    if not text.strip():
        raise SourceError(source, None, "leerer Text: keine Kopfzeile, keine Zeilen")
    lines = text.removeprefix("\ufeff").split("\n")
    header = tuple(lines[0].rstrip("\r").split("\t"))
    if header != HEADER:
        raise SourceError(source, 1, f"Zeile 1 ist nicht die Kopfzeile {HEADER!r}: {lines[0]!r}")

    records: list[ErfurtRecord] = []
    open_row: _OpenRow | None = None
    open_row_inherits = False  # the open row's Fachbereich/Amt cell was empty ("same as above")
    for line_no, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip("\r")
        if not line.strip():
            continue  # blank line between pages (or a line of empty cells: nothing to keep)
        cells = _split_line(line, line_no, source)
        if tuple(c.strip() for c in cells) == HEADER:
            continue  # the header repeated at the top of every page
        if _starts_row(cells, open_row):
            if open_row is not None:
                previous = records[-1].department if records else None
                records.append(_close(open_row, previous, source))
            open_row = _OpenRow(line_start=line_no, line_end=line_no)
            open_row_inherits = not cells[0].strip()
        elif open_row is None:
            raise SourceError(
                source, line_no, "Fortsetzungszeile vor der ersten Zeile (keine Kooperationsart)"
            )
        elif cells[0].strip() and open_row_inherits:
            # Department text under a row that took its department from above: it cannot be a
            # wrapped part of that name, and gluing it on would invent a department.
            raise SourceError(
                source,
                line_no,
                "Fachbereich/Amt in der Fortsetzungszeile einer Zeile, die selbst keinen nennt",
            )
        open_row.add(cells, line_no)
    if open_row is None:
        raise SourceError(source, None, "nur die Kopfzeile: keine Zeilen")
    previous = records[-1].department if records else None
    records.append(_close(open_row, previous, source))
    return records


def _first_clause(text: str) -> str:
    """The text up to (not including) its first comma or semicolon, or all of it."""
    return re.split(r"[,;]", text, maxsplit=1)[0].strip()


def repair_split_effects(records: list[ErfurtRecord]) -> list[ErfurtRecord]:
    """Rejoin a phrase that the extraction split between two rows' Effekte, in the row it belongs to.

    One rule: when a row's Effekte ends mid-phrase and the next row of the same department starts
    with that phrase's rest, the phrase is made whole again, and both rows get a note. Which half
    moves follows from what is missing:

    - the row ends in a broken word (``… um sie ggf. adap-``) and the next starts in lowercase
      (``tiert in den Alltag …``): a word's rest cannot stand alone, so it moves up, to the end of
      its clause (the first comma or semicolon, else the whole cell);
    - the row ends in a noun phrase still waiting for its noun (``Gewährleistung eines
      effizienten``, ``Bereitstellung eines breiteren Spektrums an``) and the next starts with a
      capitalised word (``Medientransports``): the next row's text began one line early, so the
      dangling phrase, from the noun that opens it, moves down.

    Anything else (e.g. a cell ending in a comma) is kept as printed.
    """
    out = list(records)
    for i in range(len(out) - 1):
        above, below = out[i], out[i + 1]
        if above.department != below.department or not above.effects_text or not below.effects_text:
            continue
        if _BROKEN_AT_END.search(above.effects_text) and below.effects_text[0].islower():
            rest = _first_clause(below.effects_text)
            broken = above.effects_text.split(" ")[-1]
            remaining = below.effects_text[len(rest) :].lstrip(" ,;")
            out[i] = replace(
                above,
                effects_text=join_broken_words(f"{above.effects_text} {rest}"),
                notes=(
                    *above.notes,
                    f"Effekte: '{rest}' aus der folgenden Zeile (Z. {below.line_start}) hierher "
                    f"verschoben, Rest des getrennten Wortes '{broken}'",
                ),
            )
            out[i + 1] = replace(
                below,
                effects_text=remaining or None,
                notes=(
                    *below.notes,
                    f"Effekte: '{rest}' zur vorigen Zeile (Z. {above.line_start}) verschoben, "
                    f"Rest des getrennten Wortes '{broken}'",
                ),
            )
            continue
        dangling = _DANGLING_PHRASE.search(above.effects_text)
        if dangling and below.effects_text[0].isupper():
            phrase = dangling.group(0)
            kept = above.effects_text[: dangling.start()].strip()
            out[i] = replace(
                above,
                effects_text=kept or None,
                notes=(
                    *above.notes,
                    f"Effekte: unvollständige Wendung '{phrase}' zur folgenden Zeile "
                    f"(Z. {below.line_start}) verschoben, wo ihr Nomen steht",
                ),
            )
            out[i + 1] = replace(
                below,
                effects_text=join_broken_words(f"{phrase} {below.effects_text}"),
                notes=(
                    *below.notes,
                    f"Effekte: Anfang '{phrase}' stand in der vorigen Zeile (Z. {above.line_start}), "
                    "hierher verschoben",
                ),
            )
    return out


def parse_erfurt(text: str, source: str = "Liste") -> list[ErfurtRecord]:
    """Parse the text of erfurt_kooperationen.tsv into one record per table row, in document order."""
    return repair_split_effects(_read_rows(text, source))
