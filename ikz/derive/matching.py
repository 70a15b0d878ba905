"""Record-level matching of Erfurt and Magdeburg: for every record its closest counterparts in the
other city, with a score and the reason, and the records without a close counterpart (the ideas).

Pure: records in, matches and suggestions out; no database, no files. Method, meant to be explained
to a reader (docs/matching.md):

* Texts are folded (lower case, ä → ae), split into words, generic words dropped (stop words:
  „Erfahrungsaustausch“, „Kommunen“, „regelmäßig“ …) and stemmed with the Snowball German stemmer.
* Five signals per pair of records from different cities, each in 0…1:
  - words: shared word stems, weighted by how rare they are (IDF) and by field (a title counts
    more than a status text), as a share of the smaller record's weight. A stem also counts as the
    head of the other record's compound („winterdienst“ in „Fahrbahnwinterdienst“), which German
    needs, or as a near-equal long word (rapidfuzz); a short modifier does not („digital“);
  - letters: cosine of scikit-learn TF-IDF vectors of character 3–5-grams within words (char_wb),
    of the same texts without stop words — catches word forms the stemmer leaves apart;
  - title: rapidfuzz token-set ratio of the two titles (the name of a body or project);
  - topic: a topic of data/topics.toml both records name — full through the same vocabulary stem,
    BROAD_TOPIC through different stems of the same topic;
  - partner: a partner both name — full for an association or federal body, PLACE_PARTNER for a
    place, whose name then is no shared word.
* The score is a weighted sum (SIGNAL_WEIGHTS); a shared broad topic or a partner alone stays
  below the threshold: a broad topic both cities name must not hide a concrete idea of one of them
  (the weakness of the topic view).
* A record whose best counterpart scores below the threshold is a suggestion for the other city.

Deterministic: no randomness; ties break by cooperation id.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import snowballstemmer
from rapidfuzz import fuzz

from ikz.core.table_schema import TABLES
from ikz.derive.normalise import Tables
from ikz.derive.topics import TOPIC_FIELDS, fold
from ikz.rules.cities import load_cities

# Which texts are compared, with their German label (shown in the reason) and weight: the name of
# a body or project says most about what it does; effects, status and outlook less and more noisily.
FIELD_WEIGHTS: Mapping[str, float] = {
    "Bezeichnung/Thema": 1.0,
    "Gremium": 0.8,
    "Teilbereich": 0.5,
    "Partner": 0.5,
    "Effekte": 0.6,
    "Arbeitsstand": 0.4,
    "Perspektive": 0.4,
}

# Words that say how cities work together, not on what: sharing them is no evidence of the same
# task (German function words are in _FUNCTION_WORDS below).
_GENERIC_TEXT = """
    austausch austausche erfahrungsaustausch erfahrungsaustausche informationsaustausch wissensaustausch
    erfahrung erfahrungen information informationen wissen wissenstransfer fachlich fachlicher fachliche
    fachlichen fachthemen themen thema aktuell aktuellen aktuelle fragen zusammenarbeit kooperation
    kooperationen interkommunal interkommunale interkommunaler interkommunalen arbeitskreis arbeitskreise
    arbeitskreisen arbeitsgruppe arbeitsgruppen arbeitsgemeinschaft netzwerk netzwerke netzwerken
    gremium gremien gemeinsam gemeinsame gemeinsamen gemeinsamer gemeinsames kommune kommunen kommunal
    kommunale kommunaler kommunalen stadt städte städten staedte landkreis landkreise landkreisen
    kreisfreie kreisfreien gemeinde gemeinden land länder ländern landes bund bundes bundesebene
    landesebene deutscher deutschen deutsche deutschland thüringen thüringer thueringen sachsen anhalt
    lsa landeshauptstadt lh md regelmäßig regelmäßige regelmäßiger
    regelmäßigen laufend laufende ständig jährlich jährliche jährlichen treffen sitzung sitzungen
    verband verbandes verbände verein vereine ev e v mitglied mitgliedschaft mitarbeit beteiligung
    beteiligt zwischen sowie bzw ggf etc z b u a weitere weiteren neue neuer neuen bereich bereichen
    entwicklung aufgaben aufgabe umsetzung umgesetzt erfolgt erfolgte fortführung weiterführung
    optimierung prozessoptimierung personalentlastung entlastung kosteneinsparung kosteneinsparungen
    effizienz standardisierung verbesserung fortbildung ausbildung weiterbildung schulung schulungen
    abstimmung abstimmungen vereinbarung vereinbarungen vertrag verträge zweckvereinbarung
    zweckvereinbarungen beratung beratungen veranstaltungen projekt projekte projekten möglichkeit
    prüfung geplant ziel nutzung anderen andere anderer großstädte großen große städtetag
    dienst dienste gegenseitig gegenseitige gegenseitigen unterstützung förderung absprache absprachen
    sicherstellung erstellung leistung leistungen möglich möglichkeiten abschluss entsprechend
    entsprechende entsprechenden sinne verfahren strategie vorteil fachbereich einrichtung betrieb
    bereitstellung durchführung maßnahmen maßnahme qualität wirtschaftlich wirtschaftlichkeit
    technisch technische technischen ausstattung nord ost süd west gründung erarbeitung konzept
    konzepte konzeptes aufstellung aktualisierung vernetzung aufbau
"""
# The cities' own names say nothing about what a record does (data/cities.toml: name and adjective).
_CITY_WORDS = [w for c in load_cities().cities for w in (c.name.casefold(), c.adjective.casefold())]
GENERIC_WORDS = frozenset(fold(w) for w in [*_GENERIC_TEXT.split(), *_CITY_WORDS])
MIN_WORD = 4  # shorter words are abbreviations or noise, except known ones kept by KEEP_SHORT
KEEP_SHORT = frozenset({"vhs", "asd", "dwa"})
MIN_COMPOUND_PART = 7  # a stem this long also counts as the head (end) of the other record's compound
MIN_PREFIX_PART = 11  # … and this long as the start of one („personalamtsleiter…“)
MIN_NEAR_WORD = 9  # … and a stem this long matches a nearly equal part of a longer one („psychiatr…“)
NEAR_WORD_SCORE = 90  # rapidfuzz partial_ratio for that
CORE = 7
PART_FACTOR = 0.7  # such a partial agreement counts less than an equal stem

# Weight of each signal in the score (they sum to 1). Chosen by measurement against the hand-read
# list data/evaluation/anregungen.toml (docs/matching.md); a topic or partner alone stays below
# the threshold.
SIGNAL_WEIGHTS: Mapping[str, float] = {
    "words": 0.35,
    "letters": 0.15,
    "title": 0.1,
    "topic": 0.25,
    "partner": 0.15,
}
BROAD_TOPIC = 0.4  # topic signal for a shared topic named through different stems
PLACE_PARTNER = 0.3  # partner signal for a shared place (not an association) both name
BODY_KINDS = frozenset({"Verband/Verein", "Bund/Bundesbehörde"})
THRESHOLD = 0.13  # below this, no close counterpart: a suggestion (measured, docs/matching.md)
TOP_MATCHES = 3  # counterparts kept per record
CHAR_NGRAMS = (3, 5)

_WORD_RE = re.compile(r"\w+")
# A hyphen at a line end inside a word („Adoptionsvermitt- lungsstelle“), not the German
# hyphen of a shared word part („Psychiatrie- und Suchtkoordination“).
_BROKEN_WORD = re.compile(r"(?<=[a-zäöüß])- (?!(?:und|oder|bzw|sowie)\b)(?=[a-zäöüß])")
# Codes whose parts mean something only together: „SGB VIII“ is not „SGB IX“, „D 115“ one number.
_CODES = re.compile(r"\b(SGB|D)\s+([IVX]+|\d+)\b")
_STEMMER = snowballstemmer.stemmer("german")


# snowballstemmer ships no stop-word list; these are the German function words the texts use.
_FUNCTION_WORDS = """
    aber alle allem allen aller alles als also am an ander auch auf aus bei beim bis da damit dann
    das dass dem den denen der deren des dessen die dies diese diesem diesen dieser dieses doch dort
    durch ein eine einem einen einer eines er es für gegen hat hier ihr ihre ihrem ihren ihrer im in
    ins ist kann kein keine können mit nach nicht noch nur ob oder ohne seine seiner sich sie sind so
    soll sollen über um und uns unter vom von vor war wird werden wie wieder wir zu zum zur zwei
"""
_STOP = frozenset(fold(w) for w in _FUNCTION_WORDS.split()) | GENERIC_WORDS


@dataclass(frozen=True)
class MatchRecord:
    """One record as the matcher sees it: its city, labelled texts, topics and partners."""

    cooperation_id: int
    city: str
    texts: tuple[tuple[str, str], ...]  # (German field label from FIELD_WEIGHTS, text), non-empty texts
    topics: frozenset[str] = frozenset()  # topics of data/topics.toml its texts name
    topic_stems: frozenset[tuple[str, str]] = frozenset()  # (topic, vocabulary stem) that carried them
    partners: frozenset[str] = frozenset()  # named partners (data/partners.toml)
    bodies: frozenset[str] = frozenset()  # those of them that are associations or federal bodies


@dataclass(frozen=True)
class Match:
    """A counterpart of a record in the other city: score 0…1, rank 1 = closest, and why."""

    cooperation_id: int
    other_cooperation_id: int
    score: float
    rank: int
    reason: str


@dataclass(frozen=True)
class Suggestion:
    """A record without a close counterpart: an idea for for_city, with the nearest record there."""

    cooperation_id: int
    for_city: str
    nearest_cooperation_id: int | None
    nearest_score: float


@dataclass(frozen=True)
class _Prepared:
    record: MatchRecord
    stems: dict[str, tuple[float, str, str]]  # stem → (field weight, field label, word as printed)
    clean_text: str  # folded words without stop words, for the letter n-grams
    title: str


@dataclass
class _PairSignals:
    words: float = 0.0
    letters: float = 0.0
    title: float = 0.0
    topic: float = 0.0
    partner: float = 0.0
    shared: list[tuple[str, str, str, str]] = field(default_factory=list)  # word a, word b, fields
    topics: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)


def words_of(text: str) -> list[str]:
    """The words of a text as printed, line-end hyphenation joined."""
    return _WORD_RE.findall(_CODES.sub(r"\1\2", _BROKEN_WORD.sub("", text)))


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str | None:
    """The comparable stem of one word, or None for stop words, generic words and noise."""
    folded = fold(word)
    if folded in _STOP or folded.isdigit():
        return None
    if len(folded) < MIN_WORD and folded not in KEEP_SHORT:
        return None
    stemmed = _STEMMER.stemWord(folded)
    return stemmed if stemmed not in _STOP else None


def _prepare(record: MatchRecord) -> _Prepared:
    # A named place („Jena“, „Landkreis Börde“) is the partner signal's business: as a word it
    # would make two unrelated records with the same neighbour look alike.
    places = {stem(w) for name in record.partners - record.bodies for w in words_of(name)}
    stems: dict[str, tuple[float, str, str]] = {}
    clean: list[str] = []
    for label, text in record.texts:
        weight = FIELD_WEIGHTS.get(label, 0.4)
        for word in words_of(text):
            s = stem(word)
            if s is None or s in places:
                continue
            clean.append(fold(word))
            if s not in stems or stems[s][0] < weight:
                stems[s] = (weight, label, word)
    title = next((t for label, t in record.texts if label == "Bezeichnung/Thema"), "")
    return _Prepared(record, stems, " ".join(clean), title)


def _idf(prepared: Sequence[_Prepared]) -> dict[str, float]:
    df = Counter(s for p in prepared for s in p.stems)
    n = len(prepared)
    return {s: math.log((n + 1) / (c + 1)) + 1.0 for s, c in df.items()}


def _agree(x: str, y: str) -> bool:
    """True when two different stems name the same thing: one is the head of the other's compound
    („winterdienst“ ends „fahrbahnwinterdienst“), a long start of it („personalamtsleiter…“), or
    nearly the same long word („psychiatri“, „sozialpsychiatr“). A short start is a modifier, not
    the same thing: „digital“ in „digitalfunk“, „personal“ in „personalkosten“."""
    short, long = sorted((x, y), key=len)
    if short in long:
        return (len(short) >= MIN_COMPOUND_PART and long.endswith(short)) or len(short) >= MIN_PREFIX_PART
    if len(short) < MIN_NEAR_WORD or _cores(x).isdisjoint(_cores(y)):
        return False
    return fuzz.partial_ratio(short, long) >= NEAR_WORD_SCORE


@functools.lru_cache(maxsize=65536)
def _cores(stem: str) -> frozenset[str]:
    """Every run of CORE letters in a stem: a cheap test before comparing two stems closely."""
    return frozenset(stem[i : i + CORE] for i in range(len(stem) - CORE + 1))


def _agreements(stems: Iterable[str]) -> dict[str, frozenset[str]]:
    """For each long stem, the other stems it agrees with (_agree): found through shared letter runs,
    so only candidates are compared closely (all pairs would be millions of comparisons)."""
    long_stems = sorted({s for s in stems if len(s) >= MIN_COMPOUND_PART})
    index: dict[str, set[str]] = {}
    for s in long_stems:
        for core in _cores(s):
            index.setdefault(core, set()).add(s)
    out = {}
    for x in long_stems:
        candidates = set().union(*(index[c] for c in _cores(x))) - {x}
        out[x] = frozenset(y for y in candidates if _agree(x, y))
    return out


def _shared_stems(
    a: _Prepared, b: _Prepared, agreements: Mapping[str, frozenset[str]]
) -> list[tuple[str, str, float]]:
    """Stems of a and b that agree, with a factor: 1 when equal, PART_FACTOR when one is part of the other."""
    shared = [(s, s, 1.0) for s in sorted(a.stems.keys() & b.stems.keys())]
    seen_a = {s for s, _, _ in shared}
    seen_b = set(seen_a)
    for x in sorted(a.stems):
        if x in seen_a:
            continue
        for y in sorted(agreements.get(x, frozenset()) & b.stems.keys() - seen_b):
            shared.append((x, y, PART_FACTOR))
            seen_a.add(x)
            seen_b.add(y)
            break
    return shared


def _mass(p: _Prepared, idf: Mapping[str, float]) -> float:
    return sum(w * idf[s] for s, (w, _, _) in p.stems.items())


def _word_signal(
    a: _Prepared, b: _Prepared, idf: Mapping[str, float], agreements: Mapping[str, frozenset[str]]
) -> tuple[float, list[tuple[str, str, str, str]]]:
    shared = _shared_stems(a, b, agreements)
    if not shared:
        return 0.0, []

    common = 0.0
    shown: list[tuple[float, str]] = []
    for sa, sb, factor in shared:
        wa, la, word_a = a.stems[sa]
        wb, lb, word_b = b.stems[sb]
        gain = factor * min(wa, wb) * min(idf[sa], idf[sb])
        common += gain
        shown.append((gain, (word_a, word_b, la, lb)))
    # Share of the smaller record's weight: a short title found whole in a long text is a match,
    # one incidental word among many is not.
    smaller = min(_mass(a, idf), _mass(b, idf))
    score = min(1.0, common / smaller) if smaller else 0.0
    shown.sort(key=lambda g: (-g[0], g[1]))
    return score, [s for _, s in shown[:4]]


def match_records(
    records: Sequence[MatchRecord],
    *,
    weights: Mapping[str, float] = SIGNAL_WEIGHTS,
    top: int = TOP_MATCHES,
) -> list[Match]:
    """For every record and every other city, its `top` closest records there, best first (rank per
    other city); every kept pair in both directions."""
    prepared = [_prepare(r) for r in sorted(records, key=lambda r: r.cooperation_id)]
    if len(prepared) < 2:
        return []
    idf = _idf(prepared)
    cosine = _letter_similarity([p.clean_text for p in prepared])
    agreements = _agreements(s for p in prepared for s in p.stems)
    # Each pair of records from different cities is scored once, from the side of the smaller id,
    # and serves both directions: the score is the same whichever record one starts from. A record's
    # candidates are ranked per other city: with three cities, each pair of them is compared alike.
    cities = sorted({p.record.city for p in prepared})
    scored: dict[tuple[int, str], list[tuple[float, int, str]]] = {
        (p.record.cooperation_id, city): [] for p in prepared for city in cities if city != p.record.city
    }
    for i, a in enumerate(prepared):
        for j in range(i + 1, len(prepared)):
            b = prepared[j]
            if a.record.city == b.record.city:
                continue
            sig = _signals(a, b, idf, float(cosine[i, j]), agreements)
            score = round(sum(weights[k] * getattr(sig, k) for k in weights), 4)
            scored[(a.record.cooperation_id, b.record.city)].append(
                (score, b.record.cooperation_id, _reason(sig))
            )
            scored[(b.record.cooperation_id, a.record.city)].append(
                (score, a.record.cooperation_id, _reason(sig, flip=True))
            )
    for candidates in scored.values():
        candidates.sort(key=lambda t: (-t[0], t[1]))
    # A pair is kept when it is among the `top` of either record, and then from both sides (with
    # each side's own rank): what Erfurt's record matches, Magdeburg's record shows too.
    kept = {
        frozenset((cooperation_id, other))
        for (cooperation_id, _), candidates in scored.items()
        for _, other, _ in candidates[:top]
    }
    matches: list[Match] = []
    for (cooperation_id, _), candidates in scored.items():
        for rank, (score, other, reason) in enumerate(candidates, start=1):
            if frozenset((cooperation_id, other)) in kept:
                matches.append(Match(cooperation_id, other, score, rank, reason))
    return matches


def _letter_similarity(texts: Sequence[str]) -> np.ndarray:
    """Cosine of TF-IDF character n-gram vectors (char_wb) of every pair of texts; 0 for an empty text."""
    # Imported here: scikit-learn takes 1.6 s to import, and only a build needs it (not the app).
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        vectors = TfidfVectorizer(
            analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True
        ).fit_transform(texts)
    except ValueError:  # no text has a single n-gram: nothing is similar
        return np.zeros((len(texts), len(texts)))
    return (vectors @ vectors.T).toarray()


def _signals(
    a: _Prepared,
    b: _Prepared,
    idf: Mapping[str, float],
    letters: float,
    agreements: Mapping[str, frozenset[str]],
) -> _PairSignals:
    sig = _PairSignals()
    sig.words, sig.shared = _word_signal(a, b, idf, agreements)
    sig.letters = float(np.clip(letters, 0.0, 1.0))
    if a.title and b.title:
        # Unrelated titles still reach a ratio of 30–45: only the part above 50 says anything.
        ratio = fuzz.token_set_ratio(fold(a.title), fold(b.title)) / 100.0
        sig.title = max(0.0, (ratio - 0.5) / 0.5)
        # token_set_ratio is 100 whenever one title's words are all in the other: only trust it with
        # a real word in common, else two short generic titles look identical.
        if not sig.shared:
            sig.title = min(sig.title, 0.3)
    # A topic both name through the same vocabulary stem („winterdienst“ on both sides) is strong
    # evidence; the same broad topic through different stems („meldeportal“, „meldeamt“) is weak.
    same_stem = sorted(a.record.topic_stems & b.record.topic_stems)
    sig.topics = sorted(a.record.topics & b.record.topics)
    if same_stem:
        sig.topic = 1.0
        sig.topics = [f"{t} (beide: {s})" for t, s in same_stem]
    elif sig.topics:
        sig.topic = BROAD_TOPIC
    # Working in the same association (Deutscher Städtetag, AGBF) is what two cities can share; a
    # neighbour both name (Halle, Jena) says little about the task.
    sig.partners = sorted(a.record.partners & b.record.partners)
    if a.record.bodies & b.record.bodies:
        sig.partner = 1.0
    elif sig.partners:
        sig.partner = PLACE_PARTNER
    return sig


def _reason(sig: _PairSignals, *, flip: bool = False) -> str:
    """Why two records match, in German, told from the first record's side (flip: the second's)."""
    parts = []
    if sig.shared:
        shown = []
        for word_a, word_b, label_a, label_b in sig.shared:
            if flip:
                word_a, word_b, label_a, label_b = word_b, word_a, label_b, label_a
            words = f"„{word_a}“" if fold(word_a) == fold(word_b) else f"„{word_a}“ ↔ „{word_b}“"
            fields = label_a if label_a == label_b else f"{label_a} ↔ {label_b}"
            shown.append(f"{words} ({fields})")
        parts.append("gemeinsame Wörter: " + "; ".join(shown))
    if sig.topics:
        parts.append("gemeinsames Thema: " + ", ".join(sig.topics))
    if sig.partners:
        parts.append("gemeinsamer Partner: " + ", ".join(sig.partners))
    if not parts:
        parts.append("nur ähnliche Buchstabenfolgen (" + f"{sig.letters:.0%}".replace(".", ",") + ")")
    return " · ".join(parts)


def suggestions(
    records: Iterable[MatchRecord], matches: Iterable[Match], *, threshold: float = THRESHOLD
) -> list[Suggestion]:
    """One suggestion per record and other city where the record's closest counterpart in that city
    scores below threshold: an idea for that city. A record of a city compared with nobody gets none.
    """
    records = list(records)
    cities = sorted({r.city for r in records})
    city_of = {r.cooperation_id: r.city for r in records}
    best: dict[tuple[int, str], Match] = {}
    for m in matches:
        if m.rank == 1:
            best[(m.cooperation_id, city_of[m.other_cooperation_id])] = m
    out = []
    for r in sorted(records, key=lambda r: r.cooperation_id):
        for other in cities:
            if other == r.city:
                continue
            nearest = best.get((r.cooperation_id, other))
            score = nearest.score if nearest else 0.0
            if score < threshold:
                out.append(
                    Suggestion(
                        r.cooperation_id, other, nearest.other_cooperation_id if nearest else None, score
                    )
                )
    return out


# --- from and to the build's tables --------------------------------------------------------------

# The cooperation columns compared, with the label the reason shows: the fields topics are found in.
TEXT_COLUMNS = TOPIC_FIELDS
MATCH_TABLES = ("cooperation_match", "suggestion")  # written by the build after the normalised tables
MATCH_SCHEMA: dict[str, pl.DataType] = TABLES["cooperation_match"]  # declared in schema.sql
SUGGESTION_SCHEMA: dict[str, pl.DataType] = TABLES["suggestion"]


def records_from_frames(
    cooperation: pl.DataFrame,
    city: pl.DataFrame,
    cooperation_partner: pl.DataFrame,
    partner: pl.DataFrame,
    cooperation_topic: pl.DataFrame | None,
) -> list[MatchRecord]:
    """MatchRecords of the build's frames: texts of each record, its topics and named partners.

    The topics are the build's own facts (cooperation_topic), not matched a second time: the
    suggestions then rest on exactly the topics every page shows.
    """
    city_names = dict(zip(city["city_id"].to_list(), city["name"].to_list(), strict=True))
    partner_names = dict(zip(partner["partner_id"].to_list(), partner["name"].to_list(), strict=True))
    bodies = set(partner.filter(pl.col("kind").is_in(list(BODY_KINDS)))["name"].to_list())
    partners: dict[int, set[str]] = {}
    for cid, pid in cooperation_partner.select("cooperation_id", "partner_id").iter_rows():
        partners.setdefault(cid, set()).add(partner_names[pid])
    topic_stems: dict[int, set[tuple[str, str]]] = {}
    topics: dict[int, set[str]] = {}
    if cooperation_topic is not None:
        for cid, topic, stems in cooperation_topic.select("cooperation_id", "topic", "stems").iter_rows():
            topics.setdefault(cid, set()).add(topic)
            topic_stems.setdefault(cid, set()).update((topic, s) for s in stems.split("; ") if s)
    out = []
    for row in cooperation.iter_rows(named=True):
        texts = tuple((label, row[col]) for col, label in TEXT_COLUMNS if row[col])
        cid = row["cooperation_id"]
        out.append(
            MatchRecord(
                cooperation_id=row["cooperation_id"],
                city=city_names[row["city_id"]],
                texts=texts,
                topics=frozenset(topics.get(cid, ())),
                topic_stems=frozenset(topic_stems.get(cid, ())),
                partners=frozenset(partners.get(row["cooperation_id"], ())),
                bodies=frozenset(partners.get(row["cooperation_id"], set()) & bodies),
            )
        )
    return out


@functools.lru_cache(maxsize=4)
def _matches_of(records: tuple[MatchRecord, ...]) -> tuple[Match, ...]:
    # Most builds match the records of the build before (a checked value, a rebuild after a
    # restart, the test suite's many builds of data/raw): scoring every pair is 1.7 s of a 5 s
    # build, so the last inputs are kept. Records and matches are frozen, so nothing is shared
    # that could change.
    return tuple(match_records(records))


def match_frames(records: Sequence[MatchRecord]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The cooperation_match and suggestion tables of these records, as frames in schema order."""
    matches = list(_matches_of(tuple(records)))
    ideas = suggestions(records, matches)
    match_frame = pl.DataFrame(
        [(m.cooperation_id, m.other_cooperation_id, m.score, m.rank, m.reason) for m in matches],
        schema=MATCH_SCHEMA,
        orient="row",
    )
    suggestion_frame = pl.DataFrame(
        [(s.cooperation_id, s.for_city, s.nearest_cooperation_id, s.nearest_score) for s in ideas],
        schema=SUGGESTION_SCHEMA,
        orient="row",
    )
    return match_frame, suggestion_frame


def with_matches(tables: Tables) -> Tables:
    """The tables plus cooperation_match and suggestion, matched on the built topics and partners."""
    records = records_from_frames(
        tables["cooperation"],
        tables["city"],
        tables["cooperation_partner"],
        tables["partner"],
        tables.frames.get("cooperation_topic"),
    )
    match_frame, suggestion_frame = match_frames(records)
    return Tables({**tables.frames, "cooperation_match": match_frame, "suggestion": suggestion_frame})
