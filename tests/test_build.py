"""The build: outputs, validation, report, idempotence, and a broken source that loses nothing else."""

from __future__ import annotations

import json
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo import build as build_module
from geo.report import coverage, join_report, years_per_source
from geo.terms import COUNTRIES


def _units(ids, countries, levels=None):
    n = len(ids)
    return gpd.GeoDataFrame(
        {
            "unit_id": ids,
            "country": countries,
            "level": levels or ["LAU"] * n,
            "nuts3": ["X"] * n,
            "area_km2": [1.0] * n,
        },
        geometry=[box(i, 0, i + 1, 1) for i in range(n)],
        crs=4326,
    )


def _values(rows):
    return pd.DataFrame(rows, columns=["unit_id", "indicator", "year", "value", "source", "period"])


def test_join_report_lists_codes_of_the_perimeter_that_match_nothing():
    units = _units(["DE_09162000", "DE_09184112", "SI041"], ["DE", "DE", "SI"], ["LAU", "LAU", "NUTS3"])
    values = _values(
        [
            ("DE_09162000", "population", 2022, 1.0, "de_census_2022", None),
            ("DE_09999999", "population", 2022, 1.0, "de_census_2022", None),  # Bavaria, unknown: reported
            ("DE_05315000", "population", 2022, 1.0, "de_census_2022", None),  # Cologne, outside: not a problem
            ("SI041", "population", 2021, 1.0, "riate_nuts3", None),
            ("CH011", "population", 2021, 1.0, "riate_nuts3", None),  # Swiss units are municipal
        ]
    )
    report = {r["source"]: r for r in join_report(values, units)}
    de = report["de_census_2022"]
    assert de["unmatched_codes_in_perimeter_list"] == ["DE_09999999"]
    assert de["codes_outside_perimeter"] == 1
    assert de["units_without_value_list"] == ["DE_09184112"]
    assert report["riate_nuts3"]["unmatched_codes_in_perimeter"] == 0


def test_years_per_source_and_country_count_units_and_indicators():
    units = _units(["AT_1", "AT_2", "CH_1"], ["AT", "AT", "CH"])
    values = _values(
        [
            ("AT_1", "foreign_pct", 2011, 5.0, "at", None),
            ("AT_1", "population", 2011, 90.0, "at", None),
            ("AT_1", "foreign_pct", 2015, 6.0, "at", None),
            ("AT_2", "foreign_pct", 2015, 7.0, "at", None),
            ("CH_1", "foreign_pct", 2019, 9.0, "ch", None),
        ]
    )
    records = years_per_source(values, units)
    assert all(r["vintage"] == "" for r in records)  # sources the catalogue does not know: no vintage claimed
    rows = {(r["source"], r["country"]): r["years"] for r in records}
    assert rows == {
        ("at", "AT"): {2011: {"units": 1, "indicators": 2}, 2015: {"units": 2, "indicators": 1}},
        ("ch", "CH"): {2019: {"units": 1, "indicators": 1}},
    }


def test_coverage_counts_missing_per_country_and_lists_years():
    units = _units(["AT_1", "AT_2", "CH_1"], ["AT", "AT", "CH"])
    values = _values([("AT_1", "foreign_pct", 2015, 5.0, "at", None), ("CH_1", "foreign_pct", 2019, 9.0, "ch", None)])
    catalogue = pd.DataFrame({"id": ["foreign_pct", "vacancy_rate"]})
    rows = {(r["indicator"], r["country"]): r for r in coverage(values, units, catalogue)}
    assert rows[("foreign_pct", "AT")] == {
        "indicator": "foreign_pct",
        "country": "AT",
        "units": 2,
        "with_value": 1,
        "missing": 1,
        "years": [2015],
    }
    assert rows[("vacancy_rate", "CH")]["missing"] == 1


def test_validation_rejects_duplicates_and_uncatalogued_indicators():
    units = _units(["AT_1"], ["AT"])
    values = _values([("AT_1", "mystery", 2015, 1.0, "at", None), ("AT_1", "mystery", 2015, 2.0, "at", None)])
    with pytest.raises(ValueError, match="mystery") as err:
        build_module.validate(units, values, pd.DataFrame({"id": ["population"]}))
    assert "duplicated" in str(err.value)


# ---- the real build ----------------------------------------------------------------------------------------


def _mirror() -> Path:
    from tests.mirror import require_mirror

    return require_mirror()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = _mirror()
    out = tmp_path_factory.mktemp("build") / "build"
    manifest = build_module.build(root, out)
    return out, manifest, root


@pytest.mark.integration
def test_build_writes_every_output_and_a_report(built):
    out, manifest, _ = built
    assert manifest["status"] == "built"
    for name in build_module.OUTPUTS:
        assert (out / name).is_file(), name
    report = json.loads((out / "report.json").read_text())
    countries = {r["country"] for r in report["units"]}
    assert countries == set(COUNTRIES)
    levels = {r["country"]: r["level"] for r in report["units"]}
    assert set(levels.values()) == {"LAU"}
    assert report["failures"] == []
    md = (out / "report.md").read_text()
    assert "At NUTS 3 level" not in md
    assert "| SI | LAU | 212 |" in md and "| LI | LAU | 11 |" in md
    assert "Values of whole NUTS 3 regions" in md
    # every indicator of the catalogue has a coverage row per country
    cov = pd.DataFrame(report["coverage"])
    assert set(cov["country"]) == countries
    assert cov.loc[cov["indicator"] == "dist_hospital_emergency_km", "with_value"].sum() == 0


@pytest.mark.integration
def test_build_outputs_are_consistent(built):
    out, _, _ = built
    units = gpd.read_parquet(out / "units.parquet")
    map_units = gpd.read_parquet(out / "units_map.parquet")
    values = pd.read_parquet(out / "indicators.parquet")
    assert units["unit_id"].tolist() == map_units["unit_id"].tolist()  # one order everywhere
    assert units["unit_id"].is_monotonic_increasing
    assert set(values["unit_id"]) <= set(units["unit_id"])
    assert map_units.geometry.is_valid.all()
    assert not map_units.geometry.is_empty.any()
    assert units.crs.to_epsg() == map_units.crs.to_epsg() == 4326
    zermatt = units.set_index("unit_id").loc["CH_6300"]
    assert zermatt["mountain"]
    # Suppressed values are missing, never zero: no Swiss social assistance rate of exactly 0 where FSO hid it
    sar = values[(values["indicator"] == "social_assistance_rate")]
    assert 1_500 < len(sar) < 2_172


@pytest.mark.integration
def test_map_geometry_fits_the_size_target(built):
    out, manifest, _ = built
    web = manifest["web"]
    assert web["units"]["bytes"] <= 8_000_000
    assert (out / "web" / f"{web['units']['name']}.gz").is_file()


@pytest.mark.integration
def test_rebuild_with_unchanged_sources_is_fast_and_changes_nothing(built):
    out, manifest, root = built
    before = (out / "units.parquet").stat().st_mtime_ns
    started = time.perf_counter()
    again = build_module.build(root, out)
    assert again["status"] == "up-to-date"
    assert time.perf_counter() - started < 5
    assert (out / "units.parquet").stat().st_mtime_ns == before


@pytest.mark.integration
def test_a_corrupt_country_file_is_reported_and_the_others_are_built(tmp_path):
    root = _mirror()
    farm = tmp_path / "sources"
    for path in root.rglob("*"):
        if path.is_file():
            target = farm / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    broken = farm / "it" / "boundaries-2023" / "limits_R_4_municipalities.topo.json"
    broken.unlink()
    broken.write_text('{"type": "Topology", "objects": ')
    # One of seven Italian files is broken: that region is reported, the others are built.
    # Austria's GeoJSON is broken too, but its TopoJSON edition stands in: nothing of Austria is lost.
    austria = farm / "at" / "gemeinden_995_geo.json"
    austria.unlink()
    austria.write_text("not json at all")
    out = tmp_path / "build"
    manifest = build_module.build(farm, out)
    report = json.loads((out / "report.json").read_text())
    failure = [f for f in report["failures"] if f["stage"] == "boundaries"]
    assert len(failure) == 1
    assert failure[0]["country"] == "IT"
    assert failure[0]["part"] == "4"
    assert "limits_R_4_municipalities.topo.json" in failure[0]["path"]
    assert manifest["failures"] >= 1
    assert {r["country"] for r in report["units"]} == set(COUNTRIES)
    # Only Trentino-Alto Adige (region 4) is missing; the six other Italian regions are built.
    italy = next(r for r in report["units"] if r["country"] == "IT")
    assert 3_000 < italy["units"] < 4_049
    assert "fallback" in report["notes"]["boundaries AT"]
    assert "IT" in (out / "report.md").read_text().split("## Failures")[1].split("##")[0]
    units = gpd.read_parquet(out / "units.parquet", columns=["unit_id", "geometry"])
    assert "IT_021008" not in set(units["unit_id"])  # Bolzano, region 4
    assert "IT_001272" in set(units["unit_id"])  # Torino, region 1
