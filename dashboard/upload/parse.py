"""An uploaded CSV or XLSX as a table of text cells: the limits checked, the reading done in a capped child.

The worker checks what costs nothing (the size limit, an empty file), then hands the bytes to
dashboard/upload/reader.py in a child process with a memory, CPU and time limit (dashboard/upload/sandbox.py):
every check of the file's structure and content, and the reading itself, happen there, so no file can take
down the worker. What comes back is bounded by the limits (dashboard/upload/limits.py). Here the rows become
a table: the header is the first non-empty row, empty headers are named "column N", duplicates get " (2)",
" (3)", and empty rows are counted with their numbers.

Every refusal raises `UploadError` with a message key and its values, so the page can say exactly what is
wrong in the person's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.upload.limits import LIMITS
from dashboard.upload.sandbox import run_reader

MAX_BYTES = LIMITS.bytes
MAX_ROWS = LIMITS.rows
MAX_COLUMNS = LIMITS.columns


class UploadError(ValueError):
    """A file that cannot be used; `key` names the message (locales: [upload.error]), `values` fill it."""

    def __init__(self, key: str, **values):
        self.key = key
        self.values = values
        super().__init__(f"{key}: {values}")


@dataclass
class ParsedTable:
    """The data rows of an upload as text, with the file row number of each row (the header is row 1...)."""

    frame: pd.DataFrame
    row_numbers: list[int]
    file_type: str
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[tuple[str, dict]] = field(default_factory=list)  # (message key, values)
    empty_rows: list[int] = field(default_factory=list)


def parse_upload(filename: str, data: bytes) -> ParsedTable:
    """Return the table in `data` (the bytes of a file called `filename`), or raise UploadError."""
    if len(data) > MAX_BYTES:
        raise UploadError("too_large", size=round(len(data) / (1024 * 1024), 1), limit=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise UploadError("empty")
    result = run_reader(filename, data).result
    if "error" in result:
        raise UploadError(str(result["error"]), **dict(result.get("values") or {}))
    table = _from_rows(result["rows"], result["file_type"])
    table.encoding, table.delimiter = result.get("encoding"), result.get("delimiter")
    return table


def _from_rows(rows: list[list[str]], file_type: str) -> ParsedTable:
    notes: list[tuple[str, dict]] = []
    start = next((i for i, row in enumerate(rows) if any(str(c).strip() for c in row)), None)
    if start is None:
        raise UploadError("empty")
    header = [str(c).strip() for c in rows[start]]
    body = rows[start + 1 :]
    width = max([len(header), *(len(r) for r in body)]) if body else len(header)
    if width > MAX_COLUMNS:
        raise UploadError("too_many_columns", count=width, limit=MAX_COLUMNS)
    header = _clean_header(header + [""] * (width - len(header)), notes)
    data, numbers, empty = [], [], []
    for offset, row in enumerate(body):
        cells = [str(c).strip() for c in row] + [""] * (width - len(row))
        file_row = start + offset + 2  # 1-based, after the header
        if not any(cells):
            empty.append(file_row)
            continue
        data.append(cells[:width])
        numbers.append(file_row)
    if not data:
        raise UploadError("no_rows")
    frame = pd.DataFrame(data, columns=header, dtype="string")
    return ParsedTable(frame, numbers, file_type, notes=notes, empty_rows=empty)


def _clean_header(header: list[str], notes: list) -> list[str]:
    """Name empty headers "column N" and number repeated ones, never reusing a name the file has."""
    taken = {name for name in header if name}
    cleaned: list[str] = []
    for i, name in enumerate(header, start=1):
        if not name:
            name = _free(f"column {i}", taken)
        elif name in cleaned:
            new = _free(name, taken)
            notes.append(("duplicate_header", {"name": name, "new": new}))
            name = new
        taken.add(name)
        cleaned.append(name)
    return cleaned


def _free(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base} ({n})" in taken:
        n += 1
    return f"{base} ({n})"
