"""Parse Magdeburg's report "Interkommunale Zusammenarbeit in den Dezernaten" (2010) into records.

The text is an extract of Word tables: headings (`Dezernat I` … `Dezernat VI`, then unit headings
such as `FB 01`), and per unit one or more tab-separated tables with leftover HTML. Rules:

- A heading is a line without a tab. `Dezernat <numeral>` opens a division; any other heading must
  be short and stand between blank lines, and names a unit of the current division. A table that
  starts before any unit heading of its Dezernat belongs to the Dezernat itself (`Dezernat III`).
- Table headers are skipped; a blank line ends a table (page break), the next page repeats them.
- Column 1 of an exchange table lists general exchange bodies: each is a `body` record. Each Thema
  item is a `project` record; it keeps the body of its own line as `context` only when column 1 of
  that line names exactly one body (column 1 is a merged cell).
- A cell is split into items at bullets (`•`), `<p>` paragraphs and `<ul>` lists. An item followed
  by a nested list is an intro: if it starts with a list heading (`Mitarbeit in …`,
  `Vorschläge für …`) each nested item is its own record and the intro goes into `notes`;
  otherwise the nested list names the intro's members and is joined into one title.
- Arbeitsstand and Perspektive become single texts, items joined with "; " (a space when the item
  already ends in punctuation); every project of a split Thema cell shares them.
- FB 32's `Arbeitsgruppen` tables: column 1 is the sub-unit, its nested list the partners.
- The two-column free-text table (FD 23.1, FD 23.2): column 1 is the unit, each item a `body`.
- A Thema cell with several projects shares its Arbeitsstand and Perspektive only when they cannot be
  split: otherwise each sentence goes to the project whose Thema shares its distinctive words (Snowball
  stems), a sentence without such words to the project of the sentence before. With several bodies in
  column 1, a project keeps as context the one body that shares its distinctive words.
- A row whose Thema is a bare list, without column 1 and Arbeitsstand, right after a row whose items
  stood under a list heading, continues that list (FB 02: `Aufbau eines … Liquiditätsmanagements`).
- Repairs (each noted in `notes`, in German): a row printed one column left (LEMADRE), an opening
  printed twice (`AG „Wirtschaft und AG „Wirtschaft und …`), an empty bullet in column 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import snowballstemmer

from ikz.core.errors import SourceError
from ikz.core.records import MagdeburgKind, MagdeburgRecord
from ikz.rules.cities import load_cities

DOCUMENT_TITLE = "Interkommunale Zusammenarbeit in den Dezernaten"
DIVISIONS = ("I", "II", "III", "IV", "V", "VI")
EXCHANGE_HEADER = "Erfahrungsaustausch, Arbeitsgruppen, etc. allgemein"
SUB_UNIT_HEADER = "Arbeitsgruppen"  # FB 32 names its sub-units in column 1
PROJECTS_HEADER = "Konkrete Projekte/Vereinbarungen"
COLUMN_HEADER = ("", "Thema", "Arbeitsstand", "Perspektive")
PROJECT_COLUMNS = 4
FREE_TEXT_COLUMNS = 2
# The longest unit heading is "Theater Magdeburg"; a longer tab-less line is running text.
MAX_UNIT_HEADING_CHARS = 40
# Intros whose nested list holds separate bodies or projects (not the members of one).
LIST_HEADING_PREFIXES = ("Mitarbeit in ", "Vorschläge für ")
MARKUP_REMNANTS = ("<", ">", "•", "**", "&nbsp;")

_DEZERNAT = re.compile(r"Dezernat\s+([IVXLC]+)")
_LIST_TAG = re.compile(r"(<ul\b[^>]*>|</ul\s*>)", re.IGNORECASE)
_ITEM_BREAK = re.compile(r"•|</?p\b[^>]*>|</?li\b[^>]*>", re.IGNORECASE)
# Inline tags vanish without a trace; block tags separate words.
_INLINE_TAG = re.compile(r"</?(?:u|b|i|em|strong|span)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_LEADING_DASH = re.compile(r"^[-–]\s+")
# An opening of at least five characters printed twice in a row, e.g. "AG „Wirtschaft und ".
_STUTTER = re.compile(r"^(?P<opening>\S.{3,}?\s)(?P=opening)")
_END_PUNCTUATION = (".", ":", ";", ",", "!", "?")


@dataclass
class ListItem:
    """One item of a cell's list, with the items of a list nested directly under it."""

    text: str
    children: list[str] = field(default_factory=list)


@dataclass
class _Position:
    """Where the parser is: division, unit and open table, with counts for the checks."""

    division: str | None = None
    unit: str | None = None
    unit_line: int = 0
    unit_records: int = 0
    table: str | None = None  # "projects", "sub_units" or "free_text"
    table_line: int = 0
    table_rows: int = 0
    expect_column_header: bool = False
    units_seen: set[tuple[str, str]] = field(default_factory=set)
    open_list_heading: str | None = None  # the list heading the previous row's last item stood under


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space and trim."""
    return " ".join(text.split())


def strip_markup(text: str) -> str:
    """Text without HTML tags, `&nbsp;`, bullets and `**`, whitespace normalised."""
    text = _INLINE_TAG.sub("", text)
    text = _ANY_TAG.sub(" ", text)
    text = text.replace("&nbsp;", " ").replace("•", " ").replace("**", "")
    return normalise_space(text)


def clean_item(text: str) -> str:
    """One list item as plain text: markup, a leading list dash and a trailing separator removed."""
    text = _LEADING_DASH.sub("", strip_markup(text))
    # A trailing comma or semicolon only separated this item from the next one in the printed list.
    return text.rstrip(",;").rstrip()


def split_items(cell: str) -> list[str]:
    """The cleaned items of a cell, split at bullets, paragraphs and list tags; empty ones dropped."""
    pieces = _ITEM_BREAK.split(_LIST_TAG.sub("•", cell))
    return [item for item in (clean_item(piece) for piece in pieces) if item]


def join_items(items: list[str]) -> str | None:
    """Items as one text joined with "; " (a space after punctuation); None when there are none."""
    if not items:
        return None
    text = items[0]
    for item in items[1:]:
        text += " " if text.endswith(_END_PUNCTUATION) else "; "
        text += item
    return text


def outline(cell: str) -> list[ListItem]:
    """A cell's items with one level of nesting: a list opened after an item nests under it."""
    items: list[ListItem] = []
    # The extraction keeps the opening <ul> tags but no closing ones: a <ul> that follows text
    # opens a nested list that lasts until a closing tag or the end of the cell.
    nested = 0
    for token in _LIST_TAG.split(cell):
        if _LIST_TAG.fullmatch(token):
            if token.startswith("</"):
                nested = max(0, nested - 1)
            elif items:
                nested += 1
            continue
        for text in split_items(token):
            if nested and items:
                items[-1].children.append(text)
            else:
                items.append(ListItem(text))
    return items


def undo_stutter(text: str) -> tuple[str, str | None]:
    """Text with a doubled opening printed once, and a note when that was needed."""
    match = _STUTTER.match(text)
    if not match:
        return text, None
    opening = match["opening"]
    return text[len(opening) :], f"repariert: Anfang „{opening.strip()}“ stand doppelt"


@dataclass(frozen=True)
class CellRecord:
    """One record a cell holds: its title, the repairs noted, and the list heading it stood under."""

    title: str
    notes: tuple[str, ...] = ()
    list_heading: str | None = None


def expand(items: list[ListItem]) -> list[CellRecord]:
    """The records a cell holds, applying the intro and stutter rules."""
    expanded: list[CellRecord] = []
    for item in items:
        if not item.children:
            expanded.append(CellRecord(item.text))
        elif item.text.startswith(LIST_HEADING_PREFIXES):
            # The heading is structure, not a repair: it travels as list_heading, not as a note.
            heading = item.text.rstrip(":").strip()
            expanded.extend(CellRecord(child, (), heading) for child in item.children)
        else:
            # The nested list names the members or partners of the intro: one record, not several.
            intro = item.text if item.text.endswith(":") else item.text + ":"
            title = f"{intro} {'; '.join(item.children)}"
            expanded.append(CellRecord(title, ("verschachtelte Liste in den Titel übernommen",)))
    repaired = []
    for record in expanded:
        title, note = undo_stutter(record.title)
        notes = (*record.notes, note) if note else record.notes
        repaired.append(CellRecord(title, notes, record.list_heading))
    return repaired


def repair_shift(cells: list[str]) -> tuple[list[str], str | None]:
    """Cells of a project row moved back when the extraction shifted them; a note when it did."""
    body, thema, status, outlook = cells
    thema_text = strip_markup(thema)
    # Line 18 (`KITU` | `Prüfung gemeinsame Nutzung von Software`) looks shifted right but is not:
    # KITU is the Thema and the list its Arbeitsstand, so no rule moves it.
    # Shifted left (FB 01 `LEMADRE`): column 1 is one body with a nested list, Thema holds text,
    # Arbeitsstand and Perspektive are empty. The nested list is the Thema, the text its status.
    items = outline(body)
    if (
        len(items) == 1
        and items[0].children
        and thema_text
        and not strip_markup(status)
        and not strip_markup(outlook)
    ):
        note = (
            f"repariert: Zeile um eine Spalte nach links verschoben; die Liste unter „{items[0].text}“ "
            "von Spalte 1 nach Thema, Thema nach Arbeitsstand verschoben"
        )
        projects = " ".join(f"• {child}" for child in items[0].children)
        return [items[0].text, projects, thema, ""], note
    return cells, None


_STEMMER = snowballstemmer.stemmer("german")
# Words too common in these tables to tie a sentence to one project.
_STOPWORDS = frozenset(
    (
        "eine",
        "einer",
        "eines",
        "einem",
        "einen",
        "sowie",
        "über",
        "durch",
        "werden",
        "wird",
        "wurde",
        "wurden",
        "sind",
        "sich",
        "diese",
        "dieser",
        "dieses",
        "beide",
        "beiden",
        "alle",
        "allen",
        "nach",
        "auch",
        "noch",
        "bereits",
        "zwischen",
        "gemeinsam",
        "gemeinsame",
        "gemeinsamen",
        "gemeinsamer",
        # the cities' own names (data/cities.toml) say nothing about the project
        *(c.name.casefold() for c in load_cities().cities),
        "stadt",
        "städte",
        "städten",
        "landeshauptstadt",
        "projekt",
        "projekte",
        "projekten",
    )
)
# A sentence ends after a word of four or more letters ("Imagefilm."), not after "Dez." or "z. B.".
_SENTENCE_END = re.compile(r"(?<=\w{4}[.!?])\s+(?=[A-ZÄÖÜ„])")


def content_stems(text: str) -> set[str]:
    """Snowball stems of the content words of text: "Standortatlases" and "Standortatlas" agree."""
    words = re.findall(r"[^\W\d_]{4,}", text.lower())
    return {_STEMMER.stemWord(w) for w in words if w not in _STOPWORDS}


def best_match(text: str, candidates: list[str]) -> int | None:
    """Index of the one candidate sharing most distinctive stems with text (stems that occur in
    exactly one candidate); None when none shares any or two tie."""
    stems = [content_stems(c) for c in candidates]
    scores = []
    for i, own in enumerate(stems):
        others = set().union(*(s for j, s in enumerate(stems) if j != i))
        scores.append(len(content_stems(text) & (own - others)))
    top = max(scores, default=0)
    return scores.index(top) if top > 0 and scores.count(top) == 1 else None


def split_sentences(items: list[str]) -> list[str]:
    """The sentences of a cell's items, in order."""
    return [sentence for item in items for sentence in _SENTENCE_END.split(item) if sentence]


def distribute(items: list[str], titles: list[str]) -> list[list[str]] | None:
    """The sentences of a shared cell, per project; None when no sentence names any project."""
    pieces: list[list[str]] = [[] for _ in titles]
    current: int | None = None
    leading: list[str] = []
    for sentence in split_sentences(items):
        index = best_match(sentence, titles)
        index = current if index is None else index
        if index is None:
            leading.append(sentence)
            continue
        if current is None:
            pieces[index] += leading  # sentences before the first named one belong with it
        pieces[index].append(sentence)
        current = index
    return pieces if current is not None else None


def _record(
    position: _Position,
    kind: MagdeburgKind,
    title: str,
    line_no: int,
    notes: tuple[str, ...] = (),
    list_heading: str | None = None,
    context: str | None = None,
    sub_unit: str | None = None,
    partners_text: str | None = None,
    status_text: str | None = None,
    outlook_text: str | None = None,
) -> MagdeburgRecord:
    """A record at the current division and unit; each comes from one printed line."""
    assert position.division is not None and position.unit is not None
    return MagdeburgRecord(
        division=position.division,
        unit=position.unit,
        kind=kind,
        title=title,
        context=context,
        sub_unit=sub_unit,
        partners_text=partners_text,
        status_text=status_text,
        outlook_text=outlook_text,
        line_start=line_no,
        line_end=line_no,
        notes=notes,
        list_heading=list_heading,
    )


def _project_row_records(
    cells: list[str], position: _Position, line_no: int, source: str
) -> list[MagdeburgRecord]:
    """Records of one row of an exchange table: its bodies, then its projects."""
    cells, shift_note = repair_shift(cells)
    body_cell, thema_cell, status_cell, outlook_cell = cells
    shift_notes = (shift_note,) if shift_note else ()
    bodies = expand(outline(body_cell))
    projects = expand(outline(thema_cell))
    status_items, outlook_items = split_items(status_cell), split_items(outlook_cell)
    if not bodies and not projects:
        raise SourceError(source, line_no, "Tabellenzeile ohne Gremium und ohne Thema")
    if (status_items or outlook_items) and not projects:
        raise SourceError(source, line_no, "Arbeitsstand oder Perspektive ohne Thema")
    if (
        position.open_list_heading
        and not body_cell.strip()
        and not status_items
        and _LIST_TAG.match(thema_cell.strip())
        and all(p.list_heading is None for p in projects)
    ):
        # The printed list went on in a new table row: its items stand under the same heading.
        heading = position.open_list_heading
        note = f"setzt die Liste „{heading}“ der Zeile davor fort"
        projects = [CellRecord(p.title, (*p.notes, note), heading) for p in projects]
    position.open_list_heading = projects[-1].list_heading if projects else None

    row_notes = shift_notes
    if body_cell.strip() and not bodies:
        row_notes += ("Spalte 1 enthält nur einen leeren Aufzählungspunkt: kein Gremium",)
    titles = [p.title for p in projects]
    statuses, status_notes = _per_project(status_items, titles, "Arbeitsstand")
    outlooks, outlook_notes = _per_project(outlook_items, titles, "Perspektive")
    if len(bodies) == 1:
        contexts: list[str | None] = [bodies[0].title] * len(projects)
    else:
        body_titles = [b.title for b in bodies]
        contexts = [
            body_titles[i] if (i := best_match(title, body_titles)) is not None else None for title in titles
        ]
    records = [
        _record(
            position, "body", b.title, line_no, notes=(*shift_notes, *b.notes), list_heading=b.list_heading
        )
        for b in bodies
    ]
    for i, p in enumerate(projects):
        context_note = (
            (f"Gremium „{contexts[i]}“ nach gemeinsamen Wörtern zugeordnet",)
            if contexts[i] is not None and len(bodies) > 1
            else ()
        )
        records.append(
            _record(
                position,
                "project",
                p.title,
                line_no,
                notes=(*row_notes, *status_notes[i], *outlook_notes[i], *context_note, *p.notes),
                list_heading=p.list_heading,
                context=contexts[i],
                status_text=statuses[i],
                outlook_text=outlooks[i],
            )
        )
    return records


def _per_project(
    items: list[str], titles: list[str], column: str
) -> tuple[list[str | None], list[tuple[str, ...]]]:
    """A cell's text per project of its row, split by the projects' words, and a note for each."""
    if len(titles) < 2 or not items:
        return [join_items(items)] * len(titles), [()] * len(titles)
    pieces = distribute(items, titles)
    if pieces is None:
        note = f"eines von {len(titles)} Projekten einer Thema-Zelle; {column} gilt für alle"
        return [join_items(items)] * len(titles), [(note,)] * len(titles)
    notes = [
        (f"{column} der Zeile nach gemeinsamen Wörtern auf die Projekte verteilt",)
        if piece
        else (f"{column} der Zeile nennt dieses Projekt nicht",)
        for piece in pieces
    ]
    return [join_items(piece) for piece in pieces], notes


def _sub_unit_row_records(
    cells: list[str], position: _Position, line_no: int, source: str
) -> list[MagdeburgRecord]:
    """Records of one row of FB 32's `Arbeitsgruppen` table: its projects, with sub-unit."""
    items = outline(cells[0])
    sub_unit = items[0].text if items else None
    partners = [*items[0].children, *(item.text for item in items[1:])] if items else []
    projects = expand(outline(cells[1]))
    if not projects:
        raise SourceError(source, line_no, "Zeile der Arbeitsgruppen ohne Thema")
    titles = [p.title for p in projects]
    statuses, status_notes = _per_project(split_items(cells[2]), titles, "Arbeitsstand")
    outlooks, outlook_notes = _per_project(split_items(cells[3]), titles, "Perspektive")
    return [
        _record(
            position,
            "project",
            p.title,
            line_no,
            notes=(*status_notes[i], *outlook_notes[i], *p.notes),
            list_heading=p.list_heading,
            sub_unit=sub_unit,
            partners_text=join_items(partners),
            status_text=statuses[i],
            outlook_text=outlooks[i],
        )
        for i, p in enumerate(projects)
    ]


def _is_unit_heading(lines: list[str], index: int, text: str) -> bool:
    """A unit heading is short and stands between blank lines (or the file's ends)."""
    blank_before = index == 0 or not lines[index - 1].strip()
    blank_after = index == len(lines) - 1 or not lines[index + 1].strip()
    return len(text) <= MAX_UNIT_HEADING_CHARS and blank_before and blank_after


def _start_unit(position: _Position, unit: str, line_no: int, source: str) -> None:
    """Move to a new unit, after checking that the previous one had records."""
    _check_unit_done(position, source)
    assert position.division is not None
    key = (position.division, unit)
    if key in position.units_seen:
        raise SourceError(source, line_no, f"Einheit {unit!r} kommt in Dezernat {key[0]} zweimal vor")
    position.units_seen.add(key)
    position.unit, position.unit_line, position.unit_records = unit, line_no, 0


def _check_unit_done(position: _Position, source: str) -> None:
    """Fail when the current unit ended without a single record (e.g. a truncated file)."""
    if position.unit is not None and position.unit_records == 0:
        raise SourceError(source, position.unit_line, f"Einheit {position.unit!r} hat keine Tabellenzeilen")


def _close_table(position: _Position, source: str) -> None:
    """End the open table; fail when its header was not followed by any row."""
    if position.table is not None and position.table_rows == 0:
        raise SourceError(source, position.table_line, "Tabellenkopf ohne Zeilen")
    position.table = None


def _heading(lines: list[str], index: int, position: _Position, source: str) -> None:
    """Handle a line without a tab: the title, a Dezernat or a unit heading."""
    line_no = index + 1
    text = strip_markup(lines[index])  # the first heading is wrapped in ** with the title
    _close_table(position, source)
    dezernat = _DEZERNAT.fullmatch(text)
    if dezernat:
        numeral = dezernat[1]
        if numeral not in DIVISIONS:
            raise SourceError(source, line_no, f"unbekanntes Dezernat {numeral!r}")
        if position.division and DIVISIONS.index(numeral) <= DIVISIONS.index(position.division):
            raise SourceError(source, line_no, f"Dezernat {numeral} steht außer der Reihe")
        _check_unit_done(position, source)
        if position.division and not any(key[0] == position.division for key in position.units_seen):
            raise SourceError(source, line_no, f"Dezernat {position.division} hat keine Tabellen")
        position.division, position.unit = numeral, None
    elif position.division is None:
        if text != DOCUMENT_TITLE:
            raise SourceError(source, line_no, f"Überschrift {text!r} vor dem ersten Dezernat")
    elif _is_unit_heading(lines, index, text):
        _start_unit(position, text, line_no, source)
    else:
        raise SourceError(source, line_no, f"unbekannte Überschrift oder verirrter Text {text[:60]!r}")


def _table_row(lines: list[str], index: int, position: _Position, source: str) -> list[MagdeburgRecord]:
    """Handle a line with tabs: a table header (skipped) or a row (its records)."""
    line_no = index + 1
    cells = lines[index].split("\t")
    first = normalise_space(cells[0])
    if position.division is None:
        raise SourceError(source, line_no, "Tabelle vor der ersten Dezernats-Überschrift")

    is_header = len(cells) > 1 and (
        (first in (EXCHANGE_HEADER, SUB_UNIT_HEADER) and cells[1].strip() == PROJECTS_HEADER)
        or (first == EXCHANGE_HEADER and len(cells) == FREE_TEXT_COLUMNS and not cells[1].strip())
    )
    if is_header:
        if position.table is not None:
            raise SourceError(source, line_no, "Tabellenkopf mitten in einer Tabelle")
        if position.unit is None:
            # Dezernat III has no unit heading: the Dezernat itself is the unit.
            _start_unit(position, f"Dezernat {position.division}", line_no, source)
        if len(cells) == FREE_TEXT_COLUMNS:
            position.table, position.expect_column_header = "free_text", False
        else:
            position.table = "sub_units" if first == SUB_UNIT_HEADER else "projects"
            position.expect_column_header = True
        position.table_line, position.table_rows = line_no, 0
        return []
    if tuple(cell.strip() for cell in cells) == COLUMN_HEADER:
        if not position.expect_column_header:
            raise SourceError(source, line_no, "Spaltenkopf Thema/Arbeitsstand außerhalb einer Tabelle")
        position.expect_column_header = False
        return []
    if position.table is None:
        raise SourceError(source, line_no, "Tabellenzeile ohne Tabellenkopf darüber")
    if position.expect_column_header:
        raise SourceError(source, line_no, "erwartet den Spaltenkopf Thema/Arbeitsstand")

    expected = FREE_TEXT_COLUMNS if position.table == "free_text" else PROJECT_COLUMNS
    if len(cells) != expected:
        # Fewer cells usually mean a truncated line; more mean a broken extraction.
        raise SourceError(source, line_no, f"Zeile hat {len(cells)} Spalten, erwartet {expected}")
    position.table_rows += 1
    if position.table == "free_text":
        label = strip_markup(cells[0])
        if not label or len(label) > MAX_UNIT_HEADING_CHARS:
            raise SourceError(source, line_no, "Freitextzeile ohne Einheit in Spalte 1")
        _start_unit(position, label, line_no, source)
        records = [_record(position, "body", item, line_no) for item in split_items(cells[1])]
        if not records:
            raise SourceError(source, line_no, f"Freitextzeile von {label!r} ohne Text")
    elif position.table == "sub_units":
        records = _sub_unit_row_records(cells, position, line_no, source)
    else:
        records = _project_row_records(cells, position, line_no, source)
    position.unit_records += len(records)
    return records


def _check_clean(records: list[MagdeburgRecord], source: str) -> None:
    """Fail on markup left in any text field: it means a cell this parser does not understand."""
    for record in records:
        fields = (
            record.title,
            record.context,
            record.sub_unit,
            record.partners_text,
            record.status_text,
            record.outlook_text,
        )
        for text in fields:
            if text is not None and any(mark in text for mark in MARKUP_REMNANTS):
                raise SourceError(
                    source, record.line_start, f"Auszeichnung (HTML, Aufzählung, **) übrig in {text[:60]!r}"
                )


def parse_magdeburg(text: str, source: str = "Bericht") -> list[MagdeburgRecord]:
    """All records of Magdeburg's report, in document order (per line: bodies, then projects)."""
    if not text.strip():
        raise SourceError(source, None, "leerer Text")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    position = _Position()
    records: list[MagdeburgRecord] = []
    for index, line in enumerate(lines):
        if not line.strip():
            _close_table(position, source)  # a blank line ends a table (page break)
        elif "\t" not in line:
            _heading(lines, index, position, source)
        else:
            records += _table_row(lines, index, position, source)
    # A file cut short ends on a heading or table header without rows: both fail here.
    _close_table(position, source)
    _check_unit_done(position, source)
    if not records:
        raise SourceError(source, None, "keine Einträge gefunden")
    _check_clean(records, source)
    return records
