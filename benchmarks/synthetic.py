"""Synthetic IKZ databases of any size with the real schema and the real mix of the two documents.

About 400 cities with 15–25 departments each (names, Dezernate and task areas drawn from the real
departments), and n cooperations. Each synthetic cooperation copies one real cooperation chosen at
random (its type, form, binding, status, texts, and its effect and partner links), so the joint
distribution of type, form, effect and status is the real one. Cooperations spread over cities with
a skewed weight (a few large cities, many small ones) and evenly over a city's departments.

Written through the real build path: ikz.builder.database.write_database with
ikz.derive.normalise.Tables whose frames
have exactly the columns and types of ikz.derive.normalise.SCHEMAS (make_frame for the small tables).

Run: .venv/bin/python -m benchmarks.synthetic --rows 100000 --out /tmp/ikz-100k.duckdb
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from ikz.builder.database import load_tables, write_database
from ikz.derive.normalise import SCHEMAS, TABLE_ORDER, Tables, make_frame
from ikz.ui.warm import precompute

CITIES = 400
DEPARTMENTS_PER_CITY = (15, 25)
SEED = 20240607
# Tables keyed by a cooperation (effects, partners, …): copied from the template cooperation.
COOPERATION_KEY = "cooperation_id"


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with exactly the table's columns, order and types (as make_frame would give)."""
    return frame.select(pl.col(name).cast(dtype) for name, dtype in SCHEMAS[table].items())


def city_rows(real: pl.DataFrame, n: int) -> list[dict]:
    """The two real cities first (so their colours and sources still apply), then made-up ones."""
    rows = real.to_dicts()
    template = rows[-1]
    for i in range(len(rows) + 1, n + 1):
        rows.append(
            {**template, "city_id": i, "name": f"Gemeinde {i:03d}", "as_of": "synthetisch", "sort_order": i}
        )
    return rows[:n]


def department_rows(real: pl.DataFrame, cities: int, rng: np.random.Generator) -> list[dict]:
    """15–25 departments per city, each a real department's name, Dezernat and task area."""
    pool = real.unique("name", keep="first", maintain_order=True).to_dicts()
    low, high = DEPARTMENTS_PER_CITY
    rows: list[dict] = []
    for city_id in range(1, cities + 1):
        k = min(int(rng.integers(low, high + 1)), len(pool))
        for index in rng.choice(len(pool), size=k, replace=False):
            rows.append({**pool[index], "department_id": len(rows) + 1, "city_id": city_id})
    return rows


def synthetic_tables(n: int, *, cities: int = CITIES, seed: int = SEED) -> Tables:
    """Tables with n cooperations in `cities` cities, sampled from the real documents."""
    rng = np.random.default_rng(seed)
    real = load_tables()
    frames: dict[str, pl.DataFrame] = {}
    frames["city"] = make_frame("city", city_rows(real["city"], cities))
    frames["department"] = make_frame("department", department_rows(real["department"], cities, rng))

    # A skewed city size (lognormal weights): a few cities hold many cooperations.
    weights = rng.lognormal(mean=0.0, sigma=1.0, size=cities)
    city_of = rng.choice(np.arange(1, cities + 1), size=n, p=weights / weights.sum())
    departments = frames["department"].select("department_id", "city_id").sort("city_id", "department_id")
    per_city = departments.group_by("city_id", maintain_order=True).agg(pl.col("department_id"))
    first = dict(zip(per_city["city_id"].to_list(), [d[0] for d in per_city["department_id"]], strict=True))
    size = dict(zip(per_city["city_id"].to_list(), [len(d) for d in per_city["department_id"]], strict=True))
    firsts = np.array([first[c] for c in range(1, cities + 1)])[city_of - 1]
    sizes = np.array([size[c] for c in range(1, cities + 1)])[city_of - 1]
    # Department ids of a city are consecutive, so an offset below its size picks one of them.
    department_of = firsts + (rng.random(n) * sizes).astype(np.int64)

    real_coops = real["cooperation"]
    template = rng.integers(0, real_coops.height, size=n)
    new_ids = np.arange(1, n + 1)
    frames["cooperation"] = conform(
        "cooperation",
        real_coops[template]
        .with_columns(
            pl.Series("cooperation_id", new_ids),
            pl.Series("city_id", city_of),
            pl.Series("department_id", department_of),
        )
        # cooperation_key is unique: a sampled copy gets its own key.
        .with_columns(
            pl.format("{}-s{}", pl.col("cooperation_key"), pl.col("cooperation_id")).alias("cooperation_key")
        ),
    )
    mapping = pl.DataFrame(
        {
            "new_id": new_ids,
            COOPERATION_KEY: real_coops[COOPERATION_KEY].gather(template),
        }
    )
    for table in TABLE_ORDER:
        if table in frames:
            continue
        columns = SCHEMAS[table]
        if COOPERATION_KEY in columns:
            links = mapping.join(real[table], on=COOPERATION_KEY, how="inner", maintain_order="left")
            frames[table] = conform(
                table, links.drop(COOPERATION_KEY).rename({"new_id": COOPERATION_KEY}).sort(COOPERATION_KEY)
            )
        elif "city_id" in columns and "department_id" not in columns:
            # Per-city facts of the real documents (editions): their cities keep ids 1 and 2.
            frames[table] = real[table]
        elif "city_id" in columns or "department_id" in columns:
            raise ValueError(f"synthetic.py kennt die Tabelle {table!r} nicht (sie hängt an Stadt oder Amt)")
        else:
            frames[table] = real[table]  # a lookup table: types, effect categories, partners
    return Tables(frames)


def write_synthetic(n: int, target: Path, *, cities: int = CITIES) -> dict[str, float]:
    """Generate and write a synthetic database; timings of both steps in seconds."""
    t0 = time.perf_counter()
    tables = synthetic_tables(n, cities=cities)
    t1 = time.perf_counter()
    stored: list[float] = []

    def finish(con: duckdb.DuckDBPyConnection, target: Path) -> None:
        # As the app's own builds do (app.py registers it): the states' reads stored beside the file.
        t = time.perf_counter()
        precompute(con, target)
        stored.append(time.perf_counter() - t)

    write_database(tables, target, finish)
    t2 = time.perf_counter()
    # A newer mtime than any source file: the app must not take this file for stale and rebuild it.
    future = time.time() + 30 * 24 * 3600
    os.utime(target, (future, future))
    return {"generate_s": t1 - t0, "build_s": t2 - t1, "precompute_s": sum(stored)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="number of cooperations")
    parser.add_argument("--out", type=Path, required=True, help="DuckDB file to write")
    parser.add_argument("--cities", type=int, default=CITIES)
    args = parser.parse_args()
    times = write_synthetic(args.rows, args.out, cities=args.cities)
    print(f"{args.rows} Kooperationen → {args.out}: {times}")


if __name__ == "__main__":
    main()
