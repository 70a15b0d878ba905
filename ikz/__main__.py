"""Command line: `python -m ikz build [--db PATH]` writes the DuckDB file from data/raw;
`python -m ikz quality` reports how sure the derived values are."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ikz.core.errors import SourceError, TaxonomyError
from ikz.core.paths import DB_ENV_VAR, PARTNERS_PATH, RAW_DIR, TAXONOMY_PATH
from ikz.rules.cities import load_cities

if TYPE_CHECKING:
    import duckdb


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m ikz", description="IKZ Dashboard: Daten")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="DuckDB-Datei aus data/raw bauen")
    build_cmd.add_argument(
        "--db", type=Path, help=f"Zieldatei (Standard: ${DB_ENV_VAR} oder data/ikz.duckdb)"
    )
    build_cmd.add_argument("--raw", type=Path, default=RAW_DIR, help="Ordner der Quelldateien")
    build_cmd.add_argument("--taxonomy", type=Path, default=TAXONOMY_PATH, help="Regeldatei")
    build_cmd.add_argument("--partners", type=Path, default=PARTNERS_PATH, help="Partner-Verzeichnis")
    _add_import_command(commands)
    quality_cmd = commands.add_parser(
        "quality", help="Herkunft und Übereinstimmung der abgeleiteten Werte mit der Auswertungsdatei"
    )
    quality_cmd.add_argument("--db", type=Path, help="Datenbank (Standard wie build; fehlt sie: bauen)")
    quality_cmd.add_argument("--evaluation", type=Path, help="Auswertungsdatei (Standard: data/evaluation)")
    quality_cmd.add_argument("--details", action="store_true", help="jede Abweichung einzeln auflisten")
    args = parser.parse_args(argv)
    if args.command == "quality":
        return _quality(args.db, args.evaluation, details=args.details)
    if args.command == "import":
        from ikz.edit.importing import run_import  # issue 11: editions

        return run_import(args)

    from ikz.builder.database import build  # imported late so `--help` works even with a broken install
    from ikz.store.sqlite import StoreError

    def precompute(con: duckdb.DuckDBPyConnection, target: Path) -> int:
        """As the app's own builds do: a large file stores its states' reads (ikz.ui.warm)."""
        from ikz.read.precomputed import worth_storing

        if not worth_storing(con):
            return 0  # without importing the app (Streamlit, Plotly: over a second)
        # The reads are the app's, declared with Streamlit's caches; its warnings about running
        # outside a server are noise on a command line.
        from streamlit.logger import set_log_level

        set_log_level("error")
        from ikz.ui.warm import precompute as store_reads

        return store_reads(con, target)

    try:
        summary = build(
            args.db,
            raw_dir=args.raw,
            taxonomy_path=args.taxonomy,
            partners_path=args.partners,
            finish=precompute,
        )
    except (SourceError, TaxonomyError, StoreError) as exc:
        # One line naming file and line, not a traceback: the user fixes the file and reruns.
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    print(summary.text())
    return 0


def _add_import_command(commands: argparse._SubParsersAction) -> None:
    """`python -m ikz import PATH --city Erfurt --as-of YYYY-MM-DD [--dry-run]`."""
    cmd = commands.add_parser("import", help="neue Ausgabe einer Stadt prüfen und veröffentlichen")
    cmd.add_argument("path", type=Path, help="XLSX- oder CSV-Datei in den Spalten der Vorlage")
    cmd.add_argument("--city", required=True, help=f"Stadt: {', '.join(load_cities().names)}")
    cmd.add_argument("--as-of", required=True, help="Stichtag der Ausgabe, JJJJ-MM-TT")
    cmd.add_argument("--dry-run", action="store_true", help="nur prüfen und Änderungen zeigen")
    cmd.add_argument("--by", help="Name der veröffentlichenden Person (Standard: $USER)")
    cmd.add_argument(
        "--neuer-fachbereich",
        action="append",
        default=[],
        metavar="NAME",
        help="einen neuen Namen für Fachbereich/Amt bestätigen (z. B. nach Umbenennung); mehrfach möglich",
    )
    cmd.add_argument(
        "--aehnliche",
        choices=("uebernehmen", "ablehnen"),
        help="Zuordnungen nur nach ähnlicher Bezeichnung bestätigen oder ablehnen",
    )
    cmd.add_argument("--db", type=Path, help=f"Datenbank (Standard: ${DB_ENV_VAR} oder data/ikz.duckdb)")


def _quality(db: Path | None, evaluation: Path | None, *, details: bool) -> int:
    """Print origin shares and accuracy; builds the database first when it is missing."""
    import duckdb

    from ikz.builder.database import build
    from ikz.core.paths import db_path
    from ikz.derive.quality import EVALUATION_PATH, EvaluationError, quality_report

    path = db if db is not None else db_path()
    try:
        if not path.exists():
            build(path)
        with duckdb.connect(str(path), read_only=True) as con:
            report = quality_report(con, evaluation or EVALUATION_PATH)
    except (SourceError, TaxonomyError, EvaluationError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    from ikz.derive.classify import load_taxonomy
    from ikz.derive.partners import load_gazetteer
    from ikz.derive.testset import testset_scores

    print("Entwicklungsmenge (evaluation.toml; die Regeln wurden daran abgestimmt):")
    print(report.text(details=details))
    print()
    print("\n".join(testset_scores(load_taxonomy(), load_gazetteer()).lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
