"""Editions of a city's list, read side: which edition is current, its records, all editions' facts.

The seed documents in data/raw are each city's first edition (no store row needed: a city without
an `edition_current` row shows its seed). Imported editions are files kept byte-identical under
the editions folder (ikz.core.paths.editions_dir) and registered in the store of record. The build and
the import both read editions through this module; writing is in ikz.edit.publish.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from ikz.core.dates import as_of_text
from ikz.core.errors import SourceError, TaxonomyError
from ikz.core.paths import RAW_DIR, editions_dir
from ikz.core.records import EditionRecord, ErfurtRecord, MagdeburgRecord
from ikz.derive.classify import Taxonomy
from ikz.derive.diff import EditionDiff, diff_editions
from ikz.derive.normalise import KIND_LABELS
from ikz.parse.edition import EditionInvalid, parse_edition
from ikz.parse.erfurt import parse_erfurt
from ikz.parse.keys import cooperation_key
from ikz.parse.magdeburg import parse_magdeburg
from ikz.parse.text import read_source
from ikz.rules.sources import DOCUMENTS, SourceDocument
from ikz.store.sqlite import Edition, Store

SEED_NOTE = "Ausgangsliste"
CITIES = tuple(d.city for d in DOCUMENTS)


def document(city: str) -> SourceDocument:
    """The seed document of a city; a German error for a city the dashboard does not know."""
    for doc in DOCUMENTS:
        if doc.city == city:
            return doc
    raise ValueError(f"Unbekannte Stadt „{city}“; bekannt sind: {', '.join(CITIES)}.")


def seed_file_name(city: str) -> str:
    """The seed document as an edition's file_name: 'raw/erfurt_kooperationen.tsv'."""
    return f"raw/{document(city).file}"


def is_seed(file_name: str) -> bool:
    """True for an edition row that points to the seed document (after a reset to it)."""
    return file_name.startswith("raw/")


def edition_path(file_name: str, raw_dir: Path = RAW_DIR) -> Path:
    """Where an edition's file lies: 'editions/Erfurt/…' under the editions folder, 'raw/…' in raw_dir."""
    parts = PurePosixPath(file_name).parts
    if parts[0] == "raw":
        return raw_dir.joinpath(*parts[1:])
    return editions_dir().joinpath(*parts[1:])


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def seed_parsed(
    city: str, raw_dir: Path = RAW_DIR
) -> list[ErfurtRecord] | list[MagdeburgRecord] | list[EditionRecord]:
    """The seed document's records as the parser of its format (data/cities.toml) returns them."""
    doc = document(city)
    path = raw_dir / doc.file
    if doc.format == "vorlage":  # a list in the office's edition template, as a first edition
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(
                str(path), None, f"Datei fehlt oder ist nicht lesbar ({exc.strerror})"
            ) from None
        try:
            parsed = parse_edition(
                data, path.name, city=city, as_of=_as_date(doc.as_of), known_departments=None
            )
        except EditionInvalid as exc:
            raise SourceError(str(path), None, exc.report()) from None
        return list(parsed.records)
    parse = parse_erfurt if doc.format == "tabelle" else parse_magdeburg
    return parse(read_source(path), source=str(path))  # type: ignore[return-value]


def as_edition_records(
    city: str, parsed: list[ErfurtRecord] | list[MagdeburgRecord] | list[EditionRecord]
) -> list[EditionRecord]:
    """Seed records in the template's shape, each with the key the build gives it."""
    taken: set[str] = set()
    out = []
    for r in parsed:
        if isinstance(r, EditionRecord):  # a seed in the template's shape has its keys already
            out.append(r)
        elif isinstance(r, ErfurtRecord):
            kind = KIND_LABELS["row"]
            out.append(
                EditionRecord(
                    key=cooperation_key(city, r.department, kind, r.title, taken),
                    department=r.department,
                    title=r.title,
                    type_raw=r.type_raw,
                    effects_text=r.effects_text,
                    line_start=r.line_start,
                    line_end=r.line_end,
                )
            )
        else:
            kind = KIND_LABELS[r.kind]
            out.append(
                EditionRecord(
                    key=cooperation_key(city, r.unit, kind, r.title, taken),
                    department=r.unit,
                    title=r.title,
                    type_raw=None,
                    effects_text=None,
                    line_start=r.line_start,
                    line_end=r.line_end,
                    partners_text=r.partners_text,
                    status_text=r.status_text,
                    record_kind=kind,
                    context=r.context,
                    outlook_text=r.outlook_text,
                    list_heading=r.list_heading,
                    division=r.division,
                    sub_unit=r.sub_unit,
                )
            )
    return out


@dataclass(frozen=True)
class EditionInfo:
    """One edition of a city as the dashboard lists it (the seed included)."""

    edition_id: int  # store id; the unregistered seed has -city number (−1 Erfurt, −2 Magdeburg)
    city: str
    as_of: str
    file_name: str
    sha256: str
    row_count: int
    imported_at: str | None
    imported_by: str | None
    is_current: bool
    note: str | None
    derived_from: int | None = None

    def label(self) -> str:
        """'Ausgabe 3 (Stand 30. November 2026)' or 'Ausgangsliste (Stand undatiert, nach 2020)'."""
        name = SEED_NOTE if is_seed(self.file_name) else f"Ausgabe {self.edition_id}"
        return f"{name} (Stand {as_of_text(self.as_of)})"


def seed_id(city: str) -> int:
    """The id the unregistered seed edition of a city has in the database: −1, −2, …"""
    return -(CITIES.index(city) + 1)


def seed_info(city: str, raw_dir: Path = RAW_DIR, *, is_current: bool) -> EditionInfo:
    """The seed document as an edition, as long as it has no store row."""
    doc = document(city)
    data = (raw_dir / doc.file).read_bytes() if (raw_dir / doc.file).exists() else b""
    return EditionInfo(
        edition_id=seed_id(city),
        city=city,
        as_of=doc.as_of,
        file_name=seed_file_name(city),
        sha256=sha256_of(data),
        row_count=0,
        imported_at=None,
        imported_by=None,
        is_current=is_current,
        note=SEED_NOTE,
    )


def editions(city: str, store: Store, raw_dir: Path = RAW_DIR) -> list[EditionInfo]:
    """All editions of a city, the seed first, then in the order they were registered."""
    current = store.current_edition_id(city)
    registered = store.editions(city)
    rows = []
    if not any(is_seed(e.file_name) for e in registered):
        rows.append(seed_info(city, raw_dir, is_current=current is None))
    for e in registered:
        rows.append(_info(e, is_current=e.edition_id == current))
    return rows


def _info(e: Edition, *, is_current: bool) -> EditionInfo:
    return EditionInfo(
        edition_id=e.edition_id,
        city=e.city,
        as_of=e.as_of,
        file_name=e.file_name,
        sha256=e.sha256,
        row_count=e.row_count,
        imported_at=e.imported_at,
        imported_by=e.imported_by,
        is_current=is_current,
        note=e.note,
        derived_from=e.derived_from,
    )


def current_info(city: str, store: Store, raw_dir: Path = RAW_DIR) -> EditionInfo:
    """The city's current edition."""
    return next(e for e in editions(city, store, raw_dir) if e.is_current)


def previous_info(city: str, store: Store, raw_dir: Path = RAW_DIR) -> EditionInfo | None:
    """The edition that was current before the current one (None while the seed was never replaced)."""
    history = store.current_history(city)
    if not history:
        return None
    all_editions = {e.edition_id: e for e in editions(city, store, raw_dir)}
    before = history[-2][0] if len(history) >= 2 else None
    if before is None:
        seed = [e for e in all_editions.values() if is_seed(e.file_name)]
        return seed[0] if seed else seed_info(city, raw_dir, is_current=False)
    return all_editions.get(before)


def load_records(info: EditionInfo, store: Store, raw_dir: Path = RAW_DIR) -> list[EditionRecord]:
    """An edition's records in the template's shape (keys applied as confirmed when published)."""
    if is_seed(info.file_name):
        return as_edition_records(info.city, seed_parsed(info.city, raw_dir))
    path = edition_path(info.file_name, raw_dir)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), None, f"Ausgabe nicht lesbar ({exc.strerror})") from None
    if sha256_of(data) != info.sha256:
        raise SourceError(str(path), None, "Datei weicht von der veröffentlichten Ausgabe ab (SHA-256)")
    try:
        parsed = parse_edition(
            data,
            path.name,
            city=info.city,
            as_of=_as_date(info.as_of),
            known_departments=None,
            key_map=store.edition_key_map(info.edition_id),
        )
    except EditionInvalid as exc:
        raise SourceError(str(path), None, exc.report()) from None
    return list(parsed.records)


def _as_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return date.today()


def changes_since_previous(
    city: str, store: Store, raw_dir: Path = RAW_DIR
) -> tuple[EditionInfo, EditionInfo, EditionDiff] | None:
    """(previous, current, diff by key) for the city, None while its seed was never replaced."""
    previous = previous_info(city, store, raw_dir)
    if previous is None:
        return None
    current = current_info(city, store, raw_dir)
    diff = diff_editions(
        load_records(previous, store, raw_dir), load_records(current, store, raw_dir), by_key_only=True
    )
    return previous, current, diff


def department_known_to(taxonomy: Taxonomy, city: str):
    """A test whether the taxonomy can place a department name in a task area."""

    def has_area(name: str) -> bool:
        try:
            taxonomy.task_area(city, name)
        except TaxonomyError:
            return False
        return True

    return has_area


def type_known_to(taxonomy: Taxonomy):
    """A test whether the taxonomy recognises a written Kooperationsart."""

    def known(text: str) -> bool:
        return taxonomy.classify_type(text, []).name != taxonomy.no_info

    return known
