"""German Gemeinden from BKG's VG5000 (1 January 2021, 1:5,000,000, EPSG:31467).

VG5000 carries the NUTS 3 code of each Gemeinde. Unincorporated areas ("Gemeindefreies Gebiet": forests
and lakes without inhabitants; Destatis marks them unpopulated) are not municipalities and are left out,
with their count in the report.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import sources
from geo.boundaries.part import BoundaryPart
from geo.readers import read_vector
from geo.schema import check_unique

SOURCE = "de_vg5000"
UNINCORPORATED = "Gemeindefreies Gebiet"


def read(root: Path | None = None) -> BoundaryPart:
    """Return German Gemeinden (all Länder; the perimeter filter keeps Bavaria and Baden-Württemberg)."""
    path = sources.locate(SOURCE, root=root)
    gdf = read_vector(SOURCE, path=path, columns=["AGS", "GEN", "BEZ", "NUTS", "SN_L"])
    ags = gdf["AGS"].astype("string").str.strip()
    gdf = gdf.assign(AGS=ags)
    unincorporated = gdf["BEZ"].astype("string").str.strip() == UNINCORPORATED
    # A Gemeinde can be stored in several parts (exclaves); one unit per AGS.
    kept = gdf[~unincorporated]
    if kept["AGS"].duplicated().any():
        kept = kept.dissolve(by="AGS", as_index=False, aggfunc="first")
    check_unique(kept, "AGS", SOURCE, path)
    units = kept.assign(
        unit_id="DE_" + kept["AGS"],
        country="DE",
        name=kept["GEN"].astype("string"),
        name_alt=pd.NA,
        nuts3=kept["NUTS"].astype("string"),
        boundary_year=2021,
        level="LAU",
    )
    notes = {"unincorporated_areas_left_out": _count_by_land(gdf[unincorporated])}
    return BoundaryPart("DE", SOURCE, units, notes)


def _count_by_land(frame) -> dict[str, int]:
    return {str(k): int(v) for k, v in frame["SN_L"].value_counts().sort_index().items()}
