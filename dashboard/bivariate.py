"""A bivariate map: two indicators at once, each cut into thirds, in a 3 × 3 colour grid.

The method is the bivariate choropleth of Trumbo (1981) as Stevens (2015) made it usable on screen: each
indicator is classified into tertiles (quantiles, dashboard.classify) over the units that have *both* values
in the chosen countries, so each row and each column of the legend holds about a third of the coloured
units; the colour of a unit is the cell of its two classes. Units that lack either value are grey and
counted by what they lack. Tertiles say where a unit stands among the others, not that two indicators are
related: the legend's counts show how the units spread over the cells (many on the diagonal: the two go
together).

Fewer than three distinct values on an axis give fewer classes there; the colours then stay at the grid's
corners and edges, so "low" and "high" keep their colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.classify import Classes, classify

SIDE = 3
# Joshua Stevens' blue-red grid ("Bivariate choropleth maps: a how-to guide", 2015), row by row from low
# y to high y, each row from low x to high x: grey (both low), red (x high), blue (y high), dark (both high).
PALETTE = (
    "#e8e8e8", "#e4acac", "#c85a5a",
    "#b0d5df", "#ad9ea5", "#985356",
    "#64acbe", "#627f8c", "#574249",
)  # fmt: skip
MISSING_CELL = -1
OUTSIDE_CELL = -2


@dataclass(frozen=True)
class Bivariate:
    x: Classes | None  # tertiles of the first indicator over the units with both values (None: no such unit)
    y: Classes | None
    cell: np.ndarray  # int8 per unit: 3 * y class + x class, -1 a value missing, -2 outside the countries
    counts: np.ndarray  # (3, 3) units per cell, [y class, x class]
    with_both: int
    without_x: int  # in the countries, the first value missing (the second there or not)
    without_y: int
    without_either: int  # both missing (counted in without_x and without_y as well)

    @property
    def missing(self) -> int:
        """Units in the countries that lack at least one of the two values."""
        return self.without_x + self.without_y - self.without_either


def bivariate(x: np.ndarray, y: np.ndarray, selection: np.ndarray) -> Bivariate:
    """Classify `x` and `y` (one value per unit, NaN missing) into tertiles over the units of `selection`
    that have both; return each unit's cell and the counts (module docstring)."""
    has_x, has_y = ~np.isnan(x), ~np.isnan(y)
    both = selection & has_x & has_y
    cell = np.full(len(x), MISSING_CELL, dtype=np.int8)
    counts = np.zeros((SIDE, SIDE), dtype=int)
    x_classes = y_classes = None
    if both.any():
        x_classes = classify(np.where(both, x, np.nan), "quantiles", SIDE)
        y_classes = classify(np.where(both, y, np.nan), "quantiles", SIDE)
        col = _spread(x_classes.assign(x[both]), len(x_classes.bins))
        row = _spread(y_classes.assign(y[both]), len(y_classes.bins))
        cell[both] = SIDE * row + col
        np.add.at(counts, (row, col), 1)
    cell[~selection] = OUTSIDE_CELL
    return Bivariate(
        x_classes,
        y_classes,
        cell,
        counts,
        int(both.sum()),
        int((selection & ~has_x).sum()),
        int((selection & ~has_y).sum()),
        int((selection & ~has_x & ~has_y).sum()),
    )


def _spread(idx: np.ndarray, k: int) -> np.ndarray:
    """Class indices of k ≤ 3 classes placed on the grid's 0..2: one class is the middle, two the ends."""
    if k >= SIDE:
        return idx.astype(np.int8)
    if k <= 1:
        return np.full(idx.shape, 1, dtype=np.int8)
    return (idx * (SIDE - 1)).astype(np.int8)  # two classes: low and high


def bounds(classes: Classes | None) -> list[tuple[float, float]]:
    """The (lowest, highest) value of each class of an axis, low to high."""
    if classes is None:
        return []
    return list(zip(classes.class_lowers(), classes.bins))


def axis_text(indicator, classes: Classes | None, lang: str) -> str:
    """ "Label (unit): a – b | b – c | c – d": the classes of one axis, low to high (legend and poster)."""
    from dashboard.i18n import fmt_number, t, unit_label
    from dashboard.mapdata import legend_digits  # mapdata imports this module: imported when first used

    parts = bounds(classes)
    digits = legend_digits([v for pair in parts for v in pair])
    unit = unit_label(indicator.unit, lang)
    ranges = " | ".join(f"{fmt_number(lo, lang, digits)} – {fmt_number(hi, lang, digits)}" for lo, hi in parts)
    return f"{indicator.label(lang)}{f' ({unit})' if unit else ''}: {ranges or t('map.no_value', lang)}"
