"""The peer table: a unit and its peers side by side, every chosen indicator with value, year and source.

Pure (no Dash): the peer view's table, its CSV download, the profile's peer list and the poster's peer
table all read `peer_rows`, so they never disagree. `peer_frame` is the CSV's table and `method_lines` the
method, scales and sources written above it; `comparability` says, per indicator, where the values side by
side come from different national sources or different years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.atlas import Atlas
from dashboard.comparability import Contribution
from dashboard.i18n import fmt_number, fmt_value, t, unit_label
from dashboard.indicators import Indicators
from dashboard.peers import UNIT_ATTRIBUTES, PeerResult, Stability, find_peers, stability
from dashboard.state import State
from dashboard.vocabulary import country_name, source_title
from geo.terms import LATEST

# The sources of the unit attributes (distances computed by the build from GISCO's Urban Audit points;
# the mountain flag is Eurostat's NUTS 3 mountain typology, as the units' `mountain` column documents).
ATTRIBUTE_SOURCES = {"dist_urban_centre_km": "gisco_urau_fua", "mountain": "gisco_nuts_2021"}
ATTRIBUTE_UNITS = {"dist_urban_centre_km": "km", "mountain": "class"}


@dataclass(frozen=True)
class Cell:
    value: float  # NaN: no value
    year: int | None
    source: str | None  # a source id of the build, or the uploaded file's name


@dataclass(frozen=True)
class PeerRow:
    unit_id: str
    name: str
    country: str
    rank: int  # 0 for the chosen unit, 1.. for its peers
    distance: float | None  # None for the chosen unit
    kept: int | None  # leave-one-indicator-out rankings the peer stayed in (None: the chosen unit)
    used: tuple[str, ...]  # the indicators its distance used
    most_alike: tuple[str, ...]
    most_different: tuple[str, ...]
    cells: dict[str, Cell]


def run(indicators: Indicators, state: State, stable: bool = True) -> tuple[PeerResult, Stability | None] | str:
    """Find the peers of the state's unit by its method (with their stability unless `stable` is False);
    a message key when there is nothing to find."""
    try:
        result = find_peers(indicators, state.unit, state.peer.method())
    except ValueError:
        # The URL parser lets only comparable indicators through; an upload removed since is the rest.
        return "peers.invalid"
    return result, stability(indicators, result) if stable else None


def scope_text(result: PeerResult, lang: str) -> str:
    scope = result.method.scope
    if scope == "all":
        return t("peers.in_all", lang)
    if scope == "other_countries":
        return t("peers.in_other", lang)
    return t("peers.in_chosen", lang, countries=", ".join(country_name(c, lang) for c in scope))


def label(indicators: Indicators, indicator: str, lang: str) -> str:
    """The name of an indicator of the peer finder (a catalogue or uploaded indicator, or a unit attribute)."""
    if indicator in UNIT_ATTRIBUTES and indicator not in indicators:
        return t(f"peers.attribute.{indicator}", lang)
    return indicators.get(indicator).label(lang)


def unit_of(indicators: Indicators, indicator: str) -> str:
    if indicator in UNIT_ATTRIBUTES and indicator not in indicators:
        return ATTRIBUTE_UNITS[indicator]
    return indicators.get(indicator).unit


def value_text(indicators: Indicators, indicator: str, value: float, lang: str) -> str:
    """A cell as people read it: a class by its name, a number with its unit, a missing value as missing."""
    if np.isnan(value):
        return t("common.no_value", lang)
    if indicator == "mountain" and indicator not in indicators:
        return t("class.mountain" if value else "class.non_mountain", lang)
    if indicator not in UNIT_ATTRIBUTES and indicators.get(indicator).kind == "categorical":
        return indicators.get(indicator).category_label(value, lang)
    return fmt_value(value, unit_label(unit_of(indicators, indicator), lang), lang, wrap=True)


def _columns(indicators: Indicators, indicator: str, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """Values, years and sources of `indicator` for the units at `positions` (as the peer finder reads
    them: each unit's latest value)."""
    atlas = indicators.atlas
    n = len(positions)
    if indicator in UNIT_ATTRIBUTES and indicator not in indicators:
        column = atlas.units[indicator].iloc[positions]
        return (
            column.astype("Float64").to_numpy(dtype=float, na_value=np.nan),
            np.zeros(n, dtype=int),
            [ATTRIBUTE_SOURCES[indicator]] * n,
        )
    series = indicators.series(indicator, LATEST)
    entry = indicators.get(indicator)
    if entry.uploaded:
        sources = [entry.source] * n
    else:
        codes = series.source_codes[positions]
        sources = [atlas.source_ids[c] if c >= 0 else None for c in codes]
    return np.asarray(series.values[positions], dtype=float), np.asarray(series.years[positions], dtype=int), sources


def peer_rows(indicators: Indicators, result: PeerResult, stability: Stability | None = None) -> list[PeerRow]:
    """Return the chosen unit (rank 0) and its peers, each with every chosen indicator's value."""
    atlas = indicators.atlas
    chosen = list(dict.fromkeys(result.method.indicators))
    units = atlas.units
    order = [result.unit_id, *[p.unit_id for p in result.peers]]
    positions = np.array([int(atlas.position[u]) for u in order], dtype=np.int64)
    columns = {i: _columns(indicators, i, positions) for i in chosen}
    row_of = {int(p): r for r, p in enumerate(positions)}

    def cells(position: int) -> dict[str, Cell]:
        r = row_of[position]
        out = {}
        for indicator, (values, years, sources) in columns.items():
            value = float(values[r])
            present = not np.isnan(value)
            year = int(years[r]) if present and years[r] else None
            out[indicator] = Cell(value, year, sources[r] if present else None)
        return out

    a = int(atlas.position[result.unit_id])
    rows = [
        PeerRow(
            result.unit_id,
            str(units.at[a, "name"]),
            str(units.at[a, "country"]),
            0,
            None,
            None,
            result.unit_indicators,
            (),
            (),
            cells(a),
        )
    ]
    for rank, peer in enumerate(result.peers, start=1):
        rows.append(
            PeerRow(
                peer.unit_id,
                peer.name,
                peer.country,
                rank,
                peer.distance,
                stability.kept.get(peer.unit_id) if stability and stability.runs else None,
                peer.indicators,
                peer.most_alike,
                peer.most_different,
                cells(int(atlas.position[peer.unit_id])),
            )
        )
    return rows


def comparability(atlas: Atlas, indicators: Indicators, rows: list[PeerRow]) -> dict[str, list[Contribution]]:
    """Per indicator whose values side by side come from more than one source or more than one year: which
    countries contribute which years and sources (read from the rows' own cells). One harmonised source of
    one year (DEGURBA 2014, the distances) compares as it is and is left out."""
    result = {}
    for indicator in rows[0].cells:
        if indicator in UNIT_ATTRIBUTES and indicator not in indicators:
            continue
        if indicators.get(indicator).uploaded:
            continue
        by_country: dict[str, list] = {}
        for row in rows:
            cell = row.cells[indicator]
            if cell.source is not None:
                by_country.setdefault(row.country, []).append(cell)
        pooled = [
            Contribution(
                country,
                len(cells),
                tuple(sorted({c.year for c in cells if c.year})),
                tuple(dict.fromkeys(c.source.split("+")[0] for c in cells)),
            )
            for country, cells in sorted(by_country.items())
        ]
        sources = {s for c in pooled for s in c.sources}
        years = {y for c in pooled for y in c.years}
        if len(sources) > 1 or len(years) > 1:
            result[indicator] = pooled
    return result


def comparability_text(atlas: Atlas, indicators: Indicators, indicator: str, pooled, lang: str) -> str:
    """One sentence: the indicator, then each country with its years and source."""
    parts = []
    for c in pooled:
        if not c.years:
            continue
        years = f"{c.years[0]}–{c.years[-1]}" if len(c.years) > 1 else str(c.years[0])
        sources = " + ".join(source_title(atlas, s, lang) for s in c.sources)
        parts.append(f"{country_name(c.country, lang)} {years} ({sources})")
    return t("peers.not_comparable", lang, indicator=label(indicators, indicator, lang), parts="; ".join(parts))


def peer_frame(indicators: Indicators, rows: list[PeerRow], runs: int) -> pd.DataFrame:
    """The CSV's table: one row per unit (the chosen one first), value, year and source of every indicator."""
    records = []
    for row in rows:
        record = {
            "rank": row.rank,
            "unit_id": row.unit_id,
            "name": row.name,
            "country": row.country,
            "distance": None if row.distance is None else round(row.distance, 4),
            "kept_in_rankings": row.kept,
            "of_rankings": runs if row.kept is not None else None,
            "indicators_used": ";".join(row.used),
            "most_alike": ";".join(row.most_alike),
            "most_different": ";".join(row.most_different),
        }
        for indicator, cell in row.cells.items():
            record[f"{indicator}"] = None if np.isnan(cell.value) else cell.value
            record[f"{indicator}_year"] = cell.year
            record[f"{indicator}_source"] = cell.source
        records.append(record)
    return pd.DataFrame.from_records(records)


def method_lines(atlas: Atlas, indicators: Indicators, result: PeerResult, rows: list[PeerRow], runs: int) -> list[str]:
    """The method in words, for the top of the CSV (English, like the CSV's column names)."""
    method = result.method
    scope = {"all": "all countries", "other_countries": "other countries only"}.get(
        method.scope if isinstance(method.scope, str) else "", "countries " + ",".join(method.scope)
    )
    lines = [
        f"PlurAlps Atlas peers of {result.unit_id} (build {str(atlas.manifest.get('key', ''))[:12]})".rstrip(),
        f"k = {method.k}; scope: {scope}; at least {result.required} indicators in common",
        "indicators (weight): " + ", ".join(f"{i} ({fmt_number(w, 'en')})" for i, w in method.used),
        "method: latest value per unit; log1p for size counts; robust z-scores over all units "
        "(median, 1.4826 MAD; IQR/1.349 where the MAD is 0); distance = sqrt(sum w*dz^2 / sum w) over the "
        "indicators both units have (Gower-style normalisation); ties by unit_id",
        f"stability: kept_in_rankings of {runs} rankings that each leave one indicator out",
        f"ranked {result.ranked:,} units; {result.too_few_common:,} with too few indicators in common; "
        f"{result.outside_scope:,} outside the scope",
    ]
    lines += [f"left out: {i} ({why})" for i, why in result.left_out.items()]
    lines += [
        f"scale {s.indicator}: centre {s.center:.6g}, spread {s.spread:.6g} ({s.rule}{', log1p' if s.log else ''}), "
        f"n = {s.n:,}"
        for s in result.scales
    ]
    # The sources of the values in the table (a density derived from an area is credited to its count's).
    used = {c.source.split("+")[0] for r in rows for c in r.cells.values() if c.source}
    if "dist_urban_centre_km" in method.indicators and "dist_urban_centre_km" not in indicators:
        used |= {"gisco_urau_cities", "gisco_urau_fua"}
    for source in sorted(used):
        entry = atlas.sources.get(source)
        if entry is None:  # an uploaded file: named by its file
            lines.append(f"source {source}: uploaded in this browser session")
            continue
        lines.append(
            f"source {source}: {source_title(atlas, source)}"
            + (f"; licence: {entry['licence']}" if entry.get("licence") else "")
            + (f"; {entry['attribution']}" if entry.get("attribution") else "")
        )
    return lines
