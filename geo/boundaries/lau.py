"""GISCO LAU polygons (Eurostat, LAU_RG_01M_<year>_4326): the preferred municipal boundaries.

One file covers every EU and EFTA country with the same codes (GISCO_ID = "<CC>_<LAU_ID>") and year, so
where it can be downloaded it replaces the national files, Slovenia and Liechtenstein included.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import sources
from geo.boundaries.part import BoundaryPart
from geo.readers import read_vector, require_columns
from geo.schema import check_unique

SOURCE = "gisco_lau"
COLUMNS = ["GISCO_ID", "CNTR_CODE", "LAU_NAME"]


def read(countries: list[str], root: Path | None = None) -> dict[str, BoundaryPart]:
    """Return {country: units} for each of `countries` the LAU file holds (read once, filtered in GDAL)."""
    path = sources.locate(SOURCE, root=root)
    quoted = ", ".join(f"'{c}'" for c in countries)
    gdf = read_vector(SOURCE, path=path, where=f"CNTR_CODE IN ({quoted})")
    require_columns(gdf, COLUMNS, SOURCE, path)
    check_unique(gdf, "GISCO_ID", SOURCE, path)
    year = _year(gdf, path)
    parts = {}
    for country, frame in gdf.groupby("CNTR_CODE"):
        units = frame.assign(
            unit_id=frame["GISCO_ID"].astype("string"),
            country=str(country),
            name=frame["LAU_NAME"].astype("string"),
            name_alt=pd.NA,
            nuts3=pd.NA,
            boundary_year=year,
            level="LAU",
        )
        parts[str(country)] = BoundaryPart(str(country), SOURCE, gpd.GeoDataFrame(units), {"source": "GISCO LAU"})
    return parts


def _year(gdf: gpd.GeoDataFrame, path: Path) -> int:
    if "YEAR" in gdf and gdf["YEAR"].notna().any():
        return int(pd.to_numeric(gdf["YEAR"], errors="coerce").dropna().mode().iloc[0])
    digits = [int(t) for t in path.stem.split("_") if t.isdigit() and len(t) == 4]
    return digits[0] if digits else 0
