"""Liechtenstein: permanent resident population per Gemeinde (Amt für Statistik), source `li_population_gemeinden`.

Not yet run on a real file (none is in the data mirror): the Amt für Statistik publishes the population
per Gemeinde and citizenship on 31 December (statistikportal.li, Bevölkerungsstand) as tables; the reader
takes a CSV export of such a table and reads it by column names, since the export layout is not
documented in a form checked here. Tested on small files made here.

Layout expected: `;` or `,` separated (UTF-8 or Windows-1252), optional title lines, a header row with a
"Gemeinde" cell, a total column ("Total", "Ständige Bevölkerung" or "Bevölkerung"), optionally
"Ausländer" (foreign citizens) and "Jahr"; without "Jahr" the year is read from a title line naming the
day ("31.12.2023" or "31. Dezember 2023"). Numbers may carry Swiss thousands marks (39'315). Rows for
Liechtenstein, Oberland, Unterland or Total are skipped.

Gemeinden are matched by name (case, spacing and a "Gemeinde" prefix ignored) onto LI_01 … LI_11, the
ISO 3166-2 codes LI-01 … LI-11 in alphabetical order that the LI boundaries use; a name that matches
none is listed in the note, never guessed. foreign_pct: residents without Liechtenstein citizenship as %
of the permanent resident population.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from geo import sources
from geo.errors import SchemaError
from geo.indicators.common import Collector, SourceValues
from geo.indicators.textfiles import column, decode, frame, header_index, sniff_separator, split_rows
from geo.schema import check_unique

SOURCE = "li_population_gemeinden"
GEMEINDEN = (
    "Balzers", "Eschen", "Gamprin", "Mauren", "Planken", "Ruggell",
    "Schaan", "Schellenberg", "Triesen", "Triesenberg", "Vaduz",
)  # fmt: skip
UNIT_BY_NAME = {name.casefold(): f"LI_{i:02d}" for i, name in enumerate(GEMEINDEN, start=1)}
AGGREGATES = {"liechtenstein", "oberland", "unterland", "total", "insgesamt", "fürstentum liechtenstein"}
TOTAL_NAMES = ("Total", "Ständige Bevölkerung", "Bevölkerung", "Einwohner", "Total Bevölkerung")
FOREIGN_NAMES = ("Ausländer", "Ausländerinnen und Ausländer", "Ausländer/innen")
_HEADER = re.compile(r'(^|[;,\t])\s*"?Gemeinde"?\s*([;,\t]|$)', re.IGNORECASE)
_YEAR = re.compile(r"31\.\s*(?:12\.|Dezember)\s*(\d{4})")


def read(root: Path | None = None) -> SourceValues:
    """Return population and (where the file has foreigners) foreign_pct per Gemeinde."""
    path = sources.locate(SOURCE, root=root)
    text = decode(SOURCE, path)
    lines = text.splitlines()
    # The header is the line with a cell that is exactly "Gemeinde" (a title may name Gemeinden too).
    first = next((i for i, line in enumerate(lines) if _HEADER.search(line)), None)
    if first is None:
        raise SchemaError(SOURCE, path, "has no header row with a cell 'Gemeinde' (renamed, or another table?)")
    rows = split_rows(text, sniff_separator(lines[first]))
    at = header_index(rows, "Gemeinde", SOURCE, path)
    table = frame(rows, at)
    name_col, total_col = column(table, ("Gemeinde",)), column(table, TOTAL_NAMES)
    foreign_col, year_col = column(table, FOREIGN_NAMES), column(table, ("Jahr",))
    if total_col is None:
        present = ", ".join(map(str, table.columns))
        raise SchemaError(SOURCE, path, f"lacks a total column ({', '.join(TOTAL_NAMES)}); it has: {present}")
    out = Collector(SOURCE, path)

    names = table[name_col].map(_plain)
    blank_or_total = names.eq("") | names.isin(AGGREGATES)
    out.skip("blank rows and totals (Liechtenstein, Oberland, Unterland)", int(blank_or_total.sum()))
    table, names = table[~blank_or_total], names[~blank_or_total]
    unit = names.map(UNIT_BY_NAME)
    out.exclude(sorted(set(table.loc[unit.isna(), name_col])), "name matches no Gemeinde of Liechtenstein")
    table = table[unit.notna()].assign(unit_id=unit[unit.notna()])

    if year_col:
        years = pd.to_numeric(table[year_col].str.strip(), errors="coerce")
        if years.isna().any():
            row = years[years.isna()].index[0]
            raise SchemaError(SOURCE, path, f"Jahr is {table.at[row, year_col]!r} in line {row}, not a year")
        table = table.assign(year=years.astype(int))
    else:
        table = table.assign(year=_title_year(lines[:first], path))
    for year, one in table.groupby("year"):
        check_unique(one, "unit_id", SOURCE, path)
        population = out.number(one[total_col], thousands="'")
        out.add("population", one["unit_id"], population, int(year))
        if foreign_col:
            foreign = out.number(one[foreign_col], thousands="'")
            out.add("foreign_pct", one["unit_id"], foreign / population * 100.0, int(year))
    out.facts["gemeinden"] = int(table["unit_id"].nunique())
    return out.finish()


def _plain(name: object) -> str:
    """Return a name in lower case without extra spaces or a 'Gemeinde' prefix."""
    text = unicodedata.normalize("NFC", str(name)).strip()
    text = re.sub(r"^Gemeinde\s+", "", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).casefold()


def _title_year(title_lines: list[str], path: Path) -> int:
    for line in title_lines:
        if match := _YEAR.search(line):
            return int(match.group(1))
    raise SchemaError(SOURCE, path, "has no 'Jahr' column and names no reference day (31.12.<year>) above the header")
