"""Germany: the Gemeindeverzeichnis GV100AD (`de_gv100`) and Census 2022 figures (`de_census_2022`).

- GV100AD is fixed-width UTF-8 text. Record type (Satzart) 60 is a Gemeinde; positions are 1-based, in
  characters, not bytes (names hold umlauts). Population and area refer to 31 December 2020. The AGS is
  positions 11-18 (Land, Regierungsbezirk, Kreis, Gemeinde), followed by the Gemeindeverband in 19-22:
  checked on the file itself, where 11-18 is unique and matches the AGS of VG5000 for 99.95 % of the
  Gemeinden, while "11-15 + 20-22" (as SOURCES.md of the mirror describes it) repeats 1,208 keys.
  Textkennzeichen 66 marks unpopulated unincorporated areas (forests, lakes), which are skipped: they
  are not municipalities and would show as a density of zero.
- The Census 2022 file is an R data file whose object `census_2022_internal` was derived by the GERDA
  research package. Only population and the share of foreign nationals are trustworthy there (several
  other columns are visibly wrong), so only those two are read.

GV100's population is the intercensal update from the 2011 census; Census 2022 counts afresh. The two
differ by method, not only by date, so a change between them is not a trend (the catalogue says so).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pyreadr

from geo import sources
from geo.errors import SchemaError, SourceCorrupt
from geo.indicators.common import Collector, Num, SourceValues, read_binary
from geo.readers import require_columns
from geo.schema import check_unique

GV100 = "de_gv100"
CENSUS = "de_census_2022"

# 1-based inclusive character positions of the GV100AD record layout, record type 60 (Gemeinde).
RECORD_TYPE = (1, 2)
AGS = (11, 18)
TEXT_KEY = (123, 124)
AREA_HA = (129, 139)
POPULATION = (140, 150)
GEMEINDE_RECORD = "60"
UNPOPULATED_AREA = "66"
GV100_YEAR = 2020  # population and area of 31 December 2020

CENSUS_OBJECT = "census_2022_internal"
CENSUS_YEAR = 2022  # reference day 15 May 2022


def _field(lines: pd.Series, span: tuple[int, int]) -> pd.Series:
    return lines.str.slice(span[0] - 1, span[1])


def read_gv100(root: Path | None = None) -> SourceValues:
    """Return population and density of every populated Gemeinde (31 December 2020)."""
    path = sources.locate(GV100, root=root)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceCorrupt(GV100, path, f"is not UTF-8 text: {exc}") from exc
    lines = pd.Series(text.splitlines(), dtype=object)
    lines.index = lines.index + 1  # line numbers as an editor shows them
    records = lines[_field(lines, RECORD_TYPE) == GEMEINDE_RECORD]
    if records.empty:
        raise SchemaError(GV100, path, f"has no record of type {GEMEINDE_RECORD} (Gemeinde): not a GV100AD file?")
    short = records.str.len() < POPULATION[1]
    if short.any():
        line = short[short].index[0]
        raise SourceCorrupt(
            GV100,
            path,
            f"line {line} is {len(records[line])} characters long, shorter than the record layout ({POPULATION[1]})",
        )
    out = Collector(GV100, path)

    unpopulated = _field(records, TEXT_KEY) == UNPOPULATED_AREA
    out.skip("unpopulated unincorporated areas (Textkennzeichen 66)", int(unpopulated.sum()))
    records = records[~unpopulated]
    table = pd.DataFrame(
        {
            "ags": _field(records, AGS),
            "area_ha": _field(records, AREA_HA),
            "population": _field(records, POPULATION),
        }
    )
    bad_code = ~table["ags"].str.fullmatch(r"\d{8}")
    if bad_code.any():
        line = bad_code[bad_code].index[0]
        raise SourceCorrupt(GV100, path, f"line {line} has the key {table.at[line, 'ags']!r}, not 8 digits")
    check_unique(table, "ags", GV100, path)
    unit_ids = "DE_" + table["ags"]

    population = out.number(table["population"], "population (positions 140-150)")
    area_km2 = out.number(table["area_ha"], "area in ha (positions 129-139)") / 100.0
    out.add("population", unit_ids, population, GV100_YEAR)
    out.add("density", unit_ids, population / area_km2, GV100_YEAR)
    out.facts["gemeinden"] = len(table)
    return out.finish()


def read_census(root: Path | None = None) -> SourceValues:
    """Return Census 2022 population and share of foreign nationals per Gemeinde."""
    path = sources.locate(CENSUS, root=root)
    objects = read_binary(CENSUS, path, "an R data file", _read_rda)
    if CENSUS_OBJECT not in objects:
        raise SchemaError(CENSUS, path, f"has no object '{CENSUS_OBJECT}' (renamed?)")
    table = objects[CENSUS_OBJECT]
    require_columns(table, ["ags", "population_census22", "share_foreign_census22"], CENSUS, path)
    out = Collector(CENSUS, path)
    table = table.reset_index(drop=True)
    table.index = table.index + 1
    table["ags"] = table["ags"].astype(str).str.strip().str.zfill(8)
    check_unique(table, "ags", CENSUS, path)
    unit_ids = "DE_" + table["ags"]
    out.add("population", unit_ids, _numeric(out, table, "population_census22"), CENSUS_YEAR)
    out.add("foreign_pct", unit_ids, _numeric(out, table, "share_foreign_census22"), CENSUS_YEAR)
    out.facts["gemeinden"] = len(table)
    return out.finish()


def _read_rda(path: Path) -> dict[str, pd.DataFrame]:
    with warnings.catch_warnings():
        # pyreadr warns when the object is absent; the caller raises SchemaError for that instead.
        warnings.simplefilter("ignore", UserWarning)
        return pyreadr.read_r(str(path), use_objects=[CENSUS_OBJECT])


def _numeric(out: Collector, table: pd.DataFrame, column: str) -> Num:
    """Numbers from an R column: NA is the only suppression marker there."""
    if pd.api.types.is_numeric_dtype(table[column]):
        return Num.of(table[column])
    return out.number(table[column])
