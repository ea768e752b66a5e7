"""Eurostat's NUTS 3 typologies of each region: mountain (MOUNT_TYPE) and urban-rural (URBN_TYPE).

The same NUTS 2021 file also gives the country outlines that stand in for hospital files that failed.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import sources
from geo.readers import read_vector, to_number
from geo.schema import check_unique

NUTS = "gisco_nuts_2021"


def read_nuts(root: Path | None = None) -> gpd.GeoDataFrame:
    """Return GISCO NUTS 2021 (all levels) with parsed LEVL_CODE, MOUNT_TYPE, URBN_TYPE, in EPSG:4326."""
    path = sources.locate(NUTS, root=root)
    nuts = read_vector(NUTS, path=path, columns=["NUTS_ID", "LEVL_CODE", "CNTR_CODE", "MOUNT_TYPE", "URBN_TYPE"])
    nuts["LEVL_CODE"] = to_number(nuts["LEVL_CODE"])[0]
    check_unique(nuts[nuts["LEVL_CODE"] == 3], "NUTS_ID", NUTS, path)
    return nuts


def nuts3_types(nuts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return NUTS 3 codes with mount_type (1-4) and urbn_type (1-3) as Int8; 0 and other codes -> <NA>."""
    level3 = nuts[nuts["LEVL_CODE"] == 3]
    mount = to_number(level3["MOUNT_TYPE"])[0]
    urbn = to_number(level3["URBN_TYPE"])[0]
    # 0 is "no classification provided": missing, never "non-mountain".
    return pd.DataFrame(
        {
            "nuts3": level3["NUTS_ID"].astype("string").to_numpy(),
            "mount_type": mount.where(mount.isin([1, 2, 3, 4])).astype("Int8").to_numpy(),
            "urbn_type": urbn.where(urbn.isin([1, 2, 3])).astype("Int8").to_numpy(),
        }
    )
