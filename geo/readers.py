"""Format readers shared by the boundary and indicator loaders, with the checks every source gets.

- `read_vector` reads any vector file GDAL knows (GeoJSON, TopoJSON, shapefile) and settles its CRS:
  a file without a CRS (TopoJSON has none) takes the one the catalogue declares; coordinates that do not
  fall in Europe in that CRS raise `CRSError`, because a wrong CRS silently puts the Alps in the ocean.
- `require_columns` turns a renamed or dropped column into a `SchemaError` that lists what is there.
- `to_number` parses national number formats and suppression markers: suppressed is missing, never zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import sources
from geo.errors import CRSError, SchemaError, SourceCorrupt, SourceError
from geo.numbers import to_number

# Everything the perimeter can hold, with room: lon/lat of Europe including its overseas-free mainland.
EUROPE_LONLAT = (-32.0, 27.0, 45.0, 72.0)


def read_vector(
    source_id: str,
    part: str | None = None,
    *,
    layer: str | None = None,
    columns: list[str] | None = None,
    path: Path | None = None,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a catalogued vector file into a GeoDataFrame in EPSG:4326, with CRS and geometry checked.

    `path` overrides the catalogue location (used by tests and by readers of ad-hoc files); `where` is
    an OGR SQL filter applied while reading.
    Invalid geometries are repaired with `make_valid` and counted; a file whose every geometry is empty
    raises `SourceCorrupt` (a few empty ones are counted in `attrs`).
    """
    src = sources.get(source_id)
    path = path or sources.locate(source_id, part)
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer, columns=columns, where=where)
    except Exception as exc:  # GDAL raises many kinds; all mean the file cannot be read
        raise SourceCorrupt(source_id, path, f"cannot be read as {src.format}: {_short(exc)}") from exc
    if columns:
        require_columns(gdf, columns, source_id, path)
    if len(gdf) == 0:
        raise SourceCorrupt(source_id, path, f"has no features{f' in layer {layer}' if layer else ''}")
    gdf = _settle_crs(gdf, src.crs, source_id, path)
    return _checked_geometry(gdf, source_id, path)


def _settle_crs(gdf: gpd.GeoDataFrame, declared: str | None, source_id: str, path: Path) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        if declared is None:
            raise CRSError(source_id, path, "has no CRS and the catalogue declares none")
        gdf = gdf.set_crs(declared)
    # A file that declares a CRS other than the catalogue's is trusted (a new release may change it): the
    # check below that it lands in Europe catches a wrong declaration.
    try:
        lonlat = gdf.to_crs("EPSG:4326")
        if not np.isfinite(lonlat.total_bounds).all():
            raise ValueError("coordinates become infinite")
    except Exception as exc:
        raise CRSError(source_id, path, f"cannot be transformed from {gdf.crs} to EPSG:4326: {_short(exc)}") from exc
    # Judge by where most features lie, not by the total extent: pan-European files rightly include
    # overseas regions (Réunion, Canaries). A wrong CRS moves every feature, so half is a safe test.
    bounds = lonlat.geometry.bounds.dropna()
    cx = (bounds["minx"] + bounds["maxx"]) / 2
    cy = (bounds["miny"] + bounds["maxy"]) / 2
    exmin, eymin, exmax, eymax = EUROPE_LONLAT
    in_europe = cx.between(exmin, exmax) & cy.between(eymin, eymax)
    if len(bounds) == 0 or in_europe.mean() < 0.5:
        xmin, ymin, xmax, ymax = lonlat.total_bounds
        raise CRSError(
            source_id,
            path,
            f"coordinates read as {gdf.crs.to_string()} land at lon {xmin:.1f}..{xmax:.1f}, "
            f"lat {ymin:.1f}..{ymax:.1f}, outside Europe: the file's CRS is wrong or missing",
        )
    return lonlat


def _checked_geometry(gdf: gpd.GeoDataFrame, source_id: str, path: Path) -> gpd.GeoDataFrame:
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.all():
        raise SourceCorrupt(source_id, path, "every feature has an empty geometry")
    invalid = ~gdf.geometry.is_valid & ~empty
    if invalid.any():
        gdf = gdf.copy()
        repaired = shapely.make_valid(gdf.geometry[invalid].values)
        # make_valid can return collections with stray lines; keep the polygonal part only.
        gdf.loc[invalid, "geometry"] = [_polygonal(g) for g in repaired]
    gdf.attrs["empty_geometries"] = int(empty.sum())
    gdf.attrs["repaired_geometries"] = int(invalid.sum())
    return gdf


def _polygonal(geom):
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else geom


def require_columns(frame: pd.DataFrame, needed: Iterable[str], source_id: str, path: Path | str | None) -> None:
    """Raise `SchemaError` when `frame` lacks any of `needed`, listing the missing and the present columns."""
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        present = ", ".join(map(str, frame.columns[:40]))
        raise SchemaError(
            source_id, path, f"lacks column(s) {', '.join(missing)} (renamed or dropped?); it has: {present}"
        )


def read_table(source_id: str, part: str | None = None, *, path: Path | None = None, **read_csv_kwargs) -> pd.DataFrame:
    """Read a catalogued CSV as strings (values are parsed by the caller, who knows their format)."""
    path = path or sources.locate(source_id, part)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, **read_csv_kwargs)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise SourceCorrupt(source_id, path, f"cannot be read as CSV: {_short(exc)}") from exc


def normalise_header(text: object) -> str:
    """Collapse whitespace and line breaks in a spreadsheet header cell."""
    return re.sub(r"\s+", " ", str(text)).strip()


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first[:limit]


__all__ = [
    "SourceError",
    "normalise_header",
    "read_table",
    "read_vector",
    "require_columns",
    "to_number",
]
