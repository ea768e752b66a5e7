"""Europe-wide sources: NUTS 3 population (`riate_nuts3`) and DEGURBA 2014 per LAU (`gisco_degurba_2014`).

- RIATE's NUTS 3 template carries Eurostat's population of 2021 (2019-20 where 2021 is missing) and
  density as attributes. Only the attributes are read (no geometry: the polygons are NUTS 2016/2020 and
  the project's NUTS 3 codes come from NUTS 2021). The unit id is the NUTS 3 code itself, for every
  region in the file; the build writes those of its regions to regions.parquet (geo.regions), apart from
  the municipal values, so a region's figure is never painted on its municipalities. Two regions (PT200,
  PT300) appear twice with identical attributes, once per polygon part, and are collapsed.
- Eurostat's DEGURBA 2014 gives the degree of urbanisation per LAU of 2014 (1 cities, 2 towns and
  suburbs, 3 rural areas; 9 = not classified, read as missing). The unit id is CNTR_CODE + "_" + the
  national code (NSI); Swiss codes are zero-padded to 4 digits there and lose the padding here, because
  the BFS number is used without it (CH_261). Slovenian codes are the občina number padded to 3, as the
  project's (SI_061). Liechtenstein's (LI0000<district><number>) are not the ISO numbers the project uses
  and are not joined (geo.boundaries.li). Codes predate later mergers; the build reports matches.
"""

from __future__ import annotations

from pathlib import Path

import pyogrio

from geo import sources
from geo.indicators.common import Collector, SourceValues, drop_identical_duplicates, read_binary, read_csv
from geo.readers import require_columns
from geo.schema import check_unique

RIATE = "riate_nuts3"
DEGURBA = "gisco_degurba_2014"
RIATE_YEAR = 2021
DEGURBA_YEAR = 2014
DEGURBA_CLASSES = ("1", "2", "3")
# National codes the project writes without the zero padding a Europe-wide file uses.
UNPADDED = {"CH"}


def read_riate(root: Path | None = None) -> SourceValues:
    """Return population and density per NUTS 3 region, keyed by the NUTS code."""
    path = sources.locate(RIATE, root=root)
    table = read_binary(RIATE, path, "GeoJSON attributes", lambda p: pyogrio.read_dataframe(p, read_geometry=False))
    columns = ["NUTS_ID", "POP_2021", "DENS_2021"]
    require_columns(table, columns, RIATE, path)
    table = table[columns].reset_index(drop=True)
    table.index = table.index + 1  # feature number as a person counts it
    table["NUTS_ID"] = table["NUTS_ID"].astype(str).str.strip()
    out = Collector(RIATE, path)
    table, repeated = drop_identical_duplicates(table, "NUTS_ID", ["POP_2021", "DENS_2021"], RIATE, path)
    out.skip("features repeating a region with the same attributes (one per polygon part)", repeated)
    unit_ids = table["NUTS_ID"]
    out.add("population", unit_ids, out.number(table["POP_2021"]), RIATE_YEAR)
    out.add("density", unit_ids, out.number(table["DENS_2021"]), RIATE_YEAR)
    out.facts["regions"] = len(table)
    return out.finish()


def read_degurba(root: Path | None = None) -> SourceValues:
    """Return the 2014 degree of urbanisation per LAU of 2014, for every country in the file."""
    path = sources.locate(DEGURBA, root=root)
    table = read_csv(DEGURBA, path, encoding="utf-8")
    require_columns(table, ["NSI", "CNTR_CODE", "DGURBA_CLA"], DEGURBA, path)
    out = Collector(DEGURBA, path)
    country = table["CNTR_CODE"].str.strip()
    code = table["NSI"].str.strip()
    unpadded = country.isin(UNPADDED)
    code = code.where(~unpadded, code.str.lstrip("0"))
    table["unit_id"] = country + "_" + code
    check_unique(table, "unit_id", DEGURBA, path)
    cls = table["DGURBA_CLA"].str.strip()
    # 9 and anything else outside 1-3 is "not classified": missing, counted with the suppressed values.
    degurba = out.number(cls.where(cls.isin(DEGURBA_CLASSES), ""), "DGURBA_CLA")
    out.add("degurba", table["unit_id"], degurba, DEGURBA_YEAR)
    out.facts["lau_per_country"] = {c: int(n) for c, n in country.value_counts().sort_index().items()}
    return out.finish()
