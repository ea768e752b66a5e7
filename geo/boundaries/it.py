"""Italian comuni (ISTAT, June 2023, redistributed by openpolis) from one TopoJSON per region.

Bilingual comuni carry their names in both languages (name_it with name_de in South Tyrol, name_sl in
Friuli-Venezia Giulia); the Italian form is the name, the other the alternative. NUTS 3 codes come from
ISTAT's list of comuni (NUTS 2021 column) where it has the code; the pipeline places the rest spatially.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import sources
from geo.boundaries.part import BoundaryPart, read_parts
from geo.errors import SourceError
from geo.readers import read_table, read_vector, require_columns
from geo.schema import check_unique

SOURCE = "it_boundaries_2023"
NUTS_SOURCE = "it_comuni_2024"
CODE_COLUMN = "Codice Comune formato alfanumerico"
NUTS3_COLUMN = "Codice NUTS3 2021"


def read(root: Path | None = None) -> BoundaryPart:
    """Return comuni of the seven northern regions in the catalogue (all parts)."""

    def read_one(path):
        gdf = read_vector(SOURCE, path=path)
        require_columns(gdf, ["com_istat_code", "name"], SOURCE, path)
        return gdf

    frames, failures = read_parts(SOURCE, root, read_one)
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    gdf["code"] = gdf["com_istat_code"].astype("string").str.strip().str.zfill(6)
    check_unique(gdf, "code", SOURCE, None)
    name_it = gdf["name_it"] if "name_it" in gdf else pd.Series(pd.NA, index=gdf.index)
    alt = pd.Series(pd.NA, index=gdf.index, dtype="string")
    for column in ("name_de", "name_sl"):
        if column in gdf:
            alt = alt.fillna(gdf[column].astype("string"))
    nuts3, notes = _nuts3_by_code(root)
    units = gdf.assign(
        unit_id="IT_" + gdf["code"],
        country="IT",
        name=name_it.astype("string").fillna(gdf["name"].astype("string")),
        name_alt=alt,
        nuts3=gdf["code"].map(nuts3).astype("string"),
        boundary_year=2023,
        level="LAU",
    )
    notes["comuni_without_nuts3_in_list"] = int(units["nuts3"].isna().sum())
    return BoundaryPart("IT", SOURCE, units, notes, failures)


def _nuts3_by_code(root: Path | None) -> tuple[pd.Series, dict]:
    """Return {PRO_COM_T: NUTS 3 2021} from ISTAT's list; empty (spatial placement) when it cannot be read."""
    try:
        path = sources.locate(NUTS_SOURCE, root=root)
        table = read_table(NUTS_SOURCE, path=path, sep=";", encoding="cp1252")
        table.columns = [" ".join(str(c).split()) for c in table.columns]
        require_columns(table, [CODE_COLUMN, NUTS3_COLUMN], NUTS_SOURCE, path)
    except SourceError as exc:
        return pd.Series(dtype="string"), {"nuts3_list": f"not used: {exc}"}
    codes = table[CODE_COLUMN].str.strip().str.zfill(6)
    return pd.Series(table[NUTS3_COLUMN].str.strip().to_numpy(), index=codes.to_numpy()), {}
