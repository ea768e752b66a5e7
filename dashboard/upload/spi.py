"""The PlurAlps SPI self-assessment: the template to fill in, and reading a filled one.

A working group rates its municipality on the nine fields of action of the Social Planning Instrument, on
a scale from 1 (much to do) to 5 (well developed). The template has one row per unit (unit_id, name,
country), the date of the assessment (`assessed`: a year or a date) and one column per field, named
spi_<n>_<field>; the XLSX version has an instructions sheet.

The SPI is meant to be repeated every two to five years: each assessment is uploaded as its own file
with its date, and a municipality assessed twice shows both (dashboard/assessments.py).
"""

from __future__ import annotations

import io
import re

import pandas as pd

from dashboard.upload.datasets import SPI_SCALE
from geo.terms import SPI_FIELDS

COLUMN = re.compile(r"^spi[_ ]?([1-9])(?:[_ ].*)?$", re.IGNORECASE)
ASSESSED = "assessed"  # the template's date column
ASSESSED_NAMES = (ASSESSED, "assessment date", "assessment_date", "date", "datum", "data", "year", "jahr", "anno")
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


def column_name(number: int) -> str:
    return f"spi_{number}_{SPI_FIELDS[number - 1]}"


def template_frame(units: pd.DataFrame, countries: list[str] | None = None) -> pd.DataFrame:
    """Return the blank assessment: every unit (of `countries`), one empty column per field of action."""
    chosen = units if not countries else units[units["country"].isin(countries)]
    frame = chosen[["unit_id", "name", "country"]].reset_index(drop=True)
    frame[ASSESSED] = ""
    for number in range(1, len(SPI_FIELDS) + 1):
        frame[column_name(number)] = ""
    return frame


def template_xlsx(frame: pd.DataFrame, instructions: list[str]) -> bytes:
    """Return the template as an XLSX workbook with an instructions sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="assessment", index=False)
        pd.DataFrame({"instructions": instructions}).to_excel(writer, sheet_name="instructions", index=False)
    return buffer.getvalue()


def spi_columns(columns: list[str]) -> dict[str, str]:
    """Return {column: field of action} for the columns named like the template's (spi_1_..., spi 9)."""
    found = {}
    for column in columns:
        match = COLUMN.match(column.strip())
        if match:
            found[column] = SPI_FIELDS[int(match.group(1)) - 1]
    return found


def in_scale(value: float) -> bool:
    low, high = SPI_SCALE
    return low <= value <= high


def assessed_column(columns: list[str]) -> str | None:
    """The column giving each row's date of assessment, if the file has one."""
    for column in columns:
        if str(column).strip().lower() in ASSESSED_NAMES:
            return column
    return None


def assessment_year(cell) -> int | None:
    """The year of an assessment date as people write it: 2023, "2023-05-14", "14.05.2023", a spreadsheet
    date; None when no year between 1900 and 2099 can be read."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return None
    if hasattr(cell, "year"):  # a date or timestamp from a spreadsheet
        year = int(cell.year)
    else:
        text = str(cell).strip()
        if text.endswith(".0"):
            text = text[:-2]  # a year read as a float
        match = _YEAR.search(text)
        if not match:
            return None
        year = int(match.group(0))
    return year if 1900 <= year <= 2099 else None
