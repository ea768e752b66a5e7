"""The peripherality classes and their thresholds (data/peripherality.toml), and the class of a distance.

The class names are part of the public contract (the build and the dashboard use them), so the thresholds
file may move the cut-offs but not rename or reorder the classes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.settings import DATA_DIR

THRESHOLDS_FILE = DATA_DIR / "peripherality.toml"

CLASSES = ("central", "intermediate", "peripheral")
CLASS_DTYPE = pd.CategoricalDtype(list(CLASSES), ordered=True)


@dataclass(frozen=True)
class Thresholds:
    """Upper bounds (km, inclusive) of every class but the last, which is open-ended."""

    names: tuple[str, ...]
    max_km: tuple[float, ...]
    help: dict[str, str] = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        """Return the rule as text, e.g. 'central <= 20 km < intermediate <= 45 km < peripheral'."""
        parts = [f"{name} <= {bound:g} km" for name, bound in zip(self.names, self.max_km)]
        return " < ".join(parts + [self.names[-1]])


def validate_thresholds(raw: dict) -> Thresholds:
    """Return the thresholds parsed from the TOML table `raw`; raise ValueError naming what is wrong."""
    classes = raw.get("class")
    if not isinstance(classes, list) or not classes:
        raise ValueError("peripherality thresholds: no [[class]] tables")
    names = tuple(str(c.get("name", "")) for c in classes)
    if names != CLASSES:
        raise ValueError(f"peripherality thresholds: classes must be {CLASSES} in that order, got {names}")
    undocumented = [n for n, c in zip(names, classes) if not str(c.get("help", "")).strip()]
    if undocumented:
        raise ValueError(f"peripherality thresholds: class(es) without help text: {', '.join(undocumented)}")
    if "max_km" in classes[-1]:
        raise ValueError(f"peripherality thresholds: the last class '{names[-1]}' is open-ended, drop max_km")
    bounds = []
    for name, table in zip(names[:-1], classes[:-1]):
        value = table.get("max_km")
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise ValueError(f"peripherality thresholds: class '{name}' needs a numeric max_km, got {value!r}")
        if value <= 0:
            raise ValueError(f"peripherality thresholds: max_km of '{name}' must be positive, got {value}")
        bounds.append(float(value))
    if any(b <= a for a, b in zip(bounds, bounds[1:])):
        raise ValueError(f"peripherality thresholds: max_km must increase strictly, got {bounds}")
    return Thresholds(names, tuple(bounds), {n: str(c["help"]) for n, c in zip(names, classes)})


def load_thresholds(path: Path = THRESHOLDS_FILE) -> Thresholds:
    """Return the validated thresholds of data/peripherality.toml (or of `path`)."""
    with path.open("rb") as f:
        return validate_thresholds(tomllib.load(f))


def classify(distances: pd.Series, thresholds: Thresholds) -> pd.Series:
    """Return the class of each distance (ordered categorical, same index); missing distance -> missing.

    A distance equal to a bound belongs to the lower class (central <= 20 km).
    """
    values = pd.to_numeric(distances, errors="coerce").astype("float64").to_numpy()
    # side="left": searchsorted puts a value equal to a bound at that bound's index, i.e. the lower class.
    codes = np.searchsorted(np.asarray(thresholds.max_km), values, side="left")
    codes = np.where(np.isnan(values), -1, codes)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=CLASS_DTYPE), index=distances.index)
