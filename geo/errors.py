"""Errors raised on bad source input. Each names the file and the problem, so a person can act on it.

The build catches `SourceError` per country or per table: one broken file marks its part of the report
as failed and the build goes on with the rest.
"""

from __future__ import annotations

from pathlib import Path


class SourceError(Exception):
    """A source file that cannot be used as it is: missing, corrupt, or not as the catalogue describes."""

    kind = "unusable"

    def __init__(self, source_id: str, path: Path | str | None, problem: str):
        self.source_id = source_id
        self.path = str(path) if path is not None else None
        self.problem = problem
        where = f" ({self.path})" if self.path else ""
        super().__init__(f"source '{source_id}'{where}: {problem}")

    def as_dict(self) -> dict[str, str | None]:
        """Return the error as a plain record for the build report."""
        return {"source": self.source_id, "path": self.path, "kind": self.kind, "problem": self.problem}


class SourceMissing(SourceError):
    kind = "missing"


class SourceCorrupt(SourceError):
    kind = "corrupt"


class CRSError(SourceError):
    kind = "crs"


class SchemaError(SourceError):
    """A table or layer lacks the columns the reader needs (a renamed or dropped column)."""

    kind = "schema"


class DuplicateCodes(SourceError):
    kind = "duplicates"
