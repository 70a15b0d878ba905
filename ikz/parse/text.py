"""Reading a source document's bytes as text, the one step every parser of a text file needs first."""

from __future__ import annotations

from pathlib import Path

from ikz.core.errors import SourceError


def read_source(path: Path) -> str:
    """Text of a source file; a missing or non-UTF-8 file is a SourceError naming it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(str(path), None, "Datei fehlt") from None
    except OSError as exc:
        raise SourceError(str(path), None, f"nicht lesbar ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(str(path), line, "kein gültiges UTF-8") from None
