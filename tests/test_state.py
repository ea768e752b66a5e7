"""URL state: round trips, and hostile or stale query strings that fall back to safe defaults."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dashboard.classify import METHODS, SCHEMES
from dashboard.peers import DEFAULT_INDICATORS
from dashboard.state import AUTO_SCHEME, PEER_SCOPES, VIEWS, PeerState, State, Vocabulary, parse_query, to_query
from geo.terms import COUNTRIES, LATEST

VOCAB = Vocabulary(
    indicators={"foreign_pct": (2015, 2019, 2022), "population": (2011, 2021), "degurba": (2014,)},
    countries=COUNTRIES,
    units=frozenset({"AT_70101", "CH_261", "SI041"}),
    zoom_targets=frozenset({"AT", "AT33", "CH012"}),
    peer_indicators=frozenset({"population", "foreign_pct", "degurba", "dist_urban_centre_km", "mountain"}),
)


@st.composite
def peer_states(draw):
    indicators = tuple(draw(st.lists(st.sampled_from(sorted(VOCAB.peer_indicators)), min_size=1, unique=True)))
    weights = draw(st.dictionaries(st.sampled_from(indicators), st.sampled_from([0.0, 0.5, 2.0, 10.0])))
    if all(weights.get(i, 1.0) == 0 for i in indicators):
        weights = {}
    scope = draw(st.sampled_from(PEER_SCOPES))
    countries = tuple(sorted(draw(st.sets(st.sampled_from(COUNTRIES), min_size=1)))) if scope == "chosen" else ()
    return PeerState(
        indicators=indicators,
        weights=tuple((i, weights[i]) for i in indicators if i in weights),
        k=draw(st.integers(1, 50)),
        scope=scope,
        countries=countries,
        min_common=draw(st.integers(1, 20)),
    )


@st.composite
def states(draw):
    indicator = draw(st.sampled_from(sorted(VOCAB.indicators)))
    year = draw(st.sampled_from([LATEST, *map(str, VOCAB.indicators[indicator])]))
    return State(
        view=draw(st.sampled_from(VIEWS)),
        indicator=indicator,
        year=year,
        countries=tuple(sorted(draw(st.sets(st.sampled_from(VOCAB.countries))))),
        method=draw(st.sampled_from(METHODS)),
        classes=draw(st.integers(3, 9)),
        scheme=draw(st.sampled_from([AUTO_SCHEME, *SCHEMES])),
        unit=draw(st.sampled_from([None, *sorted(VOCAB.units)])),
        zoom=draw(st.sampled_from([None, *sorted(VOCAB.zoom_targets)])),
        peers=draw(st.booleans()),
        peer=draw(peer_states()),
    )


@given(states())
def test_every_state_round_trips_through_the_url(state):
    parsed = parse_query(to_query(state), VOCAB)
    assert parsed.state == state
    assert parsed.ignored == ()


@given(st.text(max_size=300))
def test_any_query_string_gives_a_valid_state(query):
    state = parse_query(query, VOCAB).state
    assert state.indicator in VOCAB.indicators
    assert state.view in VIEWS
    assert 3 <= state.classes <= 9
    assert state.unit is None or state.unit in VOCAB.units
    assert set(state.countries) <= set(VOCAB.countries)


def test_unknown_values_are_reset_and_named():
    parsed = parse_query("?indicator=<script>&classes=99&countries=AT,XX&unit=AT_1&method=magic&view=map", VOCAB)
    assert parsed.state.indicator == "foreign_pct"
    assert parsed.state.classes == 5
    assert parsed.state.countries == ("AT",)
    assert parsed.state.unit is None
    assert set(parsed.ignored) == {"indicator", "classes", "countries", "unit", "method"}


def test_a_year_the_indicator_lacks_falls_back_to_latest():
    assert parse_query("?indicator=degurba&year=2019", VOCAB).state.year == LATEST


def test_defaults_make_an_empty_query_and_overlong_queries_are_refused():
    assert to_query(State()) == ""
    parsed = parse_query("?" + "a=1&" * 2_000, VOCAB)
    assert parsed.state == State()
    assert parsed.ignored == ("query too long",)


def test_the_peer_method_is_written_to_the_url_and_read_back():
    peer = PeerState(("population", "degurba"), (("degurba", 0.5),), 20, "chosen", ("AT", "CH"), 2)
    query = to_query(State(unit="AT_70101", peers=True, peer=peer))
    assert query == "?unit=AT_70101&peers=1&pk=20&pscope=chosen&pc=AT,CH&pi=population,degurba&pw=degurba:0.5&pmin=2"
    assert parse_query(query, VOCAB).state.peer == peer
    assert to_query(State()) == ""  # the default method writes nothing


def test_a_forged_peer_method_falls_back_part_by_part_and_names_what_it_ignored():
    parsed = parse_query(
        "pk=500&pscope=moon&pi=population,mount_type,<script>&pw=population:-1,degurba:inf&pmin=x", VOCAB
    )
    peer = parsed.state.peer
    assert (peer.k, peer.scope, peer.min_common) == (10, "other_countries", 3)
    assert peer.indicators == ("population",) and peer.weights == ()
    assert set(parsed.ignored) >= {"pk", "pscope", "pi", "pw", "pmin"}
    # Every weight 0 compares on nothing: the weights are dropped, not the method.
    zero = parse_query("pi=population,degurba&pw=population:0,degurba:0", VOCAB)
    assert zero.state.peer.weights == () and "pw" in zero.ignored
    # "These countries" with none known falls back to the default scope.
    nowhere = parse_query("pscope=chosen&pc=XX", VOCAB)
    assert nowhere.state.peer.scope == "other_countries" and "pc" in nowhere.ignored
    assert PeerState().indicators == DEFAULT_INDICATORS
    repeated = parse_query("pi=" + ",".join(["population"] * 100), VOCAB)
    assert repeated.state.peer.indicators == ("population",) and "pi" in repeated.ignored
