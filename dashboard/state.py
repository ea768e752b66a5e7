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
from dashboard.peers import DEFAULT_INDICATORS, K_MAX, PeerMethod
from geo.terms import LATEST

VIEWS = ("map", "peers", "compare", "data", "about")
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
        peers=pick("peers", ("1", "0"), "0") == "1",
        peer=_parse_peer(params, vocab, ignored),
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
    if state.peers:
        params["peers"] = "1"
    params |= _peer_query(state.peer)
    return "?" + urlencode(params, safe=",:") if params else ""


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


def _default(vocab: Vocabulary) -> State:
    indicator = vocab.default_indicator if vocab.default_indicator in vocab.indicators else next(iter(vocab.indicators))
    return State(indicator=indicator)
