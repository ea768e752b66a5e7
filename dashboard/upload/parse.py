"""Reading an uploaded CSV or XLSX into a table of text cells, safely.

Checks before anything is parsed: the size limit; for XLSX, that it is a real workbook and not a zip bomb
(total uncompressed size, compression ratio and number of entries are bounded before a single entry is
inflated). CSV: the byte-order mark decides the encoding when there is one; otherwise UTF-8, then
Windows-1252 (what Excel writes in Western Europe), and the table says which was used; the delimiter is
sniffed among , ; tab |. Binary garbage is refused. Row and column limits stop a huge file early.
Headers are cleaned: empty ones are named "column N", duplicates get " (2)", " (3)".

Every refusal raises `UploadError` with a message key and its values, so the page can say exactly what is
wrong in the person's language.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

import pandas as pd
from python_calamine import CalamineWorkbook

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
MAX_UNCOMPRESSED = 40 * 1024 * 1024  # an XLSX of 5 MB may hold this much XML, not more
MAX_RATIO = 150  # XML compresses well, but not 1000:1 like a bomb
MAX_ZIP_ENTRIES = 400
ZIP_MAGIC = b"PK\x03\x04"


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
    name = (filename or "").lower()
    if data.startswith(ZIP_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        return _from_rows(_xlsx_rows(data), "xlsx")
    if name.endswith((".xls", ".ods", ".numbers", ".zip", ".pdf")) or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadError("unsupported_type")
    text, encoding = _decode(data)
    delimiter = _delimiter(text)
    rows = _csv_rows(text, delimiter)
    table = _from_rows(rows, "csv")
    table.encoding, table.delimiter = encoding, delimiter
    return table


def _decode(data: bytes) -> tuple[str, str]:
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return _checked_text(data.decode(encoding)), encoding
            except UnicodeDecodeError:
                raise UploadError("not_text") from None
    try:
        return _checked_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    return _checked_text(data.decode("cp1252", errors="replace")), "cp1252"


def _checked_text(text: str) -> str:
    sample = text[:20_000]
    control = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t") or ch == "\ufffd")
    if "\x00" in sample or control > 0.01 * max(len(sample), 1):
        raise UploadError("not_text")
    return text


def _delimiter(text: str) -> str:
    sample = "\n".join(text[:50_000].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def _csv_rows(text: str, delimiter: str) -> list[list[str]]:
    rows = []
    csv.field_size_limit(100_000)
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise UploadError("too_many_rows", limit=MAX_ROWS)
    except csv.Error as exc:
        raise UploadError("bad_csv", line=len(rows) + 1, problem=str(exc)) from None
    return rows


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError("not_xlsx") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UploadError("zip_bomb")
    total = sum(e.file_size for e in entries)
    ratio = max((e.file_size / max(e.compress_size, 1) for e in entries), default=0)
    if total > MAX_UNCOMPRESSED or ratio > MAX_RATIO:
        raise UploadError("zip_bomb")
    if "xl/workbook.xml" not in {e.filename for e in entries}:
        raise UploadError("not_xlsx")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine's own errors (XmlError, ZipError, ...) all mean: not a readable workbook
        raise UploadError("not_xlsx") from None
    if len(sheet) > MAX_ROWS + 1:
        raise UploadError("too_many_rows", limit=MAX_ROWS)
    return [[_cell_text(v) for v in row] for row in sheet]


def _cell_text(value) -> str:
    """Return a spreadsheet cell as text: integral numbers without ".0" (codes like 70101), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


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
