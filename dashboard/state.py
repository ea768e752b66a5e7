"""The view state that lives in the URL, so a copied link reproduces the screen and back/forward work.

`State` holds view, indicator, year, countries, classification, classes, colours, selected unit, zoom, and
the peer finder's method (`PeerState`: indicators, weights, k, scope, minimum in common; see dashboard/peers.py).
`parse_query` reads any query string (hand-edited, truncated, hostile) into a valid State: every unknown or
out-of-range value falls back to its default, and the list of what was ignored is returned so the page can
say so. `to_query` writes a State back; the two round-trip.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlencode

from dashboard.classify import DEFAULT_CLASSES, DEFAULT_METHOD, MAX_CLASSES, METHODS, MIN_CLASSES, SCHEMES
from dashboard.composite import (
    AGGREGATIONS,
    DEFAULT_MIN_SHARE,
    INDEX_SCOPES,
    MAX_COMPONENTS,
    NORMALISATIONS,
    WEIGHTINGS,
    WINSOR_LEVELS,
    IndexMethod,
)
from dashboard.composite import MAX_WEIGHT as MAX_INDEX_WEIGHT
from dashboard.peers import DEFAULT_INDICATORS, K_MAX, PeerMethod
from geo.terms import CHANGE_MODES, CHANGE_PREFIX, LATEST

VIEWS = ("map", "peers", "index", "compare", "data", "about")
AUTO_SCHEME = "auto"
DEFAULT_INDICATOR = "foreign_pct"
MAX_QUERY_LENGTH = 2_000
# The peer finder's choices as the page offers them: "chosen" scopes to `PeerState.countries`. The default
# scope is other countries: the transnational question the finder exists for ("who elsewhere is like us?").
PEER_SCOPES = ("other_countries", "all", "chosen")
DEFAULT_PEER_SCOPE = "other_countries"
DEFAULT_PEER_K = 10
DEFAULT_MIN_COMMON = 3
MAX_PEER_INDICATORS = 20
# The index builder's fixed controls, each named after the IndexState field it sets (in page order).
INDEX_CONTROLS = ("components", "weighting", "normalisation", "aggregation", "winsor", "min_share", "scope")
MAX_WEIGHT = 10.0


@dataclass(frozen=True)
class PeerState:
    """The peer finder's method as the URL holds it (pk, pscope, pc, pi, pw, pmin)."""

    indicators: tuple[str, ...] = DEFAULT_INDICATORS
    weights: tuple[tuple[str, float], ...] = ()  # only weights other than 1, in the indicators' order
    k: int = DEFAULT_PEER_K
    scope: str = DEFAULT_PEER_SCOPE
    countries: tuple[str, ...] = ()  # the countries of scope "chosen"
    min_common: int = DEFAULT_MIN_COMMON

    def method(self) -> PeerMethod:
        """The method of dashboard.peers this describes."""
        scope = self.countries if self.scope == "chosen" else self.scope
        return PeerMethod(self.indicators, dict(self.weights), self.k, scope, self.min_common)

    def weight(self, indicator: str) -> float:
        return dict(self.weights).get(indicator, 1.0)


@dataclass(frozen=True)
class IndexState:
    """The composite index's method as the URL holds it (ix, ixd, ixn, ixa, ixw, ixwt, ixwin, ixmin, ixs);
    no components: no index."""

    components: tuple[str, ...] = ()
    directions: tuple[tuple[str, int], ...] = ()  # overrides of the catalogue, in the components' order
    normalisation: str = NORMALISATIONS[0]
    aggregation: str = AGGREGATIONS[0]
    weighting: str = WEIGHTINGS[0]
    weights: tuple[tuple[str, float], ...] = ()  # only weights other than 1
    winsor: float = 0.0
    min_share: int = round(100 * DEFAULT_MIN_SHARE)  # percent of the weight
    scope: str = INDEX_SCOPES[0]

    def method(self) -> IndexMethod | None:
        """The method of dashboard.composite this describes (None: no components chosen)."""
        if not self.components:
            return None
        return IndexMethod(
            self.components,
            self.directions,
            self.normalisation,
            self.winsor,
            self.weighting,
            self.weights,
            self.aggregation,
            self.min_share / 100,
            self.scope,
        )

    def weight(self, name: str) -> float:
        return dict(self.weights).get(name, 1.0)

    def direction(self, indicator: str) -> int | None:
        return dict(self.directions).get(indicator)


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
    peers: bool = False  # the selected unit's peers outlined on the map
    peer: PeerState = field(default_factory=PeerState)
    index: IndexState = field(default_factory=IndexState)
    # With a change indicator ("change:<id>"): the earlier year (the later one is `year`) and the measure.
    since: str | None = None
    change: str = CHANGE_MODES[0]
    # A second indicator mapped with the first on a 3 × 3 grid (dashboard/bivariate.py); None: one indicator.
    versus: str | None = None

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
    # What the peer finder may compare on (numbers, ordered codes, unit attributes); empty: the indicators.
    peer_indicators: frozenset[str] = frozenset()
    # What can be a component of the composite index (numeric indicators); empty: the indicators.
    index_components: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()  # the themes a weight per field may name


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
    changed = _parse_change(params, indicator, vocab, ignored)
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
        peers=pick("peers", ("1", "0"), "0") == "1",
        peer=_parse_peer(params, vocab, ignored),
        index=_parse_index(params, vocab, ignored),
    )
    if changed:
        state = replace(state, year=changed[0], since=changed[1], change=changed[2])
    if "versus" in params:
        state = replace(state, versus=_parse_versus(params["versus"], state, vocab, ignored))
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
    if state.peers:
        params["peers"] = "1"
    params |= _peer_query(state.peer)
    params |= _index_query(state.index)
    if state.since is not None:
        params["since"] = state.since
        if state.change != CHANGE_MODES[0]:
            params["change"] = state.change
    if state.versus:
        params["versus"] = state.versus
    return "?" + urlencode(params, safe=",:") if params else ""


def _parse_versus(value: str, state: State, vocab: Vocabulary, ignored: list[str]) -> str | None:
    """The second indicator of a bivariate map: numbers on both axes (no classes, no change), not the first."""
    numeric = vocab.index_components or frozenset(vocab.indicators)
    if value in numeric and state.indicator in numeric and value != state.indicator and state.since is None:
        return value
    ignored.append("versus")
    return None


def _parse_change(params: dict, indicator: str, vocab: Vocabulary, ignored: list[str]):
    """For a change indicator, return (later year, earlier year, measure) from `since`, `year`, `change`:
    the later year defaults to the newest, the earlier to the oldest before it; a year not of the indicator,
    or not before the later one, is ignored. For any other indicator, `since` and `change` are ignored."""
    if not indicator.startswith(CHANGE_PREFIX):
        ignored.extend(name for name in ("since", "change") if name in params)
        return None
    years = sorted(str(y) for y in vocab.indicators.get(indicator, ()))
    if len(years) < 2:
        return None
    later = params.get("year", years[-1])
    if later not in years[1:]:
        if later != LATEST:
            ignored.append("year")
        later = years[-1]
    earlier_years = [y for y in years if y < later]
    since = params.get("since", earlier_years[0])
    if since not in earlier_years:
        ignored.append("since")
        since = earlier_years[0]
    mode = params.get("change", CHANGE_MODES[0])
    if mode not in CHANGE_MODES:
        ignored.append("change")
        mode = CHANGE_MODES[0]
    return later, since, mode


def _peer_query(peer: PeerState) -> dict[str, str]:
    default = PeerState()
    params = {}
    if peer.k != default.k:
        params["pk"] = str(peer.k)
    if peer.scope != default.scope:
        params["pscope"] = peer.scope
    if peer.scope == "chosen":
        params["pc"] = ",".join(peer.countries)
    if peer.indicators != default.indicators:
        params["pi"] = ",".join(peer.indicators)
    if peer.weights:
        params["pw"] = ",".join(f"{i}:{_number(w)}" for i, w in peer.weights)
    if peer.min_common != default.min_common:
        params["pmin"] = str(peer.min_common)
    return params


def _number(weight: float) -> str:
    return str(int(weight)) if float(weight).is_integer() else repr(float(weight))


def _parse_peer(params: dict[str, str], vocab: Vocabulary, ignored: list[str]) -> PeerState:
    """Read the peer finder's part of a query; a value out of range falls back to its default (and is named)."""
    default = PeerState()
    allowed = vocab.peer_indicators or frozenset(vocab.indicators)

    def whole(name: str, low: int, high: int, fallback: int) -> int:
        if name not in params:
            return fallback
        try:
            value = int(params[name])
            if low <= value <= high:
                return value
        except ValueError:
            pass
        ignored.append(name)
        return fallback

    k = whole("pk", 1, K_MAX, default.k)
    min_common = whole("pmin", 1, MAX_PEER_INDICATORS, default.min_common)
    indicators = default.indicators
    if "pi" in params:
        requested = list(dict.fromkeys(i for i in params["pi"].split(",") if i))[:MAX_PEER_INDICATORS]
        known = tuple(i for i in requested if i in allowed)
        if len(known) != len(requested) or len(params["pi"].split(",")) > MAX_PEER_INDICATORS:
            ignored.append("pi")
        indicators = known or default.indicators
    weights: dict[str, float] = {}
    if "pw" in params:
        bad = False
        for item in params["pw"].split(","):
            name, _, text = item.partition(":")
            try:
                weight = float(text)
            except ValueError:
                weight = float("nan")
            if name in indicators and 0 <= weight <= MAX_WEIGHT:  # NaN and inf fail the comparison
                weights[name] = weight
            else:
                bad = True
        if bad:
            ignored.append("pw")
    if weights and all(weights.get(i, 1.0) == 0 for i in indicators):
        ignored.append("pw")  # every weight 0 compares on nothing
        weights = {}
    scope = params.get("pscope", default.scope)
    if scope not in PEER_SCOPES:
        ignored.append("pscope")
        scope = default.scope
    countries: tuple[str, ...] = ()
    if scope == "chosen":
        requested = [c for c in params.get("pc", "").split(",") if c]
        countries = tuple(sorted({c for c in requested if c in vocab.countries}))
        if len(countries) != len(set(requested)) or not countries:
            ignored.append("pc")
        if not countries:
            scope = default.scope
    elif "pc" in params:
        ignored.append("pc")
    ordered = tuple((i, weights[i]) for i in indicators if i in weights and weights[i] != 1.0)
    return PeerState(indicators, ordered, k, scope, countries, min_common)


def _index_query(index: IndexState) -> dict[str, str]:
    if not index.components:
        return {}
    default = IndexState()
    params = {"ix": ",".join(index.components)}
    if index.directions:
        params["ixd"] = ",".join(f"{i}:{d}" for i, d in index.directions)
    for key, name in (("ixn", "normalisation"), ("ixa", "aggregation"), ("ixw", "weighting"), ("ixs", "scope")):
        if getattr(index, name) != getattr(default, name):
            params[key] = getattr(index, name)
    if index.weights:
        params["ixwt"] = ",".join(f"{i}:{_number(w)}" for i, w in index.weights)
    if index.winsor != default.winsor:
        params["ixwin"] = _number(index.winsor)
    if index.min_share != default.min_share:
        params["ixmin"] = str(index.min_share)
    return params


def _parse_index(params: dict[str, str], vocab: Vocabulary, ignored: list[str]) -> IndexState:
    """Read the composite index's part of a query; what is out of range falls back to its default (named)."""
    default = IndexState()
    if "ix" not in params:
        for key in ("ixd", "ixn", "ixa", "ixw", "ixwt", "ixwin", "ixmin", "ixs"):
            if key in params:
                ignored.append(key)
        return default
    allowed = vocab.index_components or frozenset(vocab.indicators)
    requested = [i for i in params["ix"].split(",") if i]
    components = tuple(i for i in dict.fromkeys(requested) if i in allowed)[:MAX_COMPONENTS]
    if len(components) != len(requested):
        ignored.append("ix")
    if not components:
        return default

    def choice(key: str, allowed_values, fallback):
        value = params.get(key, fallback)
        if value in allowed_values:
            return value
        ignored.append(key)
        return fallback

    weighting = choice("ixw", WEIGHTINGS, default.weighting)
    names = set(components) if weighting == "indicator" else set(vocab.fields)
    directions, weights = {}, {}
    for key, target, read in (("ixd", directions, _sign), ("ixwt", weights, _weight)):
        if key not in params:
            continue
        bad = False
        for item in params[key].split(","):
            name, _, text = item.partition(":")
            value = read(text)
            if name in (set(components) if key == "ixd" else names) and value is not None:
                target[name] = value
            else:
                bad = True
        if bad:
            ignored.append(key)
    if weights and weighting == "indicator" and all(weights.get(i, 1.0) == 0 for i in components):
        ignored.append("ixwt")  # every weight 0 weighs nothing
        weights = {}
    winsor = default.winsor
    if "ixwin" in params:
        value = _weight(params["ixwin"])
        if value in WINSOR_LEVELS:
            winsor = value
        else:
            ignored.append("ixwin")
    min_share = default.min_share
    if "ixmin" in params:
        try:
            min_share = int(params["ixmin"])
            if not 1 <= min_share <= 100:
                raise ValueError
        except ValueError:
            ignored.append("ixmin")
            min_share = default.min_share
    order = list(components) if weighting == "indicator" else sorted(weights)
    return IndexState(
        components=components,
        directions=tuple((i, directions[i]) for i in components if i in directions),
        normalisation=choice("ixn", NORMALISATIONS, default.normalisation),
        aggregation=choice("ixa", AGGREGATIONS, default.aggregation),
        weighting=weighting,
        weights=tuple((n, weights[n]) for n in order if n in weights and weights[n] != 1.0),
        winsor=winsor,
        min_share=min_share,
        scope=choice("ixs", INDEX_SCOPES, default.scope),
    )


def _sign(text: str) -> int | None:
    return {"1": 1, "-1": -1}.get(text)


def _weight(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= MAX_INDEX_WEIGHT else None  # NaN and inf fail the comparison


def _default(vocab: Vocabulary) -> State:
    indicator = vocab.default_indicator if vocab.default_indicator in vocab.indicators else next(iter(vocab.indicators))
    return State(indicator=indicator)
