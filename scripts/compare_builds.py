"""Compare what two commits build and show for the same data: every table and column of the DuckDB,
and the figures and tables the pages send (AppTest).

    .venv/bin/python scripts/compare_builds.py [BASE_COMMIT]     (default: main's bdfafc8)

The base commit is exported with `git archive` into a temporary folder; the working tree is the other
side. Both build from one store of record holding checked values for every reviewable field (made
once by the working tree's code, then copied), so the ✓ paths are compared too. Tables or columns only
the working tree has must be listed in ADDED (deliberately added dimensions); anything else that
differs is printed and makes the exit code 1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
# What the working tree adds on purpose: whole tables, and columns of existing tables.
ADDED = {
    "origin": None,
    "form": {"color", "pattern"},
    **{table: {"color"} for table in ("effect_category", "binding", "status", "task_area")},
}
# The pages compared and who opens them (editor pages run in local mode under a name).
PAGES = (
    "pages/explore.py",
    "pages/compare.py",
    "pages/karte.py",
    "pages/review.py",
    "pages/maintain.py",
    "pages/protocol.py",
)


def _prepare_store(store_path: Path, work: Path) -> None:
    """A store with checked values for five records, every reviewable field (built by HERE's code)."""
    sys.path.insert(0, str(HERE))
    import duckdb

    from ikz.builder.database import build
    from ikz.read import review_queue
    from ikz.store.access import Identity
    from ikz.store.sqlite import Store

    db = work / "first.duckdb"
    build(db, store=Store(work / "empty.sqlite"))
    decisions = []
    with duckdb.connect(str(db), read_only=True) as con:
        keys = review_queue.queue(con)["cooperation_key"].to_list()
        vocab = review_queue.vocabulary(con)
        for n, key in enumerate(keys[:: max(1, len(keys) // 5)][:5]):
            item = review_queue.item(con, cooperation_key=key)
            for field, info in item["fields"].items():
                value = info["value"]
                if n % 2 and field == "binding":  # a correction, not only a confirmation
                    value = vocab.bindings[0]
                decisions.append(
                    {
                        "city": item["city"],
                        "cooperation_key": key,
                        "field": field,
                        "old_value": info["value"],
                        "new_value": value,
                        "source_fingerprint": item["source_fingerprint"],
                    }
                )
    Store(store_path).record_decisions(Identity.local("Anna Beispiel"), decisions, note="Vergleich")


def _dump(root: Path, out: Path) -> None:
    """Build with root's code, write every table as parquet and every page's figures and tables."""
    sys.path.insert(0, str(root))
    import duckdb
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    from ikz.builder.database import build

    db = out / "ikz.duckdb"
    build(db)
    tables = {}
    with duckdb.connect(str(db), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        for name in names:
            con.execute(f"COPY (SELECT * FROM {name}) TO '{out / name}.parquet' (FORMAT parquet)")
            tables[name] = [
                (c, t)
                for c, t in con.execute(
                    f"SELECT column_name, data_type FROM duckdb_columns() "
                    f"WHERE table_name = '{name}' ORDER BY column_index"
                ).fetchall()
            ]
    (out / "tables.json").write_text(json.dumps(tables, ensure_ascii=False, indent=1), encoding="utf-8")
    config.set_option("server.address", "127.0.0.1")
    shown = {}
    for page in PAGES:
        at = AppTest.from_file(str(root / "app.py"), default_timeout=180)
        at.switch_page(page)
        at.session_state["lokal_name"] = "Anna Beispiel"
        at.run()
        shown[page] = {
            "exception": [str(e.value) for e in at.exception],
            "figures": [json.loads(e.proto.spec) for e in at.get("plotly_chart")],
            "dataframes": [e.value.to_json(orient="split", date_format="iso") for e in at.dataframe],
            "metrics": [(m.label, m.value) for m in at.metric],
            "markdown": [m.value for m in at.markdown] + [c.value for c in at.caption],
        }
    (out / "pages.json").write_text(json.dumps(shown, ensure_ascii=False, indent=1), encoding="utf-8")


def _compare(base: Path, new: Path) -> list[str]:
    import polars as pl

    faults = []
    base_tables = json.loads((base / "tables.json").read_text(encoding="utf-8"))
    new_tables = json.loads((new / "tables.json").read_text(encoding="utf-8"))
    for name in sorted(set(new_tables) - set(base_tables)):
        if name in ADDED and ADDED[name] is None:
            print(f"added table {name} (deliberate): {[c for c, _ in new_tables[name]]}")
        else:
            faults.append(f"table {name} only in the working tree")
    for name, columns in base_tables.items():
        if name not in new_tables:
            faults.append(f"table {name} missing in the working tree")
            continue
        added = [c for c in new_tables[name] if c not in columns]
        allowed = ADDED.get(name) or set()
        for column, kind in added:
            if column in allowed:
                print(f"added column {name}.{column} {kind} (deliberate)")
            else:
                faults.append(f"column {name}.{column} only in the working tree")
        if [c for c in new_tables[name] if c in columns] != columns:
            faults.append(f"{name}: columns or types differ: {columns} vs {new_tables[name]}")
            continue
        before = pl.read_parquet(base / f"{name}.parquet")
        after = pl.read_parquet(new / f"{name}.parquet").select(before.columns)
        if not before.equals(after):
            faults.append(f"{name}: values differ ({before.height} vs {after.height} rows)")
        else:
            print(f"same: {name} ({before.height} rows, {before.width} columns compared)")
    base_pages = json.loads((base / "pages.json").read_text(encoding="utf-8"))
    new_pages = json.loads((new / "pages.json").read_text(encoding="utf-8"))
    for page, shown in base_pages.items():
        for part, value in shown.items():
            if new_pages[page][part] != value:
                faults.append(f"{page}: {part} differ")
            else:
                print(f"same: {page} {part} ({len(value)})")
    return faults


def main() -> int:
    if sys.argv[1:2] == ["--dump"]:
        _dump(Path(sys.argv[2]), Path(sys.argv[3]))
        return 0
    if sys.argv[1:2] == ["--store"]:
        _prepare_store(Path(sys.argv[2]), Path(sys.argv[3]))
        return 0
    commit = sys.argv[1] if len(sys.argv) > 1 else "bdfafc8"
    work = Path(tempfile.mkdtemp(prefix="compare-builds-"))
    archive = work / "base.tar"
    subprocess.run(["git", "-C", str(HERE), "archive", "-o", str(archive), commit], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(work / "base", filter="data")
    store = work / "store.sqlite"
    python = sys.executable
    me = str(Path(__file__).resolve())
    subprocess.run([python, me, "--store", str(store), str(work)], check=True)
    outs = {}
    for label, root in (("base", work / "base"), ("new", HERE)):
        out = work / f"out-{label}"
        out.mkdir()
        own_store = out / "store.sqlite"
        shutil.copyfile(store, own_store)
        env = {**os.environ, "PYTHONPATH": str(root), "IKZ_DB": str(out / "ikz.duckdb")}
        env["IKZ_STORE"] = str(own_store)
        env["IKZ_EDITIONS"] = str(out / "editions")
        subprocess.run([python, me, "--dump", str(root), str(out)], check=True, cwd=root, env=env)
        outs[label] = out
    faults = _compare(outs["base"], outs["new"])
    for fault in faults:
        print("DIFFERENT:", fault)
    print(f"{len(faults)} difference(s); outputs in {work}")
    return 1 if faults else 0


if __name__ == "__main__":
    raise SystemExit(main())
