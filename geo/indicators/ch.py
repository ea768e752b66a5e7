"""Switzerland: the FSO "Regional portraits 2021: communes" table (T21.3.1), source `ch_portraits_2021`.

One sheet: a title, a row of group headers, a row of column headers starting with "Number of commune",
the row of reference years just below it, a Switzerland row, one row per commune, then footnotes. The
header row is found by its first cell rather than by position, so that a title row added by the
publisher does not shift the columns; a renamed column raises `SchemaError`. Reference years are read
from the year row, not assumed, so a newer edition of the table carries its own years through.

`X` (suppressed for confidentiality) and `*` (no candidate) are missing values, never zero.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo import sources
from geo.errors import SchemaError
from geo.indicators.common import Collector, Num, SourceValues, annual_rate_from_total, read_sheet
from geo.readers import normalise_header, require_columns
from geo.schema import check_unique

SOURCE = "ch_portraits_2021"
CODE_HEADER = "Number of commune"

# indicator id -> column header (after whitespace and footnote marks are removed).
LEVELS = {
    "population": "Residents",
    "density": "Population density per km²",
    "foreign_pct": "Foreign nationals in %",
    "share_0_19": "0-19 years",
    "share_20_64": "20-64 years",
    "share_65plus": "65 years or over",
    "birth_rate": "Crude birth rate",
    "death_rate": "Crude mortality rate",
    "households": "Private households",
    "household_size": "Size of households in persons",
    "jobs": "Employed total",
    "vacancy_rate": "Dwelling vacancy rate",
    "new_dwellings_per_1000": "New housing units per 1000 residents",
    "social_assistance_rate": "Social assistance rate",
}
CHANGE_HEADER = "Change in %"  # population change over the period in the year row, e.g. "2010-2019"
# The sector columns repeat under "Employed total" and under "Business establishments total"; the jobs in
# the primary sector are the column right after "Employed total".
PRIMARY_AFTER_JOBS = "Primary sector"

_FOOTNOTE = re.compile(r"\s*\d+\)$")
_PERIOD = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")


def _header(cell: object) -> str:
    """Return a header cell without line breaks and without a trailing footnote mark like ' 1)'."""
    return _FOOTNOTE.sub("", normalise_header(cell)) if cell is not None else ""


def read(root: Path | None = None) -> SourceValues:
    """Return the commune indicators of the regional portraits with their note."""
    path = sources.locate(SOURCE, root=root)
    rows = read_sheet(SOURCE, path)
    out = Collector(SOURCE, path)

    header_at = next((i for i, row in enumerate(rows) if any(_header(c) == CODE_HEADER for c in row)), None)
    if header_at is None:
        raise SchemaError(SOURCE, path, f"has no header cell '{CODE_HEADER}' (renamed?)")
    headers = [_header(c) for c in rows[header_at]]
    years = rows[header_at + 1] if header_at + 1 < len(rows) else []
    code_col = headers.index(CODE_HEADER)
    require_columns(pd.DataFrame(columns=headers), [*LEVELS.values(), CHANGE_HEADER], SOURCE, path)
    jobs_col = headers.index(LEVELS["jobs"])
    if jobs_col + 1 >= len(headers) or headers[jobs_col + 1] != PRIMARY_AFTER_JOBS:
        raise SchemaError(SOURCE, path, f"the column after '{LEVELS['jobs']}' is not '{PRIMARY_AFTER_JOBS}'")

    # Body: every row below the year row, indexed by its row number in the sheet (1-based).
    first = header_at + 2
    width = len(headers)
    body = pd.DataFrame([(list(r) + [""] * width)[:width] for r in rows[first:]], dtype=object)
    body.index = range(first + 1, first + 1 + len(body))
    is_commune = body[code_col].map(_is_code)
    out.skip(
        "rows without a commune number (Switzerland total, footnotes)",
        int((~is_commune & body.apply(_non_empty, axis=1)).sum()),
    )
    body = body[is_commune]
    body[code_col] = body[code_col].map(lambda c: str(int(float(c))))
    check_unique(body, code_col, SOURCE, path)
    unit_ids = "CH_" + body[code_col]

    parsed: dict[int, Num] = {}

    def column(col: int, name: str | None = None) -> Num:
        # Each column is parsed once, so that an unparsable cell is reported once.
        if col not in parsed:
            parsed[col] = out.number(body[col], name or headers[col])
        return parsed[col]

    for indicator, header in LEVELS.items():
        col = headers.index(header)
        out.add(indicator, unit_ids, column(col), _year(years, col, header, path))

    jobs = column(jobs_col)
    primary = column(jobs_col + 1, f"{PRIMARY_AFTER_JOBS} (after {LEVELS['jobs']})")
    out.add("jobs_primary_pct", unit_ids, primary / jobs * 100.0, _year(years, jobs_col + 1, "Primary sector", path))

    change_col = headers.index(CHANGE_HEADER)
    start, end = _period(years, change_col, path)
    out.add(
        "pop_change_pa", unit_ids, annual_rate_from_total(column(change_col), end - start), end, period=f"{start}-{end}"
    )
    out.facts["communes"] = len(body)
    return out.finish()


def _is_code(cell: object) -> bool:
    """True for a commune number: an integer, whether stored as a number or as digits."""
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float):
        return float(cell).is_integer() and cell > 0
    return isinstance(cell, str) and cell.strip().isdigit()


def _non_empty(row: pd.Series) -> bool:
    return any(c not in ("", None) for c in row)


def _year(years: list, col: int, header: str, path: Path) -> int:
    """Return the reference year under a column header, or raise `SchemaError` when it is not a year."""
    cell = years[col] if col < len(years) else ""
    try:
        year = int(float(cell))
    except (TypeError, ValueError):
        raise SchemaError(SOURCE, path, f"the year cell under '{header}' is {cell!r}, not a year") from None
    if not 1900 <= year <= 2100:
        raise SchemaError(SOURCE, path, f"the year cell under '{header}' is {cell!r}, not a year")
    return year


def _period(years: list, col: int, path: Path) -> tuple[int, int]:
    """Return (start, end) of the period under the change column, e.g. "2010-2019" -> (2010, 2019)."""
    cell = str(years[col] if col < len(years) else "").strip()
    match = _PERIOD.match(cell)
    if not match or int(match[2]) <= int(match[1]):
        raise SchemaError(SOURCE, path, f"the year cell under '{CHANGE_HEADER}' is {cell!r}, not a period")
    return int(match[1]), int(match[2])
