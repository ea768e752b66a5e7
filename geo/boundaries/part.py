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
    failures: list[dict] = field(default_factory=list)  # files of a multi-file source that could not be read


def read_parts(source_id: str, root, read_one) -> tuple[list, list[dict]]:
    """Read every part of a multi-file source with `read_one(path)`; return (frames, failures).

    A broken part (one Italian region, one French département) is recorded and the others are kept; only
    when no part can be read does the whole source fail.
    """
    from geo import sources
    from geo.errors import SourceError

    frames, failures = [], []
    for part in sources.get(source_id).parts:
        try:
            frames.append(read_one(sources.locate(source_id, part, root=root)))
        except SourceError as exc:
            failures.append(exc.as_dict() | {"part": part})
    if not frames:
        first = failures[0]
        raise SourceError(source_id, first["path"], f"no part could be read; first: {first['problem']}")
    return frames, failures
