"""Values that exist only for a whole NUTS 3 region, kept apart from the municipal values.

Some sources give a figure per NUTS 3 region, not per municipality: RIATE's population and density
(riate_nuts3, keyed by the NUTS code) and Eurostat's NUTS 3 typologies (MOUNT_TYPE, URBN_TYPE of
gisco_nuts_2021). Written as municipal values they would paint a region's figure on each of its
municipalities. They go instead to their own tidy table, `regions.parquet` (REGION_COLUMNS: nuts3,
indicator, year, value, source), one row per region of the build and indicator, so that the dashboard can
show them as a "region (NUTS 3)" block with their level named.

The typologies are also, as before and for every country alike, the documented `mount_type`, `urbn_type`
and `mountain` attributes of each municipality (geo.peripherality: "the typology of its region"); the
region table does not change that, it only says at which level those figures were made.
"""

from __future__ import annotations

import pandas as pd

from geo.peripherality.typologies import NUTS, nuts3_types
from geo.schema import REGION_COLUMNS

TYPOLOGY_YEAR = 2021  # NUTS 2021 edition


def split_region_values(values: pd.DataFrame, nuts3_codes: frozenset[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (municipal rows, region rows) of tidy `values`: a row keyed by a NUTS 3 code is a region value."""
    is_region = values["unit_id"].isin(list(nuts3_codes)).to_numpy(dtype=bool)
    return values[~is_region].reset_index(drop=True), values[is_region].reset_index(drop=True)


def region_values(keyed: pd.DataFrame, nuts: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
    """Return the region table (REGION_COLUMNS) of the NUTS 3 `regions` of the build.

    `keyed` holds tidy values whose unit_id is a NUTS 3 code (`split_region_values`); `nuts` is the NUTS
    2021 frame (NUTS_ID, LEVL_CODE, MOUNT_TYPE, URBN_TYPE) whose typologies are added. Missing values
    have no row.
    """
    wanted = pd.Index(sorted(set(regions)))
    own = keyed[keyed["unit_id"].isin(wanted)]
    rows = pd.DataFrame(
        {
            "nuts3": own["unit_id"].to_numpy(),
            "indicator": own["indicator"].to_numpy(),
            "year": own["year"].to_numpy(),
            "value": own["value"].to_numpy(),
            "source": own["source"].to_numpy(),
        }
    )
    types = nuts3_types(nuts)
    types = types[types["nuts3"].isin(wanted)]
    long = types.melt(id_vars="nuts3", var_name="indicator", value_name="value").dropna(subset=["value"])
    long = long.assign(year=TYPOLOGY_YEAR, source=NUTS)
    table = pd.concat([rows, long[REGION_COLUMNS]], ignore_index=True)
    table = table.astype(
        {"nuts3": "string", "indicator": "string", "year": "Int16", "value": "float64", "source": "string"}
    )
    return table.sort_values(["nuts3", "indicator", "year", "source"], ignore_index=True)[REGION_COLUMNS]


def region_report(table: pd.DataFrame, units: pd.DataFrame) -> list[dict]:
    """Return per source and indicator: rows, regions of the build with a value and those without."""
    per_country = units.groupby("nuts3")["country"].first()
    regions = sorted(units["nuts3"].dropna().unique())
    records = []
    for (source, indicator), group in table.groupby(["source", "indicator"]):
        have = set(group["nuts3"])
        without = [r for r in regions if r not in have]
        records.append(
            {
                "source": source,
                "indicator": indicator,
                "rows": len(group),
                "regions": len(regions),
                "regions_with_value": len(have),
                "regions_without_value": without,
                "countries": sorted({per_country[r] for r in have if r in per_country}),
            }
        )
    return records


def empty_regions() -> pd.DataFrame:
    """Return an empty region table with the canonical columns and dtypes."""
    return pd.DataFrame(
        {
            "nuts3": pd.Series(dtype="string"),
            "indicator": pd.Series(dtype="string"),
            "year": pd.Series(dtype="Int16"),
            "value": pd.Series(dtype="float64"),
            "source": pd.Series(dtype="string"),
        }
    )
