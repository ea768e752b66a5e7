"""Italy: three ISTAT sources, all keyed by the 6-digit comune code (PRO_COM_T, "001272" for Torino).

- `it_classification_2020`: the classification of comuni at 31 December 2020 (legacy .xls, sheet
  "Comuni al 31122020"; the sheet "Legenda" gives the reference year of each column): legal population
  of the 2011 census and resident population of 31 December 2019 on the comuni of end-2020, hence their
  change; density; altitude of the town hall; altitude zone; degree of urbanisation.
- `it_population_by_age`: resident population by single year of age (0-100, 100 = 100 and over) for
  two years, as feather files; population and age-band shares.
- `it_comuni_2020`: the list of comuni at 1 January 2020 (`;`, latin-1, German-style thousands `.`)
  with the legal population of 2011. The classification carries the same figure on newer boundaries, so
  `load_indicators` keeps this one only for codes the classification lacks.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.feather

from geo import sources
from geo.errors import SchemaError
from geo.indicators.common import (
    Collector,
    Num,
    SourceValues,
    annual_rate,
    file_rows,
    read_binary,
    read_csv,
    read_sheet,
)
from geo.readers import normalise_header, require_columns
from geo.schema import check_unique

CLASSIFICATION = "it_classification_2020"
BY_AGE = "it_population_by_age"
COMUNI_2020 = "it_comuni_2020"

SHEET = "Comuni al 31122020"
CODE = "Codice Istat del Comune (alfanumerico)"
AREA = "Superficie territoriale (kmq) al 01/01/2020"
LEGAL_2011 = "Popolazione legale 2011 (09/10/2011)"
RESIDENT_2019 = "Popolazione residente al 31/12/2019"
ALTITUDE_ZONE = "Zona altimetrica"
ALTITUDE = "Altitudine del centro (metri)"
DEGURBA = "Grado di urbanizzazione"

# The census of 9 October 2011 and the population count of 31 December 2019 lie 8.23 years apart; the
# annual rate uses that span, not 8, so that it is not overstated.
CENSUS_2011 = date(2011, 10, 9)
END_2019 = date(2019, 12, 31)
YEARS_2011_2019 = (END_2019 - CENSUS_2011).days / 365.25

# Reference years the "Legenda" sheet gives for the class columns: the altitude of the town hall is the
# one surveyed at the 2011 census; DEGURBA is the classification valid from 1 January 2018.
ALTITUDE_YEAR = 2011
ALTITUDE_ZONE_YEAR = 2020
DEGURBA_YEAR = 2018

AGE_BANDS = {
    "share_under15": (0, 14),
    "share_0_19": (0, 19),
    "share_20_64": (20, 64),
    "share_65plus": (65, 200),
}


def read_classification(root: Path | None = None) -> SourceValues:
    """Return population 2011 and 2019, its change, density, altitude, altitude zone and DEGURBA."""
    path = sources.locate(CLASSIFICATION, root=root)
    rows = read_sheet(CLASSIFICATION, path, SHEET)
    if not rows:
        raise SchemaError(CLASSIFICATION, path, f"sheet '{SHEET}' is empty")
    headers = [normalise_header(h) for h in rows[0]]
    table = file_rows(pd.DataFrame([list(r)[: len(headers)] for r in rows[1:]], columns=headers, dtype=object), 2)
    require_columns(
        table, [CODE, AREA, LEGAL_2011, RESIDENT_2019, ALTITUDE_ZONE, ALTITUDE, DEGURBA], CLASSIFICATION, path
    )
    out = Collector(CLASSIFICATION, path)

    blank = table[CODE].map(lambda c: c is None or str(c).strip() == "")
    out.skip("rows without a comune code", int(blank.sum()))
    table = table[~blank]
    table[CODE] = table[CODE].map(_code)
    check_unique(table, CODE, CLASSIFICATION, path)
    unit_ids = "IT_" + table[CODE]

    legal, resident = out.number(table[LEGAL_2011]), out.number(table[RESIDENT_2019])
    out.add("population", unit_ids, legal, 2011)
    out.add("population", unit_ids, resident, 2019)
    out.add("pop_change_pa", unit_ids, annual_rate(legal, resident, YEARS_2011_2019), 2019, period="2011-2019")
    out.add("density", unit_ids, resident / out.number(table[AREA]), 2019)
    out.add("altitude_centre_m", unit_ids, out.number(table[ALTITUDE]), ALTITUDE_YEAR)
    out.add("it_altitude_zone", unit_ids, _classes(out.number(table[ALTITUDE_ZONE]), range(1, 6)), ALTITUDE_ZONE_YEAR)
    out.add("degurba", unit_ids, _classes(out.number(table[DEGURBA]), range(1, 4)), DEGURBA_YEAR)
    out.facts["comuni"] = len(table)
    return out.finish()


def read_population_by_age(root: Path | None = None) -> SourceValues:
    """Return population and age-band shares for every part (year) of the by-age source."""
    parts = sources.get(BY_AGE).parts
    paths = {part: sources.locate(BY_AGE, part, root) for part in parts}
    out = Collector(BY_AGE, paths[parts[0]].parent)
    for part, path in paths.items():
        table = read_binary(BY_AGE, path, "feather", lambda p: pyarrow.feather.read_table(p).to_pandas())
        require_columns(table, ["municipality_code", "age", "tot"], BY_AGE, path)
        table = table[["municipality_code", "age", "tot"]].copy()
        table.index = table.index + 1  # row number as a person counts it
        for column in ("municipality_code", "age"):
            if not pd.api.types.is_integer_dtype(table[column]):
                raise SchemaError(BY_AGE, path, f"column {column} is {table[column].dtype}, not integer")
        if table.duplicated(["municipality_code", "age"]).any():  # cheap test first, message only if needed
            key = table["municipality_code"].astype(str) + " age " + table["age"].astype(str)
            check_unique(pd.DataFrame({"municipality_code and age": key}), "municipality_code and age", BY_AGE, path)
        count = out.number(table["tot"], f"tot ({part})")
        by_code = pd.DataFrame({"code": table["municipality_code"], "age": table["age"], "n": count.value})
        year = int(part)
        total = by_code.groupby("code")["n"].sum(min_count=1)
        # A comune with any missing age count has an unknown total, not a smaller one.
        complete = by_code["n"].notna().groupby(by_code["code"]).all()
        total = total.where(complete)
        unit_ids = pd.Series("IT_" + total.index.astype(str).str.zfill(6), index=total.index)
        out.add("population", unit_ids, Num.of(total), year)
        for indicator, (low, high) in AGE_BANDS.items():
            in_band = by_code["age"].between(low, high)
            band = by_code["n"].where(in_band, 0.0).groupby(by_code["code"]).sum(min_count=1).where(complete)
            out.add(indicator, unit_ids, Num.of(band) / Num.of(total) * 100.0, year)
        out.facts.setdefault("comuni", {})[part] = len(total)
    return out.finish()


def read_comuni_2020(root: Path | None = None) -> SourceValues:
    """Return the legal population of the 2011 census per comune code of 1 January 2020."""
    path = sources.locate(COMUNI_2020, root=root)
    table = read_csv(COMUNI_2020, path, sep=";", encoding="latin-1")
    table.columns = [normalise_header(c) for c in table.columns]
    code = "Codice Comune formato alfanumerico"
    require_columns(table, [code, LEGAL_2011], COMUNI_2020, path)
    out = Collector(COMUNI_2020, path)
    table[code] = table[code].map(_code)
    check_unique(table, code, COMUNI_2020, path)
    out.add("population", "IT_" + table[code], out.number(table[LEGAL_2011], decimal=",", thousands="."), 2011)
    out.facts["comuni"] = len(table)
    return out.finish()


def _code(cell: object) -> str:
    """Return a comune code as 6 digits: spreadsheets may store it as the number 1272 or text '001272'."""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip().zfill(6)


def _classes(num: Num, allowed: range) -> Num:
    """Return class codes, with values outside the documented classes made missing (as 'not classified')."""
    outside = num.value.notna() & ~num.value.isin(np.asarray(allowed, dtype="float64"))
    return num.blank(outside)
