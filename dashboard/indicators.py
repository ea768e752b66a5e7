"""Indicators as the views see them: the catalogue's, plus the ones a person uploaded in this session.

`Indicators(atlas, uploads, derived)` answers the same questions for all (derived: computed in the session
from the others, the composite index): label in a language, unit, kind,
direction, theme, note in a language, source; years; and the values of every unit (a `Series`). Uploaded indicators have
ids "upload:<dataset id>"; their values come from the browser session with each request and are never
kept on the server.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from dashboard.atlas import Atlas, Series
from geo.terms import DEFAULT_LANGUAGE, LANGUAGES, LATEST

UPLOAD_PREFIX = "upload:"
UPLOAD_THEME = "uploaded"


@dataclass(frozen=True)
class Indicator:
    id: str
    labels: dict[str, str]
    unit: str
    kind: str  # numeric | categorical
    direction: str  # higher_better | higher_worse | neutral
    theme: str
    notes: dict[str, str]  # by language; English always there (the fallback of `note_in`)
    source: str
    licence: str
    categories: dict[str, dict[str, str]] = field(default_factory=dict)
    uploaded: bool = False
    derived: bool = False  # computed in the session from other indicators (the composite index)
    around_zero: bool = False  # classes split at 0 with a centred palette (a change: decline and growth apart)

    @property
    def catalogued(self) -> bool:
        """A value of the build, with a catalogued source (not the person's file, not computed here)."""
        return not (self.uploaded or self.derived)

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.id

    def note_in(self, lang: str) -> str:
        """Return the note in `lang`; English where it has no translation (never an empty string)."""
        return self.notes.get(lang) or self.notes.get(DEFAULT_LANGUAGE) or ""

    def category_label(self, code, lang: str) -> str:
        """Return the label of a categorical indicator's code (1, 1.0 or "1") in `lang`; English where
        `lang` has none, the code itself where the catalogue names it not at all."""
        key = str(int(float(code))) if not isinstance(code, str) else code
        names = self.categories.get(key) or {}
        return names.get(lang) or names.get(DEFAULT_LANGUAGE) or key

    @property
    def display_unit(self) -> str:
        """The unit as printed after a value ("" for classes)."""
        return "" if self.unit == "class" else self.unit


@dataclass(frozen=True)
class Derived:
    """An indicator computed in the session: its entry, and a function returning its values (cached there)."""

    entry: Indicator
    series: Callable[[], Series]
    years: tuple[int, ...] = ()  # the years a person may choose (a change: its later year); none: no choice


@lru_cache(maxsize=4)
def catalogue_indicators(atlas: Atlas) -> dict[str, Indicator]:
    """Return the catalogue's indicators by id (built once per dataset)."""
    result = {}
    for indicator, entry in atlas.catalogue.iterrows():
        result[indicator] = Indicator(
            id=indicator,
            labels={lang: entry.get(f"label_{lang}") for lang in LANGUAGES if entry.get(f"label_{lang}")},
            unit=entry["unit"],
            kind=entry["kind"],
            direction=entry["direction"],
            theme=entry["theme"],
            # A build of an older catalogue has no note_<lang> columns: `note_in` falls back to English.
            notes={lang: entry.get(f"note_{lang}") for lang in LANGUAGES if entry.get(f"note_{lang}")}
            | {DEFAULT_LANGUAGE: entry["note"]},
            source=entry["source"],
            licence=entry["licence"],
            categories=json.loads(entry.get("categories") or "{}"),
        )
    return result


class Indicators:
    """The indicators a request can use: the catalogue's and the session's uploads."""

    def __init__(self, atlas: Atlas, uploads: Sequence = (), derived: Mapping[str, Derived] | None = None):
        self.atlas = atlas
        self._catalogue = catalogue_indicators(atlas)
        self._uploads = {UPLOAD_PREFIX + d.id: d for d in uploads}
        self._derived = dict(derived or {})

    def with_derived(self, derived: Mapping[str, Derived]) -> Indicators:
        """These indicators plus `derived` ones (id → Derived), e.g. the session's composite index."""
        return Indicators(self.atlas, list(self._uploads.values()), self._derived | dict(derived))

    def ids(self) -> list[str]:
        return [*self._catalogue, *self._uploads, *self._derived]

    def uploaded_ids(self) -> list[str]:
        return list(self._uploads)

    def upload_digest(self, ids) -> tuple:
        """A digest of the uploaded values among `ids`, for cache keys: they come with each request, so
        their identity says nothing."""
        digests = []
        for indicator in ids:
            if indicator in self._uploads:
                data = np.ascontiguousarray(self.series(indicator).values)
                digests.append((indicator, hashlib.blake2b(data.tobytes(), digest_size=16).hexdigest()))
        return tuple(digests)

    def derived_ids(self) -> list[str]:
        return list(self._derived)

    def __contains__(self, indicator: str) -> bool:
        return indicator in self._catalogue or indicator in self._uploads or indicator in self._derived

    def get(self, indicator: str) -> Indicator:
        if indicator in self._catalogue:
            return self._catalogue[indicator]
        if indicator in self._derived:
            return self._derived[indicator].entry
        dataset = self._uploads[indicator]
        return Indicator(
            id=indicator,
            labels={"en": dataset.label},
            unit=dataset.unit,
            kind="numeric",
            direction="neutral" if dataset.kind != "spi" else "higher_better",
            theme=UPLOAD_THEME,
            notes={DEFAULT_LANGUAGE: dataset.note},
            source=dataset.file,
            licence="",
            uploaded=True,
        )

    def years(self, indicator: str) -> list[int]:
        if indicator in self._catalogue:
            return self.atlas.years(indicator)
        if indicator in self._derived:
            return list(self._derived[indicator].years)
        year = self._uploads[indicator].year
        return [year] if year else []

    def series(self, indicator: str, year: int | str = LATEST) -> Series:
        """Return the values of every unit; a year the indicator lacks gives its latest values."""
        if indicator in self._catalogue:
            if self.atlas.has_series(indicator, year):
                return self.atlas.series(indicator, year)
            return self.atlas.series(indicator, LATEST)
        if indicator in self._derived:
            return self._derived[indicator].series()
        return upload_series(self.atlas, self._uploads[indicator])


def upload_series(atlas: Atlas, dataset) -> Series:
    """Return an uploaded dataset's values aligned to the units (missing where the file had none)."""
    n = len(atlas.units)
    values = np.full(n, np.nan)
    positions = atlas.position.reindex(list(dataset.values)).to_numpy()
    known = ~np.isnan(positions.astype(float))
    values[positions[known].astype(int)] = np.fromiter(dataset.values.values(), dtype=float)[known]
    present = ~np.isnan(values)
    years = np.where(present, dataset.year or 0, 0).astype(np.int16)  # 0: the file gave no year
    sources = np.full(len(values), -1, dtype=np.int16)  # -1: the person's file, not a catalogued source
    return Series(UPLOAD_PREFIX + dataset.id, dataset.year or LATEST, values, years, sources)
