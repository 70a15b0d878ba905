"""The Vergleich page's record-level parts: „Anregungen aus …“ lists with marks, matching pairs.

Called by pages/compare.py inside its tabs; the build decided what is an idea and what matches,
ikz.suggestions reads it, the office's marks go to the store of record (ikz/store.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
import streamlit as st

from ikz import suggestions
from ikz.access import PermissionDenied
from ikz.csv_safe import csv_bytes
from ikz.export import TextSlide
from ikz.matching import THRESHOLD
from ikz.queries import Filters
from ikz.sources import ERFURT, MAGDEBURG
from ikz.store import Mark, Store, StoreError
from ikz.theme import fmt_decimal
from pages import data
from pages.identity import NAME_KEY, current_identity, local_mode, on_loopback
from pages.markdown import md_escape

# URL parameter of the Bewertung filter in each tab (bound like the sidebar filters).
MARK_FILTER_KEYS = {MAGDEBURG.city: "bewertung_md", ERFURT.city: "bewertung_ef"}
MARK_CHOICES = (*suggestions.MARKS, suggestions.UNMARKED)
OTHER = {ERFURT.city: MAGDEBURG.city, MAGDEBURG.city: ERFURT.city}
# Display order: what the idea is and where it stands, then why it is new, the office's mark, detail.
LIST_COLUMNS = {
    "title": "Eintrag",
    "lines": "Quelle",
    "concreteness": "Art der Anregung",
    "status": "Arbeitsstand",
    "nearest": "Nächster Eintrag der anderen Stadt",
    "similarity": "Ähnlichkeit",
    "nearest_reason": "Was beide gemeinsam haben",
    "mark": "Bewertung",
    "mark_note": "Notiz",
    "text": "Text (Effekte, Arbeitsstand, Perspektive)",
    "department": "Fachbereich/Amt",
    "marked": "bewertet von",
}
LARGE = ("Eintrag", "Nächster Eintrag der anderen Stadt", "Erfurt: Eintrag", "Magdeburg: Eintrag")
WIDE = ("Was beide gemeinsam haben", "Warum sie passen", "Art der Anregung")
NARROW = ("Ähnlichkeit", "Arbeitsstand", "Aufgabenbereich", "Quelle")


def _widths(columns: list[str]) -> dict[str, st.column_config.Column]:
    """Column widths so the title, the nearest record and the reason are readable side by side."""
    config = {c: st.column_config.TextColumn(c, width="large") for c in columns if c in LARGE}
    config |= {c: st.column_config.TextColumn(c, width="medium") for c in columns if c in WIDE}
    config |= {c: st.column_config.TextColumn(c, width="small") for c in columns if c in NARROW}
    return config


PAIR_COLUMNS = {
    "task_area": "Aufgabenbereich",
    "erfurt_title": "Erfurt: Eintrag",
    "magdeburg_title": "Magdeburg: Eintrag",
    "similarity": "Ähnlichkeit",
    "reason": "Warum sie passen",
    "erfurt_source": "Erfurt: Quelle",
    "magdeburg_source": "Magdeburg: Quelle",
}
CSV_COLUMNS = {
    "for_city": "Anregung für",
    "task_area": "Aufgabenbereich",
    "department": "Fachbereich/Amt",
    "title": "Eintrag",
    "concreteness": "Art der Anregung",
    "status": "Arbeitsstand",
    "text": "Text",
    "source": "Quelle",
    "nearest": "Nächster Eintrag der anderen Stadt",
    "nearest_score": "Ähnlichkeit (0–1)",
    "nearest_reason": "Was beide gemeinsam haben",
    "mark": "Bewertung",
    "mark_note": "Notiz",
    "marked_by": "bewertet von",
    "marked_at": "bewertet am (UTC)",
    "cooperation_key": "Schlüssel",
}


# Cached reads like every other page read (pages/data.py), keyed on the database version.
_suggestion_list = data.reader(suggestions.suggestion_list)
_record_pairs = data.reader(suggestions.record_pairs)


def _marks() -> Mapping[tuple[str, str], Mark]:
    """The latest marks from the store; a store that cannot be read shows a German warning."""
    try:
        return Store().latest_marks()
    except StoreError as exc:
        st.warning(f"Die Bewertungen können gerade nicht gelesen werden: {exc}", icon="⚠️")
        return {}


def _similarity(scores: pl.Series) -> pl.Series:
    """Scores as German decimals („0,42“), column „similarity“."""
    shown = [None if v is None else fmt_decimal(v, 2) for v in scores]
    return pl.Series("similarity", shown, dtype=pl.String)


def idea_list(filters: Filters, for_city: str) -> pl.DataFrame:
    """The ideas for for_city with their marks and display columns (text, nearest, similarity)."""
    frame = suggestions.with_marks(
        _suggestion_list(filters=filters, for_city=for_city), _marks(), for_city=for_city
    )
    return frame.with_columns(
        pl.lit(for_city).alias("for_city"),
        # Only Magdeburg reports an Arbeitsstand; an Erfurt row shows none rather than „ohne Angabe“.
        pl.when(pl.col("status_text").is_null()).then(pl.lit("")).otherwise(pl.col("status")).alias("status"),
        pl.col("source").str.split(", ").list.last().alias("lines"),
        pl.concat_str(
            [pl.col("effects_text"), pl.col("status_text"), pl.col("outlook_text")],
            separator=" · ",
            ignore_nulls=True,
        ).alias("text"),
        pl.coalesce(
            pl.col("nearest_title")
            + pl.lit(" (")
            + pl.col("nearest_source").str.split(", ").list.last()
            + pl.lit(")"),
            pl.lit("–"),
        ).alias("nearest"),
        # Formatted in Python, not in a polars UDF: the load test's deadlock ran through a Python
        # callback on polars' thread pool.
        _similarity(frame["nearest_score"]),
        pl.when(pl.col("marked_by") != "")
        .then(pl.col("marked_by") + pl.lit(", ") + pl.col("marked_at").str.slice(0, 10))
        .otherwise(pl.lit(""))
        .alias("marked"),
    )


def show_ideas(filters: Filters, *, source_city: str) -> pl.DataFrame:
    """One „Anregungen aus …“ tab: ideas grouped by Aufgabenbereich, marks, CSV; returns the list."""
    for_city = OTHER[source_city]
    ideas = idea_list(filters, for_city)
    if ideas.is_empty():
        st.info(
            f"Bei diesen Filtern hat {source_city} keinen Eintrag, den {for_city} nicht auch hat.", icon="🔍"
        )
        return ideas
    st.caption(
        f"Einträge aus {source_city}, zu denen {for_city} nichts Vergleichbares nennt: kein Eintrag "
        f"{'Erfurts' if for_city == ERFURT.city else 'Magdeburgs'} erreicht die Ähnlichkeit "
        f"{fmt_decimal(THRESHOLD, 2)} (gemeinsame Wörter, Buchstabenfolgen, Titel, Thema, Partner; "
        "Abgleich beim Aufbau der Datenbank). Je Aufgabenbereich zuerst Projekte mit Arbeitsstand, dann "
        "verbindliche Vereinbarungen, Projekte, allgemeiner Austausch. Daneben steht der ähnlichste "
        f"Eintrag aus {for_city} – so ist zu sehen, warum die Anregung neu ist."
    )
    chosen = st.multiselect(
        "Bewertung",
        MARK_CHOICES,
        key=MARK_FILTER_KEYS[source_city],
        bind="query-params",
        placeholder="Alle Bewertungen",
        help="Nur Anregungen mit dieser Bewertung der Stabsstelle zeigen.",
    )
    shown = ideas.filter(pl.col("mark").is_in(chosen)) if chosen else ideas
    st.caption(f"{len(shown)} von {len(ideas)} Anregungen für {for_city}.")
    for (area,), group in shown.group_by("task_area", maintain_order=True):
        st.markdown(f"**{md_escape(area)}** ({len(group)})")
        st.dataframe(
            group.select(list(LIST_COLUMNS)).rename(LIST_COLUMNS),
            hide_index=True,
            column_config=_widths(list(LIST_COLUMNS.values())),
            key=f"anregungen_{source_city.lower()}_{area[:2].strip()}",
        )
    st.download_button(
        "Anregungen als CSV herunterladen",
        data=ideas_csv(ideas),
        file_name=f"anregungen-aus-{source_city.lower()}.csv",
        mime="text/csv",
        key=f"anregungen_csv_{source_city.lower()}",
        help="Alle Anregungen dieses Reiters mit Bewertung und Notiz (UTF-8, Semikolon, für Excel).",
    )
    _mark_form(ideas, source_city=source_city, for_city=for_city)
    return ideas


def ideas_csv(frame: pl.DataFrame) -> bytes:
    """The ideas with their marks as CSV for German Excel: UTF-8 with BOM, ';', German headers."""
    return csv_bytes(frame.select(list(CSV_COLUMNS)).rename(CSV_COLUMNS))


def _mark_form(ideas: pl.DataFrame, *, source_city: str, for_city: str) -> None:
    """The editor's form to mark one idea; a reader sees why there is none."""
    identity = current_identity()
    suffix = source_city.lower()
    if identity is None:
        if not (local_mode() and on_loopback()):
            st.caption("Bewerten können nur angemeldete Redakteurinnen und Redakteure der Stabsstelle.")
            return
        with st.form(f"anregung_name_{suffix}"):
            st.markdown("**Anregung bewerten** – im lokalen Modus bitte einmal Ihren Namen angeben.")
            name = st.text_input("Ihr Name", max_chars=80, key=f"anregung_name_input_{suffix}")
            if st.form_submit_button("Weiter") and name.strip():
                st.session_state[NAME_KEY] = name.strip()
                st.rerun()
        return
    if not identity.is_editor:
        st.caption(f"{identity.name} darf die Bewertungen sehen, aber nicht ändern.")
        return
    labels = {
        row["cooperation_key"]: f"{row['task_area'][:2].strip()} · {row['title'][:90]} ({row['source']})"
        for row in ideas.iter_rows(named=True)
    }
    with st.form(f"anregung_bewerten_{suffix}", clear_on_submit=True):
        st.markdown(f"**Anregung bewerten** ({md_escape(identity.label())})")
        key = st.selectbox(
            "Anregung", list(labels), format_func=labels.__getitem__, key=f"anregung_wahl_{suffix}"
        )
        mark = st.radio(
            "Bewertung",
            (*suggestions.MARKS, "Bewertung zurücknehmen"),
            horizontal=True,
            key=f"anregung_mark_{suffix}",
        )
        note = st.text_input("Notiz (optional)", max_chars=500, key=f"anregung_notiz_{suffix}")
        if st.form_submit_button("Bewertung speichern"):
            value = None if mark == "Bewertung zurücknehmen" else mark
            try:
                Store().record_mark(
                    identity, cooperation_key=key, for_city=for_city, mark=value, note=note.strip() or None
                )
            except (PermissionDenied, StoreError) as exc:
                st.error(str(exc), icon="🔒")
                return
            st.toast("Bewertung gespeichert.")
            st.rerun()


def show_record_pairs(filters: Filters) -> None:
    """Under „Gemeinsame Themen“: Erfurt ↔ Magdeburg records that do the same, and why."""
    pairs = _record_pairs(filters=filters)
    st.subheader("Einträge, die einander entsprechen")
    st.caption(
        f"{len(pairs)} Paare aus einem Erfurter und einem Magdeburger Eintrag mit einer Ähnlichkeit ab "
        f"{fmt_decimal(THRESHOLD, 2)} (0 bis 1): gemeinsame Wörter mit ihrem Feld, gemeinsames Thema "
        "(„beide: …“ = dasselbe Stichwort), gemeinsamer Partner."
    )
    if pairs.is_empty():
        st.info("Bei diesen Filtern entspricht kein Erfurter Eintrag einem Magdeburger.", icon="🔍")
        return
    st.dataframe(
        pairs.with_columns(_similarity(pairs["score"])).select(list(PAIR_COLUMNS)).rename(PAIR_COLUMNS),
        hide_index=True,
        column_config=_widths(list(PAIR_COLUMNS.values())),
        key="vergleich_eintragspaare",
    )


def ideas_slide(ideas: pl.DataFrame) -> TextSlide | None:
    """The deck's „Anregungen“ slide: ideas marked „interessant“, else the most concrete ones."""
    if ideas.is_empty():
        return None
    subtitle, rows = suggestions.deck_ideas(ideas)
    paragraphs = tuple(
        f"• Für {r['for_city']}: {r['title'][:120]} – {r['department']} ({r['source']})"
        + (f"; Notiz: {r['mark_note'][:80]}" if r["mark_note"] else "")
        for r in rows.iter_rows(named=True)
    )
    return TextSlide(title="Anregungen", paragraphs=paragraphs, subtitle=subtitle)
