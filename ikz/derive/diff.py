"""What changed between two editions of a city's list: records matched by Schlüssel, else by title.

Pure: two sequences of EditionRecord in, an EditionDiff out. A record is matched by its Schlüssel;
a record without a known Schlüssel is matched to a record of the same department whose title is
the same (sure: „gleich“, no question asked) or similar by rapidfuzz (only „ähnlich“: the user
confirms such a match before publishing, a rejected one counts as one „entfallen“ and one „neu“).

A file need not bring every column of the template (the office keeps four): a field whose column
is missing is „nicht geliefert“ — it is not compared, and `completed` carries its old value over,
so that publishing such a file never deletes what an earlier edition held.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from rapidfuzz import fuzz

from ikz.core.records import EditionRecord

ChangeKind = Literal["neu", "entfallen", "geändert", "unverändert"]
MatchKind = Literal["Schlüssel", "gleich", "ähnlich"]
FUZZY_MIN_SCORE = 80  # token_set_ratio: 'Netzwerk Schulsozialarbeit' ~ 'Netzwerk Schulsozialarbeit Thüringen'
KINDS: tuple[ChangeKind, ...] = ("neu", "entfallen", "geändert", "unverändert")

# Compared fields with their German column names, in template order.
FIELDS: tuple[tuple[str, str], ...] = (
    ("department", "Fachbereich/Amt"),
    ("title", "Bezeichnung"),
    ("type_raw", "Kooperationsart"),
    ("effects_text", "Effekte"),
    ("partners_text", "Partner"),
    ("start_year", "Beginn (Jahr)"),
    ("end_year", "Ende"),
    ("legal_basis", "Rechtsgrundlage"),
    ("council_decision", "Ratsbeschluss/Drucksache"),
    ("contact", "Ansprechpartner"),
    ("status_text", "Status"),
    ("savings_eur_per_year", "Einsparung (€/Jahr)"),
    ("funding", "Förderung"),
    ("record_kind", "Art des Eintrags"),
    ("context", "Gremium"),
    ("outlook_text", "Perspektive"),
    ("list_heading", "Listenüberschrift"),
    ("division", "Dezernat"),
    ("sub_unit", "Teilbereich"),
)


@dataclass(frozen=True)
class FieldChange:
    """One changed field of a matched record: old value → new value."""

    field: str
    label: str  # German column name
    old: object
    new: object

    def text(self) -> str:
        """'Effekte: „alt“ → „neu“' (empty shown as –)."""
        return f"{self.label}: {_shown(self.old)} → {_shown(self.new)}"


def _shown(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".").removesuffix(",00")
    return f"„{value}“"


@dataclass(frozen=True)
class Change:
    """One record's fate between the two editions."""

    change: ChangeKind
    key: str  # the cooperation_key the record keeps (the old one for a match)
    old: EditionRecord | None
    new: EditionRecord | None
    fields: tuple[FieldChange, ...] = ()
    match: MatchKind | None = None
    score: float | None = None  # title similarity for a match by title

    @property
    def title(self) -> str:
        """The record's current (else former) title."""
        return (self.new or self.old).title  # type: ignore[union-attr]

    @property
    def department(self) -> str:
        """The record's current (else former) department."""
        return (self.new or self.old).department  # type: ignore[union-attr]

    def needs_confirmation(self) -> bool:
        """A match by a similar (not equal) title only: the user must confirm it."""
        return self.match == "ähnlich"


@dataclass(frozen=True)
class EditionDiff:
    """Every record of both editions, each once, as neu / entfallen / geändert / unverändert."""

    changes: tuple[Change, ...]
    rejected: frozenset[str] = field(default_factory=frozenset)  # keys of fuzzy matches rejected
    not_supplied: tuple[str, ...] = ()  # fields (record attribute names) whose column the file lacks

    def counts(self) -> dict[ChangeKind, int]:
        """Number of records per kind of change, in the fixed order."""
        return {k: sum(1 for c in self.changes if c.change == k) for k in KINDS}

    def summary_line(self) -> str:
        """'neu 3, entfallen 2, geändert 4, unverändert 70'."""
        return ", ".join(f"{k} {n}" for k, n in self.counts().items())

    def not_supplied_labels(self) -> list[str]:
        """The German column names the file did not bring, in template order."""
        return [label for name, label in FIELDS if name in self.not_supplied]

    def not_supplied_line(self) -> str | None:
        """'Nicht geliefert (Werte bleiben erhalten): Partner, …', None when the file has every column."""
        labels = self.not_supplied_labels()
        if not labels:
            return None
        return "Nicht geliefert (bisherige Werte bleiben erhalten): " + ", ".join(labels)

    def completed(self) -> list[EditionRecord]:
        """The new edition's records, each field the file did not bring taken from its matched record.

        In the new file's order, each with the Schlüssel it keeps; a new record keeps its empty fields
        (there is nothing to carry over).
        """
        out = []
        for c in sorted((c for c in self.changes if c.new is not None), key=lambda c: c.new.line_start):  # type: ignore[union-attr]
            new = c.new
            assert new is not None
            if c.old is not None:
                kept = {name: getattr(c.old, name) for name in self.not_supplied}
                new = replace(new, key=c.key, key_given=True, **kept)
            out.append(new)
        return out

    def to_confirm(self) -> list[Change]:
        """Matches by a similar title only, which the user must confirm or reject."""
        return [c for c in self.changes if c.needs_confirmation()]

    def key_map(self) -> dict[int, str]:
        """For rows of the new file without their Schlüssel: file row → the kept key of their match."""
        return {
            c.new.line_start: c.key
            for c in self.changes
            if c.new is not None and c.old is not None and not c.new.key_given and c.new.key != c.key
        }


def changed_fields(
    old: EditionRecord, new: EditionRecord, not_supplied: Collection[str] = ()
) -> tuple[FieldChange, ...]:
    """The compared fields whose values differ (a field the file did not bring is not compared)."""
    return tuple(
        FieldChange(name, label, getattr(old, name), getattr(new, name))
        for name, label in FIELDS
        if name not in not_supplied and getattr(old, name) != getattr(new, name)
    )


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _pair(
    old: EditionRecord,
    new: EditionRecord,
    match: MatchKind,
    score: float | None,
    not_supplied: Collection[str],
) -> Change:
    fields = changed_fields(old, new, not_supplied)
    return Change("geändert" if fields else "unverändert", old.key, old, new, fields, match, score)


def diff_editions(
    old: Sequence[EditionRecord],
    new: Sequence[EditionRecord],
    *,
    rejected: Collection[str] = (),
    min_score: float = FUZZY_MIN_SCORE,
    by_key_only: bool = False,
    not_supplied: Collection[str] = (),
) -> EditionDiff:
    """Match the new edition's records to the old one's and classify each; rejected: old keys whose
    fuzzy match the user refused (they count as entfallen, the new record as neu). by_key_only: two
    published editions, whose keys were settled when publishing, are matched by key alone.
    not_supplied: fields whose column the new file lacks (not compared; see EditionDiff.completed)."""
    rejected = frozenset(rejected)
    not_supplied = tuple(name for name, _label in FIELDS if name in set(not_supplied))
    old_by_key = {r.key: r for r in old}
    changes: list[Change] = []
    open_old = dict(old_by_key)
    open_new: list[EditionRecord] = []
    for r in new:
        if (r.key_given or by_key_only) and r.key in open_old:
            changes.append(_pair(open_old.pop(r.key), r, "Schlüssel", None, not_supplied))
        else:
            open_new.append(r)

    # Title matches within a department: all candidate pairs, equal titles first, then the most
    # similar, each record used once. Equal (case and spaces aside) is the same record without asking;
    # token_set_ratio also says 100 for '… (KET)', which stays a question.
    candidates: list[tuple[bool, float, int, int, str]] = []
    for i, r in enumerate([] if by_key_only else open_new):
        for j, (key, o) in enumerate(open_old.items()):
            if _norm(o.department) != _norm(r.department) or key in rejected:
                continue
            equal = _norm(o.title) == _norm(r.title)
            score = 100.0 if equal else fuzz.token_set_ratio(_norm(o.title), _norm(r.title))
            if score >= min_score:
                candidates.append((equal, score, -i, -j, key))
    candidates.sort(reverse=True)
    used_new: set[int] = set()
    for equal, _score, neg_i, _neg_j, key in candidates:
        i = -neg_i
        if i in used_new or key not in open_old:
            continue
        used_new.add(i)
        match: MatchKind = "gleich" if equal else "ähnlich"
        old_record = open_old.pop(key)
        # Shown to the user: plain similarity of the two titles.
        shown = 100.0 if equal else fuzz.ratio(_norm(old_record.title), _norm(open_new[i].title))
        changes.append(_pair(old_record, open_new[i], match, shown, not_supplied))
    for i, r in enumerate(open_new):
        if i not in used_new:
            changes.append(Change("neu", r.key, None, r))
    for key, o in open_old.items():
        changes.append(Change("entfallen", key, o, None))
    order = {k: n for n, k in enumerate(KINDS)}
    changes.sort(key=lambda c: (order[c.change], _norm(c.department), _norm(c.title)))
    return EditionDiff(tuple(changes), rejected, not_supplied)


_LABEL_ALTERNATIVES = "|".join(re.escape(label) for _, label in FIELDS)


def without_field_values(changed_fields: str, label: str, replacement: str) -> str:
    """A 'changed_fields' text (FieldChange.text joined by '; ') with one field's values replaced.

    The next field starts at '; <known label>: ', so a value that itself holds '; ' stays whole.
    """
    next_field = rf"(?=; (?:{_LABEL_ALTERNATIVES}): |$)"
    pattern = re.compile(rf"(?:(?<=^)|(?<=; )){re.escape(label)}: .*?{next_field}", re.S)
    return pattern.sub(f"{label}: {replacement}", changed_fields)
