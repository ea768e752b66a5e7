"""The SPI's planning cycle: a municipality's uploaded self-assessments in order, and what changed.

An assessment is the set of SPI fields uploaded for a unit with the same date (year) and file; the SPI is
meant to be repeated every two to five years, so a unit may have several. Undated ones sort first (their
order among themselves is the order of upload). Pure: uploaded datasets in, assessments out; the uploads
stay in the browser and come with each request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from geo.terms import SPI_FIELDS


@dataclass(frozen=True)
class Assessment:
    year: int | None
    file: str
    ratings: dict[str, float]  # field of action -> rating 1-5 (fields not rated are absent)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


def assessments_of(unit_id: str, uploads: Sequence) -> list[Assessment]:
    """The unit's self-assessments, oldest first."""
    grouped: dict[tuple, dict[str, float]] = {}
    for dataset in uploads:
        if dataset.kind == "spi" and dataset.field and unit_id in dataset.values:
            grouped.setdefault((dataset.year, dataset.file), {})[dataset.field] = dataset.values[unit_id]
    ordered = sorted(grouped.items(), key=lambda item: (item[0][0] is not None, item[0][0] or 0))
    return [Assessment(year, file, ratings) for (year, file), ratings in ordered]


def changes(earlier: Assessment, later: Assessment) -> list[FieldChange]:
    """Each field rated in either assessment, in the SPI's order, with both ratings."""
    return [
        FieldChange(f, earlier.ratings.get(f), later.ratings.get(f))
        for f in SPI_FIELDS
        if f in earlier.ratings or f in later.ratings
    ]
