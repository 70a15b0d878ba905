"""The layers: every package of ikz/ has its place in the contract, and the contract holds."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from ikz.core.paths import ROOT


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    return [name.strip() for layer in layers for name in layer.split("|")]


def test_every_package_of_ikz_has_a_layer() -> None:
    packages = {f"ikz.{p.name}" for p in (ROOT / "ikz").iterdir() if (p / "__init__.py").exists()}
    modules = {f"ikz.{p.stem}" for p in (ROOT / "ikz").glob("*.py") if p.stem != "__init__"}
    assert packages <= set(_layers()), packages - set(_layers())
    # Outside the layers only the command line: a new module belongs in a layer's folder.
    assert modules == {"ikz.__main__"}, modules


def test_the_contracts_hold() -> None:
    # The same check the test command runs first; here it also fails a plain `pytest` run.
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:]
