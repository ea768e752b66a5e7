"""Boundaries: every municipality of the perimeter in one canonical GeoDataFrame (see geo.schema).

Each country has its own reader (one module per format). GISCO's LAU file is preferred wherever it is in
the source folder; otherwise the national files are read. Then, the same way for all:
NUTS 3 from attributes where a source has valid codes, else from where the unit lies; NUTS 2 from NUTS 3;
the units of the perimeter kept; area computed in EPSG:3035. A country whose files fail is recorded in
`failures` and the others are still returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import sources
from geo.boundaries import at, ch, de, fr, it, lau, li, si
from geo.boundaries.part import READER_COLUMNS, BoundaryPart
from geo.errors import SourceError
from geo.nuts import NutsRegions, Perimeter
from geo.schema import DISPLAY_CRS, conform_units, empty_units

NATIONAL_READERS: dict[str, Callable[[Path | None, NutsRegions], BoundaryPart]] = {
    "AT": lambda root, nuts: at.read_any(root),
    "CH": lambda root, nuts: ch.read(root),
    "DE": lambda root, nuts: de.read(root),
    "FR": lambda root, nuts: fr.read(root),
    "IT": lambda root, nuts: it.read(root),
    "SI": lambda root, nuts: si.read(root),
    "LI": lambda root, nuts: li.read(root),
}


@dataclass
class BoundaryResult:
    units: gpd.GeoDataFrame
    failures: list[dict] = field(default_factory=list)
    notes: dict[str, dict] = field(default_factory=dict)


def load_boundaries(nuts: NutsRegions, perimeter: Perimeter, root: Path | None = None) -> BoundaryResult:
    """Return the units of the perimeter, with per-country notes and the failures of broken sources."""
    countries = perimeter.countries
    failures: list[dict] = []
    notes: dict[str, dict] = {}
    parts = _lau_parts(countries, root, failures)
    for country in countries:
        if country in parts:
            continue
        reader = NATIONAL_READERS.get(country)
        if reader is None:
            failures.append(
                {"source": None, "country": country, "kind": "missing", "problem": f"no boundary source for {country}"}
            )
            continue
        try:
            parts[country] = reader(root, nuts)
        except SourceError as exc:
            failures.append(exc.as_dict() | {"country": country})
    frames = []
    for country, part in sorted(parts.items()):
        failures += [f | {"country": country} for f in part.failures]
        units, placement = place_in_nuts(part.units[READER_COLUMNS].copy(), nuts)
        inside = units["nuts2"].isin(list(perimeter.nuts2))
        notes[country] = (
            part.notes
            | placement
            | {
                "source": part.source,
                "read": len(units),
                "outside_perimeter": int((~inside).sum()),
                "without_nuts3": sorted(units.loc[units["nuts3"].isna(), "unit_id"].tolist()),
            }
        )
        frames.append(units[inside.to_numpy()])
    if not frames:
        return BoundaryResult(empty_units(), failures, notes)
    merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=DISPLAY_CRS)
    return BoundaryResult(conform_units(merged, "boundaries"), failures, notes)


def place_in_nuts(units: gpd.GeoDataFrame, nuts: NutsRegions) -> tuple[gpd.GeoDataFrame, dict]:
    """Give every unit a valid NUTS 2021 level-3 code and its NUTS 2; return the units and counts.

    Codes from the source's attributes are kept when they exist in NUTS 2021; the others (absent, or of
    another NUTS version) are replaced by the region the unit lies in.
    """
    given = units["nuts3"].astype("string")
    valid = given.isin(nuts.nuts3_codes).fillna(False).astype(bool)
    invalid_given = given.notna() & ~valid
    units["nuts3"] = given.where(valid)
    todo = units["nuts3"].isna()
    if todo.any():
        units.loc[todo, "nuts3"] = nuts.locate_nuts3(units[todo])
    corrected = _agree_within_parent(units, todo)
    units["nuts2"] = units["nuts3"].str.slice(0, 4)
    return units, {
        "nuts3_set_by_parent_area": corrected,
        "nuts3_from_attributes": int(valid.sum()),
        "nuts3_from_location": int(todo.sum()),
        "nuts3_codes_not_in_nuts2021": sorted(set(given[invalid_given].dropna())),
    }


# NUTS 3 regions that are whole administrative areas named by the first characters of the national code:
# French départements (2). All communes of a département share its region, so a border commune placed
# wrongly by the generalised outline follows its département's majority. (Austrian NUTS 3 regions are not
# unions of districts: Bregenz, for one, is split between AT341 and AT342; so Austria is not listed.)
PARENT_PREFIX = {"FR": 2}


def _agree_within_parent(units: gpd.GeoDataFrame, located: pd.Series) -> list[str]:
    """Give located units their parent area's majority NUTS 3 code; return the units that changed."""
    changed: list[str] = []
    for country, length in PARENT_PREFIX.items():
        mask = (units["country"] == country) & located & units["nuts3"].notna()
        if not mask.any():
            continue
        parent = units.loc[mask, "unit_id"].str.split("_", n=1).str[1].str.slice(0, length)
        majority = units.loc[mask, "nuts3"].groupby(parent).agg(lambda s: s.mode().iloc[0])
        expected = parent.map(majority)
        differs = expected != units.loc[mask, "nuts3"]
        changed += units.loc[differs[differs].index, "unit_id"].tolist()
        units.loc[expected.index, "nuts3"] = expected
    return sorted(changed)


def _lau_parts(countries: list[str], root: Path | None, failures: list[dict]) -> dict[str, BoundaryPart]:
    if not sources.available(lau.SOURCE, root=root):
        return {}
    try:
        return lau.read(countries, root)
    except SourceError as exc:
        failures.append(exc.as_dict() | {"country": "EU", "fallback": "national boundary files"})
        return {}
