"""Hospitals of the GISCO healthcare source, one file per country, with their emergency flag.

Each country file is read on its own: a failed file is recorded and the others are used, and the
derivation then leaves missing every distance a hospital of that country could have been the nearest for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import sources
from geo.errors import SourceError
from geo.readers import EUROPE_LONLAT, read_table, require_columns, to_number
from geo.schema import AREA_CRS, DISPLAY_CRS

HOSPITALS = "gisco_healthcare"

EMERGENCY_YES = frozenset({"yes", "y", "true", "1", "oui", "ja", "si", "sì"})
EMERGENCY_NO = frozenset({"no", "n", "false", "0", "non", "nein"})


@dataclass
class HospitalRead:
    """Hospitals of all files that could be read, and what happened to each file."""

    points: gpd.GeoDataFrame  # columns country, emergency (boolean, <NA> = unknown); EPSG:3035
    per_country: dict[str, dict[str, int]]
    failed_countries: list[str]
    failures: list[dict]


def parse_emergency(values: pd.Series) -> tuple[pd.Series, int]:
    """Return (flags as boolean with <NA> for empty or unrecognised, count of unrecognised non-empty)."""
    text = values.astype("string").str.strip().str.lower()
    flags = pd.Series(pd.NA, index=values.index, dtype="boolean")
    flags[text.isin(EMERGENCY_YES).fillna(False)] = True
    flags[text.isin(EMERGENCY_NO).fillna(False)] = False
    unrecognised = int((flags.isna() & text.fillna("").ne("")).sum())
    return flags, unrecognised


def read_hospitals(root: Path | None = None) -> HospitalRead:
    """Read every part (country) of the GISCO healthcare source; a failed part is recorded, not fatal.

    Rows whose lat or lon is missing, unparseable or out of range are dropped and counted. Coordinates are
    WGS84 (the source says so); hospitals outside Europe (French overseas departments) are kept and
    counted: they are never the nearest to an Alpine unit.
    """
    frames, per_country, failed, failures = [], {}, [], []
    for part in sources.get(HOSPITALS).parts:
        try:
            path = sources.locate(HOSPITALS, part, root=root)
            table = read_table(HOSPITALS, part, path=path)
            require_columns(table, ["lat", "lon"], HOSPITALS, path)
        except SourceError as exc:
            failed.append(part)
            failures.append(exc.as_dict())
            continue
        lat, bad_lat = to_number(table["lat"])
        lon, bad_lon = to_number(table["lon"])
        usable = lat.between(-90, 90) & lon.between(-180, 180)
        if "emergency" in table.columns:
            emergency, unrecognised = parse_emergency(table["emergency"])
        else:
            emergency, unrecognised = pd.Series(pd.NA, index=table.index, dtype="boolean"), 0
        xmin, ymin, xmax, ymax = EUROPE_LONLAT
        in_europe = usable & lon.between(xmin, xmax) & lat.between(ymin, ymax)
        per_country[part] = {
            "rows": len(table),
            "used": int(usable.sum()),
            "dropped_without_coordinates": int((~usable).sum()),
            "of_which_unparseable": int((~usable & (bad_lat | bad_lon)).sum()),
            "outside_europe_kept": int((usable & ~in_europe).sum()),
            "emergency_yes": int(emergency[usable].eq(True).sum()),
            "emergency_no": int(emergency[usable].eq(False).sum()),
            "emergency_empty": int(emergency[usable].isna().sum()),
            "emergency_unrecognised": unrecognised,
        }
        frames.append(
            pd.DataFrame(
                {
                    "country": part,
                    "emergency": emergency[usable].to_numpy(),
                    "lon": lon[usable].to_numpy(),
                    "lat": lat[usable].to_numpy(),
                }
            )
        )
    table = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(
            {
                "country": pd.Series(dtype="string"),
                "emergency": pd.Series(dtype="boolean"),
                "lon": pd.Series(dtype="float64"),
                "lat": pd.Series(dtype="float64"),
            }
        )
    )
    points = gpd.GeoDataFrame(
        table[["country", "emergency"]].astype({"emergency": "boolean"}),
        geometry=gpd.points_from_xy(table["lon"], table["lat"], crs=DISPLAY_CRS),
    ).to_crs(AREA_CRS)
    return HospitalRead(points, per_country, failed, failures)
