"""The command `python -m ikz import`: validate a file, print the diff, publish (unless --dry-run)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from ikz.core.errors import SourceError, TaxonomyError
from ikz.derive.diff import EditionDiff
from ikz.edit.publish import Prepared, prepare_import, publish
from ikz.parse.edition import EditionInvalid
from ikz.store.access import Identity, PermissionDenied
from ikz.store.sqlite import StaleState, StoreError

KIND_WIDTH = 12


def diff_table(diff: EditionDiff) -> str:
    """The diff as a plain table: one line per new, ended or changed record, then the summary line."""
    lines = [f"{'Änderung':<{KIND_WIDTH}} {'Schlüssel':<14} {'Fachbereich/Amt':<30} Bezeichnung"]
    for c in diff.changes:
        if c.change == "unverändert":
            continue
        mark = " (ähnlich)" if c.needs_confirmation() else ""
        lines.append(f"{c.change + mark:<{KIND_WIDTH}} {c.key:<14} {c.department[:30]:<30} {c.title}")
        for f in c.fields:
            lines.append(f"{'':<{KIND_WIDTH}}   {f.text()}")
    lines.append(diff.summary_line())
    return "\n".join(lines)


def _report(prepared: Prepared) -> str:
    parts = list(prepared.parsed.notices)
    if prepared.parsed.new_types:
        parts.append(
            "Neue Kooperationsart (wird so übernommen, keiner Kooperationsform zugeordnet): "
            + ", ".join(f"„{t}“" for t in prepared.parsed.new_types)
        )
    if prepared.parsed.new_departments:
        parts.append(
            "Neue Namen für Fachbereich/Amt: " + ", ".join(f"„{d}“" for d in prepared.parsed.new_departments)
        )
    for c in prepared.diff.to_confirm():
        parts.append(
            f"Zuordnung nur nach ähnlicher Bezeichnung ({c.score:.0f} %): „{c.old.title}“ → „{c.new.title}“"  # type: ignore[union-attr]
        )
    if line := prepared.diff.not_supplied_line():
        parts.append(line)
    parts.append(f"Vergleich mit {prepared.base.label()}:")
    parts.append(diff_table(prepared.diff))
    return "\n".join(parts)


def run_import(args: argparse.Namespace) -> int:
    """Run the import command; returns the exit code (0 published or dry run, 1 invalid, 2 refused)."""
    try:
        as_of = date.fromisoformat(args.as_of)
    except ValueError:
        print(f"Fehler: --as-of „{args.as_of}“ ist kein Datum der Form JJJJ-MM-TT.", file=sys.stderr)
        return 2
    try:
        data = args.path.read_bytes()
    except OSError as exc:
        print(f"Fehler: {args.path} kann nicht gelesen werden ({exc.strerror}).", file=sys.stderr)
        return 2
    try:
        prepared = prepare_import(
            data, args.path.name, city=args.city, as_of=as_of, accepted_departments=args.neuer_fachbereich
        )
        keys = {c.key for c in prepared.diff.to_confirm()}
        if args.aehnliche == "uebernehmen":
            prepared = prepare_import(
                data,
                args.path.name,
                city=args.city,
                as_of=as_of,
                accepted_departments=args.neuer_fachbereich,
                confirmed=keys,
            )
        elif args.aehnliche == "ablehnen":
            prepared = prepare_import(
                data,
                args.path.name,
                city=args.city,
                as_of=as_of,
                accepted_departments=args.neuer_fachbereich,
                rejected=keys,
            )
    except EditionInvalid as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except (ValueError, SourceError, TaxonomyError, StoreError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2
    print(_report(prepared))
    if args.dry_run:
        print("Probelauf (--dry-run): nichts veröffentlicht.")
        return 0
    if not prepared.ready():
        print(
            "Nicht veröffentlicht: Zuordnungen nur nach ähnlicher Bezeichnung bitte mit "
            "--aehnliche uebernehmen oder --aehnliche ablehnen entscheiden.",
            file=sys.stderr,
        )
        return 2
    try:
        identity = Identity.local(args.by or os.environ.get("USER") or "")
        result = publish(identity, prepared, target=args.db)
    except (PermissionDenied, StaleState, StoreError) as exc:
        print(f"Nicht veröffentlicht: {exc}", file=sys.stderr)
        return 2
    print(f"Veröffentlicht als Ausgabe {result.edition_id} ({result.file_name}).")
    values, records = result.to_review
    if values:
        print(
            f"Zu prüfen: {values} unsichere abgeleitete Werte in {records} neuen oder geänderten Einträgen."
        )
    if result.build_warning:
        print(result.build_warning, file=sys.stderr)
        return 2
    return 0
