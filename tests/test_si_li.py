"""Slovenia's občine and Liechtenstein's Gemeinden as municipal units, and the values of whole NUTS 3
regions kept apart from them: readers on small files made here in each publisher's layout, then the real
mirror and the real build."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box, mapping

from geo import build as build_module
from geo import sources
from geo.boundaries import li, si
from geo.errors import DuplicateCodes, SchemaError
from geo.indicators import europe
from geo.regions import region_values, split_region_values
from geo.report import join_report

SI_AREA_KM2 = 20_271  # GURS: Slovenia's official area, the sum of its občine
# A bow-tie: the ring crosses itself, as Metlika's does in the GURS file.
BOWTIE = {"type": "Polygon", "coordinates": [[[15.3, 45.6], [15.4, 45.7], [15.4, 45.6], [15.3, 45.7], [15.3, 45.6]]]}


def _use_parts(monkeypatch, source_id: str, parts: list[str]) -> None:
    """Make the catalogue list only `parts` for `source_id` (the real entry lists all 212 files)."""
    real = sources.catalogue()
    patched = dict(real) | {source_id: dataclasses.replace(real[source_id], parts=tuple(parts))}
    monkeypatch.setattr(sources, "catalogue", lambda: patched)


def _obcina(root: Path, ob_mid: str, ob_id: int, name: str, geometry: dict) -> None:
    """Write one file as GURS's RPE split publishes it: a FeatureCollection with one feature and a bbox."""
    feature = {
        "type": "Feature",
        "properties": {
            "ENOTA": "OB",
            "OB_MID": int(ob_mid),
            "OB_ID": ob_id,
            "OB_UIME": name,
            "OB_TIP": "N",
            "POV_KM2": 100.0,
            "D_OD": "1995/01/01",
            "DV_OD": "1995/01/01",
            "STATUS": "V",
            "CEN_E": 500000.0,
            "CEN_N": 100000.0,
        },
        "bbox": [15.0, 45.0, 16.0, 46.0],
        "geometry": geometry,
    }
    path = root / "si" / "obcine" / f"{ob_mid}.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False))


def _register(root: Path, rows: list[tuple[str, int, str]]) -> None:
    """Write OB.csv as GURS does: UTF-8 with a byte order mark, comma-separated."""
    lines = ["ENOTA,OB_MID,OB_ID,OB_UIME,OB_TIP,POV_KM2,D_OD,DV_OD,STATUS,CEN_E,CEN_N"]
    lines += [f"OB,{mid},{ob_id},{name},N,1.0,1995/01/01,1995/01/01,V,1,1" for mid, ob_id, name in rows]
    (root / "si").mkdir(parents=True, exist_ok=True)
    (root / "si" / "OB.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


SI_FILES = [
    ("11026516", 1, "Ajdovščina", mapping(box(13.8, 45.85, 13.9, 45.95))),
    ("11027130", 61, "Ljubljana", mapping(box(14.4, 46.0, 14.6, 46.1))),
    ("11027300", 73, "Metlika", BOWTIE),
]


def test_slovenian_files_become_lau_units_with_padded_codes_and_a_repaired_ring(tmp_path, monkeypatch):
    _use_parts(monkeypatch, si.SOURCE, [mid for mid, *_ in SI_FILES])
    for row in SI_FILES:
        _obcina(tmp_path, *row)
    _register(tmp_path, [(mid, ob_id, name) for mid, ob_id, name, _ in SI_FILES])
    part = si.read(tmp_path)
    units = part.units.set_index("unit_id")
    assert sorted(units.index) == ["SI_001", "SI_061", "SI_073"]
    assert units.loc["SI_061", "name"] == "Ljubljana" and set(units["level"]) == {"LAU"}
    assert units.geometry.is_valid.all()
    assert units.loc["SI_073"].geometry.geom_type in ("Polygon", "MultiPolygon")
    assert units.loc["SI_073"].geometry.area > 0  # both lobes of the bow-tie kept, not dropped
    assert part.notes["repaired_geometries"] == ["SI_073 Metlika"]
    assert part.notes["in_register_without_polygon"] == part.notes["polygon_not_in_register"] == []
    assert units["name_alt"].isna().all() and units["nuts3"].isna().all()  # NUTS 3 placed by the pipeline


def test_a_duplicated_obcina_code_is_refused(tmp_path, monkeypatch):
    _use_parts(monkeypatch, si.SOURCE, ["11026516", "11099999"])
    _obcina(tmp_path, "11026516", 61, "Ljubljana", mapping(box(14.4, 46.0, 14.6, 46.1)))
    _obcina(tmp_path, "11099999", 61, "Ljubljana (copy)", mapping(box(14.6, 46.0, 14.7, 46.1)))
    with pytest.raises(DuplicateCodes, match="061"):
        si.read(tmp_path)


def test_obcine_are_checked_against_the_identifiers_table(tmp_path, monkeypatch):
    _use_parts(monkeypatch, si.SOURCE, ["11026516"])
    _obcina(tmp_path, "11026516", 1, "Ajdovscina", mapping(box(13.8, 45.85, 13.9, 45.95)))
    _register(tmp_path, [("11026516", 1, "Ajdovščina"), ("24063526", 213, "Ankaran")])
    notes = si.read(tmp_path).notes
    assert notes["in_register_without_polygon"] == ["SI_213"]
    assert notes["names_differing_from_register"] == ["SI_001: Ajdovscina / OB.csv Ajdovščina"]


def _li_file(root: Path, rows: list[tuple[str, str]]) -> None:
    """Write a geoBoundaries ADM1 file: properties shapeName, shapeISO, shapeID, shapeGroup, shapeType."""
    gdf = gpd.GeoDataFrame(
        {
            "shapeName": [name for name, _ in rows],
            "Level": "ADM1",
            "shapeISO": [iso for _, iso in rows],
            "shapeID": [f"LIE-ADM1-{i}" for i in range(len(rows))],
            "shapeGroup": "LIE",
            "shapeType": "ADM1",
        },
        geometry=[box(9.5 + i * 0.01, 47.1, 9.505 + i * 0.01, 47.105) for i in range(len(rows))],
        crs=4326,
    )
    path = root / sources.get(li.SOURCE).path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(gdf.to_json())


def test_liechtenstein_gemeinden_take_their_iso_number_as_code(tmp_path):
    _li_file(tmp_path, [("Balzers", "LI-01"), ("Vaduz", "LI-11")])
    units = li.read(tmp_path).units.set_index("unit_id")
    assert units["name"].to_dict() == {"LI_01": "Balzers", "LI_11": "Vaduz"}
    assert set(units["level"]) == {"LAU"} and set(units["boundary_year"]) == {li.BOUNDARY_YEAR}


def test_liechtenstein_duplicate_or_foreign_iso_codes_are_refused(tmp_path):
    _li_file(tmp_path, [("Balzers", "LI-01"), ("Vaduz", "LI-01")])
    with pytest.raises(DuplicateCodes, match="LI-01"):
        li.read(tmp_path)
    _li_file(tmp_path, [("Balzers", "LI-01"), ("Feldkirch", "AT-8")])
    with pytest.raises(SchemaError, match="AT-8"):
        li.read(tmp_path)


def _values(rows):
    return pd.DataFrame(rows, columns=["unit_id", "indicator", "year", "value", "source", "period"])


def _toy_nuts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "NUTS_ID": ["SI", "SI04", "SI041", "SI042", "LI000"],
            "LEVL_CODE": [0, 2, 3, 3, 3],
            "CNTR_CODE": ["SI", "SI", "SI", "SI", "LI"],
            "MOUNT_TYPE": ["0", "0", "4", "0", "3"],  # 0: not classified, no row
            "URBN_TYPE": ["0", "0", "2", "3", "1"],
        },
        geometry=[box(0, 0, 1, 1)] * 5,
        crs=4326,
    )


def test_values_keyed_by_a_nuts3_code_become_region_values_never_unit_values():
    values = _values(
        [
            ("SI_061", "degurba", 2014, 1.0, "gisco_degurba_2014", None),
            ("SI041", "population", 2021, 555948.0, "riate_nuts3", None),
            ("SI041", "density", 2021, 238.2, "riate_nuts3", None),
            ("PT200", "population", 2021, 1.0, "riate_nuts3", None),  # not a region of the build
        ]
    )
    municipal, keyed = split_region_values(values, frozenset({"SI041", "SI042", "PT200", "LI000"}))
    assert municipal["unit_id"].tolist() == ["SI_061"]
    table = region_values(keyed, _toy_nuts(), ["SI041", "SI041", "SI042", "LI000"])
    rows = {(r.nuts3, r.indicator): (r.year, r.value, r.source) for r in table.itertuples()}
    assert rows[("SI041", "population")] == (2021, 555948.0, "riate_nuts3")
    assert rows[("SI041", "mount_type")] == (2021, 4.0, "gisco_nuts_2021")
    assert ("SI042", "mount_type") not in rows and rows[("SI042", "urbn_type")][1] == 3.0
    assert rows[("LI000", "urbn_type")][1] == 1.0
    assert not table["nuts3"].eq("PT200").any()
    assert list(table.columns) == ["nuts3", "indicator", "year", "value", "source"]


def test_validation_refuses_a_region_value_painted_on_a_unit():
    units = gpd.GeoDataFrame(
        {"unit_id": ["SI_061"], "country": "SI", "level": "LAU", "nuts3": "SI041", "area_km2": 275.0},
        geometry=[box(14.4, 46.0, 14.6, 46.1)],
        crs=4326,
    )
    catalogue = pd.DataFrame({"id": ["population"]})
    regions = pd.DataFrame(
        {"nuts3": ["SI041"], "indicator": ["population"], "year": [2021], "value": [1.0], "source": ["riate_nuts3"]}
    )
    build_module.validate(units, _values([("SI_061", "population", 2021, 1.0, "x", None)]), catalogue, regions)
    with pytest.raises(ValueError, match="NUTS 3 code"):
        build_module.validate(units, _values([("SI041", "population", 2021, 1.0, "x", None)]), catalogue, regions)


def test_degurba_joins_slovenian_codes_and_reports_liechtenstein_per_country(tmp_path):
    path = tmp_path / sources.get(europe.DEGURBA).path
    path.parent.mkdir(parents=True)
    path.write_text(
        '"LAU_CODE","NSI","CNTR_CODE","DGURBA_CLA"\nSI061,061,SI,1\nSI073,073,SI,3\nLILI00001002,LI00001002,LI,2\n'
    )
    values = europe.read_degurba(tmp_path).values
    assert set(values["unit_id"]) == {"SI_061", "SI_073", "LI_LI00001002"}
    units = gpd.GeoDataFrame(
        {"unit_id": ["SI_061", "SI_073", "SI_213", "LI_01"], "country": ["SI", "SI", "SI", "LI"], "level": "LAU"},
        geometry=[box(i, 0, i + 1, 1) for i in range(4)],
        crs=4326,
    )
    record = join_report(values, units)[0]
    assert record["per_country"]["SI"] | {"unmatched_codes_list": None} == {
        "units": 3,
        "matched": 2,
        "rate": 0.6667,
        "unmatched_codes": 0,
        "unmatched_codes_list": None,
    }
    assert record["per_country"]["LI"]["rate"] == 0.0
    assert record["per_country"]["LI"]["unmatched_codes_list"] == ["LI_LI00001002"]


# ---- the real mirror and the real build ----------------------------------------------------------------


@pytest.mark.integration
def test_mirror_obcine_match_gurs_and_their_statistical_regions(mirror):
    import pyogrio

    from geo.boundaries import place_in_nuts
    from geo.boundaries.part import READER_COLUMNS
    from geo.nuts import load_nuts

    part = si.read(mirror)
    assert len(part.units) == 212 and part.units.geometry.is_valid.all()
    assert part.notes["repaired_geometries"] == ["SI_073 Metlika"]
    assert part.notes["in_register_without_polygon"] == part.notes["polygon_not_in_register"] == []
    assert part.units.to_crs("EPSG:3035").area.sum() / 1e6 == pytest.approx(SI_AREA_KM2, rel=0.01)
    nuts = load_nuts(mirror)
    units, _ = place_in_nuts(part.units[READER_COLUMNS].copy(), nuts)
    # GURS's own statistical regions (= NUTS 3) follow the občine exactly, unlike the 1:10M NUTS outline:
    # the largest overlap with either gives every občina the same region.
    sr = pyogrio.read_dataframe(mirror / "si" / "SR.geojson")
    sr = sr.assign(nuts3=nuts.locate_nuts3(sr.assign(country="SI")))
    pairs = gpd.overlay(
        units[["unit_id", "nuts3", "geometry"]].to_crs(3035),
        sr[["nuts3", "geometry"]].to_crs(3035),
        keep_geom_type=True,
    )
    pairs["area"] = pairs.area
    best = pairs.sort_values("area").drop_duplicates("unit_id", keep="last")
    assert (best["nuts3_1"] == best["nuts3_2"]).all()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from tests.mirror import require_mirror

    root = require_mirror()
    out = tmp_path_factory.mktemp("si_li") / "build"
    build_module.build(root, out)
    return out


@pytest.mark.integration
def test_build_has_every_slovenian_and_liechtenstein_municipality(built):
    units = gpd.read_parquet(built / "units.parquet")
    counts = units.groupby(["country", "level"]).size().to_dict()
    assert counts[("SI", "LAU")] == 212 and counts[("LI", "LAU")] == 11
    assert "NUTS3" not in set(units["level"])
    assert units.geometry.is_valid.all() and units["nuts3"].notna().all()
    assert units.loc[units["country"] == "SI", "area_km2"].sum() == pytest.approx(SI_AREA_KM2, rel=0.01)
    by_id = units.set_index("unit_id")
    assert tuple(by_id.loc["SI_061", ["name", "nuts3", "nuts2"]]) == ("Ljubljana", "SI041", "SI04")
    assert tuple(by_id.loc["LI_11", ["name", "nuts3"]]) == ("Vaduz", "LI000")
    assert set(units.loc[units["country"] == "LI", "nuts3"]) == {"LI000"}
    # Per-unit derivations reach the new units: distances, the Alpine Convention flag, area.
    new = units[units["country"].isin(["SI", "LI"])]
    assert new["dist_urban_centre_km"].notna().all() and new["dist_hospital_km"].notna().all()
    assert new["in_alpine_convention"].notna().all()
    assert new.loc[new["country"] == "LI", "in_alpine_convention"].all()


@pytest.mark.integration
def test_region_values_are_kept_apart_from_the_municipal_values(built):
    units = pd.read_parquet(built / "units.parquet", columns=["unit_id", "country", "nuts3"])
    values = pd.read_parquet(built / "indicators.parquet")
    regions = pd.read_parquet(built / "regions.parquet")
    assert list(regions.columns) == ["nuts3", "indicator", "year", "value", "source"]
    assert set(regions["nuts3"]) == set(units["nuts3"])  # every region of the build, no other
    lookup = regions.set_index(["nuts3", "indicator"])["value"]
    assert lookup[("SI041", "population")] == 555948 and lookup[("LI000", "population")] == 39055
    assert {"population", "density", "mount_type", "urbn_type"} <= set(regions["indicator"])
    own = values[values["unit_id"].str[:2].isin(["SI", "LI"])]
    # No figure of a whole region among the municipal values: none keyed by a NUTS code, none from RIATE,
    # no population or density (the mirror has none per občina or Gemeinde).
    assert not values["unit_id"].isin(set(regions["nuts3"])).any()
    assert "riate_nuts3" not in set(own["source"])
    assert not own["indicator"].isin(["population", "density"]).any()
    degurba = own[own["indicator"] == "degurba"]
    assert degurba["unit_id"].str.startswith("SI_").sum() == 211  # all but Ankaran (SI_213, founded 2011)
    report = json.loads((built / "report.json").read_text())
    join = next(j for j in report["joins"] if j["source"] == "gisco_degurba_2014")
    assert join["per_country"]["SI"]["matched"] == 211 and join["per_country"]["LI"]["unmatched_codes"] == 10
