"""The state callback: controls, URL and clicks meet here, and only here.

`sync_state` is the one place where the view state changes. Whatever triggered it (the URL on load or on
back/forward, a control, a click on the map, the search box, a neighbour link, a row of the map's table, a
presentation key), it computes the new State, validates it through the same parser as a URL (so forged
component values get safe defaults), writes it to the URL and to the state store, and tells each part of
the page whether it must redraw. Its outputs and inputs are named (Dash's dict grouping); the work is
`dashboard.transitions.transition`, a plain function that returns the outputs by the same names.
"""

from __future__ import annotations

import json

from dash import ALL, Input, Output, callback, ctx
from dash import State as DashState

from dashboard import ids
from dashboard.context import atlas as get_atlas
from dashboard.transitions import INPUTS, KEYS, transition

_OUTPUTS = dict(
    url=Output(ids.URL, "search"),
    state=Output(ids.STATE, "data"),
    notice=Output(ids.NOTICE, "children"),
    map_key=Output(ids.MAP_KEY, "data"),
    profile_key=Output(ids.PROFILE_KEY, "data"),
    compare_key=Output(ids.COMPARE_KEY, "data"),
    peers_key=Output(ids.PEERS_KEY, "data"),
    index_key=Output(ids.INDEX_KEY, "data"),
    view=Output(ids.TABS, "value"),
    indicator=Output(ids.INDICATOR, "value"),
    year_options=Output(ids.YEAR, "options"),
    year=Output(ids.YEAR, "value"),
    countries=Output(ids.COUNTRIES, "value"),
    method=Output(ids.METHOD, "value"),
    classes=Output(ids.CLASSES, "value"),
    scheme=Output(ids.SCHEME, "value"),
    zoom=Output(ids.ZOOM, "value"),
    search_options=Output(ids.SEARCH, "options"),
    search=Output(ids.SEARCH, "value"),
    peer_k=Output(ids.PEER_K, "value"),
    peer_scope=Output(ids.PEER_SCOPE, "value"),
    peer_countries=Output(ids.PEER_COUNTRIES, "value"),
    peer_indicators=Output(ids.PEER_INDICATORS, "value"),
    peer_min=Output(ids.PEER_MIN, "value"),
    peer_unit_options=Output(ids.PEER_UNIT, "options"),
    peer_unit=Output(ids.PEER_UNIT, "value"),
    index_controls=Output({"type": ids.INDEX_CONTROL, "name": ALL}, "value"),
    change_since_options=Output(ids.CHANGE_SINCE, "options"),
    change_since_disabled=Output(ids.CHANGE_SINCE, "disabled"),
    change_since=Output(ids.CHANGE_SINCE, "value"),
    change_mode_options=Output(ids.CHANGE_MODE, "options"),
    change_mode=Output(ids.CHANGE_MODE, "value"),
    versus=Output(ids.VERSUS, "value"),
)
# In the order of `transitions.OUTPUTS`, which is the order of the outputs on the wire (a test checks).

_INPUTS = dict(
    search=Input(ids.URL, "search"),
    view=Input(ids.TABS, "value"),
    indicator=Input(ids.INDICATOR, "value"),
    year=Input(ids.YEAR, "value"),
    countries=Input(ids.COUNTRIES, "value"),
    method=Input(ids.METHOD, "value"),
    classes=Input(ids.CLASSES, "value"),
    scheme=Input(ids.SCHEME, "value"),
    zoom=Input(ids.ZOOM, "value"),
    selected=Input(ids.SELECTED, "data"),
    searched=Input(ids.SEARCH, "value"),
    # Clicks on pattern-matched buttons: only which one was clicked matters (ctx.triggered_prop_ids).
    close=Input({"type": ids.CLOSE, "index": ALL}, "n_clicks"),
    neighbour=Input({"type": ids.NEIGHBOUR, "unit": ALL}, "n_clicks"),
    table_unit=Input({"type": ids.TABLE_UNIT, "unit": ALL}, "n_clicks"),
    story_nav=Input(ids.STORY_NAV, "data"),
    peer_k=Input(ids.PEER_K, "value"),
    peer_scope=Input(ids.PEER_SCOPE, "value"),
    peer_countries=Input(ids.PEER_COUNTRIES, "value"),
    peer_indicators=Input(ids.PEER_INDICATORS, "value"),
    peer_min=Input(ids.PEER_MIN, "value"),
    peer_unit=Input(ids.PEER_UNIT, "value"),
    peer_weights=Input({"type": ids.PEER_WEIGHT, "indicator": ALL}, "value"),
    peer_open=Input({"type": ids.PEER_OPEN, "unit": ALL}, "n_clicks"),
    peer_action=Input({"type": ids.PEER_ACTION, "action": ALL, "where": ALL}, "n_clicks"),
    index_controls=Input({"type": ids.INDEX_CONTROL, "name": ALL}, "value"),
    index_parts=Input({"type": ids.INDEX_PART, "kind": ALL, "name": ALL, "where": ALL}, "value"),
    index_action=Input({"type": ids.INDEX_ACTION, "action": ALL, "where": ALL}, "n_clicks"),
    change_since=Input(ids.CHANGE_SINCE, "value"),
    change_mode=Input(ids.CHANGE_MODE, "value"),
    versus=Input(ids.VERSUS, "value"),
    current_query=DashState(ids.STATE, "data"),
    map_key=DashState(ids.MAP_KEY, "data"),
    profile_key=DashState(ids.PROFILE_KEY, "data"),
    compare_key=DashState(ids.COMPARE_KEY, "data"),
    peers_key=DashState(ids.PEERS_KEY, "data"),
    index_key=DashState(ids.INDEX_KEY, "data"),
    uploads=DashState(ids.UPLOADS, "data"),
    own_story=DashState(ids.OWN_STORY, "data"),
)


@callback(output=_OUTPUTS, inputs=_INPUTS)
def sync_state(search, current_query, uploads, own_story, **values) -> dict:
    """Return the state callback's outputs by name (see `dashboard.transitions.transition`)."""
    # Several inputs can change in one go (adding an upload sets the indicator and the view): apply each.
    triggers = [_trigger_id(prop) for prop in ctx.triggered_prop_ids] or [None]
    # The weight inputs by their indicator: the pattern's ids say which value is whose.
    values["peer_weights"] = {
        item["id"].get("indicator"): item.get("value") for item in _pattern_items(ctx.args_grouping.get("peer_weights"))
    }
    values["index_controls"] = {
        item["id"].get("name"): item.get("value") for item in _pattern_items(ctx.args_grouping.get("index_controls"))
    }
    values["index_parts"] = {
        (item["id"].get("kind"), item["id"].get("name"), item["id"].get("where")): item.get("value")
        for item in _pattern_items(ctx.args_grouping.get("index_parts"))
    }
    return transition(
        get_atlas(),
        triggers,
        search,
        {name: values.get(name) for name in INPUTS},
        current_query,
        {name: values[name] for name in KEYS},
        uploads,
        own_story,
    )


def _pattern_items(grouping) -> list[dict]:
    """The items of a pattern input's grouping that carry a dict id (a forged request may send anything)."""
    if not isinstance(grouping, list):
        return []
    return [item for item in grouping if isinstance(item, dict) and _flat_id(item.get("id"))]


def _flat_id(component) -> bool:
    """Whether `component` is a pattern id as the layout makes them: a dict of strings and numbers only.
    A forged id with a list or dict inside would otherwise reach dict look-ups as an unhashable key."""
    return isinstance(component, dict) and all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in component.values()
    )


def _trigger_id(prop_id: str):
    """Return the component id of a triggered "id.prop" (pattern ids are JSON)."""
    component = prop_id.rsplit(".", 1)[0]
    if component.startswith("{"):
        try:
            parsed = json.loads(component)
        except ValueError:
            return None
        return parsed if _flat_id(parsed) else None
    return component
