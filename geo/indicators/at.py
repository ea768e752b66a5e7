"""Austria: Statistik Austria's register-based census by Gemeinde 2011-2015, source `at_register_census`.

A `;`-separated UTF-8 file in German number format (decimal `,`, thousands `.`; `-` = no value), one row
per Gemeinde and year (JAHR), Vienna as its 23 districts (9xx01), kept as they are. Each year is read on
that year's boundaries: the latest (2015, after the Styrian municipal reform of 1 January 2015) for every
code, the earlier ones only for the codes whose territory stayed the same over the file's span.

The sources hold no table of which old municipalities formed which new ones (Styria's reform merged 380
codes into 130, mostly across renumbered districts), so values on changed boundaries are not carried
onto today's units: they are reported as not comparable, never mixed. The same test decides the earlier
years' levels and the population change per year over the span (2011-2015). Codes change when
municipalities merge, but not every territorial change gives a new code, so a code is comparable only
when
  1. it is present in every year of the file (this drops the 2012/2013 renumbering of Styrian districts,
     the 2013 Trofaiach merger and every municipality formed in 2015), and
  2. in a year step where its political district (first three digits) lost codes to a merger, its
     population changed by no more than `MAX_JUMP` from one year to the next. A larger jump there may be
     territory absorbed from a merged neighbour, which would show as growth that never happened.
Every code left out is listed in the note with its reason.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import sources
from geo.errors import SourceCorrupt
from geo.indicators.common import Collector, Num, SourceValues, annual_rate, read_csv
from geo.readers import require_columns
from geo.schema import check_unique

SOURCE = "at_register_census"
NUMBER_FORMAT = {"decimal": ",", "thousands": "."}

# indicator id -> column, read for every year (earlier years on comparable codes only).
LEVELS = {
    "population": "BEV_ABSOLUT",
    "share_under15": "BEV_UNTER15",
    "share_65plus": "BEV_UEBER65",
    "foreign_pct": "AUSL_STAATSB",
    "employment_rate": "EWTQ_15BIS64",
    "unemployment_rate": "ALQ_15PLUS",
    "tertiary_education_pct": "EDU_15_TER",
    "out_commuters_pct": "AUSPENDLER",
    "households": "PHH",
    "household_size": "HH_SIZE",
    "jobs": "BESCH_AST",
}

# Year-on-year population change of Austrian municipalities with unchanged codes has a standard
# deviation of about 1.6 % (2013-2014); 5 % is about three standard deviations. Beyond it, in a district
# that lost codes to a merger that year, a gain of territory is the likelier explanation.
MAX_JUMP = 0.05


def read(root: Path | None = None) -> SourceValues:
    """Return the Gemeinde indicators of every year (earlier years on comparable codes only) and the
    population change over the file's span."""
    path = sources.locate(SOURCE, root=root)
    table = read_csv(SOURCE, path, sep=";", encoding="utf-8")
    require_columns(table, ["JAHR", "GCD", *LEVELS.values()], SOURCE, path)
    out = Collector(SOURCE, path)

    if table.empty:
        raise SourceCorrupt(SOURCE, path, "has a header but no rows")
    year = pd.to_numeric(table["JAHR"], errors="coerce")
    if year.isna().any():
        row = year[year.isna()].index[0]
        raise SourceCorrupt(SOURCE, path, f"JAHR is {table.at[row, 'JAHR']!r} in row {row}, not a year")
    table["JAHR"] = year.astype(int)
    table["GCD"] = table["GCD"].str.strip()
    for _, one_year in table.groupby("JAHR"):
        check_unique(one_year, "GCD", SOURCE, path)

    population = out.number(table["BEV_ABSOLUT"], **NUMBER_FORMAT)
    latest = int(table["JAHR"].max())
    comparable = _comparable_codes(table, population.value, out)
    for year, rows in table.groupby("JAHR"):
        if year != latest:
            rows = rows[rows["GCD"].isin(comparable)]
        unit_ids = "AT_" + rows["GCD"]
        for indicator, column in LEVELS.items():
            num = (
                population.subset(rows.index)
                if indicator == "population"
                else out.number(rows[column], **NUMBER_FORMAT)
            )
            out.add(indicator, unit_ids, num, int(year))

    _population_change(table, population.value, comparable, out)
    out.facts["year"] = latest
    out.facts["years"] = sorted(int(y) for y in table["JAHR"].unique())
    out.facts["comparable_codes"] = len(comparable)
    return out.finish()


def _wide_population(table: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"code": table["GCD"], "year": table["JAHR"], "pop": population}).pivot(
        index="code", columns="year", values="pop"
    )


def _comparable_codes(table: pd.DataFrame, population: pd.Series, out: Collector) -> pd.Index:
    """The codes of the latest year whose territory stayed the same over the file's span (module
    docstring); every other code of the latest year is recorded with its reason."""
    wide = _wide_population(table, population)
    years = sorted(wide.columns)
    first, last = years[0], years[-1]
    present = wide.notna()
    if first == last:
        return wide.index[present[last]]
    in_every_year = present.all(axis=1)
    left_out = f"years {first}-{years[-2]} and pop_change_pa left out"
    out.exclude(
        sorted(wide.index[present[last] & ~in_every_year]),
        f"code not present in every year {first}-{last} (new or renumbered): {left_out}",
    )
    jumped: dict[str, str] = {}
    district = wide.index.str[:3]
    for before, after in zip(years, years[1:]):
        vanished = present[before] & ~present[after]
        merger_districts = set(district[vanished])
        change = wide[after] / wide[before] - 1.0
        suspect = (
            in_every_year & pd.Series(district, index=wide.index).isin(merger_districts) & (change.abs() > MAX_JUMP)
        )
        for code in wide.index[suspect]:
            jumped.setdefault(
                code,
                f"population changed {change[code]:+.1%} from {before} to {after} in a district where "
                f"municipalities merged (possible change of territory): {left_out}",
            )
    for code, reason in sorted(jumped.items()):
        out.exclude([code], reason)
    return wide.index[in_every_year & ~wide.index.isin(list(jumped))]


def _population_change(table: pd.DataFrame, population: pd.Series, comparable: pd.Index, out: Collector) -> None:
    """Add pop_change_pa over the file's span for the comparable codes."""
    wide = _wide_population(table, population)
    years = sorted(wide.columns)
    first, last = years[0], years[-1]
    if first == last:
        return
    kept = wide.loc[comparable]
    rate = annual_rate(Num.of(kept[first]), Num.of(kept[last]), last - first)
    out.add("pop_change_pa", "AT_" + pd.Series(kept.index, index=kept.index), rate, last, period=f"{first}-{last}")
