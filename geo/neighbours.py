"""Neighbouring units: pairs of units whose borders touch, for the profile's "neighbours" list.

Units count as neighbours when they come within NEIGHBOUR_GAP_M of each other. Within a country the map
geometry is one coverage and neighbours touch; across national borders the sources do not line up
(different generalisations leave gaps of up to a few hundred metres), which the margin bridges. The same
margin everywhere keeps one rule; it can add a unit that only nearly touches at a corner.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.schema import AREA_CRS

NEIGHBOUR_GAP_M = 250.0


def neighbour_pairs(units: gpd.GeoDataFrame, gap_m: float = NEIGHBOUR_GAP_M) -> pd.DataFrame:
    """Return (unit_id, neighbour_id) pairs, both directions, sorted, without self pairs."""
    shapes = units[["unit_id", "geometry"]].to_crs(AREA_CRS)
    pairs = gpd.sjoin(shapes, shapes, predicate="dwithin", distance=gap_m)
    pairs = pairs[pairs["unit_id_left"] != pairs["unit_id_right"]]
    result = pd.DataFrame(
        {"unit_id": pairs["unit_id_left"].to_numpy(), "neighbour_id": pairs["unit_id_right"].to_numpy()}
    )
    return result.drop_duplicates().sort_values(["unit_id", "neighbour_id"], ignore_index=True)
