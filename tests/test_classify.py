"""Map classes: bounds equal mapclassify's, class assignment, colour schemes."""

from __future__ import annotations

import mapclassify
import numpy as np
import pytest

from dashboard import classify as cl


@pytest.fixture
def skewed() -> np.ndarray:
    return np.random.default_rng(7).lognormal(2.0, 1.0, 2_500)


@pytest.mark.parametrize("k", [3, 5, 9])
def test_quantile_and_equal_interval_bounds_equal_mapclassify(skewed, k):
    assert cl.classify(skewed, "quantiles", k).bins == pytest.approx(tuple(mapclassify.Quantiles(skewed, k=k).bins))
    assert cl.classify(skewed, "equal_interval", k).bins == pytest.approx(
        tuple(mapclassify.EqualInterval(skewed, k=k).bins)
    )


def test_natural_breaks_are_mapclassifys_fisher_jenks(skewed):
    assert cl.classify(skewed[:800], "natural_breaks", 5).bins == pytest.approx(
        tuple(mapclassify.FisherJenks(skewed[:800], k=5).bins)
    )


def test_natural_breaks_on_many_values_are_reproducible_and_sampled_with_the_fixed_seed():
    y = np.random.default_rng(3).normal(50, 10, cl.JENKS_EXACT_MAX + 2_000)
    first = cl.classify(y, "natural_breaks", 5)
    cl._cache.clear()
    second = cl.classify(y, "natural_breaks", 5)
    assert first == second
    state = np.random.get_state()
    np.random.seed(cl.JENKS_SEED)
    expected = mapclassify.FisherJenksSampled(y, k=5, pct=cl.JENKS_SAMPLE / y.size, truncate=False)
    np.random.set_state(state)
    assert first.bins == pytest.approx(tuple(expected.bins))


def test_classification_leaves_the_global_random_state_alone():
    np.random.seed(1)
    expected = np.random.random()
    np.random.seed(1)
    cl.classify(np.random.default_rng(0).normal(size=cl.JENKS_EXACT_MAX + 10), "natural_breaks", 4)
    assert np.random.random() == expected


def test_assignment_matches_mapclassify_and_marks_missing(skewed):
    values = skewed.copy()
    values[::10] = np.nan
    classes = cl.classify(values, "quantiles", 5)
    assigned = classes.assign(values)
    present = ~np.isnan(values)
    assert (assigned[~present] == -1).all()
    assert (assigned[present] == mapclassify.Quantiles(values[present], k=5).yb).all()
    assert sum(classes.counts) == present.sum()


def test_counts_and_bounds_agree(skewed):
    classes = cl.classify(skewed, "equal_interval", 4)
    assigned = classes.assign(skewed)
    assert tuple(np.bincount(assigned, minlength=len(classes.bins))) == classes.counts
    assert classes.lower == skewed.min()
    assert classes.bins[-1] == skewed.max()


def test_degenerate_inputs():
    assert cl.classify(np.array([np.nan, np.nan]), "quantiles", 5).bins == ()
    one = cl.classify(np.array([4.0, 4.0, np.nan]), "quantiles", 5)
    assert one.bins == (4.0,)
    few = cl.classify(np.array([1.0, 2.0, 2.0, 3.0]), "equal_interval", 9)
    assert len(few.bins) <= 3
    assert all(c > 0 for c in cl.classify(np.repeat([1.0, 2.0], 50), "quantiles", 5).counts)


def test_palettes_are_hex_and_oriented_by_direction():
    better = cl.palette("RdYlBu", 5, "higher_better")
    worse = cl.palette("RdYlBu", 5, "higher_worse")
    assert len(better) == 5
    assert all(c.startswith("#") and len(c) == 7 for c in better)
    assert better == worse[::-1]
    assert cl.scheme_for("neutral", None) == cl.DEFAULT_SEQUENTIAL
    assert cl.scheme_for("higher_worse", "nonsense") == cl.DEFAULT_DIVERGING
    assert cl.MISSING_COLOUR not in cl.palette("YlGnBu", 9)
