"""Parse and validate an edition file (the template's columns, XLSX or CSV): bytes in, records out.

Pure: the file's bytes and what the city already knows (departments, a test for known
Kooperationsarten) come in as arguments; nothing is written. Validation runs as a pandera schema on
the whole table at once (`lazy=True`), so the office sees every problem of a file in one German list
with row, column and value, and nothing is imported until the whole file is valid.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING

import polars as pl
from rapidfuzz import fuzz, process, utils

from ikz.core.records import RECORD_KIND_LABELS, EditionRecord
from ikz.parse.keys import cooperation_key

if TYPE_CHECKING:
    import pandera.polars as pa
    from pandera.errors import SchemaErrors

HEADER_ROW = 1  # rows are numbered as in Excel: the header is row 1, the first record row 2
FIRST_YEAR = 1900
YEARS_AHEAD = 10  # Beginn may lie a little in the future (a decided cooperation), not a century
SUGGESTION_MIN_SCORE = 60  # below this, rapidfuzz's closest department is no useful suggestion


@dataclass(frozen=True)
class EditionColumn:
    """One column of the template: header as written, record field, whether required, explanation."""

    header: str
    field: str
    required: bool
    explanation: str
    example: str


COLUMNS: tuple[EditionColumn, ...] = (
    EditionColumn(
        "Schlüssel",
        "key",
        False,
        "Fester Schlüssel der Kooperation. Bitte nicht ändern: Daran erkennt das Dashboard eine "
        "Kooperation wieder, auch wenn sich Bezeichnung oder Fachbereich ändern. Für eine neue "
        "Kooperation leer lassen – sie erhält beim Import einen Schlüssel.",
        "EF-3f2a9c1b",
    ),
    EditionColumn(
        "Fachbereich/Amt",
        "department",
        True,
        "Zuständiger Fachbereich oder zuständiges Amt, wie in der bisherigen Liste geschrieben. "
        "Ein neuer Name (z. B. nach einer Umbenennung) muss beim Import bestätigt werden.",
        "Amt für Bildung",
    ),
    EditionColumn("Bezeichnung", "title", True, "Name der Kooperation (Pflichtfeld).", "Schulnetzwerk"),
    EditionColumn(
        "Kooperationsart",
        "type_raw",
        True,
        "Art der Zusammenarbeit, möglichst aus der Auswahlliste. Eine andere Angabe wird als neue "
        "Kooperationsart übernommen und angezeigt, aber keiner Kooperationsform zugeordnet, bis "
        "die Redaktion sie in die Klassifikationsregeln aufnimmt.",
        "Zweckvereinbarung",
    ),
    EditionColumn(
        "Effekte",
        "effects_text",
        True,
        "Erreichte oder erwartete Wirkungen, frei formuliert (Kosten, Qualität, Austausch …).",
        "Kosteneinsparung, Erfahrungsaustausch",
    ),
    EditionColumn("Partner", "partners_text", False, "Beteiligte Kommunen und Stellen.", "Ilm-Kreis"),
    EditionColumn(
        "Beginn (Jahr)",
        "start_year",
        False,
        f"Jahr, in dem die Kooperation begann, vierstellig ({FIRST_YEAR} bis Stichtag + {YEARS_AHEAD}).",
        "2019",
    ),
    EditionColumn(
        "Ende",
        "end_year",
        False,
        "Jahr, in dem die Kooperation endet oder endete (vierstellig); leer, wenn unbefristet. "
        "Eine beendete Kooperation kann auch einfach aus der Liste gestrichen werden.",
        "2027",
    ),
    EditionColumn(
        "Rechtsgrundlage",
        "legal_basis",
        False,
        "Vertrag, Satzung oder Gesetz, auf dem die Kooperation beruht.",
        "ThürKGG § 7",
    ),
    EditionColumn(
        "Ratsbeschluss/Drucksache",
        "council_decision",
        False,
        "Nummer des Stadtratsbeschlusses oder der Drucksache.",
        "DS 1234/21",
    ),
    EditionColumn("Ansprechpartner", "contact", False, "Zuständige Person oder Stelle.", "Amt 40, Frau M."),
    EditionColumn(
        "Status",
        "status_text",
        False,
        "Arbeitsstand aus der Auswahlliste (laufend, in Umsetzung, in Planung, ruht …).",
        "laufend",
    ),
    EditionColumn(
        "Einsparung (€/Jahr)",
        "savings_eur_per_year",
        False,
        "Jährliche Einsparung in Euro als Zahl, ohne Text (12500 oder 12.500,50).",
        "12500",
    ),
    EditionColumn("Förderung", "funding", False, "Förderprogramm oder Zuschussgeber, falls gefördert.", ""),
    # Magdeburg's list names bodies (Gremien) and projects with their body and outlook; without these
    # columns a re-imported Magdeburg edition would lose them.
    EditionColumn(
        "Art des Eintrags",
        "record_kind",
        False,
        "Kooperation, Gremium oder Projekt (aus der Auswahlliste); leer bedeutet Kooperation.",
        "Kooperation",
    ),
    EditionColumn(
        "Gremium",
        "context",
        False,
        "Bei einem Projekt: das Gremium, in dem es entstand oder beraten wird (Listen mit Gremien und "
        "Projekten).",
        "AG Digitalisierung",
    ),
    EditionColumn(
        "Perspektive",
        "outlook_text",
        False,
        "Geplante nächste Schritte oder Ausblick, frei formuliert.",
        "Ausweitung auf weitere Kommunen",
    ),
    # A Magdeburg item under „Vorschläge für …“ is a proposal, not a cooperation in force; without
    # this column a re-imported edition would turn those proposals into cooperations.
    EditionColumn(
        "Listenüberschrift",
        "list_heading",
        False,
        "Überschrift der Liste, unter der der Eintrag steht (z. B. „Vorschläge für die Stadtverwaltung“: "
        "dann gilt er als Vorschlag).",
        "",
    ),
    EditionColumn(
        "Dezernat",
        "division",
        False,
        "Dezernat des Fachbereichs/Amtes als römische Zahl (wenn die Liste Dezernate nennt).",
        "III",
    ),
    EditionColumn(
        "Teilbereich",
        "sub_unit",
        False,
        "Teilbereich innerhalb des Fachbereichs/Amtes, wenn die Liste ihn nennt.",
        "Stadtordnungsdienst (32.1)",
    ),
)
RECORD_KINDS = tuple(RECORD_KIND_LABELS.values())
DEFAULT_RECORD_KIND = RECORD_KIND_LABELS["row"]
HEADERS = tuple(c.header for c in COLUMNS)
REQUIRED = tuple(c.header for c in COLUMNS if c.required)
_BY_HEADER = {c.header: c for c in COLUMNS}

_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$|^(\d{4})-\d{2}-\d{2}(?:[ T][\d:.]+)?$|^\d{1,2}\.\d{1,2}\.(\d{4})$")
_GERMAN_THOUSANDS = re.compile(r"^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_PLAIN_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


@dataclass(frozen=True)
class Problem:
    """One problem in an edition file: where (row, column), which value, and what is wrong (German)."""

    row: int | None
    column: str | None
    value: str | None
    message: str

    def text(self) -> str:
        """'Zeile 5, Spalte „Einsparung (€/Jahr)“, Wert „zwölf“: keine Zahl …'."""
        where = []
        if self.row is not None:
            where.append(f"Zeile {self.row}")
        if self.column is not None:
            where.append(f"Spalte „{self.column}“")
        if self.value is not None:
            where.append(f"Wert „{self.value}“")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class EditionInvalid(Exception):
    """The file cannot be imported; holds every problem found, each naming row, column and value."""

    def __init__(self, file_name: str, problems: Sequence[Problem]) -> None:
        self.file_name = file_name
        self.problems = tuple(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """The German report: a headline and one line per problem."""
        n = len(self.problems)
        head = (
            f"{self.file_name}: {n} Problem{'e' if n != 1 else ''} gefunden – "
            "es wurde nichts übernommen. Bitte die Datei korrigieren und erneut hochladen."
        )
        return "\n".join([head, *(f"- {p.text()}" for p in self.problems)])


@dataclass(frozen=True)
class ParsedEdition:
    """A valid edition: its records, Kooperationsarten not known yet, and notes for the user."""

    records: tuple[EditionRecord, ...]
    new_types: tuple[str, ...]  # written Kooperationsarten the taxonomy does not know (kept as raw)
    new_departments: tuple[str, ...]  # department names not in the current edition, confirmed
    notices: tuple[str, ...]  # e.g. how a CSV was read, extra columns ignored
    not_supplied: tuple[str, ...] = ()  # record fields whose template column the file lacks


# --- reading ----------------------------------------------------------------------------------


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and encoding name of a CSV: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def detect_delimiter(text: str) -> str:
    """';' or ',' (or a tab): whichever the header line holds most of."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ";"))


def read_table(data: bytes, file_name: str) -> tuple[pl.DataFrame, list[str]]:
    """The file's first sheet (XLSX) or its table (CSV), all cells as text; notes on how it was read."""
    suffix = PurePath(file_name).suffix.lower()
    notes: list[str] = []
    try:
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            frame = pl.read_excel(data, engine="calamine", sheet_id=1, infer_schema_length=0)
        elif suffix in (".csv", ".txt", ".tsv"):
            text, encoding = decode_csv(data)
            delimiter = detect_delimiter(text)
            frame = pl.read_csv(
                io.StringIO(text).read().encode("utf-8"),
                separator=delimiter,
                infer_schema=False,
                truncate_ragged_lines=False,
            )
            shown = {";": "Semikolon", ",": "Komma", "\t": "Tabulator"}[delimiter]
            notes.append(f"CSV gelesen als {encoding}, Trennzeichen {shown}.")
        else:
            raise EditionInvalid(
                file_name,
                [
                    Problem(
                        None,
                        None,
                        None,
                        "Bitte eine Excel-Datei (.xlsx) oder eine CSV-Datei (.csv) hochladen.",
                    )
                ],
            )
    except EditionInvalid:
        raise
    except Exception as exc:
        raise EditionInvalid(
            file_name,
            [
                Problem(
                    None,
                    None,
                    None,
                    f"Die Datei kann nicht als Tabelle gelesen werden ({type(exc).__name__}).",
                )
            ],
        ) from None
    frame = frame.rename({c: " ".join(str(c).split()) for c in frame.columns})
    return frame, notes


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    """Cells trimmed, inner whitespace collapsed, empty cells null, rows with no cell at all dropped."""
    frame = frame.with_columns(
        pl.col(c).cast(pl.String).str.replace_all(r"\s+", " ").str.strip_chars().replace("", None)
        for c in frame.columns
    )
    frame = frame.with_row_index("row", offset=HEADER_ROW + 1)
    # Empty rows below the table (Excel keeps formatted blank rows) are no records.
    data_columns = [c for c in frame.columns if c != "row"]
    return frame.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in data_columns))


# --- values -----------------------------------------------------------------------------------


def parse_year(text: str | None) -> int | None:
    """A four-digit year from '2019', '2019.0' (an Excel number), '2019-05-01' or '01.05.2019'."""
    if text is None:
        return None
    m = _YEAR.match(text)
    if not m:
        return None
    return int(next(g for g in m.groups() if g))


def parse_euro(text: str | None) -> float | None:
    """An amount from '12500', '12.500', '12.500,50', '12500,5', '12500.5' or '12 500 €'; None if text."""
    if text is None:
        return None
    t = text.replace("€", "").replace("EUR", "").replace(" ", "").replace("\u202f", "")
    if _GERMAN_THOUSANDS.match(t):
        return float(t.replace(".", "").replace(",", "."))
    if _PLAIN_NUMBER.match(t):
        return float(t.replace(",", "."))
    return None


def closest(name: str, known: Collection[str]) -> str | None:
    """The known name most like name, if it is close enough to suggest.

    token_set_ratio on lower-cased words: 'Amt für Umwelt- und Naturschutz' finds
    'Umwelt- und Naturschutzamt' (80), where WRatio preferred 'Amt für Bildung' (tried on Erfurt's names).
    """
    if not known:
        return None
    found = process.extractOne(
        name, sorted(known), scorer=fuzz.token_set_ratio, processor=utils.default_process
    )
    return found[0] if found and found[1] >= SUGGESTION_MIN_SCORE else None


# --- validation -------------------------------------------------------------------------------

_MESSAGES = {
    "not_nullable": "Pflichtfeld ist leer",
    "field_uniqueness": "Schlüssel kommt mehrfach vor; jeder Schlüssel darf nur einmal stehen",
    "department_known": "unbekannter Fachbereich/Amt",
    "department_has_area": (
        "für diesen Fachbereich/dieses Amt ist kein Aufgabenbereich hinterlegt; "
        "bitte in den Klassifikationsregeln (Aufgabenbereiche je Fachbereich/Amt) ergänzen lassen"
    ),
    "is_euro": "keine Zahl: bitte den Betrag in Euro ohne Text eintragen (z. B. 12500 oder 12.500,50)",
    "is_year": "kein gültiges Jahr",
    "end_after_start": "Ende liegt vor dem Beginn",
    "record_kind_known": (
        "unbekannte Art des Eintrags; erlaubt sind Kooperation, Gremium und Projekt (leer = Kooperation)"
    ),
}


def _column_check(name: str, predicate: Callable[[pl.Expr], pl.Expr]) -> pa.Check:
    """A vectorised pandera check on one column; null cells pass (emptiness is checked separately)."""
    import pandera.polars as pa  # 1 s to import: only an import of an edition file needs it

    return pa.Check(
        lambda data: data.lazyframe.select(
            pl.when(pl.col(data.key).is_null()).then(True).otherwise(predicate(pl.col(data.key)))
        ),
        name=name,
    )


def edition_schema(
    *,
    as_of: date,
    known_departments: Collection[str],
    accepted_departments: Collection[str],
    department_has_area: Callable[[str], bool],
) -> pa.DataFrameSchema:
    """The pandera schema an edition table must satisfy (all cells text, as read)."""
    import pandera.polars as pa

    allowed = sorted(set(known_departments) | set(accepted_departments))
    last_year = as_of.year + YEARS_AHEAD

    def year_ok(column: pl.Expr) -> pl.Expr:
        year = column.map_elements(parse_year, return_dtype=pl.Int64)
        return year.is_not_null() & year.is_between(FIRST_YEAR, last_year)

    def end_year_ok(column: pl.Expr) -> pl.Expr:
        year = column.map_elements(parse_year, return_dtype=pl.Int64)
        return year.is_not_null() & (year >= FIRST_YEAR)

    def has_area(column: pl.Expr) -> pl.Expr:
        return column.map_elements(department_has_area, return_dtype=pl.Boolean)

    columns = {
        # Not pandera's unique=True: that counts empty cells (new rows) as duplicates of each other.
        "Schlüssel": pa.Column(
            str,
            nullable=True,
            required=False,
            checks=[_column_check("field_uniqueness", lambda c: ~c.is_duplicated())],
        ),
        "Fachbereich/Amt": pa.Column(
            str,
            nullable=False,
            checks=[
                _column_check("department_known", lambda c: c.is_in(allowed)),
                _column_check("department_has_area", has_area),
            ],
        ),
        "Bezeichnung": pa.Column(str, nullable=False),
        "Kooperationsart": pa.Column(str, nullable=True),
        "Effekte": pa.Column(str, nullable=True),
        "Beginn (Jahr)": pa.Column(
            str, nullable=True, required=False, checks=[_column_check("is_year", year_ok)]
        ),
        "Ende": pa.Column(str, nullable=True, required=False, checks=[_column_check("is_year", end_year_ok)]),
        "Einsparung (€/Jahr)": pa.Column(
            str,
            nullable=True,
            required=False,
            checks=[
                _column_check(
                    "is_euro", lambda c: c.map_elements(parse_euro, return_dtype=pl.Float64).is_not_null()
                )
            ],
        ),
    }
    columns["Art des Eintrags"] = pa.Column(
        str,
        nullable=True,
        required=False,
        checks=[_column_check("record_kind_known", lambda c: c.is_in(RECORD_KINDS))],
    )
    for header in HEADERS:
        columns.setdefault(header, pa.Column(str, nullable=True, required=False))
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def _problems_from(
    errors: SchemaErrors, frame: pl.DataFrame, *, as_of: date, known: Collection[str]
) -> list[Problem]:
    """German problems, one per failing cell, in row order."""
    problems: list[Problem] = []
    rows = frame["row"].to_list()
    for case in errors.failure_cases.iter_rows(named=True):
        column, check, index = case["column"], str(case["check"]), case["index"]
        if check.startswith("column_in_dataframe"):
            missing = str(case["failure_case"])
            problems.append(
                Problem(
                    None, missing, None, "Spalte fehlt; bitte die Vorlage verwenden (Kopfzeile unverändert)"
                )
            )
            continue
        row = rows[index] if index is not None and 0 <= index < len(rows) else None
        value = frame[column][index] if row is not None and column in frame.columns else None
        message = _MESSAGES.get(check, f"Prüfung „{check}“ nicht bestanden")
        if check == "department_known" and value:
            suggestion = closest(value, known)
            message += (
                f" – meinten Sie „{suggestion}“?" if suggestion else " – bitte als neuen Namen bestätigen"
            )
            if suggestion:
                message += " Ein neuer Name (Umbenennung) kann beim Import bestätigt werden."
        if check == "is_year":
            limit = f"{as_of.year + YEARS_AHEAD}" if column == "Beginn (Jahr)" else "…"
            message += f" (vierstellig, {FIRST_YEAR} bis {limit})"
        problems.append(Problem(row, column, value, message))
    return problems


def _end_before_start(frame: pl.DataFrame) -> list[Problem]:
    if "Ende" not in frame.columns or "Beginn (Jahr)" not in frame.columns:
        return []
    problems = []
    for row, start, end in frame.select("row", "Beginn (Jahr)", "Ende").iter_rows():
        s, e = parse_year(start), parse_year(end)
        if s is not None and e is not None and e < s:
            problems.append(Problem(row, "Ende", end, f"{_MESSAGES['end_after_start']} ({start})"))
    return problems


def assign_keys(
    city: str, records: Sequence[EditionRecord], key_map: Mapping[int, str] | None = None
) -> list[EditionRecord]:
    """Records with a Schlüssel each: given ones kept, confirmed matches (key_map: file row → key)
    keep their former key, the rest derive one from department and title."""
    key_map = key_map or {}
    records = [
        replace(r, key=key_map[r.line_start]) if not r.key and r.line_start in key_map else r for r in records
    ]
    taken = {r.key for r in records if r.key}
    out = []
    for r in records:
        if r.key:
            out.append(r)
        else:
            key = cooperation_key(city, r.department, r.record_kind, r.title, taken)
            out.append(replace(r, key=key, key_given=False))
    return out


def parse_edition(
    data: bytes,
    file_name: str,
    *,
    city: str,
    as_of: date,
    known_departments: Collection[str] | None,
    accepted_departments: Collection[str] = (),
    department_has_area: Callable[[str], bool] = lambda _name: True,
    type_known: Callable[[str], bool] = lambda _text: True,
    key_map: Mapping[int, str] | None = None,
) -> ParsedEdition:
    """Read, validate and convert an edition file; raises EditionInvalid listing every problem.

    known_departments None accepts any department (re-reading a file published earlier).
    """
    raw, notices = read_table(data, file_name)
    frame = _clean(raw)
    if known_departments is None and "Fachbereich/Amt" in frame.columns:
        known_departments = set(frame["Fachbereich/Amt"].drop_nulls().to_list())
    known_departments = known_departments or ()
    if frame.height == 0:
        raise EditionInvalid(file_name, [Problem(None, None, None, "Die Datei enthält keine Kooperationen.")])
    extra = [c for c in frame.columns if c not in HEADERS and c != "row"]
    if extra:
        notices.append(
            "Nicht übernommene Spalten (nicht in der Vorlage): " + ", ".join(f"„{c}“" for c in extra)
        )
    schema = edition_schema(
        as_of=as_of,
        known_departments=known_departments,
        accepted_departments=accepted_departments,
        department_has_area=department_has_area,
    )
    from pandera.errors import SchemaErrors

    problems: list[Problem] = []
    try:
        with warnings.catch_warnings():
            # Polars suggests native expressions for simple predicates passed in; a few hundred rows.
            warnings.simplefilter("ignore", pl.exceptions.PolarsInefficientMapWarning)
            schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        problems = _problems_from(errors, frame, as_of=as_of, known=known_departments)
    problems += _end_before_start(frame)
    problems.sort(key=lambda p: (p.row or 0, HEADERS.index(p.column) if p.column in HEADERS else -1))
    if problems:
        raise EditionInvalid(file_name, problems)

    def cell(row: dict, header: str) -> str | None:
        return row.get(header)

    records = []
    for row in frame.iter_rows(named=True):
        records.append(
            EditionRecord(
                key=cell(row, "Schlüssel") or "",
                department=row["Fachbereich/Amt"],
                title=row["Bezeichnung"],
                type_raw=cell(row, "Kooperationsart"),
                effects_text=cell(row, "Effekte"),
                line_start=row["row"],
                line_end=row["row"],
                partners_text=cell(row, "Partner"),
                start_year=parse_year(cell(row, "Beginn (Jahr)")),
                end_year=parse_year(cell(row, "Ende")),
                legal_basis=cell(row, "Rechtsgrundlage"),
                council_decision=cell(row, "Ratsbeschluss/Drucksache"),
                contact=cell(row, "Ansprechpartner"),
                status_text=cell(row, "Status"),
                savings_eur_per_year=parse_euro(cell(row, "Einsparung (€/Jahr)")),
                funding=cell(row, "Förderung"),
                record_kind=cell(row, "Art des Eintrags") or DEFAULT_RECORD_KIND,
                context=cell(row, "Gremium"),
                outlook_text=cell(row, "Perspektive"),
                list_heading=cell(row, "Listenüberschrift"),
                division=cell(row, "Dezernat"),
                sub_unit=cell(row, "Teilbereich"),
            )
        )
    records = assign_keys(city, records, key_map)
    new_types = sorted({r.type_raw for r in records if r.type_raw and not type_known(r.type_raw)})
    new_departments = sorted({r.department for r in records} - set(known_departments))
    # A column the file lacks is „nicht geliefert“, not emptied: the diff leaves such fields alone.
    not_supplied = tuple(c.field for c in COLUMNS if c.field != "key" and c.header not in frame.columns)
    return ParsedEdition(
        records=tuple(records),
        new_types=tuple(new_types),
        new_departments=tuple(new_departments),
        notices=tuple(notices),
        not_supplied=not_supplied,
    )
