"""A composite index of chosen indicators, with the person's choices and the uncertainty of its ranks.

Method (the steps of the OECD/JRC *Handbook on Constructing Composite Indicators*, 2008):

1. **Components**: numeric indicators (catalogue or uploaded), each unit's latest value. Direction from the
   catalogue (higher is better: +1, higher is worse: -1); where the catalogue says neither ("neutral") the
   index assumes higher is better and says so (`IndexResult.assumed`); every direction can be overridden.
2. **Scope**: the statistics of steps 3-4 and the ranks are taken over every unit ("all") or within each
   country ("country"), so that a within-country index does not depend on the other countries' values.
3. **Winsorising** (optional): each component clipped at its `winsor` and 1 - `winsor` quantiles.
4. **Normalisation**: min-max to 0-100; z-score (mean 0, standard deviation 1); or percentile rank
   (0-100, ties sharing the mean rank). A component with no spread in a scope group is missing there.
5. **Weights**: per indicator (default 1 each: equal weights) or per field of action (default 1 each:
   equal per field, a field's weight split equally among its components); scaled to sum to 1.
6. **Missing data**: a unit needs components carrying at least `min_share` of the weight; below it the
   index is missing (and counted). Above it, the weights of the components it has are rescaled to 1.
7. **Aggregation**: arithmetic mean of the normalised scores, or geometric mean of the scores rescaled
   to 1-100 within the scope group (the Handbook's and the JRC COIN tool's way of making every score
   positive; a geometric mean lets a strong component compensate a weak one less).
8. **Ranks**: 1 = highest index within the scope group; equal values share the best rank.

Rank uncertainty (`uncertainty`): a Monte Carlo over the choices, as the JRC's sensitivity analyses of
composite indicators do (Saisana, Saltelli & Tarantola 2005; the JRC's statistical audits): in each of
`DRAWS` draws (seeded, `SEED`), every weight is multiplied by a factor drawn uniformly in [0.75, 1.25],
the normalisation is drawn among the three and the aggregation among the two. Winsorising, scope and the
missing-data rule stay as chosen; the units ranked are those with an index under the chosen method. Each
unit gets its median rank and its 5-95 % rank interval (the 50th and 950th of its 1,000 sorted ranks).
A rank is called robust when that interval spans at most `ROBUST_SHARE` of the units ranked with it.

Speed: a draw's index for every unit is one row of a matrix product (float32); the draws are ranked exactly
by sorts of packed integers (dashboard/draw_ranks.py), half of the draws on each of two threads.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from dashboard import draw_ranks
from dashboard.indicators import UPLOAD_THEME, Indicators
from geo.terms import LATEST, SPI_FIELDS

NORMALISATIONS = ("minmax", "zscore", "percentile")
AGGREGATIONS = ("arithmetic", "geometric")
WEIGHTINGS = ("indicator", "field")  # weights given per indicator, or per field of action
INDEX_SCOPES = ("all", "country")
WINSOR_LEVELS = (0.0, 0.01, 0.025, 0.05)
DIRECTIONS = {"higher_better": 1, "higher_worse": -1}
DEFAULT_MIN_SHARE = 0.5
MAX_COMPONENTS = 20
MAX_WEIGHT = 10.0

# The Monte Carlo (module docstring).
DRAWS = 1000
SEED = 2008  # the Handbook's year: any fixed number would do; it is stated with the results
WEIGHT_SPREAD = 0.25  # each weight times U(1 - spread, 1 + spread)
ROBUST_SHARE = 0.05
ROUND_DECIMALS = 9  # an index is ranked on its value rounded to 9 decimals (it runs 0-100, or ±a few z)
REDUNDANT = 0.9  # |Spearman rho| between two components at or above which they are called redundant


@dataclass(frozen=True)
class IndexMethod:
    """Every choice of the index (module docstring); validated on construction (ValueError)."""

    components: tuple[str, ...]
    directions: tuple[tuple[str, int], ...] = ()  # overrides of the catalogue's direction: (indicator, ±1)
    normalisation: str = "minmax"
    winsor: float = 0.0
    weighting: str = "indicator"
    weights: tuple[tuple[str, float], ...] = ()  # (indicator or field, weight); missing: 1
    aggregation: str = "arithmetic"
    min_share: float = DEFAULT_MIN_SHARE
    scope: str = "all"

    def __post_init__(self):
        if not self.components:
            raise ValueError("an index needs at least one component")
        if len(self.components) > MAX_COMPONENTS or len(set(self.components)) != len(self.components):
            raise ValueError(f"components must be distinct, at most {MAX_COMPONENTS}")
        for name, allowed in (
            ("normalisation", NORMALISATIONS),
            ("aggregation", AGGREGATIONS),
            ("weighting", WEIGHTINGS),
            ("scope", INDEX_SCOPES),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, not {getattr(self, name)!r}")
        if self.winsor not in WINSOR_LEVELS:
            raise ValueError(f"winsor must be one of {WINSOR_LEVELS}")
        if not 0 < self.min_share <= 1:
            raise ValueError("min_share must be in (0, 1]")
        for _name, sign in self.directions:
            if sign not in (1, -1):
                raise ValueError("a direction is +1 or -1")
        for _name, weight in self.weights:
            if not 0 <= weight <= MAX_WEIGHT:  # NaN fails too
                raise ValueError(f"a weight is between 0 and {MAX_WEIGHT}")

    def weight(self, name: str) -> float:
        return dict(self.weights).get(name, 1.0)


@dataclass(frozen=True)
class Component:
    indicator: str
    field: str  # the catalogue's theme (a field of action, demography, peripherality or "uploaded")
    direction: int
    assumed: bool  # the catalogue gives no direction: higher is better assumed
    weight: float  # share of the total weight (the weights sum to 1)
    units: int  # units with a value


@dataclass(frozen=True)
class IndexResult:
    method: IndexMethod
    components: tuple[Component, ...]
    value: np.ndarray  # (units,) the index, NaN where missing
    rank: np.ndarray  # (units,) float, NaN where missing; 1 = highest in its scope group
    ranked_with: np.ndarray  # (units,) how many units were ranked in the unit's scope group (0: none)
    scores: np.ndarray  # (units, components) normalised scores, NaN where missing
    contribution: np.ndarray  # (units, components) each component's part of the index (see `contributions`)
    share: np.ndarray  # (units,) share of the weight the unit has values for
    raw: np.ndarray  # (units, components) the values as read (before direction, winsorising)
    missing: int  # units without an index (below min_share)
    no_spread: tuple[tuple[str, str], ...]  # (component, scope group) left out for having no spread
    correlation: np.ndarray  # (components, components) Spearman rho, NaN where fewer than 3 in common
    with_index: np.ndarray  # (components,) Spearman rho of each component with the index

    @property
    def assumed(self) -> tuple[str, ...]:
        return tuple(c.indicator for c in self.components if c.assumed)

    def redundant_pairs(self) -> list[tuple[str, str, float]]:
        names = [c.indicator for c in self.components]
        out = []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rho = self.correlation[i, j]
                if np.isfinite(rho) and abs(rho) >= REDUNDANT:
                    out.append((names[i], names[j], float(rho)))
        return out

    def against(self) -> list[tuple[str, float]]:
        """Components that rank units against the index (negative rank correlation with it)."""
        return [
            (c.indicator, float(r))
            for c, r in zip(self.components, self.with_index)
            if np.isfinite(r) and r < 0 and len(self.components) > 1
        ]


def component_weights(indicators: Indicators, method: IndexMethod) -> tuple[np.ndarray, tuple[str, ...]]:
    """Return the components' weights (summing to 1; all 0 if every weight is 0) and their fields."""
    fields = tuple(_field(indicators, i) for i in method.components)
    if method.weighting == "indicator":
        w = np.array([method.weight(i) for i in method.components], dtype=float)
    else:
        size = {f: fields.count(f) for f in fields}
        w = np.array([method.weight(f) / size[f] for f in fields], dtype=float)
    total = w.sum()
    return (w / total if total > 0 else w), fields


def _field(indicators: Indicators, indicator: str) -> str:
    entry = indicators.get(indicator)
    return UPLOAD_THEME if entry.uploaded else entry.theme


def check_component(indicators: Indicators, indicator: str) -> None:
    if indicator not in indicators:
        raise ValueError(f"unknown indicator {indicator!r}")
    if indicators.get(indicator).kind != "numeric":
        raise ValueError(f"{indicator!r} is a category: it cannot be a component of an index")
    if indicators.get(indicator).derived:
        raise ValueError(f"{indicator!r} is computed from an index: it cannot be a component of one")


def index_ids(indicators: Indicators) -> list[str]:
    """Every indicator that can be a component (numeric ones), fields of action first in their order."""
    order = {f: n for n, f in enumerate(SPI_FIELDS)}
    # Not the index itself (derived): an index of the index would feed on its own values.
    ids = [i for i in indicators.ids() if indicators.get(i).kind == "numeric" and not indicators.get(i).derived]
    return sorted(ids, key=lambda i: (order.get(_field(indicators, i), len(order)), ids.index(i)))


def _groups(indicators: Indicators, scope: str) -> np.ndarray:
    """The scope group of every unit as a small integer: 0 for all, the country's index per country."""
    atlas = indicators.atlas
    if scope == "all":
        return np.zeros(len(atlas.units), dtype=np.int64)
    _countries, codes = np.unique(atlas.units["country"].astype(str).to_numpy(), return_inverse=True)
    return codes.astype(np.int64)


def _winsorise(x: np.ndarray, groups: np.ndarray, level: float) -> np.ndarray:
    if not level:
        return x
    out = x.copy()
    for g in np.unique(groups):
        rows = groups == g
        for j in range(x.shape[1]):
            col = x[rows, j]
            present = ~np.isnan(col)
            if present.sum() < 2:
                continue
            low, high = np.quantile(col[present], [level, 1 - level])
            out[rows, j] = np.clip(col, low, high)
    return out


def normalise(x: np.ndarray, groups: np.ndarray, how: str) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Return the normalised scores of `x` (units, components) within each group, and the (component,
    group) pairs left out for having no spread (their scores NaN)."""
    out = np.full(x.shape, np.nan)
    flat: list[tuple[int, int]] = []
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        for j in range(x.shape[1]):
            col = x[rows, j]
            present = ~np.isnan(col)
            v = col[present]
            if len(v) == 0:
                continue
            if how == "percentile":
                if len(v) < 2:
                    flat.append((j, int(g)))
                    continue
                out[rows[present], j] = 100.0 * _mean_ranks(v) / len(v)
                continue
            low, high = v.min(), v.max()
            if not high > low:
                flat.append((j, int(g)))
                continue
            if how == "minmax":
                out[rows[present], j] = 100.0 * (v - low) / (high - low)
            else:
                ordered = np.sort(v)  # sums over sorted values: the same bits whatever the order of the units
                out[rows[present], j] = (v - ordered.mean()) / ordered.std()
    return out, flat


def _mean_ranks(v: np.ndarray) -> np.ndarray:
    """Ranks 1..n of `v` ascending, ties sharing their mean rank."""
    order = np.argsort(v)  # equal values share their mean rank whatever their order: no stable sort needed
    sorted_v = v[order]
    starts = np.flatnonzero(np.r_[True, sorted_v[1:] != sorted_v[:-1]])
    ends = np.r_[starts[1:], len(v)]
    mean = (starts + ends + 1) / 2.0  # ranks start..end-1 (0-based) → mean of start+1 .. end
    ranks = np.empty(len(v))
    ranks[order] = np.repeat(mean, ends - starts)
    return ranks


def positive(scores: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Scores rescaled to 1-100 within each group (min-max), for the geometric mean."""
    out = np.full(scores.shape, np.nan)
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        block = scores[rows]
        with np.errstate(invalid="ignore"):
            low = np.nanmin(np.where(np.isnan(block), np.inf, block), axis=0)
            high = np.nanmax(np.where(np.isnan(block), -np.inf, block), axis=0)
            span = np.where(high > low, high - low, np.nan)
            out[rows] = 1.0 + 99.0 * (block - low) / span
    return out


def _aggregate(scores: np.ndarray, w: np.ndarray, aggregation: str, groups: np.ndarray):
    """Return (index, share of the weight present, each component's contribution)."""
    present = ~np.isnan(scores)
    have = (present * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if aggregation == "arithmetic":
            part = np.where(present, scores * w, 0.0) / have[:, None]
            index = part.sum(axis=1)
        else:
            logs = np.log(positive(scores, groups))
            part = np.where(present, logs * w, 0.0) / have[:, None]
            index = np.exp(part.sum(axis=1))
    return index, have, np.where(present, part, np.nan)


def rank_within(values: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks (1 = highest, ties share the best rank) within each group, NaN where no value; and the number
    of units ranked in each unit's group."""
    rank = np.full(len(values), np.nan)
    count = np.zeros(len(values), dtype=np.int64)
    for g in np.unique(groups):
        rows = np.flatnonzero((groups == g) & ~np.isnan(values))
        if not len(rows):
            continue
        # Rounded first: two units equal but for the last bits of a sum (1e-15) share their rank.
        v = np.round(values[rows], ROUND_DECIMALS)
        # The number of units strictly higher, plus one: equal values share the best rank.
        sorted_v = np.sort(v)
        rank[rows] = len(v) - np.searchsorted(sorted_v, v, side="right") + 1
        count[groups == g] = len(v)
    return rank, count


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    both = ~np.isnan(a) & ~np.isnan(b)
    if both.sum() < 3:
        return float("nan")
    ra, rb = _mean_ranks(a[both]), _mean_ranks(b[both])
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def correlations(scores: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman's rho of every pair of components (over the units having both) and of each with the index.

    Pairs whose units with both values are exactly the units of each are ranked once per column."""
    columns = [scores[:, j] for j in range(scores.shape[1])] + [index]
    present = [~np.isnan(col) for col in columns]
    ranks = [(_mean_ranks(col[p]) if p.sum() >= 3 else None) for col, p in zip(columns, present)]
    c = len(columns)
    rho = np.full((c, c), np.nan)
    for i in range(c):
        for j in range(i, c):
            same = ranks[i] is not None and np.array_equal(present[i], present[j])
            if i == j:
                rho[i, j] = 1.0 if ranks[i] is not None else np.nan
            elif same:
                a, b = ranks[i], ranks[j]
                rho[i, j] = rho[j, i] = float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else np.nan
            else:
                rho[i, j] = rho[j, i] = spearman(columns[i], columns[j])
    return rho[:-1, :-1], rho[:-1, -1]


@dataclass(frozen=True)
class _Prepared:
    """What every choice but normalisation and aggregation fixes: the oriented, winsorised values."""

    x: np.ndarray  # (units, components)
    raw: np.ndarray
    groups: np.ndarray
    w: np.ndarray
    components: tuple[Component, ...]


def _prepare(indicators: Indicators, method: IndexMethod) -> _Prepared:
    for indicator in method.components:
        check_component(indicators, indicator)
    overrides = dict(method.directions)
    raw = np.column_stack([np.asarray(indicators.series(i, LATEST).values, dtype=float) for i in method.components])
    w, fields = component_weights(indicators, method)
    # A component no unit has a value of cannot count: its weight would only lower every unit's share.
    empty = np.isnan(raw).all(axis=0)
    if empty.any() and not empty.all():
        w = np.where(empty, 0.0, w)
        w = w / w.sum() if w.sum() > 0 else w
    components = []
    signs = []
    for j, indicator in enumerate(method.components):
        catalogue = DIRECTIONS.get(indicators.get(indicator).direction)
        sign = overrides.get(indicator, catalogue or 1)
        signs.append(sign)
        components.append(
            Component(
                indicator,
                fields[j],
                sign,
                assumed=indicator not in overrides and catalogue is None,
                weight=float(w[j]),
                units=int((~np.isnan(raw[:, j])).sum()),
            )
        )
    groups = _groups(indicators, method.scope)
    x = _winsorise(raw * np.array(signs, dtype=float), groups, method.winsor)
    return _Prepared(x, raw, groups, w, tuple(components))


def compute(indicators: Indicators, method: IndexMethod) -> IndexResult:
    """Return the index of `method` for every unit (module docstring: the method); ValueError on bad input."""
    prepared = _prepare(indicators, method)
    groups = prepared.groups
    index, rank, count, scores, part, have, flat = index_arrays(prepared.x, groups, prepared.w, method)
    enough = ~np.isnan(index)
    names = method.components
    correlation, with_index = correlations(scores, index)
    group_names = _group_names(indicators, method.scope)
    return IndexResult(
        method=method,
        components=prepared.components,
        value=index,
        rank=rank,
        ranked_with=count,
        scores=scores,
        contribution=np.where(enough[:, None], part, np.nan),
        share=have,
        raw=prepared.raw,
        missing=int((~enough).sum()),
        no_spread=tuple((names[j], group_names[g]) for j, g in flat),
        correlation=correlation,
        with_index=with_index,
    )


def index_arrays(x: np.ndarray, groups: np.ndarray, w: np.ndarray, method: IndexMethod):
    """The index of oriented, winsorised values `x` (units, components) with weights `w` (summing to 1):
    (index, rank, units ranked per group, scores, contributions, share of weight present, no-spread pairs)."""
    scores, flat = normalise(x, groups, method.normalisation)
    index, have, part = _aggregate(scores, w, method.aggregation, groups)
    enough = (have >= method.min_share - 1e-9) & (have > 0)
    index = np.where(enough, index, np.nan)
    rank, count = rank_within(index, groups)
    return index, rank, count, scores, part, have, flat


def _group_names(indicators: Indicators, scope: str) -> list[str]:
    if scope == "all":
        return ["all"]
    return [str(c) for c in np.unique(indicators.atlas.units["country"].astype(str).to_numpy())]


@dataclass(frozen=True)
class Uncertainty:
    """Each unit's ranks over the Monte Carlo draws (NaN where the unit has no index)."""

    median: np.ndarray
    low: np.ndarray  # 5th percentile of the ranks
    high: np.ndarray  # 95th percentile
    width_share: np.ndarray  # (high - low) / units ranked with it, in %
    robust: np.ndarray  # bool: the interval spans at most ROBUST_SHARE of the units ranked with it
    draws: int
    seed: int


def draws(w: np.ndarray, n: int = DRAWS, seed: int = SEED):
    """Return the draws' weights (n, components; each row summing to 1), normalisations and aggregations."""
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - WEIGHT_SPREAD, 1 + WEIGHT_SPREAD, size=(n, len(w)))
    weights = factors * w
    totals = weights.sum(axis=1, keepdims=True)
    weights = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    norms = rng.integers(0, len(NORMALISATIONS), size=n)
    aggs = rng.integers(0, len(AGGREGATIONS), size=n)
    return weights, norms, aggs


def draw_index(prepared_scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The index of each draw for every unit: (draws, units) float32; `prepared_scores` NaN where missing
    (arithmetic scores, or logs of the positive scores for a geometric mean, whose ranks equal its exp's)."""
    present = ~np.isnan(prepared_scores)
    s = np.where(present, prepared_scores, 0.0).astype(np.float32)
    w = weights.astype(np.float32)
    num = w @ s.T
    den = w @ present.astype(np.float32).T
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den


_POOL = None


def _pool():
    global _POOL
    if _POOL is None:  # made in the worker that first needs it (not before gunicorn forks: threads do not fork)
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="index-ranks")
    return _POOL


CHUNK = 125  # draws valued and ranked at a time per thread: measured fastest (cache) and bounds the temporaries


def _draw_values(variants, weights, norms, aggs, draw: np.ndarray) -> np.ndarray:
    """The index of the draws `draw` for every unit ranked: (draws, units) float32, -inf where none."""
    values = np.empty((len(draw), len(variants[0][0])), dtype=np.float32)
    for a in range(len(NORMALISATIONS)):
        for b in range(len(AGGREGATIONS)):
            chosen = np.flatnonzero((norms[draw] == a) & (aggs[draw] == b))
            if len(chosen):
                values[chosen] = draw_index(variants[a][b], weights[draw[chosen]])
    # A unit whose components all lack a score under another normalisation (no spread there) has no
    # index in that draw: it counts as lowest there.
    values[np.isnan(values)] = -np.inf
    return values


def _sorted_ranks(variants, weights, norms, aggs, groups: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """Rank the draws `draw` within each group; return (units, len(draw)): each unit's ranks ascending
    (as `draw_ranks` pairs)."""
    m = len(groups)
    columns = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    pairs = np.empty((len(draw), m), dtype=draw_ranks.pair_type(m))
    for start in range(0, len(draw), CHUNK):
        rows = slice(start, min(start + CHUNK, len(draw)))
        values = _draw_values(variants, weights, norms, aggs, draw[rows])
        at = 0  # the layout of the pairs does not matter (they carry their unit): each group side by side
        for cols in columns:
            ids = None if len(cols) == m else cols
            pairs[rows, at : at + len(cols)] = draw_ranks.rank_pairs(values[:, cols], ids, m)
            at += len(cols)
    return draw_ranks.by_unit(pairs, m)


def uncertainty(indicators: Indicators, method: IndexMethod, result: IndexResult) -> Uncertainty:
    """Return the Monte Carlo ranks of the units `result` ranks (module docstring)."""
    prepared = _prepare(indicators, method)
    groups = prepared.groups
    ranked = ~np.isnan(result.value)
    n = len(result.value)
    nan = np.full(n, np.nan)
    if not ranked.any():
        return Uncertainty(nan, nan, nan, nan, np.zeros(n, dtype=bool), DRAWS, SEED)
    weights, norms, aggs = draws(prepared.w)
    # The scores of every normalisation, as the arithmetic and the geometric mean take them.
    variants = []
    for norm in NORMALISATIONS:
        scores, _flat = normalise(prepared.x, groups, norm)
        variants.append((scores[ranked], np.log(positive(scores, groups))[ranked]))
    m = int(ranked.sum())
    # Two halves of the draws ranked on two threads (numpy releases the GIL in its sorts and ufuncs); a
    # unit's quantiles are then read across its two sorted halves.
    halves = np.array_split(np.arange(DRAWS), 2)
    first, second = _pool().map(
        lambda draw: _sorted_ranks(variants, weights, norms, aggs, groups[ranked], draw), halves
    )
    q = [int(np.ceil(p * DRAWS)) - 1 for p in (0.05, 0.5, 0.95)]  # inverted-CDF quantiles
    low, median, high = nan.copy(), nan.copy(), nan.copy()
    for out, k in zip((low, median, high), q):
        out[ranked] = draw_ranks.rank_of(draw_ranks.kth_of_two(first, second, k), m)
    size = np.where(result.ranked_with > 0, result.ranked_with, np.nan)
    width = 100.0 * (high - low) / size
    robust = ranked & ((high - low) <= np.maximum(1.0, ROBUST_SHARE * size))
    return Uncertainty(median, low, high, width, robust, DRAWS, SEED)


# The results of recent methods, per atlas and uploaded values: the map, the table and the profile of one
# request chain ask for the same index.
_CACHE: OrderedDict[tuple, tuple[weakref.ref, object]] = OrderedDict()
_LOCK = threading.Lock()
CACHE_SIZE = 8  # four methods (an index and its uncertainty each): the person's last few choices


def _key(indicators: Indicators, method: IndexMethod, what: str) -> tuple:
    return (id(indicators.atlas), method, indicators.upload_digest(method.components), what)


def _cached(indicators: Indicators, method: IndexMethod, what: str, make):
    key = _key(indicators, method, what)
    atlas = indicators.atlas
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0]() is atlas:
            _CACHE.move_to_end(key)
            return hit[1]
    value = make()
    with _LOCK:
        _CACHE[key] = (weakref.ref(atlas), value)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def index_of(indicators: Indicators, method: IndexMethod) -> IndexResult:
    """`compute`, cached per (atlas, method, uploaded values)."""
    return _cached(indicators, method, "index", lambda: compute(indicators, method))


def uncertainty_of(indicators: Indicators, method: IndexMethod) -> Uncertainty:
    """`uncertainty`, cached like `index_of`."""
    return _cached(
        indicators, method, "uncertainty", lambda: uncertainty(indicators, method, index_of(indicators, method))
    )


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


__all__ = [
    "AGGREGATIONS",
    "DRAWS",
    "INDEX_SCOPES",
    "NORMALISATIONS",
    "SEED",
    "WEIGHTINGS",
    "WINSOR_LEVELS",
    "IndexMethod",
    "IndexResult",
    "Uncertainty",
    "compute",
    "index_of",
    "uncertainty",
    "uncertainty_of",
]
