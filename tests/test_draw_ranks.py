"""The Monte Carlo's rank kernel (dashboard/draw_ranks.py) against SciPy's ranks and numpy's quantiles:
ties, units with no index (-inf), -0.0 beside 0.0, groups ranked apart, both pair widths."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import rankdata

from dashboard import draw_ranks
from dashboard.draw_ranks import by_unit, competition_ranks, kth_of_two, rank_of, rank_pairs


def _scipy_ranks(block: np.ndarray) -> np.ndarray:
    return np.vstack([rankdata(-row, method="min") for row in block]).astype(np.int64)


def test_ranks_with_many_ties_and_units_without_an_index_equal_scipys():
    rng = np.random.default_rng(5)
    block = rng.integers(0, 40, size=(7, 300)).astype(np.float32)
    block[:, :9] = -np.inf  # no index in these draws: all lowest, tied
    block[2, 20], block[2, 21] = -0.0, 0.0  # equal values, different bits
    np.testing.assert_array_equal(competition_ranks(block), _scipy_ranks(block))


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 6), st.integers(1, 40)),
        elements=st.sampled_from([-np.inf, -3.5, -0.0, 0.0, 1e-30, 2.0, 2.0000002, 7.25, 1e30, np.inf]),
    )
)
def test_any_block_of_values_ranks_as_scipy_does(block):
    np.testing.assert_array_equal(competition_ranks(block), _scipy_ranks(block))


def test_each_units_quantiles_over_two_halves_equal_numpys_over_all_draws():
    rng = np.random.default_rng(8)
    draws, m = 200, 500
    values = rng.normal(size=(draws, m)).astype(np.float32).round(1)  # ties
    values[rng.random((draws, m)) < 0.02] = -np.inf
    groups = rng.integers(0, 3, size=m)  # ranked within each group, as an index scoped by country
    expected = np.zeros((draws, m), dtype=np.int64)
    for g in range(3):
        cols = np.flatnonzero(groups == g)
        expected[:, cols] = _scipy_ranks(values[:, cols])
    halves = []
    for rows in (slice(0, 120), slice(120, draws)):  # halves of unequal sizes
        parts = [rank_pairs(values[rows][:, groups == g], np.flatnonzero(groups == g), m) for g in range(3)]
        halves.append(by_unit(np.concatenate(parts, axis=1), m))
    for p in (0.0, 0.05, 0.5, 0.95, 1.0):
        k = max(int(np.ceil(p * draws)) - 1, 0)
        got = rank_of(kth_of_two(halves[0], halves[1], k), m)
        np.testing.assert_array_equal(got, np.quantile(expected, p, axis=0, method="inverted_cdf"))


def test_more_units_than_sixteen_bits_hold_use_wider_pairs():
    assert draw_ranks.pair_type(70_000) == np.uint64 and draw_ranks.pair_type(65_535) == np.uint32
    rng = np.random.default_rng(3)
    block = rng.integers(0, 5, size=(3, 70_000)).astype(np.float32)
    np.testing.assert_array_equal(competition_ranks(block), _scipy_ranks(block))
