"""Context layers for the map, derived from the data: country, NUTS 2 and NUTS 3 outlines, lakes, and the
Alpine Convention perimeter.

Country and NUTS outlines are dissolved from the map-resolution municipalities themselves (a coverage
union), so region borders lie exactly on municipal borders instead of on a coarser generalisation.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo import sources
from geo.errors import SourceError
from geo.readers import read_vector
from geo.schema import DISPLAY_CRS
from geo.simplify import snap

LAYERS = ("country", "nuts2", "nuts3", "lake", "alpine_convention")


def build_context(
    map_units: gpd.GeoDataFrame, nuts_names: dict[str, str], root: Path | None = None
) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Return (context layers with columns layer, id, name, geometry; failures of optional sources)."""
    frames = [
        _dissolve(map_units, "country", "country", {}),
        _dissolve(map_units, "nuts2", "nuts2", nuts_names),
        _dissolve(map_units, "nuts3", "nuts3", nuts_names),
    ]
    failures: list[dict] = []
    for reader in (_swiss_lakes, _alpine_convention):
        try:
            layer = reader(root)
        except SourceError as exc:
            failures.append(exc.as_dict())
            continue
        if layer is not None:
            frames.append(layer)
    context = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=DISPLAY_CRS)
    return context, failures


def _dissolve(units: gpd.GeoDataFrame, column: str, layer: str, names: dict[str, str]) -> gpd.GeoDataFrame:
    rows = []
    for key, group in units.groupby(column):
        # Units of one country come from one source and form a valid coverage; coverage union is then
        # exact and much faster than a general union. Countries are unions of such coverages.
        try:
            geom = shapely.coverage_union_all(group.geometry.to_numpy())
        except shapely.errors.GEOSException:
            geom = shapely.union_all(group.geometry.to_numpy())
        geom = shapely.make_valid(geom) if not shapely.is_valid(geom) else geom
        rows.append({"layer": layer, "id": str(key), "name": names.get(str(key), str(key)), "geometry": geom})
    return gpd.GeoDataFrame(rows, crs=DISPLAY_CRS)


def _swiss_lakes(root: Path | None) -> gpd.GeoDataFrame | None:
    source = "ch_boundaries_2021"
    if not sources.available(source, root=root):
        return None
    lakes = read_vector(source, path=sources.locate(source, root=root), layer="lakes")
    return gpd.GeoDataFrame(
        {"layer": "lake", "id": "CH_" + lakes["id"].astype(str), "name": pd.NA},
        geometry=snap(lakes.geometry),
        crs=DISPLAY_CRS,
    )


def _alpine_convention(root: Path | None) -> gpd.GeoDataFrame | None:
    source = "alpconv_perimeter"
    if not sources.available(source, root=root):
        return None
    perimeter = read_vector(source, path=sources.locate(source, root=root))
    geom = shapely.union_all(snap(perimeter.geometry).to_numpy())
    return gpd.GeoDataFrame(
        [{"layer": "alpine_convention", "id": "alpconv", "name": "Alpine Convention perimeter", "geometry": geom}],
        crs=DISPLAY_CRS,
    )
