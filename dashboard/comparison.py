"""The comparison behind the Compare view and the stories' captions: mountain vs non-mountain units and
central / intermediate / peripheral units, for all chosen countries together and for each of them.

Pure: the indicators and a state in, n, median and the median's 95% bootstrap interval of every group out
(dashboard/stats.py), with the values of each group for the box plots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.atlas import Atlas
from dashboard.change import base_of
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


@dataclass(frozen=True)
class YearComparison:
    """One year of an indicator: each group's median and n, and the countries whose units have that year."""

    year: int
    medians: dict[str, float]  # by group; NaN where the group has no unit with a value
    n: dict[str, int]
    countries: tuple[str, ...]


def over_time(indicators: Indicators, state: State) -> list[YearComparison]:
    """The groups' medians in every year of the state's indicator (of a change: of its indicator).

    Each country counts the same units every year: those of its units with a value in every year the
    country has (Austria's 2015 values of the municipalities merged that year would otherwise enter the
    medians in 2015 only, and move them with no change on the ground). Years in which different countries
    contribute still do not compare as a trend: `countries` says who does. Empty for fewer than two years."""
    atlas = indicators.atlas
    indicator = base_of(state.indicator) or state.indicator
    years = sorted(indicators.years(indicator)) if indicator in indicators else []
    if len(years) < 2 or indicators.get(indicator).kind != "numeric":
        return []
    country = atlas.units["country"].to_numpy()
    chosen = np.isin(country, list(state.countries) or sorted(set(country)))
    by_year = {}
    for year in years:
        series = indicators.series(indicator, year)
        by_year[year] = np.where(chosen & (series.years == year), series.values, np.nan)
    present = np.column_stack([~np.isnan(by_year[y]) for y in years])  # (units, years)
    # The years each country has, and its units with a value in all of them.
    balanced = np.zeros(len(country), dtype=bool)
    for code in set(country[chosen]):
        own = country == code
        has_year = present[own].any(axis=0)
        if has_year.any():
            balanced[own] = present[own][:, has_year].all(axis=1)
    masks = group_masks(atlas)
    rows = []
    for year in years:
        values = np.where(balanced, by_year[year], np.nan)
        if np.isnan(values).all():
            continue
        groups = {g: values[masks[g] & ~np.isnan(values)] for g in COMPARISON_GROUPS}
        rows.append(
            YearComparison(
                year=int(year),
                medians={g: float(np.median(v)) if v.size else float("nan") for g, v in groups.items()},
                n={g: int(v.size) for g, v in groups.items()},
                countries=tuple(sorted(set(country[~np.isnan(values)]))),
            )
        )
    return rows if len(rows) >= 2 else []
