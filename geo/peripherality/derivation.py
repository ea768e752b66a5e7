"""The derivation: every unit's peripherality attributes, in named steps, the CRS checked at each.

    prepare_units ─► urban_distances ─► typologies ─► hospital_distances ─► assemble ─► alpine_convention

Each step takes what the steps before it produced, checks the CRS of every frame it is handed
(`require_crs`: EPSG:3035 for distances and areas, EPSG:4326 for the canonical unit table and the NUTS
file as read) and returns plain arrays or frames plus the report notes it wrote. `derive_peripherality`
only reads the sources and runs the steps in order.

Each source is read on its own; a `SourceError` is recorded in `failures` and only the columns that need
that source go missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import sources
from geo.errors import SourceError, SourceMissing
from geo.peripherality.alpine_convention import (
    ALPCONV,
    ALPCONV_MUNICIPALITIES,
    alpine_convention_flags,
    read_perimeter,
)
from geo.peripherality.crs import require_crs
from geo.peripherality.distances import CITIES, DECIMALS, FUA, nearest_known_km, read_points
from geo.peripherality.hospitals import HOSPITALS, HospitalRead, read_hospitals
from geo.peripherality.thresholds import Thresholds, classify, load_thresholds
from geo.peripherality.typologies import NUTS, nuts3_types, read_nuts
from geo.schema import AREA_CRS, DISPLAY_CRS, VALUE_COLUMNS

# indicator id -> (source id, reference year) for the tidy value table.
INDICATORS: dict[str, tuple[str, int]] = {
    "dist_city_km": (CITIES, 2021),
    "dist_fua_km": (FUA, 2021),
    "dist_hospital_km": (HOSPITALS, 2020),
    "dist_hospital_emergency_km": (HOSPITALS, 2020),
    "mount_type": (NUTS, 2021),
    "urbn_type": (NUTS, 2021),
}

ATTRIBUTE_COLUMNS = [
    "unit_id",
    "mount_type",
    "urbn_type",
    "mountain",
    "dist_city_km",
    "dist_fua_km",
    "dist_urban_centre_km",
    "dist_hospital_km",
    "dist_hospital_emergency_km",
    "peripherality",
    "in_alpine_convention",
]

T = TypeVar("T")


@dataclass
class PeripheralityResult:
    """What `derive_peripherality` found: per-unit attributes, the tidy values, and the report entries."""

    attributes: pd.DataFrame
    values: pd.DataFrame
    failures: list[dict]
    notes: list[dict]


@dataclass(frozen=True)
class PreparedUnits:
    """The unit table as the steps need it, positionally indexed 0..n-1 in the order of the units."""

    unit_id: pd.Series  # string
    country: pd.Series  # string
    nuts3: pd.Series  # string, <NA> where the unit has no code
    is_region: np.ndarray  # bool: a NUTS 3-level unit (no municipal polygons)
    geometries: gpd.GeoSeries  # EPSG:3035
    points: gpd.GeoSeries  # representative points, EPSG:3035

    def __len__(self) -> int:
        return len(self.unit_id)


def _note(topic: str, message: str, **data) -> dict:
    return {"topic": topic, "message": message, "data": data}


def _attempt(read: Callable[[], T], source_id: str, failures: list[dict], notes: list[dict]) -> T | None:
    """Run a source reader; on SourceError record it and return None (an absent optional source is a note)."""
    try:
        return read()
    except SourceError as exc:
        if isinstance(exc, SourceMissing) and sources.get(source_id).optional:
            notes.append(
                _note(
                    "optional_source_absent",
                    f"optional source '{source_id}' is absent; its columns are missing",
                    source=source_id,
                    path=exc.path,
                )
            )
        else:
            failures.append(exc.as_dict())
        return None


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in values.value_counts(dropna=False).sort_index().items()}


# --- the steps ---------------------------------------------------------------------------------------


def prepare_units(units: gpd.GeoDataFrame, notes: list[dict]) -> PreparedUnits:
    """Step "units": return the canonical unit table (EPSG:4326) with its geometries and points in EPSG:3035."""
    require_crs(units, DISPLAY_CRS, "units", "the unit table")
    country = units["country"].astype("string").reset_index(drop=True)
    is_region = (units["level"].astype("string") == "NUTS3").fillna(False).to_numpy(dtype=bool)
    geometries = units.geometry.to_crs(AREA_CRS).reset_index(drop=True)
    points = geometries.representative_point()
    prepared = PreparedUnits(
        unit_id=units["unit_id"].astype("string").reset_index(drop=True),
        country=country,
        nuts3=units["nuts3"].astype("string").reset_index(drop=True),
        is_region=is_region,
        geometries=geometries,
        points=points,
    )
    empty = points.isna() | points.is_empty
    if empty.any():
        notes.append(
            _note(
                "empty_geometry",
                f"{int(empty.sum())} unit(s) without geometry: all distances missing",
                units=units["unit_id"].astype(str)[empty.to_numpy()].head(20).tolist(),
            )
        )
    if is_region.any():
        notes.append(
            _note(
                "coarse_points",
                "units at NUTS 3 level (no municipal polygons) are measured from one point of the whole region: "
                "their distances are coarse",
                per_country=_counts(country[is_region]),
            )
        )
    return prepared


def urban_distances(
    prepared: PreparedUnits, cities: gpd.GeoSeries | None, fua: gpd.GeoSeries | None, notes: list[dict]
) -> tuple[np.ndarray, np.ndarray]:
    """Step "urban distances": return km to the nearest city and FUA label point (NaN where a layer failed)."""
    nan = np.full(len(prepared), np.nan)
    step = "urban distances"
    require_crs(prepared.points, AREA_CRS, step, "unit points")
    dist_city = nearest_known_km(prepared.points, cities, step=step) if cities is not None else nan.copy()
    dist_fua = nearest_known_km(prepared.points, fua, step=step) if fua is not None else nan.copy()
    # A partial minimum (one layer missing) would shift classes silently, so the nearest urban centre needs
    # both layers (see `assemble`).
    if cities is not None and fua is not None:
        notes.append(
            _note(
                "urban_points", "Urban Audit 2021 label points used (all of Europe)", cities=len(cities), fua=len(fua)
            )
        )
    else:
        notes.append(
            _note(
                "urban_points",
                "a Urban Audit layer failed: dist_urban_centre_km and peripherality are missing for every unit",
            )
        )
    return dist_city, dist_fua


def typologies(prepared: PreparedUnits, nuts: gpd.GeoDataFrame | None, notes: list[dict]) -> pd.DataFrame:
    """Step "typologies": return mount_type and urbn_type (Int8) per unit, joined on the NUTS 3 code."""
    n = len(prepared)
    if nuts is None:
        return pd.DataFrame(
            {"mount_type": pd.array([pd.NA] * n, dtype="Int8"), "urbn_type": pd.array([pd.NA] * n, dtype="Int8")},
            index=pd.RangeIndex(n),
        )
    require_crs(nuts, DISPLAY_CRS, "typologies", "NUTS 2021")
    table = nuts3_types(nuts)
    codes = prepared.nuts3
    # A left merge keeps the unit order; codes absent from NUTS 2021 level 3 get <NA>.
    types = pd.DataFrame({"nuts3": codes}).merge(table, how="left", on="nuts3")
    unmatched = ~codes.isin(table["nuts3"]).fillna(False).to_numpy(dtype=bool)
    notes.append(
        _note(
            "nuts3_match",
            f"{int(unmatched.sum())} of {n} unit(s) have no NUTS 2021 level 3 match on their nuts3 code: "
            "mount_type and urbn_type missing",
            unmatched=int(unmatched.sum()),
            without_code=int(codes.isna().sum()),
            per_country=_counts(prepared.country[unmatched]),
            sample=[
                f"{u} ({c})"
                for u, c in zip(prepared.unit_id.astype(str)[unmatched][:20], codes[unmatched].fillna("no code")[:20])
            ],
        )
    )
    return types


def failed_country_outlines(nuts: gpd.GeoDataFrame | None, countries: list[str]) -> gpd.GeoSeries | None:
    """Return the NUTS level 0 outlines of `countries` in EPSG:3035 (None without NUTS or without countries)."""
    if nuts is None or not countries:
        return None
    require_crs(nuts, DISPLAY_CRS, "hospital distances", "NUTS 2021")
    level0 = nuts[(nuts["LEVL_CODE"] == 0) & nuts["CNTR_CODE"].isin(countries)]
    return level0.geometry.to_crs(AREA_CRS)


def hospital_distances(
    prepared: PreparedUnits, hospitals: HospitalRead, outlines: gpd.GeoSeries | None, notes: list[dict]
) -> tuple[np.ndarray, np.ndarray]:
    """Step "hospital distances": return km to the nearest hospital and to the nearest emergency department.

    `outlines` (EPSG:3035) are the countries whose hospital file failed: where one is nearer than the nearest
    hospital read, the distance is missing; with failed files and no outlines, every distance is missing.
    """
    step = "hospital distances"
    nan = np.full(len(prepared), np.nan)
    if hospitals.failed_countries:
        notes.append(
            _note(
                "hospital_files_failed",
                f"hospital file(s) of {', '.join(hospitals.failed_countries)} failed: hospital distances are "
                + (
                    "missing where a hospital there could be the nearest"
                    if outlines is not None
                    else "missing for every unit (no NUTS outlines to bound them)"
                ),
                countries=hospitals.failed_countries,
            )
        )
    if hospitals.failed_countries and outlines is None:
        dist_hospital = nan.copy()
        dist_emergency = nan.copy()
    else:
        hp = hospitals.points
        require_crs(hp, AREA_CRS, step, "hospital points")
        dist_hospital = nearest_known_km(prepared.points, hp.geometry, unknown_regions=outlines, step=step)
        flagged = hp["emergency"].fillna(False).to_numpy(dtype=bool)
        unknown = hp["emergency"].isna().to_numpy()
        # Only hospitals flagged as emergency count; one with an empty flag may be one, so where it is nearer
        # the emergency distance is unknown. With no flags at all every unit is missing: never a distance to
        # any hospital passed off as a distance to an emergency department.
        dist_emergency = nearest_known_km(
            prepared.points,
            hp.geometry[flagged],
            unknown_points=hp.geometry[unknown],
            unknown_regions=outlines,
            step=step,
        )
    notes.append(
        _note(
            "hospitals",
            "hospitals read per country file (rows without usable lat/lon dropped)",
            per_country={
                c: {k: v for k, v in d.items() if not k.startswith("emergency")}
                for c, d in hospitals.per_country.items()
            },
        )
    )
    flags = {
        c: {k.removeprefix("emergency_"): v for k, v in d.items() if k.startswith("emergency")}
        for c, d in hospitals.per_country.items()
    }
    no_flags = [c for c, d in flags.items() if d["yes"] + d["no"] == 0]
    if hospitals.per_country and len(no_flags) == len(hospitals.per_country):
        message = (
            "the emergency column is empty for every country file: dist_hospital_emergency_km is "
            "missing for all units (it is never computed from all hospitals)"
        )
    elif no_flags:
        message = (
            f"no emergency flags for {', '.join(no_flags)}: emergency distances are missing where a "
            "hospital without a flag could be the nearest"
        )
    else:
        message = "emergency flags per country file"
    notes.append(_note("hospital_emergency_flags", message, per_country=flags, without_flags=no_flags))
    return dist_hospital, dist_emergency


def assemble(
    prepared: PreparedUnits,
    types: pd.DataFrame,
    distances: dict[str, np.ndarray],
    thresholds: Thresholds,
) -> pd.DataFrame:
    """Step "assemble": return the attribute table (rounded distances, typologies, classes) without the
    Alpine Convention flag. `distances` maps the four dist_*_km columns to km arrays."""
    rounded = {name: np.round(values, DECIMALS) for name, values in distances.items()}
    attributes = pd.DataFrame({"unit_id": prepared.unit_id.to_numpy()}, index=pd.RangeIndex(len(prepared)))
    attributes["mount_type"] = types["mount_type"].astype("Int8")
    attributes["urbn_type"] = types["urbn_type"].astype("Int8")
    attributes["mountain"] = attributes["mount_type"].le(3).astype("boolean")
    attributes["dist_city_km"] = rounded["dist_city_km"]
    attributes["dist_fua_km"] = rounded["dist_fua_km"]
    # fmin would take the one present value; a plain minimum keeps NaN when either is missing.
    attributes["dist_urban_centre_km"] = np.minimum(rounded["dist_city_km"], rounded["dist_fua_km"])
    attributes["dist_hospital_km"] = rounded["dist_hospital_km"]
    attributes["dist_hospital_emergency_km"] = rounded["dist_hospital_emergency_km"]
    attributes["peripherality"] = classify(attributes["dist_urban_centre_km"], thresholds)
    return attributes


def alpine_convention(prepared: PreparedUnits, perimeter: gpd.GeoSeries | None, notes: list[dict]) -> pd.array:
    """Step "alpine convention": return the in_alpine_convention flags (boolean, <NA> where unknown)."""
    if perimeter is None:
        return pd.array([pd.NA] * len(prepared), dtype="boolean")
    inside = alpine_convention_flags(prepared.geometries, prepared.points, prepared.is_region, perimeter)
    is_region = prepared.is_region
    lau_inside = inside.fillna(False).to_numpy(dtype=bool) & ~is_region
    notes.append(
        _note(
            "alpine_convention",
            f"{int(lau_inside.sum())} municipalities have their representative point in the Alpine "
            f"Convention perimeter (the Convention counts {ALPCONV_MUNICIPALITIES:,}; boundary vintages "
            "differ)",
            municipalities_per_country=_counts(prepared.country[lau_inside]),
            regions={
                unit: ("partly inside: missing" if pd.isna(flag) else "inside" if flag else "outside")
                for unit, flag in zip(prepared.unit_id.astype(str)[is_region], inside[is_region])
            },
        )
    )
    return inside.array


def tidy_values(attributes: pd.DataFrame) -> pd.DataFrame:
    """Return the indicator columns of `attributes` as VALUE_COLUMNS rows; missing values have no row."""
    numeric = attributes[["unit_id"]].copy()
    for indicator in INDICATORS:
        numeric[indicator] = attributes[indicator].astype("Float64")
    long = numeric.melt(id_vars="unit_id", var_name="indicator", value_name="value").dropna(subset=["value"])
    long["source"] = long["indicator"].map({k: v[0] for k, v in INDICATORS.items()})
    long["year"] = long["indicator"].map({k: v[1] for k, v in INDICATORS.items()}).astype("Int16")
    long["period"] = pd.NA
    long = long.astype(
        {"unit_id": "string", "indicator": "string", "value": "float64", "source": "string", "period": "string"}
    )
    return long[VALUE_COLUMNS].reset_index(drop=True)


# --- the whole derivation ----------------------------------------------------------------------------


def derive_peripherality(units: gpd.GeoDataFrame, root: Path | None = None) -> PeripheralityResult:
    """Return distances, typologies, classes and Alpine Convention flags for every unit.

    `units` is the canonical unit table (EPSG:4326; any other CRS is a StepCRSError). `root` is the source
    folder (default PLURALPS_SOURCES). Source failures are recorded in `failures`; the columns they feed are
    missing and everything else is still derived.
    """
    thresholds = load_thresholds()
    failures: list[dict] = []
    notes: list[dict] = []
    prepared = prepare_units(units, notes)

    cities = _attempt(lambda: read_points(CITIES, root), CITIES, failures, notes)
    fua = _attempt(lambda: read_points(FUA, root), FUA, failures, notes)
    dist_city, dist_fua = urban_distances(prepared, cities, fua, notes)

    # NUTS: typologies by code, and country outlines standing in for hospital files that failed.
    nuts = _attempt(lambda: read_nuts(root), NUTS, failures, notes)
    types = typologies(prepared, nuts, notes)

    hospitals = read_hospitals(root)
    failures.extend(hospitals.failures)
    outlines = failed_country_outlines(nuts, hospitals.failed_countries)
    dist_hospital, dist_emergency = hospital_distances(prepared, hospitals, outlines, notes)

    distances = {
        "dist_city_km": dist_city,
        "dist_fua_km": dist_fua,
        "dist_hospital_km": dist_hospital,
        "dist_hospital_emergency_km": dist_emergency,
    }
    attributes = assemble(prepared, types, distances, thresholds)

    perimeter = _attempt(lambda: read_perimeter(root), ALPCONV, failures, notes)
    attributes["in_alpine_convention"] = alpine_convention(prepared, perimeter, notes)

    notes.append(
        _note(
            "peripherality_classes",
            f"units per class ({thresholds.describe()})",
            counts=_counts(attributes["peripherality"].astype("string").fillna("missing")),
            thresholds_km=dict(zip(thresholds.names, thresholds.max_km)),
        )
    )
    attributes = attributes[ATTRIBUTE_COLUMNS].reset_index(drop=True)
    return PeripheralityResult(attributes, tidy_values(attributes), failures, notes)
