"""The API's endpoints and parameters, defined once: the routes read requests with them and the OpenAPI
document is written from them.

A parameter that maps onto the dashboard's URL (`url_key`) is read by the dashboard's own parser
(dashboard.state.parse_query); what the parser refuses becomes a 400 naming the API parameter. Unknown,
repeated and missing required parameters are refused here, before any answer is computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dashboard.composite import (
    AGGREGATIONS,
    INDEX_SCOPES,
    MAX_COMPONENTS,
    NORMALISATIONS,
    WEIGHTINGS,
    WINSOR_LEVELS,
)
from dashboard.composite import MAX_WEIGHT as MAX_INDEX_WEIGHT
from dashboard.peers import DEFAULT_INDICATORS, K_MAX
from dashboard.state import (
    DEFAULT_MIN_COMMON,
    DEFAULT_PEER_K,
    DEFAULT_PEER_SCOPE,
    MAX_PEER_INDICATORS,
    MAX_WEIGHT,
    PEER_SCOPES,
)
from geo.terms import COUNTRIES, LATEST

PREFIX = "/api/v1"


class ApiError(Exception):
    """A request the API cannot answer: HTTP status, a message for a person, and the parameter at fault."""

    def __init__(self, status: int, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter

    def body(self) -> dict:
        return {"error": self.message} | ({"parameter": self.parameter} if self.parameter else {})


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict
    required: bool = False
    url_key: str | None = None  # the dashboard URL's name for it, when the dashboard's parser reads it


@dataclass(frozen=True)
class Endpoint:
    name: str  # the answer function of dashboard.api.answers
    path: str  # below PREFIX, OpenAPI style: /units/{unit_id}
    summary: str
    params: tuple[Param, ...] = ()
    path_params: tuple[Param, ...] = ()
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)


_COUNTRY_LIST = {"type": "string", "pattern": "^[A-Z]{2}(,[A-Z]{2})*$", "example": "AT,CH"}
_COUNTRIES = Param(
    "countries",
    f"Comma-separated country codes ({', '.join(COUNTRIES)}); all countries when left out.",
    _COUNTRY_LIST,
)
_UNIT = Param("unit_id", "A unit code as /units lists it, e.g. AT_70101 (Innsbruck).", {"type": "string"}, True)

PEER_PARAMS = (
    Param(
        "k",
        f"How many peers, 1-{K_MAX}.",
        {"type": "integer", "minimum": 1, "maximum": K_MAX, "default": DEFAULT_PEER_K},
        url_key="pk",
    ),
    Param(
        "scope",
        "Where peers are looked for: other countries than the unit's, all units, or the `countries` given.",
        {"type": "string", "enum": list(PEER_SCOPES), "default": DEFAULT_PEER_SCOPE},
        url_key="pscope",
    ),
    Param(
        "countries", "With scope=chosen: the countries to look in (comma-separated codes).", _COUNTRY_LIST, url_key="pc"
    ),
    Param(
        "indicators",
        f"Comma-separated indicator ids to compare on (at most {MAX_PEER_INDICATORS}); "
        f"default {','.join(DEFAULT_INDICATORS)}.",
        {"type": "string"},
        url_key="pi",
    ),
    Param(
        "weights",
        f"Weights other than 1, as id:weight pairs (0-{MAX_WEIGHT:g}), e.g. density:2.",
        {"type": "string", "example": "density:2"},
        url_key="pw",
    ),
    Param(
        "min_common",
        "Indicators a peer must have in common with the unit.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PEER_INDICATORS, "default": DEFAULT_MIN_COMMON},
        url_key="pmin",
    ),
)

INDEX_PARAMS = (
    Param(
        "components",
        f"Comma-separated numeric indicator ids, at most {MAX_COMPONENTS}.",
        {"type": "string", "example": "housing_pct,employment_rate"},
        True,
        url_key="ix",
    ),
    Param(
        "directions",
        "Overrides of the catalogue's direction, as id:1 (higher is better) or id:-1.",
        {"type": "string", "example": "density:-1"},
        url_key="ixd",
    ),
    Param(
        "normalisation",
        "How components are made comparable.",
        {"type": "string", "enum": list(NORMALISATIONS), "default": NORMALISATIONS[0]},
        url_key="ixn",
    ),
    Param(
        "aggregation",
        "How the scores are combined.",
        {"type": "string", "enum": list(AGGREGATIONS), "default": AGGREGATIONS[0]},
        url_key="ixa",
    ),
    Param(
        "weighting",
        "Weights per indicator, or per SPI field of action (shared by its indicators).",
        {"type": "string", "enum": list(WEIGHTINGS), "default": WEIGHTINGS[0]},
        url_key="ixw",
    ),
    Param(
        "weights",
        f"Weights other than 1, as name:weight pairs (0-{MAX_INDEX_WEIGHT:g}); names are indicators, "
        "or fields with weighting=field.",
        {"type": "string", "example": "housing_pct:2"},
        url_key="ixwt",
    ),
    Param(
        "winsor",
        "Share cut off at each tail before normalising.",
        {"type": "number", "enum": list(WINSOR_LEVELS), "default": 0},
        url_key="ixwin",
    ),
    Param(
        "min_share",
        "Percent of the weight a unit must have values for to get an index.",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
        url_key="ixmin",
    ),
    Param(
        "scope",
        "Ranks over all units, or within each country.",
        {"type": "string", "enum": list(INDEX_SCOPES), "default": INDEX_SCOPES[0]},
        url_key="ixs",
    ),
    Param(
        "uncertainty",
        "Also run the Monte Carlo over the choices (1,000 seeded draws): each unit's median rank and 5-95 % interval.",
        {"type": "boolean", "default": True},
    ),
)

ENDPOINTS = (
    Endpoint("root", "/", "What the API offers and which build it serves.", tags=("about",)),
    Endpoint(
        "build",
        "/build",
        "The build: key, date, units, sources' checksums, and the open data archive.",
        tags=("about",),
    ),
    Endpoint(
        "units",
        "/units",
        "Every unit with its codes, names, NUTS 2021 regions and classes (no geometry: see the archive).",
        (_COUNTRIES,),
        tags=("units",),
    ),
    Endpoint(
        "unit",
        "/units/{unit_id}",
        "One unit's profile: attributes, every value by year with its source, and the values of its NUTS 3 region.",
        path_params=(_UNIT,),
        tags=("units",),
    ),
    Endpoint(
        "peers",
        "/units/{unit_id}/peers",
        "The unit's most similar units (robust z-scores, weighted Gower-normalised distance; as the Peers view).",
        PEER_PARAMS,
        (_UNIT,),
        tags=("units",),
    ),
    Endpoint(
        "indicators",
        "/indicators",
        "Every indicator with its metadata: labels in five languages, unit, "
        "theme, direction, years, sources, licence, note.",
        tags=("indicators",),
    ),
    Endpoint(
        "indicator",
        "/indicators/{indicator}",
        "One indicator's metadata.",
        path_params=(Param("indicator", "An indicator id as /indicators lists it.", {"type": "string"}, True),),
        tags=("indicators",),
    ),
    Endpoint(
        "values",
        "/values",
        "The values of one indicator for every unit of the chosen countries: a unit without a value is listed "
        "with value null, and counted.",
        (
            Param("indicator", "An indicator id as /indicators lists it.", {"type": "string"}, True),
            Param(
                "year",
                f"A year the indicator has, or {LATEST!r}: each unit's latest value.",
                {"type": "string", "default": LATEST, "example": "2021"},
            ),
            _COUNTRIES,
        ),
        tags=("indicators",),
    ),
    Endpoint(
        "index",
        "/index",
        "A composite index with the given method (as the Index view): each unit's "
        "value, rank and, with uncertainty, its Monte Carlo rank interval.",
        INDEX_PARAMS,
        tags=("index",),
    ),
)
BY_NAME = {e.name: e for e in ENDPOINTS}


def read(endpoint: Endpoint, args: Mapping[str, list[str]]) -> dict[str, str]:
    """Return the request's parameters for `endpoint` (name → text); raise ApiError for an unknown, repeated
    or missing required one."""
    known = {p.name for p in endpoint.params}
    for name, values in args.items():
        if name not in known:
            takes = ", ".join(sorted(known)) or "no parameters"
            raise ApiError(400, f"unknown parameter {name!r}: {PREFIX}{endpoint.path} takes {takes}", name)
        if len(values) > 1:
            raise ApiError(400, f"parameter {name!r} is given {len(values)} times; give it once", name)
    given = {name: values[0] for name, values in args.items()}
    for param in endpoint.params:
        if param.required and not given.get(param.name, "").strip():
            raise ApiError(400, f"parameter {param.name!r} is required: {param.description}", param.name)
    return given


def countries(text: str | None) -> tuple[str, ...]:
    """Return the country codes of a `countries` parameter (all when None); ApiError naming unknown ones."""
    if text is None:
        return COUNTRIES
    codes = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in COUNTRIES]
    if unknown or not codes:
        raise ApiError(400, f"unknown countries {unknown or [text]}: the codes are {', '.join(COUNTRIES)}", "countries")
    return tuple(dict.fromkeys(codes))


def as_dashboard_query(params: tuple[Param, ...], given: Mapping[str, str]) -> dict[str, str]:
    """Return the dashboard URL parameters of the given API parameters (those with a `url_key`)."""
    return {p.url_key: given[p.name] for p in params if p.url_key and p.name in given}


def refused(params: tuple[Param, ...], ignored, given: Mapping[str, str]) -> None:
    """Raise ApiError for the first parameter the dashboard's parser ignored (named by its API name)."""
    by_key = {p.url_key: p for p in params if p.url_key}
    for key in ignored:
        param = by_key.get(key)
        if param is None:  # not a parameter of this endpoint: the query as a whole (too long)
            raise ApiError(400, f"the parameters were refused: {key}")
        else:
            raise ApiError(
                400,
                f"parameter {param.name!r} has a value this build does not accept: {given.get(param.name)!r}. "
                f"{param.description}",
                param.name,
            )
