"""The Überblick page in Streamlit's AppTest: default run, filters, URL state, empty case."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from ikz.core.numbers import fmt_int, fmt_pct
from tests.plotly_specs import assert_valid_figures, chart_titles, visit_tabs

pytestmark = pytest.mark.slow


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def direct_figures(built_db: Path, type_name: str | None = None) -> tuple[int, int, float]:
    where = "WHERE t.name = ?" if type_name else ""
    with duckdb.connect(str(built_db), read_only=True) as con:
        return con.execute(
            f"""
            SELECT count(*), count(DISTINCT c.department_id),
                   avg(CASE WHEN c.binding IN ('öffentlich-rechtlich', 'vertraglich') THEN 1 ELSE 0 END)
            FROM cooperation c JOIN cooperation_type t USING (type_id) {where}
            """,
            [type_name] if type_name else [],
        ).fetchone()


def test_default_run(app: AppTest, built_db: Path) -> None:
    at = app.run()
    assert not at.exception
    count, departments, committed = direct_figures(built_db)
    shown = metrics(at)
    assert shown["Kooperationen"] == fmt_int(count)
    assert shown["Fachbereiche/Ämter"] == fmt_int(departments)
    assert shown["Anteil verbindlicher Kooperationen"] == fmt_pct(committed)
    assert at.title[0].value == "Interkommunale Zusammenarbeit"
    # One chart per tab at full width: only the open tab's chart is drawn.
    assert assert_valid_figures(at) == 1
    # The records, and under the chart its numbers („Daten als Tabelle“), built only when opened.
    assert [d.key for d in at.dataframe] == ["records_table"]
    assert [e.label for e in at.expander].count("Daten als Tabelle") == 1
    # Each of the seven tabs draws its own chart, with its „Daten als Tabelle“ (visit_tabs checks).
    per_tab = visit_tabs(at)
    assert len(per_tab) == 7 and all(len(titles) == 1 for titles in per_tab.values())
    assert len({titles[0] for titles in per_tab.values()}) == 7


def test_a_shared_link_opens_the_same_chart_tab(app: AppTest) -> None:
    app.query_params["ueberblick_diagramm"] = "Status"
    at = app.run()
    assert not at.exception
    assert chart_titles(at) == ["<b>Kooperationen nach Status</b>"]
    at.query_params["ueberblick_diagramm"] = "Fachbereich/Amt"
    at.run()
    assert chart_titles(at) == ["<b>Kooperationen nach Fachbereich/Amt</b>"]


def test_a_charts_table_is_filled_when_it_is_opened(app: AppTest, built_db: Path) -> None:
    at = app.run()
    at.session_state["chart_types_tabelle_offen"] = True
    at.run()
    assert not at.exception
    tables = [pl.from_pandas(d.value) for d in at.dataframe if d.key != "records_table"]
    assert len(tables) == 1
    # The chart „Kooperationen nach Kooperationsart“: one row per type, its count read directly.
    with duckdb.connect(str(built_db), read_only=True) as con:
        counts = dict(con.execute("SELECT type_name, count(*) FROM cooperation_wide GROUP BY 1").fetchall())
    shown = dict(zip(tables[0]["Kategorie"].to_list(), tables[0]["Kooperationen"].to_list(), strict=True))
    assert shown == {name: fmt_int(n) for name, n in counts.items()}


def test_choosing_a_type_changes_key_figures(app: AppTest, built_db: Path) -> None:
    at = app.run()
    at.multiselect(key="art").set_value(["Zweckvereinbarung"]).run()
    assert not at.exception
    count, departments, committed = direct_figures(built_db, "Zweckvereinbarung")
    shown = metrics(at)
    assert shown["Kooperationen"] == fmt_int(count)
    assert shown["Fachbereiche/Ämter"] == fmt_int(departments)
    assert shown["Anteil verbindlicher Kooperationen"] == fmt_pct(committed)


def test_url_parameters_restore_filters(app: AppTest, built_db: Path) -> None:
    app.query_params["art"] = ["Zweckvereinbarung"]
    app.query_params["stadt"] = ["Erfurt"]
    at = app.run()
    assert not at.exception
    assert at.multiselect(key="art").value == ["Zweckvereinbarung"]
    assert at.multiselect(key="stadt").value == ["Erfurt"]
    with duckdb.connect(str(built_db), read_only=True) as con:
        expected = con.execute(
            "SELECT count(*) FROM cooperation_wide WHERE type_name = 'Zweckvereinbarung' AND city = 'Erfurt'"
        ).fetchone()[0]
    assert metrics(at)["Kooperationen"] == fmt_int(expected)


def test_unknown_url_values_fall_back_with_notice(app: AppTest) -> None:
    app.query_params["art"] = ["Gibt es nicht", "<script>"]
    app.query_params["amt"] = ["[Anmelden](https://example.org) **fett**"]
    app.query_params["praesentation"] = "vielleicht"
    at = app.run()
    assert not at.exception
    assert at.multiselect(key="art").value == []
    (notice,) = [i.value for i in at.info if "unbekannt" in i.value]
    # Markdown in a value is shown as typed: escaped, so it makes no link and no bold text.
    assert "\\[Anmelden\\]\\(https\\:\u2060//example\\.org\\) \\*\\*fett\\*\\*" in notice


def test_empty_result_shows_message(app: AppTest) -> None:
    at = app.run()
    at.text_input(key="suche").input("zzzz-gibt-es-nicht").run()
    assert not at.exception
    assert any("Keine Kooperation passt" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 0


@pytest.mark.parametrize("text", ["%", "_", "'\"", "<script>alert(1)</script>", "**fett** [x](y)", "ß" * 250])
def test_odd_search_text_is_plain(app: AppTest, text: str) -> None:
    at = app.run()
    at.text_input(key="suche").input(text).run()
    assert not at.exception


def test_reset_clears_filters(app: AppTest) -> None:
    at = app.run()
    at.multiselect(key="art").set_value(["Zweckvereinbarung"]).run()
    at.button(key="filter_reset").click().run()
    assert not at.exception
    assert at.multiselect(key="art").value == []


def test_presentation_mode_hides_records(app: AppTest) -> None:
    at = app.run()
    at.toggle(key="praesentation").set_value(True).run()
    assert not at.exception
    assert len(at.dataframe) == 0
    per_tab = visit_tabs(at, tables=False)  # one chart per tab, as in the normal view
    assert [len(titles) for titles in per_tab.values()] == [1] * 7
    assert len(at.dataframe) == 0


def test_export_panel_offers_deck_and_pdf_as_one_click_each(app: AppTest) -> None:
    """One download button per file, no separate „erstellen“ step (the click itself is in test_browser)."""
    at = app.run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Foliensatz herunterladen") == 1
    assert labels.count("PDF-Bericht herunterladen") == 1
    assert not [b for b in at.button if "erstellen" in b.label]


def test_export_panel_explains_missing_browser(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    from ikz.present.export import BROWSER_PATH_ENV

    monkeypatch.setenv(BROWSER_PATH_ENV, "/nonexistent/chromium")
    at = app.run()
    assert not at.exception
    assert any("Chromium" in i.value for i in at.info)
    assert [b.disabled for b in at.button if b.label.endswith("herunterladen")] == [True, True]


def test_a_record_opens_beside_the_table_with_its_origins_first(app: AppTest, built_db: Path) -> None:
    """The record the table's click callback chose opens in the drawer (not at the page's end), with
    its original text and evidence; the ✓/◆ summary follows the title in the table."""
    at = app.run()
    table = next(d for d in at.dataframe if d.key == "records_table")
    assert list(table.value.columns[:3]) == ["Nr.", "Bezeichnung / Thema", "Herkunft"]
    with duckdb.connect(str(built_db), read_only=True) as con:
        cid, title, key, binding_origin = con.execute(
            "SELECT cooperation_id, title, cooperation_key, binding_origin FROM cooperation_wide"
            " JOIN cooperation_origin USING (cooperation_id) WHERE binding_origin LIKE '◆%' LIMIT 1"
        ).fetchone()
    row = table.value[table.value["Nr."] == cid].iloc[0]
    assert row["Herkunft"].startswith("◆ ") and "Verbindlichkeit" in row["Herkunft"]
    assert not any(c.value.startswith("Erfurt · ") or c.value.startswith("Magdeburg · ") for c in at.caption)
    at.session_state["eintrag_offen"] = cid
    at.run()
    assert not at.exception
    # In the dialog (Streamlit's event block), nothing of it in the page's main area.
    assert at.main.get("text") == []
    texts = [t.value for t in at._tree.children[2].get("text")]
    assert f"Bezeichnung / Thema: {title}" in texts
    assert any(t.startswith("Verbindlichkeit: ") and binding_origin in t for t in texts)
    (link,) = at.get("page_link")
    assert link.proto.query_string == f"eintrag={key}"
    # One-shot: the next run (a filter change, say) does not open it again.
    at.run()
    assert not any(t.value == f"Bezeichnung / Thema: {title}" for t in at.text)


def test_presentation_mode_is_left_from_the_top_of_the_page(app: AppTest) -> None:
    """The way back is the first thing on the page, bound to Esc; it ends the mode and its URL flag."""
    app.query_params["praesentation"] = "true"
    at = app.run()
    assert not at.exception
    assert at.toggle(key="praesentation").value is True
    leave = at.button(key="praesentation_verlassen")
    assert leave.label == "Präsentationsansicht verlassen"
    # Bound to Esc (tests/test_browser.py presses Escape in Chromium).
    assert leave.proto.shortcut.lower() in ("esc", "escape")
    # Above the page's title, not after its charts.
    order = [
        "leave"
        if hasattr(child, "children") and any(b.key == "praesentation_verlassen" for b in child.get("button"))
        else child.type
        for child in at.main.children.values()
    ]
    assert order.index("leave") < order.index("title"), order
    leave.click()
    at.run()
    assert not at.exception
    assert at.toggle(key="praesentation").value is False
    assert "praesentation" not in at.query_params
    assert not [b for b in at.button if b.key == "praesentation_verlassen"]
