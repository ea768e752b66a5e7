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
    index_controls={
        "components": [],
        "weighting": "indicator",
        "normalisation": "minmax",
        "aggregation": "arithmetic",
        "winsor": 0.0,
        "min_share": 50,
        "scope": "all",
    },
    index_parts={},
    change_since="none",
    change_mode="abs",
    versus="none",
)


def test_the_callback_outputs_are_the_names_of_the_transition_in_wire_order(dash_app):
    from dashboard.views import sync

    assert tuple(sync._OUTPUTS) == OUTPUTS
    assert set(SHOWN) == set(INPUTS) and set(INPUTS) | set(KEYS) <= set(sync._INPUTS)
    wire = "..{}..".format(
        "...".join(f"{_wire_id(o.component_id)}.{o.component_property}" for o in sync._OUTPUTS.values())
    )
    deps = dash_app.server.test_client().get("/_dash-dependencies").get_json()
    assert wire in [d["output"] for d in deps]


def _wire_id(component_id) -> str:
    """An output's id as Dash writes it on the wire: a pattern id as compact JSON with sorted keys."""
    if not isinstance(component_id, dict):
        return component_id
    import json

    wildcard = {k: (["ALL"] if repr(v) == "<ALL>" else v) for k, v in component_id.items()}
    return json.dumps(wildcard, sort_keys=True, separators=(",", ":"))


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


def test_the_peer_controls_change_the_method_in_the_url(atlas):
    start = "?unit=AT_70101"
    k = transition(atlas, ids.PEER_K, start, SHOWN | {"peer_k": 25}, start)
    assert k["state"] == "?unit=AT_70101&pk=25"
    scope = transition(atlas, ids.PEER_SCOPE, start, SHOWN | {"peer_scope": "chosen"}, start)
    # "These countries" starts from every country but the unit's own.
    assert "pscope=chosen&pc=CH,DE,FR,IT,LI,SI" in scope["state"]
    assert scope["peer_countries"] == ["CH", "DE", "FR", "IT", "LI", "SI"]
    chosen = transition(atlas, ids.PEER_INDICATORS, start, SHOWN | {"peer_indicators": ["population", "jobs"]}, start)
    assert "pi=population,jobs" in chosen["state"]
    weighted = transition(
        atlas,
        {"type": ids.PEER_WEIGHT, "indicator": "jobs"},
        start,
        SHOWN | {"peer_weights": {"population": 1, "jobs": 2}},
        chosen["state"],
    )
    assert weighted["state"].endswith("pi=population,jobs&pw=jobs:2")
    # Forged values: a weight for an indicator not chosen, a k out of range, a non-number.
    for trigger, inputs in [
        ({"type": ids.PEER_WEIGHT, "indicator": "foreign_pct"}, {"peer_weights": {"foreign_pct": 3}}),
        (ids.PEER_K, {"peer_k": 10_000}),
        (ids.PEER_MIN, {"peer_min": "3; DROP"}),
        ({"type": ids.PEER_WEIGHT, "indicator": "jobs"}, {"peer_weights": {"jobs": float("nan")}}),
    ]:
        out = transition(atlas, trigger, chosen["state"], SHOWN | inputs, chosen["state"])
        assert out["state"] is no_update or out["state"] == chosen["state"], (trigger, out["state"])
    # A category without an order cannot be compared on: the method falls back to the default set.
    unordered = transition(
        atlas, ids.PEER_INDICATORS, start, SHOWN | {"peer_indicators": ["mount_type", {"x": 1}]}, start
    )
    assert unordered["state"] is no_update or "pi=" not in unordered["state"]


def test_the_peer_buttons_show_the_peers_on_the_map_and_open_the_table(atlas):
    start = "?unit=AT_70101"
    shown = transition(
        atlas, {"type": ids.PEER_ACTION, "action": "show_on_map", "where": "profile"}, start, SHOWN, start
    )
    assert shown["state"] == "?unit=AT_70101&peers=1"
    assert "unit=AT_70101" in shown["peers_key"]  # the peers' outlines are drawn from this key
    table = transition(
        atlas, {"type": ids.PEER_ACTION, "action": "open_table", "where": "profile"}, start, SHOWN, start
    )
    assert table["state"] == "?view=peers&unit=AT_70101" and table["view"] == "peers"
    peer = transition(atlas, {"type": ids.PEER_OPEN, "unit": "CH_261"}, table["state"], SHOWN, table["state"])
    assert peer["state"] == "?unit=CH_261"  # a peer's name opens its profile on the map
    # Without the peer view or outlines the peers key draws nothing, whatever the unit.
    assert "unit" not in transition(atlas, None, start, SHOWN, "")["peers_key"]
