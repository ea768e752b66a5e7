"""Straight-line distances in EPSG:3035 from each unit's representative point to the nearest target.

The point measured from is shapely's `point_on_surface`, which unlike the centroid always lies inside the
unit. Targets are all points in Europe, not those of the unit's own country: the nearest city to a Swiss
border commune may be Italian. A distance is never silently computed from an incomplete set of targets
(`nearest_known_km`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo import sources
from geo.peripherality.crs import require_crs
from geo.readers import read_vector
from geo.schema import AREA_CRS

CITIES = "gisco_urau_cities"
FUA = "gisco_urau_fua"

# Distances are shown to 0.1 km: the representative point of a municipality is itself an approximation
# of where its people live, so finer figures would promise a precision the measure does not have.
DECIMALS = 1

# NUTS 2021 at 1:10 million: 0.2 mm of map accuracy at that scale is 2 km on the ground. A country outline
# used as a stand-in for its unread hospitals may lie up to this much too far from a unit.
NUTS_OUTLINE_TOLERANCE_M = 2_000.0


def representative_points(units: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Return each unit's `point_on_surface` computed in EPSG:3035 (same index; empty for empty units)."""
    if units.crs is None:
        raise ValueError("units have no CRS; the canonical unit table is in EPSG:4326")
    return units.geometry.to_crs(AREA_CRS).representative_point()


def _nearest_m(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Metres from each point to the nearest target (STRtree), NaN for empty points or no targets."""
    out = np.full(len(points), np.nan)
    targets = targets[~(shapely.is_missing(targets) | shapely.is_empty(targets))]
    if len(targets) == 0 or len(points) == 0:
        return out
    tree = shapely.STRtree(targets)
    # all_matches=False: one nearest target per point; empty or missing points are left out of the result.
    (source_idx, _), dist = tree.query_nearest(points, return_distance=True, all_matches=False)
    out[source_idx] = dist
    return out


def nearest_known_km(
    points: gpd.GeoSeries,
    known: gpd.GeoSeries,
    unknown_points: gpd.GeoSeries | None = None,
    unknown_regions: gpd.GeoSeries | None = None,
    region_tolerance_m: float = NUTS_OUTLINE_TOLERANCE_M,
    step: str = "distances",
) -> np.ndarray:
    """Return km from each point to the nearest `known` target, or NaN where that may not be the nearest.

    All inputs must be in EPSG:3035 (a StepCRSError, a ValueError, names `step` otherwise). `unknown_points`
    are targets that may or may not qualify (a hospital whose emergency flag is empty); `unknown_regions` are
    areas whose targets were not read (the country of a failed hospital file). Where one of them is nearer
    than the nearest known target, the true distance is unknown and the result is NaN rather than an
    overestimate. Regions count as `region_tolerance_m` nearer than they are, because their outlines are
    generalised.
    """
    for name, series in (
        ("points", points),
        ("known", known),
        ("unknown_points", unknown_points),
        ("unknown_regions", unknown_regions),
    ):
        require_crs(series, AREA_CRS, step, name)
    pts = points.to_numpy()
    dist = _nearest_m(pts, known.to_numpy())
    bound = np.full(len(pts), np.inf)
    if unknown_points is not None and len(unknown_points):
        bound = np.fmin(bound, _nearest_m(pts, unknown_points.to_numpy()))
    if unknown_regions is not None and len(unknown_regions):
        bound = np.fmin(bound, _nearest_m(pts, unknown_regions.to_numpy()) - region_tolerance_m)
    dist[bound < dist] = np.nan
    return dist / 1000.0


def read_points(source_id: str, root: Path | None = None) -> gpd.GeoSeries:
    """Return the geometries of a catalogued point layer (Urban Audit label points) in EPSG:3035."""
    gdf = read_vector(source_id, path=sources.locate(source_id, root=root), columns=[])
    return gdf.geometry.to_crs(AREA_CRS)
