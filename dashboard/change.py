"""Change of an indicator between two years, per unit, as an indicator of the session ("change:<id>").

A change is computed only where the unit has a value in both years. Each year's values are on the
boundaries its source publishes and the readers leave out values on territory that changed between
years (e.g. Austria's 2011-2014 values of the municipalities merged in 2015): a unit without an earlier
value is left out of the change and counted, never given a change across a boundary change.

Three measures (as statistical offices publish them):
- `abs`: the difference, in the indicator's unit (percentage points for a share);
- `rel`: the relative change, (after / before - 1) x 100 %;
- `pa`: the average annual rate, ((after / before) ^ (1 / years) - 1) x 100 % per year.
`rel` and `pa` need a positive earlier value; a unit with an earlier value of 0 or less is left out and
counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.atlas import Series
from dashboard.i18n import fmt_number, t, unit_label
from dashboard.indicators import Derived, Indicator, Indicators
from geo.terms import CHANGE_MODES, CHANGE_PREFIX, DEFAULT_LANGUAGE, LANGUAGES

DEFAULT_CHANGE_MODE = CHANGE_MODES[0]
CHANGE_THEME = "change"


def change_id(base: str) -> str:
    return CHANGE_PREFIX + base


def base_of(indicator: str) -> str | None:
    """The indicator a change id is the change of (None for any other id)."""
    return indicator[len(CHANGE_PREFIX) :] if indicator.startswith(CHANGE_PREFIX) else None


@dataclass(frozen=True)
class ChangeCounts:
    """How many units have a change, and why the others have none (each unit counted once)."""

    both: int
    no_before: int  # no value in the earlier year (not published there, or on changed boundaries)
    no_after: int  # a value earlier but none in the later year
    no_base: int  # `rel`/`pa`: the earlier value is 0 or less


def change_values(before: np.ndarray, after: np.ndarray, years: int, mode: str) -> np.ndarray:
    """The change from `before` to `after` over `years` years by `mode`; NaN where undefined. Rounded to
    10 decimals: 16.3 - 16.4 is -0.1, not -0.09999999999999787 (which would ask the legend for digits)."""
    return np.round(_change(before, after, years, mode), DECIMALS)


DECIMALS = 10


def _change(before: np.ndarray, after: np.ndarray, years: int, mode: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode == "abs":
            return after - before
        ratio = np.where(before > 0, after / before, np.nan)
        if mode == "rel":
            return (ratio - 1.0) * 100.0
        if mode == "pa":
            return (np.where(ratio >= 0, ratio, np.nan) ** (1.0 / years) - 1.0) * 100.0
    raise ValueError(f"unknown change mode {mode!r}")


def counts(before: np.ndarray, after: np.ndarray, mode: str) -> ChangeCounts:
    has_before, has_after = ~np.isnan(before), ~np.isnan(after)
    both = has_before & has_after
    no_base = both & (before <= 0) if mode in ("rel", "pa") else np.zeros_like(both)
    return ChangeCounts(
        both=int((both & ~no_base).sum()),
        no_before=int((~has_before).sum()),
        no_after=int((has_before & ~has_after).sum()),
        no_base=int(no_base.sum()),
    )


def change_unit(base_unit: str, mode: str) -> str:
    """The unit of a change: percentage points for a difference of shares; % or % per year for rates."""
    if mode == "rel":
        return "%"
    if mode == "pa":
        return "% per year"
    return "percentage points" if base_unit in ("%", "% per year") else base_unit


def change_indicator(indicators: Indicators, base: str, since: int, until: int, mode: str) -> dict[str, Derived]:
    """The session indicator of the change of `base` from `since` to `until` by `mode`."""
    entry = indicators.get(base)
    before_series = indicators.series(base, since)
    after_series = indicators.series(base, until)
    # `series` falls back to each unit's latest value when the year is missing altogether: use the exact years.
    before = np.where(before_series.years == since, before_series.values, np.nan)
    after = np.where(after_series.years == until, after_series.values, np.nan)
    values = change_values(before, after, until - since, mode)
    tally = counts(before, after, mode)
    has = ~np.isnan(values)

    def series() -> Series:
        years = np.where(has, until, 0).astype(after_series.years.dtype)
        return Series(change_id(base), until, values, years, after_series.source_codes)

    def text(key: str, lang: str) -> str:
        return t(
            key,
            lang,
            indicator=entry.label(lang),
            since=since,
            until=until,
            measure=t(f"change.measure_{mode}", lang),
            both=fmt_number(tally.both, lang, 0),
            no_before=fmt_number(tally.no_before, lang, 0),
            no_after=fmt_number(tally.no_after, lang, 0),
            no_base=fmt_number(tally.no_base, lang, 0),
            unit=unit_label(entry.unit, lang),
        )

    def note(lang: str) -> str:
        parts = [text("change.note", lang)]
        if tally.no_base:
            parts.append(text("change.note_no_base", lang))
        return " ".join(parts)

    indicator = Indicator(
        id=change_id(base),
        labels={lang: text("change.label", lang) for lang in LANGUAGES},
        unit=change_unit(entry.unit, mode),
        kind="numeric",
        direction=entry.direction,
        theme=CHANGE_THEME,
        notes={lang: note(lang) for lang in LANGUAGES} | {DEFAULT_LANGUAGE: note(DEFAULT_LANGUAGE)},
        source=entry.source,
        licence=entry.licence,
        derived=True,
        around_zero=True,
    )
    return {change_id(base): Derived(indicator, series, tuple(indicators.years(base)[1:]))}


def changeable(indicators: Indicators, base: str) -> bool:
    """A numeric indicator with two or more years can be mapped as a change."""
    return base in indicators and indicators.get(base).kind == "numeric" and len(indicators.years(base)) >= 2
