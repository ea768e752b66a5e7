"""The table behind the current map: one row per unit of the selection, with value, year, period and source.

Pure (a DataFrame out): the map's CSV download and its paged table (dashboard/views/map.py, views/maptable.py)
both read it, so the two never disagree with each other or with the map.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.atlas import Atlas
from dashboard.change import base_of
from dashboard.indicators import Indicators
from dashboard.mapdata import map_model
from dashboard.state import State


def map_table(atlas: Atlas, state: State, indicators: Indicators | None = None) -> pd.DataFrame:
    """Return the table behind the current map: one row per unit of the selection, value with year and source."""
    indicators = indicators or Indicators(atlas)
    indicator = indicators.get(state.indicator)
    model = map_model(atlas, state, indicators)
    units = atlas.units
    keep = model.selection
    source = np.where(model.source_codes >= 0, np.array(atlas.source_ids, dtype=object)[model.source_codes], None)
    change = base_of(state.indicator) is not None  # a change keeps each unit's source (of the later year)
    if not indicator.catalogued and not change:  # the person's file, or the index computed from the components
        source = np.where(np.isnan(model.values), None, indicator.source)
    frame = pd.DataFrame(
        {
            "unit_id": units["unit_id"],
            "name": units["name"],
            "country": units["country"],
            "nuts3": units["nuts3"],
            "level": units["level"],
            "indicator": model.indicator,
            "value": model.values,
            "unit": indicator.unit,
            "year": np.where(np.isnan(model.values) | (model.years == 0), None, model.years),
            "period": None,
            "source": source,
        }
    )[keep]
    if indicator.kind == "categorical":  # the class as people read it, beside its code
        labels = {float(code): indicator.category_label(code, "en") for code in indicator.categories}
        frame.insert(frame.columns.get_loc("value") + 1, "class", frame["value"].map(labels))
    # A change indicator's value covers a span ("2010-2019"); the year column holds its end.
    spans = {
        (src, y): atlas.when(model.indicator, src, y)
        for src, y in set(zip(frame["source"], frame["year"]))
        if src is not None and y is not None
    }
    frame["period"] = [
        spans.get((src, y)) if spans.get((src, y)) != str(y) else None for src, y in zip(frame["source"], frame["year"])
    ]
    if change:  # both years of the change
        frame["period"] = np.where(frame["value"].isna(), None, f"{state.since}-{state.year}")
    if model.mode == "bivariate":
        frame = _with_second(frame, atlas, indicators, model)
    return frame


def _with_second(frame: pd.DataFrame, atlas: Atlas, indicators: Indicators, model) -> pd.DataFrame:
    """A bivariate map's table: the second indicator's value, year and source, and each unit's thirds
    (1 low .. 3 high) on both axes, empty where a value is missing."""
    second = model.versus_series
    keep = model.selection
    sources = np.array([*atlas.source_ids, None], dtype=object)[second.source_codes]
    cell = model.bivariate.cell.astype(int)
    placed = cell >= 0
    return frame.assign(
        versus_indicator=model.versus,
        versus_value=second.values[keep],
        versus_unit=indicators.get(model.versus).unit,
        versus_year=np.where(np.isnan(second.values), None, second.years)[keep],
        versus_source=sources[keep],
        third_of_indicator=np.where(placed, cell % 3 + 1, None)[keep],
        third_of_versus=np.where(placed, cell // 3 + 1, None)[keep],
    )
