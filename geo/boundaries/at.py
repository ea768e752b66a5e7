"""Austrian Gemeinden (Statistik Austria, 1 January 2021) from GeoJSON or TopoJSON.

The file holds Vienna twice: whole (90001) and as its 23 districts (9xx01). The districts are kept,
because they are what GISCO's LAU and the Austrian statistics (register census) use.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import sources
from geo.boundaries.part import BoundaryPart
from geo.errors import SourceError
from geo.readers import read_vector, require_columns
from geo.schema import check_unique

VIENNA_WHOLE = "90001"
SOURCE = "at_gemeinden_geo"
TOPO_SOURCE = "at_gemeinden_topo"


def read(root: Path | None = None, source_id: str = SOURCE) -> BoundaryPart:
    """Return Austrian municipalities; `source_id` chooses the GeoJSON (default) or the TopoJSON file."""
    path = sources.locate(source_id, root=root)
    gdf = read_vector(source_id, path=path)
    require_columns(gdf, ["name", "iso"], source_id, path)
    code = gdf["iso"].astype("string").str.strip()
    districts = code.str.fullmatch(r"9\d\d01") & (code != VIENNA_WHOLE)
    # Drop the whole city only when its districts are there, so Vienna is never lost.
    has_districts = bool(districts.any()) and bool((code == VIENNA_WHOLE).any())
    keep = (code != VIENNA_WHOLE) if has_districts else pd.Series(True, index=gdf.index)
    gdf = gdf[keep.to_numpy()].assign(iso=code[keep.to_numpy()])
    check_unique(gdf, "iso", source_id, path)
    units = gdf.assign(
        unit_id="AT_" + gdf["iso"],
        country="AT",
        name=gdf["name"].astype("string"),
        name_alt=pd.NA,
        nuts3=pd.NA,
        boundary_year=2021,
        level="LAU",
    )
    notes = {"vienna": "23 districts kept, the whole city (90001) dropped" if has_districts else "as in file"}
    return BoundaryPart("AT", source_id, units, notes)


def read_any(root: Path | None = None) -> BoundaryPart:
    """Return Austrian municipalities from the GeoJSON, or from the TopoJSON when the GeoJSON is missing or
    broken (the note says so)."""
    try:
        return read(root, SOURCE)
    except SourceError as first:
        if not sources.available(TOPO_SOURCE, root=root):
            raise
        part = read(root, TOPO_SOURCE)
        part.notes["fallback"] = f"{TOPO_SOURCE} used because {first}"
        return part
