"""A unit's values over the years, beside its country's median each year: the profile's "over time".

For every numeric catalogue indicator the unit has in two or more years, the unit's value per year and
the median of its country's units with a value that year (with how many there are). Years come as the
build has them: each on comparable boundaries (the readers leave out values on changed territory, e.g.
Austria's 2011-2014 values of municipalities merged in 2015). When a series' years come from different
sources (e.g. Germany's population 2020 from the register, 2022 from the Census), the difference is partly
a change of method: `mixed_sources` says so and the profile warns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.atlas import Atlas
from dashboard.indicators import catalogue_indicators

# Counts and densities of people are drawn as an index: a city beside a median village would be two flat
# lines far apart on one scale.
INDEXED_UNITS = ("persons", "households", "per km²")
MIN_COUNTRY_UNITS = 5  # a median of fewer units is not shown (it would be one neighbour's value)


@dataclass(frozen=True)
class UnitSeries:
    indicator: str
    years: tuple[int, ...]
    values: tuple[float, ...]
    country_median: tuple[float, ...]  # NaN where fewer than MIN_COUNTRY_UNITS have a value that year
    country_units: tuple[int, ...]  # the country's units with a value that year
    sources: tuple[str, ...]  # the source of the unit's value each year
    unit: str = ""  # the catalogue's unit

    @property
    def mixed_sources(self) -> bool:
        return len(set(self.sources)) > 1

    @property
    def indexed(self) -> bool:
        """Counts and densities are drawn as an index, first year = 100 (`INDEXED_UNITS`); shares and rates
        as they are."""
        return self.unit in INDEXED_UNITS

    def drawn(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """The unit's values and the medians as the chart draws them (`indexed`: first year = 100)."""
        if not self.indexed:
            return self.values, self.country_median

        def index(values) -> tuple[float, ...]:
            base = values[0]
            ok = base > 0 if base == base else False  # NaN: no base
            return tuple(v / base * 100.0 if ok else float("nan") for v in values)

        return index(self.values), index(self.country_median)


def unit_series(atlas: Atlas, unit_id: str) -> list[UnitSeries]:
    """Return the series of `unit_id`, in the catalogue's order (empty for an unknown unit)."""
    if unit_id not in atlas.position.index:
        return []
    position = int(atlas.position[unit_id])
    same_country = (atlas.units["country"] == atlas.units.at[position, "country"]).to_numpy()
    out = []
    for indicator, entry in catalogue_indicators(atlas).items():
        if entry.kind != "numeric":
            continue
        years, values, medians, counts, sources = [], [], [], [], []
        for year in atlas.years(indicator):
            if not atlas.has_series(indicator, year):
                continue
            series = atlas.series(indicator, year)
            value = series.values[position]
            if np.isnan(value):
                continue
            country = series.values[same_country]
            country = country[~np.isnan(country)]
            years.append(int(year))
            values.append(float(value))
            counts.append(len(country))
            medians.append(float(np.median(country)) if len(country) >= MIN_COUNTRY_UNITS else float("nan"))
            sources.append(atlas.source_ids[series.source_codes[position]])
        if len(years) >= 2:
            out.append(UnitSeries(indicator, *map(tuple, (years, values, medians, counts, sources)), entry.unit))
    return out
