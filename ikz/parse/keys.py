"""Stable identities of records: a key that survives rebuilds, and a fingerprint of the source text."""

from __future__ import annotations

import functools
import hashlib
import unicodedata

from ikz.rules.cities import load_cities

_SEP = "\x1f"


@functools.cache
def _codes() -> dict[str, str]:
    return {c.name: c.code for c in load_cities().cities}


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def cooperation_key(city: str, department: str, record_kind: str, title: str, taken: set[str]) -> str:
    """A stable key such as 'EF-3f2a9c1b' from what identifies the record; adds it to taken.

    The same record gets the same key in every build; two records that print the same department,
    kind and title get '-2', '-3' in source order.
    """
    # The city's code from data/cities.toml; a city it does not list (synthetic benchmark data)
    # gets the first two letters of its name.
    code = _codes().get(city) or _norm(city)[:2].upper()
    digest = hashlib.sha1(_SEP.join(map(_norm, (department, record_kind, title))).encode()).hexdigest()[:8]
    key, n = f"{code}-{digest}", 1
    while key in taken:
        n += 1
        key = f"{code}-{digest}-{n}"
    taken.add(key)
    return key


def fingerprint(*texts: str | None) -> str:
    """A short fingerprint of a record's source texts: a review decision applies while it is unchanged."""
    return hashlib.sha256(_SEP.join(_norm(t) for t in texts).encode()).hexdigest()[:16]
