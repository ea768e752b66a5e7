"""Indicator values per municipality (or NUTS 3 region) from every statistical source, in one tidy table.

    result = load_indicators()          # reads every source listed in READERS from PLURALPS_SOURCES
    result.values                       # geo.schema.VALUE_COLUMNS: unit_id, indicator, year, value, ...
    result.failures                     # one record per source that could not be read; the rest loaded
    result.notes                        # per-source facts for the build report
    load_catalogue()                    # what each indicator id means (data/indicators.toml)

One small module per source family (`ch`, `at`, `fr`, `it`, `de`, `europe`) reads its files into tidy rows;
`common` holds the bookkeeping they share. Values cover every code in a file: the build decides which
units it keeps and reports codes that match no boundary. A value the publisher suppressed has no row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from geo import sources
from geo.errors import SourceError, SourceMissing
from geo.indicators import (
    at,
    ch,
    de,
    europe,
    fr,
    insee_nationality,
    istat_foreign,
    it,
    li_population,
    regionalstatistik,
    surs_px,
)
from geo.indicators.catalogue import load_catalogue, load_categories, read_entries
from geo.indicators.common import SourceValues, conform_values
from geo.schema import VALUE_COLUMNS
from geo.settings import source_root

# Every indicator source and its reader, in reading order.
READERS: dict[str, Callable[[Path | None], SourceValues]] = {
    "ch_portraits_2021": ch.read,
    "at_register_census": at.read,
    "fr_insee_communes": fr.read,
    "it_classification_2020": it.read_classification,
    "it_population_by_age": it.read_population_by_age,
    "it_comuni_2020": it.read_comuni_2020,
    "de_gv100": de.read_gv100,
    "de_census_2022": de.read_census,
    "riate_nuts3": europe.read_riate,
    "gisco_degurba_2014": europe.read_degurba,
    # Sources that would close data gaps; none is in the data mirror and their readers have not yet run on
    # a real file (data/sources.toml, `status`). Optional: absent, each is a note, not a failure.
    "it_istat_foreign_residents": istat_foreign.read,
    "fr_insee_nationality": insee_nationality.read,
    "si_surs_population": surs_px.read,
    "li_population_gemeinden": li_population.read,
    "de_regionalstatistik_age": regionalstatistik.read,
}


# The `source` of the last note, which sums up the whole load (rows, seconds).
TOTAL = "(total)"


@dataclass
class IndicatorResult:
    """The tidy indicator values, the sources that failed, and per-source notes for the build report."""

    values: pd.DataFrame
    failures: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)


def load_indicators(root: Path | None = None, *, only: Iterable[str] | None = None) -> IndicatorResult:
    """Read every indicator source under `root` (default: PLURALPS_SOURCES) into one tidy table.

    A source that cannot be used (missing, corrupt, renamed column, duplicated codes) is recorded in
    `failures` as `SourceError.as_dict()` plus `optional` (from the source catalogue), and the others
    still load. An optional source whose file is simply not in the source folder is not a failure: its
    note says so (`absent`, the path looked for and where to get the file), as peripherality does.
    Where two sources give the same unit, indicator and year, the one listed first in the
    indicator's catalogue `sources` is kept, and the other's note counts the rows it lost (`superseded`).
    `only` restricts reading to some source ids (for tests and partial rebuilds).
    """
    root = root or source_root()
    started = time.perf_counter()
    pieces: list[pd.DataFrame] = []
    failures: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    wanted = set(READERS) if only is None else set(only)
    if unknown := wanted - set(READERS):
        raise ValueError(f"no indicator reader for {sorted(unknown)}; readers: {', '.join(READERS)}")
    for source_id, reader in READERS.items():
        if source_id not in wanted:
            continue
        try:
            result = reader(root)
        except SourceMissing as err:
            if sources.get(source_id).optional and err.source_id == source_id:
                notes.append(_absent_note(source_id, err))
            else:
                failures.append(err.as_dict() | {"optional": sources.get(source_id).optional})
            continue
        except SourceError as err:
            failures.append(err.as_dict() | {"optional": sources.get(source_id).optional})
            continue
        pieces.append(result.values)
        notes.append(result.note)
    values = _resolve_overlaps(conform_values(pieces), notes)
    values = values.sort_values(["indicator", "unit_id", "year", "source"], ignore_index=True)
    notes.append({"source": TOTAL, "rows": len(values), "seconds": round(time.perf_counter() - started, 3)})
    return IndicatorResult(values[VALUE_COLUMNS], failures, notes)


def _absent_note(source_id: str, err: SourceMissing) -> dict[str, Any]:
    """The note of an optional source not in the source folder: where it was looked for, how to get it."""
    status = sources.get(source_id).extra.get("status")
    return {
        "source": source_id,
        "absent": True,
        "path": err.path,
        "problem": "not in the source folder; " + err.problem,
        **({"status": status} if status else {}),
    }


def _resolve_overlaps(values: pd.DataFrame, notes: list[dict[str, Any]]) -> pd.DataFrame:
    """Keep one row per (unit, indicator, year): the source first in the catalogue's list for it."""
    key = ["unit_id", "indicator", "year"]
    overlapping = values[values.duplicated(key, keep=False)]
    if overlapping.empty:
        return values
    priority = _source_priority()
    # A source the catalogue does not list for the indicator ranks after every listed one.
    reading_order = {src: i for i, src in enumerate(READERS)}
    rank = [
        priority.get((ind, src), 1000 + reading_order.get(src, 999))
        for ind, src in zip(overlapping["indicator"], overlapping["source"])
    ]
    ranked = overlapping.assign(_rank=rank).sort_values([*key, "_rank"], kind="stable")
    dropped = ranked.index[ranked.duplicated(key, keep="first")]
    lost = values.loc[dropped].groupby(["source", "indicator"]).size()
    for note in notes:
        counts = {ind: int(n) for (src, ind), n in lost.items() if src == note["source"]}
        if counts:
            note["superseded"] = counts
            note["rows"] -= sum(counts.values())
    return values.drop(index=dropped)


def _source_priority() -> dict[tuple[str, str], int]:
    """Return {(indicator, source): rank} from the order of `sources` in the indicator catalogue."""
    return {
        (indicator, source): rank
        for indicator, entry in read_entries().items()
        for rank, source in enumerate(entry["sources"])
    }


__all__ = [
    "READERS",
    "TOTAL",
    "VALUE_COLUMNS",
    "IndicatorResult",
    "load_catalogue",
    "load_categories",
    "load_indicators",
]
