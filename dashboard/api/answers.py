"""The API's answers: plain, JSON-ready dicts computed from the build, one function per endpoint.

Every answer says what it leaves out: a unit without a value is listed with `null` and counted, an index
names its missing units and the components' coverage, peers name the units outside the scope or with too
few indicators in common. Numbers are the build's own (no rounding beyond float64), with year and source.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from dashboard.api.params import (
    INDEX_PARAMS,
    PEER_PARAMS,
    PREFIX,
    ApiError,
    as_dashboard_query,
    countries,
    refused,
)
from dashboard.atlas import UNIT_COLUMNS, Atlas
from dashboard.composite import index_of, uncertainty_of
from dashboard.indicators import Indicators
from dashboard.peers import find_peers
from dashboard.session import base_vocabulary, indicators_for
from dashboard.state import parse_query
from geo.terms import LANGUAGES, LATEST

API_VERSION = "1"
# The units' own attributes as the atlas loads them; the distance is an indicator (/values), not one of them.
UNIT_FIELDS = tuple(c for c in UNIT_COLUMNS if c != "dist_urban_centre_km")


def root(atlas: Atlas, given: Mapping[str, str], **_path) -> dict:
    from dashboard.api.params import ENDPOINTS

    return {
        "api": f"PlurAlps Atlas API v{API_VERSION} (read-only)",
        "build_key": atlas.manifest.get("key"),
        "openapi": f"{PREFIX}/openapi.json",
        "endpoints": [{"path": PREFIX + e.path, "summary": e.summary} for e in ENDPOINTS],
    }


def build(atlas: Atlas, given: Mapping[str, str], **_path) -> dict:
    manifest = atlas.manifest
    archive = manifest.get("archive") or {}
    return {
        "key": manifest.get("key"),
        "built_at": manifest.get("built_at"),
        "format_version": manifest.get("format_version"),
        "units": len(atlas.units),
        "values": manifest.get("values"),
        "failures": manifest.get("failures", 0),
        "code_checksum": manifest.get("code_checksum"),
        "source_checksums": manifest.get("source_checksums", {}),
        "archive": (
            {
                "url": f"/download/{archive['name']}",
                "name": archive["name"],
                "bytes": archive["bytes"],
                "sha256": archive["sha256"],
                "files": archive.get("files", []),
            }
            if archive
            else None
        ),
    }


def units(atlas: Atlas, given: Mapping[str, str], **_path) -> dict:
    chosen = countries(given.get("countries"))
    frame = atlas.units[atlas.units["country"].isin(chosen)]
    fields = [f for f in UNIT_FIELDS if f in frame]
    return {"countries": list(chosen), "count": len(frame), "units": _records(frame[fields])}


def unit(atlas: Atlas, given: Mapping[str, str], unit_id: str) -> dict:
    row = _unit_row(atlas, unit_id)
    position = int(atlas.position[unit_id])
    values = []
    for indicator in atlas.indicator_ids():
        for year in atlas.years(indicator):
            if not atlas.has_series(indicator, year):
                continue
            series = atlas.series(indicator, year)
            value = series.values[position]
            if np.isnan(value):
                continue
            source = atlas.source_ids[series.source_codes[position]]
            values.append(
                {
                    "indicator": indicator,
                    "year": int(year),
                    "period": atlas.when(indicator, source, int(year)),
                    "value": float(value),
                    "source": source,
                }
            )
    region = atlas.regions[atlas.regions["nuts3"] == row["nuts3"]] if row.get("nuts3") else atlas.regions.iloc[0:0]
    return {
        "unit": row,
        "values": values,
        "indicators_without_value": sorted(set(atlas.indicator_ids()) - {v["indicator"] for v in values}),
        "region_values": _records(region),
    }


def indicators(atlas: Atlas, given: Mapping[str, str], **_path) -> dict:
    entries = [_indicator_entry(atlas, i) for i in atlas.indicator_ids()]
    return {"count": len(entries), "indicators": entries}


def indicator(atlas: Atlas, given: Mapping[str, str], indicator: str) -> dict:
    if indicator not in atlas.catalogue.index:
        raise ApiError(404, f"unknown indicator {indicator!r}: {PREFIX}/indicators lists them")
    return _indicator_entry(atlas, indicator)


def values(atlas: Atlas, given: Mapping[str, str], **_path) -> dict:
    indicator = given["indicator"]
    if indicator not in atlas.catalogue.index:
        raise ApiError(400, f"unknown indicator {indicator!r}: {PREFIX}/indicators lists them", "indicator")
    years = atlas.years(indicator)
    year_text = given.get("year", LATEST)
    year: int | str = LATEST
    if year_text != LATEST:
        try:
            year = int(year_text)
        except ValueError:
            year = -1
        if year not in years:
            raise ApiError(
                400,
                f"{indicator!r} has no year {year_text!r}: it has {', '.join(map(str, years))} (or {LATEST!r})",
                "year",
            )
    chosen = countries(given.get("countries"))
    series = atlas.series(indicator, year)
    rows = np.flatnonzero(atlas.units["country"].isin(chosen).to_numpy())
    present = series.present[rows]
    sources = np.asarray([*atlas.source_ids, None], dtype=object)  # -1 (no value) reads the last: None
    records = _rows(
        {
            "unit_id": atlas.units["unit_id"].to_numpy()[rows],
            "value": series.values[rows],
            "year": np.where(present, series.years[rows], -1),
            "source": sources[series.source_codes[rows]],
        },
        missing={"year": -1},
    )
    return {
        "indicator": _indicator_entry(atlas, indicator),
        "year": year,
        "countries": list(chosen),
        "units": len(rows),
        "with_value": int(present.sum()),
        "missing": int((~present).sum()),
        "values": records,
    }


def peers(atlas: Atlas, given: Mapping[str, str], unit_id: str) -> dict:
    _unit_row(atlas, unit_id)
    query = as_dashboard_query(PEER_PARAMS, given)
    parsed = parse_query(urlencode(query, safe=",:"), base_vocabulary(atlas))
    refused(PEER_PARAMS, parsed.ignored, given)
    method = parsed.state.peer.method()
    try:
        result = find_peers(_indicators(atlas), unit_id, method)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from exc
    return {
        "unit_id": unit_id,
        "method": {
            "indicators": list(method.indicators),
            "weights": dict(method.used),
            "k": method.k,
            "scope": method.scope if isinstance(method.scope, str) else list(method.scope),
            "min_common": method.min_common,
            "dashboard": "/?" + urlencode({"view": "peers", "unit": unit_id, **query}),
        },
        "unit_indicators": list(result.unit_indicators),
        "left_out": result.left_out,
        "counts": {
            "candidates": result.candidates,
            "outside_scope": result.outside_scope,
            "too_few_common": result.too_few_common,
            "ranked": result.ranked,
            "tied_at_k": result.tied,
            "required_in_common": result.required,
        },
        "scales": [
            {"indicator": s.indicator, "center": s.center, "spread": s.spread, "rule": s.rule, "log1p": s.log, "n": s.n}
            for s in result.scales
        ],
        "peers": [
            {
                "rank": n,
                "unit_id": p.unit_id,
                "name": p.name,
                "country": p.country,
                "distance": p.distance,
                "indicators": list(p.indicators),
                "most_alike": list(p.most_alike),
                "most_different": list(p.most_different),
                "z_differences": p.z_differences,
            }
            for n, p in enumerate(result.peers, start=1)
        ],
    }


def index(atlas: Atlas, given: Mapping[str, str], **_path) -> dict:
    query = as_dashboard_query(INDEX_PARAMS, given)
    parsed = parse_query(urlencode(query, safe=",:"), base_vocabulary(atlas))
    refused(INDEX_PARAMS, parsed.ignored, given)
    with_uncertainty = _boolean(given.get("uncertainty", "true"), "uncertainty")
    method = parsed.state.index.method()
    if method is None:  # the parser kept no component (every one unknown)
        raise ApiError(400, f"no usable component in {given.get('components')!r}", "components")
    found = _indicators(atlas)
    try:
        result = index_of(found, method)
        spread = uncertainty_of(found, method) if with_uncertainty else None
    except ValueError as exc:
        raise ApiError(400, str(exc)) from exc
    ids = atlas.units["unit_id"].to_numpy()
    ranked = ~np.isnan(result.value)
    table = {
        "unit_id": ids,
        "country": atlas.units["country"].to_numpy(),
        "value": result.value,
        "rank": result.rank,
        "ranked_with": result.ranked_with,
        "share_of_weight": result.share,
    }
    if spread is not None:
        robust = np.where(ranked, spread.robust.astype(np.int8), -1)
        table |= {"median_rank": spread.median, "rank_low": spread.low, "rank_high": spread.high, "robust": robust}
    records = _rows(table, missing={"robust": -1}, booleans=("robust",))
    return {
        "method": {
            "components": list(method.components),
            "directions": dict(method.directions),
            "normalisation": method.normalisation,
            "aggregation": method.aggregation,
            "weighting": method.weighting,
            "weights": dict(method.weights),
            "winsor": method.winsor,
            "min_share": parsed.state.index.min_share,  # percent, as the parameter
            "scope": method.scope,
            "dashboard": "/?" + urlencode({"view": "index", **query}),
        },
        "uncertainty": (
            {"draws": spread.draws, "seed": spread.seed, "interval": [5, 95]} if spread is not None else None
        ),
        "components": [
            {
                "indicator": c.indicator,
                "field": c.field,
                "direction": c.direction,
                "direction_assumed": c.assumed,
                "weight": c.weight,
                "units_with_value": c.units,
                "rho_with_index": _finite(rho),
            }
            for c, rho in zip(result.components, result.with_index)
        ],
        "correlation": [[_finite(v) for v in row] for row in result.correlation],
        "warnings": {
            "redundant": [{"a": a, "b": b, "rho": rho} for a, b, rho in result.redundant_pairs()],
            "against_index": [{"indicator": i, "rho": rho} for i, rho in result.against()],
            "no_spread": [{"indicator": i, "group": g} for i, g in result.no_spread],
        },
        "units": len(ids),
        "missing": int(result.missing),
        "values": records,
    }


def _indicators(atlas: Atlas) -> Indicators:
    return indicators_for(None, atlas)


def _unit_row(atlas: Atlas, unit_id: str) -> dict:
    if unit_id not in atlas.unit_ids:
        raise ApiError(404, f"unknown unit {unit_id!r}: {PREFIX}/units lists them")
    frame = atlas.units.iloc[[int(atlas.position[unit_id])]]
    return _records(frame[[f for f in UNIT_FIELDS if f in frame]])[0]


def _indicator_entry(atlas: Atlas, indicator: str) -> dict:
    entry = atlas.catalogue.loc[indicator]
    used = _sources_of(entry)
    return {
        "id": indicator,
        "labels": {lang: entry.get(f"label_{lang}") for lang in LANGUAGES if entry.get(f"label_{lang}")},
        "unit": entry["unit"],
        "theme": entry["theme"],
        "direction": entry["direction"],
        "kind": entry["kind"],
        "level": entry.get("level"),
        "years": [int(y) for y in atlas.years(indicator)],
        "sources": [
            {k: atlas.sources[s].get(k) for k in ("id", "title", "publisher", "licence", "attribution", "vintage")}
            for s in used
            if s in atlas.sources
        ],
        "licence": entry.get("licence"),
        "description": entry.get("description_en"),
        "note": entry.get("note"),
        "categories": _categories(entry.get("categories")),
        "values": f"{PREFIX}/values?indicator={indicator}",
    }


def _sources_of(entry) -> list[str]:
    """The source ids of a catalogue entry (a list in the build; text ";"-joined in older tables)."""
    raw = entry.get("sources")
    if raw is None:
        return []
    items = raw.split(";") if isinstance(raw, str) else raw
    return list(dict.fromkeys(str(s) for s in items if str(s)))


def _categories(raw) -> dict:
    import json

    try:
        return json.loads(raw or "{}")
    except ValueError:
        return {}


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values, missing (NaN, NA) as None."""
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict("records")


def _rows(columns: Mapping[str, np.ndarray], missing: Mapping[str, int] | None = None, booleans=()) -> list[dict]:
    """Columns as a list of row dicts of plain Python values: NaN, and a column's `missing` marker, as None.

    Built from each column's `tolist()`: pandas' `to_dict("records")` costs ten times as much for 18,000 rows."""
    names = list(columns)
    lists = []
    for name in names:
        values = columns[name].tolist() if hasattr(columns[name], "tolist") else list(columns[name])
        marker = (missing or {}).get(name)
        if marker is not None:
            values = [None if v == marker else v for v in values]
        elif values and isinstance(values[0], float):
            values = [None if v != v else v for v in values]  # NaN is the one value unequal to itself
        if name in booleans:
            values = [None if v is None else bool(v) for v in values]
        lists.append(values)
    return [dict(zip(names, row)) for row in zip(*lists)]


def _finite(value) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def _boolean(text: str, name: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise ApiError(400, f"parameter {name!r} is true or false, not {text!r}", name)
