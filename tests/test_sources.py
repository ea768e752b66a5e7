"""The source catalogue: complete entries, clear messages for missing files, checksums."""

from __future__ import annotations

import pytest

from geo import sources
from geo.errors import SourceMissing


def test_every_source_has_publisher_licence_attribution_and_location():
    for src in sources.catalogue().values():
        for field in sources.REQUIRED_FIELDS:
            assert getattr(src, field), f"{src.id} lacks {field}"
        assert src.url.startswith("https://"), src.id
        assert all("{part}" not in p for p in src.relative_paths()), src.id
        # What the About page shows is text for people: no template left in it.
        for field in ("title", "publisher", "licence", "attribution", "vintage"):
            assert "{" not in getattr(src, field), f"{src.id}: {field} = {getattr(src, field)!r}"


def test_multi_part_sources_expand_every_part():
    fr = sources.get("fr_boundaries_2018")
    paths = fr.relative_paths()
    assert len(paths) == len(fr.parts) == 28
    assert "fr/boundaries-2018/communes-74-haute-savoie.geojson" in paths


def test_missing_file_names_the_file_and_where_to_get_it(tmp_path):
    with pytest.raises(SourceMissing) as err:
        sources.locate("gisco_nuts_2021", root=tmp_path)
    message = str(err.value)
    assert "gisco/nuts/NUTS_RG_10M_2021_4326.geojson" in message
    assert "python -m geo.download gisco_nuts_2021" in message
    assert str(tmp_path) in message


def test_missing_manual_source_points_to_the_publisher_page(tmp_path):
    with pytest.raises(SourceMissing, match="publisher's page https://www.bfs.admin.ch"):
        sources.locate("ch_portraits_2021", root=tmp_path)


def test_shapefile_without_sidecar_is_missing(tmp_path):
    src = sources.get("de_vg5000")
    for rel in src.relative_paths()[:-1]:  # all but the .prj
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    with pytest.raises(SourceMissing, match=r"VG5000_GEM\.prj"):
        sources.locate("de_vg5000", root=tmp_path)


def test_part_must_be_named_for_multi_part_sources(tmp_path):
    with pytest.raises(ValueError, match="has parts"):
        sources.locate("it_boundaries_2023", root=tmp_path)


def test_unknown_source_lists_known_ids():
    with pytest.raises(KeyError, match="gisco_nuts_2021"):
        sources.get("no_such_source")


def test_checksum_and_fingerprints_follow_file_content(tmp_path):
    rel = sources.get("gisco_nuts_2021").path
    (tmp_path / rel).parent.mkdir(parents=True)
    (tmp_path / rel).write_text("one")
    first = sources.file_fingerprints(tmp_path)[rel]
    (tmp_path / rel).write_text("two!")
    second = sources.file_fingerprints(tmp_path)[rel]
    assert first and second and first != second
    assert sources.file_fingerprints(tmp_path)[sources.get("at_register_census").path] is None


def test_lock_file_records_every_file_in_the_mirror(mirror):
    recorded = sources.recorded_checksums()
    present = {k: v for k, v in sources.file_fingerprints(mirror).items() if v}
    assert present, "mirror holds no catalogued file"
    assert {k: recorded.get(k) for k in present} == present
