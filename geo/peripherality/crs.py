"""The CRS check every step of the peripherality derivation runs on what it is handed.

Distances and areas are only right in EPSG:3035 (metres, equal-area); a frame in lon/lat degrees would give
figures that look plausible and are wrong. So each step names itself and the CRS it expects, and stops with
an error naming both and the CRS it found, instead of measuring in the wrong units.
"""

from __future__ import annotations

import geopandas as gpd


class StepCRSError(ValueError):
    """A frame handed to a step of the derivation is not in the CRS that step expects.

    A ValueError, not a geo.errors.SourceError: it is a fault of the code that called the step, never a bad
    source file, so it must not be recorded as a source failure and skipped.
    """

    def __init__(self, step: str, name: str, expected: str, found: object):
        self.step, self.name, self.expected, self.found = step, name, expected, found
        found_text = "no CRS" if found is None else _crs_name(found)
        super().__init__(f"peripherality step '{step}': {name} must be in {expected}, got {found_text}")


def _crs_name(crs: object) -> str:
    """Return "EPSG:xxxx" when the CRS has an EPSG code, else its name."""
    to_authority = getattr(crs, "to_authority", None)
    authority = to_authority() if to_authority else None
    if authority:
        return ":".join(authority)
    return str(getattr(crs, "name", crs))


def require_crs(frame: gpd.GeoSeries | gpd.GeoDataFrame | None, expected: str, step: str, name: str) -> None:
    """Raise StepCRSError unless `frame` (when given) is in `expected`; `step` and `name` say where."""
    if frame is None:
        return
    if frame.crs is None or not frame.crs.equals(expected):
        raise StepCRSError(step, name, expected, frame.crs)
