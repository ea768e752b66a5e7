"""Statistics of Compare and Profile: exact bootstrap intervals, summaries, percentiles, boxes."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import stats


@pytest.mark.parametrize("n", [11, 40, 301])
def test_exact_bootstrap_interval_agrees_with_resampling(n):
    x = np.sort(np.random.default_rng(n).lognormal(1.0, 0.8, n))
    low, high = stats.bootstrap_median_interval(x)
    rng = np.random.default_rng(0)
    resampled = np.sort(x[rng.integers(0, n, size=(20_000, n))], axis=1)[:, (n + 1) // 2 - 1]
    mc_low, mc_high = np.percentile(resampled, [2.5, 97.5])
    # Within one order statistic of the Monte Carlo interval (resampling noise).
    rank = {v: i for i, v in enumerate(x)}
    assert abs(rank[low] - int(np.searchsorted(x, mc_low))) <= 1
    assert abs(rank[high] - int(np.searchsorted(x, mc_high))) <= 1
    assert low <= np.median(x) <= high


def test_small_groups_get_no_interval_and_empty_groups_no_median():
    small = stats.summarise(np.array([1.0, 2.0, 3.0, np.nan]), "peripheral")
    assert (small.n, small.median, small.has_interval) == (3, 2.0, False)
    empty = stats.summarise(np.array([np.nan]), "central")
    assert empty.n == 0
    assert np.isnan(empty.median)


def test_percentile_rank_counts_ties_as_half_and_ignores_missing():
    values = np.array([1.0, 2.0, 2.0, 3.0, np.nan])
    assert stats.percentile_rank(values, 2.0) == pytest.approx(50.0)
    assert stats.percentile_rank(values, 3.0) == pytest.approx(87.5)
    assert stats.percentile_rank(values, np.nan) is None
    assert stats.percentile_rank(np.array([np.nan]), 1.0) is None


def test_box_whiskers_stop_at_the_last_value_within_one_and_a_half_iqr():
    values = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 100])
    box = stats.box_stats(values)
    assert (box.q1, box.median, box.q3) == (3.0, 5.0, 7.0)
    assert box.upper == 8.0
    assert stats.box_stats(np.array([np.nan])) is None


def test_log_scale_for_strongly_skewed_positive_values_only():
    rng = np.random.default_rng(1)
    assert stats.wants_log_scale(rng.lognormal(7, 1.5, 5_000))
    assert not stats.wants_log_scale(rng.normal(10, 1, 5_000))
    assert not stats.wants_log_scale(np.array([-1.0, 5.0, 500.0]))
