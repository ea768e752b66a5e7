"""Change maps (dashboard/change.py): the change of an indicator between two years per unit, against an
independent pandas computation on the build's values; the units left out and why; classes split at zero;
the change in the URL and through the controls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from dash import no_update
from hypothesis import given
from hypothesis import strategies as st

from dashboard import ids
from dashboard.change import change_id, change_indicator, change_values, counts
from dashboard.classify import centred_palette, classify_around_zero, palette
from dashboard.indicators import Indicators
from dashboard.mapdata import map_model
from dashboard.session import base_vocabulary, session
from dashboard.state import parse_query, to_query
from dashboard.transitions import transition
from dashboard.vocabulary import change_since_options
from tests.test_transitions import SHOWN


def _population(build) -> pd.DataFrame:
    values = pd.read_parquet(build / "indicators.parquet")
    wide = values[values["indicator"] == "population"].pivot(index="unit_id", columns="year", values="value")
    return wide


@pytest.mark.parametrize("mode", ["abs", "rel", "pa"])
def test_each_units_change_equals_pandas_from_the_builds_values(synthetic_atlas, synthetic_build, mode):
    wide = _population(synthetic_build)
    both = wide.dropna(subset=[2015, 2021])
    expected = {
        "abs": both[2021] - both[2015],
        "rel": (both[2021] / both[2015] - 1) * 100,
        "pa": ((both[2021] / both[2015]) ** (1 / 6) - 1) * 100,
    }[mode]
    derived = change_indicator(Indicators(synthetic_atlas), "population", 2015, 2021, mode)[change_id("population")]
    series = derived.series()
    got = pd.Series(series.values, index=synthetic_atlas.units["unit_id"]).dropna()
    assert set(got.index) == set(expected.index) and len(got) >= 20
    np.testing.assert_allclose(got[expected.index], expected, rtol=0, atol=1e-9)  # rounded to 10 decimals
    assert set(series.years[~np.isnan(series.values)]) == {2021}
    # The units left out are counted: the Slovenian regions have 2021 only.
    note = derived.entry.note_in("en")
    left_out = len(synthetic_atlas.units) - len(expected)
    assert f"Left out: {left_out} without a value in 2015" in note and f"{len(expected)} units" in note
    assert derived.entry.unit == {"abs": "persons", "rel": "%", "pa": "% per year"}[mode]


def test_a_relative_change_from_zero_or_less_is_left_out_and_counted_apart():
    before = np.array([10.0, 0.0, -2.0, np.nan, 5.0])
    after = np.array([12.0, 3.0, 1.0, 4.0, np.nan])
    rel = change_values(before, after, 2, "rel")
    assert rel[0] == pytest.approx(20.0) and np.isnan(rel[1:]).all()
    assert change_values(before, after, 2, "abs")[:3].tolist() == [2.0, 3.0, 3.0]
    tally = counts(before, after, "rel")
    assert (tally.both, tally.no_before, tally.no_after, tally.no_base) == (1, 1, 1, 2)


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60), st.integers(3, 9))
def test_classes_around_zero_never_mix_decline_and_growth(values, k):
    y = np.array(values)
    classes = classify_around_zero(y, "quantiles", k)
    idx = classes.assign(y)
    centre = classes.centre
    assert sum(classes.counts) == len(y)
    assert ((idx < centre) == (y < 0)).all()  # below zero exactly the classes before the centre
    lowers = classes.class_lowers()
    if 0 < centre < len(classes.bins):
        assert lowers[centre] == 0.0 and classes.bins[centre - 1] < 0
    assert len(centred_palette("PuOr", classes)) == len(classes.bins)


def test_the_palette_is_centred_so_equal_distance_from_zero_is_equal_strength():
    y = np.array([-5.0, -4, -3, -1, 1, 2, 3, 4, 5, 6, 7, 8])
    classes = classify_around_zero(y, "quantiles", 6)
    colours = centred_palette("RdYlBu", classes)
    below, above = classes.centre, len(classes.bins) - classes.centre
    full = palette("RdYlBu", 2 * max(below, above))
    assert colours[:below] == full[max(below, above) - below : max(below, above)]
    assert colours[below:] == full[max(below, above) : max(below, above) + above]


def test_a_change_map_splits_its_classes_at_zero(synthetic_atlas):
    state, indicators = session("?indicator=change:population&since=2015&year=2021&classes=6")
    model = map_model(synthetic_atlas, state, indicators)
    values = model.values[~np.isnan(model.values)]
    assert (values < 0).any() and (values > 0).any()
    below = [row for row in model.legend if row.upper < 0]
    above = [row for row in model.legend if row.lower >= 0]
    assert len(below) + len(above) == len(model.legend) and below and above
    assert above[0].lower == 0.0
    assert model.missing == int(np.isnan(model.values).sum())


def test_the_change_is_in_the_url_and_hostile_years_fall_back(synthetic_atlas):
    state, _ = session("?indicator=change:population&since=2015&year=2021&change=rel")
    assert (state.indicator, state.since, state.year, state.change) == ("change:population", "2015", "2021", "rel")
    assert to_query(state) == "?indicator=change:population&year=2021&since=2015&change=rel"
    vocabulary = base_vocabulary(synthetic_atlas)
    for query, ignored in [
        ("?indicator=change:population&since=2021&year=2021", {"since"}),  # not before the later year
        ("?indicator=change:population&since=1999", {"since"}),
        ("?indicator=change:population&change=%3Cscript%3E", {"change"}),
        ("?indicator=population&since=2015&change=rel", {"since", "change"}),  # no change mapped
        ("?indicator=change:share_65plus&since=2015", {"indicator", "since"}),  # one year only: no change
    ]:
        parsed = parse_query(query, vocabulary)
        assert set(parsed.ignored) == ignored, query
        if parsed.state.indicator.startswith("change:"):
            assert parsed.state.since == "2015" and parsed.state.year == "2021" and parsed.state.change == "abs"
        else:
            assert parsed.state.since is None


def test_the_change_since_control_maps_the_change_and_none_maps_the_year_again(synthetic_atlas):
    start = "?indicator=population&year=2021"
    on = transition(synthetic_atlas, ids.CHANGE_SINCE, start, SHOWN | {"change_since": "2015"}, start)
    assert on["state"] == "?indicator=change:population&year=2021&since=2015"
    assert on["indicator"] in ("population", no_update)  # the dropdown shows the change's indicator
    options = [o["value"] for o in on["change_since_options"]]
    assert options == ["none", "2015"] and on["change_since_disabled"] is False
    assert not any(o["disabled"] for o in on["change_mode_options"])
    rel = transition(synthetic_atlas, ids.CHANGE_MODE, on["state"], SHOWN | {"change_mode": "rel"}, on["state"])
    assert rel["state"].endswith("since=2015&change=rel")
    off = transition(synthetic_atlas, ids.CHANGE_SINCE, rel["state"], SHOWN | {"change_since": "none"}, rel["state"])
    assert off["state"] == "?indicator=population&year=2021"
    assert all(o["disabled"] for o in off["change_mode_options"])
    # Forged values fall back: a year not of the indicator, a list, a measure that does not exist.
    for trigger, inputs in [
        (ids.CHANGE_SINCE, {"change_since": "1850"}),
        (ids.CHANGE_SINCE, {"change_since": ["2015"]}),
        (ids.CHANGE_MODE, {"change_mode": "DROP TABLE"}),
    ]:
        out = transition(synthetic_atlas, trigger, on["state"], SHOWN | inputs, on["state"])
        state = out["state"] if isinstance(out["state"], str) else on["state"]
        assert "1850" not in state and "DROP" not in state


def test_an_indicator_with_one_year_offers_no_change(synthetic_atlas):
    state, indicators = session("?indicator=share_65plus")
    options, disabled = change_since_options(indicators, state)
    assert disabled and [o["value"] for o in options] == ["none"]


def test_about_states_the_change_method_with_the_builds_austrian_counts(atlas):
    from dashboard.views.about import layout
    from tests.components import texts

    text = " ".join(texts(layout(atlas, "en")))
    years = next(r["years"] for r in atlas.report["years"] if r["source"] == "at_register_census")
    first, last = years[min(years, key=int)]["units"], years[max(years, key=int)]["units"]
    assert f"({first:,} of {last:,} Austrian units)" in text and first < last
    assert "average annual rate" in text and "Classes are split at zero" in text


def test_the_map_table_names_both_years_and_each_units_source(synthetic_atlas):
    from dashboard.tables import map_table

    state, indicators = session("?indicator=change:population&since=2015&year=2021")
    table = map_table(synthetic_atlas, state, indicators)
    with_value = table[table["value"].notna()]
    assert set(with_value["period"]) == {"2015-2021"} and set(with_value["year"]) == {2021}
    assert set(with_value["source"]) <= set(synthetic_atlas.source_ids)  # a unit's own source, not a list
    assert table.loc[table["value"].isna(), "period"].isna().all()


def test_compare_over_time_equals_pandas_on_the_same_units_every_year(synthetic_atlas, synthetic_build):
    from dashboard.comparison import over_time
    from dashboard.views.compare import over_time_table
    from tests.components import texts

    state, indicators = session("?view=compare&indicator=change:population&since=2015&year=2021")
    rows = over_time(indicators, state)
    assert [r.year for r in rows] == [2015, 2021]
    units = synthetic_atlas.units[["unit_id", "country", "mountain", "peripherality"]]
    wide = _population(synthetic_build).join(units.set_index("unit_id"), how="inner")
    # Within each country, the units with a value in all of that country's years.
    balanced = []
    for _country, own in wide.groupby("country"):
        years = [y for y in (2015, 2021) if own[y].notna().any()]
        balanced.append(own[own[years].notna().all(axis=1)])
    panel = pd.concat(balanced)
    for row in rows:
        present = panel[panel[row.year].notna()]
        assert row.n["mountain"] == int((present["mountain"] == True).sum())  # noqa: E712
        assert row.medians["mountain"] == present.loc[present["mountain"] == True, row.year].median()  # noqa: E712
        central = present[present["peripherality"] == "central"]
        assert row.medians["central"] == central[row.year].median() and row.n["central"] == len(central)
        assert row.countries == tuple(sorted(present["country"].unique()))
    text = " ".join(texts(over_time_table(indicators, state)))
    assert "Over time: Population, median per group (units)" in text and "Different countries" in text


def test_a_story_steps_through_the_years_and_its_caption_quotes_the_change(atlas):
    from dashboard.i18n import fmt_value
    from dashboard.stories import caption, stories_for

    story = stories_for(atlas)["austria-newcomers-2011-2015"]
    states = [session(f"?story={story.id}&step={n}")[0] for n in (1, 2, 3)]
    assert [(s.indicator, s.year, s.since) for s in states] == [
        ("foreign_pct", "2011", None),
        ("foreign_pct", "2015", None),
        ("change:foreign_pct", "2015", "2011"),
    ]
    state, indicators = session(f"?story={story.id}&step=3")
    units = atlas.units
    before, after = atlas.series("foreign_pct", 2011), atlas.series("foreign_pct", 2015)
    both = (before.years == 2011) & (after.years == 2015) & (units["country"] == "AT").to_numpy()
    central = both & (units["peripherality"] == "central").fillna(False).to_numpy(dtype=bool)
    median = float(np.median(np.round(after.values[central] - before.values[central], 10)))
    text = caption(story, state, indicators)
    assert f"{fmt_value(median, 'percentage points', 'en', 1)} in central municipalities (n = {central.sum()})" in text
    assert "Innsbruck: 6.5\u00a0percentage points" in text
