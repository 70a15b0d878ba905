"""Editions, write side: prepare an import (validate + diff), keep the file, register it, rebuild.

Order of a publish, so that a process killed at any step leaves the old or the new state:
1. the file is written to a temporary name next to its place, fsynced, and renamed into place
   (a content-addressed name: the same bytes always land in the same file);
2. one store transaction checks that the city's current edition is still the one the user's diff
   was made against, registers the edition and makes it current (all or nothing);
3. the database is rebuilt and swapped in atomically; until then the app serves the last good one,
   and since the store's version is a build input, an interrupted rebuild is redone on the next
   page load.
A file left by step 1 alone is registered nowhere and changes nothing.
"""

from __future__ import annotations

import io
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath

import duckdb
import xlsxwriter

from ikz.builder import editions
from ikz.builder.database import build
from ikz.builder.editions import EditionInfo
from ikz.core.errors import SourceError, TaxonomyError
from ikz.core.paths import RAW_DIR, TAXONOMY_PATH, db_path, editions_dir
from ikz.core.records import EditionRecord
from ikz.derive.classify import load_taxonomy
from ikz.derive.diff import EditionDiff, diff_editions
from ikz.parse.edition import COLUMNS, HEADERS, RECORD_KINDS, ParsedEdition, parse_edition
from ikz.read.review_queue import waiting_after_publish
from ikz.store.access import Identity, require_editor
from ikz.store.sqlite import Store

CRASH_ENV_VAR = "IKZ_PUBLISH_CRASH_AT"  # tests: os._exit at the named step, as a killed process would
STEPS = ("datei-temp", "datei-abgelegt", "vor-commit", "nach-commit", "gebaut")
SHA_PREFIX = 12


def _step(name: str) -> None:
    """A point where a publish may be killed; the crash tests stop the process exactly here."""
    if os.environ.get(CRASH_ENV_VAR) == name:
        os._exit(86)


@dataclass(frozen=True)
class Prepared:
    """A valid file with its diff against the edition current when it was read: ready to publish."""

    city: str
    as_of: date
    file_name: str  # the uploaded file's name (for its extension and messages)
    data: bytes
    parsed: ParsedEdition
    diff: EditionDiff
    base: EditionInfo  # the current edition the diff was made against
    undecided: frozenset[str] = frozenset()  # old keys of title-only matches not confirmed yet
    # When the file lacked columns of the template: the completed edition as XLSX (the file's values,
    # the former values in the columns it did not bring). It becomes the edition; the upload is kept
    # beside it, byte-identical, and named in the audit trail.
    completed: bytes | None = None

    def ready(self) -> bool:
        """True when no match by a similar title waits for a decision."""
        return not self.undecided


@dataclass(frozen=True)
class PublishResult:
    """What a publish did: the new edition, and a German warning if the rebuild failed."""

    edition_id: int
    file_name: str
    build_warning: str | None = None
    to_review: tuple[int, int] = (0, 0)  # (uncertain values, records) of new and changed records


def validation_args(
    city: str, store: Store, taxonomy_path: Path = TAXONOMY_PATH, raw_dir: Path = RAW_DIR
) -> dict:
    """What a file is checked against: the current edition's departments and the taxonomy."""
    taxonomy = load_taxonomy(taxonomy_path)
    current = editions.current_info(city, store, raw_dir)
    known = {r.department for r in editions.load_records(current, store, raw_dir)}
    return {
        "known_departments": known,
        "department_has_area": editions.department_known_to(taxonomy, city),
        "type_known": editions.type_known_to(taxonomy),
    }


def prepare_import(
    data: bytes,
    file_name: str,
    *,
    city: str,
    as_of: date,
    accepted_departments: Collection[str] = (),
    confirmed: Collection[str] = (),
    rejected: Collection[str] = (),
    store: Store | None = None,
    taxonomy_path: Path = TAXONOMY_PATH,
    raw_dir: Path = RAW_DIR,
) -> Prepared:
    """Validate a file (EditionInvalid lists every problem) and diff it against the current edition.

    confirmed/rejected: old keys whose match by a similar title the user confirmed or refused.
    Nothing is written.
    """
    editions.document(city)
    store = store or Store()
    base = editions.current_info(city, store, raw_dir)
    parsed = parse_edition(
        data,
        file_name,
        city=city,
        as_of=as_of,
        accepted_departments=accepted_departments,
        **validation_args(city, store, taxonomy_path, raw_dir),
    )
    old = editions.load_records(base, store, raw_dir)
    diff = diff_editions(old, parsed.records, rejected=rejected, not_supplied=parsed.not_supplied)
    undecided = frozenset(c.key for c in diff.to_confirm()) - frozenset(confirmed)
    if not parsed.not_supplied:
        return Prepared(city, as_of, file_name, data, parsed, diff, base, undecided)
    records = diff.completed()
    type_choices, status_choices = choices(taxonomy_path, records)
    completed = records_workbook(records, type_choices=type_choices, status_choices=status_choices)
    return Prepared(city, as_of, file_name, data, parsed, diff, base, undecided, completed=completed)


def _clear_stale_temporaries(folder: Path) -> None:
    """Remove temporary files that a killed publish left (their process is gone); never a kept file."""
    for tmp in folder.glob(".*.tmp-*"):
        try:
            pid = int(tmp.name.rsplit("-", 1)[1])
            os.kill(pid, 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except (ValueError, PermissionError, OSError):
            continue


def keep_file(city: str, as_of: date, data: bytes, suffix: str) -> str:
    """Write the file byte-identical under editions/<city>/<as_of>_<sha>.<ext>; returns its file_name."""
    digest = editions.sha256_of(data)
    name = f"{as_of.isoformat()}_{digest[:SHA_PREFIX]}{suffix.lower()}"
    folder = editions_dir() / city
    folder.mkdir(parents=True, exist_ok=True)
    _clear_stale_temporaries(folder)
    target = folder / name
    file_name = f"editions/{city}/{name}"
    if target.exists() and editions.sha256_of(target.read_bytes()) == digest:
        return file_name  # the same bytes were kept before (e.g. a publish that was cut short)
    tmp = folder / f".{name}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _step("datei-temp")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a power cut
    finally:
        os.close(dir_fd)
    _step("datei-abgelegt")
    return file_name


def rebuild(target: Path | None = None) -> str | None:
    """Rebuild the database after a store change; a German warning instead of an exception."""
    try:
        build(target or db_path())
    except (SourceError, TaxonomyError) as exc:
        return (
            f"Die Ausgabe ist gespeichert, aber die Datenbank konnte nicht neu gebaut werden ({exc}). "
            "Das Dashboard zeigt bis dahin den zuletzt gebauten Stand."
        )
    _step("gebaut")
    return None


def waiting(city: str, target: Path | None = None) -> tuple[int, int]:
    """(uncertain derived values, records) the publish put into the Prüfen queue for city."""
    with duckdb.connect(str(target or db_path()), read_only=True) as con:
        return waiting_after_publish(con, city)


def publish(
    identity: Identity,
    prepared: Prepared,
    *,
    store: Store | None = None,
    target: Path | None = None,
    note: str | None = None,
    derived_from: int | None = None,
) -> PublishResult:
    """Keep the file, register it as the city's current edition and rebuild; StaleState if another
    edition became current since the diff (nothing registered then)."""
    require_editor(identity)
    if not prepared.ready():
        raise ValueError("Es sind noch Zuordnungen nach ähnlicher Bezeichnung offen.")
    store = store or Store()
    suffix = PurePath(prepared.file_name).suffix or ".xlsx"
    data = prepared.data
    upload_detail: dict[str, object] = {}
    if prepared.completed is not None:
        upload_detail = {
            "upload_file": keep_file(prepared.city, prepared.as_of, prepared.data, suffix),
            "upload_sha256": editions.sha256_of(prepared.data),
            "not_supplied": prepared.diff.not_supplied_labels(),
        }
        data, suffix = prepared.completed, ".xlsx"
    file_name = keep_file(prepared.city, prepared.as_of, data, suffix)
    expected = expected_of(prepared.base)
    edition_id = store.register_edition(
        identity,
        city=prepared.city,
        as_of=prepared.as_of.isoformat(),
        file_name=file_name,
        sha256=editions.sha256_of(data),
        row_count=len(prepared.parsed.records),
        expected_current=expected,
        derived_from=derived_from,
        note=note,
        # A completed edition writes every row's Schlüssel; only an upload kept as it is needs the map.
        key_map={} if prepared.completed is not None else prepared.diff.key_map(),
        extra_detail=upload_detail,
        before_commit=lambda: _step("vor-commit"),
    )
    _step("nach-commit")
    warning = rebuild(target)
    return PublishResult(
        edition_id, file_name, warning, (0, 0) if warning else waiting(prepared.city, target)
    )


def reset(
    identity: Identity,
    city: str,
    edition: EditionInfo,
    *,
    expected_current: int | None,
    store: Store | None = None,
    target: Path | None = None,
    raw_dir: Path = RAW_DIR,
) -> PublishResult:
    """„Zurücksetzen auf Ausgabe …“: make an earlier edition current again (a new store row) and rebuild."""
    store = store or Store()
    seed = None
    edition_id: int | None = edition.edition_id
    if edition.edition_id < 0:
        edition_id = None
        seed = {
            "as_of": edition.as_of,
            "file_name": edition.file_name,
            "sha256": edition.sha256,
            "row_count": len(editions.load_records(edition, store, raw_dir)),
        }
    new_id = store.set_current(identity, city, edition_id, expected_current, seed=seed)
    return PublishResult(new_id, edition.file_name, rebuild(target))


def expected_of(info: EditionInfo) -> int | None:
    """The value a store write expects as current for this edition (None while the unregistered seed is)."""
    return None if info.edition_id < 0 else info.edition_id


# --- template and derived editions -------------------------------------------------------------


def _cell(record: EditionRecord, field: str) -> object:
    value = getattr(record, field)
    if field == "savings_eur_per_year" and value is not None and float(value).is_integer():
        return int(value)
    return value


def records_workbook(
    records: Sequence[EditionRecord], *, type_choices: Sequence[str], status_choices: Sequence[str]
) -> bytes:
    """An XLSX in the template's columns: records, drop-down lists, and a sheet explaining each column."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Kooperationen")
    lists = book.add_worksheet("Auswahllisten")
    help_sheet = book.add_worksheet("Erläuterungen")
    bold = book.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_row(0, 0, HEADERS, bold)
    for i, r in enumerate(records, start=1):
        for j, column in enumerate(COLUMNS):
            value = _cell(r, column.field)
            if isinstance(value, str):
                # As text, always: write() would turn a cell such as '=HYPERLINK(…)' into a formula.
                sheet.write_string(i, j, value)
            elif value is not None:
                sheet.write(i, j, value)
    widths = {"Bezeichnung": 50, "Effekte": 50, "Fachbereich/Amt": 30, "Kooperationsart": 28, "Partner": 30}
    for j, header in enumerate(HEADERS):
        sheet.set_column(j, j, widths.get(header, 16))
    sheet.freeze_panes(1, 0)
    last_row = max(len(records) + 200, 500)  # room for new rows, with the same drop-downs
    lists.write_column(0, 0, ["Kooperationsart", *type_choices], None)
    lists.write_column(0, 1, ["Status", *status_choices], None)
    lists.write_column(0, 2, ["Art des Eintrags", *RECORD_KINDS], None)
    drop_downs = (
        ("Kooperationsart", "A", type_choices),
        ("Status", "B", status_choices),
        ("Art des Eintrags", "C", RECORD_KINDS),
    )
    for header, column, values in drop_downs:
        j = HEADERS.index(header)
        sheet.data_validation(
            1,
            j,
            last_row,
            j,
            {
                "validate": "list",
                "source": f"=Auswahllisten!${column}$2:${column}${len(values) + 1}",
                # A warning, not a stop: a new Kooperationsart is allowed and shown as such.
                "error_type": "warning" if header == "Kooperationsart" else "stop",
                "error_title": header,
                "error_message": "Nicht in der Liste: wird als neue Kooperationsart übernommen."
                if header == "Kooperationsart"
                else "Bitte einen Wert aus der Liste wählen.",
            },
        )
    help_sheet.write_row(0, 0, ["Spalte", "Pflicht", "Erläuterung", "Beispiel"], bold)
    for i, column in enumerate(COLUMNS, start=1):
        help_sheet.write_row(
            i,
            0,
            [column.header, "ja" if column.required else "nein", column.explanation, column.example],
            wrap,
        )
    help_sheet.write(
        len(COLUMNS) + 2,
        0,
        "Zeilen hinzufügen für neue Kooperationen (Schlüssel leer lassen), Zeilen löschen für beendete. "
        "Die Kopfzeile nicht ändern. Fehlende Spalten sind erlaubt: ihre bisherigen Werte bleiben "
        "erhalten. Hochladen im Dashboard unter „Daten pflegen“.",
    )
    help_sheet.set_column(0, 0, 26)
    help_sheet.set_column(1, 1, 8)
    help_sheet.set_column(2, 2, 90)
    help_sheet.set_column(3, 3, 30)
    book.close()
    return buffer.getvalue()


def choices(
    taxonomy_path: Path = TAXONOMY_PATH, records: Sequence[EditionRecord] = ()
) -> tuple[list[str], list[str]]:
    """Drop-down values: the canonical Kooperationsarten (plus raw ones in use) and the statuses."""
    taxonomy = load_taxonomy(taxonomy_path)
    # „ohne Angabe“ is what an empty cell means, not a choice (named once, in the taxonomy).
    types = [t.name for t in taxonomy.types() if t.name != taxonomy.no_info]
    used = sorted({r.type_raw for r in records if r.type_raw and r.type_raw not in types})
    statuses = [s for s in taxonomy.statuses() if s != taxonomy.no_info]
    return types + used, statuses


def template(
    city: str, *, store: Store | None = None, taxonomy_path: Path = TAXONOMY_PATH, raw_dir: Path = RAW_DIR
) -> bytes:
    """„Vorlage herunterladen“: the city's current edition as XLSX with Schlüssel and drop-downs."""
    store = store or Store()
    records = editions.load_records(editions.current_info(city, store, raw_dir), store, raw_dir)
    type_choices, status_choices = choices(taxonomy_path, records)
    return records_workbook(records, type_choices=type_choices, status_choices=status_choices)


def prepare_derived(
    city: str,
    records: Sequence[EditionRecord],
    *,
    as_of: date,
    store: Store | None = None,
    taxonomy_path: Path = TAXONOMY_PATH,
    raw_dir: Path = RAW_DIR,
    accepted_departments: Collection[str] = (),
) -> Prepared:
    """A single-record edit as a new edition: the current records changed, written as an XLSX and
    checked like any upload (EditionInvalid on a bad value)."""
    type_choices, status_choices = choices(taxonomy_path, records)
    data = records_workbook(records, type_choices=type_choices, status_choices=status_choices)
    return prepare_import(
        data,
        f"{city}-einzeln.xlsx",
        city=city,
        as_of=as_of,
        accepted_departments=accepted_departments,
        store=store,
        taxonomy_path=taxonomy_path,
        raw_dir=raw_dir,
    )
