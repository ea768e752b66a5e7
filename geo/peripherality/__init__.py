"""Peripherality of each unit: distances to cities and hospitals, NUTS 3 typologies, a three-class label.

`derive_peripherality(units)` returns, per unit of the canonical unit table (geo.schema):

- straight-line distances in km, measured in EPSG:3035 from the unit's representative point
  (shapely `point_on_surface`, which unlike the centroid always lies inside the unit) to the nearest
  Urban Audit 2021 city label point, FUA label point, hospital and hospital with an emergency department;
- Eurostat's NUTS 3 mountain typology (MOUNT_TYPE) and urban-rural typology (URBN_TYPE) of its region;
- a peripherality class ("central", "intermediate", "peripheral") from the thresholds in
  data/peripherality.toml applied to the distance to the nearest city or FUA point;
- whether it lies in the Alpine Convention perimeter, where that optional source is present.

Targets are all points in Europe, not those of the unit's own country: the nearest city to a Swiss
border commune may be Italian, the nearest hospital to Liechtenstein Swiss or Austrian.

Each source is read on its own; a `SourceError` is recorded in `failures` and only the columns that need
that source go missing. A distance is never silently computed from an incomplete set of targets: where a
hospital file failed, or a hospital's emergency flag is unknown, units for which such a hospital could be
the nearest get a missing value instead of a wrong one (see `nearest_known_km`).

One module per part:

| module | part |
|---|---|
| `thresholds` | the classes, data/peripherality.toml, the class of a distance |
| `distances` | representative points, nearest target (STRtree), the Urban Audit point layers |
| `hospitals` | the GISCO healthcare files per country, emergency flags |
| `typologies` | NUTS 2021 and its NUTS 3 mountain and urban-rural typologies |
| `alpine_convention` | the optional Convention perimeter, flags per unit |
| `derivation` | `derive_peripherality` in named steps, each checking the CRS it is handed (`crs`) |

The names below are the package's public interface (geo.build and the tests import them from here).
"""

from geo.peripherality.alpine_convention import (
    ALPCONV,
    ALPCONV_INSIDE_SHARE,
    ALPCONV_MUNICIPALITIES,
    ALPCONV_OUTSIDE_SHARE,
    alpine_convention_flags,
)
from geo.peripherality.crs import StepCRSError, require_crs
from geo.peripherality.derivation import (
    ATTRIBUTE_COLUMNS,
    INDICATORS,
    PeripheralityResult,
    derive_peripherality,
    tidy_values,
)
from geo.peripherality.distances import (
    CITIES,
    DECIMALS,
    FUA,
    NUTS_OUTLINE_TOLERANCE_M,
    nearest_known_km,
    read_points,
    representative_points,
)
from geo.peripherality.hospitals import (
    EMERGENCY_NO,
    EMERGENCY_YES,
    HOSPITALS,
    HospitalRead,
    parse_emergency,
    read_hospitals,
)
from geo.peripherality.thresholds import (
    CLASS_DTYPE,
    CLASSES,
    THRESHOLDS_FILE,
    Thresholds,
    classify,
    load_thresholds,
    validate_thresholds,
)
from geo.peripherality.typologies import NUTS, nuts3_types, read_nuts

__all__ = [
    "ALPCONV",
    "ALPCONV_INSIDE_SHARE",
    "ALPCONV_MUNICIPALITIES",
    "ALPCONV_OUTSIDE_SHARE",
    "ATTRIBUTE_COLUMNS",
    "CITIES",
    "CLASSES",
    "CLASS_DTYPE",
    "DECIMALS",
    "EMERGENCY_NO",
    "EMERGENCY_YES",
    "FUA",
    "HOSPITALS",
    "INDICATORS",
    "NUTS",
    "NUTS_OUTLINE_TOLERANCE_M",
    "THRESHOLDS_FILE",
    "HospitalRead",
    "PeripheralityResult",
    "StepCRSError",
    "Thresholds",
    "alpine_convention_flags",
    "classify",
    "derive_peripherality",
    "load_thresholds",
    "nearest_known_km",
    "nuts3_types",
    "parse_emergency",
    "read_hospitals",
    "read_nuts",
    "read_points",
    "representative_points",
    "require_crs",
    "tidy_values",
    "validate_thresholds",
]
