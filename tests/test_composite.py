"""The composite index (dashboard/composite.py): equal to an independent pandas computation for fixed
choices, its properties (hypothesis), the Monte Carlo against the fixed-choice index of each draw, and
bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from dashboard import composite
from dashboard.composite import (
    AGGREGATIONS,
    NORMALISATIONS,
    IndexMethod,
    compute,
    draws,
    index_arrays,
    uncertainty,
)
from dashboard.draw_ranks import competition_ranks
from dashboard.indicators import Indicators

SYNTHETIC = ("pop_change_pa", "share_65plus", "dist_hospital_km", "foreign_pct", "share_0_19")
SIGN = {"pop_change_pa": 1, "share_65plus": -1, "dist_hospital_km": -1, "foreign_pct": 1, "share_0_19": 1}
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# ------------------------------------------------------------------------- the independent computation


def independent(atlas, method: IndexMethod, weights: dict[str, float]) -> pd.DataFrame:
    """The index written out with pandas, step by step as the About page describes it."""
    frame = pd.DataFrame({c: atlas.series(c, "latest").values for c in method.components})
    frame["group"] = atlas.units["country"].astype(str).to_numpy() if method.scope == "country" else "all"
    directions = dict(method.directions)
    total = sum(weights.values())
    w = {c: weights[c] / total for c in method.components}
    scores = pd.DataFrame(index=frame.index)
    for c in method.components:
        sign = directions.get(c, SIGN.get(c, 1))
        pieces = []
        for _g, part in frame.groupby("group"):
            x = part[c] * sign
            if method.winsor:
                x = x.clip(x.quantile(method.winsor), x.quantile(1 - method.winsor))
            if method.normalisation == "minmax":
                s = 100 * (x - x.min()) / (x.max() - x.min())
            elif method.normalisation == "zscore":
                s = (x - x.mean()) / x.std(ddof=0)
            else:
                s = 100 * x.rank(method="average") / x.count()
            if method.aggregation == "geometric":
                s = 1 + 99 * (s - s.min()) / (s.max() - s.min())
            pieces.append(s)
        scores[c] = pd.concat(pieces).sort_index()
    weight = pd.DataFrame({c: scores[c].notna() * w[c] for c in method.components})
    have = weight.sum(axis=1)
    if method.aggregation == "arithmetic":
        index = sum((scores[c] * w[c]).fillna(0) for c in method.components) / have
    else:
        index = np.exp(sum((np.log(scores[c]) * w[c]).fillna(0) for c in method.components) / have)
    index = index.where(have >= method.min_share - 1e-9)
    out = pd.DataFrame({"index": index, "group": frame["group"]})
    out["rank"] = out.groupby("group")["index"].rank(ascending=False, method="min")
    return out


METHODS = [
    IndexMethod(SYNTHETIC),
    IndexMethod(SYNTHETIC, normalisation="zscore", aggregation="arithmetic", scope="country"),
    IndexMethod(SYNTHETIC, normalisation="percentile", aggregation="geometric", min_share=0.7),
    IndexMethod(SYNTHETIC, normalisation="percentile", scope="country", min_share=0.4),
    IndexMethod(SYNTHETIC, normalisation="minmax", aggregation="geometric", winsor=0.05, scope="country"),
    IndexMethod(SYNTHETIC, normalisation="zscore", winsor=0.025, weights=(("dist_hospital_km", 3.0),)),
    IndexMethod(SYNTHETIC, directions=(("foreign_pct", -1),), min_share=1.0),
]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: f"{m.normalisation}-{m.aggregation}-{m.scope}-{m.winsor}")
def test_the_index_equals_an_independent_computation(synthetic_atlas, method):
    result = compute(Indicators(synthetic_atlas), method)
    expected = independent(synthetic_atlas, method, {c: method.weight(c) for c in method.components})
    np.testing.assert_allclose(result.value, expected["index"].to_numpy(dtype=float), rtol=1e-9, equal_nan=True)
    np.testing.assert_array_equal(result.rank, expected["rank"].to_numpy(dtype=float))
    assert result.missing == int(expected["index"].isna().sum())
    assert result.missing > 0 or method.min_share < 1  # the synthetic build has gaps: the rule bites


def test_weights_per_field_split_a_fields_weight_among_its_components(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    # demography: pop_change_pa, share_65plus, share_0_19; health: dist_hospital_km; integration: foreign_pct
    method = IndexMethod(SYNTHETIC, weighting="field", weights=(("health", 2.0),))
    w, fields = composite.component_weights(indicators, method)
    by = dict(zip(SYNTHETIC, w))
    assert by["dist_hospital_km"] == pytest.approx(2 / 4)
    assert by["foreign_pct"] == pytest.approx(1 / 4)
    assert by["pop_change_pa"] == pytest.approx(1 / 12) == by["share_65plus"]
    result = compute(indicators, method)
    expected = independent(synthetic_atlas, method, by)
    np.testing.assert_allclose(result.value, expected["index"].to_numpy(dtype=float), rtol=1e-9, equal_nan=True)


def test_contributions_add_up_to_the_arithmetic_index(synthetic_atlas):
    result = compute(Indicators(synthetic_atlas), IndexMethod(SYNTHETIC, min_share=0.4))
    total = np.nansum(result.contribution, axis=1)
    has = ~np.isnan(result.value)
    np.testing.assert_allclose(total[has], result.value[has])


def test_neutral_components_say_their_direction_was_assumed(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    neutral = [
        i for i in indicators.ids() if indicators.get(i).direction == "neutral" and indicators.get(i).kind == "numeric"
    ]
    assert neutral, "the synthetic catalogue has neutral numeric indicators"
    method = IndexMethod((neutral[0], "share_65plus"))
    assert compute(indicators, method).assumed == (neutral[0],)
    overridden = dataclasses.replace(method, directions=((neutral[0], -1),))
    assert compute(indicators, overridden).assumed == ()


def test_redundant_and_opposing_components_are_named(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    # The distances to a city and to a functional urban area are nearly the same ranking.
    result = compute(indicators, IndexMethod(("dist_city_km", "dist_fua_km", "share_65plus")))
    assert {(a, b) for a, b, _r in result.redundant_pairs()} == {("dist_city_km", "dist_fua_km")}
    # One component flipped against two copies of the opposite direction works against the index.
    flipped = IndexMethod(("dist_city_km", "dist_fua_km"), directions=(("dist_fua_km", 1),))
    against = compute(indicators, flipped).against()
    assert [name for name, _r in against] == ["dist_fua_km"] or [name for name, _r in against] == ["dist_city_km"]


def test_spearman_matches_scipy():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(3)
    a, b = rng.normal(size=200), rng.normal(size=200)
    b[:40] = a[:40] * 2
    a[5], b[9] = np.nan, np.nan
    both = ~np.isnan(a) & ~np.isnan(b)
    assert composite.spearman(a, b) == pytest.approx(spearmanr(a[both], b[both]).statistic)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"components": ()}, "at least one"),
        ({"normalisation": "log"}, "normalisation"),
        ({"aggregation": "median"}, "aggregation"),
        ({"winsor": 0.3}, "winsor"),
        ({"min_share": 0}, "min_share"),
        ({"weights": (("share_65plus", float("nan")),)}, "weight"),
        ({"directions": (("share_65plus", 0),)}, "direction"),
        ({"components": ("share_65plus", "share_65plus")}, "distinct"),
    ],
)
def test_bad_methods_are_refused_with_a_reason(changes, message):
    with pytest.raises(ValueError, match=message):
        IndexMethod(**({"components": ("share_65plus",)} | changes))


def test_categories_and_unknown_indicators_cannot_be_components(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    with pytest.raises(ValueError, match="category"):
        compute(indicators, IndexMethod(("degurba",)))
    with pytest.raises(ValueError, match="unknown"):
        compute(indicators, IndexMethod(("no_such_indicator",)))


# ----------------------------------------------------------------------------------------- properties


@st.composite
def tables(draw):
    n = draw(st.integers(4, 30))
    c = draw(st.integers(1, 4))
    values = draw(
        st.lists(st.one_of(st.none(), st.floats(-1e3, 1e3, allow_nan=False, width=32)), min_size=n * c, max_size=n * c)
    )
    x = np.array([np.nan if v is None else v for v in values], dtype=float).reshape(n, c)
    groups = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), dtype=np.int64)
    w = np.array(draw(st.lists(st.floats(0.1, 5), min_size=c, max_size=c)))
    method = IndexMethod(
        tuple(f"c{j}" for j in range(c)),
        normalisation=draw(st.sampled_from(NORMALISATIONS)),
        aggregation=draw(st.sampled_from(AGGREGATIONS)),
        min_share=draw(st.sampled_from([0.25, 0.5, 1.0])),
    )
    return x, groups, w / w.sum(), method


@FAST
@given(tables(), st.data())
def test_raising_a_component_never_lowers_that_units_index(table, data):
    x, groups, w, method = table
    present = np.argwhere(~np.isnan(x))
    if not len(present):
        return
    u, j = present[data.draw(st.integers(0, len(present) - 1))]
    before = index_arrays(x, groups, w, method)[0][u]
    raised = x.copy()
    raised[u, j] += data.draw(st.floats(0.5, 1e3))
    after = index_arrays(raised, groups, w, method)[0][u]
    if np.isnan(before):
        return
    # Not lower: within rounding (a z-score of the raised unit is computed from new statistics).
    assert after >= before - 1e-9 * max(1.0, abs(before))


@FAST
@given(
    st.lists(st.floats(0.05, 2.0), min_size=len(SYNTHETIC), max_size=len(SYNTHETIC)),
    st.floats(0.1, 5.0),
    st.sampled_from(NORMALISATIONS),
    st.sampled_from(AGGREGATIONS),
    st.sampled_from(("indicator", "field")),
)
def test_multiplying_every_weight_changes_nothing(synthetic_atlas, weights, factor, normalisation, aggregation, how):
    indicators = Indicators(synthetic_atlas)
    names = SYNTHETIC if how == "indicator" else ("demography", "health", "integration")
    chosen = dict(zip(names, weights))
    method = IndexMethod(SYNTHETIC, normalisation=normalisation, aggregation=aggregation, weighting=how, min_share=0.4)
    plain = compute(indicators, dataclasses.replace(method, weights=tuple(chosen.items())))
    scaled = compute(indicators, dataclasses.replace(method, weights=tuple((k, v * factor) for k, v in chosen.items())))
    np.testing.assert_allclose(plain.value, scaled.value, rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(plain.rank, scaled.rank)


@FAST
@given(tables(), st.randoms(use_true_random=False))
def test_the_order_of_the_units_changes_nothing(table, random):
    x, groups, w, method = table
    order = list(range(len(x)))
    random.shuffle(order)
    order = np.array(order)
    first = index_arrays(x, groups, w, method)
    second = index_arrays(x[order], groups[order], w, method)
    np.testing.assert_array_equal(first[0][order], second[0])  # bit for bit: statistics over sorted values
    np.testing.assert_array_equal(first[1][order], second[1])


# ------------------------------------------------------------------------------------------ Monte Carlo


def test_competition_ranks_equal_scipys():
    rng = np.random.default_rng(5)
    block = rng.integers(0, 40, size=(7, 300)).astype(np.float32)  # many ties
    expected = np.vstack([rankdata(-row, method="min") for row in block])
    np.testing.assert_array_equal(competition_ranks(block), expected)


def test_each_draw_ranks_the_units_as_the_fixed_index_of_its_choices_does(synthetic_atlas, monkeypatch):
    """The Monte Carlo's draws, recomputed one by one through `compute` with each draw's weights,
    normalisation and aggregation: the same median rank and 5-95 % interval for every unit."""
    indicators = Indicators(synthetic_atlas)
    method = IndexMethod(("pop_change_pa", "share_65plus", "dist_hospital_km", "share_0_19"), min_share=1.0)
    result = compute(indicators, method)
    mc = uncertainty(indicators, method, result)
    w, _fields = composite.component_weights(indicators, method)
    weights, norms, aggs = draws(w)
    ranks = []
    for d in range(composite.DRAWS):
        one = dataclasses.replace(
            method,
            normalisation=NORMALISATIONS[norms[d]],
            aggregation=AGGREGATIONS[aggs[d]],
            weights=tuple(zip(method.components, (float(v) * 5 for v in weights[d]))),
        )
        ranks.append(compute(indicators, one).rank)
    ranks = np.array(ranks)  # (draws, units)
    ranked = ~np.isnan(result.value)
    assert ranked.sum() >= 20
    for q, got in ((0.05, mc.low), (0.5, mc.median), (0.95, mc.high)):
        expected = np.quantile(ranks[:, ranked], q, axis=0, method="inverted_cdf")
        np.testing.assert_array_equal(got[ranked], expected)
    assert np.isnan(mc.median[~ranked]).all()
    assert (mc.low <= mc.median)[ranked].all() and (mc.median <= mc.high)[ranked].all()


def test_the_draws_are_seeded_and_stated(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    method = IndexMethod(SYNTHETIC, min_share=0.6)
    result = compute(indicators, method)
    first, second = uncertainty(indicators, method, result), uncertainty(indicators, method, result)
    np.testing.assert_array_equal(first.median, second.median)
    assert (first.draws, first.seed) == (1000, composite.SEED)
    weights, _n, _a = draws(np.full(5, 0.2))
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    assert weights.min() >= 0.75 * 0.2 / 1.25 and weights.max() <= 1.25 * 0.2 / 0.75


def test_a_lone_component_has_no_weight_uncertainty_only_method_uncertainty(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    method = IndexMethod(("share_65plus",), normalisation="percentile")
    result = compute(indicators, method)
    mc = uncertainty(indicators, method, result)
    ranked = ~np.isnan(result.value)
    # One component: every normalisation and aggregation keeps its order, so every rank is certain.
    np.testing.assert_array_equal(mc.low[ranked], mc.high[ranked])
    np.testing.assert_array_equal(mc.median[ranked], result.rank[ranked])
    assert mc.robust[ranked].all()


def test_the_issue_example_on_the_real_build(atlas):
    """Housing + work + health, housing twice as heavy: a map, ranks and their intervals."""
    indicators = Indicators(atlas)
    components = tuple(
        i for i in composite.index_ids(indicators) if indicators.get(i).theme in ("housing", "work", "health")
    )
    method = IndexMethod(components, weighting="field", weights=(("housing", 2.0),))
    result = compute(indicators, method)
    mc = uncertainty(indicators, method, result)
    ranked = ~np.isnan(result.value)
    assert ranked.sum() > 1000
    by_field = {}
    for c in result.components:
        by_field[c.field] = by_field.get(c.field, 0) + c.weight
    assert by_field["housing"] == pytest.approx(2 * by_field["work"], rel=1e-9) or any(
        c.units == 0 for c in result.components
    )
    assert np.isfinite(mc.median[ranked]).all()
    assert result.missing == int((~ranked).sum())
