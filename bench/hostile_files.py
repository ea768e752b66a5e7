"""A corpus of hostile upload files, made with the standard library (no committed binaries).

Each `HostileFile` has a name, a filename as uploaded, its bytes, and what the Atlas must do with it: refuse
it with a given message key, or read it and report what it holds (`expect_rows`). The tests run every file
through the parser and through the running server; `python -m bench.hostile` measures what each costs.

The XLSX files are minimal valid workbooks ([Content_Types].xml, _rels/.rels, xl/workbook.xml and its rels,
xl/sharedStrings.xml, xl/worksheets/sheet1.xml), so each attack reaches the reader as a real workbook would.
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>{extra}</Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
# The header and one good row every workbook starts with: shared strings 0 and 1 are the header's.
GOOD_ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>AT_70101</t></is></c><c r="B2"><v>12.5</v></c></row>'
)


def shared_strings(strings: list[str]) -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )


def workbook(
    rows_xml: str = "",
    *,
    strings: tuple[str, ...] = (),
    dimension: str = "",
    doctype: str = "",
    extra_members: dict[str, bytes | str] | None = None,
    extra_rels: str = "",
) -> bytes:
    """A minimal XLSX whose first sheet holds the header (unit_id, value), one good row and `rows_xml`."""
    sheet = (
        SHEET_HEAD.format(doctype=doctype, dimension=f'<dimension ref="{dimension}"/>' if dimension else "")
        + GOOD_ROWS
        + rows_xml
        + SHEET_TAIL
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=extra_rels))
        archive.writestr("xl/sharedStrings.xml", shared_strings(["unit_id", "value", *strings]))
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, content in (extra_members or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def far_cell(ref: str) -> bytes:
    """A normal workbook plus one cell at `ref` (XFD1048576 is the last cell of a sheet)."""
    row = "".join(ch for ch in ref if ch.isdigit())
    return workbook(f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>')


def shared_string_amplification(rows: int = 10_000, length: int = 30_000) -> bytes:
    """`rows` cells that all show one shared string of `length` characters (about 100 KB as a file)."""
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>2</v></c></row>' for r in range(3, rows + 3))
    return workbook(cells, strings=("x" * length,))


def entity_expansion() -> bytes:
    """The "billion laughs": ten levels of ten references to the level below."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE worksheet [{''.join(entities)}]>"
    return workbook('<row r="3"><c r="A3" t="inlineStr"><is><t>&lol9;</t></is></c></row>', doctype=doctype)


def external_entity() -> bytes:
    doctype = '<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    return workbook('<row r="3"><c r="A3" t="inlineStr"><is><t>&secret;</t></is></c></row>', doctype=doctype)


def external_link() -> bytes:
    rel = (
        '<Relationship Id="rId3" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
        'Target="http://127.0.0.1:9/steal" TargetMode="External"/>'
    )
    return workbook(extra_rels=rel)


def nested_workbook() -> bytes:
    return workbook(extra_members={"xl/embeddings/inner.xlsx": workbook()})


def zip_bomb(size: int = 200 * 1024 * 1024) -> bytes:
    """A sheet of `size` bytes of one character, which deflates about 1000:1."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"0" * (1024 * 1024)
            for _ in range(size // len(block)):
                member.write(block)
    return buffer.getvalue()


def lying_zip_bomb() -> bytes:
    """A member that declares 1 KB but inflates to 30 MB: the sizes in both headers are rewritten."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=""))
        archive.writestr("xl/sharedStrings.xml", shared_strings(["unit_id", "value"]))
        filler = "<row/>" * (30 * 1024 * 1024 // 6)
        archive.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD.format(doctype="", dimension="") + filler + SHEET_TAIL)
    data = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 1024)  # uncompressed size, local header
    central = data.rindex(info.filename.encode()) - 46  # the central directory entry ends with its name
    struct.pack_into("<I", data, central + 24, 1024)  # uncompressed size, central directory
    return bytes(data)


def many_rows_xlsx(rows: int) -> bytes:
    """A workbook of `rows` data rows under its header."""
    cells = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>X{r}</t></is></c></row>' for r in range(3, rows + 2)
    )
    return workbook(cells)


def full_workbook() -> bytes:
    """The largest workbook the limits let through: 50,000 rows of 20 columns, a million cells."""
    columns = "ABCDEFGHIJKLMNOPQRST"
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r % 97}.5</v></c>' for c in columns) + "</row>"
        for r in range(3, 50_002)
    )
    return workbook(rows)


def csv_lines(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def one_line_csv(size: int = 5 * 1024 * 1024 - 10) -> bytes:
    return b"unit_id,value," + b"x" * (size - 14)


def one_wide_line_csv(size: int = 5 * 1024 * 1024 - 10) -> bytes:
    """5 MB of commas: 5 million empty fields on one line."""
    return b"a" + b"," * (size - 1)


def formula_injection() -> bytes:
    """Formulas in every cell a person could have typed: five good rows with a formula as note, and five
    rows of formulas only (code, value and note)."""
    payloads = ['=HYPERLINK("http://127.0.0.1:9/x","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1"]
    codes = ["AT_70101", "CH_261", "CH_6300", "FR_74010", "IT_001272"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["unit_id", "value", "note"])
    writer.writerows([code, "1.5", payload] for code, payload in zip(codes, payloads))
    writer.writerows([payload, payload, payload] for payload in payloads)
    return buffer.getvalue().encode()


def payload_codes() -> bytes:
    lines = [
        "unit_id,value",
        "<script>alert(1)</script>,1",
        '"""><img src=x onerror=alert(1)>",2',
        "AT_70101\u202e,3",  # a right-to-left override after a real code
        "\u202eAT_70101,4",
        "javascript:alert(1),5",
        "AT_70101,6",
    ]
    return csv_lines(lines)


@dataclass(frozen=True)
class HostileFile:
    name: str
    filename: str
    make: Callable[[], bytes]
    refuse: str | None = None  # the message key it is refused with; None: read and reported
    expect_rows: int | None = None  # data rows the table must hold when it is read


def corpus() -> list[HostileFile]:
    """Every hostile file, with what must happen to it."""
    return [
        HostileFile("xlsx: one cell at XFD1048576", "bomb.xlsx", lambda: far_cell("XFD1048576"), "sheet_extent"),
        HostileFile("xlsx: one cell at ZZ40000", "wide.xlsx", lambda: far_cell("ZZ40000"), "sheet_extent"),
        HostileFile("xlsx: one cell at BH1048576", "tall.xlsx", lambda: far_cell("BH1048576"), "sheet_extent"),
        HostileFile(
            "xlsx: declared dimension A1:XFD1048576",
            "dimension.xlsx",
            lambda: workbook(dimension="A1:XFD1048576"),
            "sheet_extent",
        ),
        HostileFile(
            "xlsx: 10,000 cells share one 30 KB string",
            "strings.xlsx",
            shared_string_amplification,
            "too_much_text",
        ),
        HostileFile("xlsx: zip bomb, 200 MB of zeros", "zeros.xlsx", zip_bomb, "zip_bomb"),
        HostileFile("xlsx: member lies about its size", "liar.xlsx", lying_zip_bomb, "not_xlsx"),
        HostileFile("xlsx: XML entity expansion", "laughs.xlsx", entity_expansion, "xml_dtd"),
        HostileFile("xlsx: external XML entity", "xxe.xlsx", external_entity, "xml_dtd"),
        HostileFile("xlsx: external link", "link.xlsx", external_link, "external_reference"),
        HostileFile("xlsx: embedded workbook", "nested.xlsx", nested_workbook, "external_reference"),
        HostileFile("xlsx: 50,001 rows", "rows.xlsx", lambda: many_rows_xlsx(50_001), "too_many_rows"),
        HostileFile("xlsx: 50,000 rows (the limit)", "limit.xlsx", lambda: many_rows_xlsx(50_000), expect_rows=50_000),
        HostileFile("xlsx: a million cells (at the limits)", "full.xlsx", full_workbook, expect_rows=50_000),
        HostileFile("csv: one 5 MB line", "line.csv", one_line_csv, "field_too_long"),
        HostileFile("csv: 5 million fields on one line", "commas.csv", one_wide_line_csv, "too_many_columns"),
        HostileFile("csv: NUL bytes", "nul.csv", lambda: b"unit_id,value\nAT_70101,1\x00\x00\x00\n", "not_text"),
        HostileFile(
            "csv: UTF-16 with BOM",
            "utf16.csv",
            lambda: csv_lines(["unit_id\tvalue", "AT_70101\t1,5"], "utf-16"),
            expect_rows=1,
        ),
        HostileFile(
            "csv: UTF-16 without BOM",
            "utf16le.csv",
            lambda: csv_lines(["unit_id,value", "AT_70101,1"], "utf-16-le"),
            "not_text",
        ),
        HostileFile(
            "csv: latin-1",
            "latin1.csv",
            lambda: csv_lines(["Gemeinde;Land;Wert", "Zürich;CH;1", "Genève;CH;2"], "latin-1"),
            expect_rows=2,
        ),
        HostileFile(
            "csv: duplicate and empty headers",
            "headers.csv",
            lambda: csv_lines(["unit_id,value,value,,", "AT_70101,1,2,3,4"]),
            expect_rows=1,
        ),
        HostileFile("csv: formula injection in every cell", "formulas.csv", formula_injection, expect_rows=10),
        HostileFile("csv: 50,001 rows", "rows.csv", lambda: b"unit_id\n" + b"AT_70101\n" * 50_001, "too_many_rows"),
        HostileFile("csv: HTML, JS and right-to-left codes", "payload.csv", payload_codes, expect_rows=6),
        HostileFile(
            "csv: an unterminated quote over the file",
            "quote.csv",
            lambda: b'unit_id,value\n"AT_70101,' + b"1\n" * 40_000,
            "field_too_long",
        ),
        HostileFile("csv: binary garbage", "garbage.csv", lambda: bytes(range(256)) * 4000, "not_text"),
    ]
