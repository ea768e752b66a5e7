"""Bytes of an uploaded file to rows of text cells, within the upload limits: the part that may explode.

Runs as a script in a child process (`python -I reader.py LIMITS_JSON < file`, started by
dashboard/upload/sandbox.py) whose address space and CPU time the kernel caps, so a file that gets past
every check below can still only kill that child, never the worker serving other people. It imports the
standard library and python-calamine only, and nothing of the dashboard, so it starts in about 40 ms.

Checks, each refusing with a message key and its values (locales: [upload.error]):

- XLSX, before anything is inflated: number of zip members, their declared sizes and compression ratios;
  then every member is inflated as a stream (never whole), which also proves the declared sizes true
  (zipfile stops at the declared size and checks the CRC). XML with a DTD or entity declarations
  (entity expansion, external entities) is refused, as are links to external files and embedded
  documents. The first worksheet is scanned as a stream: the declared `<dimension>` and the position of
  every cell must lie inside the row and column limits (calamine sizes its grid to them: one cell at
  XFD1048576 asked it for 549 GB), the number of cells and the characters they hold, shared strings
  counted each time a cell uses them, are bounded. Only then does calamine read the sheet.
- CSV: encoding from the byte-order mark, else UTF-8, else Windows-1252; binary and NUL bytes refused;
  the delimiter sniffed among , ; tab |; rows, columns, cells and cell length bounded while reading.

The child writes one JSON object to stdout: {"rows": [...], "file_type", "encoding", "delimiter"} or
{"error": key, "values": {...}}, with its own peak memory.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
import resource
import sys
import zipfile
from xml.parsers import expat

CHUNK = 64 * 1024
CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
ZIP_MAGIC = b"PK\x03\x04"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class Refused(Exception):
    """The file breaks a limit or cannot be read; `key` names the message, `values` fill it."""

    def __init__(self, key: str, **values):
        self.key = key
        self.values = values
        super().__init__(f"{key}: {values}")


def read_rows(data: bytes, filename: str, limits: dict) -> dict:
    """Return {"rows", "file_type", "encoding", "delimiter"} for the file, or raise Refused."""
    name = (filename or "").lower()
    if data.startswith(ZIP_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        inspect_xlsx(data, limits)
        rows = _xlsx_rows(data)
        _check_table(rows, limits)
        return {"rows": rows, "file_type": "xlsx", "encoding": None, "delimiter": None}
    if name.endswith((".xls", ".ods", ".numbers", ".zip", ".pdf")) or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refused("unsupported_type")
    text, encoding = _decode(data)
    delimiter = _delimiter(text)
    rows = _csv_rows(text, delimiter, limits)
    _check_table(rows, limits)
    return {"rows": rows, "file_type": "csv", "encoding": encoding, "delimiter": delimiter}


# ---- CSV -------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return _checked_text(data.decode(encoding)), encoding
            except UnicodeDecodeError:
                raise Refused("not_text") from None
    try:
        return _checked_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    return _checked_text(data.decode("cp1252", errors="replace")), "cp1252"


def _checked_text(text: str) -> str:
    """Refuse NUL bytes anywhere (csv cannot read them; a binary file has them) and a sample that is
    more than 1 % control characters."""
    if "\x00" in text:
        raise Refused("not_text")
    sample = text[:20_000]
    control = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t") or ch == "\ufffd")
    if control > 0.01 * max(len(sample), 1):
        raise Refused("not_text")
    return text


def _delimiter(text: str) -> str:
    sample = "\n".join(text[:50_000].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def _csv_rows(text: str, delimiter: str, limits: dict) -> list[list[str]]:
    rows: list[list[str]] = []
    csv.field_size_limit(limits["cell_chars"])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            if len(row) > limits["columns"]:
                raise Refused("too_many_columns", count=len(row), limit=limits["columns"])
            rows.append(row)
            if len(rows) > limits["rows"] + 1 + limits["title_rows"]:
                raise Refused("too_many_rows", limit=limits["rows"])
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise Refused("field_too_long", line=reader.line_num, limit=limits["cell_chars"]) from None
        raise Refused("bad_csv", line=reader.line_num, problem=str(exc)) from None
    return rows


def _check_table(rows: list[list[str]], limits: dict) -> None:
    """The limits on what was read, whatever the format: rows under the header, cells, characters."""
    start = next((i for i, row in enumerate(rows) if any(str(c).strip() for c in row)), 0)
    if len(rows) - start - 1 > limits["rows"]:
        raise Refused("too_many_rows", limit=limits["rows"])
    cells = sum(1 for row in rows for c in row if c)
    if cells > limits["cells"]:
        raise Refused("too_many_cells", limit=limits["cells"])
    chars = sum(len(c) for row in rows for c in row)
    if chars > limits["text_chars"]:
        raise Refused("too_much_text", limit=limits["text_chars"])


# ---- XLSX: inspection before reading ---------------------------------------------------------------------


def inspect_xlsx(data: bytes, limits: dict) -> None:
    """Refuse a workbook that breaks a limit, before calamine reads it (see the module docstring)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise Refused("not_xlsx") from None
    if len(entries) > limits["zip_entries"]:
        raise Refused("zip_entries", count=len(entries), limit=limits["zip_entries"])
    total = sum(e.file_size for e in entries)
    if total > limits["unzipped_bytes"]:
        raise Refused("zip_bomb", size=_mb(total), limit=_mb(limits["unzipped_bytes"]))
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if ratio > limits["zip_ratio"] and entry.file_size > 1024 * 1024:
            raise Refused("zip_ratio", member=entry.filename, ratio=round(ratio), limit=limits["zip_ratio"])
        if entry.flag_bits & 0x1:
            raise Refused("encrypted")
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise Refused("not_xlsx")
    nested = sorted(n for n in names if n.startswith(("xl/embeddings/", "xl/externalLinks/")))
    if nested:
        raise Refused("external_reference", what=nested[0])
    for entry in entries:
        _check_member(archive, entry)
    sheet = _first_sheet(archive)
    if sheet not in names:
        raise Refused("not_xlsx")
    shared = _shared_string_lengths(archive, names, limits)
    _scan_sheet(archive, sheet, shared, limits)


def _mb(size: int) -> float:
    return round(size / (1024 * 1024), 1)


def _parser(start=None, text=None) -> expat.XMLParserType:
    """An expat parser that refuses any DTD: spreadsheet programs never write one, entity bombs need one."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args):
        raise Refused("xml_dtd")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    if start is not None:
        parser.StartElementHandler = start
    if text is not None:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


def _stream(archive: zipfile.ZipFile, name: str, parser: expat.XMLParserType | None = None) -> None:
    """Inflate one member chunk by chunk (bounded memory), feeding XML members to `parser`."""
    try:
        with archive.open(name) as member:
            while chunk := member.read(CHUNK):
                if parser is not None:
                    parser.Parse(chunk, False)
            if parser is not None:
                parser.Parse(b"", True)
    except Refused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError):
        raise Refused("not_xlsx") from None  # a CRC or size that lies, a broken deflate stream
    except expat.ExpatError:
        raise Refused("not_xlsx") from None
    except NotImplementedError:  # a compression method zipfile does not know
        raise Refused("not_xlsx") from None


def _check_member(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """Inflate a member to prove its size; XML members are parsed for DTDs and external relationships."""
    name = entry.filename
    if not name.endswith((".xml", ".rels", ".vml")):
        _stream(archive, name)
        return

    def start(tag, attrs):
        if tag.endswith(" Relationship") and attrs.get("TargetMode", "").lower() == "external":
            raise Refused("external_reference", what=attrs.get("Target", "")[:80])

    _stream(archive, name, _parser(start=start if name.endswith(".rels") else None))


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The path of the workbook's first sheet, resolved as calamine does: the first <sheet> of
    workbook.xml, through its relationship id in xl/_rels/workbook.xml.rels."""
    first: list[str] = []

    def on_sheet(tag, attrs):
        if tag.endswith(" sheet") and not first:
            first.append(attrs.get(f"{REL_NS} id", ""))

    _stream(archive, "xl/workbook.xml", _parser(start=on_sheet))
    if not first:
        raise Refused("not_xlsx")
    targets: dict[str, str] = {}

    def on_rel(tag, attrs):
        if tag.endswith(" Relationship"):
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    try:
        _stream(archive, "xl/_rels/workbook.xml.rels", _parser(start=on_rel))
    except KeyError:
        raise Refused("not_xlsx") from None
    target = targets.get(first[0], "")
    if not target:
        raise Refused("not_xlsx")
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return path


def _shared_string_lengths(archive: zipfile.ZipFile, names: set[str], limits: dict) -> list[int]:
    """The length of every shared string, in order (the strings themselves are not kept)."""
    if "xl/sharedStrings.xml" not in names:
        return []
    lengths: list[int] = []
    state = {"in_si": False, "in_t": False, "in_rph": False}

    def start(tag, _attrs):
        local = tag.rsplit(" ", 1)[-1]
        if local == "si":
            lengths.append(0)
            state["in_si"] = True
        elif local == "t":
            state["in_t"] = True
        elif local == "rPh":  # phonetic runs are not part of the cell's text
            state["in_rph"] = True

    def end(tag):
        local = tag.rsplit(" ", 1)[-1]
        if local == "si":
            state["in_si"] = False
        elif local == "t":
            state["in_t"] = False
        elif local == "rPh":
            state["in_rph"] = False

    def text(data):
        if state["in_si"] and state["in_t"] and not state["in_rph"]:
            lengths[-1] += len(data)

    parser = _parser(start=start, text=text)
    parser.EndElementHandler = end
    _stream(archive, "xl/sharedStrings.xml", parser)
    return lengths


def column_number(letters: str) -> int:
    """A1 notation's column letters as a number (A = 1, Z = 26, AA = 27, XFD = 16,384)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _SheetScan:
    """Counts and positions while expat streams through a worksheet; refuses at the first limit broken."""

    def __init__(self, shared: list[int], limits: dict):
        self.shared = shared
        self.max_row = limits["rows"] + 1 + limits["title_rows"]
        self.max_col = limits["columns"]
        self.limits = limits
        self.row = 0
        self.col = 0
        self.cells = 0
        self.chars = 0
        self.cell_ref = ""
        self.cell_type = ""
        self.value: list[str] = []
        self.cell_len = 0
        self.in_value = False

    def _inside(self, ref: str, row: int, col: int) -> None:
        if row > self.max_row or col > self.max_col:
            raise Refused("sheet_extent", cell=ref, rows=self.limits["rows"], columns=self.limits["columns"])

    def _position(self, ref: str | None, row: int, col: int) -> tuple[int, int]:
        if not ref:
            return row, col
        match = CELL_REF.match(ref)
        if not match:
            raise Refused("not_xlsx")
        return int(match.group(2)), column_number(match.group(1))

    def start(self, tag, attrs):
        local = tag.rsplit(" ", 1)[-1]
        if local == "c":
            self.row, self.col = self._position(attrs.get("r"), self.row, self.col + 1)
            self.cell_ref = attrs.get("r") or _ref(self.row, self.col)
            self._inside(self.cell_ref, self.row, self.col)
            self.cell_type = attrs.get("t", "n")
            self.value = []
            self.cell_len = 0
            self.cells += 1
            if self.cells > self.limits["cells"]:
                raise Refused("too_many_cells", limit=self.limits["cells"])
        elif local == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isdigit() else self.row + 1
            self.col = 0  # no extent check here: Excel writes formatted empty rows far down; cells are checked
        elif local in ("v", "t"):
            self.in_value = True
        elif local == "dimension":
            ref = attrs.get("ref", "")
            last = ref.split(":")[-1]
            match = CELL_REF.match(last)
            if match:
                self._inside(last, int(match.group(2)), column_number(match.group(1)))

    def end(self, tag):
        local = tag.rsplit(" ", 1)[-1]
        if local in ("v", "t"):
            self.in_value = False
        elif local == "c":
            if self.cell_type == "s":
                text = "".join(self.value).strip()
                index = int(text) if text.isdigit() else -1
                if not 0 <= index < len(self.shared):
                    raise Refused("not_xlsx")
                self._add(self.shared[index])
            else:
                self._add(self.cell_len)

    def text(self, data):
        if self.in_value:
            if self.cell_type == "s":
                if len(self.value) < 4:  # an index has a few digits; never keep more
                    self.value.append(data)
            else:
                self.cell_len += len(data)

    def _add(self, length: int) -> None:
        if length > self.limits["cell_chars"]:
            raise Refused("cell_too_long", cell=self.cell_ref, limit=self.limits["cell_chars"])
        self.chars += length
        if self.chars > self.limits["text_chars"]:
            raise Refused("too_much_text", limit=self.limits["text_chars"])


def _ref(row: int, col: int) -> str:
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _scan_sheet(archive: zipfile.ZipFile, sheet: str, shared: list[int], limits: dict) -> None:
    scan = _SheetScan(shared, limits)
    parser = _parser(start=scan.start, text=scan.text)
    parser.EndElementHandler = scan.end
    _stream(archive, sheet, parser)


# ---- XLSX: reading ---------------------------------------------------------------------------------------


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from python_calamine import CalamineWorkbook  # imported here: the CSV path never needs it

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except MemoryError:
        raise
    except Exception:  # calamine's own errors (XmlError, ZipError, ...) all mean: not a readable workbook
        raise Refused("not_xlsx") from None
    return [[cell_text(v) for v in row] for row in sheet]


def cell_text(value) -> str:
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


# ---- the child process -----------------------------------------------------------------------------------


def _cap(limits: dict) -> None:
    """Cap this process: address space, CPU seconds, no files written, few open files."""
    memory = limits["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def peak_rss_kb() -> int:
    """This process's own peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux carries the
    parent's peak over fork and exec into it, so a child of a 300 MB worker would always say 300 MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def main() -> None:
    request = json.loads(sys.argv[1])
    limits = request["limits"]
    _cap(limits)
    data = sys.stdin.buffer.read(limits["bytes"] + 1)
    try:
        result = read_rows(data, request.get("filename", ""), limits)
    except Refused as exc:
        result = {"error": exc.key, "values": exc.values}
    except MemoryError:
        result = {"error": "parse_limit", "values": {}}
    except Exception as exc:  # anything unforeseen: said as unreadable; the worker logs the type
        result = {"error": "unreadable", "values": {}, "exception": type(exc).__name__}
    del data
    result["peak_rss_kb"] = peak_rss_kb()
    try:
        out = json.dumps(result, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except MemoryError:
        out = b'{"error": "parse_limit", "values": {}}'
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
