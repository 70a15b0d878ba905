"""Command line: `python -m ikz build [--db PATH]` writes the DuckDB file from data/raw."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ikz.errors import SourceError, TaxonomyError
from ikz.paths import DB_ENV_VAR, PARTNERS_PATH, RAW_DIR, TAXONOMY_PATH


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
    args = parser.parse_args(argv)

    from ikz.build import build  # imported late so `--help` works even with a broken install
    from ikz.store import StoreError

    try:
        summary = build(args.db, raw_dir=args.raw, taxonomy_path=args.taxonomy, partners_path=args.partners)
    except (SourceError, TaxonomyError, StoreError) as exc:
        # One line naming file and line, not a traceback: the user fixes the file and reruns.
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    print(summary.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
