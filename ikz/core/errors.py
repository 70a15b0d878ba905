"""The project's error types: each names the file and line it is about."""

from __future__ import annotations


class SourceError(Exception):
    """A source document cannot be read or parsed; names the file and (where known) the line."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


class TaxonomyError(Exception):
    """A rules file (taxonomy, partners, topics) is malformed; names the file and the offending entry."""
