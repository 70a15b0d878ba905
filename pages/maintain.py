"""Daten pflegen: template, upload → German errors → diff → confirm → publish; single records; editions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import streamlit as st

from ikz.builder import editions
from ikz.builder.editions import CITIES, EditionInfo
from ikz.core.dates import local_time
from ikz.core.errors import SourceError, TaxonomyError
from ikz.core.numbers import fmt_int
from ikz.core.records import EditionRecord
from ikz.derive.diff import EditionDiff
from ikz.edit import publish
from ikz.edit.publish import Prepared
from ikz.parse.edition import EditionInvalid, parse_euro, parse_year
from ikz.rules.sources import source_name
from ikz.store.sqlite import StaleState, Store, StoreError
from ikz.ui.identity import editor_identity
from ikz.ui.markdown import md_escape

SAME, DIFFERENT = "dieselbe Kooperation", "verschiedene Kooperationen"
BULK_DECISIONS = (
    ("Alle übernehmen", SAME, "Jede offene Zuordnung als dieselbe Kooperation übernehmen"),
    (
        "Alle ablehnen",
        DIFFERENT,
        "Jede offene Zuordnung ablehnen: bisherige Kooperation entfällt, die Zeile ist neu",
    ),
)
NEW_RECORD = "➕ Neue Kooperation"

identity = editor_identity()
st.title("Daten pflegen")
st.caption(
    "Neue Ausgabe einer Kooperationsliste einspielen, einzelne Kooperationen ändern und frühere Ausgaben "
    f"wiederherstellen. Angemeldet als {identity.label()}; jede Änderung wird mit Namen gespeichert."
)

store = Store()
city = st.selectbox("Stadt", CITIES, key="pflegen_stadt")
try:
    current = editions.current_info(city, store)
    current_records = editions.load_records(current, store)
except (SourceError, TaxonomyError, StoreError) as exc:
    st.error(f"Die aktuelle Ausgabe kann nicht gelesen werden: {exc}", icon="🚫")
    st.stop()
st.info(f"Aktuell: **{md_escape(current.label())}** mit {fmt_int(len(current_records))} Kooperationen.")


def diff_frame(diff: EditionDiff) -> pl.DataFrame:
    """The diff as a table: one row per record that is new, ended or changed."""
    rows = [
        {
            "Änderung": c.change + (" (ähnlich)" if c.needs_confirmation() else ""),
            "Fachbereich/Amt": c.department,
            "Bezeichnung": c.title,
            "Geänderte Felder (alt → neu)": "; ".join(f.text() for f in c.fields),
            "Schlüssel": c.key,
        }
        for c in diff.changes
        if c.change != "unverändert"
    ]
    schema = ["Änderung", "Fachbereich/Amt", "Bezeichnung", "Geänderte Felder (alt → neu)", "Schlüssel"]
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema={c: pl.String for c in schema})


def show_diff(item: Prepared, key: str) -> None:
    """Counts, the list of changes, new raw types and notices of a prepared edition."""
    for column, (kind, n) in zip(st.columns(4), item.diff.counts().items(), strict=True):
        column.metric(kind.capitalize(), fmt_int(n))
    st.caption(f"Vergleich mit {item.base.label()}: " + item.diff.summary_line())
    if missing := item.diff.not_supplied_labels():
        st.info(
            "**Nicht geliefert:** Die Datei enthält die Spalten "
            + ", ".join(f"„{label}“" for label in missing)
            + " nicht. Sie gelten nicht als geleert: die bisherigen Werte dieser Spalten bleiben bei "
            "jeder wiedererkannten Kooperation erhalten.",
            icon="ℹ️",
        )
    for note in item.parsed.notices:
        st.caption(note)
    if item.parsed.new_types:
        st.warning(
            "Neue Kooperationsart (wird so übernommen und als neue Art angezeigt, bis die "
            "Klassifikationsregeln sie einer Kooperationsform zuordnen): "
            + ", ".join(f"„{t}“" for t in item.parsed.new_types),
            icon="🆕",
        )
    st.dataframe(
        diff_frame(item.diff),
        hide_index=True,
        key=f"diff_{key}",
        column_config={
            "Bezeichnung": st.column_config.TextColumn(width="medium"),
            "Geänderte Felder (alt → neu)": st.column_config.TextColumn(width="large"),
        },
    )


def show_problems(exc: EditionInvalid) -> list[str]:
    """The German error list as a table; returns unknown department names that could be confirmed."""
    n = len(exc.problems)
    st.error(
        f"{n} Problem{'e' if n != 1 else ''} in der Datei – es wurde nichts übernommen. "
        "Bitte die Datei korrigieren und erneut hochladen.",
        icon="🚫",
    )
    st.dataframe(
        pl.DataFrame(
            [
                {"Zeile": p.row, "Spalte": p.column or "", "Wert": p.value or "", "Problem": p.message}
                for p in exc.problems
            ],
            schema={"Zeile": pl.Int64, "Spalte": pl.String, "Wert": pl.String, "Problem": pl.String},
        ),
        hide_index=True,
        key="problems",
        # Taller rows wrap the text (Streamlit wraps above 4rem): a long „Problem“ is read, not cut off.
        row_height=72,
        column_config={
            "Zeile": st.column_config.NumberColumn(width=56),
            "Spalte": st.column_config.TextColumn(width=140),
            "Wert": st.column_config.TextColumn(width=160),
            "Problem": st.column_config.TextColumn(width="large"),
        },
    )
    return sorted(
        {
            p.value
            for p in exc.problems
            if p.column == "Fachbereich/Amt" and p.value and "unbekannt" in p.message
        }
    )


def after_publish(result: publish.PublishResult, what: str) -> None:
    """Tell the user what happened; the dashboard shows the new numbers on its next run."""
    st.session_state["pflegen_meldung"] = (
        f"{what} Ausgabe {result.edition_id} ist jetzt aktuell; das Dashboard zeigt die neuen Zahlen."
    )
    st.session_state["pflegen_pruefen"] = (city, *result.to_review)
    if result.build_warning:
        st.session_state["pflegen_warnung"] = result.build_warning
    st.session_state["upload_nr"] = st.session_state.get("upload_nr", 0) + 1
    st.rerun()


def decide_all(keys: list[str], decision: str) -> None:
    """„Alle übernehmen / Alle ablehnen“: the same answer for every open title-only match."""
    for key in keys:
        st.session_state[key] = decision


if message := st.session_state.pop("pflegen_meldung", None):
    # A toast: the person pressed the button far down a tab, not at the top of the page.
    st.toast(message, icon=":material/check_circle:", duration="long")
if warning := st.session_state.pop("pflegen_warnung", None):
    st.warning(warning, icon="⚠️")
if waiting := st.session_state.pop("pflegen_pruefen", None):
    published_city, values, records = waiting
    if values:
        # Stays on the page (a toast vanishes): the way from the new edition to its unsure values.
        with st.container(border=True):
            st.markdown(
                f"**Zu prüfen:** {fmt_int(values)} unsichere abgeleitete Werte in {fmt_int(records)} "
                f"neuen oder geänderten Einträgen von {md_escape(published_city)}."
            )
            st.page_link(
                "pages/review.py",
                label="Zur Prüfliste dieser Ausgabe",
                icon=":material/fact_check:",
                query_params={"neu": "1", "stadt": published_city},
            )

tab_upload, tab_single, tab_editions = st.tabs(["Neue Ausgabe hochladen", "Einzelne Kooperation", "Ausgaben"])

# --- Upload -------------------------------------------------------------------------------------
with tab_upload:
    st.markdown(
        "1. **Vorlage herunterladen**: die aktuelle Ausgabe als Excel-Datei, mit Schlüssel je Kooperation, "
        "Auswahllisten und einem Blatt mit Erläuterungen.\n"
        "2. **In Excel pflegen**: Zeilen ändern, neue Zeilen ohne Schlüssel anfügen, beendete "
        "Kooperationen löschen.\n"
        "3. **Hochladen**, Fehlerliste abarbeiten, Änderungen prüfen, **veröffentlichen**."
    )
    st.download_button(
        "Vorlage herunterladen",
        data=lambda: publish.template(city),
        file_name=f"ikz-vorlage-{city.lower()}-{date.today().isoformat()}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
        key="vorlage",
    )
    as_of = st.date_input(
        "Stichtag der neuen Ausgabe", value=date.today(), format="DD.MM.YYYY", key="stichtag"
    )
    upload = st.file_uploader(
        "Datei hochladen (Excel .xlsx oder CSV mit ; oder ,)",
        type=["xlsx", "csv"],
        key=f"upload_{st.session_state.get('upload_nr', 0)}",  # a new key empties it after publishing
    )
    if upload is not None:
        data = upload.getvalue()
        tag = editions.sha256_of(data)[:12]
        # Confirmed department names hold for the session (the checkboxes disappear once the file is
        # valid, and Streamlit forgets a widget's state when it is not drawn), so a corrected file
        # need not repeat them.
        confirmed_names = set(st.session_state.get("bestaetigte_namen", set()))
        for name in st.session_state.get("neue_namen", []):
            if f"neu_{name}" in st.session_state:
                (confirmed_names.add if st.session_state[f"neu_{name}"] else confirmed_names.discard)(name)
        st.session_state["bestaetigte_namen"] = confirmed_names
        accepted = sorted(confirmed_names)
        decisions = {
            k.removeprefix(f"fz_{tag}_"): v
            for k, v in st.session_state.items()
            if str(k).startswith(f"fz_{tag}_")
        }
        try:
            item = publish.prepare_import(
                data,
                upload.name,
                city=city,
                as_of=as_of,
                accepted_departments=accepted,
                confirmed=[k for k, v in decisions.items() if v == SAME],
                rejected=[k for k, v in decisions.items() if v == DIFFERENT],
                store=store,
            )
        except EditionInvalid as exc:
            unknown = show_problems(exc)
            st.session_state["neue_namen"] = sorted(
                set(unknown) | set(st.session_state.get("neue_namen", []))
            )
            if unknown or accepted:
                st.markdown(
                    "**Neue Namen für Fachbereich/Amt bestätigen** (z. B. nach einer Umbenennung). "
                    "Tippfehler bitte in der Datei korrigieren."
                )
                for name in sorted(set(unknown) | set(accepted)):
                    st.checkbox(
                        f"„{name}“ als neuen Namen übernehmen", value=name in accepted, key=f"neu_{name}"
                    )
            st.stop()
        except (SourceError, TaxonomyError, StoreError) as exc:
            st.error(f"Die Datei kann nicht verglichen werden: {exc}", icon="🚫")
            st.stop()

        st.success(
            f"{upload.name}: {fmt_int(len(item.parsed.records))} Kooperationen, keine Fehler.", icon="✅"
        )
        if item.parsed.new_departments:
            st.caption(
                "Neue Namen für Fachbereich/Amt: " + ", ".join(f"„{d}“" for d in item.parsed.new_departments)
            )
        show_diff(item, tag)
        to_confirm = item.diff.to_confirm()
        if to_confirm or decisions:
            st.markdown("**Zuordnungen nur nach ähnlicher Bezeichnung – bitte bestätigen:**")
        if len(to_confirm) > 1 or (to_confirm and decisions):
            keys = [f"fz_{tag}_{c.key}" for c in to_confirm]
            with st.container(horizontal=True):
                for label, decision, explanation in BULK_DECISIONS:
                    st.button(
                        label,
                        key=f"alle_{decision}_{tag}",
                        help=explanation,
                        on_click=decide_all,
                        args=(keys, decision),
                    )
        for c in to_confirm:
            assert c.old is not None and c.new is not None
            st.radio(
                f"„{c.old.title}“ (bisher) und „{c.new.title}“ (neu), {c.department}, "
                f"{c.score:.0f} % ähnlich",
                (SAME, DIFFERENT),
                index=None,
                horizontal=True,
                key=f"fz_{tag}_{c.key}",
            )
        for key in sorted(k for k, v in decisions.items() if v == DIFFERENT):
            st.radio(
                f"Abgelehnte Zuordnung ({key})", (SAME, DIFFERENT), horizontal=True, key=f"fz_{tag}_{key}"
            )
        left, right = st.columns([1, 3])
        if left.button("Veröffentlichen", type="primary", disabled=not item.ready(), key="veroeffentlichen"):
            try:
                with st.spinner("Die Ausgabe wird gespeichert und das Dashboard neu aufgebaut …"):
                    result = publish.publish(identity, item, store=store)
            except StaleState as exc:
                st.warning(f"{exc} Der Vergleich oben zeigt jetzt den neuen Stand.", icon="🔄")
            except StoreError as exc:
                st.error(str(exc), icon="🚫")
            else:
                after_publish(result, f"„{upload.name}“ wurde veröffentlicht.")
        if not item.ready():
            right.caption("Erst alle Zuordnungen nach ähnlicher Bezeichnung entscheiden.")
        else:
            right.caption("Abbrechen: die Datei oben entfernen – dann ändert sich nichts.")

# --- Single record ------------------------------------------------------------------------------
with tab_single:
    st.markdown(
        "Eine Kooperation hinzufügen, ändern oder beenden. Jede Änderung wird eine neue Ausgabe, "
        "abgeleitet von der aktuellen – so bleibt jeder Stand nachvollziehbar."
    )
    labels = {f"{r.department} – {r.title}": r for r in current_records}
    choice = st.selectbox("Kooperation", [NEW_RECORD, *labels], key="einzeln_wahl")
    record: EditionRecord | None = labels.get(choice)
    departments = sorted({r.department for r in current_records})
    status_choices = ["", *publish.choices(records=current_records)[1]]
    with st.form(f"einzeln_{choice}"):
        department = st.selectbox(
            "Fachbereich/Amt",
            departments,
            index=departments.index(record.department) if record else 0,
        )
        new_department = st.text_input("oder neuer Name für Fachbereich/Amt", value="")
        title = st.text_input("Bezeichnung", value=record.title if record else "")
        type_raw = st.text_input("Kooperationsart", value=(record.type_raw or "") if record else "")
        effects_text = st.text_area("Effekte", value=(record.effects_text or "") if record else "")
        partners = st.text_input("Partner", value=(record.partners_text or "") if record else "")
        c1, c2, c3 = st.columns(3)
        start = c1.text_input("Beginn (Jahr)", value=str(record.start_year or "") if record else "")
        end = c2.text_input("Ende", value=str(record.end_year or "") if record else "")
        status_text = c3.selectbox(
            "Status",
            status_choices,
            index=status_choices.index(record.status_text)
            if record and record.status_text in status_choices
            else 0,
        )
        savings = st.text_input(
            "Einsparung (€/Jahr)",
            value=f"{record.savings_eur_per_year:g}"
            if record and record.savings_eur_per_year is not None
            else "",
        )
        legal = st.text_input("Rechtsgrundlage", value=(record.legal_basis or "") if record else "")
        council = st.text_input(
            "Ratsbeschluss/Drucksache", value=(record.council_decision or "") if record else ""
        )
        contact = st.text_input("Ansprechpartner", value=(record.contact or "") if record else "")
        funding = st.text_input("Förderung", value=(record.funding or "") if record else "")
        save = st.form_submit_button("Als neue Ausgabe speichern", type="primary")
        end_it = st.form_submit_button("Kooperation beenden (aus der Liste nehmen)", disabled=record is None)
    if save or end_it:
        edited = EditionRecord(
            key=record.key if record else "",
            department=new_department.strip() or department,
            title=title.strip(),
            type_raw=type_raw.strip() or None,
            effects_text=effects_text.strip() or None,
            line_start=0,
            line_end=0,
            partners_text=partners.strip() or None,
            start_year=parse_year(start.strip() or None),
            end_year=parse_year(end.strip() or None),
            legal_basis=legal.strip() or None,
            council_decision=council.strip() or None,
            contact=contact.strip() or None,
            status_text=status_text or None,
            savings_eur_per_year=parse_euro(savings.strip() or None),
            funding=funding.strip() or None,
        )
        if record is not None:
            # Fields this form does not show (Magdeburg's Art des Eintrags, Gremium, Perspektive) stay.
            edited = replace(
                edited,
                record_kind=record.record_kind,
                context=record.context,
                outlook_text=record.outlook_text,
            )
        # Text the record cannot hold as a number stays text here, so the check names it.
        bad_cells = [
            (label, text)
            for label, text, parsed in (
                ("Beginn (Jahr)", start, edited.start_year),
                ("Ende", end, edited.end_year),
                ("Einsparung (€/Jahr)", savings, edited.savings_eur_per_year),
            )
            if text.strip() and parsed is None
        ]
        if bad_cells and save:
            st.error(
                "Bitte korrigieren: "
                + "; ".join(f"{label}: „{text}“ ist keine gültige Angabe" for label, text in bad_cells),
                icon="🚫",
            )
            st.stop()
        if end_it and record is not None:
            records = [r for r in current_records if r.key != record.key]
            note = f"Kooperation beendet: {record.title}"
        elif record is not None:
            records = [edited if r.key == record.key else r for r in current_records]
            note = f"Kooperation geändert: {edited.title}"
        else:
            records = [*current_records, edited]
            note = f"Kooperation hinzugefügt: {edited.title}"
        try:
            item = publish.prepare_derived(
                city,
                records,
                as_of=date.today(),
                store=store,
                accepted_departments=[new_department.strip()] if new_department.strip() else [],
            )
            item = replace(item, undecided=frozenset())  # keys come from the current edition itself
            with st.spinner("Die neue Ausgabe wird gespeichert und das Dashboard neu aufgebaut …"):
                result = publish.publish(
                    identity,
                    item,
                    store=store,
                    note=note,
                    derived_from=publish.expected_of(current),
                )
        except EditionInvalid as exc:
            show_problems(exc)
        except StaleState as exc:
            st.warning(f"{exc}", icon="🔄")
        except StoreError as exc:
            st.error(str(exc), icon="🚫")
        else:
            after_publish(result, note + ".")

# --- Editions -----------------------------------------------------------------------------------
with tab_editions:
    infos = editions.editions(city, store)
    st.dataframe(
        pl.DataFrame(
            [
                {
                    "Ausgabe": i.label(),
                    "aktuell": "✓" if i.is_current else "",
                    "Datei": source_name(i.file_name),
                    "SHA-256": i.sha256[:12],
                    "Zeilen": i.row_count or None,
                    "veröffentlicht": local_time(i.imported_at) if i.imported_at else "",
                    "von": i.imported_by or "",
                    "Notiz": i.note or "",
                }
                for i in reversed(infos)
            ]
        ),
        hide_index=True,
        key="ausgaben",
    )
    others: dict[str, EditionInfo] = {i.label(): i for i in reversed(infos) if not i.is_current}
    if others:
        target = st.selectbox("Frühere Ausgabe", list(others), key="zuruecksetzen_wahl")
        if st.button(f"Zurücksetzen auf {target}", key="zuruecksetzen"):
            try:
                with st.spinner("Die Ausgabe wird wieder aktuell gemacht …"):
                    result = publish.reset(
                        identity,
                        city,
                        others[target],
                        expected_current=publish.expected_of(current),
                        store=store,
                    )
            except StaleState as exc:
                st.warning(str(exc), icon="🔄")
            except StoreError as exc:
                st.error(str(exc), icon="🚫")
            else:
                after_publish(result, f"Zurückgesetzt auf {target}.")
        st.caption("Ausgaben werden nie gelöscht: Zurücksetzen macht eine frühere Ausgabe wieder aktuell.")
    else:
        st.caption("Noch keine weitere Ausgabe: die Ausgangsliste ist aktuell.")
