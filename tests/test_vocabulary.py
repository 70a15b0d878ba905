"""One place per category: a category added to a copy of taxonomy.toml reaches filters, charts and
exports in its order, without a code change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ikz.builder.database import build
from ikz.core.numbers import fmt_int
from ikz.core.paths import DB_ENV_VAR, TAXONOMY_PATH
from ikz.present import charts
from ikz.present.charts import ChartText
from ikz.present.theme import NA_COLOR, color_of
from ikz.read import queries
from ikz.read.db import Database
from tests.apptest import open_app

NEW_FORM = "Kommunale Anstalt"
NEW_EFFECT = "Gefahrenabwehr"
TEXT = ChartText(title="Titel", subtitle="", source="Quelle: Test")

# The new form stands after "Projekt / Verbund", before "ohne Angabe"; the type Zweckverband moves
# to it. The new effect category stands before "ohne Angabe" and matches real texts ("Rettungsdienst").
NEW_FORM_TOML = f'[[forms]]\nname = "{NEW_FORM}"\nbinding = "öffentlich-rechtlich"\n\n'
NEW_EFFECT_TOML = (
    f'[[effects]]\nname = "{NEW_EFFECT}"\ndescription = "Gemeinsam gegen Gefahren."\n'
    "patterns = ['rettung*', 'rettungsdienst', 'brandschutz*']\n\n"
)


@pytest.fixture(scope="module")
def extended_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built through the real build from a taxonomy with one new form and effect."""
    text = TAXONOMY_PATH.read_text(encoding="utf-8")
    for old, new in (
        ('[[forms]]\nname = "ohne Angabe"', NEW_FORM_TOML + '[[forms]]\nname = "ohne Angabe"'),
        ('name = "Zweckverband"\nform = "Zweckverband"', f'name = "Zweckverband"\nform = "{NEW_FORM}"'),
        ('[[effects]]\nname = "ohne Angabe"', NEW_EFFECT_TOML + '[[effects]]\nname = "ohne Angabe"'),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    folder = tmp_path_factory.mktemp("vocabulary")
    taxonomy = folder / "taxonomy.toml"
    taxonomy.write_text(text, encoding="utf-8")
    target = folder / "ikz.duckdb"
    build(target, taxonomy_path=taxonomy)
    return target


@pytest.fixture
def con(extended_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with Database(extended_db).cursor() as cur:
        yield cur


@pytest.mark.slow  # a real build (extended_db): seconds
def test_new_categories_take_their_place_in_the_vocabularies(con: duckdb.DuckDBPyConnection) -> None:
    forms = queries.categories(con, "form")
    assert forms[-2:] == (NEW_FORM, "ohne Angabe")
    effects = queries.categories(con, "effect")
    assert effects[-2:] == (NEW_EFFECT, "ohne Angabe")
    # The filters offer the categories that occur, in the same order.
    options = queries.filter_options(con)
    assert options.forms == tuple(f for f in forms if f in options.forms)
    assert options.forms[-1] == NEW_FORM  # no record has the form 'ohne Angabe'
    assert options.effects == effects


@pytest.mark.slow  # a real build (extended_db): seconds
def test_new_categories_reach_the_chart_frames_in_order(con: duckdb.DuckDBPyConnection) -> None:
    by_form = queries.overview(con).by_form["category"].to_list()
    assert by_form == [f for f in queries.categories(con, "form") if f in by_form]
    assert NEW_FORM in by_form
    shares = queries.shares_by_city(con, "effect")
    for city in ("Erfurt", "Magdeburg"):
        named = shares.filter(shares["city"] == city)["category"].to_list()
        assert named == [e for e in queries.categories(con, "effect") if e in named]
    assert NEW_EFFECT in shares["category"].to_list()


@pytest.mark.slow  # a real build (extended_db): seconds
def test_new_categories_get_one_colour_of_their_own_on_every_chart(con: duckdb.DuckDBPyConnection) -> None:
    order = queries.categories(con, "form")
    bars = charts.city_share_bars(queries.shares_by_city(con, "form"), TEXT, order=order)
    stacked = charts.departments_stacked(queries.overview(con).by_department, TEXT, forms=order)
    # The new form is a row of the share chart, in its place (Plotly lists rows bottom-up) …
    rows = [r.replace("<br>", " ") for r in bars.layout.yaxis.categoryarray][::-1]
    assert rows == [f for f in order if f in rows]
    assert rows[-1] == NEW_FORM
    # … and a trace of the stacked chart, with the same colour there as everywhere.
    trace = next(t for t in stacked.data if t.name == NEW_FORM)
    assert trace.marker.color == color_of(NEW_FORM) != NA_COLOR
    assert color_of(NEW_FORM) not in {color_of(f) for f in order if f != NEW_FORM}


@pytest.mark.slow
def test_new_categories_appear_in_the_page_filters(
    extended_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DB_ENV_VAR, str(extended_db))
    at = open_app().run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(at.multiselect(key="form").options)[-1] == NEW_FORM
    assert list(at.multiselect(key="effekt").options)[-2:] == [NEW_EFFECT, "ohne Angabe"]
    at.multiselect(key="form").set_value([NEW_FORM]).run()
    assert not at.exception, [e.value for e in at.exception]
    with duckdb.connect(str(extended_db), read_only=True) as direct:
        (expected,) = direct.execute(
            "SELECT count(*) FROM cooperation JOIN cooperation_type USING (type_id) WHERE form = ?",
            [NEW_FORM],
        ).fetchone()
    assert expected > 0
    assert at.metric[0].value == fmt_int(expected)
