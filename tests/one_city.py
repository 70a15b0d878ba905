"""A one-city copy of the built tables: visibly different data for the swap and rebuild tests."""

from __future__ import annotations

import polars as pl

from ikz.derive.normalise import Tables


def erfurt_only(tables: Tables) -> Tables:
    """The same tables without Magdeburg's cooperations and every row that points at one."""
    frames = dict(tables.frames)
    frames["cooperation"] = frames["cooperation"].filter(pl.col("city_id") == 1)
    kept = frames["cooperation"]["cooperation_id"].implode()
    for name, frame in tables.frames.items():
        if name == "cooperation":
            continue
        # Every column naming a cooperation (matches and suggestions name two) must name a kept one,
        # or the foreign keys refuse the file.
        refs = [c for c in frame.columns if c.endswith("cooperation_id")]
        for column in refs:
            frame = frame.filter(pl.col(column).is_in(kept) | pl.col(column).is_null())
        frames[name] = frame
    return Tables(frames)
