"""The blind test set stays as it was committed: its SHA-256 is fixed, its labels are category names."""

from __future__ import annotations

import hashlib
import tomllib

from ikz.core.paths import ROOT
from ikz.derive.classify import load_taxonomy

EVALUATION = ROOT / "data" / "evaluation"


def test_the_blind_files_are_byte_identical_to_their_recorded_sha256() -> None:
    recorded = dict(
        reversed(line.split(maxsplit=1)) for line in (EVALUATION / "blind.sha256").read_text().splitlines()
    )
    assert len(recorded) == 3
    for name, digest in recorded.items():
        assert hashlib.sha256((ROOT / name).read_bytes()).hexdigest() == digest, name


def test_every_label_of_the_blind_test_set_is_a_category_of_the_rules() -> None:
    taxonomy = load_taxonomy()
    forms = set(taxonomy.forms())
    effects = {name for name, _ in taxonomy.effect_categories()}
    bindings = set(taxonomy.bindings())
    records = tomllib.loads((EVALUATION / "testset_blind.toml").read_text())["record"]
    assert len(records) >= 60
    for r in records:
        assert {r["form"], *r["form_also"]} <= forms, r["id"]
        assert {r["binding"], *r["binding_also"]} <= bindings, r["id"]
        assert {*r["effects"], *r["effects_optional"]} <= effects, r["id"]


def test_the_readme_names_the_test_sets_sha256() -> None:
    digest = hashlib.sha256((EVALUATION / "testset_blind.toml").read_bytes()).hexdigest()
    assert digest in (ROOT / "README.md").read_text(encoding="utf-8")
