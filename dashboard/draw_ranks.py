"""Exact competition ranks of many draws of an index, and each unit's rank quantiles over the draws.

The composite index's Monte Carlo (dashboard/composite.py) ranks every unit in each of 1,000 draws and
keeps, per unit, a few quantiles of its 1,000 ranks. Done the plain way (an argsort per draw, a scatter
of the ranks into a units × draws matrix, a sort per unit) that takes most of a second for 17,700 units.
Here the same exact ranks come from two sorts of packed integers, which numpy runs with its SIMD sorting
networks (several times faster than an argsort, which has no such path):

1. Per draw, each value becomes a 32-bit integer key whose order is the values' descending order, packed
   above the unit's position in one int64 (key high, position low); one sort of those orders the units
   and carries their positions along, with no gather.
2. A unit's competition rank is its place in that order, except in a run of equal keys, where every unit
   takes the run's first place (runs are rare but real: units with the same values, units with no index
   in a draw, which count as lowest).
3. Each (unit, rank) pair is packed into one unsigned integer, unit high; one flat sort of all the draws'
   pairs groups them by unit with the ranks ascending: row u of the result is unit u's sorted ranks.

Ties are decided on the float32 values themselves (as `!=` would: -0.0 equals 0.0; NaN is not accepted).
"""

from __future__ import annotations

import numpy as np

_SIGN_MASK = np.int32(0x7FFFFFFF)


def _descending_keys(block: np.ndarray) -> np.ndarray:
    """Return int32 keys whose ascending order is `block`'s (float32) descending order."""
    negated = np.subtract(np.float32(0.0), block)  # 0 - x: descending, and -0.0 becomes 0.0 (equal values)
    bits = negated.view(np.int32)
    # The usual float-to-integer order trick: flip the magnitude bits of negative floats.
    key = bits >> 31
    key &= _SIGN_MASK
    key ^= bits
    return key


def _pair_type(n_units: int):
    """The unsigned type holding (unit, rank) and the shift of the unit: 16 bits each below 65,536 units."""
    return (np.uint32, 16) if n_units < 1 << 16 else (np.uint64, 32)


def pair_type(n_units: int):
    """The unsigned integer type of the (unit, rank) pairs of `n_units` units."""
    return _pair_type(n_units)[0]


def rank_pairs(block: np.ndarray, unit_ids: np.ndarray | None, n_units: int) -> np.ndarray:
    """Return, for `block` (draws, n) float32 without NaN, each draw's (unit id, competition rank) pairs,
    packed as `_pair_type(n_units)` (draws, n); rank 1 = the highest value, equal values share the best rank.
    `unit_ids` (n,) names the block's columns (ids below `n_units`); None: the columns are units 0 … n-1."""
    d, n = block.shape
    packed = np.empty((d, n), dtype=np.int64)
    words = packed.view(np.int32).reshape(d, n, 2)  # little-endian: [..., 0] the low word, [..., 1] the high
    words[..., 1] = _descending_keys(block)
    words[..., 0] = np.arange(n, dtype=np.int32)
    packed.sort(axis=1)
    key, position = words[..., 1], words[..., 0]
    pair_type, shift = _pair_type(n_units)
    pairs = position.astype(pair_type) if unit_ids is None else unit_ids.astype(pair_type)[position]
    pairs <<= pair_type(shift)
    pairs |= np.arange(1, n + 1, dtype=pair_type)  # the place in the order: the rank where there is no tie
    tied = np.zeros((d, n), dtype=bool)  # equal to the value before it in its draw's order
    np.equal(key[:, 1:], key[:, :-1], out=tied[:, 1:])
    at = np.flatnonzero(tied)
    if len(at):
        # A run of ties is a block of consecutive flat positions (a row's first place is never tied, so a
        # block stays within its row); all of it takes the place just before the block.
        starts = np.ones(len(at), dtype=bool)
        starts[1:] = np.diff(at) != 1
        run_place = at[starts][np.cumsum(starts) - 1] - 1
        flat = pairs.reshape(-1)
        high = flat[at] >> pair_type(shift) << pair_type(shift)
        flat[at] = high | (run_place % n + 1).astype(pair_type)
    return pairs


def competition_ranks(block: np.ndarray) -> np.ndarray:
    """Ranks (1 = highest, equal values sharing the best rank) of each row of `block` (draws, units)."""
    n = block.shape[1]
    pairs = rank_pairs(np.asarray(block, dtype=np.float32), None, n)
    pair_type, shift = _pair_type(n)
    ranks = np.empty(block.shape, dtype=np.int64)
    units = (pairs >> pair_type(shift)).astype(np.intp)
    np.put_along_axis(ranks, units, (pairs & pair_type((1 << shift) - 1)).astype(np.int64), axis=1)
    return ranks


def by_unit(pairs: np.ndarray, n_units: int) -> np.ndarray:
    """Sort `pairs` (every unit the same number of times, any layout) in place and return them as
    (n_units, draws): row u holds unit u's pairs, its ranks ascending (the unit bits are equal along a row,
    so pairs of one row compare as their ranks do)."""
    flat = pairs.reshape(-1)
    flat.sort()
    return flat.reshape(n_units, -1)


def rank_of(pairs: np.ndarray, n_units: int) -> np.ndarray:
    """The ranks (int64) held in `pairs`."""
    pair_type, shift = _pair_type(n_units)
    return (pairs & pair_type((1 << shift) - 1)).astype(np.int64)


def kth_of_two(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """Return, per row, the k-th smallest (0-based) of the union of rows a[u] and b[u], each sorted
    ascending: two halves of the draws sorted apart (on two threads) give a unit's quantiles without a
    merge. A binary search over how many of the k + 1 smallest come from `a`, for all rows at once."""
    rows = np.arange(a.shape[0])
    na, nb = a.shape[1], b.shape[1]
    lo = np.full(len(rows), max(0, k + 1 - nb))
    hi = np.full(len(rows), min(k + 1, na))
    # Find the smallest i with a[i] >= b[k - i] (fewer from `a` would leave a larger b among the k + 1).
    while (lo < hi).any():
        i = (lo + hi) // 2
        j = k - i  # 0 <= j < nb while lo <= i < hi
        more_from_a = a[rows, np.minimum(i, na - 1)] < b[rows, np.clip(j, 0, nb - 1)]
        more_from_a &= lo < hi
        lo = np.where(more_from_a, i + 1, lo)
        hi = np.where(more_from_a | (lo >= hi), hi, i)
    i = lo
    j = k + 1 - i  # taken from b
    last_a = np.where(i > 0, a[rows, np.maximum(i - 1, 0)], 0)
    last_b = np.where(j > 0, b[rows, np.maximum(j - 1, 0)], 0)
    return np.maximum(last_a, last_b)
