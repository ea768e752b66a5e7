"""What the browser needs to paint the map for one view state: values and classes, never geometry.

`map_payload` returns a small JSON-ready dict: the value of every feature (aligned to the geometry's feature
ids), the class breaks and colours, and for hover the year and source of each value. The browser derives
each feature's class from its value with the same rule as `Classes.assign` (upper bounds inclusive), so a
switch of method, classes or colours sends the same values and new breaks.

`map_model` returns what both derive from (classes, colours, the legend rows with colour, bounds and count,
the missing-value count); `legend_digits` the decimals that tell the legend's bounds apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.atlas import Atlas, Series
from dashboard.bivariate import PALETTE, SIDE, Bivariate, bivariate
from dashboard.classify import (
    FILTERED_COLOUR,
    MISSING_COLOUR,
    Classes,
    category_palette,
    centred_palette,
    classify,
    classify_around_zero,
    diverging_scheme,
    palette,
    scheme_for,
)
from dashboard.indicators import Indicator, Indicators
from dashboard.state import LATEST, State

SIGNIFICANT_DIGITS = 4


@dataclass(frozen=True)
class LegendRow:
    colour: str
    lower: float | None
    upper: float | None
    count: int
    label: str | None = None  # categories


@dataclass(frozen=True)
class MapModel:
    """Everything derived from one state: classes, colours, legend rows and counts."""

    indicator: str
    year: int | str
    mode: str  # classes, continuous, categories
    classes: Classes | None
    colours: list[str]
    categories: list[int]
    legend: list[LegendRow]
    in_selection: int  # units of the chosen countries
    missing: int  # of those, units without a value
    values: np.ndarray
    years: np.ndarray
    source_codes: np.ndarray
    selection: np.ndarray  # bool per unit: inside the chosen countries
    variant: str = ""  # what else the values depend on (a change: its earlier year and measure)
    # A bivariate map (mode "bivariate"): the second indicator, its values, and the 3 × 3 classes.
    versus: str | None = None
    versus_series: Series | None = None  # its values, years and sources (hover, table, CSV)
    bivariate: Bivariate | None = None


def year_key(state: State) -> int | str:
    return LATEST if state.year == LATEST else int(state.year)


def map_model(atlas: Atlas, state: State, indicators: Indicators | None = None) -> MapModel:
    """Classify the state's indicator over the chosen countries; return the model behind map and legend.

    `indicators` adds the session's uploaded indicators to the catalogue's.
    """
    indicators = indicators or Indicators(atlas)
    entry = indicators.get(state.indicator)
    series = indicators.series(state.indicator, year_key(state))
    selection = (
        np.ones(len(atlas.units), dtype=bool)
        if not state.countries
        else atlas.units["country"].isin(state.countries).to_numpy()
    )
    values = np.where(selection, series.values, np.nan)
    missing = int(np.count_nonzero(selection & np.isnan(series.values)))
    crossable = state.versus in indicators and state.versus != state.indicator and state.since is None
    if state.versus and crossable and entry.kind != "categorical":
        return _bivariate(indicators, state, series, selection)
    if entry.kind == "categorical":
        return _categorical(entry, state, series, values, selection, missing)
    around_zero = entry.around_zero
    if around_zero:
        classes = classify_around_zero(values, state.method, state.classes)
        scheme = diverging_scheme(entry.direction, state.scheme)
    else:
        classes = classify(values, state.method, state.classes)
        scheme = scheme_for(entry.direction, state.scheme)
    if state.method == "continuous" or len(classes.bins) <= 1:
        colours = palette(scheme, 9, entry.direction)
        mode = "continuous"
        legend = (
            []
            if not classes.bins
            else [LegendRow(colours[0], classes.lower, None, 0), LegendRow(colours[-1], None, classes.bins[-1], 0)]
        )
    else:
        colours = (
            centred_palette(scheme, classes, entry.direction)
            if around_zero
            else palette(scheme, len(classes.bins), entry.direction)
        )
        mode = "classes"
        rows = zip(colours, classes.class_lowers(), classes.bins, classes.counts)
        legend = [LegendRow(c, lo, hi, n) for c, lo, hi, n in rows]
    return MapModel(
        state.indicator,
        series.year,
        mode,
        classes,
        colours,
        [],
        legend,
        int(selection.sum()),
        missing,
        series.values,
        series.years,
        series.source_codes,
        selection,
        f"|since={state.since}|change={state.change}" if around_zero else "",
    )


def _bivariate(indicators: Indicators, state: State, series, selection: np.ndarray) -> MapModel:
    """Both indicators in tertiles over the units with both values (dashboard/bivariate.py)."""
    second = indicators.series(state.versus, year_key(state))
    grid = bivariate(series.values, second.values, selection)
    legend = [
        LegendRow(PALETTE[SIDE * row + col], None, None, int(grid.counts[row, col]), f"{col},{row}")
        for row in range(SIDE)
        for col in range(SIDE)
    ]
    return MapModel(
        state.indicator,
        series.year,
        "bivariate",
        None,
        list(PALETTE),
        [],
        legend,
        int(selection.sum()),
        grid.missing,
        series.values,
        series.years,
        series.source_codes,
        selection,
        f"|versus={state.versus}",
        state.versus,
        second,
        grid,
    )


def _categorical(entry: Indicator, state, series, values, selection, missing) -> MapModel:
    labels = entry.categories
    present = values[~np.isnan(values)].astype(int)
    codes = sorted({int(c) for c in labels} | set(np.unique(present).tolist()))
    colours_by_code = category_palette(codes)
    counts = {c: int(np.count_nonzero(present == c)) for c in codes}
    legend = [
        LegendRow(colours_by_code[c], c, c, counts[c], entry.category_label(c, state.lang))
        for c in codes
        if counts[c] > 0
    ]
    return MapModel(
        state.indicator,
        series.year,
        "categories",
        None,
        [colours_by_code[c] for c in codes],
        codes,
        legend,
        int(selection.sum()),
        missing,
        series.values,
        series.years,
        series.source_codes,
        selection,
    )


def map_payload(atlas: Atlas, model: MapModel, state: State) -> dict:
    """Return the JSON-ready data the browser script paints from (see assets/atlas-map.js).

    `classes` is the colour index of every feature: 0..k-1 (classes, categories), 0..100 (continuous:
    position between minimum and maximum), -1 no value, -2 outside the chosen countries. `values` are
    for hover only, rounded to SIGNIFICANT_DIGITS. Arrays stay numpy: Dash's orjson encoder writes them
    without a Python loop.
    """
    meta, meta_table = _when_and_where(atlas, model.indicator, model.values, model.years, model.source_codes)
    second = model.versus_series
    if second is not None:
        meta2, meta_table2 = _when_and_where(atlas, model.versus, second.values, second.years, second.source_codes)
    return {
        "key": f"{model.indicator}|{model.year}{model.variant}",
        "indicator": model.indicator,
        "mode": model.mode,
        "classes": feature_classes(model),
        "values": round_significant(model.values),
        "meta": meta.astype(np.int16),
        "metaTable": meta_table,
        "colours": model.colours,
        "missingColour": MISSING_COLOUR,
        "filteredColour": FILTERED_COLOUR,
        "zoom": atlas.bounds.get(state.zoom) if state.zoom else None,
        "zoomKey": state.zoom,
        # The second indicator's values for hover (a bivariate map); its label and unit come with the texts.
        "values2": round_significant(second.values) if second is not None else None,
        "meta2": meta2.astype(np.int16) if second is not None else None,
        "metaTable2": meta_table2 if second is not None else None,
    }


def _when_and_where(atlas: Atlas, indicator: str, values, years, source_codes) -> tuple[np.ndarray, list]:
    """Hover shows each value with its year and source: (year, source) pairs encoded once, per unit an index
    into the table of pairs. Source code -1 (an uploaded value) becomes "", which the browser shows as the
    file's name."""
    present = ~np.isnan(values)
    sources = ["", *atlas.source_ids]
    pairs = np.where(present, years.astype(np.int32) * 1000 + source_codes + 1, -1)
    table, meta = np.unique(pairs, return_inverse=True)
    meta_table = [
        None
        if p < 0
        else [atlas.when(indicator, sources[int(p % 1000)], int(p // 1000)) or None, sources[int(p % 1000)]]
        for p in table
    ]
    return meta, meta_table


def feature_classes(model: MapModel) -> np.ndarray:
    """Return the colour index of every feature (see map_payload)."""
    values = np.where(model.selection, model.values, np.nan)
    if model.mode == "bivariate":
        return model.bivariate.cell.astype(np.int8)
    if model.mode == "categories":
        codes = np.asarray(model.categories, dtype=float)
        idx = np.searchsorted(codes, values)
        idx = np.where(np.isnan(values), -1, np.minimum(idx, max(len(codes) - 1, 0)))
    elif model.mode == "continuous":
        lo, hi = model.classes.lower, (model.classes.bins[-1] if model.classes.bins else np.nan)
        span = hi - lo if hi > lo else 1.0
        idx = np.where(np.isnan(values), -1, np.rint((values - lo) / span * 100))
    else:
        idx = model.classes.assign(values)
    idx = np.where(model.selection, idx, -2)
    return idx.astype(np.int8)


def legend_digits(bounds: list[float]) -> int:
    """Return the decimals that tell every class bound apart (0 to 3), the same for the whole legend."""
    values = sorted({float(b) for b in bounds if b is not None})
    gaps = [b - a for a, b in zip(values, values[1:]) if b > a]
    if not gaps:
        return 0
    return int(min(3, max(0, -np.floor(np.log10(min(gaps))) + 1)))


def round_significant(values: np.ndarray, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Return `values` rounded to `digits` significant digits (NaN stays NaN), vectorised."""
    out = np.array(values, dtype=float)
    finite = np.isfinite(out) & (out != 0)
    magnitude = np.floor(np.log10(np.abs(out[finite])))
    # Never round away integer digits: a population of 1,512,491 stays 1,512,491, 12.3456 becomes 12.35.
    scale = 10.0 ** np.maximum(digits - 1 - magnitude, 0)
    out[finite] = np.round(out[finite] * scale) / scale
    return out
