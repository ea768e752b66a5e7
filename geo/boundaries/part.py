"""What every boundary reader returns: units of one country in a common shape, with notes for the report."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd

# Columns a reader fills; `nuts3` may be missing (the pipeline then places the unit spatially), `area_km2`
# is computed centrally in geo.schema.conform_units.
READER_COLUMNS = ["unit_id", "country", "name", "name_alt", "nuts3", "boundary_year", "level", "geometry"]


@dataclass
class BoundaryPart:
    """Units of one country as read from one source, before NUTS assignment and perimeter filtering."""

    country: str
    source: str
    units: gpd.GeoDataFrame
    notes: dict = field(default_factory=dict)
