"""Italy: foreign residents per comune on 1 January (ISTAT, demo.istat.it), source `it_istat_foreign_residents`.

Not yet run on a real file (none is in the data mirror): written from the layout ISTAT's demography portal
documents for its "Stranieri residenti al 1° gennaio" downloads, and tested on small files in that layout.

Layout expected: a CSV (`,` or `;`, UTF-8 or Windows-1252) with one or more title lines, one of which names
the reference day ("... al 1° gennaio 2024"), then a header row with "Codice comune", "Età" and "Totale" (or
"Maschi" and "Femmine"), then one row per comune and age; an age of "Totale" or 999 holds all ages. The
header row is found by its "Codice comune" cell, so extra title lines do not shift it. `-` (no value) is
missing, never zero.

foreign_pct: foreign citizens resident in the comune as % of all its residents on the same 1 January. The
file has no total population, so the denominator comes from ISTAT's residents by age of that day
(`it_population_by_age`, in the mirror for 2022 and 2023): a year without that denominator gives no
values, and the note says why. Both are ISTAT's population register (anagrafe) figures, so the two
counts share a definition.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo import sources
from geo.errors import SchemaError, SourceError
from geo.indicators import it
from geo.indicators.common import Collector, Num, SourceValues
from geo.indicators.textfiles import column, decode, frame, header_index, sniff_separator, split_rows
from geo.schema import check_unique

SOURCE = "it_istat_foreign_residents"
CODE = "Codice comune"
AGE = "Età"
TOTAL = "Totale"
MEN, WOMEN = "Maschi", "Femmine"
ALL_AGES = {"totale", "999"}
_YEAR = re.compile(r"1\s*°?\s*gennaio\s+(\d{4})", re.IGNORECASE)


def read(root: Path | None = None) -> SourceValues:
    """Return foreign_pct per comune for the file's 1 January (denominator: it_population_by_age)."""
    path = sources.locate(SOURCE, root=root)
    text = decode(SOURCE, path)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if CODE.casefold() in line.casefold()), None)
    if first is None:
        raise SchemaError(SOURCE, path, f"has no header row with a cell '{CODE}' (renamed, or another table?)")
    rows = split_rows(text, sniff_separator(lines[first]))
    at = header_index(rows, CODE, SOURCE, path)
    year = _year(lines[:first], path)
    table = frame(rows, at)
    code_col, age_col = column(table, (CODE,)), column(table, (AGE, "Eta", "Età"))
    total_col = column(table, (TOTAL, "Totale maschi e femmine"))
    men_col, women_col = column(table, (MEN,)), column(table, (WOMEN,))
    if age_col is None or (total_col is None and (men_col is None or women_col is None)):
        present = ", ".join(map(str, table.columns))
        raise SchemaError(SOURCE, path, f"lacks '{AGE}' and '{TOTAL}' (or '{MEN}' and '{WOMEN}'); it has: {present}")
    out = Collector(SOURCE, path)

    codes = table[code_col].str.strip()
    is_comune = codes.str.fullmatch(r"\d{1,6}")
    out.skip("rows without a comune code (totals, notes, blank lines)", int((~is_comune).sum()))
    table = table[is_comune].assign(code=codes[is_comune].str.zfill(6))
    age = table[age_col].str.strip().str.casefold()
    count = out.number(table[total_col]) if total_col else out.number(table[men_col]) + out.number(table[women_col])

    # An all-ages row, where the file has one, is the publisher's own total; otherwise the ages are summed,
    # and a comune with any age missing has an unknown total, not a smaller one.
    all_ages = age.isin(ALL_AGES)
    given = table[all_ages]
    check_unique(given, "code", SOURCE, path)
    by_age = table[~all_ages]
    summed = count.value[~all_ages].groupby(by_age["code"]).sum(min_count=1)
    complete = count.value[~all_ages].notna().groupby(by_age["code"]).all()
    foreign = pd.Series(count.value[all_ages].to_numpy(), index=given["code"].to_numpy(), dtype="float64")
    foreign = foreign.combine_first(summed.where(complete))
    suppressed = pd.Series(count.suppressed[all_ages].to_numpy(), index=given["code"].to_numpy())
    suppressed = suppressed.combine_first(count.suppressed[~all_ages].groupby(by_age["code"]).any()).astype(bool)
    foreign, suppressed = foreign.sort_index(), suppressed.reindex(foreign.sort_index().index, fill_value=False)

    residents = _residents(root, year, out)
    unit_ids = pd.Series("IT_" + foreign.index, index=foreign.index)
    denominator = Num.of(residents.reindex(foreign.index))
    out.add("foreign_pct", unit_ids, Num(foreign, suppressed) / denominator * 100.0, year)
    out.facts["comuni"] = len(foreign)
    out.facts["year"] = year
    out.facts["foreign_residents"] = float(foreign.sum())
    return out.finish()


def _year(title_lines: list[str], path: Path) -> int:
    for line in title_lines:
        if match := _YEAR.search(line):
            return int(match.group(1))
    raise SchemaError(SOURCE, path, "names no reference day ('al 1° gennaio <year>') above the header row")


def _residents(root: Path | None, year: int, out: Collector) -> pd.Series:
    """Return residents per 6-digit comune code on 1 January `year`, from `it_population_by_age`."""
    try:
        by_age = it.read_population_by_age(root).values
    except SourceError as err:
        out.facts["denominator"] = f"it_population_by_age could not be read ({err.problem}): no foreign_pct"
        return pd.Series(dtype="float64")
    rows = by_age[(by_age["indicator"] == "population") & (by_age["year"] == year)]
    if rows.empty:
        years = sorted(set(by_age["year"].tolist()))
        out.facts["denominator"] = f"it_population_by_age has no residents of 1 January {year} (it has {years})"
        return pd.Series(dtype="float64")
    out.facts["denominator"] = f"residents of 1 January {year}, it_population_by_age"
    return pd.Series(rows["value"].to_numpy(), index=rows["unit_id"].str[3:].to_numpy(), dtype="float64")
