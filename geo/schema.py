"""The canonical shapes of the dataset: unit table columns, tidy indicator columns, and their checks.

Every boundary reader returns `UNIT_COLUMNS`; every indicator reader returns `VALUE_COLUMNS`. Checks here
raise `DuplicateCodes` / `SchemaError` naming the source, so a bad file never reaches the build output.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.errors import DuplicateCodes, SchemaError

# unit_id: "<CC>_<national code>" as Eurostat's GISCO_ID for municipalities (level LAU); the NUTS 3 code
# itself for units that are NUTS 3 regions (level NUTS3: none from the mirror since every country has
# municipal polygons; the level stays for a country that would have none).
UNIT_COLUMNS = [
    "unit_id",
    "country",
    "name",
    "name_alt",  # the name in a second official language where the source gives one, else missing
    "nuts3",
    "nuts2",
    "boundary_year",
    "level",
    "area_km2",
    "geometry",
]
LEVELS = ("LAU", "NUTS3")

# One row per (unit, indicator, year). `period` names the span of a change indicator ("2010-2019").
VALUE_COLUMNS = ["unit_id", "indicator", "year", "value", "source", "period"]
# Values that exist only for a whole NUTS 3 region (geo.regions): one row per (nuts3, indicator, year, source).
REGION_COLUMNS = ["nuts3", "indicator", "year", "value", "source"]

AREA_CRS = "EPSG:3035"  # ETRS89-LAEA: equal-area, for areas and distances
DISPLAY_CRS = "EPSG:4326"  # lon/lat, for the browser


def check_unique(frame: pd.DataFrame, column: str, source_id: str, path=None) -> None:
    """Raise `DuplicateCodes` listing the first duplicated values of `column`."""
    dup = frame[column][frame[column].duplicated(keep=False)]
    if len(dup):
        sample = ", ".join(map(str, sorted(dup.astype(str).unique())[:10]))
        raise DuplicateCodes(source_id, path, f"{dup.nunique()} duplicated {column} value(s): {sample}")


def empty_units() -> gpd.GeoDataFrame:
    """Return an empty unit table with the canonical columns and CRS."""
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype="object") for c in UNIT_COLUMNS if c != "geometry"},
        geometry=gpd.GeoSeries([], crs=DISPLAY_CRS),
    )


def conform_units(gdf: gpd.GeoDataFrame, source_id: str) -> gpd.GeoDataFrame:
    """Return `gdf` with exactly the canonical columns, dtypes and CRS; check codes are unique.

    Area is computed here, in EPSG:3035, so that every reader gets it the same way.
    """
    if gdf.crs is None or not gdf.crs.equals(DISPLAY_CRS):
        raise SchemaError(source_id, None, f"units must be in {DISPLAY_CRS}, got {gdf.crs}")
    gdf = gdf.copy()
    if "name_alt" not in gdf:
        gdf["name_alt"] = pd.NA
    missing = [c for c in UNIT_COLUMNS if c not in gdf.columns and c != "area_km2"]
    if missing:
        raise SchemaError(source_id, None, f"units lack {missing}")
    gdf["area_km2"] = gdf.geometry.to_crs(AREA_CRS).area / 1e6
    for col in ("unit_id", "country", "name", "name_alt", "nuts3", "nuts2", "level"):
        gdf[col] = gdf[col].astype("string")
    gdf["boundary_year"] = gdf["boundary_year"].astype("Int16")
    check_unique(gdf, "unit_id", source_id)
    return gdf[UNIT_COLUMNS].reset_index(drop=True)
