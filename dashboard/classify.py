"""Classification of indicator values into map classes, and the colour schemes that paint them.

Class breaks come from mapclassify, so the legend shows exactly what mapclassify computes:
quantiles, equal intervals and natural breaks (Fisher-Jenks). Fisher-Jenks is exact up to
JENKS_EXACT_MAX values; above that it runs on a fixed random sample of JENKS_SAMPLE values
(mapclassify's FisherJenksSampled with a seeded generator), because the exact algorithm is quadratic
(0.9 s for 17,800 values here) and a map switch must answer in milliseconds. Results are cached.

Colour schemes are colour-blind-safe (ColorBrewer schemes marked safe, viridis, cividis): sequential for
neutral indicators, diverging where the catalogue says which direction is better, oriented so that the
"better" end is always blue.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import mapclassify
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

_jenks_lock = threading.Lock()


@dataclass(frozen=True)
class Classes:
    """Upper bounds of each class (the last is the maximum), with the lowest value and counts."""

    method: str
    lower: float
    bins: tuple[float, ...]
    counts: tuple[int, ...]

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
    return _classify_cached(method, int(k), present.tobytes())


@lru_cache(maxsize=512)
def _classify_cached(method: str, k: int, data: bytes) -> Classes:
    y = np.frombuffer(data, dtype=np.float64)
    lower = float(y.min())
    distinct = np.unique(y)
    if method == "continuous" or distinct.size == 1:
        return Classes(method, lower, (float(y.max()),), (int(y.size),))
    k = max(1, min(k, distinct.size))
    if method == "quantiles":
        result = mapclassify.Quantiles(y, k=k)
    elif method == "equal_interval":
        result = mapclassify.EqualInterval(y, k=k)
    elif method == "natural_breaks":
        result = natural_breaks(y, k)
    else:
        raise ValueError(f"unknown classification method {method!r}")
    bins = tuple(float(b) for b in result.bins)
    counts = tuple(int(c) for c in result.counts)
    # Quantiles of heavily tied data can repeat a bound: merge empty classes so the legend never shows one.
    keep = [i for i, c in enumerate(counts) if c > 0]
    return Classes(method, lower, tuple(bins[i] for i in keep), tuple(counts[i] for i in keep))


def natural_breaks(y: np.ndarray, k: int):
    """Return mapclassify's Fisher-Jenks classification (sampled with a fixed seed above JENKS_EXACT_MAX)."""
    if y.size <= JENKS_EXACT_MAX:
        return mapclassify.FisherJenks(y, k=k)
    # FisherJenksSampled draws from numpy's global generator; seed it under a lock so the breaks are the
    # same on every request and in every worker, and restore the state so nothing else is affected.
    with _jenks_lock:
        state = np.random.get_state()
        np.random.seed(JENKS_SEED)
        try:
            return mapclassify.FisherJenksSampled(y, k=k, pct=JENKS_SAMPLE / y.size, truncate=False)
        finally:
            np.random.set_state(state)


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
