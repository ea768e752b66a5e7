"""NUTS 2021 regions and the Alpine Space perimeter; assigning each unit its NUTS 3 region.

NUTS 2021 is the one version used throughout: the perimeter is defined in it, Eurostat's mountain and
urban-rural typologies are attached to it, and the German and Italian sources carry its codes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo import sources
from geo.errors import SourceError
from geo.readers import read_vector
from geo.schema import AREA_CRS
from geo.settings import DATA_DIR

PERIMETER_FILE = DATA_DIR / "perimeter.toml"
NUTS_SOURCE = "gisco_nuts_2021"
NUTS_TOPO_SOURCE = "gisco_nuts_2021_topo"

# A unit whose representative point falls just outside the generalised (1:10M) NUTS outline, along a
# border or a coast, takes the nearest NUTS 3 region of its own country up to this distance.
NEAREST_NUTS_MAX_M = 15_000


@dataclass(frozen=True)
class Perimeter:
    """The programme area: NUTS 2 codes with their names."""

    name: str
    nuts2: dict[str, str]

    @property
    def countries(self) -> list[str]:
        return sorted({code[:2] for code in self.nuts2})


def load_perimeter(path: Path = PERIMETER_FILE) -> Perimeter:
    """Return the perimeter defined in data/perimeter.toml."""
    with path.open("rb") as f:
        raw = tomllib.load(f)
    return Perimeter(name=raw["name"], nuts2=dict(raw["nuts2"]))


@dataclass
class NutsRegions:
    """GISCO NUTS 2021 polygons, all levels, in EPSG:4326 (columns NUTS_ID, LEVL_CODE, CNTR_CODE, ...)."""

    frame: gpd.GeoDataFrame

    def level(self, level: int) -> gpd.GeoDataFrame:
        return self.frame[self.frame["LEVL_CODE"] == level]

    @cached_property
    def nuts3_codes(self) -> frozenset[str]:
        return frozenset(self.level(3)["NUTS_ID"])

    @cached_property
    def _nuts3_area_crs(self) -> gpd.GeoDataFrame:
        return self.level(3)[["NUTS_ID", "CNTR_CODE", "geometry"]].to_crs(AREA_CRS)

    def locate_nuts3(self, units: gpd.GeoDataFrame) -> pd.Series:
        """Return the NUTS 3 code of the region (of the unit's own country) holding most of each unit's area.

        Largest overlap, not a representative point: the 1:10M NUTS outlines are generalised by about a
        kilometre, enough to put a border municipality's point in the neighbouring region. Units that
        overlap no region of their country (coasts, generalised borders) take the nearest one within
        NEAREST_NUTS_MAX_M; beyond that the code stays missing.
        """
        shapes = gpd.GeoDataFrame(
            {"country": units["country"].to_numpy()},
            geometry=units.geometry.to_crs(AREA_CRS).to_numpy(),
            crs=AREA_CRS,
            index=units.index,
        )
        result = pd.Series(pd.NA, index=units.index, dtype="string")
        regions = self._nuts3_area_crs
        for country, own_units in shapes.groupby("country"):
            own = regions[regions["CNTR_CODE"] == country]
            if own.empty:
                continue
            pairs = gpd.sjoin(own_units, own, how="inner", predicate="intersects")
            if len(pairs):
                overlap = shapely.area(
                    shapely.intersection(
                        own_units.geometry.loc[pairs.index].to_numpy(),
                        own.geometry.loc[pairs["index_right"]].to_numpy(),
                    )
                )
                pairs = pairs.assign(overlap=overlap).sort_values("overlap", ascending=False)
                best = pairs[~pairs.index.duplicated(keep="first")]
                result.loc[best.index] = best["NUTS_ID"].astype("string")
            missing = result.loc[own_units.index].isna().to_numpy()
            if missing.any():
                near = gpd.sjoin_nearest(own_units[missing], own, how="left", max_distance=NEAREST_NUTS_MAX_M)
                near = near[~near.index.duplicated(keep="first")].dropna(subset=["NUTS_ID"])
                result.loc[near.index] = near["NUTS_ID"].astype("string")
        return result


def load_nuts(root: Path | None = None) -> NutsRegions:
    """Read GISCO NUTS 2021 with the columns the pipeline needs: the 1:10M GeoJSON, or where that file is
    missing or broken the 1:20M TopoJSON of the same edition (coarser, same codes and typologies)."""
    columns = ["NUTS_ID", "LEVL_CODE", "CNTR_CODE", "NAME_LATN", "MOUNT_TYPE", "URBN_TYPE"]
    try:
        frame = read_vector(NUTS_SOURCE, path=sources.locate(NUTS_SOURCE, root=root), columns=columns)
    except SourceError as first:
        if not sources.available(NUTS_TOPO_SOURCE, root=root):
            raise first from None
        frame = read_vector(NUTS_TOPO_SOURCE, path=sources.locate(NUTS_TOPO_SOURCE, root=root), columns=columns)
        frame.attrs["fallback"] = f"{NUTS_TOPO_SOURCE} used: {first}"
    frame["LEVL_CODE"] = frame["LEVL_CODE"].astype(int)
    return NutsRegions(frame)
