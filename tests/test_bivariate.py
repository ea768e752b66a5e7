"""The bivariate map (dashboard/bivariate.py): tertiles equal to mapclassify's, cells that follow both
values, missing units counted by what they lack; the state, the map model and payload, the poster."""

from __future__ import annotations

import mapclassify
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dashboard.bivariate import OUTSIDE_CELL, PALETTE, bivariate
from dashboard.indicators import Indicators
from dashboard.mapdata import map_model, map_payload
from dashboard.session import base_vocabulary
from dashboard.state import State, parse_query, to_query

values = arrays(
    np.float64,
    st.integers(5, 80),
    elements=st.one_of(st.floats(-1e3, 1e3, allow_nan=False, width=32), st.just(np.nan)),
)


def test_tertiles_are_mapclassifys_over_the_units_with_both_values():
    rng = np.random.default_rng(7)
    x, y = rng.lognormal(size=500), rng.normal(size=500)
    x[:40] = np.nan
    y[30:70] = np.nan
    selection = np.ones(500, dtype=bool)
    selection[-50:] = False
    grid = bivariate(x, y, selection)
    both = selection & ~np.isnan(x) & ~np.isnan(y)
    np.testing.assert_allclose(grid.x.bins, mapclassify.Quantiles(x[both], k=3).bins)
    np.testing.assert_allclose(grid.y.bins, mapclassify.Quantiles(y[both], k=3).bins)
    # Independently: a unit's column is how many of the x cut points lie below its value (upper bounds
    # inclusive, as the map's classes), its row the same for y.
    col = np.searchsorted(mapclassify.Quantiles(x[both], k=3).bins, x[both], side="left")
    row = np.searchsorted(mapclassify.Quantiles(y[both], k=3).bins, y[both], side="left")
    np.testing.assert_array_equal(grid.cell[both], 3 * row + col)
    assert grid.counts.sum() == both.sum() == grid.with_both
    assert grid.counts.sum(axis=0) == pytest.approx([both.sum() / 3] * 3, abs=1)  # a third per column
    assert grid.without_x == int((selection & np.isnan(x)).sum()) == 40
    assert grid.without_y == int((selection & np.isnan(y)).sum()) == 40
    assert grid.without_either == 10
    assert grid.missing == 70 == int((selection & ~both).sum())
    assert (grid.cell[~selection] == OUTSIDE_CELL).all()
    assert (grid.cell[selection & ~both] == -1).all()


@settings(max_examples=150, deadline=None)
@given(values, st.data())
def test_cells_follow_both_values_and_every_unit_is_counted_once(x, data):
    y = data.draw(arrays(np.float64, len(x), elements=st.one_of(st.floats(-50, 50, width=32), st.just(np.nan))))
    selection = data.draw(arrays(np.bool_, len(x)))
    grid = bivariate(x, y, selection)
    both = selection & ~np.isnan(x) & ~np.isnan(y)
    assert grid.counts.sum() == both.sum()
    assert grid.missing + grid.with_both == selection.sum()
    cells = grid.cell[both].astype(int)
    cols, rows = cells % 3, cells // 3
    # A larger value never sits in a lower class than a smaller one, on either axis.
    for values_, classes in ((x[both], cols), (y[both], rows)):
        order = np.argsort(values_, kind="stable")
        assert (np.diff(classes[order]) >= 0).all()
        for v in np.unique(values_):  # ties share a class
            assert np.unique(classes[values_ == v]).size == 1


def test_the_url_holds_the_second_indicator_and_refuses_what_cannot_be_crossed(synthetic_atlas):
    vocab = base_vocabulary(synthetic_atlas)
    parsed = parse_query("?indicator=foreign_pct&versus=share_65plus", vocab)
    assert parsed.state.versus == "share_65plus" and parsed.ignored == ()
    assert "versus=share_65plus" in to_query(parsed.state)
    assert parse_query(to_query(parsed.state), vocab).state == parsed.state
    for query in (
        "?indicator=foreign_pct&versus=foreign_pct",  # itself
        "?indicator=foreign_pct&versus=degurba",  # classes
        "?indicator=degurba&versus=foreign_pct",
        "?indicator=foreign_pct&versus=nonsense",
        "?indicator=change:population&year=2021&since=2015&versus=density",  # a change
    ):
        parsed = parse_query(query, vocab)
        assert parsed.state.versus is None and "versus" in parsed.ignored, query


def test_the_map_model_and_payload_of_a_bivariate_map(synthetic_atlas):
    state = State(indicator="foreign_pct", versus="share_65plus")
    indicators = Indicators(synthetic_atlas)
    model = map_model(synthetic_atlas, state, indicators)
    assert model.mode == "bivariate" and model.colours == list(PALETTE)
    x = indicators.series("foreign_pct").values
    y = indicators.series("share_65plus").values
    assert model.missing == int((np.isnan(x) | np.isnan(y)).sum())
    assert sum(row.count for row in model.legend) + model.missing == len(synthetic_atlas.units)
    payload = map_payload(synthetic_atlas, model, state)
    expected = bivariate(x, y, np.ones(len(x), dtype=bool)).cell  # computed apart from the model
    np.testing.assert_array_equal(payload["classes"], expected)
    np.testing.assert_allclose(payload["values2"], y, equal_nan=True)
    assert payload["key"].endswith("|versus=share_65plus")
    one = map_payload(synthetic_atlas, map_model(synthetic_atlas, State(indicator="foreign_pct")), State())
    assert one["values2"] is None and "versus" not in one["key"]


def test_the_poster_of_a_bivariate_map_has_the_grid_and_both_sources(synthetic_atlas):
    from dashboard import poster

    state = State(indicator="foreign_pct", versus="share_65plus", lang="de")
    svg = poster.render(synthetic_atlas, state, Indicators(synthetic_atlas), "svg").decode()
    model = map_model(synthetic_atlas, state)
    assert "Ausländische Staatsangehörige und Anteil 65 Jahre und älter" in svg
    assert "Oben rechts (dunkel)" in svg and "Terzile" in svg
    for colour in PALETTE:
        assert colour in svg
    assert f"{model.missing} von {model.in_selection} Einheiten fehlt ein Wert" in svg


def test_the_table_of_a_bivariate_map_has_both_values_and_their_thirds(synthetic_atlas):
    from dashboard.tables import map_table

    state = State(indicator="foreign_pct", versus="share_65plus")
    frame = map_table(synthetic_atlas, state).set_index("unit_id")
    model = map_model(synthetic_atlas, state)
    y = Indicators(synthetic_atlas).series("share_65plus").values
    np.testing.assert_allclose(frame["versus_value"].to_numpy(dtype=float), y, equal_nan=True)
    both = frame["value"].notna() & frame["versus_value"].notna()
    assert frame.loc[both, "third_of_indicator"].between(1, 3).all()
    assert frame.loc[~both, "third_of_versus"].isna().all()
    cells = (frame.loc[both, "third_of_versus"] - 1) * 3 + frame.loc[both, "third_of_indicator"] - 1
    np.testing.assert_array_equal(cells.to_numpy(dtype=int), model.bivariate.cell[both.to_numpy()])
    assert set(frame.loc[frame["versus_value"].notna(), "versus_source"]) <= set(synthetic_atlas.source_ids)


def test_a_story_maps_one_indicator_even_from_a_bivariate_map(synthetic_atlas):
    from dashboard.stories import Step, Story, apply_step

    story = Story(id="s", title={"en": "s"}, steps=(Step(indicator="density", caption={"en": "x"}),))
    state = apply_step(State(indicator="foreign_pct", versus="share_65plus", story="s"), story)
    assert state.versus is None
    # The model refuses what the parser would: the indicator with itself.
    model = map_model(synthetic_atlas, State(indicator="share_65plus", versus="share_65plus"))
    assert model.mode != "bivariate"


def test_hover_gives_the_second_value_its_own_year_and_source(synthetic_atlas):
    state = State(indicator="foreign_pct", versus="share_65plus")
    payload = map_payload(synthetic_atlas, map_model(synthetic_atlas, state), state)
    second = Indicators(synthetic_atlas).series("share_65plus")
    for i in range(len(synthetic_atlas.units)):
        meta = payload["metaTable2"][payload["meta2"][i]]
        if np.isnan(second.values[i]):
            assert meta is None
        else:
            assert meta == [str(int(second.years[i])), synthetic_atlas.source_ids[second.source_codes[i]]]
