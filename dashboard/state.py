"""The view state that lives in the URL, so a copied link reproduces the screen and back/forward work.

`State` holds view, indicator, year, countries, classification, classes, colours, selected unit and zoom.
`parse_query` reads any query string (hand-edited, truncated, hostile) into a valid State: every unknown or
out-of-range value falls back to its default, and the list of what was ignored is returned so the page can
say so. `to_query` writes a State back; the two round-trip.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlencode

from dashboard.classify import DEFAULT_CLASSES, DEFAULT_METHOD, MAX_CLASSES, METHODS, MIN_CLASSES, SCHEMES
from geo.terms import LATEST

VIEWS = ("map", "compare", "data", "about")
AUTO_SCHEME = "auto"
DEFAULT_INDICATOR = "foreign_pct"
MAX_QUERY_LENGTH = 2_000


@dataclass(frozen=True)
class State:
    view: str = "map"
    indicator: str = DEFAULT_INDICATOR
    year: str = LATEST  # "latest" or a year as text
    countries: tuple[str, ...] = ()  # empty = all countries
    method: str = DEFAULT_METHOD
    classes: int = DEFAULT_CLASSES
    scheme: str = AUTO_SCHEME
    unit: str | None = None
    zoom: str | None = None  # a country, NUTS 2 or NUTS 3 code to frame
    lang: str = "en"
    present: bool = False  # presentation mode: large type, controls hidden until needed
    story: str | None = None  # a story of data/stories, shown step by step in presentation mode
    step: int = 1

    def with_(self, **changes) -> State:
        return replace(self, **changes)


@dataclass(frozen=True)
class Vocabulary:
    """What the dataset allows: indicators with their years, countries, units, zoom targets, languages."""

    indicators: dict[str, tuple[int, ...]]
    countries: tuple[str, ...]
    units: frozenset[str]
    zoom_targets: frozenset[str]
    languages: tuple[str, ...] = ("en",)
    default_indicator: str = DEFAULT_INDICATOR
    stories: dict[str, int] = field(default_factory=dict)  # story id -> number of steps


@dataclass(frozen=True)
class Parsed:
    state: State
    ignored: tuple[str, ...] = field(default_factory=tuple)


def parse_query(query: str | None, vocab: Vocabulary) -> Parsed:
    """Return the State described by `query` (with or without the leading "?") and the ignored parts."""
    ignored: list[str] = []
    text = (query or "").lstrip("?")
    if len(text) > MAX_QUERY_LENGTH:
        return Parsed(_default(vocab), ("query too long",))
    params = {k: v[-1] for k, v in parse_qs(text, keep_blank_values=False).items()}
    default = _default(vocab)

    def pick(name: str, allowed: Iterable[str], fallback):
        value = params.get(name)
        if value is None:
            return fallback
        if value in allowed:
            return value
        ignored.append(name)
        return fallback

    indicator = pick("indicator", vocab.indicators, default.indicator)
    years = {str(y) for y in vocab.indicators.get(indicator, ())} | {LATEST}
    countries: tuple[str, ...] = ()
    if "countries" in params:
        requested = [c for c in params["countries"].split(",") if c]
        known = [c for c in requested if c in vocab.countries]
        if len(known) != len(requested):
            ignored.append("countries")
        countries = tuple(sorted(set(known)))
    classes = default.classes
    if "classes" in params:
        try:
            classes = int(params["classes"])
            if not MIN_CLASSES <= classes <= MAX_CLASSES:
                raise ValueError
        except ValueError:
            ignored.append("classes")
            classes = default.classes
    state = State(
        view=pick("view", VIEWS, default.view),
        indicator=indicator,
        year=pick("year", years, LATEST),
        countries=countries,
        method=pick("method", METHODS, default.method),
        classes=classes,
        scheme=pick("scheme", [*SCHEMES, AUTO_SCHEME], AUTO_SCHEME),
        unit=pick("unit", vocab.units, None),
        zoom=pick("zoom", vocab.zoom_targets, None),
        lang=pick("lang", vocab.languages, default.lang),
        present=pick("present", ("1", "0"), "0") == "1",
        story=pick("story", vocab.stories, None),
    )
    if state.story:
        steps = vocab.stories[state.story]
        try:
            step = int(params.get("step", "1"))
            if not 1 <= step <= steps:
                raise ValueError
        except ValueError:
            ignored.append("step")
            step = 1
        state = replace(state, step=step, present=True)
    elif "step" in params:
        ignored.append("step")
    return Parsed(state, tuple(ignored))


def to_query(state: State) -> str:
    """Return the query string ("?..." or "") for `state`, leaving out values equal to the defaults."""
    default = State()
    params = {}
    for name in ("view", "indicator", "year", "method", "classes", "scheme", "unit", "zoom", "lang", "story"):
        value = getattr(state, name)
        if value is not None and value != getattr(default, name):
            params[name] = value
    if state.story:
        params["step"] = state.step
    elif state.present:
        params["present"] = "1"
    if state.countries:
        params["countries"] = ",".join(state.countries)
    return "?" + urlencode(params, safe=",") if params else ""


def _default(vocab: Vocabulary) -> State:
    indicator = vocab.default_indicator if vocab.default_indicator in vocab.indicators else next(iter(vocab.indicators))
    return State(indicator=indicator)
