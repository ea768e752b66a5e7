"""The composite index in the app, on the synthetic build: the URL round trip and its hostile values, the
state changes of the builder's controls, the view's ranks and warnings, the profile's contributions, the
index on the map as a session indicator, and the CSV (checked against values computed here)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from dashboard import composite, ids
from dashboard.index_layer import INDEX_SCORE, INDEX_WIDTH
from dashboard.index_report import index_frame, method_lines
from dashboard.indicators import Indicators
from dashboard.session import session, with_index
from dashboard.state import IndexState, State, parse_query, to_query
from dashboard.transitions import transition
from dashboard.views import index as index_view
from dashboard.views import profile
from tests.components import find, texts
from tests.test_transitions import SHOWN

COMPONENTS = ("pop_change_pa", "share_65plus", "dist_hospital_km", "foreign_pct")
INDEX = IndexState(components=COMPONENTS, weighting="field", weights=(("health", 2.0),), min_share=40)


def _vocab(atlas):
    from dashboard.session import base_vocabulary

    return base_vocabulary(atlas)


# ----------------------------------------------------------------------------------------------- URL


def test_the_method_round_trips_through_the_url(synthetic_atlas):
    state = State(
        indicator=INDEX_SCORE,
        index=IndexState(
            components=COMPONENTS,
            directions=(("foreign_pct", -1),),
            normalisation="percentile",
            aggregation="geometric",
            weighting="indicator",
            weights=(("share_65plus", 2.5), ("foreign_pct", 0.0)),
            winsor=0.025,
            min_share=75,
            scope="country",
        ),
    )
    query = to_query(state)
    assert "ix=pop_change_pa,share_65plus,dist_hospital_km,foreign_pct" in query and "ixs=country" in query
    parsed = parse_query(query, _vocab(synthetic_atlas))
    assert parsed.ignored == () and parsed.state == state


@pytest.mark.parametrize(
    ("query", "ignored"),
    [
        ("ix=share_65plus,no_such,degurba", ("ix",)),  # unknown and categorical components dropped
        ("ix=share_65plus&ixn=log&ixa=median&ixs=moon", ("ixn", "ixa", "ixs")),
        ("ix=share_65plus&ixwt=share_65plus:nan,foreign_pct:2", ("ixwt",)),  # not a component; NaN
        ("ix=share_65plus&ixwt=share_65plus:0", ("ixwt",)),  # every weight 0 weighs nothing
        ("ix=share_65plus&ixw=field&ixwt=health:99", ("ixwt",)),  # above the maximum
        ("ix=share_65plus&ixwin=0.3&ixmin=0", ("ixwin", "ixmin")),
        ("ix=share_65plus&ixd=share_65plus:2", ("ixd",)),
        ("ixn=zscore&ixs=country", ("ixn", "ixs")),  # a method without components
    ],
)
def test_hostile_index_parameters_fall_back_and_are_named(synthetic_atlas, query, ignored):
    parsed = parse_query(query, _vocab(synthetic_atlas))
    assert parsed.ignored == ignored
    method = parsed.state.index.method()
    assert method is None or set(method.components) <= {"share_65plus"}


def test_a_map_of_the_index_without_an_index_falls_back_to_the_default(synthetic_atlas):
    state, indicators = session("?indicator=index:score")
    assert state.indicator == _vocab(synthetic_atlas).default_indicator
    assert INDEX_SCORE not in indicators


def test_an_index_of_an_upload_no_longer_there_is_cleared(synthetic_atlas):
    state = State(indicator=INDEX_SCORE, index=IndexState(components=("upload:gone",)))
    cleared, indicators = with_index(state, Indicators(synthetic_atlas))
    assert cleared.index == IndexState() and cleared.indicator != INDEX_SCORE


# --------------------------------------------------------------------------------------- transitions


def _controls(**changes):
    return {**SHOWN["index_controls"], **changes}


def test_ticking_the_first_components_maps_the_index(synthetic_atlas):
    trigger = {"type": ids.INDEX_CONTROL, "name": "components"}
    inputs = {**SHOWN, "index_controls": _controls(components=["share_65plus", "dist_hospital_km"])}
    out = transition(synthetic_atlas, trigger, "", inputs, "?view=index")
    state = parse_query(out["state"], _vocab(synthetic_atlas)).state
    assert state.index.components == ("share_65plus", "dist_hospital_km")
    assert state.indicator == INDEX_SCORE and state.view == "index"
    # The index's key changed; the controls already show the components, the rest keep their values.
    assert out["index_key"] is not None
    assert out["index_controls"][0] is not None


def test_a_weight_beside_the_map_changes_the_map_and_nothing_else(synthetic_atlas):
    before = to_query(State(indicator=INDEX_SCORE, index=INDEX))
    trigger = {"type": ids.INDEX_PART, "kind": "weight", "name": "health", "where": "map"}
    inputs = {**SHOWN, "index_parts": {("weight", "health", "map"): 3}}
    keys = transition(synthetic_atlas, None, before, SHOWN, "")
    shown = {k: keys[k] for k in ("map_key", "profile_key", "compare_key", "peers_key", "index_key")}
    out = transition(synthetic_atlas, trigger, before, inputs, before, shown)
    state = parse_query(out["state"], _vocab(synthetic_atlas)).state
    assert state.index.weights == (("health", 3.0),)
    assert out["map_key"] is not None and out["index_key"] is not None
    assert repr(out["peers_key"]) == repr(keys["peers_key"]) or out["peers_key"].__class__.__name__ == "NoUpdate"


def test_the_index_method_does_not_redraw_a_map_of_another_indicator(synthetic_atlas):
    before = to_query(State(indicator="share_65plus", index=INDEX))
    keys = transition(synthetic_atlas, None, before, SHOWN, "")
    shown = {k: keys[k] for k in ("map_key", "profile_key", "compare_key", "peers_key", "index_key")}
    trigger = {"type": ids.INDEX_CONTROL, "name": "normalisation"}
    inputs = {**SHOWN, "index_controls": _controls(components=list(COMPONENTS), normalisation="zscore")}
    out = transition(synthetic_atlas, trigger, before, inputs, before, shown)
    assert "ixn=zscore" in out["state"]
    assert out["map_key"].__class__.__name__ == "NoUpdate"  # the map shows share_65plus: nothing to redraw


def test_clearing_the_index_leaves_its_map(synthetic_atlas):
    before = to_query(State(indicator=INDEX_SCORE, index=INDEX))
    trigger = {"type": ids.INDEX_ACTION, "action": "clear", "where": "view"}
    out = transition(synthetic_atlas, trigger, before, SHOWN, before)
    state = parse_query(out["state"], _vocab(synthetic_atlas)).state
    assert state.index == IndexState() and state.indicator == _vocab(synthetic_atlas).default_indicator


def test_forged_control_values_fall_back(synthetic_atlas):
    before = to_query(State(index=INDEX))
    for name, value in (("normalisation", "drop table"), ("min_share", 1e9), ("winsor", True), ("components", "x")):
        trigger = {"type": ids.INDEX_CONTROL, "name": name}
        inputs = {**SHOWN, "index_controls": _controls(**{name: value})}
        out = transition(synthetic_atlas, trigger, before, inputs, before)
        state = parse_query(out["state"] if isinstance(out["state"], str) else before, _vocab(synthetic_atlas)).state
        assert state.index.method() is None or state.index.method().normalisation in composite.NORMALISATIONS


# ---------------------------------------------------------------------------------------- the view


def _indicators(atlas, index=INDEX):
    return with_index(State(indicator=INDEX_SCORE, index=index), Indicators(atlas))[1]


def test_the_view_ranks_and_says_how_sure(synthetic_atlas):
    indicators = _indicators(synthetic_atlas)
    state = State(view="index", index=INDEX)
    shown = texts(index_view.results(synthetic_atlas, indicators, state))
    result = composite.compute(indicators, INDEX.method())
    ranked = int((~np.isnan(result.value)).sum())
    assert any(f"{ranked} units have an index; {result.missing} have components" in s for s in shown)
    # The table's first row is the top-ranked unit, with the rank written "1 of N".
    best = int(np.nanargmax(result.value))
    assert f"1 of {int(result.ranked_with[best])}" in shown
    name = synthetic_atlas.units.at[best, "name"]
    assert any(s.startswith(name) for s in shown)


def test_the_view_warns_about_redundant_components(synthetic_atlas):
    index = IndexState(components=("dist_city_km", "dist_fua_km", "share_65plus"))
    indicators = _indicators(synthetic_atlas, index)
    shown = " ".join(texts(index_view.results(synthetic_atlas, indicators, State(view="index", index=index))))
    assert "Distance to the nearest city and Distance to the nearest urban area rank units almost alike" in shown


def test_the_index_is_mapped_like_any_indicator(synthetic_atlas):
    indicators = _indicators(synthetic_atlas)
    series = indicators.series(INDEX_SCORE)
    result = composite.compute(indicators, INDEX.method())
    np.testing.assert_array_equal(series.values, result.value)
    # Each unit's year: the newest of the component values its index used.
    has = ~np.isnan(result.value)
    newest = np.max([indicators.series(c).years for c in COMPONENTS], axis=0)
    np.testing.assert_array_equal(series.years[has], newest[has])
    width = indicators.series(INDEX_WIDTH).values
    assert np.isnan(width[~has]).all() and (width[has] >= 0).all()
    assert indicators.get(INDEX_SCORE).derived and not indicators.get(INDEX_SCORE).catalogued


def test_the_profile_shows_each_components_part(synthetic_atlas):
    indicators = _indicators(synthetic_atlas)
    result = composite.compute(indicators, INDEX.method())
    unit = "AT_70101"
    position = int(synthetic_atlas.position[unit])
    panel = profile.render(
        synthetic_atlas, unit, "en", uploads=(), state=State(index=INDEX, indicator=INDEX_SCORE), indicators=indicators
    )
    shown = texts(panel)
    assert "Composite index" in shown
    rank = int(result.rank[position])
    assert any(f"rank {rank} of {int(result.ranked_with[position])}" in s for s in shown)
    tables = find(panel, lambda c: "atlas-index-parts-table" in (getattr(c, "className", "") or ""))
    rows = find(tables, lambda c: c.__class__.__name__ == "Tr")[1:]
    assert len(rows) == len(COMPONENTS)
    # Contributions (index points) add up to the index.
    parts = [float(texts(r)[-1]) for r in rows if texts(r)[-1] != "–"]
    assert sum(parts) == pytest.approx(result.value[position], abs=0.02 * len(parts))


def test_the_csv_carries_method_sources_years_and_reads_back(synthetic_atlas):
    indicators = _indicators(synthetic_atlas)
    result = composite.compute(indicators, INDEX.method())
    spread = composite.uncertainty(indicators, INDEX.method(), result)
    header = "".join(f"# {line}\n" for line in method_lines(synthetic_atlas, indicators, result))
    text = header + index_frame(indicators, result, spread).to_csv(index=False)
    assert "1000 Monte Carlo draws (seed 2008)" in header and "weights per field of action" in header
    assert "component foreign_pct:" in header and "years 2015, 2019" in header
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert len(table) == len(synthetic_atlas.units)
    assert table["index"].isna().sum() == result.missing
    row = table.set_index("unit_id").loc["AT_70101"]
    position = int(synthetic_atlas.position["AT_70101"])
    assert row["index"] == pytest.approx(result.value[position])
    assert row["rank"] == result.rank[position] and row["rank_5pct"] <= row["median_rank"] <= row["rank_95pct"]
    assert row["foreign_pct_year"] == 2015


def test_the_poster_of_the_index_names_its_components_years_and_method(synthetic_atlas):
    from dashboard import poster

    state = State(indicator=INDEX_SCORE, index=INDEX)
    indicators = _indicators(synthetic_atlas)
    svg = poster.render(synthetic_atlas, state, indicators, "svg").decode("utf-8")
    assert "Components of the index" in svg and "Composite index (your method)" in svg
    assert "Foreign nationals: weight" in svg and "2015–2019" in svg  # the two censuses of the synthetic build
    assert "1,000 Monte Carlo draws" in svg


def test_the_about_page_states_the_index_method(synthetic_atlas):
    from dashboard.views import about

    shown = " ".join(texts(about.layout(synthetic_atlas, "en")))
    assert "Saisana, Saltelli & Tarantola 2005" in shown and "seed 2008" in shown
