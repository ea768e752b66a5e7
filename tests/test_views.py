"""Figure builders and callbacks as plain functions, on the real dataset."""

from __future__ import annotations

import gzip
import io

import mapclassify
import numpy as np
import pandas as pd
import pytest
from dash import no_update
from plotly.io.json import to_json_plotly

from dashboard import comparison, ids, tables, transitions
from dashboard.classify import JENKS_SAMPLE, JENKS_SEED
from dashboard.csvsafe import safe_csv
from dashboard.i18n import common_digits, fmt_value
from dashboard.indicators import Indicators
from dashboard.mapdata import map_model, map_payload
from dashboard.search import search_options
from dashboard.state import State, parse_query
from dashboard.views import compare, profile
from dashboard.views import map as map_view
from dashboard.vocabulary import vocabulary
from tests.components import find, texts
from tests.test_transitions import SHOWN

pytestmark = pytest.mark.integration


def test_missing_count_is_the_number_of_units_without_a_value(atlas):
    state = State(indicator="foreign_pct")
    model = map_model(atlas, state)
    series = atlas.series("foreign_pct")
    assert model.missing == int(np.isnan(series.values).sum())
    assert model.in_selection == len(atlas.units)
    text = map_view.missing_text(model, "en")
    assert text.startswith(f"{model.missing:,} of {len(atlas.units):,} units have no value")


def test_missing_count_follows_the_country_filter(atlas):
    model = map_model(atlas, State(indicator="foreign_pct", countries=("FR", "IT")))
    french_italian = atlas.units["country"].isin(["FR", "IT"]).to_numpy()
    assert model.in_selection == int(french_italian.sum())
    assert model.missing == model.in_selection  # no municipal foreign-national figures for FR and IT


@pytest.mark.parametrize("method", ["quantiles", "equal_interval", "natural_breaks"])
def test_legend_bounds_equal_mapclassify(atlas, method):
    state = State(indicator="pop_change_pa", method=method, classes=6)
    model = map_model(atlas, state)
    present = model.values[~np.isnan(model.values)]
    if method == "natural_breaks":
        # More than JENKS_EXACT_MAX values: mapclassify's sampled Fisher-Jenks with the fixed seed.
        state_before = np.random.get_state()
        np.random.seed(JENKS_SEED)
        expected = mapclassify.FisherJenksSampled(present, k=6, pct=JENKS_SAMPLE / present.size, truncate=False)
        np.random.set_state(state_before)
    else:
        cls = {"quantiles": mapclassify.Quantiles, "equal_interval": mapclassify.EqualInterval}[method]
        expected = cls(present, k=6)
    assert [row.upper for row in model.legend] == pytest.approx(list(expected.bins))
    assert model.legend[0].lower == present.min()
    assert sum(row.count for row in model.legend) == present.size


def test_payload_classes_agree_with_the_legend_and_the_filter(atlas):
    state = State(indicator="share_65plus", countries=("AT",))
    model = map_model(atlas, state)
    payload = map_payload(atlas, model, state)
    classes = np.asarray(payload["classes"])
    austria = (atlas.units["country"] == "AT").to_numpy()
    assert (classes[~austria] == -2).all()
    counts = [int((classes == i).sum()) for i in range(len(model.legend))]
    assert counts == [row.count for row in model.legend]
    assert int((classes == -1).sum()) == model.missing


def test_an_indicator_switch_sends_values_only_and_fits_the_wire_budget(atlas):
    for indicator in ("population", "foreign_pct", "dist_hospital_km", "degurba"):
        state = State(indicator=indicator)
        body = to_json_plotly(map_payload(atlas, map_model(atlas, state), state)).encode()
        assert len(gzip.compress(body)) < 60_000, indicator
        assert b"coordinates" not in body


def test_sentences_use_exactly_the_computed_medians(atlas):
    state = State(view="compare", indicator="foreign_pct")
    indicators = Indicators(atlas)
    comparisons = comparison.compare(indicators, state)
    austria = next(c for c in comparisons if c.place == "AT")
    sentence = compare.sentences(indicators, austria, state)[0]
    g = austria.groups
    digits = common_digits(g["peripheral"].median, g["central"].median)
    assert fmt_value(g["peripheral"].median, "%", "en", digits) in sentence
    assert fmt_value(g["central"].median, "%", "en", digits) in sentence
    assert f"n\u00a0=\u00a0{g['peripheral'].n:,}" in sentence  # "n = 812" never broken across lines
    assert f"n\u00a0=\u00a0{g['central'].n:,}" in sentence
    assert sentence.startswith("In Austria, peripheral units have a median of ")
    assert "for foreign nationals" in sentence
    assert g["central"].has_interval


def test_profile_of_innsbruck(atlas):
    rows = {r.indicator: r for r in profile.profile_rows(atlas, "AT_70101")}
    assert rows["population"].year == 2015
    assert rows["population"].source == "at_register_census"
    assert 90 <= rows["population"].pct_all <= 100
    assert rows["degurba"].pct_all is None  # categorical: no percentile
    assert all(0 <= r.pct_peers <= 100 for r in rows.values() if r.pct_peers is not None)
    rendered = profile.render(atlas, "AT_70101", "en")
    assert find(rendered, lambda c: getattr(c, "id", None) == "profile-name")[0].children == "Innsbruck"
    neighbours = find(rendered, lambda c: isinstance(getattr(c, "id", None), dict) and c.id["type"] == ids.NEIGHBOUR)
    expected = set(atlas.neighbours.loc[atlas.neighbours["unit_id"] == "AT_70101", "neighbour_id"])
    assert {c.id["unit"] for c in neighbours} == expected and expected


def test_search_ignores_accents_and_case_and_shows_the_country(atlas):
    options = search_options(atlas, "zurich", "en")
    assert options[0]["value"] == "CH_261"
    assert options[0]["label"] == "Zürich (Switzerland)"
    assert search_options(atlas, "INNSBRUCK", "en")[0]["value"] == "AT_70101"
    bozen = search_options(atlas, "bozen", "en")
    assert "IT_021008" in [o["value"] for o in bozen]
    assert search_options(atlas, "", "en") == []


def _transition(atlas, trigger, search="", current="", **inputs):
    return transitions.transition(atlas, trigger, search, SHOWN | inputs, current)


def test_loading_a_shared_url_sets_state_and_controls(atlas):
    url = "?indicator=population&method=natural_breaks&classes=7&countries=AT,CH&unit=AT_70101"
    out = _transition(atlas, None, search=url)
    state = parse_query(out["state"], vocabulary(atlas)).state
    assert (state.indicator, state.method, state.classes, state.unit) == ("population", "natural_breaks", 7, "AT_70101")
    assert "unit=AT_70101" in out["profile_key"]  # the profile key: the profile opens


def test_a_control_change_updates_the_url_and_resets_a_year_the_indicator_lacks(atlas):
    out = _transition(atlas, ids.INDICATOR, current="?indicator=foreign_pct&year=2022", indicator="vacancy_rate")
    assert out["url"] == "?indicator=vacancy_rate"


def test_forged_component_values_fall_back_to_defaults(atlas):
    # A forged value changes nothing: URL and state stay, and the control is set back to the state's value.
    out = _transition(atlas, ids.INDICATOR, indicator="'; DROP TABLE--")
    assert (out["url"], out["state"], out["indicator"]) == (no_update, no_update, "foreign_pct")
    out = _transition(atlas, ids.CLASSES, classes="many")
    assert (out["url"], out["state"], out["classes"]) == (no_update, no_update, 5)
    out = _transition(atlas, ids.SELECTED, selected={"unit": "x"})
    assert (out["url"], out["state"], out["profile_key"]) == (no_update, no_update, "")


def test_csv_download_has_year_and_source_and_no_formulas(atlas):
    frame = tables.map_table(atlas, State(indicator="foreign_pct", countries=("CH",)))
    assert {"year", "source", "value", "unit"} <= set(frame.columns)
    assert len(frame) == int((atlas.units["country"] == "CH").sum())
    text = safe_csv(pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "@SUM(1)", "Zürich"], "value": [-1.5, 2, 3]}))
    parsed = pd.read_csv(io.StringIO(text))
    assert parsed["name"].tolist() == ["'=cmd|' /C calc'!A0", "'@SUM(1)", "Zürich"]
    assert parsed["value"].tolist() == [-1.5, 2, 3]


def test_change_indicators_keep_their_period_and_classes_their_names(atlas):
    frame = tables.map_table(atlas, State(indicator="pop_change_pa", countries=("CH", "FR")))
    zurich = frame.set_index("unit_id").loc["CH_261"]
    assert (zurich["year"], zurich["period"]) == (2019, "2010-2019")
    assert frame.set_index("unit_id").loc["FR_74010", "period"] == "2015-2021"
    assert atlas.when("pop_change_pa", "ch_portraits_2021", 2019) == "2010-2019"
    assert atlas.when("population", "ch_portraits_2021", 2019) == "2019"
    degurba = tables.map_table(atlas, State(indicator="degurba", countries=("AT",))).set_index("unit_id")
    assert degurba.loc["AT_70101", "class"] == "Cities"


def test_a_story_caption_carries_the_figures_of_its_step(atlas):
    from dashboard.stories import apply_step, caption, stories_for

    story = stories_for(atlas)["alps-in-change"]
    number = next(n for n, s in enumerate(story.steps, 1) if "AT_70101" in s.highlight)
    indicators = Indicators(atlas)
    state = apply_step(State(story=story.id, step=number, lang="fr"), story)
    text = caption(story, state, indicators)
    groups = comparison.compare(indicators, state)[0].groups
    innsbruck = float(indicators.series(state.indicator).values[atlas.position["AT_70101"]])
    digits = common_digits(groups["peripheral"].median, groups["central"].median, innsbruck)
    for value in (groups["peripheral"].median, groups["central"].median, innsbruck):
        assert fmt_value(value, "%", "fr", digits) in text, (value, text)
    assert "{" not in text and "Innsbruck" in text


def test_an_indicator_without_any_value_says_so_instead_of_listing_no_years(atlas):
    # GISCO's emergency flag is empty in every file: the indicator exists, and the map says it has no value.
    state = State(indicator="dist_hospital_emergency_km")
    model = map_model(atlas, state)
    assert model.missing == model.in_selection
    note = map_view.indicator_note(atlas, Indicators(atlas).get(state.indicator), model, "en")
    assert note[0].children == "No unit has a value for this indicator in the selection."


def test_about_and_the_map_note_in_german_on_the_real_build(atlas):
    from dashboard.views import about

    shown = texts(about.layout(atlas, "de"))
    assert (
        "Bundesamt für Statistik (BFS)" in shown and "Regionalporträts 2021: Gemeinden, Kennzahlen (T21.3.1)" in shown
    )
    assert "Federal Statistical Office (FSO)" not in shown
    assert "Source: FSO" in shown  # the credit line the FSO asks for stays as it wrote it
    indicator = Indicators(atlas).get("foreign_pct")
    model = map_model(atlas, State(indicator="foreign_pct", lang="de"))
    note = texts(map_view.indicator_note(atlas, indicator, model, "de"))
    assert any(
        t.startswith("Einwohnerinnen und Einwohner ohne die Staatsangehörigkeit") and "AUSL_STAATSB" in t for t in note
    )
    rows = profile.render(atlas, "CH_261", "fr")
    cells = find(rows, lambda c: getattr(c, "className", None) == "atlas-source-cell")
    assert any(c.children.endswith("· Office fédéral de la statistique") for c in cells), [c.children for c in cells]
