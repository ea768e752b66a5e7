"""URL state: round trips, and hostile or stale query strings that fall back to safe defaults."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dashboard.classify import METHODS, SCHEMES
from dashboard.state import AUTO_SCHEME, VIEWS, State, Vocabulary, parse_query, to_query
from geo.terms import COUNTRIES, LATEST

VOCAB = Vocabulary(
    indicators={"foreign_pct": (2015, 2019, 2022), "population": (2011, 2021), "degurba": (2014,)},
    countries=COUNTRIES,
    units=frozenset({"AT_70101", "CH_261", "SI041"}),
    zoom_targets=frozenset({"AT", "AT33", "CH012"}),
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
