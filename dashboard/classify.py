"""Classification of indicator values into map classes, and the colour schemes that paint them.

The breaks are mapclassify's — quantiles, equal intervals and natural breaks (Fisher-Jenks) — and the
tests check them against mapclassify itself. mapclassify is not imported by the app, though: importing it
costs 5 s and 350 MB per process here (it pulls in scikit-learn, matplotlib and numba-compiled code), more
than the whole app may use. So quantiles and equal intervals repeat mapclassify's few lines of numpy
(`Quantiles`: `quantile`; `EqualInterval._set_bins`), and Fisher-Jenks uses jenkspy, a small C library
computing the same optimal breaks. Fisher-Jenks is exact up to JENKS_EXACT_MAX values; above that it runs
on a fixed random sample of JENKS_SAMPLE values drawn exactly as mapclassify's FisherJenksSampled draws it
(with a fixed seed), because the exact algorithm is quadratic (0.5 s for 17,800 values). Results are cached.

Colour schemes are colour-blind-safe (ColorBrewer schemes marked safe, viridis, cividis): sequential for
neutral indicators, diverging where the catalogue says which direction is better, oriented so that the
"better" end is always blue.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import jenkspy
import numpy as np
from plotly.colors import sample_colorscale
from plotly.colors import sequential as seq

METHODS = ("quantiles", "equal_interval", "natural_breaks", "continuous")
DEFAULT_METHOD = "quantiles"
MIN_CLASSES, MAX_CLASSES, DEFAULT_CLASSES = 3, 9, 5
JENKS_EXACT_MAX = 4_000
JENKS_SAMPLE = 1_000
JENKS_SEED = 20_190_101

# name -> (kind, colours from low to high). Diverging schemes run from "worse" (red/brown) to "better"
# (blue/green); sequential ones from light to dark.
SCHEMES: dict[str, tuple[str, list[str]]] = {
    "YlGnBu": ("sequential", seq.YlGnBu),
    "viridis": ("sequential", seq.Viridis[::-1]),
    "cividis": ("sequential", seq.Cividis[::-1]),
    "OrRd": ("sequential", seq.OrRd),
    "RdYlBu": (
        "diverging",
        ["#d73027", "#f46d43", "#fdae61", "#fee090", "#ffffbf", "#e0f3f8", "#abd9e9", "#74add1", "#4575b4"],
    ),
    "BrBG": (
        "diverging",
        ["#8c510a", "#bf812d", "#dfc27d", "#f6e8c3", "#f5f5f5", "#c7eae5", "#80cdc1", "#35978f", "#01665e"],
    ),
    "PuOr": (
        "diverging",
        ["#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7", "#d8daeb", "#b2abd2", "#8073ac", "#542788"],
    ),
}
DEFAULT_SEQUENTIAL = "YlGnBu"
DEFAULT_DIVERGING = "RdYlBu"
# Qualitative, colour-blind-safe (Okabe-Ito) for categorical indicators.
CATEGORY_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MISSING_COLOUR = "#d9d9d9"  # neutral grey, distinct from every scheme's colours
FILTERED_COLOUR = "#f4f4f1"  # units outside the chosen countries: almost background


@dataclass(frozen=True)
class Classes:
    """Upper bounds of each class (the last is the maximum), with the lowest value and counts."""

    method: str
    lower: float
    bins: tuple[float, ...]
    counts: tuple[int, ...]
    # The lowest value of each class where it is not the bound below (classes around zero: the first class
    # at or above zero starts at 0, not at the largest negative value); None: [lower, *bins[:-1]].
    lowers: tuple[float, ...] | None = None
    centre: int | None = None  # around zero: the number of classes below zero

    def class_lowers(self) -> list[float]:
        return list(self.lowers) if self.lowers is not None else [self.lower, *self.bins[:-1]]

    def assign(self, values: np.ndarray) -> np.ndarray:
        """Return the class index (0..k-1) of each value; -1 for missing values."""
        idx = np.searchsorted(np.asarray(self.bins), values, side="left")
        idx = np.minimum(idx, len(self.bins) - 1)
        return np.where(np.isnan(values), -1, idx).astype(np.int8)


def classify(values: np.ndarray, method: str, k: int) -> Classes:
    """Return the classes of the present (non-NaN) `values` by `method` with `k` classes.

    `continuous` returns the range only (bins = (max,)). Fewer distinct values than k give fewer classes.
    """
    present = values[~np.isnan(values)]
    if present.size == 0:
        return Classes(method, float("nan"), (), ())
    key = (method, int(k), hashlib.blake2b(present.tobytes(), digest_size=16).digest())
    cached = _cache.get(key)
    if cached is None:
        cached = _classify(method, int(k), present)
        if len(_cache) >= CACHE_SIZE:
            _cache.pop(next(iter(_cache)))  # oldest first
        _cache[key] = cached
    return cached


# Classes by (method, k, digest of the values): a 16-byte key instead of the values themselves (up to
# 140 KB each), so that 512 remembered classifications cost kilobytes, not 70 MB per worker.
CACHE_SIZE = 512
_cache: dict[tuple, Classes] = {}


def _classify(method: str, k: int, y: np.ndarray) -> Classes:
    lower = float(y.min())
    distinct = np.unique(y)
    if method == "continuous" or distinct.size == 1:
        return Classes(method, lower, (float(y.max()),), (int(y.size),))
    k = max(1, min(k, distinct.size))
    if method == "quantiles":
        bins = quantile_bins(y, k)
    elif method == "equal_interval":
        bins = equal_interval_bins(y, k)
    elif method == "natural_breaks":
        bins = natural_breaks(y, k)
    else:
        raise ValueError(f"unknown classification method {method!r}")
    counts = np.bincount(np.minimum(np.searchsorted(bins, y, side="left"), len(bins) - 1), minlength=len(bins))
    # Quantiles of heavily tied data can repeat a bound: merge empty classes so the legend never shows one.
    keep = [i for i, c in enumerate(counts) if c > 0]
    return Classes(method, lower, tuple(float(bins[i]) for i in keep), tuple(int(counts[i]) for i in keep))


def classify_around_zero(values: np.ndarray, method: str, k: int) -> Classes:
    """Return `k` classes of the present `values` with 0 as a class bound: the negative values and the
    others are classified apart by `method`, each side given classes in proportion to its units (at least
    one). A change map shows decline and growth apart, whatever their sizes. `continuous` gives a range
    symmetric around zero (the colour scale then centres on no change)."""
    present = values[~np.isnan(values)]
    if present.size == 0:
        return Classes(method, float("nan"), (), ())
    if method == "continuous":
        reach = float(np.abs(present).max())
        return Classes(method, -reach, (reach,), (int(present.size),))
    below, above = present[present < 0], present[present >= 0]
    if below.size == 0 or above.size == 0:
        one = classify(present, method, k)
        return replace(one, centre=0 if below.size == 0 else len(one.bins))
    k_below = int(np.clip(round(k * below.size / present.size), 1, k - 1))
    low, high = classify(below, method, k_below), classify(above, method, k - k_below)
    return Classes(
        method,
        low.lower,
        low.bins + high.bins,
        low.counts + high.counts,
        lowers=(*low.class_lowers(), 0.0, *high.bins[:-1]),
        centre=len(low.bins),
    )


def quantile_bins(y: np.ndarray, k: int) -> np.ndarray:
    """Return the upper bounds of `k` quantile classes, as mapclassify.Quantiles computes them."""
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    return np.unique(np.percentile(y, p))  # scipy's scoreatpercentile, as mapclassify uses, is numpy's linear


def equal_interval_bins(y: np.ndarray, k: int) -> np.ndarray:
    """Return the upper bounds of `k` equal intervals, as mapclassify.EqualInterval computes them."""
    max_y, min_y = float(np.max(y)), float(np.min(y))
    width = (max_y - min_y) / k
    cuts = np.arange(min_y + width, max_y + width, width)
    if len(cuts) > k:  # float steps can overshoot by one
        cuts = cuts[0:k]
    cuts[-1] = max_y
    return cuts


def natural_breaks(y: np.ndarray, k: int) -> np.ndarray:
    """Return Fisher-Jenks upper bounds; above JENKS_EXACT_MAX values on mapclassify's seeded sample."""
    if y.size > JENKS_EXACT_MAX:
        # FisherJenksSampled: ids = np.random.randint(0, n, n * pct) from the (here seeded) legacy generator,
        # with the minimum and maximum put at the ends so the classes span every value.
        ids = np.random.RandomState(JENKS_SEED).randint(0, y.size, int(y.size * (JENKS_SAMPLE / y.size)))
        sample = np.asarray(y)[ids].copy()
        sample[-1] = y.max()
        sample[0] = y.min()
    else:
        sample = np.asarray(y)
    k = min(k, np.unique(sample).size)
    if k < 2:
        return np.array([float(sample.max())])
    return np.asarray(jenkspy.jenks_breaks(sample, n_classes=k)[1:], dtype=float)


def scheme_for(direction: str, requested: str | None) -> str:
    """Return the colour scheme to use: the requested one if known, else by the indicator's direction."""
    if requested in SCHEMES:
        return requested
    return DEFAULT_DIVERGING if direction in ("higher_better", "higher_worse") else DEFAULT_SEQUENTIAL


def palette(scheme: str, k: int, direction: str = "neutral") -> list[str]:
    """Return `k` colours of `scheme` from the lowest class to the highest.

    Diverging schemes are stored worse-to-better; for an indicator where higher is worse they are reversed,
    so that high values are red and low values blue.
    """
    kind, colours = SCHEMES[scheme]
    if kind == "diverging" and direction == "higher_worse":
        colours = colours[::-1]
    if k <= 0:
        return []
    if k == 1:
        return [_hex(sample_colorscale(_scale(colours), [0.75])[0])]
    positions = [i / (k - 1) for i in range(k)]
    return [_hex(c) for c in sample_colorscale(_scale(colours), positions)]


def centred_palette(scheme: str, classes: Classes, direction: str = "neutral") -> list[str]:
    """Colours of classes around zero: the classes below zero from the scheme's lower half towards its
    centre, the others from the centre up, so that equal distance from zero means equal strength."""
    below = classes.centre or 0
    above = len(classes.bins) - below
    half = max(below, above, 1)
    colours = palette(scheme, 2 * half, direction)
    return colours[half - below : half] + colours[half : half + above]


def diverging_scheme(direction: str, requested: str | None) -> str:
    """A diverging scheme for a map around zero: the requested one if diverging; else red-blue where the
    catalogue says which direction is better, purple-orange (no judgement) where it does not."""
    if requested in SCHEMES and SCHEMES[requested][0] == "diverging":
        return requested
    return DEFAULT_DIVERGING if direction in ("higher_better", "higher_worse") else "PuOr"


def category_palette(codes: list[int]) -> dict[int, str]:
    """Return a colour per category code (stable: by the code's rank)."""
    return {code: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, code in enumerate(sorted(codes))}


def _scale(colours: list[str]) -> list[list]:
    n = len(colours)
    return [[i / (n - 1), c] for i, c in enumerate(colours)]


def _hex(colour: str) -> str:
    if colour.startswith("#"):
        return colour.lower()
    parts = colour[colour.index("(") + 1 : colour.index(")")].split(",")
    r, g, b = (round(float(p)) for p in parts[:3])
    return f"#{r:02x}{g:02x}{b:02x}"
