"""The composite index as indicators of the session: its score and the width of its rank interval, mapped,
tabled, compared and profiled like any indicator (ids `INDEX_SCORE`, `INDEX_WIDTH`).

Their values are computed from the session's indicators by dashboard.composite (cached there per method);
each unit's year is the newest year among the component values its index used.
"""

from __future__ import annotations

import numpy as np

from dashboard.atlas import Series
from dashboard.composite import IndexMethod, check_component, index_of, uncertainty_of
from dashboard.i18n import t
from dashboard.indicators import Derived, Indicator, Indicators
from geo.terms import DEFAULT_LANGUAGE, LANGUAGES, LATEST

INDEX_SCORE = "index:score"
INDEX_WIDTH = "index:width"
INDEX_IDS = (INDEX_SCORE, INDEX_WIDTH)
INDEX_THEME = "index"


def usable(indicators: Indicators, method: IndexMethod | None) -> bool:
    """True when every component of `method` is a numeric indicator of the session (an upload may be gone)."""
    if method is None:
        return False
    try:
        for indicator in method.components:
            check_component(indicators, indicator)
    except ValueError:
        return False
    return True


def _years(indicators: Indicators, method: IndexMethod, has_index: np.ndarray) -> np.ndarray:
    years = np.zeros(len(has_index), dtype=np.int16)
    for indicator in method.components:
        years = np.maximum(years, indicators.series(indicator, LATEST).years.astype(np.int16))
    return np.where(has_index, years, 0).astype(np.int16)


def index_indicators(indicators: Indicators, method: IndexMethod) -> dict[str, Derived]:
    """The index's two indicators for `method` (computed when first read)."""
    n = len(indicators.atlas.units)
    no_source = np.full(n, -1, dtype=np.int16)

    def score() -> Series:
        result = index_of(indicators, method)
        has = ~np.isnan(result.value)
        return Series(INDEX_SCORE, LATEST, result.value, _years(indicators, method, has), no_source)

    def width() -> Series:
        spread = uncertainty_of(indicators, method).width_share
        has = ~np.isnan(spread)
        return Series(INDEX_WIDTH, LATEST, spread, _years(indicators, method, has), no_source)

    names = ", ".join(method.components)
    unit = "z" if method.normalisation == "zscore" and method.aggregation == "arithmetic" else "points"

    def entry(indicator: str, key: str, unit: str, direction: str) -> Indicator:
        return Indicator(
            id=indicator,
            labels={lang: t(f"index.{key}", lang) for lang in LANGUAGES},
            unit=unit,
            kind="numeric",
            direction=direction,
            theme=INDEX_THEME,
            notes={lang: t(f"index.{key}_note", lang, components=names) for lang in LANGUAGES}
            | {DEFAULT_LANGUAGE: t(f"index.{key}_note", DEFAULT_LANGUAGE, components=names)},
            source=t("index.source", DEFAULT_LANGUAGE),
            licence="",
            derived=True,
        )

    return {
        INDEX_SCORE: Derived(entry(INDEX_SCORE, "score", unit, "higher_better"), score),
        INDEX_WIDTH: Derived(entry(INDEX_WIDTH, "width", "% of units ranked", "higher_worse"), width),
    }
