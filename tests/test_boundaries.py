"""Boundary readers and NUTS placement, on small frames made here and on the real mirror."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo import boundaries
from geo.boundaries import at, fr
from geo.boundaries.part import BoundaryPart
from geo.errors import DuplicateCodes, SourceCorrupt
from geo.nuts import NutsRegions, Perimeter, load_nuts, load_perimeter

# Official land areas (km²) of the perimeter's parts, for a plausibility check of computed areas:
# Statistik Austria, FSO, Destatis (Bavaria 70,542 + Baden-Württemberg 35,748), INSEE (Franche-Comté,
# Alsace, Rhône-Alpes, Provence-Alpes-Côte d'Azur), ISTAT (the seven northern regions), Liechtenstein, GURS.
OFFICIAL_AREA_KM2 = {"AT": 83_879, "CH": 41_285, "DE": 106_290, "FR": 99_580, "IT": 97_802, "LI": 160, "SI": 20_271}


def _write(path, gdf: gpd.GeoDataFrame):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(gdf.to_json())
    return path


@pytest.fixture
def toy_nuts() -> NutsRegions:
    """Two NUTS 3 regions side by side in Austria, and one in Italy."""
    frame = gpd.GeoDataFrame(
        {
            "NUTS_ID": ["AT331", "AT332", "ITH10"],
            "LEVL_CODE": [3, 3, 3],
            "CNTR_CODE": ["AT", "AT", "IT"],
            "NAME_LATN": ["Aussenfern", "Innsbruck", "Bolzano"],
        },
        geometry=[box(10, 47, 11, 48), box(11, 47, 12, 48), box(11, 46, 12, 47)],
        crs=4326,
    )
    return NutsRegions(frame)


def _at_file(tmp_path, codes):
    gdf = gpd.GeoDataFrame(
        {"name": [f"G{c}" for c in codes], "iso": codes},
        geometry=[box(11.1 + i * 0.01, 47.1, 11.105 + i * 0.01, 47.105) for i in range(len(codes))],
        crs=4326,
    )
    return _write(tmp_path / "at" / "gemeinden_995_geo.json", gdf)


def test_vienna_appears_once_as_its_districts(tmp_path):
    _at_file(tmp_path, ["70101", "90001", "90101", "90201"])
    part = at.read(tmp_path)
    assert sorted(part.units["unit_id"]) == ["AT_70101", "AT_90101", "AT_90201"]


def test_vienna_whole_is_kept_when_districts_are_absent(tmp_path):
    _at_file(tmp_path, ["70101", "90001"])
    assert "AT_90001" in set(at.read(tmp_path).units["unit_id"])


def test_duplicate_codes_are_reported(tmp_path):
    _at_file(tmp_path, ["70101", "70101"])
    with pytest.raises(DuplicateCodes, match="70101"):
        at.read(tmp_path)


def test_units_take_nuts3_from_location_then_from_nearest(toy_nuts):
    units = gpd.GeoDataFrame(
        {"unit_id": ["AT_1", "AT_2", "AT_3", "AT_4"], "country": "AT", "nuts3": [pd.NA, "AT331", "XX999", pd.NA]},
        # inside AT332; attribute kept; invalid attribute -> located (AT331); just outside -> nearest (AT332)
        geometry=[
            box(11.5, 47.5, 11.51, 47.51),
            box(10.5, 47.5, 10.51, 47.51),
            box(10.2, 47.2, 10.21, 47.21),
            box(12.0001, 47.5, 12.001, 47.501),
        ],
        crs=4326,
    )
    placed, counts = boundaries.place_in_nuts(units, toy_nuts)
    assert placed["nuts3"].tolist() == ["AT332", "AT331", "AT331", "AT332"]
    assert placed["nuts2"].tolist() == ["AT33"] * 4
    assert counts["nuts3_codes_not_in_nuts2021"] == ["XX999"]


def test_units_are_placed_only_in_regions_of_their_own_country(toy_nuts):
    # An Austrian unit lying inside the Italian region's box is not given an Italian code.
    units = gpd.GeoDataFrame(
        {"unit_id": ["AT_9"], "country": "AT", "nuts3": [pd.NA]}, geometry=[box(11.5, 46.0, 11.51, 46.01)], crs=4326
    )
    placed, _ = boundaries.place_in_nuts(units, toy_nuts)
    assert placed["nuts3"].isna().all()


def test_one_broken_country_does_not_lose_the_others(toy_nuts, monkeypatch):
    def good(root, nuts):
        units = gpd.GeoDataFrame(
            {
                "unit_id": ["AT_70101"],
                "country": "AT",
                "name": "Innsbruck",
                "name_alt": pd.NA,
                "nuts3": pd.NA,
                "boundary_year": 2021,
                "level": "LAU",
            },
            geometry=[box(11.3, 47.2, 11.4, 47.3)],
            crs=4326,
        )
        return BoundaryPart("AT", "at_gemeinden_geo", units)

    def broken(root, nuts):
        raise SourceCorrupt("it_boundaries_2023", "it/x.topo.json", "cannot be read as topojson: bad")

    monkeypatch.setattr(boundaries, "NATIONAL_READERS", {"AT": good, "IT": broken})
    result = boundaries.load_boundaries(toy_nuts, Perimeter("test", {"AT33": "Tirol", "ITH1": "Bolzano"}))
    assert result.units["unit_id"].tolist() == ["AT_70101"]
    assert result.units["area_km2"].iloc[0] > 0
    assert result.failures == [
        {
            "source": "it_boundaries_2023",
            "path": "it/x.topo.json",
            "kind": "corrupt",
            "problem": "cannot be read as topojson: bad",
            "country": "IT",
        }
    ]


def test_merged_french_communes_are_dissolved_onto_current_codes(tmp_path):
    # Two 2018 communes (01001 current, 01002 now delegated to 01001) and one absorbed by old code.
    gdf = gpd.GeoDataFrame(
        {"code": ["01001", "01002", "01003", "01009"], "nom": ["A", "B", "C", "Z"]},
        geometry=[box(5, 46, 5.1, 46.1), box(5.1, 46, 5.2, 46.1), box(5.2, 46, 5.3, 46.1), box(5.3, 46, 5.4, 46.1)],
        crs=4326,
    )
    cog = [
        {"code": "01001", "nom": "A-Nouvelle", "type": "commune-actuelle"},
        {"code": "01002", "nom": "B", "type": "commune-deleguee", "chefLieu": "01001"},
        {"code": "01004", "nom": "D", "type": "commune-actuelle", "anciensCodes": ["01003"]},
    ]
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "communes.json").write_text(json.dumps(cog))
    mapping, names = fr.current_codes(tmp_path)
    assert mapping["01002"] == "01001" and mapping["01003"] == "01004"
    gdf["code"] = gdf["code"].astype("string")
    gdf["current"] = gdf["code"].map(mapping).fillna(gdf["code"])
    dissolved = fr._dissolve(gdf).set_index("current")
    assert sorted(dissolved.index) == ["01001", "01004", "01009"]
    assert dissolved.loc["01001"].geometry.area == pytest.approx(0.02)


# ---- the real mirror -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_units():
    from tests.mirror import require_mirror

    root = require_mirror()
    return boundaries.load_boundaries(load_nuts(root), load_perimeter(), root)


@pytest.mark.integration
def test_mirror_reads_every_country_without_failure(real_units):
    assert real_units.failures == []
    counts = real_units.units.groupby(["country", "level"]).size().to_dict()
    assert counts[("SI", "LAU")] == 212 and counts[("LI", "LAU")] == 11
    assert "NUTS3" not in set(real_units.units["level"])  # every country at municipal level
    assert counts[("DE", "LAU")] == 1101 + 2056  # Baden-Württemberg and Bavaria, populated Gemeinden
    assert counts[("IT", "LAU")] == 4049
    assert 17_000 <= len(real_units.units) <= 19_000


@pytest.mark.integration
def test_innsbruck_lies_in_nuts3_at332(real_units):
    row = real_units.units.set_index("unit_id").loc["AT_70101"]
    assert (row["name"], row["nuts3"], row["nuts2"]) == ("Innsbruck", "AT332", "AT33")


@pytest.mark.integration
def test_vienna_is_counted_once(real_units):
    ids = set(real_units.units["unit_id"])
    assert "AT_90001" not in ids
    assert sum(i.startswith("AT_9") and i.endswith("01") for i in ids) == 23


@pytest.mark.integration
def test_every_swiss_commune_of_the_bfs_table_has_a_polygon(real_units):
    notes = real_units.notes["CH"]
    assert notes["communes_in_table_without_polygon"] == []
    assert real_units.units["unit_id"].eq("CH_261").any()  # Zürich


@pytest.mark.integration
def test_areas_are_positive_and_country_totals_match_official_areas(real_units):
    units = real_units.units
    assert (units["area_km2"] > 0).all()
    totals = units.groupby("country")["area_km2"].sum()
    for country, official in OFFICIAL_AREA_KM2.items():
        assert totals[country] == pytest.approx(official, rel=0.04), country


@pytest.mark.integration
def test_every_unit_has_a_nuts3_inside_the_perimeter(real_units):
    units = real_units.units
    assert units["nuts3"].notna().all()
    assert set(units["nuts2"]) <= set(load_perimeter().nuts2)


@pytest.mark.integration
def test_bilingual_names_are_kept(real_units):
    units = real_units.units.set_index("unit_id")
    bolzano = units.loc["IT_021008"]
    assert (bolzano["name"], bolzano["name_alt"]) == ("Bolzano", "Bozen")


@pytest.mark.integration
def test_topojson_editions_give_the_same_codes_as_the_geojson(mirror):
    from geo.readers import read_vector

    geo_nuts = load_nuts(mirror).frame
    topo = read_vector("gisco_nuts_2021_topo", path=mirror / "gisco/nuts/NUTS_RG_20M_2021_4326.json")
    assert set(topo["NUTS_ID"]) == set(geo_nuts["NUTS_ID"])
    geo_at = at.read(mirror, at.SOURCE).units
    topo_at = at.read(mirror, at.TOPO_SOURCE).units
    assert set(topo_at["unit_id"]) == set(geo_at["unit_id"])


@pytest.mark.integration
def test_a_broken_austrian_geojson_falls_back_to_the_topojson(mirror, tmp_path):
    farm = tmp_path / "sources"
    for rel in ("at/gemeinden_95_topo.json",):
        (farm / rel).parent.mkdir(parents=True, exist_ok=True)
        (farm / rel).symlink_to(mirror / rel)
    (farm / "at" / "gemeinden_995_geo.json").write_text("{ not json")
    part = at.read_any(farm)
    assert "fallback" in part.notes
    assert "AT_70101" in set(part.units["unit_id"])
