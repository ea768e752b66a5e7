"""Static files for the browser, written by the build: geometry that travels once, content-hashed.

- units: a GeoJSON FeatureCollection of the map-resolution units; feature `id` is the row number, the key
  the dashboard's value arrays are aligned to (MapLibre keeps feature state by this id).
- context: country / NUTS outlines, lakes, Alpine Convention perimeter, with `layer` and `name`.
- index: the units' codes, names and places, in the same order, for hover labels and search.

Each is gzipped once here (level 9), so the server sends bytes from disk with `Content-Encoding: gzip` and
never compresses megabytes per request. File names carry a hash of the content: browsers may cache them
for a year, and a new build gets new names.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

COORD_DECIMALS = 4  # matches geo.simplify.GRID_DEGREES


def _round_coords(geometry: dict) -> dict:
    def walk(item):
        if isinstance(item, list):
            if item and isinstance(item[0], (int, float)):
                return [round(v, COORD_DECIMALS) for v in item]
            return [walk(i) for i in item]
        return item

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def geojson_text(gdf: gpd.GeoDataFrame, properties: list[str] = ()) -> str:
    """Return compact GeoJSON of `gdf` (EPSG:4326): integer ids in row order, rounded coordinates."""
    geometries = shapely.to_geojson(gdf.geometry.to_numpy())
    features = []
    records = gdf[list(properties)].to_dict("records") if properties else [{}] * len(gdf)
    for i, (geom, props) in enumerate(zip(geometries, records)):
        clean = {k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else v) for k, v in props.items()}
        features.append({"type": "Feature", "id": i, "properties": clean, "geometry": _round_coords(json.loads(geom))})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"), ensure_ascii=False)


def write_gzip(folder: Path, stem: str, text: str, suffix: str) -> dict:
    """Write `text` gzipped as `<stem>.<hash>.<suffix>.gz`; return name, raw and compressed sizes."""
    raw = text.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()[:16]
    name = f"{stem}.{digest}.{suffix}"
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    (folder / f"{name}.gz").write_bytes(packed)
    return {"name": name, "bytes": len(raw), "gzip_bytes": len(packed)}


def write_web_files(
    folder: Path, map_units: gpd.GeoDataFrame, units: gpd.GeoDataFrame, context: gpd.GeoDataFrame
) -> dict:
    """Write the browser files into `folder`; return {kind: {name, bytes, gzip_bytes}}."""
    folder.mkdir(parents=True, exist_ok=True)
    index = {
        "unit_id": units["unit_id"].tolist(),
        "name": units["name"].tolist(),
        "name_alt": [None if pd.isna(v) else v for v in units["name_alt"].astype(object)],
        "country": units["country"].tolist(),
        "nuts3": units["nuts3"].tolist(),
        "level": units["level"].tolist(),
    }
    return {
        "units": write_gzip(folder, "units", geojson_text(map_units), "geojson"),
        "context": write_gzip(folder, "context", geojson_text(context, ["layer", "id", "name"]), "geojson"),
        "index": write_gzip(folder, "index", json.dumps(index, separators=(",", ":"), ensure_ascii=False), "json"),
    }
