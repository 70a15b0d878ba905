"""The tables' columns and types as polars schemas, read from ikz/core/schema.sql – the one declaration.

The build inserts each polars frame by position, so a frame must have exactly its table's columns in
order and type; deriving them from the DDL keeps the two from drifting apart.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl

from ikz.core.paths import SCHEMA_PATH

MARTS_MARKER = "-- @marts"  # in schema.sql: what follows is derived from the loaded tables

# DuckDB's column types as the build's frames hold them. A type not listed here fails loudly.
POLARS_TYPES: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(),
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "BOOLEAN": pl.Boolean(),
    "DOUBLE": pl.Float64(),
}


def split_schema(path: Path = SCHEMA_PATH) -> tuple[str, str]:
    """The schema's table DDL and its marts (what runs after the tables are loaded)."""
    tables_sql, marts_sql = path.read_text(encoding="utf-8").split(MARTS_MARKER)
    return tables_sql, marts_sql


def polars_schemas(path: Path = SCHEMA_PATH) -> dict[str, dict[str, pl.DataType]]:
    """Every loaded table of the schema, in file order (parents before children), as column → type.

    The DDL runs in an in-memory DuckDB and its catalogue is read back, so what counts is what DuckDB
    understood, not a hand-written parser."""
    tables_sql, _ = split_schema(path)
    order = re.findall(r"^CREATE TABLE (\w+) \(", tables_sql, flags=re.MULTILINE)
    con = duckdb.connect(":memory:")
    try:
        con.execute(tables_sql)
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() ORDER BY column_index"
        ).fetchall()
    finally:
        con.close()
    schemas: dict[str, dict[str, pl.DataType]] = {name: {} for name in order}
    for table, column, kind in rows:
        if table not in schemas:  # DuckDB's own catalogue views
            continue
        if kind not in POLARS_TYPES:
            raise ValueError(f"{path}: {table}.{column}: type {kind} has no polars type in POLARS_TYPES")
        schemas[table][column] = POLARS_TYPES[kind]
    return schemas


TABLES = polars_schemas()
