"""Map-resolution geometry: units simplified as a coverage, so neighbours keep sharing their borders.

Simplifying each polygon on its own opens slivers and overlaps between neighbours; `simplify_coverage`
(GEOS coverage simplification) moves each shared edge once for both sides. It runs per country because
each country's polygons come from one source and form one coverage. Coordinates are then snapped to a
grid of 1e-4 degrees (about 8 x 11 m in the Alps), which keeps GeoJSON short; snapping with
`set_precision` keeps polygons valid.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo.schema import AREA_CRS, DISPLAY_CRS

# 300 m in EPSG:3035: invisible at the whole-Alps view, still recognisable shapes at a valley's zoom;
# gives about 7.8 MB of GeoJSON for the ~17,800 units (target: <= 8 MB). bench/build.py prints it.
MAP_TOLERANCE_M = 300.0
GRID_DEGREES = 1e-4


def simplify_units(
    units: gpd.GeoDataFrame, tolerance_m: float = MAP_TOLERANCE_M, grid: float = GRID_DEGREES
) -> gpd.GeoDataFrame:
    """Return a copy of `units` (EPSG:4326) with geometry simplified per country and snapped to `grid`.

    A unit whose simplified shape collapses (tiny or thin polygons) keeps its original geometry,
    snapped only, so no unit disappears from the map.
    """
    projected = units.geometry.to_crs(AREA_CRS)
    parts = [projected[group.index].simplify_coverage(tolerance_m) for _, group in units.groupby("country")]
    simplified = pd.concat(parts).reindex(units.index).to_crs(DISPLAY_CRS)
    snapped = shapely.set_precision(simplified.to_numpy(), grid)
    collapsed = shapely.is_empty(snapped) | ~shapely.is_valid(snapped)
    if collapsed.any():
        snapped[collapsed] = shapely.set_precision(units.geometry.to_numpy()[collapsed], grid)
    return units.set_geometry(gpd.GeoSeries(snapped, index=units.index, crs=DISPLAY_CRS))


def snap(geometry: gpd.GeoSeries, tolerance_m: float = MAP_TOLERANCE_M, grid: float = GRID_DEGREES) -> gpd.GeoSeries:
    """Return context geometry (borders, lakes) simplified and snapped the same way, in EPSG:4326."""
    simplified = geometry.to_crs(AREA_CRS).simplify(tolerance_m).to_crs(DISPLAY_CRS)
    return gpd.GeoSeries(shapely.set_precision(simplified.to_numpy(), grid), index=geometry.index, crs=DISPLAY_CRS)
