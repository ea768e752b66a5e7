"""Units at NUTS 3 level, for countries without municipal polygons in the sources: Slovenia and Liechtenstein.

Slovenia: GURS statistical regions (= NUTS 3), finer than GISCO's outlines; each region is given its NUTS 3
code by where it lies. Liechtenstein: GISCO's NUTS 3 polygon LI000. The report says these are regions.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import sources
from geo.boundaries.part import BoundaryPart
from geo.errors import SchemaError
from geo.nuts import NutsRegions
from geo.readers import read_vector, require_columns

SI_SOURCE = "si_statistical_regions"


def read_slovenia(nuts: NutsRegions, root: Path | None = None) -> BoundaryPart:
    """Return Slovenia's 12 statistical regions with their NUTS 3 codes as unit ids."""
    path = sources.locate(SI_SOURCE, root=root)
    gdf = read_vector(SI_SOURCE, path=path)
    require_columns(gdf, ["SR_ID", "SR_UIME"], SI_SOURCE, path)
    gdf = gdf.assign(country="SI")
    code = nuts.locate_nuts3(gdf)
    if code.isna().any() or code.duplicated().any():
        raise SchemaError(SI_SOURCE, path, f"statistical regions do not match NUTS 3 one to one: {code.tolist()}")
    units = gdf.assign(
        unit_id=code,
        name=gdf["SR_UIME"].astype("string"),
        name_alt=pd.NA,
        nuts3=code,
        boundary_year=2021,
        level="NUTS3",
    )
    return BoundaryPart("SI", SI_SOURCE, units, {"level": "NUTS 3: no municipal polygons in the sources"})


def read_nuts3_country(country: str, nuts: NutsRegions) -> BoundaryPart:
    """Return a country's NUTS 3 regions from GISCO NUTS 2021 as units (Liechtenstein: one region)."""
    regions = nuts.level(3)
    own = regions[regions["CNTR_CODE"] == country]
    if own.empty:
        raise SchemaError("gisco_nuts_2021", None, f"has no NUTS 3 region for {country}")
    units = own.assign(
        unit_id=own["NUTS_ID"],
        country=country,
        name=own["NAME_LATN"].astype("string"),
        name_alt=pd.NA,
        nuts3=own["NUTS_ID"],
        boundary_year=2021,
        level="NUTS3",
    )
    return BoundaryPart(country, "gisco_nuts_2021", units, {"level": "NUTS 3: no municipal polygons in the sources"})
