"""Statistics behind Profile and Compare: percentile ranks, medians with bootstrap intervals, group summaries.

Median intervals are percentile-bootstrap 95% intervals computed exactly rather than by random resampling:
a bootstrap sample's median is its ceil(n/2)-th smallest value (for even n the lower middle value, which
moves an interval end by at most one order statistic), and the number of draws at or below the j-th order
statistic is Binomial(n, j/n), so the bootstrap distribution of the median is known in closed form
(Efron 1979, sect. 3; Maritz & Jarrett 1978). The interval is what infinitely many resamples
would give, the same on every reload, in microseconds. Groups below MIN_GROUP_FOR_INTERVAL get no
interval: with so few units the bootstrap says more about the sample than about the population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_GROUP_FOR_INTERVAL = 10
CONFIDENCE = 0.95


@dataclass(frozen=True)
class GroupSummary:
    group: str
    n: int
    median: float
    low: float | None  # None when the group is too small for an interval
    high: float | None

    @property
    def has_interval(self) -> bool:
        return self.low is not None


def bootstrap_median_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Return the exact percentile-bootstrap interval of the median of `values` (no NaN)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    if n == 0:
        raise ValueError("no values")
    from scipy.special import betainc  # loaded on the first comparison, not at start-up

    m = (n + 1) // 2  # the bootstrap median: the m-th smallest of the resample
    j = np.arange(1, n + 1)
    # P(bootstrap median <= x_(j)) = P(at least m of n draws are <= x_(j)) = P(Binomial(n, j/n) >= m),
    # which is the regularised incomplete beta function I_{j/n}(m, n - m + 1).
    cdf = betainc(m, n - m + 1, j / n)
    alpha = (1 - confidence) / 2
    low = x[int(np.searchsorted(cdf, alpha, side="left"))]
    high = x[min(int(np.searchsorted(cdf, 1 - alpha, side="left")), n - 1)]
    return float(low), float(high)


def summarise(values: np.ndarray, group: str) -> GroupSummary:
    """Return n, median and (when the group is large enough) the median's 95% interval."""
    x = values[~np.isnan(values)]
    if x.size == 0:
        return GroupSummary(group, 0, float("nan"), None, None)
    median = float(np.median(x))
    if x.size < MIN_GROUP_FOR_INTERVAL:
        return GroupSummary(group, int(x.size), median, None, None)
    low, high = bootstrap_median_interval(x)
    return GroupSummary(group, int(x.size), median, low, high)


def percentile_rank(values: np.ndarray, value: float) -> float | None:
    """Return the share (0-100) of present `values` below `value`, counting ties as half.

    None when `value` is missing or there is nothing to compare with.
    """
    x = values[~np.isnan(values)]
    if x.size == 0 or value is None or np.isnan(value):
        return None
    below = np.count_nonzero(x < value)
    equal = np.count_nonzero(x == value)
    return float(100.0 * (below + 0.5 * equal) / x.size)


@dataclass(frozen=True)
class BoxStats:
    """Tukey box: quartiles and whiskers at the furthest values within 1.5 IQR of the box."""

    q1: float
    median: float
    q3: float
    lower: float
    upper: float


def box_stats(values: np.ndarray) -> BoxStats | None:
    """Return the box of the present `values`, or None when there are none."""
    x = values[~np.isnan(values)]
    if x.size == 0:
        return None
    q1, median, q3 = (float(v) for v in np.percentile(x, [25, 50, 75]))
    iqr = q3 - q1
    lower = float(x[x >= q1 - 1.5 * iqr].min())
    upper = float(x[x <= q3 + 1.5 * iqr].max())
    return BoxStats(q1, median, q3, lower, upper)


def wants_log_scale(values: np.ndarray) -> bool:
    """Return True for positive, strongly right-skewed values (population, distances to a few far places),
    where a linear axis squeezes almost every box into a line."""
    x = values[~np.isnan(values)]
    if x.size < 3 or x.min() <= 0:
        return False
    median = np.median(x)
    return bool(median > 0 and np.percentile(x, 99) / median > 20)
