"""The state callback by name: its Dash outputs are the names `dashboard.transitions.transition` returns,
in the order of the wire; a part of the page redraws only when its key changes."""

from __future__ import annotations

import pytest
from dash import no_update

from dashboard import ids
from dashboard.transitions import CONTROLS, INPUTS, KEYS, OUTPUTS, transition

pytestmark = pytest.mark.integration

SHOWN = dict(
    view="map",
    indicator="foreign_pct",
    year="latest",
    countries=[],
    method="quantiles",
    classes=5,
    scheme="auto",
    zoom=None,
    selected=None,
    searched=None,
    story_nav=None,
    peer_k=10,
    peer_scope="other_countries",
    peer_countries=[],
    peer_indicators=["population", "density", "pop_change_pa", "dist_urban_centre_km", "degurba", "mountain"],
    peer_min=3,
    peer_unit=None,
    peer_weights={},
)


def test_the_callback_outputs_are_the_names_of_the_transition_in_wire_order(dash_app):
    from dashboard.views import sync

    assert tuple(sync._OUTPUTS) == OUTPUTS
    assert set(SHOWN) == set(INPUTS) and set(INPUTS) | set(KEYS) <= set(sync._INPUTS)
    wire = "..{}..".format("...".join(f"{o.component_id}.{o.component_property}" for o in sync._OUTPUTS.values()))
    deps = dash_app.server.test_client().get("/_dash-dependencies").get_json()
    assert wire in [d["output"] for d in deps]


def test_a_transition_returns_every_output_by_name(atlas):
    out = transition(atlas, None, "?indicator=population&unit=AT_70101", SHOWN, "")
    assert tuple(out) == OUTPUTS
    assert out["state"] == "?indicator=population&unit=AT_70101"
    assert out["url"] is no_update  # the URL already says so
    assert out["indicator"] == "population" and out["search"] == "AT_70101"
    assert out["compare_key"] is no_update  # Compare is not on screen: nothing to draw there
    assert set(CONTROLS) < set(out)


def test_a_part_redraws_only_when_its_key_changes(atlas):
    first = transition(atlas, None, "?unit=AT_70101", SHOWN, "")
    shown = {name: first[name] for name in ("map_key", "profile_key")}
    # A click on another unit: the map's values stay, the profile redraws.
    again = transition(atlas, ids.SELECTED, "?unit=AT_70101", SHOWN | {"selected": "CH_261"}, first["state"], shown)
    assert again["map_key"] is no_update
    assert "unit=CH_261" in again["profile_key"]
    assert again["url"] == again["state"] == "?unit=CH_261"
