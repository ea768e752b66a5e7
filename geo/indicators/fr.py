"""France: INSEE figures per commune on the COG 2024 code list, source `fr_insee_communes`.

A UTF-8 CSV with one row per commune *and postal code*, plus rows for communes déléguées (COMD, which
repeat the figures of the commune they belong to) and for the arrondissements municipaux (ARM) of Paris,
Lyon and Marseille, which have no commune (COM) row of their own. So:

- COM rows are kept, one per code: rows repeating a code with the same figures are collapsed, a code
  repeated with different figures raises `DuplicateCodes`;
- COMD rows are skipped (counted in the note);
- ARM rows are summed into their parent commune (75056, 69123, 13055) when it has no COM row: every
  figure used here is a count or an area, so the sum is the commune's figure, and the commune code is the
  one the boundaries and Eurostat's LAU use.

Mayotte's communes carry births and deaths but 0 for every census count (the census figures are not
available there); those zeros are read as missing, and the codes are listed in the note.

Codes are read as text to keep their leading zeros (01001) and Corsica's letters (2A004).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import sources
from geo.indicators.common import Collector, Num, SourceValues, annual_rate, drop_identical_duplicates, read_csv
from geo.readers import require_columns

SOURCE = "fr_insee_communes"
CODE, TYPE, PARENT = "insee_com", "commune_type", "insee_parente"
COUNTS = [
    "superficie_km2",
    "population_2021",
    "population_2015",
    "menages_2021",
    "naissances_2022",
    "deces_2022",
    "pop_15_64_totale_2021",
    "pop_15_64_chomage_2021",
    "pop_15_64_active_2021",
]
# The counts from the census; births and deaths come from the civil register.
CENSUS_COUNTS = [c for c in COUNTS if c.startswith(("population", "menages", "pop_15_64"))]


def read(root: Path | None = None) -> SourceValues:
    """Return the commune indicators (population, change, households, vital rates, activity, density)."""
    path = sources.locate(SOURCE, root=root)
    table = read_csv(SOURCE, path, encoding="utf-8")
    require_columns(table, [CODE, TYPE, PARENT, *COUNTS], SOURCE, path)
    out = Collector(SOURCE, path)
    table[CODE] = table[CODE].str.strip()
    kind = table[TYPE].str.strip()

    out.skip("COMD rows (communes déléguées, repeating the figures of their commune)", int((kind == "COMD").sum()))
    communes, repeated = drop_identical_duplicates(table[kind == "COM"], CODE, COUNTS, SOURCE, path)
    out.skip("COM rows repeating a commune with the same figures (one per postal code)", repeated)
    arm, repeated = drop_identical_duplicates(table[kind == "ARM"], CODE, COUNTS, SOURCE, path)
    out.skip("ARM rows repeating an arrondissement with the same figures (one per postal code)", repeated)
    other = ~kind.isin(["COM", "COMD", "ARM"])
    out.skip("rows of another commune_type", int(other.sum()))

    arm = arm[~arm[PARENT].isin(set(communes[CODE]))]
    num = {c: _with_arrondissements(out.number(communes[c]), out.number(arm[c]), arm[PARENT]) for c in COUNTS}
    unit_ids = pd.concat([communes[CODE], pd.Series(sorted(set(arm[PARENT])), dtype=object)], ignore_index=True)
    unit_ids = "FR_" + unit_ids
    if len(arm):
        out.facts["arrondissements_summed"] = {c: int(n) for c, n in arm[PARENT].value_counts().sort_index().items()}
        out.skip("ARM rows summed into their commune", len(arm))

    # Mayotte's rows carry registered births and deaths but 0 for every census count: there the census
    # figures are not available, and a population of 0 would be false. (Communes that really have no
    # inhabitants, the villages destroyed at Verdun, have no births or deaths either.)
    no_census = (num["population_2021"].value == 0) & (
        (num["naissances_2022"].value > 0) | (num["deces_2022"].value > 0)
    )
    for column in CENSUS_COUNTS:
        num[column] = num[column].blank(no_census)
    out.exclude(
        sorted(unit_ids[no_census].str[3:]),
        "census counts are 0 but births or deaths were registered: census figures not available",
    )

    out.add("population", unit_ids, num["population_2021"], 2021)
    out.add("population", unit_ids, num["population_2015"], 2015)
    out.add(
        "pop_change_pa",
        unit_ids,
        annual_rate(num["population_2015"], num["population_2021"], 2021 - 2015),
        2021,
        period="2015-2021",
    )
    out.add("households", unit_ids, num["menages_2021"], 2021)
    out.add("density", unit_ids, num["population_2021"] / num["superficie_km2"], 2021)
    # Births and deaths of 2022 over the population of 2021, the latest census population in the file.
    out.add("birth_rate", unit_ids, num["naissances_2022"] / num["population_2021"] * 1000.0, 2022)
    out.add("death_rate", unit_ids, num["deces_2022"] / num["population_2021"] * 1000.0, 2022)
    active, unemployed = num["pop_15_64_active_2021"], num["pop_15_64_chomage_2021"]
    out.add("unemployment_rate", unit_ids, unemployed / active * 100.0, 2021)
    out.add("employment_rate", unit_ids, (active - unemployed) / num["pop_15_64_totale_2021"] * 100.0, 2021)
    out.facts["communes"] = len(unit_ids)
    return out.finish()


def _with_arrondissements(communes: Num, arm: Num, parent: pd.Series) -> Num:
    """Return the commune figures followed by the sums over arrondissements, one per parent (sorted).

    A suppressed figure in any arrondissement makes the commune's sum suppressed, not smaller. The result
    is positionally indexed, matching the unit ids built the same way.
    """
    summed = arm.value.groupby(parent).sum(min_count=1)
    suppressed = arm.suppressed.groupby(parent).any()
    summed = summed.where(~suppressed & arm.value.notna().groupby(parent).all())
    value = pd.concat([communes.value, summed.sort_index()], ignore_index=True)
    mask = pd.concat([communes.suppressed, suppressed.sort_index()], ignore_index=True)
    return Num(value, mask)
