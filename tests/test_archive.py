"""The open data archive (geo.archive): complete, checksummed, readable by other tools, licences marked,
reproducible, served by the app; and CITATION.cff."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tomllib
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import yaml

from geo.archive import archive_name, write_archive
from tests.synthetic import GEOMETRY_SOURCES, SHARED_BOUNDARIES

REPO = Path(__file__).resolve().parent.parent
EXPECTED = {
    "README.md", "ATTRIBUTION.md", "CITATION.cff", "SHA256SUMS", "units.gpkg", "units.parquet", "values.csv",
    "values.parquet", "regions.csv", "catalogue.csv", "catalogue.json", "sources.csv", "sources.json",
    "report.md", "report.json", "manifest.json",
}  # fmt: skip


def _members(folder: Path) -> tuple[Path, dict[str, bytes]]:
    manifest = json.loads((folder / "manifest.json").read_text())
    path = folder / "archive" / manifest["archive"]["name"]
    with zipfile.ZipFile(path) as archive:
        stem = path.stem
        assert all(n.startswith(stem + "/") for n in archive.namelist()), "one folder named like the archive"
        return path, {n.removeprefix(stem + "/"): archive.read(n) for n in archive.namelist()}


def test_the_archive_is_named_by_its_build_and_holds_every_file(synthetic_build):
    manifest = json.loads((synthetic_build / "manifest.json").read_text())
    info = manifest["archive"]
    day = manifest["built_at"][:10].replace("-", "")
    assert info["name"] == f"pluralps-atlas-{day}-{manifest['key'][:12]}.zip"
    path, files = _members(synthetic_build)
    assert set(files) == EXPECTED == set(info["files"])
    body = path.read_bytes()
    assert info["bytes"] == len(body)
    assert info["sha256"] == hashlib.sha256(body).hexdigest()


def test_every_file_matches_its_checksum(synthetic_build):
    _path, files = _members(synthetic_build)
    listed = dict(reversed(line.split("  ", 1)) for line in files["SHA256SUMS"].decode().splitlines())
    assert set(listed) == EXPECTED - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name


def test_units_and_values_read_back_as_the_build_wrote_them(synthetic_build, tmp_path):
    _path, files = _members(synthetic_build)
    built_units = gpd.read_parquet(synthetic_build / "units.parquet")
    (tmp_path / "units.gpkg").write_bytes(files["units.gpkg"])
    package = pyogrio.read_dataframe(tmp_path / "units.gpkg", layer="units")
    assert package.crs.to_epsg() == 4326
    assert sorted(package["unit_id"]) == sorted(built_units["unit_id"])
    merged = package.set_index("unit_id").geometry
    original = built_units.set_index("unit_id").geometry
    assert merged.loc[original.index].geom_equals_exact(original, tolerance=1e-9).all()
    parquet_units = gpd.read_parquet(io.BytesIO(files["units.parquet"]))
    assert len(parquet_units) == len(built_units)

    built_values = pd.read_parquet(synthetic_build / "indicators.parquet")
    csv_values = pd.read_csv(io.BytesIO(files["values.csv"]), dtype={"unit_id": str})
    parquet_values = pd.read_parquet(io.BytesIO(files["values.parquet"]))
    assert len(csv_values) == len(parquet_values) == len(built_values)
    key = ["unit_id", "indicator", "year"]
    joined = built_values.merge(csv_values, on=key, suffixes=("", "_csv"), validate="one_to_one")
    assert len(joined) == len(built_values)
    assert (joined["value"] - joined["value_csv"]).abs().max() < 1e-12
    assert (joined["source"] == joined["source_csv"]).all()
    names = built_units.set_index("unit_id")["name"]
    assert (csv_values["name"] == csv_values["unit_id"].map(names)).all()


def test_share_alike_geometries_are_marked_and_attributed(synthetic_build):
    _path, files = _members(synthetic_build)
    units = gpd.read_parquet(io.BytesIO(files["units.parquet"]))
    shared = {c for c, s in GEOMETRY_SOURCES.items() if s == SHARED_BOUNDARIES}
    assert (units["geometry_share_alike"] == units["country"].isin(shared)).all()
    assert set(units.loc[units["geometry_share_alike"], "geometry_licence"]) == {"ODbL 1.0"}
    assert (units["geometry_source"] == units["country"].map(GEOMETRY_SOURCES)).all()
    sources = pd.read_csv(io.BytesIO(files["sources.csv"]))
    assert sources.set_index("id").loc[SHARED_BOUNDARIES, "share_alike"]
    assert not sources.set_index("id").drop(SHARED_BOUNDARIES)["share_alike"].any()
    attribution = files["ATTRIBUTION.md"].decode()
    n = int(units["geometry_share_alike"].sum())
    assert f"The geometry of {n} units (SI;" in attribution and SHARED_BOUNDARIES in attribution
    assert "© synthetic contributors (ODbL 1.0)" in attribution


def test_the_same_build_gives_the_same_bytes(synthetic_build, tmp_path):
    from tests.synthetic import SOURCES

    manifest = json.loads((synthetic_build / "manifest.json").read_text())
    inputs = dict(
        units=gpd.read_parquet(synthetic_build / "units.parquet"),
        values=pd.read_parquet(synthetic_build / "indicators.parquet"),
        regions=pd.read_parquet(synthetic_build / "regions.parquet"),
        catalogue=pd.read_parquet(synthetic_build / "catalogue.parquet"),
        sources=SOURCES,
        geometry_sources=GEOMETRY_SOURCES,
        report=json.loads((synthetic_build / "report.json").read_text()),
        manifest=manifest,
        report_md=(synthetic_build / "report.md").read_text(),
    )
    first = write_archive(tmp_path / "a", **inputs)
    second = write_archive(tmp_path / "b", **inputs)
    assert first["sha256"] == second["sha256"]
    assert archive_name({"built_at": "2026-12-03T10:00:00+00:00", "key": "abc"}) == "pluralps-atlas-20261203-abc.zip"
    assert archive_name({}) == "pluralps-atlas-undated-unkeyed.zip"


def test_the_app_serves_the_archive_of_its_build_only(synthetic_app, synthetic_atlas):
    client = synthetic_app.server.test_client()
    name = synthetic_atlas.manifest["archive"]["name"]
    response = client.get(f"/download/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert hashlib.sha256(response.get_data()).hexdigest() == synthetic_atlas.manifest["archive"]["sha256"]
    assert client.get("/download/pluralps-atlas-19990101-000000000000.zip").status_code == 404
    for other in ("../manifest.json", "%2e%2e%2fmanifest.json", "..%2Farchive%2F" + name):
        response = client.get(f"/download/{other}")
        # A path out of /download/ is the page's (Dash answers every path) or a 404, never a build file.
        assert response.status_code == 404 or response.headers["Content-Type"].startswith("text/html"), other
        assert b"source_checksums" not in response.get_data()


def test_citation_file_is_valid_cff_and_names_this_version():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):  # the required keys of CFF 1.2.0
        assert citation[key]
    assert all("name" in a or "family-names" in a for a in citation["authors"])
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert citation["version"] == project["version"]
    assert citation["license"] == "MIT"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(citation["date-released"]))


@pytest.mark.integration
def test_the_real_archive_marks_liechtenstein_as_odbl(atlas):
    _path, files = _members(atlas.folder)
    units = pd.read_parquet(io.BytesIO(files["units.parquet"]), columns=["unit_id", "country", "geometry_share_alike"])
    assert len(units) == len(atlas.units)
    shared = units[units["geometry_share_alike"]]
    assert set(shared["country"]) == {"LI"} and len(shared) == 11
    assert "ODbL" in files["ATTRIBUTION.md"].decode()
