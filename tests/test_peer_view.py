"""The peer finder's page parts on the synthetic build: the table's cells are the build's values, the CSV
carries the method and sources and reads back, the profile lists the peers, and the view says what it left
out (checked against the values computed here, not against the module's own helpers)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from dashboard import ids
from dashboard.indicators import Indicators
from dashboard.peer_table import method_lines, peer_frame, peer_rows, run
from dashboard.peers import PeerMethod, find_peers
from dashboard.state import PeerState, State
from dashboard.views import peers as peer_view
from dashboard.views import profile
from tests.components import find, texts

METHOD = PeerState(indicators=("population", "pop_change_pa", "share_65plus", "dist_urban_centre_km", "mountain"))


def _state(**changes) -> State:
    return State(unit="AT_70101", view="peers", peer=METHOD).with_(**changes)


def test_the_rows_hold_the_builds_latest_values_with_year_and_source(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    result, stable = run(indicators, _state())
    rows = peer_rows(indicators, result, stable)
    assert [r.unit_id for r in rows] == ["AT_70101", *[p.unit_id for p in result.peers]]
    assert rows[0].rank == 0 and rows[0].distance is None and [r.rank for r in rows[1:]] == list(range(1, 11))
    # The tidy table of the build, read here independently of the atlas's series.
    values = pd.read_parquet(synthetic_atlas.folder / "indicators.parquet")
    for row in rows:
        for indicator in ("population", "share_65plus"):
            mine = values[(values["unit_id"] == row.unit_id) & (values["indicator"] == indicator)]
            cell = row.cells[indicator]
            if mine.empty:
                assert np.isnan(cell.value) and cell.year is None and cell.source is None
            else:
                latest = mine.sort_values("year").iloc[-1]
                assert cell.value == latest["value"] and cell.year == latest["year"]
                assert cell.source == latest["source"]
        position = int(synthetic_atlas.position[row.unit_id])
        assert row.cells["dist_urban_centre_km"].value == synthetic_atlas.units.at[position, "dist_urban_centre_km"]


def test_stability_counts_the_rankings_that_leave_one_indicator_out(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    for unit in sorted(synthetic_atlas.unit_ids)[::3]:
        for scope in ("other_countries", "all"):
            state = _state(unit=unit, peer=PeerState(indicators=METHOD.indicators, scope=scope, k=5))
            outcome = run(indicators, state)
            if isinstance(outcome, str):
                continue
            result, stable = outcome
            used = result.unit_indicators
            assert stable.runs == (len(used) if len(used) > 1 else 0)
            for peer in result.peers:
                kept = 0
                for left in used if len(used) > 1 else ():
                    rest = tuple(i for i in used if i != left)
                    method = PeerMethod(rest, k=5, scope=scope, min_common=min(3, len(rest)))
                    kept += peer.unit_id in {p.unit_id for p in find_peers(synthetic_atlas, unit, method).peers}
                assert stable.kept[peer.unit_id] == kept, (unit, scope, peer.unit_id)


def test_the_csv_carries_method_and_sources_and_reads_back(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    result, stable = run(
        indicators, _state(peer=METHOD.__class__(**{**METHOD.__dict__, "weights": (("mountain", 2.0),)}))
    )
    rows = peer_rows(indicators, result, stable)
    header = "".join(f"# {line}\n" for line in method_lines(synthetic_atlas, indicators, result, rows, stable.runs))
    text = header + peer_frame(indicators, rows, stable.runs).to_csv(index=False)
    assert "mountain (2)" in header and "k = 10; scope: other countries only" in header
    assert all(f"source {s}:" in header for s in {r.cells["population"].source for r in rows} - {None})
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert len(table) == 11 and table.loc[0, "unit_id"] == "AT_70101"
    assert list(table["distance"][1:]) == [round(p.distance, 4) for p in result.peers]
    assert set(table["country"][1:]) <= {"CH", "IT", "SI"}  # other countries only


def test_the_view_names_what_it_could_not_use(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    # Slovenia is at NUTS 3 level with no population change in the synthetic build.
    state = _state(
        unit="SI041", peer=PeerState(indicators=("population", "pop_change_pa", "density", "mountain"), min_common=2)
    )
    above, data, below, positions = peer_view.results(synthetic_atlas, indicators, state)
    shown = " ".join(texts(above))
    result = find_peers(synthetic_atlas, "SI041", state.peer.method())
    assert result.left_out.get("density") == "no unit has a value"
    assert "Population density was left out: no unit has a value." in shown
    assert positions == [int(synthetic_atlas.position[p.unit_id]) for p in result.peers]
    # The table's texts (the browser builds the table): the unit first, then each peer with its button's unit.
    assert [r["unit"] for r in data["rows"]] == [None, *[p.unit_id for p in result.peers]]
    assert data["rows"][0]["name"] == "Osrednjeslovenska (Slovenia)"
    population = [h["text"] for h in data["headers"]].index("Population") - 2  # after #, unit
    assert data["rows"][0]["cells"][population]["text"].startswith(texts_value(synthetic_atlas, "SI041"))
    assert "Population density was left out: no unit has a value." not in " ".join(texts(below))


def texts_value(atlas, unit):
    """The unit's latest population as the table writes it, or "no value"."""
    from dashboard.i18n import fmt_value

    series = atlas.series("population", "latest")
    value = series.values[int(atlas.position[unit])]
    return "no value" if np.isnan(value) else fmt_value(value, "persons", "en", wrap=True)


def test_the_profile_lists_the_peers_with_buttons_to_show_them(synthetic_atlas):
    indicators = Indicators(synthetic_atlas)
    panel = profile.render(
        synthetic_atlas, "AT_70101", "en", uploads=(), state=State(peer=METHOD), indicators=indicators
    )
    result = find_peers(synthetic_atlas, "AT_70101", METHOD.method())
    opens = find(panel, lambda c: isinstance(getattr(c, "id", None), dict) and c.id.get("type") == ids.PEER_OPEN)
    assert [b.id["unit"] for b in opens] == [p.unit_id for p in result.peers]
    actions = find(panel, lambda c: isinstance(getattr(c, "id", None), dict) and c.id.get("type") == ids.PEER_ACTION)
    assert [a.id["action"] for a in actions] == ["show_on_map", "open_table"]


def test_a_story_step_shows_a_unit_with_its_peers_and_names_them(synthetic_atlas):
    from dashboard.stories import apply_step, caption, stories_for

    story = stories_for(synthetic_atlas)["alps-in-change"]
    number, step = next((n, s) for n, s in enumerate(story.steps, 1) if s.peers)
    state = apply_step(State(story=story.id, step=number, lang="en"), story)
    assert state.unit == step.peers and state.peers  # the profile open, the peers outlined
    text = caption(story, state, Indicators(synthetic_atlas))
    expected = find_peers(synthetic_atlas, step.peers, PeerState().method())  # computed here, not by the story
    assert f"The {len(expected.peers)} units" in text
    named = ", ".join(
        f"{p.name} ({dict(AT='Austria', CH='Switzerland', SI='Slovenia')[p.country]})" for p in expected.peers[:5]
    )
    assert text.endswith(f"the closest: {named}."), text


def test_the_poster_carries_the_peer_table_when_the_peers_are_shown(synthetic_atlas):
    from dashboard import poster

    indicators = Indicators(synthetic_atlas)
    state = State(unit="AT_70101", peers=True, peer=METHOD)
    svg = poster.render(synthetic_atlas, state, indicators, "svg").decode("utf-8")
    result = find_peers(synthetic_atlas, "AT_70101", METHOD.method())
    assert "Peers of Innsbruck (Austria)" in svg
    # SVG keeps its text as text; "&" and quotes would be escaped, the synthetic names have none.
    assert all(f"{p.name} (" in svg for p in result.peers)
    without = poster.render(synthetic_atlas, state.with_(peers=False), indicators, "svg").decode("utf-8")
    assert "Peers of" not in without
