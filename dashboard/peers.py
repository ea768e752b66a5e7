"""Peers across borders: the units most like a chosen one, on a chosen set of indicators (pure, no Dash).

The method, in the order it is applied:

1. **Indicators.** Any catalogue indicator, any uploaded column (`dashboard.indicators.Indicators`), and two
   attributes of the units themselves: `dist_urban_centre_km` (remoteness: the straight-line distance to
   the nearest city or functional urban area, the distance the peripherality classes use) and `mountain`
   (the Eurostat mountain flag, mount_type 1-3, as 0/1). Each unit's latest value is used (as the map's
   default). The default set, `DEFAULT_INDICATORS`, exists in (nearly) every country: population, density,
   population change, remoteness, DEGURBA and mountain. In the real build Slovenia and Liechtenstein have
   no municipal population, density or change, Germany no change and Liechtenstein no DEGURBA: the
   missing-data rule (5.) deals with that in the open, and the result says which indicators were used.
   Categorical indicators are accepted only where their codes are ordered (`ORDINAL`: DEGURBA 1 cities -
   3 rural, the NUTS 3 urban-rural type, Italy's altitude zone); mount_type's codes (area, population,
   both, none) have no order and are refused, with `mountain` named instead.
2. **Log scale** for the size indicators in `LOG1P` (population, density, households, jobs): counts whose
   Alpine distribution is strongly right-skewed (a few cities of 100,000+ among thousands of villages of a
   few hundred). On the raw scale Zürich would be hundreds of robust deviations away from everything and
   every village alike; after log1p a ratio counts, not a difference (1,000 vs 2,000 is as far as 10,000
   vs 20,000), which is how size is compared in practice. log1p rather than log so that a 0 stays finite.
   An indicator with a negative value is never logged.
3. **Robust z-scores** per indicator over every unit with a value (the whole Alpine space, whatever the
   scope, so that a distance means the same in every query): z = (x - median) / (1.4826 · MAD). 1.4826 makes
   the MAD a consistent estimator of the standard deviation under normality (Rousseeuw & Croux 1993;
   Leys et al. 2013 recommend it over mean/SD because outliers do not set the scale). Where the MAD is 0
   (more than half the units share one value, common for codes) the spread is IQR / 1.349, then the
   standard deviation; an indicator with no spread at all distinguishes no one and is left out, and the
   result says so (`PeerResult.left_out`). Ordinal codes (DEGURBA 1-3, mountain 0/1) are put on the same
   robust scale as numbers. In the real build both have a MAD of 0 (most units are rural, most are
   mountain) and take the IQR rule: spread 0.74, so a mismatch of the mountain flag or one DEGURBA step is
   1.35 z apart, about the distance of a 2.6-fold difference in population. Lower their weight to soften it.
4. **Distance**: weighted Euclidean over the indicators both units have, normalised by the sum of the
   weights used: d = sqrt(Σ w_i (z_a,i - z_b,i)² / Σ w_i). The normalisation makes distances computed on
   different numbers of indicators comparable (a root mean square difference, in robust SDs), as in
   Gower's (1971) coefficient for incomplete data. Weights default to 1; multiplying every weight by a
   constant changes nothing; an indicator chosen twice is counted once with its weights summed, so with
   this normalisation a duplicated indicator of weight w acts exactly like weight 2w. A weight of 0 drops
   the indicator.
5. **Missing values**: a unit is compared with the chosen one on the indicators both have; a unit with
   fewer than `min_common` of them in common (default 3, never more than the number of indicators chosen
   and usable: one left out under 3. does not count) is not ranked and is counted
   (`PeerResult.too_few_common`). When the chosen unit itself has fewer than `min_common` values, nobody
   can be ranked (Liechtenstein's units with the default set: remoteness and mountain only), and the
   result says so rather than lowering the bar.
6. **Ranking**: the k nearest (default 10, 1..50) within the scope ("all", "other_countries" or a tuple of
   country codes), ties broken by unit_id for a stable order; the chosen unit is never its own peer. Each
   peer carries the indicators its distance used and those that make it most alike and most different
   (smallest and largest w_i · |Δz_i|: up to three each, at most half of them alike, the two lists apart,
   and only an indicator that differs at all among the different).

7. **Stability** (`stability`): how much a peer depends on any single indicator. The ranking is repeated
   once without each indicator the chosen unit has (a jackknife over indicators, as in the JRC/OECD
   practice of testing a composite by leaving one component out); a peer found in every one of those
   rankings does not owe its place to one indicator. Shown as "kept in r of m rankings".

Practice it follows: nearest-neighbour models of public bodies rank areas by a weighted Euclidean distance
on standardised structural indicators (CIPFA's Nearest Neighbours Model for English local authorities; the
OECD's and ISTAT's similar-region tools named in issue 12 work the same way on their own sets of regions).
Robust rather than classical z-scores because municipal statistics are heavy-tailed.

Speed: every built indicator is standardised once per atlas (before the workers fork); the z-matrix of an
indicator set is those columns stacked, once per (atlas, indicator set, uploaded values), kept in a small
bounded cache; a query is one vectorised numpy pass over every unit.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from dashboard.atlas import Atlas
from dashboard.indicators import Indicators
from geo.terms import COUNTRIES, LATEST

# Attributes of the units usable as indicators (columns of Atlas.units, not catalogue indicators).
UNIT_ATTRIBUTES = ("dist_urban_centre_km", "mountain")
DEFAULT_INDICATORS = ("population", "density", "pop_change_pa", "dist_urban_centre_km", "degurba", "mountain")
# Size counts with a long right tail, compared on log1p (see the module docstring, 2.).
LOG1P = frozenset({"population", "density", "households", "jobs"})
# Categorical indicators whose codes are ordered, so a difference of codes means something.
ORDINAL = frozenset({"degurba", "urbn_type", "it_altitude_zone", "mountain"})
SCOPES = ("all", "other_countries")
K_MAX = 50
MAD_TO_SD = 1.4826  # 1 / Φ⁻¹(3/4): the MAD of a normal distribution times this is its SD
IQR_TO_SD = 1.349  # Φ⁻¹(3/4) - Φ⁻¹(1/4): the IQR of a normal distribution over this is its SD
N_REASONS = 3  # indicators named as most alike and most different
CACHE_SIZE = 8


@dataclass(frozen=True)
class PeerMethod:
    """How peers are found: indicators, weights (id → w ≥ 0, default 1), k, scope and min_common."""

    indicators: tuple[str, ...] = DEFAULT_INDICATORS
    weights: Mapping[str, float] = field(default_factory=dict, hash=False)
    k: int = 10
    scope: str | tuple[str, ...] = "all"
    min_common: int = 3

    def __post_init__(self):
        if isinstance(self.indicators, str) or not self.indicators:
            raise ValueError("choose at least one indicator (a tuple of indicator ids)")
        object.__setattr__(self, "indicators", tuple(self.indicators))
        if isinstance(self.k, bool) or not isinstance(self.k, int | np.integer) or not 1 <= self.k <= K_MAX:
            raise ValueError(f"k must be a whole number from 1 to {K_MAX}, not {self.k!r}")
        for indicator, weight in self.weights.items():
            if indicator not in self.indicators:
                raise ValueError(f"a weight is given for {indicator!r}, which is not among the chosen indicators")
            if not isinstance(weight, int | float) or not np.isfinite(weight) or weight < 0:
                raise ValueError(f"the weight of {indicator!r} must be a number ≥ 0, not {weight!r}")
        if not any(self.weight(i) > 0 for i in self.indicators):
            raise ValueError("every chosen indicator has weight 0: nothing to compare on")
        if isinstance(self.scope, str):
            if self.scope not in SCOPES:
                raise ValueError(
                    f"scope must be 'all', 'other_countries' or a tuple of country codes, not {self.scope!r}"
                )
        else:
            object.__setattr__(self, "scope", tuple(self.scope))
            unknown = [c for c in self.scope if c not in COUNTRIES]
            if not self.scope or unknown:
                raise ValueError(f"scope names no country or unknown ones {unknown}; countries are {COUNTRIES}")
        if isinstance(self.min_common, bool) or not isinstance(self.min_common, int | np.integer):
            raise ValueError(f"min_common must be a whole number ≥ 1, not {self.min_common!r}")
        if self.min_common < 1:
            raise ValueError(f"min_common must be at least 1, not {self.min_common}")

    def weight(self, indicator: str) -> float:
        return float(self.weights.get(indicator, 1.0))

    @property
    def used(self) -> tuple[tuple[str, float], ...]:
        """The distinct indicators with weight > 0 and their weights (a repeated indicator's summed)."""
        summed: dict[str, float] = {}
        for indicator in self.indicators:
            summed[indicator] = summed.get(indicator, 0.0) + self.weight(indicator)
        return tuple((i, w) for i, w in summed.items() if w > 0)


@dataclass(frozen=True)
class Scale:
    """How one indicator was standardised: z = (f(x) - center) / spread, f = log1p when `log`."""

    indicator: str
    center: float
    spread: float
    rule: str  # "mad", "iqr" or "std"
    log: bool
    n: int  # units with a value


@dataclass(frozen=True)
class Peer:
    unit_id: str
    country: str
    name: str
    distance: float
    indicators: tuple[str, ...]  # those both units have: the ones this distance used
    most_alike: tuple[str, ...]  # up to 3, smallest weighted |Δz| first
    most_different: tuple[str, ...]  # up to 3, largest weighted |Δz| first
    z_differences: dict[str, float]  # z of the peer minus z of the chosen unit, per indicator used


@dataclass(frozen=True)
class PeerResult:
    unit_id: str
    method: PeerMethod
    peers: tuple[Peer, ...]
    unit_indicators: tuple[str, ...]  # the chosen indicators the chosen unit has a value of
    candidates: int  # every other unit
    outside_scope: int  # of the candidates, not in the scope
    too_few_common: int  # in the scope, with fewer than `required` indicators in common
    ranked: int  # the rest: every unit the k were chosen from
    required: int  # indicators a peer must have in common: min_common, at most the usable ones
    scales: tuple[Scale, ...]
    left_out: dict[str, str]  # indicator → why it was not used (no values, no spread)
    tied: int = 0  # ranked units exactly as far as the k-th peer (more than the peers among them: a tie at k)
    # The query's per-unit sums, reused by `stability` (same method, same z-matrix): not part of the answer.
    work: _Work | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class _Work:
    weighted: np.ndarray  # (units, indicators the chosen unit has) w·Δz², 0 where not in common
    common: np.ndarray  # (units, those indicators) bool
    w: np.ndarray
    in_scope: np.ndarray


@dataclass(frozen=True)
class _Matrix:
    """The z-scores of one indicator set for every unit (NaN: no value), and how each column was scaled."""

    indicators: tuple[str, ...]  # the columns (the usable ones, in the order chosen)
    z: np.ndarray  # (units, columns) float64, read-only
    present: np.ndarray  # (units, columns) bool
    scales: tuple[Scale, ...]
    left_out: dict[str, str]


_CACHE: OrderedDict[tuple, tuple[weakref.ref, _Matrix]] = OrderedDict()
_LOCK = threading.Lock()


def _raw_values(indicators: Indicators, indicator: str) -> np.ndarray:
    """Return the latest value of `indicator` for every unit, float64 with NaN where missing."""
    units = indicators.atlas.units
    if indicator == "mountain":
        return units["mountain"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if indicator in UNIT_ATTRIBUTES:
        return units[indicator].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(indicators.series(indicator, LATEST).values, dtype=float)


def check_indicator(indicators: Indicators, indicator: str) -> None:
    """Raise ValueError unless `indicator` can be compared on (known, numeric or ordered codes)."""
    if indicator in UNIT_ATTRIBUTES:
        return
    if indicator not in indicators:
        raise ValueError(f"unknown indicator {indicator!r}: not in the catalogue, the uploads or {UNIT_ATTRIBUTES}")
    if indicators.get(indicator).kind == "categorical" and indicator not in ORDINAL:
        hint = " (use 'mountain', the mountain flag, instead)" if indicator == "mount_type" else ""
        raise ValueError(f"{indicator!r} is a category without an order: its codes cannot be compared{hint}")


def comparable_ids(indicators: Indicators) -> list[str]:
    """Return every indicator peers can be found on: numbers, ordered codes and the unit attributes."""
    ids = []
    for indicator in indicators.ids():
        entry = indicators.get(indicator)
        if entry.kind != "categorical" or indicator in ORDINAL:
            ids.append(indicator)
    return ids + [a for a in UNIT_ATTRIBUTES if a not in ids]


def robust_scale(indicator: str, values: np.ndarray) -> tuple[np.ndarray, Scale | None, str | None]:
    """Return (z, scale, None), or (all-NaN, None, reason) when the indicator cannot be used."""
    present = ~np.isnan(values)
    log = indicator in LOG1P and not (values[present] < 0).any()
    x = np.log1p(values) if log else values.copy()
    # Sorted so that every statistic is independent of the order of the units (bit for bit).
    v = np.sort(x[present])
    if len(v) == 0:
        return np.full(len(values), np.nan), None, "no unit has a value"
    center = float(np.median(v))
    rule, spread = "mad", MAD_TO_SD * float(np.median(np.abs(v - center)))
    if not spread > 0:
        q1, q3 = np.quantile(v, [0.25, 0.75])
        rule, spread = "iqr", float(q3 - q1) / IQR_TO_SD
    if not spread > 0:
        rule, spread = "std", float(np.sqrt(np.mean((v - np.mean(v)) ** 2)))
    if not spread > 0:
        return np.full(len(values), np.nan), None, "every unit with a value has the same value (no spread)"
    return (x - center) / spread, Scale(indicator, center, spread, rule, log, len(v)), None


def z_matrix(indicators: Indicators, ids: tuple[str, ...]) -> _Matrix:
    """Return the z-matrix of the distinct indicators `ids` (cached per atlas, ids and uploaded values)."""
    atlas = indicators.atlas
    key = (id(atlas), ids, indicators.upload_digest(ids))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0]() is atlas:
            _CACHE.move_to_end(key)
            return hit[1]
    columns, scales, kept, left_out = [], [], [], {}
    uploaded = set(indicators.uploaded_ids())
    for indicator in ids:
        if indicator in uploaded:  # they come with the request: standardised afresh (the matrix is cached)
            z, scale, reason = robust_scale(indicator, _raw_values(indicators, indicator))
        else:
            z, scale, reason = _built_column(indicators, indicator)
        if reason:
            left_out[indicator] = reason
            continue
        columns.append(z)
        scales.append(scale)
        kept.append(indicator)
    z = np.column_stack(columns) if columns else np.empty((len(atlas.units), 0))
    z = np.ascontiguousarray(z)
    present = ~np.isnan(z)
    for array in (z, present):
        array.setflags(write=False)  # shared by every request
    matrix = _Matrix(tuple(kept), z, present, tuple(scales), left_out)
    with _LOCK:
        _CACHE[key] = (weakref.ref(atlas), matrix)
        _CACHE.move_to_end(key)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return matrix


# One standardised column per built indicator and atlas: any new indicator set is then columns stacked
# (about a millisecond), not every indicator standardised again on the request that first chooses it.
_COLUMNS: dict[tuple[int, str], tuple[weakref.ref, tuple]] = {}


def _built_column(indicators: Indicators, indicator: str) -> tuple[np.ndarray, Scale | None, str | None]:
    atlas = indicators.atlas
    key = (id(atlas), indicator)
    hit = _COLUMNS.get(key)
    if hit is not None and hit[0]() is atlas:
        return hit[1]
    z, scale, reason = robust_scale(indicator, _raw_values(indicators, indicator))
    z.setflags(write=False)
    with _LOCK:
        for stale in [k for k, (ref, _c) in _COLUMNS.items() if ref() is None]:
            del _COLUMNS[stale]
        _COLUMNS[key] = (weakref.ref(atlas), (z, scale, reason))
    return z, scale, reason


def warm(atlas: Atlas) -> None:
    """Standardise every built indicator once (about 20 ms for 31) and the default set, before workers fork."""
    indicators = Indicators(atlas)
    for indicator in comparable_ids(indicators):
        _built_column(indicators, indicator)
    z_matrix(indicators, DEFAULT_INDICATORS)
    _units(atlas)


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
        _COLUMNS.clear()


@dataclass(frozen=True)
class _Units:
    """Per-atlas arrays of the units a query needs (cached like the z-matrix)."""

    ids: np.ndarray  # unit_id, object
    rank: np.ndarray  # position of each unit_id in sorted order: the tie-breaker
    country: np.ndarray
    names: np.ndarray
    country_code: np.ndarray  # the country as a small integer (index in `countries`): fast to compare
    countries: tuple[str, ...]


_UNITS: dict[int, tuple[weakref.ref, _Units]] = {}


def _units(atlas: Atlas) -> _Units:
    hit = _UNITS.get(id(atlas))
    if hit is not None and hit[0]() is atlas:
        return hit[1]
    ids = atlas.units["unit_id"].astype(str).to_numpy(dtype=object)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    country = atlas.units["country"].astype(str).to_numpy(dtype=object)
    countries, country_code = np.unique(country.astype(str), return_inverse=True)
    units = _Units(
        ids,
        rank,
        country,
        atlas.units["name"].astype(str).to_numpy(dtype=object),
        country_code.astype(np.int16),
        tuple(str(c) for c in countries),
    )
    with _LOCK:
        for stale in [k for k, (ref, _u) in _UNITS.items() if ref() is None]:
            del _UNITS[stale]
        _UNITS[id(atlas)] = (weakref.ref(atlas), units)
    return units


def _nearest(num: np.ndarray, den: np.ndarray, eligible: np.ndarray, k: int, rank: np.ndarray):
    """Return (distance of every unit, the k nearest eligible positions in order, units tied with the k-th)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = np.sqrt(num / den)
    candidates = np.flatnonzero(eligible)
    d = distance[candidates]
    k = min(k, len(candidates))
    if not k:
        return distance, np.array([], dtype=np.int64), 0
    kth = np.partition(d, k - 1)[k - 1]
    tied = int((d == kth).sum())
    if k < len(candidates):  # keep everything tied with the k-th, then break ties by unit_id
        keep = d <= kth
        candidates, d = candidates[keep], d[keep]
    order = np.lexsort((rank[candidates], d))[:k]
    return distance, candidates[order], tied


def find_peers(source: Atlas | Indicators, unit_id: str, method: PeerMethod | None = None) -> PeerResult:
    """Return the `method.k` units most like `unit_id` (module docstring: the method); ValueError on bad input."""
    method = method or PeerMethod()
    indicators = source if isinstance(source, Indicators) else Indicators(source)
    atlas = indicators.atlas
    if unit_id not in atlas.unit_ids:
        raise ValueError(f"unknown unit {unit_id!r}")
    used = method.used
    for indicator, _weight in used:
        check_indicator(indicators, indicator)
    matrix = z_matrix(indicators, tuple(i for i, _w in used))
    weight_of = dict(used)
    units = _units(atlas)
    a = int(atlas.position[unit_id])
    n = len(units.ids)

    own = matrix.present[a]
    cols = np.flatnonzero(own)  # only the indicators the chosen unit has can be in common
    names = [matrix.indicators[c] for c in cols]
    w = np.array([weight_of[i] for i in names], dtype=float)
    diff = matrix.z[:, cols] - matrix.z[a, cols]  # NaN where the other unit has no value
    common = matrix.present[:, cols]
    weighted = np.where(common, w * diff * diff, 0.0)
    # Sums along rows of a C-ordered array: each unit's distance does not depend on where its row is.
    num = weighted.sum(axis=1)
    den = (common * w).sum(axis=1)
    count = common.sum(axis=1)

    others = np.ones(n, dtype=bool)
    others[a] = False
    in_scope = _in_scope(units, a, method.scope)
    # An indicator left out (no values, no spread) cannot be in common: it does not raise the bar either.
    required = min(int(method.min_common), len(matrix.indicators))
    enough = count >= required
    eligible = in_scope & enough
    distance, chosen, tied = _nearest(num, den, eligible, method.k, units.rank)

    peers = []
    for p in chosen:
        mask = common[p]
        used_names = tuple(n_ for n_, m in zip(names, mask) if m)
        deltas = diff[p][mask]
        contribution = w[mask] * np.abs(deltas)
        # Stable sorts: equal contributions keep the order the indicators were chosen in. The two lists never
        # share an indicator (at most half the indicators are "alike"), and only an indicator that differs
        # at all is "different": two units identical on everything have nothing most different.
        order = np.argsort(contribution, kind="stable")
        n_alike = min(N_REASONS, (len(order) + 1) // 2)
        alike = order[:n_alike]
        rest = [i for i in np.argsort(-contribution, kind="stable") if i not in set(alike) and contribution[i] > 0]
        different = rest[:N_REASONS]
        peers.append(
            Peer(
                unit_id=str(units.ids[p]),
                country=str(units.country[p]),
                name=str(units.names[p]),
                distance=float(distance[p]),
                indicators=used_names,
                most_alike=tuple(used_names[i] for i in alike),
                most_different=tuple(used_names[i] for i in different),
                z_differences={nm: float(v) for nm, v in zip(used_names, deltas)},
            )
        )
    return PeerResult(
        unit_id=unit_id,
        method=method,
        peers=tuple(peers),
        unit_indicators=tuple(names),
        candidates=n - 1,
        outside_scope=int((others & ~in_scope).sum()),
        too_few_common=int((in_scope & ~enough).sum()),
        ranked=int(eligible.sum()),
        required=required,
        scales=matrix.scales,
        left_out=dict(matrix.left_out),
        tied=tied,
        work=_Work(weighted, common, w, in_scope),
    )


@dataclass(frozen=True)
class Stability:
    """How often each peer stays among the k when one indicator at a time is left out."""

    kept: dict[str, int]  # peer unit_id → rankings (of `runs`) in which it is still among the k
    runs: int  # one per indicator the chosen unit has (0: fewer than two, nothing to leave out)


def stability(source: Atlas | Indicators, result: PeerResult) -> Stability:
    """Return, for the peers of `result`, in how many leave-one-indicator-out rankings each stays a peer.

    Each ranking is the one `find_peers` gives with that indicator left out of the method (a test checks
    so), computed from the same z-matrix (the sums without an indicator are the full sums minus its
    column): no indicator is standardised again, and all of them cost about one ranking."""
    indicators = source if isinstance(source, Indicators) else Indicators(source)
    method = result.method
    names = list(result.unit_indicators)
    if len(names) < 2:
        return Stability({p.unit_id: 0 for p in result.peers}, 0)
    atlas = indicators.atlas
    units = _units(atlas)
    if result.work is not None:  # the query's own sums: the same numbers, not computed twice
        weighted, common, w, in_scope = (result.work.weighted, result.work.common, result.work.w, result.work.in_scope)
    else:
        matrix = z_matrix(indicators, tuple(i for i, _w in method.used))
        weight_of = dict(method.used)
        a = int(atlas.position[result.unit_id])
        cols = [matrix.indicators.index(i) for i in names]
        w = np.array([weight_of[i] for i in names], dtype=float)
        diff = matrix.z[:, cols] - matrix.z[a, cols]
        common = matrix.present[:, cols]
        weighted = np.where(common, w * diff * diff, 0.0)
        in_scope = _in_scope(units, a, method.scope)
    kept = dict.fromkeys((p.unit_id for p in result.peers), 0)
    # Every leave-one-out ranking at once: the sums without indicator j are the full sums minus column j.
    num = weighted.sum(axis=1)[:, None] - weighted
    den = (common * w).sum(axis=1)[:, None] - common * w
    count = common.sum(axis=1)[:, None] - common
    required = min(int(method.min_common), len(names) - 1)
    for j in range(len(names)):
        if not (np.delete(w, j) > 0).any():
            continue
        eligible = in_scope & (count[:, j] >= required)
        _d, chosen, _t = _nearest(num[:, j], den[:, j], eligible, method.k, units.rank)
        for p in units.ids[chosen]:
            if p in kept:
                kept[p] += 1
    return Stability(kept, len(names))


def _in_scope(units: _Units, a: int, scope) -> np.ndarray:
    """The units a query may rank: every other unit, those of other countries, or of the chosen ones."""
    others = np.ones(len(units.ids), dtype=bool)
    others[a] = False
    if scope == "all":
        return others
    if scope == "other_countries":
        return others & (units.country_code != units.country_code[a])
    chosen = [units.countries.index(c) for c in scope if c in units.countries]
    return others & np.isin(units.country_code, np.array(chosen, dtype=np.int16))
