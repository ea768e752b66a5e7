"""Text-table helpers for the readers of publisher exports that are not plain one-header CSV files.

Statistical portals export tables with title lines above the header, a footer below the data, and an
encoding that depends on the portal (UTF-8, Windows-1252, Windows-1250). These helpers decode such a file,
find its header row by a cell the publisher's layout documents, and split it into rows of cells, each kept
with the line number a person sees in an editor. Every failure is a `SourceError` naming the file.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from geo.errors import SchemaError, SourceCorrupt


def decode(source_id: str, path: Path, encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")) -> str:
    """Return the file's text in the first of `encodings` that decodes it; raise `SourceCorrupt` otherwise.

    UTF-8 is tried first because a Windows-1252 reading of UTF-8 never fails but garbles every accent; the
    reverse fails loudly on the first accented byte, so the order tells them apart.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceCorrupt(source_id, path, f"cannot be read: {exc}") from exc
    if not data.strip():
        raise SourceCorrupt(source_id, path, "is empty")
    if b"\x00" in data[:4096]:
        raise SourceCorrupt(
            source_id, path, "is binary, not a text table (a zip or spreadsheet saved under this name?)"
        )
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceCorrupt(source_id, path, f"is not text in any of {', '.join(encodings)}")


def split_rows(text: str, sep: str) -> list[list[str]]:
    """Return the lines of `text` as lists of cells (quotes honoured), one list per line, blanks kept."""
    return list(csv.reader(io.StringIO(text), delimiter=sep)) or [[]]


def sniff_separator(line: str, candidates: str = ";,\t") -> str:
    """Return the candidate separator that occurs most often in a header line."""
    return max(candidates, key=line.count)


def header_index(rows: list[list[str]], wanted: str, source_id: str, path: Path) -> int:
    """Return the index of the first row with a cell equal to `wanted` (case and spaces ignored)."""
    key = _key(wanted)
    for i, row in enumerate(rows):
        if any(_key(cell) == key for cell in row):
            return i
    raise SchemaError(source_id, path, f"has no header row with a cell '{wanted}' (renamed, or another table?)")


def frame(rows: list[list[str]], header_at: int, headers: list[str] | None = None) -> pd.DataFrame:
    """Return the rows below `header_at` as a string table indexed by file line (1-based), padded to width."""
    headers = headers if headers is not None else [c.strip() for c in rows[header_at]]
    width = len(headers)
    body = [(list(r) + [""] * width)[:width] for r in rows[header_at + 1 :]]
    table = pd.DataFrame(body, columns=headers, dtype=object)
    table.index = range(header_at + 2, header_at + 2 + len(table))
    return table


def column(table: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    """Return the first column of `table` whose header equals one of `names` (case and spaces ignored)."""
    keys = {_key(n) for n in names}
    return next((c for c in table.columns if _key(c) in keys), None)


def _key(cell: object) -> str:
    return re.sub(r"\s+", " ", str(cell)).strip().casefold()
