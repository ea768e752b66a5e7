"""Tests of geo.peripherality: distances, typology joins, classes, Alpine Convention flags, bad input.

Unit tests build a small world in EPSG:3035 (km offsets from a point in the Swiss Alps), write it as the
catalogued source files under tmp_path, and point `derive_peripherality` at that folder. Integration tests
(`-m integration`) read the real mirror named by PLURALPS_SOURCES.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, Polygon, box

from geo import sources
from geo.peripherality import (
    CLASSES,
    INDICATORS,
    THRESHOLDS_FILE,
    StepCRSError,
    Thresholds,
    alpine_convention_flags,
    classify,
    derive_peripherality,
    load_thresholds,
    nearest_known_km,
    representative_points,
    validate_thresholds,
)
from geo.readers import read_vector
from geo.schema import AREA_CRS, DISPLAY_CRS, VALUE_COLUMNS, conform_units

# EPSG:3035 metres near Andermatt; every fixture coordinate is a km offset from here.
OX, OY = 4_200_000.0, 2_600_000.0
KM = 1000.0
TO_LONLAT = Transformer.from_crs(AREA_CRS, DISPLAY_CRS, always_xy=True)

# The header of the GISCO healthcare CSVs, as released.
HOSPITAL_HEADER = [
    "id",
    "hospital_name",
    "site_name",
    "lat",
    "lon",
    "geo_qual",
    "street",
    "house_number",
    "postcode",
    "city",
    "cc",
    "country",
    "cap_beds",
    "cap_prac",
    "cap_rooms",
    "emergency",
    "facility_type",
    "public_private",
    "list_specs",
    "tel",
    "email",
    "url",
    "ref_date",
    "pub_date",
    "comments",
]


def at(x_km: float, y_km: float) -> Point:
    return Point(OX + x_km * KM, OY + y_km * KM)


def km_box(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return box(OX + x0 * KM, OY + y0 * KM, OX + x1 * KM, OY + y1 * KM)


def square(x_km: float, y_km: float, half_km: float = 1.0) -> Polygon:
    return km_box(x_km - half_km, y_km - half_km, x_km + half_km, y_km + half_km)


# The units of the small world: (unit_id, country, level, nuts3, polygon).
UNITS = [
    ("CH_1", "CH", "LAU", "CH012", square(0, 0)),
    ("CH_2", "CH", "LAU", "CH040", square(0, 100)),
    ("CH_3", "CH", "LAU", "XX999", square(0, -60)),  # a code NUTS 2021 does not have
    ("CH_4", "CH", "LAU", None, square(15, 0)),  # no code at all
    ("LI000", "LI", "NUTS3", "LI000", square(0, -30, 5)),
    ("SI042", "SI", "NUTS3", "SI042", square(10, -40, 5)),
]
CITIES = [("IT", at(30, 0)), ("CH", at(-50, 0))]
FUAS = [("CH", at(0, 40))]
# (country file, x km, y km, emergency flag)
HOSPITALS = [
    ("CH", -12, 0, ""),
    ("CH", 0, 95, ""),
    ("IT", 8, 0, ""),
    ("AT", 300, 300, ""),
    ("DE", 300, 400, ""),
    ("FR", -300, 0, ""),
    ("SI", 400, -100, ""),
]
# (NUTS_ID, level, country, MOUNT_TYPE, URBN_TYPE, polygon); the level 0 outlines stand in for a country
# whose hospital file failed.
NUTS_ROWS = [
    ("CH012", 3, "CH", 3.0, 2, km_box(-20, -20, 20, 20)),
    ("CH040", 3, "CH", 4.0, 1, km_box(-20, 80, 20, 120)),
    ("LI000", 3, "LI", 3.0, 1, km_box(-5, -35, 5, -25)),
    ("SI042", 3, "SI", 0.0, 2, km_box(5, -45, 15, -35)),  # MOUNT_TYPE 0: not classified
    ("CH", 0, "CH", 0.0, 0, km_box(-60, -80, 4, 130)),
    ("IT", 0, "IT", 0.0, 0, km_box(5, -20, 200, 20)),
]
PERIMETER = km_box(-10, -40, 10, 10)


def make_units(rows=UNITS) -> gpd.GeoDataFrame:
    """Return canonical units (EPSG:4326) from (unit_id, country, level, nuts3, polygon in 3035) rows."""
    gdf = gpd.GeoDataFrame(
        {
            "unit_id": [r[0] for r in rows],
            "country": [r[1] for r in rows],
            "name": [r[0] for r in rows],
            "nuts3": [r[3] for r in rows],
            "nuts2": [r[3][:4] if r[3] else None for r in rows],
            "boundary_year": 2021,
            "level": [r[2] for r in rows],
        },
        geometry=[r[4] for r in rows],
        crs=AREA_CRS,
    ).to_crs(DISPLAY_CRS)
    return conform_units(gdf, "test")


def _target(root: Path, source_id: str, part: str | None = None) -> Path:
    path = root / sources.get(source_id).relative_paths(part)[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_vector(root: Path, source_id: str, frame: gpd.GeoDataFrame) -> None:
    frame.to_crs(DISPLAY_CRS).to_file(_target(root, source_id), driver="GeoJSON")


def write_hospitals(root: Path, country: str, rows: list[dict]) -> None:
    with _target(root, "gisco_healthcare", country).open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HOSPITAL_HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in HOSPITAL_HEADER})


def hospital_row(x_km: float, y_km: float, emergency: str = "", **overrides) -> dict:
    lon, lat = TO_LONLAT.transform(OX + x_km * KM, OY + y_km * KM)
    return {"id": f"{x_km},{y_km}", "lat": repr(lat), "lon": repr(lon), "emergency": emergency} | overrides


def _points(rows: list[tuple[str, Point]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"CNTR_CODE": [c for c, _ in rows]}, geometry=[p for _, p in rows], crs=AREA_CRS)


def write_world(root: Path, hospitals=HOSPITALS) -> Path:
    """Write every source the derivation reads, as the catalogue lays them out under `root`."""
    write_vector(root, "gisco_urau_cities", _points(CITIES))
    write_vector(root, "gisco_urau_fua", _points(FUAS))
    write_vector(
        root,
        "gisco_nuts_2021",
        gpd.GeoDataFrame(
            {
                "NUTS_ID": [r[0] for r in NUTS_ROWS],
                "LEVL_CODE": [r[1] for r in NUTS_ROWS],
                "CNTR_CODE": [r[2] for r in NUTS_ROWS],
                "MOUNT_TYPE": [r[3] for r in NUTS_ROWS],
                "URBN_TYPE": [r[4] for r in NUTS_ROWS],
            },
            geometry=[r[5] for r in NUTS_ROWS],
            crs=AREA_CRS,
        ),
    )
    write_vector(root, "alpconv_perimeter", gpd.GeoDataFrame({"fid_1": [1]}, geometry=[PERIMETER], crs=AREA_CRS))
    for country in sources.get("gisco_healthcare").parts:
        write_hospitals(root, country, [hospital_row(x, y, e) for c, x, y, e in hospitals if c == country])
    return root


@pytest.fixture
def world(tmp_path: Path) -> Path:
    return write_world(tmp_path)


def by_unit(result) -> pd.DataFrame:
    return result.attributes.set_index("unit_id")


def note(result, topic: str) -> dict:
    found = [n for n in result.notes if n["topic"] == topic]
    assert found, f"no note '{topic}' in {[n['topic'] for n in result.notes]}"
    return found[0]


# --- distances ----------------------------------------------------------------------------------------


def test_distances_match_known_values(world):
    result = derive_peripherality(make_units(), root=world)
    a = by_unit(result)
    assert result.failures == []
    assert a.loc["CH_1", "dist_city_km"] == 30.0  # the Italian city 30 km east
    assert a.loc["CH_1", "dist_fua_km"] == 40.0
    assert a.loc["CH_1", "dist_urban_centre_km"] == 30.0
    assert a.loc["CH_2", "dist_fua_km"] == 60.0
    assert a.loc["CH_2", "dist_city_km"] == round(math.hypot(30, 100), 1)
    assert a.loc["CH_3", "dist_city_km"] == round(math.hypot(30, 60), 1)
    assert a.loc["CH_2", "dist_hospital_km"] == 5.0
    assert a.loc["LI000", "dist_hospital_km"] == round(math.hypot(8, 30), 1)


def test_nearest_targets_are_found_across_borders(world):
    a = by_unit(derive_peripherality(make_units(), root=world))
    # CH_1 is Swiss; the nearest city (30 km) and hospital (8 km) are Italian, the Swiss ones 50 and 12 km.
    assert a.loc["CH_1", "dist_city_km"] == 30.0
    assert a.loc["CH_1", "dist_hospital_km"] == 8.0
    # Liechtenstein has no hospital file: its nearest hospital comes from another country's file.
    assert a.loc["LI000", "dist_hospital_km"] > 0


def test_distances_are_measured_in_metres_of_epsg_3035():
    points = gpd.GeoSeries([at(0, 0), Point()], crs=AREA_CRS)
    targets = gpd.GeoSeries([at(3, 4), at(100, 0)], crs=AREA_CRS)
    km = nearest_known_km(points, targets)
    assert km[0] == pytest.approx(5.0)
    assert np.isnan(km[1])  # an empty point has no distance
    with pytest.raises(ValueError, match="EPSG:3035"):
        nearest_known_km(points.to_crs(DISPLAY_CRS), targets)


def test_unknown_targets_nearer_than_the_known_nearest_make_the_distance_missing():
    points = gpd.GeoSeries([at(0, 0), at(0, 50)], crs=AREA_CRS)
    known = gpd.GeoSeries([at(0, 40)], crs=AREA_CRS)
    unknown = gpd.GeoSeries([at(0, -5)], crs=AREA_CRS)
    km = nearest_known_km(points, known, unknown_points=unknown)
    assert np.isnan(km[0])  # the unknown target at 5 km might be the real nearest
    assert km[1] == pytest.approx(10.0)


def test_representative_point_lies_inside_a_concave_unit():
    # A U-shaped unit: its centroid falls in the gap, point_on_surface does not.
    u_shape = km_box(0, 0, 10, 10).difference(km_box(3, 2, 7, 10))
    units = gpd.GeoDataFrame(geometry=[u_shape], crs=AREA_CRS).to_crs(DISPLAY_CRS)
    point = representative_points(units)
    assert point.crs.equals(AREA_CRS)
    assert u_shape.contains(point.iloc[0])
    assert not u_shape.contains(u_shape.centroid)


# --- typologies ----------------------------------------------------------------------------------------


def test_nuts3_typologies_join_and_unmatched_codes_are_missing_and_counted(world):
    result = derive_peripherality(make_units(), root=world)
    a = by_unit(result)
    assert a.loc["CH_1", "mount_type"] == 3 and a.loc["CH_1", "urbn_type"] == 2
    assert bool(a.loc["CH_1", "mountain"]) is True
    assert a.loc["CH_2", "mount_type"] == 4 and bool(a.loc["CH_2", "mountain"]) is False
    for unit in ("CH_3", "CH_4"):
        assert pd.isna(a.loc[unit, "mount_type"]) and pd.isna(a.loc[unit, "mountain"])
    # MOUNT_TYPE 0 is "not classified": missing, not non-mountain; URBN_TYPE still joins.
    assert pd.isna(a.loc["SI042", "mount_type"]) and a.loc["SI042", "urbn_type"] == 2
    assert str(result.attributes["mount_type"].dtype) == "Int8"
    assert str(result.attributes["mountain"].dtype) == "boolean"
    match = note(result, "nuts3_match")["data"]
    assert match["unmatched"] == 2 and match["without_code"] == 1
    assert any("XX999" in s for s in match["sample"])


# --- classes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("distance", "expected"),
    [
        (0.0, "central"),
        (19.9, "central"),
        (20.0, "central"),
        (20.1, "intermediate"),
        (45.0, "intermediate"),
        (45.1, "peripheral"),
        (400.0, "peripheral"),
    ],
)
def test_classify_puts_a_distance_equal_to_a_bound_in_the_lower_class(distance, expected):
    thresholds = Thresholds(CLASSES, (20.0, 45.0))
    assert classify(pd.Series([distance]), thresholds).iloc[0] == expected


def test_classify_keeps_missing_distances_missing_and_the_index():
    thresholds = Thresholds(CLASSES, (20.0, 45.0))
    out = classify(pd.Series([np.nan, 10.0], index=[7, 9]), thresholds)
    assert out.index.tolist() == [7, 9]
    assert pd.isna(out.loc[7]) and out.loc[9] == "central"
    assert out.dtype.ordered and list(out.dtype.categories) == list(CLASSES)


def test_classify_at_the_bounds_of_the_thresholds_file():
    thresholds = load_thresholds()
    for name, bound in zip(thresholds.names, thresholds.max_km):
        at_bound, above = classify(pd.Series([bound, round(bound + 0.1, 1)]), thresholds)
        assert at_bound == name
        assert above == CLASSES[CLASSES.index(name) + 1]


def test_classes_in_the_derivation(world):
    result = derive_peripherality(make_units(), root=world)
    a = by_unit(result)
    assert a.loc["CH_4", "peripherality"] == "central"  # 15 km
    assert a.loc["CH_1", "peripherality"] == "intermediate"  # 30 km
    assert a.loc["CH_2", "peripherality"] == "peripheral"  # 60 km
    counts = note(result, "peripherality_classes")["data"]["counts"]
    assert counts == {"central": 1, "intermediate": 3, "peripheral": 2}


def test_thresholds_file_is_valid_and_every_class_documented():
    thresholds = load_thresholds(THRESHOLDS_FILE)
    assert thresholds.names == CLASSES
    assert all(len(thresholds.help[name]) > 20 for name in CLASSES)
    assert list(thresholds.max_km) == sorted(thresholds.max_km)


def _raw(*bounds, last_bound=None, names=CLASSES, helps=True) -> dict:
    tables = [{"name": n, "help": "documented" if helps else ""} for n in names]
    for table, bound in zip(tables, bounds):
        table["max_km"] = bound
    if last_bound is not None:
        tables[-1]["max_km"] = last_bound
    return {"class": tables}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_raw(45.0, 20.0), "increase"),
        (_raw(20.0, 20.0), "increase"),
        (_raw(-5.0, 20.0), "positive"),
        (_raw(0.0, 20.0), "positive"),
        (_raw(20.0, "far"), "numeric"),
        (_raw(20.0), "numeric"),
        (_raw(20.0, 45.0, last_bound=90.0), "open-ended"),
        (_raw(20.0, 45.0, names=("central", "peripheral", "intermediate")), "in that order"),
        (_raw(20.0, 45.0, helps=False), "help"),
        ({}, "no \\[\\[class\\]\\]"),
    ],
)
def test_invalid_thresholds_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        validate_thresholds(raw)


# --- hospitals -----------------------------------------------------------------------------------------


def test_emergency_distance_is_missing_when_no_file_has_flags(world):
    result = derive_peripherality(make_units(), root=world)
    assert result.attributes["dist_hospital_emergency_km"].isna().all()
    assert result.attributes["dist_hospital_km"].notna().all()
    flags = note(result, "hospital_emergency_flags")
    assert "empty for every country" in flags["message"]
    assert flags["data"]["without_flags"] == list(sources.get("gisco_healthcare").parts)
    assert "dist_hospital_emergency_km" not in set(result.values["indicator"])


def test_emergency_distance_uses_only_flagged_hospitals(tmp_path):
    flagged = [(c, x, y, "yes" if (x, y) == (-12, 0) else "no") for c, x, y, _ in HOSPITALS]
    a = by_unit(derive_peripherality(make_units(), root=write_world(tmp_path, flagged)))
    assert a.loc["CH_1", "dist_hospital_emergency_km"] == 12.0  # not the nearer hospital without one (8 km)
    assert a.loc["CH_1", "dist_hospital_km"] == 8.0


def test_emergency_distance_is_missing_where_an_unflagged_hospital_is_nearer(tmp_path):
    # The Italian file has no flags: its hospital (8 km from CH_1) may have an emergency department.
    flags = {(-12, 0): "no", (0, 95): "yes"}
    rows = [(c, x, y, "" if c == "IT" else flags.get((x, y), "no")) for c, x, y, _ in HOSPITALS]
    result = derive_peripherality(make_units(), root=write_world(tmp_path, rows))
    a = by_unit(result)
    assert pd.isna(a.loc["CH_1", "dist_hospital_emergency_km"])
    assert a.loc["CH_2", "dist_hospital_emergency_km"] == 5.0  # its flagged hospital is nearer than any other
    assert note(result, "hospital_emergency_flags")["data"]["without_flags"] == ["IT"]


def test_hospital_rows_with_bad_coordinates_are_dropped_and_counted(world):
    rows = [
        hospital_row(-12, 0),
        hospital_row(0, 95),
        hospital_row(1, 1, lat="abc"),
        hospital_row(2, 2, lat=""),
        hospital_row(3, 3, lon="  "),
        hospital_row(4, 4, lat="95.0"),
    ]
    write_hospitals(world, "CH", rows)
    result = derive_peripherality(make_units(), root=world)
    assert result.failures == []
    counts = note(result, "hospitals")["data"]["per_country"]["CH"]
    assert counts["rows"] == 6 and counts["used"] == 2
    assert counts["dropped_without_coordinates"] == 4
    assert counts["of_which_unparseable"] == 1  # "abc"; empty cells are simply missing
    assert by_unit(result).loc["CH_2", "dist_hospital_km"] == 5.0


def test_a_failed_hospital_file_blanks_only_units_it_could_serve(world):
    (world / sources.get("gisco_healthcare").relative_paths("IT")[0]).unlink()
    result = derive_peripherality(make_units(), root=world)
    a = by_unit(result)
    assert [(f["source"], f["kind"]) for f in result.failures] == [("gisco_healthcare", "missing")]
    assert "healthcare_IT.csv" in result.failures[0]["path"]
    # CH_1 is 5 km from Italy, where an unread hospital may lie nearer than the Swiss one at 12 km.
    assert pd.isna(a.loc["CH_1", "dist_hospital_km"])
    # CH_2's Swiss hospital (5 km) is nearer than Italy could be.
    assert a.loc["CH_2", "dist_hospital_km"] == 5.0
    assert note(result, "hospital_files_failed")["data"]["countries"] == ["IT"]


# --- failures and optional sources ----------------------------------------------------------------------


def test_a_missing_source_is_recorded_and_the_rest_still_derived(world):
    (world / sources.get("gisco_urau_cities").relative_paths()[0]).unlink()
    result = derive_peripherality(make_units(), root=world)
    a = result.attributes
    assert [(f["source"], f["kind"]) for f in result.failures] == [("gisco_urau_cities", "missing")]
    assert a["dist_city_km"].isna().all()
    # A minimum over the FUA layer alone would be a different measure: missing, not a guess.
    assert a["dist_urban_centre_km"].isna().all() and a["peripherality"].isna().all()
    assert a["dist_fua_km"].notna().all() and a["dist_hospital_km"].notna().all()
    assert a["mount_type"].notna().sum() == 3
    assert set(result.values["indicator"]) == {"dist_fua_km", "dist_hospital_km", "mount_type", "urbn_type"}


def test_a_corrupt_source_is_recorded(world):
    (world / sources.get("gisco_nuts_2021").relative_paths()[0]).write_text("{ not json")
    result = derive_peripherality(make_units(), root=world)
    assert [(f["source"], f["kind"]) for f in result.failures] == [("gisco_nuts_2021", "corrupt")]
    assert result.attributes["mount_type"].isna().all()
    assert result.attributes["mountain"].isna().all()
    assert result.attributes["dist_city_km"].notna().all()


def test_an_absent_optional_perimeter_is_a_note_not_a_failure(world):
    (world / sources.get("alpconv_perimeter").relative_paths()[0]).unlink()
    result = derive_peripherality(make_units(), root=world)
    assert result.failures == []
    assert result.attributes["in_alpine_convention"].isna().all()
    assert str(result.attributes["in_alpine_convention"].dtype) == "boolean"
    assert note(result, "optional_source_absent")["data"]["source"] == "alpconv_perimeter"


def test_alpine_convention_flags(world):
    result = derive_peripherality(make_units(), root=world)
    a = by_unit(result)
    assert bool(a.loc["CH_1", "in_alpine_convention"]) is True
    assert bool(a.loc["CH_2", "in_alpine_convention"]) is False
    assert bool(a.loc["LI000", "in_alpine_convention"]) is True  # region wholly inside
    assert pd.isna(a.loc["SI042", "in_alpine_convention"])  # region cut by the perimeter
    data = note(result, "alpine_convention")["data"]
    assert data["municipalities_per_country"] == {"CH": 1}  # CH_1 only
    assert data["regions"] == {"LI000": "inside", "SI042": "partly inside: missing"}


def test_regional_units_are_reported_as_coarse(world):
    result = derive_peripherality(make_units(), root=world)
    assert note(result, "coarse_points")["data"]["per_country"] == {"LI": 1, "SI": 1}


def test_a_unit_without_geometry_gets_missing_distances(world):
    rows = [*UNITS, ("CH_9", "CH", "LAU", "CH012", Polygon())]
    result = derive_peripherality(make_units(rows), root=world)
    a = by_unit(result)
    assert a.loc["CH_9", ["dist_city_km", "dist_hospital_km"]].isna().all()
    assert a.loc["CH_9", "mount_type"] == 3  # the NUTS join does not need geometry
    assert note(result, "empty_geometry")["data"]["units"] == ["CH_9"]


# --- the CRS at each step of the derivation -----------------------------------------------------------


def test_units_in_another_crs_than_the_canonical_one_name_the_step(world):
    units = make_units().to_crs(AREA_CRS)
    with pytest.raises(StepCRSError, match=r"step 'units'.*must be in EPSG:4326, got EPSG:3035") as caught:
        derive_peripherality(units, root=world)
    assert (caught.value.step, caught.value.expected, caught.value.found) == ("units", DISPLAY_CRS, units.crs)


def test_a_target_layer_in_degrees_names_the_distance_step(world, monkeypatch):
    from geo.peripherality import derivation

    def lonlat_points(source_id, root=None):
        return gpd.GeoSeries([at(0, 0)], crs=AREA_CRS).to_crs(DISPLAY_CRS)

    # A reader that forgot its to_crs: degrees would be measured as metres without the check.
    monkeypatch.setattr(derivation, "read_points", lonlat_points)
    with pytest.raises(StepCRSError, match=r"step 'urban distances': known must be in EPSG:3035, got EPSG:4326"):
        derive_peripherality(make_units(), root=world)


def test_a_wrong_crs_is_a_programming_error_not_a_recorded_source_failure(world, monkeypatch):
    from geo.peripherality import derivation

    real = derivation.read_perimeter
    monkeypatch.setattr(derivation, "read_perimeter", lambda root=None: real(root).to_crs(DISPLAY_CRS))
    with pytest.raises(StepCRSError, match=r"step 'alpine convention': perimeter must be in EPSG:3035, got EPSG:4326"):
        derive_peripherality(make_units(), root=world)


def test_alpine_convention_flags_refuse_geometries_without_a_crs():
    points = gpd.GeoSeries([at(0, 0)], crs=AREA_CRS)
    with pytest.raises(StepCRSError, match=r"geometries must be in EPSG:3035, got no CRS"):
        alpine_convention_flags(gpd.GeoSeries([km_box(-1, -1, 1, 1)]), points, np.array([False]), points)


# --- output shapes --------------------------------------------------------------------------------------


def test_output_shapes(world):
    units = make_units()
    result = derive_peripherality(units, root=world)
    a = result.attributes
    assert a["unit_id"].tolist() == units["unit_id"].tolist()
    assert a.index.equals(pd.RangeIndex(len(units)))
    assert list(result.values.columns) == VALUE_COLUMNS
    values = result.values
    for indicator, (source, year) in INDICATORS.items():
        rows = values[values["indicator"] == indicator]
        assert (rows["source"] == source).all() and (rows["year"] == year).all()
    assert values["value"].notna().all() and values["period"].isna().all()
    city = values[(values["indicator"] == "dist_city_km") & (values["unit_id"] == "CH_1")]["value"]
    assert city.tolist() == [30.0]
    assert len(values[values["indicator"] == "mount_type"]) == 3


# --- integration: the real mirror -----------------------------------------------------------------------


@cache
def _real_result(root: Path):
    """Derive on Haute-Savoie communes (2018) and Swiss communes (2021) with NUTS 3 joined spatially."""
    fr = read_vector(
        "fr_boundaries_2018", "74-haute-savoie", path=sources.locate("fr_boundaries_2018", "74-haute-savoie", root=root)
    )
    ch = read_vector("ch_boundaries_2021", layer="municipalities", path=sources.locate("ch_boundaries_2021", root=root))
    frames = [
        gpd.GeoDataFrame(
            {
                "unit_id": "FR_" + fr["code"].astype(str),
                "country": "FR",
                "name": fr["nom"],
                "boundary_year": 2018,
                "level": "LAU",
            },
            geometry=fr.geometry,
            crs=DISPLAY_CRS,
        ),
        gpd.GeoDataFrame(
            {
                "unit_id": "CH_" + ch["id"].astype(str),
                "country": "CH",
                "name": ch["id"],
                "boundary_year": 2021,
                "level": "LAU",
            },
            geometry=ch.geometry,
            crs=DISPLAY_CRS,
        ),
    ]
    units = pd.concat(frames, ignore_index=True)
    nuts = read_vector("gisco_nuts_2021", path=sources.locate("gisco_nuts_2021", root=root))
    level3 = nuts[nuts["LEVL_CODE"].astype(int) == 3][["NUTS_ID", "CNTR_CODE", "geometry"]].to_crs(AREA_CRS)
    points = gpd.GeoDataFrame(
        {"country": units["country"]}, crs=AREA_CRS, geometry=units.geometry.to_crs(AREA_CRS).representative_point()
    )
    joined = gpd.sjoin(points, level3, predicate="within", how="left")
    joined = joined[joined["CNTR_CODE"].eq(joined["country"]).fillna(False)]
    units["nuts3"] = joined.loc[~joined.index.duplicated(), "NUTS_ID"].reindex(units.index)
    units["nuts2"] = units["nuts3"].str[:4]
    units = conform_units(gpd.GeoDataFrame(units, geometry="geometry", crs=DISPLAY_CRS), "test")
    return units, derive_peripherality(units, root=root)


@pytest.mark.integration
def test_real_chamonix_has_a_hospital_within_a_few_km(mirror):
    _, result = _real_result(mirror)
    assert result.failures == []
    chamonix = by_unit(result).loc["FR_74056"]
    assert 0 <= chamonix["dist_hospital_km"] < 25


@pytest.mark.integration
def test_real_zermatt_is_in_a_mountain_region(mirror):
    units, result = _real_result(mirror)
    assert units.set_index("unit_id").loc["CH_6300", "nuts3"] == "CH012"
    zermatt = by_unit(result).loc["CH_6300"]
    assert zermatt["mount_type"] in (1, 2, 3)
    assert bool(zermatt["mountain"]) is True
    assert bool(zermatt["in_alpine_convention"]) is True


@pytest.mark.integration
def test_real_zurich_is_central(mirror):
    _, result = _real_result(mirror)
    zurich = by_unit(result).loc["CH_261"]
    assert zurich["peripherality"] == "central"
    assert bool(zurich["in_alpine_convention"]) is False


@pytest.mark.integration
def test_real_distances_are_finite_and_non_negative(mirror):
    units, result = _real_result(mirror)
    a = result.attributes
    has_geometry = ~(units.geometry.isna() | units.geometry.is_empty).to_numpy()
    for column in ("dist_city_km", "dist_fua_km", "dist_urban_centre_km", "dist_hospital_km"):
        values = a.loc[has_geometry, column].to_numpy(dtype=float)
        assert np.isfinite(values).all(), column
        assert (values >= 0).all(), column
    # Straight lines from anywhere in Switzerland or Haute-Savoie: no urban centre is 150 km away.
    assert a["dist_urban_centre_km"].max() < 150
    # The mirror's hospital files carry no emergency flags: that distance is missing everywhere.
    assert a["dist_hospital_emergency_km"].isna().all()
    empty = set(units.loc[~has_geometry, "unit_id"])
    if empty:
        assert set(note(result, "empty_geometry")["data"]["units"]) == empty


@pytest.mark.integration
def test_real_alpine_convention_counts_are_reported(mirror):
    _, result = _real_result(mirror)
    counts = note(result, "alpine_convention")["data"]["municipalities_per_country"]
    # Haute-Savoie lies wholly in the perimeter (all 281 communes of 2018 in the mirror); the Swiss Plateau
    # and Jura do not, so only part of Switzerland's 2,175 communes are inside (617 in the mirror).
    assert counts["FR"] >= 275
    assert 500 < counts["CH"] < 1000
