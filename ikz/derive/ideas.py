"""How good an „Anregung“ is to act on: title rules, a score from the record's features, its context.

Pure: text and plain values in, values out. ikz.read.suggestions applies these to the suggestion list; the
rules are written from the shape of a title (its first word, a verb, a single capitalised token),
never from a list of known titles, so a new edition is judged the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ikz.rules.files import shipped_words

# What a title is, as the list shows it.
CLEAR, FRAGMENT, ACRONYM, DESCRIPTION = "klar", "Satzteil", "Abkürzung", "Beschreibung"

# A name does not start with a preposition or a conjunction; a title that does is the rest of a
# sentence the document's table cell began („In der Form einer Newsgroup …“, „Der FD 23.2
# berichtet …“).
ARTICLES = frozenset(
    ["der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines"]
)
LEAD_WORDS = frozenset(
    [
        "an",
        "am",
        "auf",
        "aus",
        "bei",
        "beim",
        "durch",
        "für",
        "gegen",
        "im",
        "in",
        "mit",
        "nach",
        "neben",
        "ohne",
        "über",
        "um",
        "unter",
        "von",
        "vom",
        "vor",
        "zu",
        "zum",
        "zur",
        "zwischen",
        "und",
        "oder",
        "sowie",
        "sondern",
        "als",
        "wie",
        "wenn",
        "da",
        "weil",
        "dass",
        "ob",
    ]
)
# A finite auxiliary or modal verb, or a personal pronoun, makes a sentence rather than a name
# („… besuchen Sie im Theater …“, „… kann der Bürger …“).
SENTENCE_WORDS = frozenset(
    [
        "ist",
        "sind",
        "war",
        "waren",
        "wird",
        "werden",
        "wurde",
        "wurden",
        "kann",
        "können",
        "konnte",
        "soll",
        "sollen",
        "sollte",
        "muss",
        "müssen",
        "hat",
        "haben",
        "hatte",
        "gibt",
        "gab",
        "sie",
        "wir",
        "ich",
        "er",
        "es",
        "man",
    ]
)
# An adjective in a form that needs an article before it, heading a singular noun: the title was cut
# out of a longer phrase („[zur] Interkommunalen Medienlogistik“, „[der] Deutschen Vereinigung …“).
INFLECTED_ADJECTIVE = re.compile(r"(?:alen|ischen|schen|lichen|igen|ellen|iven|baren)$")
WORD = re.compile(r"[\wÄÖÜäöüß][\w\-.’'/ÄÖÜäöüß]*")
QUOTES = "„“”\"'‚‘’«»()[] "
# A name may carry its article („Die Impulsregion e. V.“); a title that starts with one and runs
# longer than this many words is a sentence („Der FD 23.2 berichtet halbjährlich über …“).
ARTICLE_NAME_WORDS = 8
# Longer than this many words, a title is a description rather than a name.
DESCRIPTION_WORDS = 25
# The first words of the status text that the context shows.
STATUS_WORDS = 12

# Kooperationsform (data/taxonomy.toml) as concreteness: an agreement or association of public law
# binds; a project or a joint body produces something; an association or membership is standing
# exchange; a working group, network or exchange is general talk.
# The groups are the taxonomy's [ideas] section.
_WORDS = shipped_words()
AGREEMENT_FORMS = _WORDS.idea_forms_of("agreement")
COMMITTED_BINDINGS = frozenset(_WORDS.committed_bindings)
PROJECT_FORMS = _WORDS.idea_forms_of("project")
STANDING_FORMS = _WORDS.idea_forms_of("standing")
# The effect categories every exchange body has: named alone they say little about an effect.
GENERIC_EFFECTS = frozenset(_WORDS.generic_effects)
NO_INFO = _WORDS.no_info

# Weights of the four features; they add up to 1, so the score is 0–1.
WEIGHTS = {"concrete": 0.40, "effects_status": 0.25, "partner": 0.15, "title": 0.20}


def words(title: str) -> list[str]:
    """The words of a title, without quotes and brackets around them."""
    return [w.strip(".,;:") for w in WORD.findall(title) if w.strip(".,;:")]


def is_bare_acronym(title: str) -> bool:
    """True for a title that is one abbreviation and nothing else („KITU“, „LEMADRE“, „D115“)."""
    token = title.strip(QUOTES + ".,;:")
    if not token or " " in token or len(token) > 12:
        return False
    letters = [c for c in token if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    # Mostly capitals, and two of them or one with digits: an abbreviation („D115“); „Meldeportal“ or
    # „Digitalfunk“ are words, „A“ is too short to say.
    has_digit = any(c.isdigit() for c in token)
    return len(token) >= 2 and upper >= 0.6 * len(letters) and (upper >= 2 or (upper == 1 and has_digit))


def is_fragment(title: str) -> bool:
    """True for a title that is part of a sentence, or a sentence, rather than a name.

    Four rules: it starts with a preposition or conjunction; it starts with an article and runs
    longer than ARTICLE_NAME_WORDS words; it holds a finite auxiliary or modal verb or a personal
    pronoun; or it starts with an adjective in a form that needs an article („Interkommunalen
    Medienlogistik“).
    """
    found = words(title)
    if not found:
        return False
    first = found[0]
    if first.casefold() in LEAD_WORDS:
        return True
    if first.casefold() in ARTICLES and len(found) > ARTICLE_NAME_WORDS:
        return True
    if any(w.casefold() in SENTENCE_WORDS for w in found[1:]):
        return True
    if len(found) >= 2 and INFLECTED_ADJECTIVE.search(first.casefold()):
        noun = found[1]
        # A noun ending in -n is mostly a plural, which the bare adjective may head in a name: only a
        # singular head marks the cut.
        return noun[:1].isupper() and not noun.casefold().endswith("n")
    return False


def title_kind(title: str) -> str:
    """CLEAR, FRAGMENT, ACRONYM or DESCRIPTION (a name longer than DESCRIPTION_WORDS words)."""
    if is_bare_acronym(title):
        return ACRONYM
    if is_fragment(title):
        return FRAGMENT
    if len(words(title)) > DESCRIPTION_WORDS:
        return DESCRIPTION
    return CLEAR


@dataclass(frozen=True)
class IdeaFeatures:
    """What the score reads from one record."""

    title: str
    record_kind: str  # Projekt, Gremium (Magdeburg) or Kooperation (Erfurt)
    form: str
    binding: str
    status: str | None  # harmonised Arbeitsstand; None where the document reports none
    effects: tuple[str, ...]  # effect categories (NO_INFO when none)
    partners: int  # named partners (places, authorities, associations)


def concreteness(f: IdeaFeatures) -> float:
    """1 for a binding agreement, 0.75 for a project, 0.5 for another item a document lists as a
    project, 0.25 for a standing association or membership, 0 for a general exchange body."""
    if f.form in AGREEMENT_FORMS or f.binding in COMMITTED_BINDINGS:
        return 1.0
    if f.form in PROJECT_FORMS:
        return 0.75
    if f.record_kind == "Projekt":
        return 0.5
    if f.form in STANDING_FORMS:
        return 0.25
    return 0.0


def effects_and_status(f: IdeaFeatures) -> float:
    """Half for a named Arbeitsstand, half for a named effect (a quarter for the generic exchange)."""
    status = 0.5 if f.status and f.status != NO_INFO else 0.0
    named = {e for e in f.effects if e and e != NO_INFO}
    effects = 0.5 if named - GENERIC_EFFECTS else 0.25 if named else 0.0
    return status + effects


def title_clarity(kind: str) -> float:
    """1 for a clear name, 0.5 for a long description, 0 for a fragment or a bare abbreviation."""
    return {CLEAR: 1.0, DESCRIPTION: 0.5}.get(kind, 0.0)


def idea_score(f: IdeaFeatures) -> float:
    """How good an idea is to act on, 0–1: concrete, with effects or a status, a partner, a clear title."""
    parts = {
        "concrete": concreteness(f),
        "effects_status": effects_and_status(f),
        "partner": 1.0 if f.partners > 0 else 0.0,
        "title": title_clarity(title_kind(f.title)),
    }
    return round(sum(WEIGHTS[k] * v for k, v in parts.items()), 4)


def idea_reasons(f: IdeaFeatures) -> str:
    """Why an idea ranks where it does, in German („Vereinbarung · Arbeitsstand · Partner genannt“)."""
    c = concreteness(f)
    reasons = [
        {
            1.0: "verbindliche Vereinbarung",
            0.75: "Projekt",
            0.5: "Projekt",
            0.25: "Verband/Mitgliedschaft",
        }.get(c, "allgemeiner Austausch")
    ]
    if f.status and f.status != NO_INFO:
        reasons.append(f"Arbeitsstand: {f.status}")
    named = [e for e in f.effects if e and e != NO_INFO]
    if named:
        reasons.append("Effekte: " + ", ".join(named))
    if f.partners:
        reasons.append("Partner genannt")
    kind = title_kind(f.title)
    if kind != CLEAR:
        reasons.append(f"Titel: {kind}")
    return " · ".join(reasons)


def own_task_area(department_area: str, title_areas: Sequence[str], order: Sequence[str]) -> str:
    """The Aufgabenbereich an idea is listed under: its department's, unless the title names topics
    (data/topics.toml) of other areas only; then the area most of them belong to (ties: KGSt order).

    A department can hold a topic of another area (Magdeburg's FB 02 proposes a theatre tour; Erfurt's
    Beteiligungsmanagement holds the water Zweckverband): the title says what the idea is about.
    """
    areas = [a for a in title_areas if a]
    if not areas or department_area in areas:
        return department_area
    counts = Counter(areas)
    rank = {a: i for i, a in enumerate(order)}
    return min(counts, key=lambda a: (-counts[a], rank.get(a, len(rank)), a))


def first_words(text: str | None, n: int = STATUS_WORDS) -> str:
    """The first n words of text, with „…“ when there were more."""
    found = (text or "").split()
    return " ".join(found[:n]) + (" …" if len(found) > n else "")


def idea_context(
    *,
    kind: str,
    body: str | None,
    list_heading: str | None,
    children: Sequence[str] = (),
    status_text: str | None = None,
) -> str:
    """What a reader needs besides the title, in German: the body it stands under, the list heading,
    the projects listed under it; for a fragment or an abbreviation also the first words of the status."""
    parts = []
    if body:
        parts.append(f"unter „{body}“")
    if list_heading:
        parts.append(f"Liste „{list_heading}“")
    if children:
        parts.append("darunter: " + "; ".join(children))
    if kind in (FRAGMENT, ACRONYM) and status_text:
        parts.append(f"Arbeitsstand: {first_words(status_text)}")
    return " · ".join(parts)
