"""Uploaded datasets as they live in the person's browser session, and their validation.

The session store (dcc.Store with storage_type="session") holds {"version": 1, "datasets": [...]}. It never
reaches the server's disk; it comes back with each request that needs it. Because a browser can send
anything, `load_datasets` treats the store as untrusted input: wrong shapes, unknown units, values that are
not finite numbers, too many datasets or values are dropped, and the rest is kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from geo.terms import SPI_FIELDS

STORE_VERSION = 1
MAX_DATASETS = 30
MAX_VALUES = 20_000
MAX_TEXT = 120
SPI_SCALE = (1.0, 5.0)
_ID = re.compile(r"[a-z0-9]{1,12}")


@dataclass(frozen=True)
class Dataset:
    """One uploaded indicator (or one field of an SPI self-assessment)."""

    id: str
    label: str
    unit: str
    year: int | None
    kind: str  # "indicator" or "spi"
    file: str
    values: dict[str, float] = field(default_factory=dict)
    field: str | None = None  # the SPI field of action, for kind "spi"

    @property
    def note(self) -> str:
        year = f", {self.year}" if self.year else ""
        return f"Uploaded in this browser session from {self.file}{year}; not part of the shared dataset."

    def to_store(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "unit": self.unit,
            "year": self.year,
            "kind": self.kind,
            "file": self.file,
            "field": self.field,
            "values": [[k, v] for k, v in self.values.items()],
        }


def _text(value, default: str = "") -> str:
    return str(value)[:MAX_TEXT] if isinstance(value, (str, int, float)) and str(value).strip() else default


def load_datasets(store, unit_ids: frozenset[str]) -> list[Dataset]:
    """Return the valid datasets of a session store (anything malformed is left out)."""
    if not isinstance(store, dict) or store.get("version") != STORE_VERSION:
        return []
    raw = store.get("datasets")
    if not isinstance(raw, list):
        return []
    datasets, seen = [], set()
    for item in raw[:MAX_DATASETS]:
        if not isinstance(item, dict):
            continue
        dataset_id = item.get("id")
        if not isinstance(dataset_id, str) or not _ID.fullmatch(dataset_id) or dataset_id in seen:
            continue
        values = {}
        pairs = item.get("values")
        if isinstance(pairs, list):
            for pair in pairs[:MAX_VALUES]:
                if (
                    isinstance(pair, (list, tuple))
                    and len(pair) == 2
                    and pair[0] in unit_ids
                    and isinstance(pair[1], (int, float))
                    and not isinstance(pair[1], bool)
                    and math.isfinite(pair[1])
                ):
                    values[pair[0]] = float(pair[1])
        year = item.get("year")
        year = year if isinstance(year, int) and not isinstance(year, bool) and 1900 <= year <= 2100 else None
        kind = item.get("kind") if item.get("kind") in ("indicator", "spi") else "indicator"
        spi_field = item.get("field") if item.get("field") in SPI_FIELDS else None
        seen.add(dataset_id)
        datasets.append(
            Dataset(
                dataset_id,
                _text(item.get("label"), dataset_id),
                _text(item.get("unit")),
                year,
                kind,
                _text(item.get("file"), "upload"),
                values,
                spi_field,
            )
        )
    return datasets


def store_with(store, new: list[Dataset], unit_ids: frozenset[str]) -> dict:
    """Return a store holding the valid datasets of `store` plus `new` (replacing any with the same label,
    file and year), numbered so ids stay unique; the oldest are dropped beyond MAX_DATASETS."""
    # The same column of the same file and year replaces the one before; another year (an assessment of the
    # next cycle) is kept beside it.
    kept = [
        d
        for d in load_datasets(store, unit_ids)
        if not any((d.label, d.file, d.year) == (n.label, n.file, n.year) for n in new)
    ]
    used = {d.id for d in kept}
    numbered = []
    counter = 1
    for dataset in new:
        while f"u{counter}" in used:
            counter += 1
        used.add(f"u{counter}")
        numbered.append(
            Dataset(
                f"u{counter}",
                dataset.label,
                dataset.unit,
                dataset.year,
                dataset.kind,
                dataset.file,
                dataset.values,
                dataset.field,
            )
        )
    combined = (kept + numbered)[-MAX_DATASETS:]
    return {"version": STORE_VERSION, "datasets": [d.to_store() for d in combined]}
