"""France: census population by nationality per commune (INSEE, table NAT1), source `fr_insee_nationality`.

Not yet run on a real file (none is in the data mirror): written from INSEE's documented layout of its
census "bases de tableaux détaillés" and tested on small files in that layout.

Layout expected: the CSV of the BTX_TD_NAT1_<year> zip, `;`-separated (UTF-8 or Windows-1252), columns
CODGEO (commune code, kept as text: 01001, 2A004), LIBGEO, and one column per cross of the table's
variables, named by their codes: AGE4 (age band), INATC (1 French, 2 foreigners) and SEXE, e.g.
`AGE400_INATC2_SEXE1`. The reader sums columns by their INATC code, so the order of the variables in the
names does not matter. Counts are census estimates with decimals (a `.` or a `,`). The census year is read
from the file name.

foreign_pct: residents without French nationality ("étrangers", INATC 2) as % of all residents counted
in the table, census of the year named (the five annual surveys around it). Immigrants (people born
abroad as foreigners, table IMG1A) are a different population: some are French by acquisition, and
foreigners born in France are not immigrants; the catalogue has no indicator for them, so IMG1A is not
read. The arrondissements municipaux of Paris, Lyon and Marseille, which the bases also list, are left
out: the communes' own rows carry the same people.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo import sources
from geo.errors import SchemaError, SourceCorrupt
from geo.indicators.common import Collector, SourceValues
from geo.indicators.textfiles import decode, frame, header_index, split_rows
from geo.schema import check_unique

SOURCE = "fr_insee_nationality"
CODE = "CODGEO"
_INATC = re.compile(r"(?:^|_)INATC([12])(?:_|$)")
_YEAR = re.compile(r"(\d{4})(?!.*\d{4})")
# Arrondissements municipaux: Paris 75101-75120, Lyon 69381-69389, Marseille 13201-13216.
_ARRONDISSEMENT = re.compile(r"^(751(0[1-9]|1\d|20)|6938[1-9]|132(0[1-9]|1[0-6]))$")


def read(root: Path | None = None) -> SourceValues:
    """Return foreign_pct per commune for the census year named in the file name."""
    path = sources.locate(SOURCE, root=root)
    year = _census_year(path)
    rows = split_rows(decode(SOURCE, path), ";")
    table = frame(rows, header_index(rows, CODE, SOURCE, path))
    by_nationality = {c: m.group(1) for c in table.columns if (m := _INATC.search(str(c)))}
    if "2" not in by_nationality.values() or "1" not in by_nationality.values():
        raise SchemaError(
            SOURCE, path, "has no count columns for both INATC1 (French) and INATC2 (foreigners): not table NAT1?"
        )
    out = Collector(SOURCE, path)

    codes = table[CODE].str.strip()
    is_code = codes.str.fullmatch(r"\d[\dAB]\d{3}")
    out.skip("rows without a commune code", int((~is_code).sum()))
    table = table[is_code].assign(code=codes[is_code])
    arrondissement = table["code"].str.match(_ARRONDISSEMENT)
    out.skip("arrondissements municipaux (their commune has its own row)", int(arrondissement.sum()))
    table = table[~arrondissement]
    if table.empty:
        raise SourceCorrupt(SOURCE, path, "has a header but no commune rows")
    check_unique(table, "code", SOURCE, path)

    comma = any(table[c].str.contains(",", regex=False).any() for c in by_nationality)
    decimal = "," if comma else "."
    french = _sum(out, table, [c for c, n in by_nationality.items() if n == "1"], decimal)
    foreign = _sum(out, table, [c for c, n in by_nationality.items() if n == "2"], decimal)
    unit_ids = "FR_" + table["code"]
    out.add("foreign_pct", unit_ids, foreign / (french + foreign) * 100.0, year)
    out.facts["communes"] = len(table)
    out.facts["census_year"] = year
    return out.finish()


def _sum(out: Collector, table: pd.DataFrame, columns: list[str], decimal: str):
    total = out.number(table[columns[0]], decimal=decimal)
    for c in columns[1:]:
        total = total + out.number(table[c], decimal=decimal)
    return total


def _census_year(path: Path) -> int:
    match = _YEAR.search(path.stem)
    if not match:
        raise SchemaError(SOURCE, path, "names no census year (the file is published as BTX_TD_NAT1_<year>)")
    return int(match.group(1))
