"""The composite index as tables and text: the rank table's rows, one unit's contributions, the CSV (with
its method, sources and years as '#' lines) and the warnings. Pure: the views and the poster lay them out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.atlas import Atlas
from dashboard.composite import (
    DRAWS,
    ROBUST_SHARE,
    SEED,
    WEIGHT_SPREAD,
    IndexMethod,
    IndexResult,
    Uncertainty,
)
from dashboard.indicators import Indicators
from dashboard.vocabulary import source_title
from geo.terms import LATEST


@dataclass(frozen=True)
class RankRow:
    position: int  # feature position of the unit
    unit_id: str
    name: str
    country: str
    value: float
    rank: int
    ranked_with: int
    median: float
    low: float
    high: float
    robust: bool


def rank_rows(atlas: Atlas, result: IndexResult, spread: Uncertainty, positions) -> list[RankRow]:
    units = atlas.units
    rows = []
    for p in positions:
        p = int(p)
        rows.append(
            RankRow(
                p,
                str(units.at[p, "unit_id"]),
                str(units.at[p, "name"]),
                str(units.at[p, "country"]),
                float(result.value[p]),
                int(result.rank[p]),
                int(result.ranked_with[p]),
                float(spread.median[p]),
                float(spread.low[p]),
                float(spread.high[p]),
                bool(spread.robust[p]),
            )
        )
    return rows


def top_positions(result: IndexResult, count: int) -> np.ndarray:
    """The `count` best-ranked units (of every scope group, best first; ties by unit order)."""
    has = np.flatnonzero(~np.isnan(result.value))
    order = np.lexsort((has, result.rank[has]))
    return has[order[:count]]


@dataclass(frozen=True)
class Part:
    indicator: str
    value: float  # as read
    year: int | None
    source: str | None
    score: float  # normalised
    weight: float  # the share of the weight it has in this unit's index (renormalised over its components)
    contribution: float  # arithmetic: points of the index; geometric: its share of the index's logarithm


def parts(indicators: Indicators, result: IndexResult, position: int) -> list[Part]:
    """Every component of one unit's index: its value, score, weight and contribution (missing: NaN)."""
    atlas = indicators.atlas
    out = []
    present = ~np.isnan(result.scores[position])
    have = float(sum(c.weight for c, p in zip(result.components, present) if p))
    for j, component in enumerate(result.components):
        series = indicators.series(component.indicator, LATEST)
        code = int(series.source_codes[position])
        year = int(series.years[position]) or None
        out.append(
            Part(
                component.indicator,
                float(result.raw[position, j]),
                year if present[j] else None,
                (atlas.source_ids[code] if code >= 0 else indicators.get(component.indicator).source)
                if present[j]
                else None,
                float(result.scores[position, j]),
                component.weight / have if present[j] and have > 0 else float("nan"),
                float(result.contribution[position, j]),
            )
        )
    return out


def index_frame(indicators: Indicators, result: IndexResult, spread: Uncertainty) -> pd.DataFrame:
    """The CSV's table: every unit, its index, rank and rank interval, and each component's value, year,
    source and normalised score (missing left empty)."""
    atlas = indicators.atlas
    units = atlas.units
    frame = pd.DataFrame(
        {
            "unit_id": units["unit_id"].astype(str),
            "name": units["name"].astype(str),
            "country": units["country"].astype(str),
            "index": result.value,
            "rank": result.rank,
            "ranked_with": np.where(np.isnan(result.value), np.nan, result.ranked_with),
            "median_rank": spread.median,
            "rank_5pct": spread.low,
            "rank_95pct": spread.high,
            "robust": np.where(np.isnan(result.value), None, spread.robust),
            "weight_share_present": np.round(result.share, 6),
        }
    )
    for j, component in enumerate(result.components):
        series = indicators.series(component.indicator, LATEST)
        present = ~np.isnan(result.raw[:, j])
        sources = np.array(atlas.source_ids + [None], dtype=object)[
            np.where(series.source_codes >= 0, series.source_codes, len(atlas.source_ids))
        ]
        if indicators.get(component.indicator).uploaded:
            sources = np.full(len(units), indicators.get(component.indicator).source, dtype=object)
        frame[component.indicator] = result.raw[:, j]
        frame[f"{component.indicator}_year"] = pd.array(np.where(present, series.years, 0), dtype="Int64").astype(
            "Int64"
        )
        frame.loc[~present, f"{component.indicator}_year"] = pd.NA
        frame[f"{component.indicator}_source"] = np.where(present, sources, None)
        frame[f"{component.indicator}_score"] = result.scores[:, j]
    for column in ("rank", "ranked_with", "median_rank", "rank_5pct", "rank_95pct"):
        frame[column] = pd.array(frame[column].to_numpy(dtype=float), dtype="Float64").astype("Int64")
    return frame.sort_values(["country", "rank", "unit_id"], na_position="last").reset_index(drop=True)


def method_lines(atlas: Atlas, indicators: Indicators, result: IndexResult) -> list[str]:
    """The method in words, for the top of the CSV and the poster (English, like the CSV's columns)."""
    method: IndexMethod = result.method
    weighting = "per indicator" if method.weighting == "indicator" else "per field of action (split equally)"
    lines = [
        f"PlurAlps Atlas composite index (build {str(atlas.manifest.get('key', ''))[:12]})".rstrip(),
        "components (direction, weight share): "
        + ", ".join(
            f"{c.indicator} ({'+' if c.direction > 0 else '-'}{', assumed' if c.assumed else ''}, {c.weight:.4f})"
            for c in result.components
        ),
        f"weights {weighting}: " + (", ".join(f"{n} {w:g}" for n, w in method.weights) or "all 1"),
        f"normalisation: {method.normalisation}; winsorised at {method.winsor:g} each tail; "
        f"aggregation: {method.aggregation}"
        + (" (scores rescaled to 1-100 within the scope)" if method.aggregation == "geometric" else ""),
        f"missing data: a unit needs components carrying at least {method.min_share:.0%} of the weight; "
        f"{result.missing:,} units below it have no index",
        f"scope: {'all units' if method.scope == 'all' else 'within each country'} (statistics and ranks); "
        "rank 1 = highest; equal values share the best rank",
        f"uncertainty: {DRAWS} Monte Carlo draws (seed {SEED}): each weight times U({1 - WEIGHT_SPREAD:g}, "
        f"{1 + WEIGHT_SPREAD:g}), normalisation and aggregation drawn at random; median and 5-95 % of each "
        f"unit's ranks; robust = interval within {ROBUST_SHARE:.0%} of the units ranked",
        "method: OECD/JRC Handbook on Constructing Composite Indicators (2008); Saisana, Saltelli & Tarantola (2005)",
    ]
    lines += [f"left out in {group}: {name} (no spread)" for name, group in result.no_spread]
    lines += [f"left out: {c.indicator} (no unit has a value)" for c in result.components if c.units == 0]
    used = set()
    for j, component in enumerate(result.components):
        series = indicators.series(component.indicator, LATEST)
        codes = np.unique(series.source_codes[~np.isnan(result.raw[:, j])])
        years = sorted({int(y) for y in np.unique(series.years[~np.isnan(result.raw[:, j])]) if y})
        names = [atlas.source_ids[c] for c in codes if c >= 0]
        used |= {n.split("+")[0] for n in names}
        lines.append(
            f"component {component.indicator}: {component.units:,} units; years {', '.join(map(str, years)) or '-'}"
            f"; sources {', '.join(names) or indicators.get(component.indicator).source}"
        )
    for source in sorted(used):
        entry = atlas.sources.get(source) or {}
        lines.append(
            f"source {source}: {source_title(atlas, source)}"
            + (f"; licence: {entry['licence']}" if entry.get("licence") else "")
            + (f"; {entry['attribution']}" if entry.get("attribution") else "")
        )
    return lines
