"""The state callback: controls, URL and clicks meet here, and only here.

`sync_state` is the one place where the view state changes. Whatever triggered it (the URL on load or on
back/forward, a control, a click on the map, the search box, a neighbour link, a row of the map's table, a
presentation key), it computes the new State, validates it through the same parser as a URL (so forged
component values get safe defaults), writes it to the URL and to the state store, and tells each part of
the page whether it must redraw. `transition` does the work as a plain function (tested directly).
"""

from __future__ import annotations

import json

from dash import ALL, Input, Output, callback, ctx, no_update
from dash import State as DashState

from dashboard import ids
from dashboard.atlas import Atlas
from dashboard.context import atlas as get_atlas
from dashboard.i18n import t
from dashboard.search import search_options
from dashboard.session import indicators_for, vocabulary_with, with_story
from dashboard.state import LATEST, State, parse_query, to_query
from dashboard.stories import stories_for
from dashboard.views.controls import year_options

CONTROL_OUTPUTS = (
    "view",
    "indicator",
    "year_options",
    "year",
    "countries",
    "method",
    "classes",
    "scheme",
    "zoom",
    "search_options",
    "search",
)


@callback(
    Output(ids.URL, "search"),
    Output(ids.STATE, "data"),
    Output(ids.NOTICE, "children"),
    Output(ids.MAP_KEY, "data"),
    Output(ids.PROFILE_KEY, "data"),
    Output(ids.COMPARE_KEY, "data"),
    Output(ids.TABS, "value"),
    Output(ids.INDICATOR, "value"),
    Output(ids.YEAR, "options"),
    Output(ids.YEAR, "value"),
    Output(ids.COUNTRIES, "value"),
    Output(ids.METHOD, "value"),
    Output(ids.CLASSES, "value"),
    Output(ids.SCHEME, "value"),
    Output(ids.ZOOM, "value"),
    Output(ids.SEARCH, "options"),
    Output(ids.SEARCH, "value"),
    Input(ids.URL, "search"),
    Input(ids.TABS, "value"),
    Input(ids.INDICATOR, "value"),
    Input(ids.YEAR, "value"),
    Input(ids.COUNTRIES, "value"),
    Input(ids.METHOD, "value"),
    Input(ids.CLASSES, "value"),
    Input(ids.SCHEME, "value"),
    Input(ids.ZOOM, "value"),
    Input(ids.SELECTED, "data"),
    Input(ids.SEARCH, "value"),
    Input({"type": ids.CLOSE, "index": ALL}, "n_clicks"),
    Input({"type": ids.NEIGHBOUR, "unit": ALL}, "n_clicks"),
    Input({"type": ids.TABLE_UNIT, "unit": ALL}, "n_clicks"),
    Input(ids.STORY_NAV, "data"),
    DashState(ids.STATE, "data"),
    DashState(ids.MAP_KEY, "data"),
    DashState(ids.PROFILE_KEY, "data"),
    DashState(ids.COMPARE_KEY, "data"),
    DashState(ids.UPLOADS, "data"),
)
def sync_state(
    search,
    view,
    indicator,
    year,
    countries,
    method,
    classes,
    scheme,
    zoom,
    selected,
    searched,
    _close,
    _neighbour,
    _table_unit,
    story_nav,
    current_query,
    map_key,
    profile_key,
    compare_key,
    uploads,
):
    inputs = dict(
        view=view,
        indicator=indicator,
        year=year,
        countries=countries,
        method=method,
        classes=classes,
        scheme=scheme,
        zoom=zoom,
        selected=selected,
        searched=searched,
        story_nav=story_nav,
    )
    # Several inputs can change in one go (adding an upload sets the indicator and the view): apply each.
    triggers = [_trigger_id(prop) for prop in ctx.triggered_prop_ids] or [None]
    return transition(
        get_atlas(), triggers, search, inputs, current_query, (map_key, profile_key, compare_key), uploads
    )


def _trigger_id(prop_id: str):
    """Return the component id of a triggered "id.prop" (pattern ids are JSON)."""
    component = prop_id.rsplit(".", 1)[0]
    if component.startswith("{"):
        try:
            return json.loads(component)
        except ValueError:
            return None
    return component


def transition(atlas: Atlas, triggers, search, inputs: dict, current_query, keys_shown: tuple, uploads=None) -> tuple:
    """Return every output of `sync_state` for the triggers and the component values (a plain function).

    `triggers` lists what changed: None on page load, ids.URL on back/forward, control ids, or pattern id
    dicts (a single trigger may be given as is); `uploads` is the session's store of uploaded datasets
    (their indicators are valid states too).
    """
    triggers = triggers if isinstance(triggers, list) else [triggers]
    trigger = triggers[0]
    indicators = indicators_for(uploads, atlas)
    vocab = vocabulary_with(indicators)
    current = parse_query(current_query if isinstance(current_query, str) else "", vocab).state
    notice = no_update
    if trigger is None or ids.URL in triggers:
        parsed = parse_query(search if isinstance(search, str) else "", vocab)
        new = parsed.state
        notice = t("map.ignored", new.lang, names=", ".join(parsed.ignored)) if parsed.ignored else None
    else:
        new = current
        for each in triggers:
            new = _apply(new, each, atlas, **inputs)
        # The same parser as for URLs: a forged or stale component value falls back to a safe default.
        new = parse_query(to_query(new), vocab).state
    new = with_story(new, atlas)
    query = to_query(new)
    keys = _keys(new)
    map_key, profile_key, compare_key = keys_shown
    shown = {
        k: inputs.get(k) for k in ("view", "indicator", "year", "countries", "method", "classes", "scheme", "zoom")
    }
    shown["search"] = inputs.get("searched")
    controls = _control_values(atlas, indicators, new, shown, trigger)
    return (
        query if query != (search or "") else no_update,
        query if query != current_query else no_update,
        notice,
        keys["map"] if keys["map"] != map_key else no_update,
        keys["profile"] if keys["profile"] != profile_key else no_update,
        keys["compare"] if keys["compare"] is not None and keys["compare"] != compare_key else no_update,
        *controls,
    )


def _apply(current: State, trigger, atlas: Atlas, **inputs) -> State:
    """Return `current` changed by the input that triggered the callback."""
    if trigger == ids.STORY_NAV:
        return _navigate(current, inputs.get("story_nav"), atlas)
    if current.story and trigger in (ids.INDICATOR, ids.YEAR, ids.COUNTRIES, ids.METHOD, ids.CLASSES, ids.ZOOM):
        # Changing the map by hand leaves the story (presentation mode stays on).
        current = current.with_(story=None, step=1)
    if isinstance(trigger, dict):
        if trigger.get("type") == ids.CLOSE:
            return current.with_(unit=None)
        if trigger.get("type") in (ids.NEIGHBOUR, ids.TABLE_UNIT):
            return current.with_(unit=str(trigger.get("unit")))
        return current
    value = {
        ids.TABS: ("view", inputs["view"]),
        ids.INDICATOR: ("indicator", inputs["indicator"]),
        ids.YEAR: ("year", inputs["year"]),
        ids.METHOD: ("method", inputs["method"]),
        ids.SCHEME: ("scheme", inputs["scheme"]),
        ids.ZOOM: ("zoom", inputs["zoom"]),
        ids.SELECTED: ("unit", inputs["selected"]),
        ids.SEARCH: ("unit", inputs["searched"]),
    }.get(trigger)
    if trigger == ids.CLASSES:
        try:
            return current.with_(classes=int(inputs["classes"]))
        except (TypeError, ValueError):
            return current
    if trigger == ids.COUNTRIES:
        chosen = inputs["countries"] if isinstance(inputs["countries"], list) else []
        all_countries = set(atlas.units["country"].unique())
        picked = tuple(sorted({c for c in chosen if isinstance(c, str)}))
        # Every country ticked, or none (nothing to map), both mean: no filter.
        return current.with_(countries=() if not picked or set(picked) >= all_countries else picked)
    if value is None:
        return current
    name, new_value = value
    if name == "indicator" and new_value != current.indicator:
        return current.with_(indicator=new_value, year=LATEST)
    if name == "unit" and new_value in (None, ""):
        return current.with_(unit=None)
    return current.with_(**{name: new_value})


def _navigate(state: State, nav, atlas: Atlas) -> State:
    """Return the state after a presentation command: start a story, next, previous, exit, presentation."""
    if not isinstance(nav, dict):
        return state
    action = nav.get("action")
    stories = stories_for(atlas)
    if action == "start" and nav.get("story") in stories:
        return state.with_(story=nav["story"], step=1, present=True, view="map", unit=None)
    if action in ("next", "prev") and state.story in stories:
        last = len(stories[state.story].steps)
        step = min(last, state.step + 1) if action == "next" else max(1, state.step - 1)
        return state.with_(step=step)
    if action == "exit":
        return state.with_(story=None, step=1, present=False)
    if action == "present":
        return state.with_(present=True, view="map")
    return state


def _keys(state: State) -> dict[str, str | None]:
    """Return what each part of the page draws from; a part redraws only when its key changes."""
    # The selected unit is outlined by the browser itself (views/shell.py): selecting one must not send
    # the map's values again, so it is not part of the map's key.
    map_state = state.with_(view="map", unit=None)
    return {
        "map": to_query(map_state),
        # Without a unit the profile panel shows the same hint whatever the indicator: nothing to redraw.
        "profile": to_query(State(unit=state.unit, lang=state.lang, indicator=state.indicator))
        if state.unit
        else to_query(State(lang=state.lang)),
        "compare": to_query(
            State(
                view="compare", indicator=state.indicator, year=state.year, countries=state.countries, lang=state.lang
            )
        )
        if state.view == "compare"
        else None,
    }


def _control_values(atlas: Atlas, indicators, state: State, shown: dict, trigger) -> list:
    """Return the control values for `state`, with no_update where the control already shows it."""
    all_countries = sorted(atlas.units["country"].unique())
    wanted = {
        "view": state.view,
        "indicator": state.indicator,
        "year": state.year,
        "countries": list(state.countries) or all_countries,
        "method": state.method,
        "classes": state.classes,
        "scheme": state.scheme,
        "zoom": state.zoom,
        "search": state.unit,
    }
    values = []
    for name in CONTROL_OUTPUTS:
        if name == "year_options":
            changed = trigger in (None, ids.URL, ids.INDICATOR)
            values.append(year_options(indicators.years(state.indicator), state.lang) if changed else no_update)
            continue
        if name == "search_options":
            # The dropdown drops a value that is not among its options: offer the selected unit.
            changed = state.unit != shown.get("search")
            values.append(search_options(atlas, "", state.lang, state.unit) if changed else no_update)
            continue
        current = shown.get(name)
        if name == "countries" and isinstance(current, list):
            current = sorted(current, key=str)  # a forged list may mix types
        values.append(wanted[name] if current != wanted[name] else no_update)
    return values
