"""French communes: IGN GEOFLA 2018 polygons per département, brought to the commune list of 2024.

Communes merged since 2018 (communes nouvelles) carry older codes in the 2018 polygons than in the
statistics (COG 2024). The official commune list says, for each delegated or associated commune, which
commune it now belongs to (`chefLieu`), and for each current commune which codes it absorbed
(`anciensCodes`). Polygons are mapped onto their current commune and dissolved, so that every unit has a
COG 2024 code; codes that map nowhere are kept under their own code and reported.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import sources
from geo.boundaries.part import BoundaryPart, read_parts
from geo.errors import SchemaError, SourceCorrupt
from geo.readers import read_vector, require_columns

SOURCE = "fr_boundaries_2018"
COG_SOURCE = "fr_communes_cog"
MERGED_TYPES = ("commune-deleguee", "commune-associee")


def read(root: Path | None = None) -> BoundaryPart:
    """Return French communes of the catalogued départements on COG 2024 codes."""

    def read_one(path):
        gdf = read_vector(SOURCE, path=path)
        require_columns(gdf, ["code", "nom"], SOURCE, path)
        return gdf[["code", "nom", "geometry"]]

    frames, failures = read_parts(SOURCE, root, read_one)
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    gdf["code"] = gdf["code"].astype("string").str.strip()
    current, names = current_codes(root)
    gdf["current"] = gdf["code"].map(current)
    unmapped = gdf["current"].isna()
    gdf["current"] = gdf["current"].fillna(gdf["code"])
    merged = gdf["current"] != gdf["code"]
    dissolved = _dissolve(gdf)
    units = dissolved.assign(
        unit_id="FR_" + dissolved["current"],
        country="FR",
        name=dissolved["current"].map(names).fillna(dissolved["nom"]).astype("string"),
        name_alt=pd.NA,
        nuts3=pd.NA,
        boundary_year=2024,
        level="LAU",
    )
    notes = {
        "polygons_2018": len(gdf),
        "codes_merged_into_2024_communes": int(merged.sum()),
        "communes_2024": len(units),
        "codes_not_in_commune_list": sorted(gdf.loc[unmapped, "code"].tolist()),
        "geometry_vintage": "IGN GEOFLA 2018, dissolved to COG 2024",
    }
    return BoundaryPart("FR", SOURCE, units, notes, failures)


def current_codes(root: Path | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Return ({any code: current COG code}, {current code: name}) from the official commune list."""
    path = sources.locate(COG_SOURCE, root=root)
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceCorrupt(COG_SOURCE, path, f"is not valid JSON: {exc}") from exc
    table = pd.DataFrame.from_records(records)
    require_columns(table, ["code", "nom", "type"], COG_SOURCE, path)
    actual = table[table["type"] == "commune-actuelle"]
    if actual.empty:
        raise SchemaError(COG_SOURCE, path, "has no row of type 'commune-actuelle'")
    mapping = {code: code for code in actual["code"]}
    if "anciensCodes" in actual:
        for code, old in zip(actual["code"], actual["anciensCodes"]):
            if isinstance(old, list):
                for o in old:
                    mapping.setdefault(o, code)
    if "chefLieu" in table:
        merged = table[table["type"].isin(MERGED_TYPES) & table["chefLieu"].notna()]
        for code, parent in zip(merged["code"], merged["chefLieu"]):
            mapping.setdefault(code, parent)
    return mapping, dict(zip(actual["code"], actual["nom"]))


def _dissolve(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Union the polygons of merged communes; leave single-polygon communes untouched (fast path)."""
    multi = gdf["current"].duplicated(keep=False)
    single = gdf[~multi]
    if not multi.any():
        return single
    joined = gdf[multi].dissolve(by="current", as_index=False, aggfunc="first")
    return gpd.GeoDataFrame(pd.concat([single, joined], ignore_index=True), crs=gdf.crs)
