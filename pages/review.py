"""Prüfen: the office checks and corrects derived values record by record; decisions go to the store."""

from __future__ import annotations

import html
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from ikz.ui.identity import editor_identity

identity = editor_identity()

from ikz.builder.review import FIELD_LABELS, FIELDS, LIST_FIELDS, ReviewError, validate  # noqa: E402
from ikz.core.numbers import fmt_int  # noqa: E402
from ikz.edit import review_bulk  # noqa: E402 - the guard runs before anything else
from ikz.read import review_queue  # noqa: E402 - the guard runs before anything else
from ikz.read.db import DatabaseUnavailable  # noqa: E402
from ikz.rules.sources import source_name  # noqa: E402
from ikz.rules.words import CHECKED, DERIVED, DOCUMENT  # noqa: E402
from ikz.store.access import PermissionDenied  # noqa: E402
from ikz.store.sqlite import Store, StoreError  # noqa: E402
from ikz.ui.data import database, fail, take_over  # noqa: E402
from ikz.ui.markdown import md_escape  # noqa: E402

ALL_LABEL = "Alle"
KEY_PARAM = "eintrag"
SAVED_KEY = "pruefen_gespeichert"
HIGHLIGHT_CSS = (
    "<style>.ikz-source p{margin:0 0 .4rem 0}.ikz-source mark{background:#fde68a;padding:0 .1rem}</style>"
)

db = database()


def read(fn: Any, **kwargs: Any) -> Any:
    """Run a review read on a cursor of its own; a broken database becomes a German message."""
    try:
        with db.cursor() as cur:
            return fn(cur, **kwargs)
    except (duckdb.Error, DatabaseUnavailable) as exc:  # never a traceback for the office
        fail(f"Die Datenbank konnte nicht gelesen werden ({type(exc).__name__}). Bitte die Seite neu laden.")


def store_decisions(decisions: list[dict[str, Any]], note: str | None) -> bool:
    """Write decisions as one transaction; a refusal or store error is shown in German."""
    try:
        Store().record_decisions(identity, decisions, note=note)
    except (PermissionDenied, StoreError) as exc:
        st.error(str(exc), icon="🚫")
        return False
    return True


def choose_field_value(field: str, info: dict[str, Any], vocab: Any, key: str) -> Any:
    """The widget for one field inside the form, preset to the current value; returns the chosen value."""
    label = info["label"]
    choices = vocab.choices(field)
    if field in LIST_FIELDS:
        current = [v for v in info["value"] if v in choices]
        chosen = st.multiselect(label, choices, default=current, key=key, placeholder="keine")
    else:
        index = choices.index(info["value"]) if info["value"] in choices else None
        chosen = st.selectbox(label, choices, index=index, key=key)
    heading = f"{DERIVED.name} aus" if info["role"] == CHECKED.role else "Belege"
    evidence = f" · {heading}: {info['evidence']}" if info["evidence"] else ""
    st.caption(md_escape(f"{info['origin']}{evidence}"))
    return chosen


CHANGED_PARAM, CITY_PARAM = "neu", "stadt"  # set by the link after a publish (pages/maintain.py)

st.title("Prüfen und korrigieren")
st.caption(
    f"Angemeldet als {md_escape(identity.label())}. Jede Entscheidung wird mit Ihrem Namen und der Zeit "
    "gespeichert und erscheint nach dem nächsten Aufbau der Datenbank in allen Ansichten mit "
    f"{CHECKED.mark}. "
    f"{DERIVED.mark} = aus dem Text {DERIVED.name} (sicher oder unsicher), {CHECKED.mark} = {CHECKED.name}."
)

# --- Filters and progress ------------------------------------------------------------------------
cities = read(review_queue.cities)
# A link from „Daten pflegen“ after a publish: ?neu=1&stadt=Erfurt shows what that edition brought.
linked_city = st.query_params.get(CITY_PARAM)
c1, c2, c3, c4 = st.columns([1, 2, 1.3, 1])
city_options = (ALL_LABEL, *cities)
city_choice = c1.selectbox(
    "Stadt",
    city_options,
    index=city_options.index(linked_city) if linked_city in cities else 0,
    key=f"pruefen_stadt_{linked_city or ''}",
)
city = None if city_choice == ALL_LABEL else city_choice
department_choice = c2.selectbox(
    "Fachbereich/Amt", (ALL_LABEL, *read(review_queue.departments, city=city)), key="pruefen_amt"
)
department = None if department_choice == ALL_LABEL else department_choice
field_choice = c3.selectbox("Feld", (ALL_LABEL, *FIELD_LABELS.values()), key="pruefen_feld")
field = next((f for f, label in FIELD_LABELS.items() if label == field_choice), None)
open_only = c4.toggle("Nur ungeprüfte", value=True, key="pruefen_offen")
changed_only = st.toggle(
    "Nur unsichere Werte neuer und geänderter Einträge der aktuellen Ausgabe",
    value=st.query_params.get(CHANGED_PARAM) == "1",
    key="pruefen_neu",
    help="Was die letzte Veröffentlichung einer Ausgabe in die Warteschlange gestellt hat.",
)

progress = read(review_queue.progress, city=city, department=department)
st.progress(
    progress.records_checked / progress.records if progress.records else 0.0,
    text=f"{fmt_int(progress.records_checked)} von {fmt_int(progress.records)} Einträgen {CHECKED.name}",
)
st.caption(
    f"Werte: {fmt_int(progress.values_checked)} {CHECKED.name} {CHECKED.mark}, "
    f"{fmt_int(progress.values_derived)} noch {DERIVED.name} {DERIVED.mark} "
    f"(davon {fmt_int(progress.values_uncertain)} unsicher). Ein Eintrag gilt als {CHECKED.name}, wenn "
    f"keiner seiner Werte mehr nur {DERIVED.name} ist."
)

pending = read(review_queue.pending)
if not pending.is_empty():
    with st.expander(f"⚠️ {fmt_int(pending.height)} frühere Entscheidungen zu prüfen (Quelle geändert o. Ä.)"):
        st.caption(
            "Diese Entscheidungen werden nicht angewendet, weil sich der Quelltext des Eintrags seit der "
            "Prüfung geändert hat (oder der Eintrag oder Wert nicht mehr existiert). Bitte neu prüfen."
        )
        st.dataframe(
            pending.rename(
                {
                    "cooperation_key": "Schlüssel",
                    "city": "Stadt",
                    "title": "Bezeichnung / Thema",
                    "field": "Feld",
                    "value": "Entschiedener Wert",
                    "checked_by": "Geprüft von",
                    "checked_at": "Geprüft am (UTC)",
                    "note": "Notiz",
                    "reason": "Grund",
                }
            ).with_columns(pl.col("Feld").replace(FIELD_LABELS)),
            hide_index=True,
        )

# --- The record to check -----------------------------------------------------------------------------
if saved := st.session_state.pop(SAVED_KEY, None):
    # A toast, not a box at the top: the person is looking at the form far down the page.
    st.toast(saved, icon=":material/check_circle:", duration="long")
queue = read(
    review_queue.queue,
    city=city,
    department=department,
    field=field,
    open_only=open_only,
    changed_only=changed_only,
)
requested = st.query_params.get(KEY_PARAM)
keys = queue["cooperation_key"].to_list()
labels = {
    r["cooperation_key"]: f"{r['city']} · {r['department']} · {r['title'][:80]}"
    + (f" ({r['uncertain']} unsicher)" if r["uncertain"] else "")
    for r in queue.iter_rows(named=True)
}
if requested and requested not in labels:
    requested_item = read(review_queue.item, cooperation_key=requested)
    if requested_item is None:
        st.info(f"Den Eintrag „{requested}“ gibt es nicht (mehr); es folgt die Warteschlange.")
        requested = None
    else:
        keys.insert(0, requested)
        labels[requested] = (
            f"{requested_item['city']} · {requested_item['department']} · {requested_item['title'][:80]}"
        )

if not keys:
    st.success(f"In dieser Auswahl ist nichts mehr zu prüfen. {CHECKED.mark}")
else:
    st.caption(f"Warteschlange: {fmt_int(len(queue))} Einträge, unsichere zuerst.")
    key = st.selectbox(
        "Eintrag",
        keys,
        index=keys.index(requested) if requested in keys else 0,
        format_func=lambda k: labels[k],
        key=f"pruefen_eintrag_{requested or ''}",
    )
    item = read(review_queue.item, cooperation_key=key)
    vocab = read(review_queue.vocabulary)

    st.subheader(md_escape(item["title"]))
    st.caption(
        md_escape(
            f"{item['city']} · {item['department']} · Quelle: {source_name(item['source_file'])}, "
            f"{item['source_lines']} · Schlüssel {item['cooperation_key']}"
        )
    )
    shown = (field,) if field else FIELDS
    left, right = st.columns([1.1, 1])
    with left:
        st.markdown("**Originaltext** (Belege markiert)")
        words = [w for f in shown for w in item["fields"][f]["words"]]
        paragraphs = "".join(
            f"<p><strong>{html.escape(label)}:</strong> {review_queue.highlight_html(text, words)}</p>"
            for label, text in item["texts"]
        )
        st.html(f'{HIGHLIGHT_CSS}<div class="ikz-source">{paragraphs}</div>')
        if item.get("parse_notes"):
            st.caption(md_escape(f"Hinweise beim Einlesen: {item['parse_notes']}"))
    with right:
        # clear_on_submit: after saving, the widgets start again from the (now checked) values.
        with st.form(f"pruefen_form_{key}", border=True, clear_on_submit=True):
            chosen = {f: choose_field_value(f, item["fields"][f], vocab, f"{key}-{f}") for f in shown}
            note = st.text_input("Notiz (optional)", max_chars=500, key=f"{key}-notiz")
            submitted = st.form_submit_button(
                "Bestätigen / Korrektur speichern", type="primary", icon=":material/check:"
            )
        st.caption("Unveränderte abgeleitete Werte werden bestätigt, geänderte korrigiert. Enter speichert.")
        if submitted:
            decisions, errors = [], []
            for f, value in chosen.items():
                info = item["fields"][f]
                try:
                    new = validate(f, value, vocab)
                except ReviewError as exc:
                    errors.append(str(exc))
                    continue
                if new is None:
                    errors.append(f"{info['label']}: bitte einen Wert wählen.")
                    continue
                if new == info["value"] and info["role"] != DERIVED.role:
                    continue  # printed in the document or already checked: nothing to confirm
                decisions.append(
                    {
                        "city": item["city"],
                        "cooperation_key": key,
                        "field": f,
                        "old_value": info["value"],
                        "new_value": new,
                        "source_fingerprint": item["source_fingerprint"],
                    }
                )
            if errors:
                for message in errors:
                    st.error(message, icon="🚫")
            elif not decisions:
                st.info(
                    f"Nichts zu speichern: alle Werte stehen im {DOCUMENT.name} "
                    f"oder sind schon {CHECKED.name}."
                )
            elif store_decisions(decisions, note.strip() or None):
                # Short enough for a toast without Streamlit's English „view more“; the record is in view.
                names = ", ".join(FIELD_LABELS[d["field"]] for d in decisions)
                saved = names if len(decisions) <= 2 else f"{len(decisions)} Werte"
                st.session_state[SAVED_KEY] = f"Gespeichert {CHECKED.mark} – {saved} {CHECKED.name}."
                take_over("Gespeichert – wird in alle Ansichten übernommen …")
                st.rerun()

        checked = [(f, item["fields"][f]) for f in FIELDS if item["fields"][f]["check"]]
        if checked:
            st.markdown("**Geprüfte Werte**")
            for f, info in checked:
                check = info["check"]
                note_text = f" – „{check['note']}“" if check["note"] else ""
                st.caption(
                    md_escape(
                        f"{CHECKED.mark} {info['label']}: {review_bulk.display_value(info['value'])} – "
                        f"{CHECKED.name} von "
                        f"{check['checked_by']} am {check['checked_on']}{note_text}"
                    )
                )
                # Below its line, not in a narrow column beside it, where 1,280 px cut it to „rückg…“.
                if st.button(
                    "rückgängig",
                    key=f"undo-{key}-{f}",
                    type="tertiary",
                    icon=":material/undo:",
                    help=f"Die Prüfung von „{info['label']}“ zurücknehmen",
                ):
                    undo = {
                        "city": item["city"],
                        "cooperation_key": key,
                        "field": f,
                        "old_value": info["value"],
                        "new_value": None,
                        "source_fingerprint": item["source_fingerprint"],
                    }
                    if store_decisions([undo], "rückgängig"):
                        st.session_state[SAVED_KEY] = (
                            f"Rückgängig gemacht: {info['label']} ist wieder der abgeleitete Wert."
                        )
                        take_over("Wird zurückgenommen …")
                        st.rerun()

# --- Bulk work ---------------------------------------------------------------------------------------------
st.divider()
st.subheader("Prüfliste als Datei")
st.caption(
    "Die Warteschlange der aktuellen Auswahl als Tabelle: in „Neuer Wert“ den geprüften Wert eintragen "
    "(derselbe Wert bestätigt, Listen mit „;“ trennen, „rückgängig“ nimmt eine Prüfung zurück, leer = "
    "nicht entschieden), dann hier wieder hochladen. Gespeichert wird nur, wenn alle Zeilen gültig sind."
)


def export_frame() -> Any:
    return read(review_bulk.export_rows, city=city, department=department, field=field, open_only=open_only)


# A row that wraps rather than columns of a fifth each, which could cut the labels at 1,280 px.
d1 = d2 = st.container(horizontal=True, key="pruefliste_downloads")
d1.download_button(
    "Prüfliste (CSV)",
    lambda: review_bulk.to_csv(export_frame()),
    file_name="ikz-pruefliste.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)
d2.download_button(
    "Prüfliste (Excel)",
    lambda: review_bulk.to_xlsx(export_frame()),
    file_name="ikz-pruefliste.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:",
    on_click="ignore",
)
# A new key after each stored file empties the uploader, so the same file is not stored twice.
upload_round = st.session_state.setdefault("pruefen_upload_runde", 0)
upload = st.file_uploader(
    "Ausgefüllte Prüfliste hochladen", type=["csv", "xlsx"], key=f"pruefen_upload_{upload_round}"
)
if upload is not None:
    try:
        result = read(review_bulk.import_file, name=upload.name, data=upload.getvalue())
    except ReviewError as exc:
        result = None
        st.error(str(exc), icon="🚫")
    if result is not None and not result.ok:
        st.error(
            f"Die Datei wurde nicht gespeichert: {fmt_int(len(result.errors))} Zeilen sind ungültig.",
            icon="🚫",
        )
        st.code("\n".join(result.errors), language=None, wrap_lines=True)
    elif result is not None and not result.decisions:
        st.info(
            f"Die Datei enthält keine Entscheidung ({fmt_int(result.undecided)} Zeilen ohne „Neuer Wert“)."
        )
    elif result is not None:
        st.success(
            f"{fmt_int(len(result.decisions))} Entscheidungen sind gültig "
            f"({fmt_int(result.undecided)} Zeilen ohne „Neuer Wert“ bleiben offen)."
        )
        if st.button("Alle speichern", type="primary", key="pruefen_import_speichern") and store_decisions(
            result.decisions, f"Import {upload.name}"
        ):
            st.session_state["pruefen_upload_runde"] = upload_round + 1
            st.session_state[SAVED_KEY] = (
                f"{fmt_int(len(result.decisions))} Entscheidungen aus der Datei gespeichert."
            )
            take_over("Gespeichert – wird in alle Ansichten übernommen …")
            st.rerun()
