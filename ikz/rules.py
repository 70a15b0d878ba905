"""Reading the editable rules files in data/ (taxonomy, partners, topics)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ikz.errors import TaxonomyError


def read_rules(source: Path) -> dict[str, Any]:
    """The parsed TOML of a rules file; a missing or malformed file is a TaxonomyError naming it."""
    try:
        with source.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise TaxonomyError(f"{source}: Datei nicht gefunden") from error
    except tomllib.TOMLDecodeError as error:
        raise TaxonomyError(f"{source}: kein gültiges TOML: {error}") from error
