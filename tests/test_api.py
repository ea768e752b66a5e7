"""The JSON API (/api/v1): answers checked against the build's own tables, computed independently with
pandas; bad parameters answered 400 with a message naming them; the OpenAPI document valid and complete;
ETags and the cache."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest
from openapi_spec_validator import validate

from dashboard.api import routes
from dashboard.api.params import ENDPOINTS, PREFIX
from dashboard.composite import IndexMethod, compute
from dashboard.indicators import Indicators
from dashboard.peers import PeerMethod, find_peers


@pytest.fixture
def client(synthetic_app):
    routes.clear_cache()
    return synthetic_app.server.test_client()


@pytest.fixture
def tidy(synthetic_atlas):
    return pd.read_parquet(synthetic_atlas.folder / "indicators.parquet")


def _get(client, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, (path, response.get_data(as_text=True))
    assert response.headers["Content-Type"] == "application/json"
    return response.get_json()


def test_the_openapi_document_is_valid_and_lists_every_endpoint_and_parameter(client):
    document = _get(client, f"{PREFIX}/openapi.json")
    validate(document)
    assert set(document["paths"]) == {PREFIX + e.path for e in ENDPOINTS}
    for endpoint in ENDPOINTS:
        documented = {p["name"] for p in document["paths"][PREFIX + endpoint.path]["get"]["parameters"]}
        assert documented == {p.name for p in (*endpoint.params, *endpoint.path_params)}
    listed = {e["path"] for e in _get(client, f"{PREFIX}/")["endpoints"]}
    assert listed == set(document["paths"])


def test_values_of_the_latest_year_equal_an_independent_reading_of_the_tidy_table(client, synthetic_atlas, tidy):
    answer = _get(client, f"{PREFIX}/values?indicator=population")
    rows = tidy[tidy["indicator"] == "population"].sort_values("year")
    latest = rows.groupby("unit_id").tail(1).set_index("unit_id")
    assert answer["units"] == len(synthetic_atlas.units) == len(answer["values"])
    assert answer["with_value"] == len(latest)
    assert answer["missing"] == answer["units"] - len(latest)
    for record in answer["values"]:
        if record["unit_id"] in latest.index:
            expected = latest.loc[record["unit_id"]]
            assert record["value"] == pytest.approx(expected["value"], rel=1e-12)
            assert (record["year"], record["source"]) == (int(expected["year"]), expected["source"])
        else:
            assert record["value"] is record["year"] is record["source"] is None
    assert answer["indicator"]["years"] == [2015, 2021]


def test_values_of_one_year_and_countries(client, tidy):
    answer = _get(client, f"{PREFIX}/values?indicator=population&year=2015&countries=AT,CH")
    assert answer["countries"] == ["AT", "CH"]
    assert {r["unit_id"][:2] for r in answer["values"]} == {"AT", "CH"}
    expected = tidy[(tidy["indicator"] == "population") & (tidy["year"] == 2015)].set_index("unit_id")["value"]
    got = {r["unit_id"]: r["value"] for r in answer["values"] if r["value"] is not None}
    assert got == pytest.approx(expected[expected.index.str[:2].isin(["AT", "CH"])].to_dict())
    assert all(r["year"] == 2015 for r in answer["values"] if r["value"] is not None)


@pytest.mark.parametrize(
    ("path", "parameter", "words"),
    [
        ("/values", "indicator", "required"),
        ("/values?indicator=nonsense", "indicator", "unknown indicator"),
        ("/values?indicator=population&year=1999", "year", "has no year"),
        ("/values?indicator=population&year=abc", "year", "has no year"),
        ("/values?indicator=population&countries=XX,AT", "countries", "unknown countries"),
        ("/values?indicator=population&countries=,", "countries", "unknown countries"),
        ("/values?indicator=population&colour=red", "colour", "unknown parameter"),
        ("/values?indicator=population&indicator=density", "indicator", "given 2 times"),
        ("/units?countries=ZZ", "countries", "unknown countries"),
        ("/units/AT_70101/peers?k=0", "k", "does not accept"),
        ("/units/AT_70101/peers?k=1.5", "k", "does not accept"),
        ("/units/AT_70101/peers?scope=moon", "scope", "does not accept"),
        ("/units/AT_70101/peers?indicators=population,nope", "indicators", "does not accept"),
        ("/units/AT_70101/peers?weights=population:-1", "weights", "does not accept"),
        ("/index", "components", "required"),
        ("/index?components=population,nope", "components", "does not accept"),
        ("/index?components=population&normalisation=log", "normalisation", "does not accept"),
        ("/index?components=population&winsor=0.3", "winsor", "does not accept"),
        ("/index?components=population&min_share=0", "min_share", "does not accept"),
        ("/index?components=population&uncertainty=maybe", "uncertainty", "true or false"),
    ],
)
def test_bad_parameters_get_400_naming_them(client, path, parameter, words):
    body = _get(client, PREFIX + path, 400)
    assert body["parameter"] == parameter
    assert words in body["error"]


def test_unknown_units_indicators_and_endpoints_are_404_in_json(client):
    assert "unknown unit" in _get(client, f"{PREFIX}/units/XX_0", 404)["error"]
    assert "unknown unit" in _get(client, f"{PREFIX}/units/XX_0/peers", 404)["error"]
    assert "unknown indicator" in _get(client, f"{PREFIX}/indicators/nonsense", 404)["error"]
    assert "/api/v1/values" in _get(client, f"{PREFIX}/nothing/here", 404)["error"]


def test_units_and_a_profile_match_the_build(client, synthetic_atlas, tidy):
    units = _get(client, f"{PREFIX}/units?countries=SI")
    assert units["count"] == 3 and {u["unit_id"] for u in units["units"]} == {"SI041", "SI042", "SI043"}
    assert all(u["level"] == "NUTS3" for u in units["units"])
    profile = _get(client, f"{PREFIX}/units/AT_70101")
    assert profile["unit"]["name"] == "Innsbruck"
    expected = tidy[tidy["unit_id"] == "AT_70101"]
    got = {(v["indicator"], v["year"]): (v["value"], v["source"]) for v in profile["values"]}
    assert got == {(r.indicator, int(r.year)): (pytest.approx(r.value), r.source) for r in expected.itertuples()}
    assert set(profile["indicators_without_value"]) == set(synthetic_atlas.catalogue.index) - set(expected["indicator"])
    region = pd.read_parquet(synthetic_atlas.folder / "regions.parquet")
    assert len(profile["region_values"]) == int((region["nuts3"] == "AT332").sum())


def test_indicator_metadata_carries_labels_years_and_sources(client, synthetic_atlas):
    listing = _get(client, f"{PREFIX}/indicators")
    assert listing["count"] == len(synthetic_atlas.catalogue)
    one = _get(client, f"{PREFIX}/indicators/population")
    assert one in listing["indicators"]
    assert set(one["labels"]) == {"en", "de", "fr", "it", "sl"}
    assert one["years"] == [2015, 2021] and one["unit"] == "persons"


def test_peers_are_the_peer_finders_with_the_method_of_the_parameters(client, synthetic_atlas):
    answer = _get(client, f"{PREFIX}/units/AT_70101/peers?k=4&scope=chosen&countries=CH,IT&weights=density:2")
    method = PeerMethod(k=4, scope=("CH", "IT"), weights={"density": 2.0})
    expected = find_peers(Indicators(synthetic_atlas), "AT_70101", method)
    assert [p["unit_id"] for p in answer["peers"]] == [p.unit_id for p in expected.peers]
    assert {p["country"] for p in answer["peers"]} <= {"CH", "IT"}
    assert answer["counts"]["outside_scope"] == expected.outside_scope == 12 - 1 + 3  # other AT units and SI
    assert answer["method"]["weights"]["density"] == 2.0
    assert answer["method"]["dashboard"].startswith("/?view=peers&unit=AT_70101&pk=4")


def test_an_index_equals_the_composite_computed_directly(client, synthetic_atlas):
    answer = _get(client, f"{PREFIX}/index?components=foreign_pct,share_65plus&weights=foreign_pct:2&uncertainty=0")
    expected = compute(
        Indicators(synthetic_atlas), IndexMethod(("foreign_pct", "share_65plus"), weights=(("foreign_pct", 2.0),))
    )
    values = np.array([np.nan if r["value"] is None else r["value"] for r in answer["values"]])
    np.testing.assert_allclose(values, expected.value, equal_nan=True)
    assert answer["missing"] == int(np.isnan(expected.value).sum()) == expected.missing
    assert answer["uncertainty"] is None
    assert [c["weight"] for c in answer["components"]] == pytest.approx([2 / 3, 1 / 3])


def test_an_index_with_uncertainty_has_seeded_intervals_around_the_ranks(client):
    answer = _get(client, f"{PREFIX}/index?components=foreign_pct,share_65plus,density")
    assert answer["uncertainty"]["draws"] == 1000 and answer["uncertainty"]["interval"] == [5, 95]
    ranked = [r for r in answer["values"] if r["value"] is not None]
    assert ranked and len(ranked) + answer["missing"] == answer["units"]
    for r in ranked:
        assert r["rank_low"] <= r["median_rank"] <= r["rank_high"]
        assert isinstance(r["robust"], bool)
    assert all(r["robust"] is None and r["rank"] is None for r in answer["values"] if r["value"] is None)
    from dashboard.composite import SEED, clear_cache

    assert answer["uncertainty"]["seed"] == SEED
    routes.clear_cache()
    clear_cache()  # computed again from scratch, not read from either cache
    again = _get(client, f"{PREFIX}/index?components=foreign_pct,share_65plus,density")
    assert again == answer  # seeded: the same draws


def test_answers_are_cached_with_etags_and_gzipped_once(client):
    path = f"{PREFIX}/values?indicator=population"
    first = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(first.get_data()))["indicator"]["id"] == "population"
    etag = first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    routes.clear_cache()  # evicted: a client that has the answer still gets 304, without it being computed
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert not routes._cache  # nothing was computed for it
    plain = client.get(path, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in plain.headers and plain.get_json()["indicator"]["id"] == "population"
    other = client.get(f"{PREFIX}/values?indicator=population&year=2015")
    assert other.headers["ETag"] != etag
    assert "max-age" in first.headers["Cache-Control"]
    assert client.get(f"{PREFIX}/values").headers["Cache-Control"] == "no-store"  # errors are not cached


@pytest.mark.integration
def test_the_real_values_of_foreign_nationals_match_the_tidy_table(dash_app, atlas):
    client = dash_app.server.test_client()
    answer = client.get(f"{PREFIX}/values?indicator=foreign_pct&year=2015&countries=AT").get_json()
    tidy = pd.read_parquet(atlas.folder / "indicators.parquet", filters=[("indicator", "==", "foreign_pct")])
    expected = tidy[(tidy["year"] == 2015) & tidy["unit_id"].str.startswith("AT_")].set_index("unit_id")["value"]
    got = {r["unit_id"]: r["value"] for r in answer["values"] if r["value"] is not None}
    assert got == pytest.approx(expected.to_dict())
    assert answer["missing"] == int((atlas.units["country"] == "AT").sum()) - len(expected)
    assert got["AT_70101"] == pytest.approx(22.9, abs=0.05)


def test_an_overlong_query_is_refused_not_answered_with_defaults(client):
    many = ",".join(["population"] * 400)
    body = _get(client, f"{PREFIX}/units/AT_70101/peers?indicators={many}", 400)
    assert "refused" in body["error"] or body.get("parameter") == "indicators"


def test_a_busy_worker_answers_503_for_a_second_monte_carlo(client, monkeypatch):
    monkeypatch.setattr(routes, "HEAVY_WAIT_S", 0.01)
    assert routes._heavy.acquire(timeout=1)
    try:
        body = _get(client, f"{PREFIX}/index?components=foreign_pct,density", 503)
        assert "try again" in body["error"]
        assert _get(client, f"{PREFIX}/index?components=foreign_pct,density&uncertainty=false")["uncertainty"] is None
    finally:
        routes._heavy.release()
