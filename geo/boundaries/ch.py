"""Swiss communes (FSO / swisstopo, state 1 January 2021) from the swiss-maps TopoJSON.

The TopoJSON's only property is the BFS commune number; names come from the FSO regional portraits
table of the same state (2021), falling back to the 2024 shapefile for polygons the table lacks (common
lands such as Staatswald Galm). Polygons with neither a name nor a geometry are reported, not kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio

from geo import sources
from geo.boundaries.part import BoundaryPart
from geo.errors import SchemaError, SourceCorrupt, SourceMissing
from geo.readers import read_vector, require_columns
from geo.schema import check_unique

SOURCE = "ch_boundaries_2021"
NAMES_SOURCE = "ch_portraits_2021"
NAMES_FALLBACK = "ch_boundaries_2024"
HEADER_CELL = "Number of commune"


def read(root: Path | None = None) -> BoundaryPart:
    """Return Swiss communes of 2021 with names."""
    path = sources.locate(SOURCE, root=root)
    gdf = read_vector(SOURCE, path=path, layer="municipalities")
    require_columns(gdf, ["id"], SOURCE, path)
    gdf["bfs"] = pd.to_numeric(gdf["id"], errors="coerce").astype("Int64")
    check_unique(gdf, "bfs", SOURCE, path)
    empty = gdf.geometry.is_empty | gdf.geometry.isna()
    names = commune_names(root)
    fallback = _fallback_names(root)
    gdf["name"] = gdf["bfs"].map(names).fillna(gdf["bfs"].map(fallback)).astype("string")
    unnamed = gdf["name"].isna()
    dropped = gdf[empty | unnamed]
    gdf = gdf[~(empty | unnamed)]
    units = gdf.assign(
        unit_id="CH_" + gdf["bfs"].astype("string"),
        country="CH",
        name_alt=pd.NA,
        nuts3=pd.NA,
        boundary_year=2021,
        level="LAU",
    )
    not_in_table = sorted(int(b) for b in gdf["bfs"][~gdf["bfs"].isin(names.index)])
    notes = {
        "polygons_without_bfs_table_row": not_in_table,
        "dropped_empty_or_unnamed": [
            {"bfs": int(r.bfs), "reason": "empty geometry" if r.geometry is None or r.geometry.is_empty else "no name"}
            for r in dropped.itertuples()
        ],
        "communes_in_table_without_polygon": sorted(int(b) for b in names.index.difference(gdf["bfs"].dropna())),
    }
    return BoundaryPart("CH", SOURCE, units, notes)


def commune_names(root: Path | None = None) -> pd.Series:
    """Return commune names by BFS number from the FSO regional portraits table."""
    path = sources.locate(NAMES_SOURCE, root=root)
    try:
        raw = pd.read_excel(path, header=None, engine="calamine", usecols=[0, 1])
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise SourceCorrupt(NAMES_SOURCE, path, f"cannot be read as xlsx: {exc}") from exc
    header = raw.index[raw[0].astype("string").str.strip() == HEADER_CELL]
    if len(header) == 0:
        raise SchemaError(NAMES_SOURCE, path, f"no header cell '{HEADER_CELL}' in the first column")
    body = raw.loc[header[0] + 1 :]
    numbers = pd.to_numeric(body[0], errors="coerce")
    rows = body[numbers.notna() & (numbers == numbers.round())]
    return pd.Series(rows[1].astype("string").str.strip().to_numpy(), index=rows[0].astype(int).to_numpy(), name="name")


def _fallback_names(root: Path | None) -> pd.Series:
    try:
        path = sources.locate(NAMES_FALLBACK, root=root)
        table = pyogrio.read_dataframe(path, read_geometry=False, columns=["id", "name"])
    except (SourceMissing, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        return pd.Series(dtype="string")
    return pd.Series(table["name"].astype("string").to_numpy(), index=table["id"].astype(int).to_numpy())
