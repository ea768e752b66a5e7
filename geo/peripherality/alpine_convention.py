"""Whether each unit lies in the perimeter of the Alpine Convention (an optional source).

A municipality is inside when its representative point lies in the perimeter (the Convention lists whole
municipalities). A NUTS 3-level unit is inside or outside only when (almost) all of its area is; a region
cut by the perimeter is neither and stays missing.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import sources
from geo.peripherality.crs import require_crs
from geo.readers import read_vector
from geo.schema import AREA_CRS

ALPCONV = "alpconv_perimeter"

# A NUTS 3-level unit is flagged inside (outside) the Alpine Convention when at least (at most) this share
# of its area lies in the perimeter; anything between is partly inside and stays missing. The slack absorbs
# the mismatch between the 1:10M NUTS outline and the detailed perimeter along shared borders.
ALPCONV_INSIDE_SHARE = 0.98
ALPCONV_OUTSIDE_SHARE = 0.02
ALPCONV_MUNICIPALITIES = 5_867  # the Convention's own count (data mirror SOURCES.md)


def read_perimeter(root: Path | None = None) -> gpd.GeoSeries:
    """Return the perimeter's geometries in EPSG:3035."""
    return read_vector(ALPCONV, path=sources.locate(ALPCONV, root=root)).geometry.to_crs(AREA_CRS)


def alpine_convention_flags(
    geometries: gpd.GeoSeries,
    points: gpd.GeoSeries,
    is_region: np.ndarray,
    perimeter: gpd.GeoSeries,
    step: str = "alpine convention",
) -> pd.Series:
    """Return True/False/<NA> per unit for lying in the Alpine Convention perimeter.

    All three geometry inputs must be in EPSG:3035 (the area shares are only right there); a StepCRSError
    naming `step` says which is not.
    """
    for name, series in (("geometries", geometries), ("points", points), ("perimeter", perimeter)):
        require_crs(series, AREA_CRS, step, name)
    area = shapely.union_all(perimeter.to_numpy())
    shapely.prepare(area)
    pts = points.to_numpy()
    usable = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    flags = pd.array(np.full(len(pts), pd.NA), dtype="boolean")
    lau = usable & ~is_region
    flags[lau] = shapely.intersects(area, pts[lau])
    regions = usable & is_region
    if regions.any():
        geoms = geometries.to_numpy()[regions]
        share = shapely.area(shapely.intersection(geoms, area)) / shapely.area(geoms)
        verdict = np.where(share <= ALPCONV_OUTSIDE_SHARE, False, None)
        verdict = np.where(share >= ALPCONV_INSIDE_SHARE, True, verdict)
        flags[regions] = pd.array(verdict, dtype="boolean")
    return pd.Series(flags, index=points.index)
