"""The comparison behind the Compare view and the stories' captions: mountain vs non-mountain units and
central / intermediate / peripheral units, for all chosen countries together and for each of them.

Pure: the indicators and a state in, n, median and the median's 95% bootstrap interval of every group out
(dashboard/stats.py), with the values of each group for the box plots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.atlas import Atlas
from dashboard.indicators import Indicators
from dashboard.mapdata import year_key
from dashboard.state import State
from dashboard.stats import GroupSummary, summarise
from geo.terms import COMPARISON_GROUPS, PERIPHERALITY_CLASSES

ALL = "all"  # the place that stands for every chosen country together


@dataclass(frozen=True)
class PlaceComparison:
    place: str  # "all" or a country code
    groups: dict[str, GroupSummary]  # by group key
    values: dict[str, np.ndarray]  # the values of each group (for the box plots)


def group_masks(atlas: Atlas) -> dict[str, np.ndarray]:
    """Return per group (geo.terms.COMPARISON_GROUPS) which units belong to it; a unit without a flag or
    class belongs to none."""
    units = atlas.units
    mountain = units["mountain"]
    periph = units["peripherality"]
    return {
        "mountain": (mountain == True).fillna(False).to_numpy(dtype=bool),  # noqa: E712 (nullable boolean)
        "non_mountain": (mountain == False).fillna(False).to_numpy(dtype=bool),  # noqa: E712
        **{g: (periph == g).fillna(False).to_numpy(dtype=bool) for g in PERIPHERALITY_CLASSES},
    }


def compare(indicators: Indicators, state: State) -> list[PlaceComparison]:
    """Return the comparison for all chosen countries together (first) and for each of them."""
    atlas = indicators.atlas
    series = indicators.series(state.indicator, year_key(state))
    countries = list(state.countries) or sorted(atlas.units["country"].unique())
    country = atlas.units["country"].to_numpy()
    masks = group_masks(atlas)
    places = [(ALL, np.isin(country, countries))] + [(c, country == c) for c in countries]
    result = []
    for place, in_place in places:
        values = {g: series.values[in_place & masks[g]] for g in COMPARISON_GROUPS}
        result.append(PlaceComparison(place, {g: summarise(v, g) for g, v in values.items()}, values))
    return result
