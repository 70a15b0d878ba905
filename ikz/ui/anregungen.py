"""The Vergleich page's record-level parts: „Anregungen aus …“ lists with marks, matching pairs.

Called by pages/compare.py inside its tabs; the build decided what is an idea and what matches,
ikz.read.suggestions reads it, the office's marks go to the store of record (ikz/store/sqlite.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
import streamlit as st

from ikz.core.csv_safe import csv_bytes
from ikz.core.numbers import fmt_decimal
from ikz.derive.matching import THRESHOLD
from ikz.present.export import TextSlide
from ikz.read import suggestions
from ikz.read.comparison import pair_of
from ikz.read.queries import Filters
from ikz.rules.cities import load_cities
from ikz.rules.words import DERIVED
from ikz.store.access import PermissionDenied
from ikz.store.sqlite import Mark, Store, StoreError
from ikz.ui import data
from ikz.ui.identity import NAME_KEY, current_identity, local_mode, on_loopback
from ikz.ui.markdown import md_escape

# URL parameter of the Bewertung filter in each tab (bound like the sidebar filters).
# (bewertung_ + the city's code from data/cities.toml in lower case: bewertung_ef)
MARK_FILTER_KEYS = {c.name: f"bewertung_{c.code.lower()}" for c in load_cities().cities}
# URL parameter (= widget key) of the Vergleich's section „Anregungen aus <city>“, open when „true“.
SECTION_KEYS = {c.name: f"vergleich_anregungen_aus_{c.code.lower()}" for c in load_cities().cities}
MARK_CHOICES = (*suggestions.MARKS, suggestions.UNMARKED)
# Ideas shown at first per tab (about a screenful at 1,280 px); „Weitere … anzeigen“ adds as many.
PAGE_SIZE = 10
# Share of the row for the idea, the nearest record of the other city, and the mark.
ROW_COLUMNS = (5, 4, 3)
LARGE = (
    "Eintrag",
    "Nächster Eintrag der anderen Stadt",
    *(f"{city}: Eintrag" for city in load_cities().names),
)
WIDE = ("Was beide gemeinsam haben", "Warum sie passen", "Art der Anregung")
NARROW = ("Ähnlichkeit", "Arbeitsstand", "Aufgabenbereich", "Quelle")


def _widths(columns: list[str]) -> dict[str, st.column_config.Column]:
    """Column widths so the title, the nearest record and the reason are readable side by side."""
    config = {c: st.column_config.TextColumn(c, width="large") for c in columns if c in LARGE}
    config |= {c: st.column_config.TextColumn(c, width="medium") for c in columns if c in WIDE}
    config |= {c: st.column_config.TextColumn(c, width="small") for c in columns if c in NARROW}
    return config


def pair_columns(first: str, second: str) -> dict[str, str]:
    """The German headers of the record pairs' table for the compared cities."""
    return {
        "task_area": "Aufgabenbereich",
        "first_title": f"{first}: Eintrag",
        "second_title": f"{second}: Eintrag",
        "similarity": "Ähnlichkeit",
        "reason": "Warum sie passen",
        "first_source": f"{first}: Quelle",
        "second_source": f"{second}: Quelle",
    }


CSV_COLUMNS = {
    "for_city": "Anregung für",
    "rank": "Rang",
    "task_area": "Aufgabenbereich",
    "department_task_area": "Aufgabenbereich des Fachbereichs",
    "department": "Fachbereich/Amt",
    "title": "Eintrag",
    "context": "Zusammenhang",
    "concreteness": "Art der Anregung",
    "idea_score": "Wert als Anregung (0–1)",
    "idea_reasons": "Warum so eingeordnet",
    "partners": "Partner",
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
        data.suggestion_list(filters=filters, for_city=for_city), _marks(), for_city=for_city
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
        pl.col("nearest_source").str.split(", ").list.last().alias("nearest_lines"),
        # Formatted in Python, not in a polars UDF: the load test's deadlock ran through a Python
        # callback on polars' thread pool.
        _similarity(frame["nearest_score"]),
        pl.when(pl.col("marked_by") != "")
        .then(pl.col("marked_by") + pl.lit(", ") + pl.col("marked_at").str.slice(0, 10))
        .otherwise(pl.lit(""))
        .alias("marked"),
    )


def show_ideas(filters: Filters, *, source_city: str, for_city: str) -> pl.DataFrame:
    """One „Anregungen aus …“ tab: the best ideas first, marked in their row; returns the whole list."""
    suffix = source_city.lower()
    ideas = idea_list(filters, for_city)
    if ideas.is_empty():
        st.info(
            f"Bei diesen Filtern hat {source_city} keinen Eintrag, den {for_city} nicht auch hat.", icon="🔍"
        )
        return ideas
    st.caption(
        f"Einträge aus {source_city}, zu denen {for_city} nichts Vergleichbares nennt: kein Eintrag "
        f"{load_cities().get(for_city).genitive} erreicht die Ähnlichkeit "
        f"{fmt_decimal(THRESHOLD, 2)} (Abgleich beim Aufbau der Datenbank). Die besten zuerst: eine "
        "verbindliche Vereinbarung oder ein Projekt vor allgemeinem Austausch, mit Arbeitsstand, Effekten "
        "und benanntem Partner, mit klarem Titel. Rechts daneben der ähnlichste Eintrag aus "
        f"{for_city} – so ist zu sehen, warum die Anregung neu ist."
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
    editor = _editor(suffix)
    count_key = f"anregungen_anzahl_{suffix}"
    limit = st.session_state.get(count_key, PAGE_SIZE)
    visible = shown.head(limit)
    st.caption(
        f"{len(shown)} von {len(ideas)} Anregungen für {for_city}"
        + (f"; gezeigt die besten {len(visible)}." if len(visible) < len(shown) else ".")
    )
    for row in visible.iter_rows(named=True):
        _idea_row(row, for_city=for_city, suffix=suffix, editor=editor)
    rest = len(shown) - len(visible)
    if rest:
        more = min(PAGE_SIZE, rest)
        left, right = st.columns(2)
        left.button(
            f"Weitere {more} Anregungen anzeigen",
            key=f"anregungen_mehr_{suffix}",
            on_click=_show_more,
            args=(count_key, limit + more),
            help=f"Noch {rest} Anregungen folgen; die Liste bleibt, wo sie ist.",
        )
        right.button(
            f"Alle {len(shown)} anzeigen",
            key=f"anregungen_alle_{suffix}",
            on_click=_show_more,
            args=(count_key, len(ideas)),
        )
    st.download_button(
        "Anregungen als CSV herunterladen",
        data=ideas_csv(ideas),
        file_name=f"anregungen-aus-{suffix}.csv",
        mime="text/csv",
        key=f"anregungen_csv_{suffix}",
        help="Alle Anregungen dieses Reiters mit Rang, Bewertung und Notiz (UTF-8, Semikolon, für Excel).",
    )
    return ideas


def _show_more(count_key: str, count: int) -> None:
    """Show count ideas from now on (a callback: the rows already shown stay in place)."""
    st.session_state[count_key] = count


def ideas_csv(frame: pl.DataFrame) -> bytes:
    """The ideas with their marks as CSV for German Excel: UTF-8 with BOM, ';', German headers."""
    return csv_bytes(frame.select(list(CSV_COLUMNS)).rename(CSV_COLUMNS))


def _editor(suffix: str) -> bool:
    """True when the person may mark here; otherwise says why not (in local mode: asks for a name)."""
    identity = current_identity()
    if identity is None:
        if not (local_mode() and on_loopback()):
            st.caption("Bewerten können nur angemeldete Redakteurinnen und Redakteure der Stabsstelle.")
            return False
        with st.form(f"anregung_name_{suffix}"):
            st.markdown("**Anregungen bewerten** – im lokalen Modus bitte einmal Ihren Namen angeben.")
            name = st.text_input("Ihr Name", max_chars=80, key=f"anregung_name_input_{suffix}")
            if st.form_submit_button("Weiter") and name.strip():
                st.session_state[NAME_KEY] = name.strip()
                st.rerun()
        return False
    if not identity.is_editor:
        st.caption(f"{identity.name} darf die Bewertungen sehen, aber nicht ändern.")
        return False
    st.caption(
        f"Bewerten direkt in der Zeile ({md_escape(identity.label())}); ein zweiter Klick auf dieselbe "
        "Bewertung nimmt sie zurück."
    )
    return True


def mark_key(suffix: str, cooperation_key: str) -> str:
    """Widget key of an idea's mark buttons in the tab of suffix."""
    return f"bewertung_{suffix}_{cooperation_key}"


def _idea_row(row: dict, *, for_city: str, suffix: str, editor: bool) -> None:
    """One idea: full title and context, the nearest record with its score, and its mark."""
    with st.container(border=True, key=f"anregung_{suffix}_{row['cooperation_key']}"):
        idea, nearest, mark = st.columns(ROW_COLUMNS)
        with idea:
            st.markdown(f"**{row['rank']}. {md_escape(row['title'])}**")
            area = row["task_area"]
            if area != row["department_task_area"]:
                area += f" {DERIVED.mark} (Thema des Titels; Fachbereich: {row['department_task_area']})"
            meta = [area, row["department"], row["concreteness"]]
            if row["status"]:
                meta.append(f"Arbeitsstand: {row['status']}")
            meta.append(row["lines"])
            st.caption(md_escape(" · ".join(meta)))
            if row["context"]:
                st.caption(md_escape(f"Zusammenhang: {row['context']}"))
        with nearest:
            if row["nearest_title"]:
                # Smaller than the idea's title: it explains the idea, it is not the idea.
                st.caption(
                    f"**Nächster Eintrag in {for_city}:** {md_escape(row['nearest_title'])} "
                    f"({md_escape(row['nearest_lines'])})"
                )
                st.caption(
                    md_escape(
                        f"Ähnlichkeit {row['similarity']}"
                        + (f" · {row['nearest_reason']}" if row["nearest_reason"] else "")
                    )
                )
            else:
                st.caption(f"Kein Eintrag in {for_city} ähnelt diesem.")
        with mark:
            _mark_cell(row, for_city=for_city, suffix=suffix, editor=editor)


def _mark_cell(row: dict, *, for_city: str, suffix: str, editor: bool) -> None:
    """The three marks as buttons (editors) or the mark as text (readers), and the note."""
    stored = row["mark"] if row["mark"] != suggestions.UNMARKED else None
    if not editor:
        st.caption(md_escape(f"Bewertung: {row['mark']}" + (f" ({row['marked']})" if row["marked"] else "")))
        if row["mark_note"]:
            st.caption(md_escape(f"Notiz: {row['mark_note']}"))
        return
    key = mark_key(suffix, row["cooperation_key"])
    if key not in st.session_state:
        st.session_state[key] = stored
    st.pills(
        f"Bewertung von „{row['title'][:60]}“",
        suggestions.MARKS,
        key=key,
        label_visibility="collapsed",
        # Wrapped, all three marks stay visible in the narrow column at 1,280 px.
        wrap=True,
        on_change=_save_mark,
        args=(key, row["cooperation_key"], for_city, row["title"], stored),
    )
    if stored:
        note_key = f"notiz_{suffix}_{row['cooperation_key']}"
        with st.popover("Notiz" + (" ✎" if row["mark_note"] else ""), width="content"):
            st.text_input(
                "Notiz zur Bewertung",
                value=row["mark_note"],
                max_chars=500,
                key=note_key,
                on_change=_save_note,
                args=(note_key, row["cooperation_key"], for_city, stored),
            )
        if row["mark_note"]:
            st.caption(md_escape(f"Notiz: {row['mark_note']}"))


def _store_mark(cooperation_key: str, for_city: str, mark: str | None, note: str | None) -> bool:
    """Write one mark to the store of record; a refusal shows as a toast. True when saved."""
    try:
        Store().record_mark(
            current_identity(), cooperation_key=cooperation_key, for_city=for_city, mark=mark, note=note
        )
    except (PermissionDenied, StoreError) as exc:
        st.toast(f"Nicht gespeichert: {exc}", icon=":material/lock:")
        return False
    return True


def _save_mark(key: str, cooperation_key: str, for_city: str, title: str, before: str | None) -> None:
    """Callback of the mark buttons: store the new mark (None withdraws it) and say so in place."""
    mark = st.session_state[key]
    if not _store_mark(cooperation_key, for_city, mark, None):
        st.session_state[key] = before
        return
    short = title if len(title) <= 60 else title[:60].rsplit(" ", 1)[0] + " …"
    if mark:
        st.toast(f"Gespeichert: „{mark}“ für {short}", icon=":material/check_circle:")
    else:
        st.toast(f"Bewertung zurückgenommen: {short}", icon=":material/undo:")


def _save_note(key: str, cooperation_key: str, for_city: str, mark: str) -> None:
    """Callback of the note field: store the mark again with the new note."""
    note = st.session_state[key].strip() or None
    if _store_mark(cooperation_key, for_city, mark, note):
        st.toast("Notiz gespeichert." if note else "Notiz gelöscht.", icon=":material/check_circle:")


def show_record_pairs(filters: Filters) -> None:
    """Under „Gemeinsame Themen“: records of the two compared cities that do the same, and why."""
    first, second = (load_cities().get(c) for c in pair_of(filters))
    columns = pair_columns(first.name, second.name)
    pairs = data.record_pairs(filters=filters)
    st.subheader("Einträge, die einander entsprechen")
    st.caption(
        f"{len(pairs)} Paare aus einem {first.adjective} und einem {second.adjective} Eintrag mit einer "
        "Ähnlichkeit ab "
        f"{fmt_decimal(THRESHOLD, 2)} (0 bis 1): gemeinsame Wörter mit ihrem Feld, gemeinsames Thema "
        "(„beide: …“ = dasselbe Stichwort), gemeinsamer Partner."
    )
    if pairs.is_empty():
        st.info(
            f"Bei diesen Filtern entspricht kein {first.adjective} Eintrag einem {second.adjective}.",
            icon="🔍",
        )
        return
    st.dataframe(
        pairs.with_columns(_similarity(pairs["score"])).select(list(columns)).rename(columns),
        hide_index=True,
        column_config=_widths(list(columns.values())),
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
