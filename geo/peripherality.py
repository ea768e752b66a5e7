"""Peripherality of each unit: distances to cities and hospitals, NUTS 3 typologies, a three-class label.

`derive_peripherality(units)` returns, per unit of the canonical unit table (geo.schema):

- straight-line distances in km, measured in EPSG:3035 from the unit's representative point
  (shapely `point_on_surface`, which unlike the centroid always lies inside the unit) to the nearest
  Urban Audit 2021 city label point, FUA label point, hospital and hospital with an emergency department;
- Eurostat's NUTS 3 mountain typology (MOUNT_TYPE) and urban-rural typology (URBN_TYPE) of its region;
- a peripherality class ("central", "intermediate", "peripheral") from the thresholds in
  data/peripherality.toml applied to the distance to the nearest city or FUA point;
- whether it lies in the Alpine Convention perimeter, where that optional source is present.

Targets are all points in Europe, not those of the unit's own country: the nearest city to a Swiss
border commune may be Italian, the nearest hospital to Liechtenstein Swiss or Austrian.

Each source is read on its own; a `SourceError` is recorded in `failures` and only the columns that need
that source go missing. A distance is never silently computed from an incomplete set of targets: where a
hospital file failed, or a hospital's emergency flag is unknown, units for which such a hospital could be
the nearest get a missing value instead of a wrong one (see `nearest_known_km`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import sources
from geo.errors import SourceError, SourceMissing
from geo.readers import EUROPE_LONLAT, read_table, read_vector, require_columns, to_number
from geo.schema import AREA_CRS, DISPLAY_CRS, VALUE_COLUMNS, check_unique
from geo.settings import DATA_DIR

THRESHOLDS_FILE = DATA_DIR / "peripherality.toml"

CITIES = "gisco_urau_cities"
FUA = "gisco_urau_fua"
HOSPITALS = "gisco_healthcare"
NUTS = "gisco_nuts_2021"
ALPCONV = "alpconv_perimeter"

# The labels are part of the public contract (the build and the dashboard use them), so the thresholds file may
# move the cut-offs but not rename or reorder the classes.
CLASSES = ("central", "intermediate", "peripheral")
CLASS_DTYPE = pd.CategoricalDtype(list(CLASSES), ordered=True)

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

# Distances are shown to 0.1 km: the representative point of a municipality is itself an approximation
# of where its people live, so finer figures would promise a precision the measure does not have.
DECIMALS = 1

# NUTS 2021 at 1:10 million: 0.2 mm of map accuracy at that scale is 2 km on the ground. A country outline
# used as a stand-in for its unread hospitals may lie up to this much too far from a unit.
NUTS_OUTLINE_TOLERANCE_M = 2_000.0

# A NUTS 3-level unit is flagged inside (outside) the Alpine Convention when at least (at most) this share
# of its area lies in the perimeter; anything between is partly inside and stays missing. The slack absorbs
# the mismatch between the 1:10M NUTS outline and the detailed perimeter along shared borders.
ALPCONV_INSIDE_SHARE = 0.98
ALPCONV_OUTSIDE_SHARE = 0.02
ALPCONV_MUNICIPALITIES = 5_867  # the Convention's own count (data mirror SOURCES.md)

EMERGENCY_YES = frozenset({"yes", "y", "true", "1", "oui", "ja", "si", "sì"})
EMERGENCY_NO = frozenset({"no", "n", "false", "0", "non", "nein"})

T = TypeVar("T")


# --- thresholds ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """Upper bounds (km, inclusive) of every class but the last, which is open-ended."""

    names: tuple[str, ...]
    max_km: tuple[float, ...]
    help: dict[str, str] = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        """Return the rule as text, e.g. 'central <= 20 km < intermediate <= 45 km < peripheral'."""
        parts = [f"{name} <= {bound:g} km" for name, bound in zip(self.names, self.max_km)]
        return " < ".join(parts + [self.names[-1]])


def validate_thresholds(raw: dict) -> Thresholds:
    """Return the thresholds parsed from the TOML table `raw`; raise ValueError naming what is wrong."""
    classes = raw.get("class")
    if not isinstance(classes, list) or not classes:
        raise ValueError("peripherality thresholds: no [[class]] tables")
    names = tuple(str(c.get("name", "")) for c in classes)
    if names != CLASSES:
        raise ValueError(f"peripherality thresholds: classes must be {CLASSES} in that order, got {names}")
    undocumented = [n for n, c in zip(names, classes) if not str(c.get("help", "")).strip()]
    if undocumented:
        raise ValueError(f"peripherality thresholds: class(es) without help text: {', '.join(undocumented)}")
    if "max_km" in classes[-1]:
        raise ValueError(f"peripherality thresholds: the last class '{names[-1]}' is open-ended, drop max_km")
    bounds = []
    for name, table in zip(names[:-1], classes[:-1]):
        value = table.get("max_km")
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise ValueError(f"peripherality thresholds: class '{name}' needs a numeric max_km, got {value!r}")
        if value <= 0:
            raise ValueError(f"peripherality thresholds: max_km of '{name}' must be positive, got {value}")
        bounds.append(float(value))
    if any(b <= a for a, b in zip(bounds, bounds[1:])):
        raise ValueError(f"peripherality thresholds: max_km must increase strictly, got {bounds}")
    return Thresholds(names, tuple(bounds), {n: str(c["help"]) for n, c in zip(names, classes)})


def load_thresholds(path: Path = THRESHOLDS_FILE) -> Thresholds:
    """Return the validated thresholds of data/peripherality.toml (or of `path`)."""
    with path.open("rb") as f:
        return validate_thresholds(tomllib.load(f))


def classify(distances: pd.Series, thresholds: Thresholds) -> pd.Series:
    """Return the class of each distance (ordered categorical, same index); missing distance -> missing.

    A distance equal to a bound belongs to the lower class (central <= 20 km).
    """
    values = pd.to_numeric(distances, errors="coerce").astype("float64").to_numpy()
    # side="left": searchsorted puts a value equal to a bound at that bound's index, i.e. the lower class.
    codes = np.searchsorted(np.asarray(thresholds.max_km), values, side="left")
    codes = np.where(np.isnan(values), -1, codes)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=CLASS_DTYPE), index=distances.index)


# --- geometry helpers (pure) -------------------------------------------------------------------------


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
) -> np.ndarray:
    """Return km from each point to the nearest `known` target, or NaN where that may not be the nearest.

    All inputs must be in EPSG:3035. `unknown_points` are targets that may or may not qualify (a hospital
    whose emergency flag is empty); `unknown_regions` are areas whose targets were not read (the country of
    a failed hospital file). Where one of them is nearer than the nearest known target, the true distance
    is unknown and the result is NaN rather than an overestimate. Regions count as `region_tolerance_m`
    nearer than they are, because their outlines are generalised.
    """
    for name, series in (
        ("points", points),
        ("known", known),
        ("unknown_points", unknown_points),
        ("unknown_regions", unknown_regions),
    ):
        if series is not None and (series.crs is None or not series.crs.equals(AREA_CRS)):
            raise ValueError(f"{name} must be in {AREA_CRS} for distances, got {series.crs}")
    pts = points.to_numpy()
    dist = _nearest_m(pts, known.to_numpy())
    bound = np.full(len(pts), np.inf)
    if unknown_points is not None and len(unknown_points):
        bound = np.fmin(bound, _nearest_m(pts, unknown_points.to_numpy()))
    if unknown_regions is not None and len(unknown_regions):
        bound = np.fmin(bound, _nearest_m(pts, unknown_regions.to_numpy()) - region_tolerance_m)
    dist[bound < dist] = np.nan
    return dist / 1000.0


def alpine_convention_flags(
    geometries: gpd.GeoSeries, points: gpd.GeoSeries, is_region: np.ndarray, perimeter: gpd.GeoSeries
) -> pd.Series:
    """Return True/False/<NA> per unit for lying in the Alpine Convention perimeter (all in EPSG:3035).

    A municipality is inside when its representative point lies in the perimeter (the Convention lists
    whole municipalities). A NUTS 3-level unit (`is_region`) is inside or outside only when (almost) all
    of its area is; a region cut by the perimeter is neither and stays missing.
    """
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


# --- source readers ----------------------------------------------------------------------------------


def read_points(source_id: str, root: Path | None = None) -> gpd.GeoSeries:
    """Return the geometries of a catalogued point layer (Urban Audit label points) in EPSG:3035."""
    gdf = read_vector(source_id, path=sources.locate(source_id, root=root), columns=[])
    return gdf.geometry.to_crs(AREA_CRS)


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


def read_nuts(root: Path | None = None) -> gpd.GeoDataFrame:
    """Return GISCO NUTS 2021 (all levels) with parsed LEVL_CODE, MOUNT_TYPE, URBN_TYPE, in EPSG:4326."""
    path = sources.locate(NUTS, root=root)
    nuts = read_vector(NUTS, path=path, columns=["NUTS_ID", "LEVL_CODE", "CNTR_CODE", "MOUNT_TYPE", "URBN_TYPE"])
    nuts["LEVL_CODE"] = to_number(nuts["LEVL_CODE"])[0]
    check_unique(nuts[nuts["LEVL_CODE"] == 3], "NUTS_ID", NUTS, path)
    return nuts


def nuts3_types(nuts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return NUTS 3 codes with mount_type (1-4) and urbn_type (1-3) as Int8; 0 and other codes -> <NA>."""
    level3 = nuts[nuts["LEVL_CODE"] == 3]
    mount = to_number(level3["MOUNT_TYPE"])[0]
    urbn = to_number(level3["URBN_TYPE"])[0]
    # 0 is "no classification provided": missing, never "non-mountain".
    return pd.DataFrame(
        {
            "nuts3": level3["NUTS_ID"].astype("string").to_numpy(),
            "mount_type": mount.where(mount.isin([1, 2, 3, 4])).astype("Int8").to_numpy(),
            "urbn_type": urbn.where(urbn.isin([1, 2, 3])).astype("Int8").to_numpy(),
        }
    )


# --- the derivation ----------------------------------------------------------------------------------


@dataclass
class PeripheralityResult:
    """What `derive_peripherality` found: per-unit attributes, the tidy values, and the report entries."""

    attributes: pd.DataFrame
    values: pd.DataFrame
    failures: list[dict]
    notes: list[dict]


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


def derive_peripherality(units: gpd.GeoDataFrame, root: Path | None = None) -> PeripheralityResult:
    """Return distances, typologies, classes and Alpine Convention flags for every unit.

    `units` is the canonical unit table (EPSG:4326). `root` is the source folder (default
    PLURALPS_SOURCES). Source failures are recorded in `failures`; the columns they feed are missing and
    everything else is still derived.
    """
    thresholds = load_thresholds()
    failures: list[dict] = []
    notes: list[dict] = []
    n = len(units)
    index = pd.RangeIndex(n)
    country = units["country"].astype("string").reset_index(drop=True)
    is_region = (units["level"].astype("string") == "NUTS3").fillna(False).to_numpy(dtype=bool)
    geoms = units.geometry.to_crs(AREA_CRS).reset_index(drop=True)
    points = geoms.representative_point()
    nan = np.full(n, np.nan)

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

    # Urban centres. A partial minimum (one layer missing) would shift classes silently, so the nearest
    # urban centre needs both layers.
    cities = _attempt(lambda: read_points(CITIES, root), CITIES, failures, notes)
    fua = _attempt(lambda: read_points(FUA, root), FUA, failures, notes)
    dist_city = nearest_known_km(points, cities) if cities is not None else nan.copy()
    dist_fua = nearest_known_km(points, fua) if fua is not None else nan.copy()
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

    # NUTS: typologies by code, and country outlines standing in for hospital files that failed.
    nuts = _attempt(lambda: read_nuts(root), NUTS, failures, notes)
    types = pd.DataFrame(
        {"mount_type": pd.array([pd.NA] * n, dtype="Int8"), "urbn_type": pd.array([pd.NA] * n, dtype="Int8")},
        index=index,
    )
    if nuts is not None:
        table = nuts3_types(nuts)
        codes = units["nuts3"].astype("string").reset_index(drop=True)
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
                per_country=_counts(country[unmatched]),
                sample=[
                    f"{u} ({c})"
                    for u, c in zip(
                        units["unit_id"].astype(str)[unmatched][:20], codes[unmatched].fillna("no code")[:20]
                    )
                ],
            )
        )

    # Hospitals.
    hospitals = read_hospitals(root)
    failures.extend(hospitals.failures)
    outlines = None
    if hospitals.failed_countries:
        if nuts is not None:
            level0 = nuts[(nuts["LEVL_CODE"] == 0) & nuts["CNTR_CODE"].isin(hospitals.failed_countries)]
            outlines = level0.geometry.to_crs(AREA_CRS)
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
        dist_hospital = nearest_known_km(points, hp.geometry, unknown_regions=outlines)
        flagged = hp["emergency"].fillna(False).to_numpy(dtype=bool)
        unknown = hp["emergency"].isna().to_numpy()
        # Only hospitals flagged as emergency count; one with an empty flag may be one, so where it is nearer
        # the emergency distance is unknown. With no flags at all every unit is missing: never a distance to
        # any hospital passed off as a distance to an emergency department.
        dist_emergency = nearest_known_km(
            points, hp.geometry[flagged], unknown_points=hp.geometry[unknown], unknown_regions=outlines
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

    rounded = {
        name: np.round(values, DECIMALS)
        for name, values in (
            ("dist_city_km", dist_city),
            ("dist_fua_km", dist_fua),
            ("dist_hospital_km", dist_hospital),
            ("dist_hospital_emergency_km", dist_emergency),
        )
    }
    attributes = pd.DataFrame({"unit_id": units["unit_id"].astype("string").to_numpy()}, index=index)
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

    perimeter = _attempt(
        lambda: read_vector(ALPCONV, path=sources.locate(ALPCONV, root=root)), ALPCONV, failures, notes
    )
    if perimeter is not None:
        inside = alpine_convention_flags(geoms, points, is_region, perimeter.geometry.to_crs(AREA_CRS))
        attributes["in_alpine_convention"] = inside.array
        lau_inside = inside.fillna(False).to_numpy(dtype=bool) & ~is_region
        notes.append(
            _note(
                "alpine_convention",
                f"{int(lau_inside.sum())} municipalities have their representative point in the Alpine "
                f"Convention perimeter (the Convention counts {ALPCONV_MUNICIPALITIES:,}; boundary vintages "
                "differ)",
                municipalities_per_country=_counts(country[lau_inside]),
                regions={
                    unit: ("partly inside: missing" if pd.isna(flag) else "inside" if flag else "outside")
                    for unit, flag in zip(units["unit_id"].astype(str)[is_region], inside[is_region])
                },
            )
        )
    else:
        attributes["in_alpine_convention"] = pd.array([pd.NA] * n, dtype="boolean")

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
