"""Shared readers: CRS settling, corrupt files, renamed columns, national number formats."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from geo.errors import CRSError, SchemaError, SourceCorrupt
from geo.readers import read_vector, require_columns, to_number


def _write_geojson(path, features, crs: str | None = "urn:ogc:def:crs:OGC:1.3:CRS84"):
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc))
    return path


def _square(x, y, size=0.1, **props):
    return {
        "type": "Feature",
        "properties": props,
        "geometry": json.loads(gpd.GeoSeries([box(x, y, x + size, y + size)]).to_json())["features"][0]["geometry"],
    }


def test_lonlat_file_is_read_in_4326(tmp_path):
    path = _write_geojson(tmp_path / "a.geojson", [_square(11.0, 47.0, name="Innsbruck", iso="70101")])
    gdf = read_vector("at_gemeinden_geo", path=path)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.total_bounds[0] == pytest.approx(11.0)


def test_file_without_crs_takes_the_declared_one(tmp_path):
    path = _write_geojson(tmp_path / "a.geojson", [_square(11.0, 47.0, iso="1")], crs=None)
    assert read_vector("at_gemeinden_geo", path=path).crs.to_epsg() == 4326


def test_projected_file_is_transformed(tmp_path):
    gdf = gpd.GeoDataFrame({"AGS": ["09162000"]}, geometry=[box(4460000, 5330000, 4470000, 5340000)], crs=31468)
    path = tmp_path / "de.gpkg"
    gdf.to_file(path)
    out = read_vector("de_vg5000", path=path)
    assert out.crs.to_epsg() == 4326
    assert 11 < out.geometry.iloc[0].centroid.x < 12  # Munich


def test_metre_coordinates_declared_as_lonlat_are_rejected(tmp_path):
    # Coordinates in metres (EPSG:3035) but the file says CRS84: the Alps would be nowhere.
    path = _write_geojson(tmp_path / "a.geojson", [_square(4_400_000, 2_600_000, size=1000, iso="1")])
    with pytest.raises(CRSError, match="outside Europe"):
        read_vector("at_gemeinden_geo", path=path)


def test_corrupt_geojson_names_the_file(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [ {"type": "Feat')
    with pytest.raises(SourceCorrupt) as err:
        read_vector("at_gemeinden_geo", path=path)
    assert "broken.geojson" in str(err.value)
    assert err.value.source_id == "at_gemeinden_geo"


def test_empty_collection_is_corrupt(tmp_path):
    path = _write_geojson(tmp_path / "empty.geojson", [])
    with pytest.raises(SourceCorrupt):
        read_vector("at_gemeinden_geo", path=path)


def test_invalid_polygon_is_repaired_and_counted(tmp_path):
    bowtie = Polygon([(11, 47), (11.1, 47.1), (11.1, 47), (11, 47.1), (11, 47)])
    feature = {
        "type": "Feature",
        "properties": {"iso": "1"},
        "geometry": json.loads(gpd.GeoSeries([bowtie]).to_json())["features"][0]["geometry"],
    }
    gdf = read_vector("at_gemeinden_geo", path=_write_geojson(tmp_path / "a.geojson", [feature]))
    assert gdf.geometry.is_valid.all()
    assert gdf.attrs["repaired_geometries"] == 1


def test_renamed_column_is_a_schema_error_listing_columns():
    frame = pd.DataFrame({"GKZ": ["1"], "name": ["x"]})
    with pytest.raises(SchemaError) as err:
        require_columns(frame, ["iso", "name"], "at_gemeinden_geo", "x.json")
    assert "iso" in str(err.value) and "GKZ" in str(err.value)


def test_german_numbers_and_suppressed_values():
    raw = pd.Series(["1.234,5", "13,8", "-", "X", "*", "", "7", "abc"])
    values, bad = to_number(raw, decimal=",", thousands=".")
    assert values.iloc[0] == 1234.5
    assert values.iloc[1] == pytest.approx(13.8)
    assert values.iloc[2:6].isna().all()  # suppressed is missing, never zero
    assert values.iloc[6] == 7
    assert bad.tolist() == [False] * 7 + [True]  # only the unparsable value is flagged


def test_numeric_input_passes_through():
    values, bad = to_number(pd.Series([1, 2.5]))
    assert values.tolist() == [1.0, 2.5]
    assert not bad.any()
