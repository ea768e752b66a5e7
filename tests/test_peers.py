"""The peer finder (dashboard/peers.py): its ranking against a brute-force computation written here, its
properties (hypothesis), the missing-data and scope rules, bad input, and Bolzano and Jesenice on the real
build."""

from __future__ import annotations

import dataclasses
import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.atlas import Series
from dashboard.indicators import Indicators
from dashboard.peers import PeerMethod, clear_cache, find_peers
from dashboard.upload.datasets import Dataset

SLOW_OK = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
SYNTHETIC_SET = ("population", "pop_change_pa", "share_65plus", "dist_urban_centre_km", "degurba", "mountain")


# ------------------------------------------------------------------------------------ brute force


def _raw(atlas, indicator):
    """Each unit's latest value as a Python list (None: missing), read without dashboard.peers."""
    if indicator in ("mountain", "dist_urban_centre_km"):
        column = atlas.units[indicator]
        return [None if pd.isna(v) else float(v) for v in column.astype(object)]
    values = atlas.series(indicator, "latest").values
    return [None if math.isnan(v) else float(v) for v in values]


def _brute_force(atlas, unit_id, indicators, weights, k, scope, min_common):
    """The method of the module docstring, written again with plain loops: [(unit_id, distance)]."""
    ids = atlas.units["unit_id"].tolist()
    countries = atlas.units["country"].tolist()
    z = {}
    for indicator in dict.fromkeys(indicators):
        raw = _raw(atlas, indicator)
        if indicator in ("population", "density") and all(v >= 0 for v in raw if v is not None):
            raw = [None if v is None else math.log1p(v) for v in raw]
        present = sorted(v for v in raw if v is not None)
        if not present:
            continue
        med = statistics.median(present)
        spread = 1.4826 * statistics.median([abs(v - med) for v in present])
        if spread == 0:
            q1, q3 = np.quantile(present, [0.25, 0.75])
            spread = (q3 - q1) / 1.349
        if spread == 0:
            spread = statistics.pstdev(present)
        if spread == 0:
            continue
        z[indicator] = [None if v is None else (v - med) / spread for v in raw]
    w = {}
    for indicator in indicators:
        w[indicator] = w.get(indicator, 0.0) + weights.get(indicator, 1.0)
    chosen = [i for i in z if w[i] > 0]
    need = min(min_common, len(chosen))  # at most the indicators that could be used
    a = ids.index(unit_id)
    rows = []
    for b, other in enumerate(ids):
        if b == a:
            continue
        if scope == "other_countries" and countries[b] == countries[a]:
            continue
        if isinstance(scope, tuple) and countries[b] not in scope:
            continue
        both = [i for i in chosen if z[i][a] is not None and z[i][b] is not None]
        if len(both) < need:
            continue
        num = sum(w[i] * (z[i][a] - z[i][b]) ** 2 for i in both)
        rows.append((math.sqrt(num / sum(w[i] for i in both)), other))
    rows.sort()
    return [(u, d) for d, u in rows[:k]]


def _ranking(result):
    return [(p.unit_id, p.distance) for p in result.peers]


def _same(got, expected):
    assert [u for u, _ in got] == [u for u, _ in expected]
    assert np.allclose([d for _, d in got], [d for _, d in expected], rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------------ atlases


def _rows(atlas, order, renamed=None):
    """Return a copy of `atlas` with its units in `order` (indices may repeat); `renamed`: position → id."""
    order = np.asarray(order)
    units = atlas.units.iloc[order].reset_index(drop=True)
    if renamed:
        ids = np.array(units["unit_id"].astype(object).to_numpy(), dtype=object)  # a writable copy
        for position, new in renamed.items():
            ids[position] = new
        units["unit_id"] = ids
    series = {
        key: Series(s.indicator, s.year, s.values[order], s.years[order], s.source_codes[order])
        for key, s in atlas._series.items()
    }
    copy = dataclasses.replace(atlas, units=units, _series=series)
    for cached in ("position", "unit_ids", "nuts3_level"):
        copy.__dict__.pop(cached, None)
    return copy


@pytest.fixture(autouse=True)
def _cold():
    clear_cache()
    yield
    clear_cache()


# ------------------------------------------------------------------------------------ ranking


@pytest.mark.parametrize(
    "method",
    [
        PeerMethod(SYNTHETIC_SET),
        PeerMethod(SYNTHETIC_SET, scope="other_countries", k=50),
        PeerMethod(SYNTHETIC_SET, weights={"population": 3.0, "mountain": 0.5}, k=7, scope=("CH", "IT")),
        PeerMethod(("foreign_pct", "population", "dist_city_km", "share_0_19"), min_common=4, k=50),
        PeerMethod(("population", "density", "degurba"), k=50),  # density has no value: left out
    ],
)
@pytest.mark.parametrize("unit", ["AT_70101", "CH_6300", "IT_007003", "SI042"])
def test_the_ranking_equals_a_brute_force_computation(synthetic_atlas, unit, method):
    expected = _brute_force(
        synthetic_atlas, unit, method.indicators, dict(method.weights), method.k, method.scope, method.min_common
    )
    result = find_peers(synthetic_atlas, unit, method)
    _same(_ranking(result), expected)
    assert result.ranked + result.outside_scope + result.too_few_common == result.candidates == 30


def test_each_peer_says_which_indicators_it_used_and_why_it_is_alike(synthetic_atlas):
    result = find_peers(synthetic_atlas, "AT_70101", PeerMethod(SYNTHETIC_SET))
    assert len(result.peers) == 10
    for peer in result.peers:
        assert set(peer.indicators) <= set(SYNTHETIC_SET) and len(peer.indicators) >= 3
        assert set(peer.most_alike) <= set(peer.indicators)
        assert len(peer.most_alike) == min(3, (len(peer.indicators) + 1) // 2)
        assert not set(peer.most_alike) & set(peer.most_different)  # never both alike and different
        contribution = {i: abs(peer.z_differences[i]) for i in peer.indicators}
        assert contribution[peer.most_alike[0]] == min(contribution.values())
        if max(contribution.values()) > 0:
            assert contribution[peer.most_different[0]] == max(contribution.values())
        assert all(contribution[i] > 0 for i in peer.most_different)
    assert [s.indicator for s in result.scales] == list(SYNTHETIC_SET)
    assert {s.indicator for s in result.scales if s.log} == {"population"}


def test_an_indicator_without_values_or_spread_is_left_out_and_said_so(synthetic_atlas):
    flat = Dataset("flat", "Flat", "", 2024, "indicator", "flat.csv", dict.fromkeys(synthetic_atlas.unit_ids, 5.0))
    indicators = Indicators(synthetic_atlas, [flat])
    result = find_peers(indicators, "AT_70101", PeerMethod(("density", "upload:flat", "population", "share_65plus")))
    assert result.left_out == {
        "density": "no unit has a value",
        "upload:flat": "every unit with a value has the same value (no spread)",
    }
    assert result.peers and all(p.indicators == ("population", "share_65plus") for p in result.peers)


def test_an_uploaded_column_is_chosen_like_a_catalogue_indicator(synthetic_atlas):
    ids = sorted(synthetic_atlas.unit_ids)
    values = {u: float(i * i) for i, u in enumerate(ids)}
    upload = Dataset("sq", "Squares", "", 2024, "indicator", "sq.csv", values)
    result = find_peers(Indicators(synthetic_atlas, [upload]), ids[10], PeerMethod(("upload:sq",), k=2))
    assert [p.unit_id for p in result.peers] == [ids[9], ids[11]]  # 81 and 121 around 100
    # Other values in the same session give another matrix, not a stale cached one.
    upload = dataclasses.replace(upload, values={u: -v for u, v in values.items()})
    again = find_peers(Indicators(synthetic_atlas, [upload]), ids[10], PeerMethod(("upload:sq",), k=2))
    assert [p.unit_id for p in again.peers] == [ids[9], ids[11]]
    assert again.scales[0].center == -result.scales[0].center


# ------------------------------------------------------------------------------------ properties

units_of_synthetic = st.sampled_from(["AT_70101", "AT_70302", "CH_261", "CH_6303", "IT_007003", "IT_007005", "SI041"])
weights = st.floats(min_value=0.05, max_value=20, allow_nan=False)


@SLOW_OK
@given(unit=units_of_synthetic)
def test_a_unit_is_at_distance_0_of_its_twin_and_never_its_own_peer(synthetic_atlas, unit):
    position = int(synthetic_atlas.position[unit])
    n = len(synthetic_atlas.units)
    twin = _rows(synthetic_atlas, [*range(n), position], renamed={n: "ZZ_twin"})
    result = find_peers(twin, unit, PeerMethod(SYNTHETIC_SET, k=50, min_common=1))
    assert unit not in [p.unit_id for p in result.peers]
    assert result.peers[0].unit_id == "ZZ_twin" and result.peers[0].distance == 0.0


@SLOW_OK
@given(unit=units_of_synthetic, seed=st.integers(0, 2**32 - 1))
def test_the_order_does_not_depend_on_the_order_of_the_units(synthetic_atlas, unit, seed):
    method = PeerMethod(SYNTHETIC_SET, k=50, min_common=2)
    before = _ranking(find_peers(synthetic_atlas, unit, method))
    order = np.random.default_rng(seed).permutation(len(synthetic_atlas.units))
    after = _ranking(find_peers(_rows(synthetic_atlas, order), unit, method))
    assert before == after  # bit for bit: the statistics are taken of sorted values


@SLOW_OK
@given(unit=units_of_synthetic, w=weights, twice=st.sampled_from(SYNTHETIC_SET))
def test_an_indicator_chosen_twice_with_weight_w_acts_like_weight_2w(synthetic_atlas, unit, w, twice):
    doubled = PeerMethod((*SYNTHETIC_SET, twice), weights={twice: w}, k=50)
    heavier = PeerMethod(SYNTHETIC_SET, weights={twice: 2 * w}, k=50)
    _same(_ranking(find_peers(synthetic_atlas, unit, doubled)), _ranking(find_peers(synthetic_atlas, unit, heavier)))


@SLOW_OK
@given(unit=units_of_synthetic, ws=st.lists(weights, min_size=6, max_size=6), c=st.floats(0.01, 100))
def test_multiplying_every_weight_by_a_constant_changes_nothing(synthetic_atlas, unit, ws, c):
    base = PeerMethod(SYNTHETIC_SET, weights=dict(zip(SYNTHETIC_SET, ws)), k=50)
    scaled = PeerMethod(SYNTHETIC_SET, weights={i: c * w for i, w in zip(SYNTHETIC_SET, ws)}, k=50)
    got, expected = (
        _ranking(find_peers(synthetic_atlas, unit, scaled)),
        _ranking(find_peers(synthetic_atlas, unit, base)),
    )
    assert {u for u, _ in got} == {u for u, _ in expected}
    assert np.allclose([d for _, d in got], [d for _, d in expected], rtol=1e-9)


# ------------------------------------------------------------------------------------ missing values


def test_a_unit_missing_an_indicator_is_compared_on_the_others(synthetic_atlas):
    # foreign_pct exists in Austria and Switzerland only: Italy is compared on the other three.
    method = PeerMethod(("foreign_pct", "population", "share_65plus", "dist_city_km"), k=50, min_common=3)
    result = find_peers(synthetic_atlas, "AT_70101", method)
    by_country = {p.country: p for p in result.peers}
    assert by_country["CH"].indicators == method.indicators
    assert by_country["IT"].indicators == ("population", "share_65plus", "dist_city_km")
    # Slovenia's regions have population and distances only (2 < 3): not ranked, and counted.
    assert "SI" not in by_country
    assert result.too_few_common == 3 and result.ranked == 27


def test_below_min_common_a_unit_is_excluded_and_counted(synthetic_atlas):
    method = PeerMethod(("foreign_pct", "share_65plus", "share_0_19"), k=50, min_common=3)
    result = find_peers(synthetic_atlas, "CH_261", method)
    assert {p.country for p in result.peers} == {"AT", "CH"}
    assert result.too_few_common == 6 + 3  # Italy's comuni and Slovenia's regions
    # A chosen unit with fewer values than min_common has no peers, and the result says why.
    alone = find_peers(synthetic_atlas, "SI041", method)
    assert alone.peers == () and alone.unit_indicators == () and alone.too_few_common == 30


def test_min_common_is_never_more_than_the_indicators_chosen(synthetic_atlas):
    result = find_peers(synthetic_atlas, "AT_70101", PeerMethod(("population", "share_65plus"), min_common=3))
    assert result.required == 2 and len(result.peers) == 10


# ------------------------------------------------------------------------------------ scope


@pytest.mark.parametrize("unit", ["AT_70101", "CH_6300", "IT_007003", "SI043"])
def test_other_countries_never_returns_the_units_country(synthetic_atlas, unit):
    country = synthetic_atlas.units.set_index("unit_id").at[unit, "country"]
    result = find_peers(synthetic_atlas, unit, PeerMethod(SYNTHETIC_SET, scope="other_countries", k=50, min_common=2))
    assert result.peers and all(p.country != country for p in result.peers)
    assert result.outside_scope == (synthetic_atlas.units["country"] == country).sum() - 1


def test_a_country_tuple_returns_only_those_countries(synthetic_atlas):
    result = find_peers(synthetic_atlas, "AT_70101", PeerMethod(SYNTHETIC_SET, scope=("IT", "AT"), k=50))
    assert {p.country for p in result.peers} == {"IT", "AT"}
    assert result.outside_scope == 10 + 3


# ------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PeerMethod(k=0), "k must be a whole number from 1 to 50"),
        (lambda: PeerMethod(k=51), "k must be a whole number from 1 to 50"),
        (lambda: PeerMethod(k=2.5), "k must be a whole number"),
        (lambda: PeerMethod(weights={"population": -1}), "weight of 'population' must be a number ≥ 0"),
        (lambda: PeerMethod(weights={"population": float("nan")}), "must be a number ≥ 0"),
        (lambda: PeerMethod(weights={"altitude_centre_m": 1}), "not among the chosen indicators"),
        (lambda: PeerMethod(("population",), weights={"population": 0}), "weight 0: nothing to compare"),
        (lambda: PeerMethod(()), "at least one indicator"),
        (lambda: PeerMethod(scope="mine"), "scope must be"),
        (lambda: PeerMethod(scope=("XX",)), "unknown ones"),
        (lambda: PeerMethod(min_common=0), "min_common must be at least 1"),
    ],
)
def test_a_bad_method_raises_a_clear_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_an_unknown_unit_or_indicator_raises_a_clear_value_error(synthetic_atlas):
    with pytest.raises(ValueError, match="unknown unit 'XX_1'"):
        find_peers(synthetic_atlas, "XX_1")
    with pytest.raises(ValueError, match="unknown indicator 'nope'"):
        find_peers(synthetic_atlas, "AT_70101", PeerMethod(("nope", "population")))
    with pytest.raises(ValueError, match="'mount_type' is a category without an order.*'mountain'"):
        find_peers(synthetic_atlas, "AT_70101", PeerMethod(("mount_type", "population")))


# ------------------------------------------------------------------------------------ real build


@pytest.mark.integration
@pytest.mark.parametrize(("unit", "country"), [("IT_021008", "IT"), ("SI_041", "SI")])
def test_bolzano_and_jesenice_get_ten_peers_in_other_countries(atlas, unit, country):
    names = atlas.units.set_index("unit_id")["name"]
    assert names[unit] in ("Bolzano", "Jesenice")
    result = find_peers(atlas, unit, PeerMethod(scope="other_countries"))
    assert len(result.peers) == 10
    assert all(p.country != country for p in result.peers)
    assert all(len(p.indicators) >= 3 and set(p.indicators) <= set(result.unit_indicators) for p in result.peers)
    # Jesenice has no municipal population, density or change in the build: compared on the other three.
    if country == "SI":
        assert result.unit_indicators == ("dist_urban_centre_km", "degurba", "mountain")
    distances = [p.distance for p in result.peers]
    assert distances == sorted(distances)


def test_two_identical_units_have_nothing_most_different(synthetic_atlas):
    values = dict.fromkeys(synthetic_atlas.unit_ids, 0.0) | {"AT_70101": 1.0, "CH_261": 1.0, "CH_6300": 3.0}
    twin = Dataset("twin", "Twin", "", 2024, "indicator", "twin.csv", values)
    method = PeerMethod(("upload:twin",), k=1, min_common=1)
    result = find_peers(Indicators(synthetic_atlas, [twin]), "AT_70101", method)
    assert result.peers[0].unit_id == "CH_261" and result.peers[0].distance == 0
    assert result.peers[0].most_alike == ("upload:twin",) and result.peers[0].most_different == ()
