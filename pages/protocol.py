"""Protokoll: who changed what and when (the store's audit trail), for editors only."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ikz.audit import audit_csv, audit_table, date_bounds, people
from ikz.store import Store, StoreError
from ikz.theme import fmt_int
from pages.identity import editor_identity

editor = editor_identity()  # first: a reader sees „Keine Berechtigung“ and nothing of the trail

st.title("Protokoll")
st.caption(
    "Jede Änderung – Prüfentscheidung, Import, Veröffentlichung, Zurücksetzen, Einzeländerung, "
    "Markierung – mit Zeit, Person und Kennung aus der Anmeldung. Einträge werden nie geändert "
    "oder gelöscht."
)

store = Store()
try:
    everything = store.audit()
except StoreError as exc:
    st.error(str(exc), icon="🚫")
    st.stop()

if not everything:
    st.info("Noch keine Änderungen gespeichert.", icon="ℹ️")
    st.stop()

persons = people(everything)
left, right = st.columns([2, 2])
chosen = left.selectbox(
    "Person",
    [None, *(key for key, _ in persons)],
    format_func=lambda key: "Alle Personen" if key is None else dict(persons)[key],
    key="protokoll_person",
)
first = min(date.fromisoformat(e.at[:10]) for e in everything)
last = max(date.fromisoformat(e.at[:10]) for e in everything)
days = right.date_input(
    "Zeitraum (Tage, UTC)",
    value=(first, last),
    format="DD.MM.YYYY",
    key="protokoll_zeitraum",
)
since, until = (*days, None, None)[:2] if isinstance(days, tuple) else (days, days)
lower, upper = date_bounds(since, until)
try:
    events = store.audit(person=chosen, since=lower, until=upper)
except StoreError as exc:
    st.error(str(exc), icon="🚫")
    st.stop()

table = audit_table(events)
st.caption(f"{fmt_int(table.height)} von {fmt_int(len(everything))} Einträgen.")
st.dataframe(table, hide_index=True, key="protokoll_tabelle")


def export_csv() -> bytes:
    """The shown rows as CSV; the export itself is recorded, since the trail names people."""
    try:
        with store.write(editor, "protokoll-export", None, {"rows": table.height}):
            pass
    except StoreError:
        pass  # the download must not fail because the store is busy; the rows are still correct
    return audit_csv(table)


st.download_button(
    "CSV herunterladen",
    export_csv,
    file_name=f"ikz-protokoll-{date.today().isoformat()}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)
