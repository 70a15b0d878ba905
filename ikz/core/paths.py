"""Every path the project uses, resolved from the package location, never from the working directory."""

from __future__ import annotations

import functools
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The rules files and seed documents: data/, or $IKZ_DATA (a test's copy with a third city).
DATA_ENV_VAR = "IKZ_DATA"
DATA_DIR = (
    Path(os.environ[DATA_ENV_VAR]).expanduser().resolve() if os.environ.get(DATA_ENV_VAR) else ROOT / "data"
)
RAW_DIR = DATA_DIR / "raw"
TAXONOMY_PATH = DATA_DIR / "taxonomy.toml"
PARTNERS_PATH = DATA_DIR / "partners.toml"  # gazetteer of named partners
TOPICS_PATH = DATA_DIR / "topics.toml"  # topic vocabulary of the comparison page
CITIES_PATH = DATA_DIR / "cities.toml"  # the cities, their seed documents and colours
GEO_DIR = DATA_DIR / "geo"  # bundled BKG geodata for the map (see data/geo/README.md)
SCHEMA_PATH = Path(__file__).resolve().parent / "schema.sql"
DEFAULT_DB_PATH = DATA_DIR / "ikz.duckdb"
ARTIFACTS_DIR = ROOT / "artifacts"

DB_ENV_VAR = "IKZ_DB"


def db_path() -> Path:
    """Path of the DuckDB file: $IKZ_DB if set, else data/ikz.duckdb."""
    override = os.environ.get(DB_ENV_VAR)
    return _resolved(override) if override else DEFAULT_DB_PATH


@functools.lru_cache(maxsize=16)
def _resolved(path: str) -> Path:
    # Resolved once per value: a page run asks for the path some twenty times (a stat per part).
    return Path(path).expanduser().resolve()


EDITIONS_ENV_VAR = "IKZ_EDITIONS"
DEFAULT_EDITIONS_DIR = DATA_DIR / "editions"


def editions_dir() -> Path:
    """Folder of the kept edition files: $IKZ_EDITIONS, else next to $IKZ_STORE, else data/editions."""
    override = os.environ.get(EDITIONS_ENV_VAR)
    if override:
        return Path(override).expanduser().resolve()
    store = os.environ.get("IKZ_STORE")  # the store of record and its files belong together
    return Path(store).expanduser().resolve().parent / "editions" if store else DEFAULT_EDITIONS_DIR
