"""How sure the derived values are: origin shares per city and field, and accuracy against the
evaluation file data/evaluation/evaluation.toml, which was written by reading the documents."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ikz.core import paths
from ikz.rules.cities import load_cities
from ikz.rules.files import shipped_words

EVALUATION_PATH = paths.DATA_DIR / "evaluation" / "evaluation.toml"
CITIES = load_cities().names
ALL_CITIES = "beide"
FIELDS = ("form", "binding", "effects", "status")
FIELD_LABELS = {
    "form": "Kooperationsform",
    "binding": "Verbindlichkeit",
    "effects": "Effektkategorien",
    "status": "Status",
}
# The mart columns that carry each field's value, origin and confidence.
VALUE_COLUMNS = {"form": "form", "binding": "binding", "effects": "effect_names", "status": "status"}
SOURCE_COLUMNS = {
    "form": ("type_source", "type_confidence"),
    "binding": ("binding_source", "binding_confidence"),
    "effects": ("effects_source", "effects_confidence"),
    "status": ("status_source", "status_confidence"),
}
# The origins of a value (data/taxonomy.toml [origins]), a derived one split by its confidence.
_WORDS = shipped_words().origins
ORIGINS = (
    _WORDS.document.name,
    f"{_WORDS.derived.name} sicher",
    f"{_WORDS.derived.name} unsicher",
    _WORDS.checked.name,
)


class EvaluationError(ValueError):
    """The evaluation file is malformed or names a record the data does not hold (German message)."""


@dataclass(frozen=True)
class Expected:
    """One record of the evaluation file: how a careful reader classifies it."""

    city: str
    line: int
    title: str  # the start of the record's title
    values: Mapping[str, Any]  # field → expected value (a tuple of names for effects)
    note: str | None = None


@dataclass(frozen=True)
class Disagreement:
    """One evaluated value where the derived value differs from the reader's."""

    city: str
    line: int
    title: str
    field: str
    expected: str
    derived: str
    origin: str


@dataclass(frozen=True)
class Score:
    """Accuracy of one field in one city (micro-F1 for effects)."""

    city: str
    field: str
    evaluated: int  # records with an expected value
    value: float  # share of agreeing values; micro-F1 for effects


@dataclass(frozen=True)
class QualityReport:
    """Origin shares and accuracy, ready to print."""

    shares: pl.DataFrame  # city, field, records, and one count column per ORIGINS entry
    scores: list[Score]
    disagreements: list[Disagreement] = field(default_factory=list)
    by_origin: list[Score] = field(default_factory=list)  # city holds the origin label

    def score(self, field_name: str, city: str = ALL_CITIES) -> Score:
        """The score of one field for one city (or both: 'beide')."""
        return next(s for s in self.scores if s.field == field_name and s.city == city)

    def text(self, *, details: bool = False) -> str:
        """The report as German text for the terminal."""
        lines = ["Herkunft der Werte (Anteil der Einträge)", ""]
        header = f"{'Stadt':<10} {'Feld':<18} {'Einträge':>8} " + " ".join(f"{o:>20}" for o in ORIGINS)
        lines.append(header)
        for row in self.shares.iter_rows(named=True):
            total = row["records"] or 1
            cells = " ".join(f"{_percent(row[o] / total):>20}" for o in ORIGINS)
            lines.append(f"{row['city']:<10} {FIELD_LABELS[row['field']]:<18} {row['records']:>8} {cells}")
        lines += ["", "Übereinstimmung mit der Auswertungsdatei (Effekte: Mikro-F1)", ""]
        lines.append(f"{'Stadt':<10} {'Feld':<18} {'bewertet':>8} {'Übereinstimmung':>16}")
        for s in self.scores:
            value = _decimal(s.value) if s.field == "effects" else _percent(s.value)
            lines.append(f"{s.city:<10} {FIELD_LABELS[s.field]:<18} {s.evaluated:>8} {value:>16}")
        if self.by_origin:
            lines += ["", "Übereinstimmung nach Herkunft (beide Städte, ganzer Wert gleich)", ""]
            lines.append(f"{'Herkunft':<20} {'Feld':<18} {'bewertet':>8} {'Übereinstimmung':>16}")
            for s in self.by_origin:
                lines.append(
                    f"{s.city:<20} {FIELD_LABELS[s.field]:<18} {s.evaluated:>8} {_percent(s.value):>16}"
                )
        if details and self.disagreements:
            lines += ["", f"Abweichungen (erwartet → {_WORDS.derived.name})", ""]
            for d in self.disagreements:
                lines.append(
                    f"{d.city} Z. {d.line} „{d.title[:50]}“ – {FIELD_LABELS[d.field]}: "
                    f"{d.expected} → {d.derived} ({d.origin})"
                )
        return "\n".join(lines)


def _percent(share: float) -> str:
    return f"{share * 100:.1f} %".replace(".", ",")


def _decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def load_evaluation(path: Path = EVALUATION_PATH) -> list[Expected]:
    """The records of the evaluation file; EvaluationError (German, naming the entry) if malformed."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise EvaluationError(f"Auswertungsdatei fehlt: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise EvaluationError(f"{path}: kein gültiges TOML ({exc})") from exc
    entries = data.get("record")
    if not isinstance(entries, list) or not entries:
        raise EvaluationError(f"{path}: keine Einträge [[record]]")
    expected = []
    for i, entry in enumerate(entries):
        where = f"{path.name}, Eintrag {i + 1}"
        city, line, title = entry.get("city"), entry.get("line"), entry.get("title")
        if city not in CITIES or not isinstance(line, int) or not isinstance(title, str) or not title:
            raise EvaluationError(f"{where}: braucht city ({' oder '.join(CITIES)}), line (Zahl) und title")
        values: dict[str, Any] = {}
        for name in FIELDS:
            if name not in entry:
                continue
            value = entry[name]
            if name == "effects":
                if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                    raise EvaluationError(f"{where}: effects muss eine nicht leere Liste von Namen sein")
                values[name] = tuple(sorted(value))
            elif isinstance(value, str) and value:
                values[name] = value
            else:
                raise EvaluationError(f"{where}: {name} muss ein Name sein")
        unknown = set(entry) - {"city", "line", "title", "note", *FIELDS}
        if unknown:
            raise EvaluationError(f"{where}: unbekannte Felder {sorted(unknown)}")
        expected.append(Expected(city, line, title, values, entry.get("note")))
    return expected


def derived_records(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per cooperation with every field's value, origin and confidence, from the mart."""
    columns = ["city", "line_start", "title", "record_kind"]
    for name in FIELDS:
        columns += [VALUE_COLUMNS[name], *SOURCE_COLUMNS[name]]
    return con.sql(f"SELECT {', '.join(columns)} FROM cooperation_wide ORDER BY cooperation_id").pl()


def origin_label(source: str, confidence: str | None) -> str:
    """One of ORIGINS: the origin's name, a derived one with its confidence ('abgeleitet sicher')."""
    if source == _WORDS.derived.name:
        return ORIGINS[1] if confidence == "sicher" else ORIGINS[2]
    return source


def origin_shares(records: pl.DataFrame) -> pl.DataFrame:
    """Per city (and both) and field: the number of records by origin of the value."""
    rows = []
    for city in (*CITIES, ALL_CITIES):
        subset = records if city == ALL_CITIES else records.filter(pl.col("city") == city)
        for name in FIELDS:
            source, confidence = SOURCE_COLUMNS[name]
            counts = dict.fromkeys(ORIGINS, 0)
            for src, conf in subset.select(source, confidence).iter_rows():
                counts[origin_label(src, conf)] += 1
            rows.append({"city": city, "field": name, "records": subset.height, **counts})
    return pl.DataFrame(rows)


def _value_text(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list | tuple) else str(value)


def _judged(
    records: pl.DataFrame, expected: Sequence[Expected]
) -> Iterator[tuple[Expected, dict, str, Any, Any]]:
    """(entry, record, field, expected value, derived value) for every evaluated value, in file order."""
    by_key: dict[tuple[str, int], list[dict]] = {}
    for row in records.iter_rows(named=True):
        by_key.setdefault((row["city"], row["line_start"]), []).append(row)
    for e in expected:
        hits = [r for r in by_key.get((e.city, e.line), []) if r["title"].startswith(e.title)]
        if len(hits) != 1:
            found = "keinen" if not hits else f"{len(hits)}"
            raise EvaluationError(
                f"Auswertungsdatei: {e.city} Z. {e.line} „{e.title}“ trifft {found} Datensatz, "
                "genau einer ist nötig"
            )
        for name, want in e.values.items():
            yield e, hits[0], name, want, hits[0][VALUE_COLUMNS[name]]


def _same(name: str, want: Any, got: Any) -> bool:
    return set(got) == set(want) if name == "effects" else got == want


def _origin(row: dict, name: str) -> str:
    source, confidence = SOURCE_COLUMNS[name]
    return origin_label(row[source], row[confidence])


def compare(records: pl.DataFrame, expected: Sequence[Expected]) -> tuple[list[Score], list[Disagreement]]:
    """Scores per city (and both) and field, and every disagreement, in file order."""
    tallies: dict[tuple[str, str], list[int]] = {}  # (city, field) → [evaluated, agree, tp, fp, fn]
    disagreements = []
    for e, row, name, want, got in _judged(records, expected):
        for city in (e.city, ALL_CITIES):
            tally = tallies.setdefault((city, name), [0, 0, 0, 0, 0])
            tally[0] += 1
            tally[1] += _same(name, want, got)
            if name == "effects":
                got_set, want_set = set(got), set(want)
                tally[2] += len(got_set & want_set)
                tally[3] += len(got_set - want_set)
                tally[4] += len(want_set - got_set)
        if not _same(name, want, got):
            expected_text, derived_text = _value_text(want), _value_text(got)
            disagreements.append(
                Disagreement(
                    e.city, e.line, row["title"], name, expected_text, derived_text, _origin(row, name)
                )
            )
    scores = []
    for city in (*CITIES, ALL_CITIES):
        for name in FIELDS:
            tally = tallies.get((city, name))
            if not tally:
                continue
            evaluated, agree, tp, fp, fn = tally
            if name == "effects":
                value = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
            else:
                value = agree / evaluated
            scores.append(Score(city, name, evaluated, value))
    return scores, disagreements


def agreement_by_origin(records: pl.DataFrame, expected: Sequence[Expected]) -> list[Score]:
    """Share of exactly agreeing values per field and origin (both cities): does 'sicher' mean more
    than 'unsicher'? The Score's city field holds the origin label here."""
    tallies: dict[tuple[str, str], list[int]] = {}
    for _, row, name, want, got in _judged(records, expected):
        tally = tallies.setdefault((_origin(row, name), name), [0, 0])
        tally[0] += 1
        tally[1] += _same(name, want, got)
    return [
        Score(
            origin, name, tallies[(origin, name)][0], tallies[(origin, name)][1] / tallies[(origin, name)][0]
        )
        for name in FIELDS
        for origin in ORIGINS
        if (origin, name) in tallies
    ]


def quality_report(con: duckdb.DuckDBPyConnection, evaluation: Path = EVALUATION_PATH) -> QualityReport:
    """Origin shares of every derived field and its accuracy against the evaluation file."""
    records = derived_records(con)
    expected = load_evaluation(evaluation)
    scores, disagreements = compare(records, expected)
    return QualityReport(
        origin_shares(records), scores, disagreements, agreement_by_origin(records, expected)
    )
