"""Which countries, years and sources contribute to values that are pooled, and whether they compare.

A map legend over several countries, Compare's "All countries" rows and a story caption pool values that
national offices define and date differently (foreign citizens by register in Austria, permanent residents
in Switzerland, the census in Germany; population of 2015 beside 2023). `contributions` says, per country,
how many units have a value, of which years and from which sources; `comparability_lines` turns that into
the sentences shown beside the pooled figure: who contributes, and a warning when more than one country's
statistics are pooled (each national source defines the indicator its own way; the indicator's note says
how) or when the years differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.atlas import Atlas
from dashboard.i18n import fmt_number, t
from dashboard.vocabulary import country_name, source_title


@dataclass(frozen=True)
class Contribution:
    """The values one country adds to a pooled figure."""

    country: str
    units: int  # units with a value
    years: tuple[int, ...]
    sources: tuple[str, ...]


def contributions(
    atlas: Atlas, values: np.ndarray, years: np.ndarray, source_codes: np.ndarray, selection: np.ndarray
) -> list[Contribution]:
    """Per country with at least one value among the `selection` (bool per unit): count, years, sources.
    The arrays are aligned to the units, as in a Series or a MapModel."""
    present = selection & ~np.isnan(values)
    country = atlas.units["country"].to_numpy()
    result = []
    for code in sorted(set(country[present])):
        mine = present & (country == code)
        mine_years = tuple(int(y) for y in np.unique(years[mine]) if y)
        sources = tuple(atlas.source_ids[int(s)].split("+")[0] for s in np.unique(source_codes[mine]) if s >= 0)
        result.append(Contribution(str(code), int(mine.sum()), mine_years, tuple(dict.fromkeys(sources))))
    return result


def series_lines(atlas: Atlas, series, countries: tuple[str, ...] | list[str], lang: str) -> list[str]:
    """`comparability_lines` of a Series (dashboard.atlas) pooled over `countries` (none: every country)."""
    country = atlas.units["country"].to_numpy()
    chosen = np.isin(country, list(countries)) if countries else np.ones(len(country), dtype=bool)
    pooled = contributions(atlas, series.values, series.years, series.source_codes, chosen)
    return comparability_lines(pooled, lang, atlas)


def comparability_lines(contribs: list[Contribution], lang: str, atlas: Atlas | None = None) -> list[str]:
    """The sentences shown beside a pooled figure: who contributes (country, years, units), then the
    warnings that apply, and with `atlas` the source behind each country's values (publisher and title in
    `lang`: where definitions differ, that says whose definition each value follows). Nothing for a figure
    from one country and one year."""
    if not contribs:
        return []
    parts = [
        t(
            "compare.contribution",
            lang,
            country=country_name(c.country, lang),
            years="–".join(map(str, (c.years[0], c.years[-1]))) if len(c.years) > 1 else str(c.years[0]),
            count=fmt_number(c.units, lang),
        )
        for c in contribs
        if c.years
    ]
    lines = [t("compare.contributions", lang, parts="; ".join(parts))]
    if len(contribs) > 1:
        lines.append(t("compare.definitions_differ", lang))
        if atlas is not None:
            by_country = [
                f"{country_name(c.country, lang)} — {' + '.join(source_title(atlas, s, lang) for s in c.sources)}"
                for c in contribs
                if c.sources
            ]
            lines.append(t("compare.sources_by_country", lang, parts="; ".join(by_country)))
    years = {y for c in contribs for y in c.years}
    if len(years) > 1:
        lines.append(t("compare.years_differ", lang, first=min(years), last=max(years)))
    if len(contribs) == 1 and len(years) <= 1:
        return []
    return lines
