"""The dashboard's builders on the synthetic build (tests/synthetic.py): no data mirror needed, so they run
in `make test-fast`. Each figure is checked against an independent computation on the synthetic values.

Map model and legend, the payload, profile rows, Compare, story captions, sources from the build, and
every server callback fuzzed over HTTP, pattern-matching inputs included.
"""

from __future__ import annotations

import json
from dataclasses import replace

import mapclassify
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.i18n import common_digits, fmt_value
from dashboard.indicators import Indicators
from dashboard.mapdata import map_model, map_payload
from dashboard.state import State, parse_query, to_query
from dashboard.views import compare, profile
from dashboard.views import map as map_view
from dashboard.vocabulary import source_title, vocabulary
from tests.components import find, texts
from tests.synthetic import CENSUS, synthetic_units, synthetic_values
from tests.test_callback_inputs import _outputs  # one reading of a callback's outputs


@pytest.fixture(scope="module")
def values():
    return synthetic_values(synthetic_units())


def _column(atlas, values, indicator, year=None):
    """The values of `indicator` (each unit's latest, or of `year`) in feature order, computed apart."""
    rows = values[values["indicator"] == indicator]
    rows = rows[rows["year"] == year] if year else rows.sort_values("year").drop_duplicates("unit_id", keep="last")
    out = np.full(len(atlas.units), np.nan)
    out[atlas.position[rows["unit_id"]].to_numpy()] = rows["value"].to_numpy(dtype=float)
    return out


def test_the_synthetic_build_is_read_like_the_real_one(synthetic_atlas):
    atlas = synthetic_atlas
    assert len(atlas.units) == 31
    assert atlas.units["country"].value_counts().to_dict() == {"AT": 12, "CH": 10, "IT": 6, "SI": 3}
    assert int(atlas.nuts3_level.sum()) == 3
    assert atlas.years("population") == [2015, 2021]
    assert set(atlas.catalogue.index) >= {"population", "foreign_pct", "degurba", "vacancy_rate"}
    assert set(atlas.sources) == {
        "synthetic_census",
        "synthetic_distances",
        "synthetic_boundaries",
        "synthetic_boundaries_odbl",
    }
    assert source_title(atlas, CENSUS) == "PlurAlps Atlas tests: Synthetic test data: population and structure"


def test_missing_values_are_counted_per_selection(synthetic_atlas, values):
    atlas = synthetic_atlas
    expected = _column(atlas, values, "foreign_pct")
    model = map_model(atlas, State(indicator="foreign_pct"))
    assert model.missing == int(np.isnan(expected).sum()) == 9  # Italy (6) and Slovenia (3) have none
    assert map_view.missing_text(model, "en").startswith("9 of 31 units have no value")
    model = map_model(atlas, State(indicator="foreign_pct", countries=("IT",)))
    assert (model.in_selection, model.missing) == (6, 6)


@pytest.mark.parametrize("method", ["quantiles", "equal_interval", "natural_breaks"])
def test_legend_bounds_equal_mapclassify_on_the_values_of_the_build(synthetic_atlas, values, method):
    atlas = synthetic_atlas
    present = _column(atlas, values, "share_65plus")
    present = present[~np.isnan(present)]
    model = map_model(atlas, State(indicator="share_65plus", method=method, classes=4))
    cls = {
        "quantiles": mapclassify.Quantiles,
        "equal_interval": mapclassify.EqualInterval,
        "natural_breaks": mapclassify.FisherJenks,
    }[method]
    assert [row.upper for row in model.legend] == pytest.approx(list(cls(present, k=4).bins))
    assert model.legend[0].lower == present.min()
    assert sum(row.count for row in model.legend) == present.size == 28


def test_payload_classes_agree_with_the_legend_and_the_filter(synthetic_atlas):
    atlas = synthetic_atlas
    state = State(indicator="share_65plus", countries=("AT", "CH"))
    model = map_model(atlas, state)
    classes = np.asarray(map_payload(atlas, model, state)["classes"])
    chosen = atlas.units["country"].isin(["AT", "CH"]).to_numpy()
    assert (classes[~chosen] == -2).all()  # outside the selection
    assert [int((classes == i).sum()) for i in range(len(model.legend))] == [row.count for row in model.legend]
    assert int((classes == -1).sum()) == model.missing == 0


def test_a_year_is_mapped_as_chosen_and_latest_takes_each_units_last(synthetic_atlas, values):
    atlas = synthetic_atlas
    for year in (2015, 2021, None):
        state = State(indicator="population", year=str(year or "latest"))
        expected = _column(atlas, values, "population", year)
        np.testing.assert_array_equal(map_model(atlas, state).values, expected)


def test_profile_percentiles_equal_a_count_over_the_values(synthetic_atlas, values):
    atlas = synthetic_atlas
    rows = {r.indicator: r for r in profile.profile_rows(atlas, "AT_70101")}
    share = _column(atlas, values, "share_65plus")
    mine = share[atlas.position["AT_70101"]]
    present = share[~np.isnan(share)]
    # Percentile rank with ties counted half (dashboard.stats): the share of units below, plus half of equals.
    expected = 100 * ((present < mine).sum() + 0.5 * (present == mine).sum()) / present.size
    assert rows["share_65plus"].pct_all == pytest.approx(expected, abs=0.5)
    assert rows["population"].year == 2021 and rows["population"].source == CENSUS
    assert rows["degurba"].pct_all is None  # categorical: no percentile


def test_compare_medians_equal_numpy_and_small_groups_have_no_interval(synthetic_atlas, values):
    atlas = synthetic_atlas
    indicators = Indicators(atlas)
    state = State(view="compare", indicator="share_65plus")
    comparisons = compare.compare(indicators, state)
    share = _column(atlas, values, "share_65plus")
    mountain = atlas.units["mountain"].fillna(False).to_numpy(dtype=bool)
    everyone = comparisons[0]
    expected = np.nanmedian(share[mountain])
    assert everyone.groups["mountain"].median == pytest.approx(expected)
    assert everyone.groups["mountain"].n == int((~np.isnan(share[mountain])).sum())
    italy = next(c for c in comparisons if c.place == "IT")  # six comuni: every group is small
    small = [g for g in italy.groups.values() if 0 < g.n < 10]
    assert small and not any(g.has_interval for g in small)
    assert "too few units for an interval" in texts(compare.table(indicators, comparisons, state))


def test_a_story_caption_carries_the_figures_of_the_synthetic_build(synthetic_atlas):
    from dashboard.stories import apply_step, caption, stories_for

    atlas = synthetic_atlas
    story = stories_for(atlas)["alps-in-change"]  # its units exist in the synthetic build too
    number = next(n for n, s in enumerate(story.steps, 1) if "AT_70101" in s.highlight)
    indicators = Indicators(atlas)
    state = apply_step(State(story=story.id, step=number, lang="de"), story)
    text = caption(story, state, indicators)
    groups = compare.compare(indicators, state)[0].groups
    innsbruck = float(indicators.series(state.indicator).values[atlas.position["AT_70101"]])
    digits = common_digits(groups["peripheral"].median, groups["central"].median, innsbruck)
    unit = atlas.catalogue.at[state.indicator, "unit"]
    assert fmt_value(innsbruck, unit, "de", digits) in text, text
    assert "{" not in text


def test_states_round_trip_through_the_url_on_the_synthetic_vocabulary(synthetic_atlas):
    vocab = vocabulary(synthetic_atlas)
    state = State(indicator="population", year="2015", countries=("AT", "SI"), unit="SI041", lang="sl")
    assert parse_query(to_query(state), vocab).state == state
    parsed = parse_query("?indicator=population&year=1999&countries=FR", vocab)
    assert parsed.state.year == "latest" and parsed.state.countries == ()  # no year 1999, no France here
    assert {"year", "countries"} <= set(parsed.ignored)


def test_the_about_page_names_the_sources_of_the_build(synthetic_atlas):
    from dashboard.views import about

    shown = texts(about.layout(synthetic_atlas, "en"))
    assert "Synthetic test data: distances" in shown and "CC0 1.0" in shown
    assert not [t for t in shown if "Statistik Austria" in t]  # nothing of the catalogue the build did not read


def test_the_about_page_in_german_shows_german_titles_and_publishers(synthetic_atlas):
    from dashboard.views import about

    shown = texts(about.layout(synthetic_atlas, "de"))
    assert "Synthetische Testdaten: Entfernungen" in shown and "Tests von PlurAlps Atlas" in shown
    assert "Synthetic test data: distances" not in shown and "PlurAlps Atlas tests" not in shown
    assert "Synthetic test data" in shown and "CC0 1.0" in shown  # credit line and licence as the publisher wrote them


def test_source_credits_follow_the_language_and_fall_back_to_english(synthetic_atlas):
    from dashboard.vocabulary import source_publisher

    atlas = synthetic_atlas
    assert (
        source_title(atlas, CENSUS, "sl")
        == "Testi PlurAlps Atlas: Sintetični testni podatki: prebivalstvo in struktura"
    )
    assert source_publisher(atlas, CENSUS, "fr") == "Tests de PlurAlps Atlas"
    # A build written before the translations (sources.json with English only) shows English.
    english_only = {sid: {k: v for k, v in src.items() if k[-3:-2] != "_"} for sid, src in atlas.sources.items()}
    older = replace(atlas, sources=english_only)
    assert source_publisher(older, CENSUS, "de") == "PlurAlps Atlas tests"
    assert source_title(older, CENSUS, "it") == "PlurAlps Atlas tests: Synthetic test data: population and structure"


def test_the_map_note_is_in_the_persons_language(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    indicator = indicators.get("foreign_pct")
    model = map_model(synthetic_atlas, State(indicator="foreign_pct", lang="de"))
    german = synthetic_atlas.catalogue.at["foreign_pct", "note_de"]
    assert german.startswith("Einwohnerinnen und Einwohner ohne die Staatsangehörigkeit") and "AUSL_STAATSB" in german
    shown = texts(map_view.indicator_note(synthetic_atlas, indicator, model, "de"))
    assert german in shown and synthetic_atlas.catalogue.at["foreign_pct", "note"] not in shown
    for lang, column in (("en", "note"), ("fr", "note_fr"), ("it", "note_it"), ("sl", "note_sl")):
        assert indicator.note_in(lang) == synthetic_atlas.catalogue.at["foreign_pct", column]
    assert replace(indicator, notes={"en": "English only"}).note_in("sl") == "English only"  # not translated yet


def test_the_profile_names_sources_in_the_persons_language(synthetic_atlas):
    from tests.components import find

    rendered = profile.render(synthetic_atlas, "AT_70101", "it")
    cells = find(rendered, lambda c: getattr(c, "className", None) == "atlas-source-cell")
    assert cells and all(c.children.endswith("· Test di PlurAlps Atlas") for c in cells), [c.children for c in cells]
    assert all(c.title.startswith("Test di PlurAlps Atlas: Dati di prova sintetici: ") for c in cells)


# ---- every server callback, fuzzed over HTTP on the synthetic build ------------------------------------

HOSTILE = st.sampled_from(
    ["", "?indicator=<script>", "AT_70101", "SI041", "upload:u1", "latest", "9" * 300, "\u202e\u0000", "{}"]
)
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | st.floats(allow_nan=True) | HOSTILE,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)
PATTERN_ID = st.fixed_dictionaries(
    {"type": st.sampled_from(["upload-column", "upload-resolve", "profile-neighbour", "table-unit", "x"])},
    optional={"row": st.integers(-5, 10**6) | HOSTILE, "column": HOSTILE, "field": HOSTILE, "unit": HOSTILE},
)


def _entry(item: dict, data):
    """A forged request entry; pattern-matching ones get a list of forged matches (ids and values)."""
    if item["id"].startswith("{"):
        matches = data.draw(st.lists(st.tuples(PATTERN_ID, JUNK), max_size=3))
        return [{"id": i, "property": item["property"], "value": v} for i, v in matches]
    return {"id": item["id"], "property": item["property"], "value": data.draw(JUNK)}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_no_callback_fails_on_forged_values(synthetic_app, data):
    client = synthetic_app.server.test_client()
    deps = [d for d in client.get("/_dash-dependencies").get_json() if not d.get("clientside_function")]
    for dep in deps:
        first = dep["inputs"][data.draw(st.integers(0, len(dep["inputs"]) - 1))]
        body = {
            "output": dep["output"],
            "outputs": _outputs(dep["output"]),
            "inputs": [_entry(i, data) for i in dep["inputs"]],
            "state": [_entry(s, data) for s in dep["state"]],
            "changedPropIds": [f"{first['id']}.{first['property']}"],
        }
        response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 204), (dep["output"], response.get_data(as_text=True)[:300])


def test_pooled_values_name_their_countries_years_and_warn(synthetic_atlas, values):
    from dashboard.comparability import comparability_lines, contributions

    atlas = synthetic_atlas
    series = atlas.series("foreign_pct")
    everyone = np.ones(len(atlas.units), dtype=bool)
    pooled = contributions(atlas, series.values, series.years, series.source_codes, everyone)
    rows = values[values["indicator"] == "foreign_pct"].merge(atlas.units[["unit_id", "country"]], on="unit_id")
    expected = {c: (len(g), tuple(sorted(set(g["year"])))) for c, g in rows.groupby("country")}
    assert {c.country: (c.units, c.years) for c in pooled} == expected == {"AT": (12, (2015,)), "CH": (10, (2019,))}
    lines = comparability_lines(pooled, "de")
    assert lines[0] == "Hier zusammengefasste Werte: Österreich 2015 (12 Einheiten); Schweiz 2019 (10 Einheiten)."
    assert "auf seine Weise" in lines[1] and "(2015–2019)" in lines[2]
    austria = atlas.units["country"].eq("AT").to_numpy()
    alone = contributions(atlas, series.values, series.years, series.source_codes, austria)
    assert comparability_lines(alone, "de") == []  # one country, one year: nothing pooled to warn about
    # With the build, whose definition each country's values follow: its source, in the person's language.
    sources = comparability_lines(pooled, "it", atlas)[2]  # after who contributes and the warning
    assert sources == (
        "Fonti: Austria — Test di PlurAlps Atlas: Dati di prova sintetici: popolazione e struttura; "
        "Svizzera — Test di PlurAlps Atlas: Dati di prova sintetici: popolazione e struttura."
    ), sources


def test_the_map_note_and_compare_carry_the_comparability_lines(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    state = State(indicator="foreign_pct", lang="fr")
    model = map_model(synthetic_atlas, state)
    note = texts(map_view.indicator_note(synthetic_atlas, indicators.get("foreign_pct"), model, "fr"))
    assert any(t.startswith("Valeurs regroupées ici : Autriche 2015") for t in note), note
    from dashboard.views.compare import update_compare

    shown = texts(update_compare("?view=compare&indicator=foreign_pct&lang=it", None))
    assert any(t.startswith("Valori riuniti qui: Austria 2015") for t in shown), shown


def test_a_story_step_says_which_countries_and_years_its_figures_pool(synthetic_atlas):
    from dashboard.stories import apply_step, pooled_note, stories_for

    story = stories_for(synthetic_atlas)["alps-in-change"]
    indicators = Indicators(synthetic_atlas)
    notes = {}
    for number, step in enumerate(story.steps, 1):
        state = apply_step(State(story=story.id, step=number, lang="en"), story)
        notes[(step.indicator, step.countries)] = pooled_note(story, state, indicators)
    pooled = [n for (indicator, countries), n in notes.items() if indicator == "foreign_pct" and not countries]
    alone = [n for (_, countries), n in notes.items() if len(countries) == 1]
    assert pooled and all(n.startswith("Values pooled here: Austria 2015 (12 units); Switzerland 2019") for n in pooled)
    assert alone and all(n == "" for n in alone)  # one country, one year: nothing to say


def test_the_profile_shows_region_figures_apart_and_named_as_the_regions(synthetic_atlas):
    rendered = profile.render(synthetic_atlas, "AT_70101", "de")
    [title] = find(rendered, lambda c: getattr(c, "id", None) == "profile-region")
    assert title.children == "Region (NUTS 3): Innsbruck (AT332)"
    [table] = find(rendered, lambda c: "atlas-region-table" in (getattr(c, "className", "") or ""))
    shown = texts(table)
    assert "190.000 Personen" in shown and "96,5 je km²" in shown
    # The region's population is not the municipality's: the municipal table keeps Innsbruck's own.
    rows = {r.indicator: r for r in profile.profile_rows(synthetic_atlas, "AT_70101")}
    assert rows["population"].value != 190_000
    from dashboard.indicators import catalogue_indicators

    aosta = profile.render(synthetic_atlas, "IT_007003", "it")
    [aosta_table] = find(aosta, lambda c: "atlas-region-table" in (getattr(c, "className", "") or ""))
    expected = catalogue_indicators(synthetic_atlas)["mount_type"].category_label(1.0, "it")
    assert expected in texts(aosta_table)  # the region's typology, by its category label
    assert (
        find(profile.render(synthetic_atlas, "SI041", "sl"), lambda c: getattr(c, "id", None) == "profile-region") == []
    )
