"""Protokoll: who changed what and when (the store's audit trail), for editors only."""

from __future__ import annotations

import json
from datetime import date

import streamlit as st

from ikz.core.dates import local_day, local_time
from ikz.core.numbers import fmt_int
from ikz.read.audit import (
    SHOWN_COLUMNS,
    action_words,
    audit_csv,
    audit_table,
    date_bounds,
    detail_lines,
    particulars,
    people,
)
from ikz.rules.cities import load_cities
from ikz.store.sqlite import Store, StoreError
from ikz.ui import data
from ikz.ui.identity import LOCAL_NOTE, ask_local_name, editor_reader
from ikz.ui.markdown import md_escape

WRAPPING_ROW_HEIGHT = 72  # px: three lines of text

# First: a reader sees „Keine Berechtigung“ and nothing of the trail. Reading needs no name (None in
# local mode until one is given); only the export, which is itself recorded, asks for one.
editor = editor_reader()

st.title("Protokoll")
st.caption(
    "Jede Änderung – Prüfentscheidung, Veröffentlichung, Zurücksetzen, Einzeländerung, Bewertung – "
    f"mit Zeit (Ortszeit {load_cities().home}), Person und Anmeldung. Einträge werden nie geändert oder "
    "gelöscht."
)

store = Store()
try:
    everything = store.audit()
    found = particulars(store)
except StoreError as exc:
    st.error(str(exc), icon="🚫")
    st.stop()

if not everything:
    st.info("Noch keine Änderungen gespeichert.", icon="ℹ️")
    st.stop()

titles = data.record_titles()
persons = people(everything)
left, right = st.columns([2, 2])
chosen = left.selectbox(
    "Person",
    [None, *(key for key, _ in persons)],
    format_func=lambda key: "Alle Personen" if key is None else dict(persons)[key],
    key="protokoll_person",
)
first = min(local_day(e.at) for e in everything)
last = max(local_day(e.at) for e in everything)
days = right.date_input(
    "Zeitraum",
    value=(first, last),
    format="DD.MM.YYYY",
    key="protokoll_zeitraum",
    help=f"Tage nach Ortszeit {load_cities().home}, beide eingeschlossen.",
)
since, until = (*days, None, None)[:2] if isinstance(days, tuple) else (days, days)
lower, upper = date_bounds(since, until)
try:
    events = store.audit(person=chosen, since=lower, until=upper)
except StoreError as exc:
    st.error(str(exc), icon="🚫")
    st.stop()

table = audit_table(events, found, titles)
st.caption(f"{fmt_int(table.height)} von {fmt_int(len(everything))} Einträgen.")
st.dataframe(
    table,
    hide_index=True,
    key="protokoll_tabelle",
    column_order=SHOWN_COLUMNS,
    # Taller than 4rem: Streamlit then wraps cell text, so a long Gegenstand is read, not cut off.
    row_height=WRAPPING_ROW_HEIGHT,
    column_config={
        # Narrow fixed columns leave the room to Gegenstand; at 1,280 px nothing needs scrolling.
        "Nr.": st.column_config.NumberColumn(width=48),
        "Zeit": st.column_config.TextColumn(width=150),
        "Person": st.column_config.TextColumn(width=130),
        "Aktion": st.column_config.TextColumn(width=130),
        "Gegenstand": st.column_config.TextColumn(width=240),
    },
)

by_id = {e.event_id: e for e in events}
shown = st.selectbox(
    "Details zu einem Eintrag",
    [None, *by_id],
    format_func=lambda i: (
        "–" if i is None else f"Nr. {i} · {local_time(by_id[i].at)} · {action_words(by_id[i], found)}"
    ),
    key="protokoll_details_wahl",
)
if shown is not None:
    event = by_id[shown]
    with st.expander(f"Details zu Nr. {shown}", expanded=True):
        st.markdown("\n".join(f"- {md_escape(line)}" for line in detail_lines(event, found, titles)))
        if event.detail is not None:
            st.caption("Wie gespeichert (technische Angaben):")
            st.code(json.dumps(event.detail, ensure_ascii=False, indent=2, sort_keys=True), language="json")


def export_csv() -> bytes:
    """The shown rows as CSV; the export itself is recorded, since the trail names people."""
    if editor is not None:
        try:
            with store.write(editor, "protokoll-export", None, {"rows": len(events)}):
                pass
        except StoreError:
            pass  # the download must not fail because the store is busy; the rows are still correct
    return audit_csv(events, found, titles)


if editor is None:
    # Local mode without a name: the export is a write (it is recorded), so it needs one.
    ask_local_name(
        f"{LOCAL_NOTE}. Zum Herunterladen bitte einmal Ihren Namen angeben: "
        "der Export wird mit Namen im Protokoll vermerkt."
    )
else:
    st.download_button(
        "CSV herunterladen",
        export_csv,
        file_name=f"ikz-protokoll-{date.today().isoformat()}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
