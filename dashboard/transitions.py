"""How the view state changes: the logic behind the state callback (dashboard/views/sync.py), as plain
functions.

`transition` takes what changed (the triggers) and the values the components show, and returns every
output of the state callback by name (`OUTPUTS`): the new query string for the URL and the state store,
a notice of ignored URL parts, the keys each part of the page redraws from, and the values the controls
must show (`no_update` where they already do). Whatever changed, the new State goes through the same
parser as a URL, so forged or stale component values fall back to safe defaults.
"""

from __future__ import annotations

import math
from dataclasses import replace

from dash import no_update

from dashboard import ids
from dashboard.atlas import Atlas
from dashboard.change import base_of, change_id
from dashboard.i18n import t
from dashboard.index_layer import INDEX_IDS, INDEX_SCORE, INDEX_WIDTH
from dashboard.search import search_options
from dashboard.session import indicators_for, stories_with, vocabulary_with, with_change, with_index, with_story
from dashboard.state import INDEX_CONTROLS, LATEST, IndexState, PeerState, State, parse_query, to_query
from dashboard.stories import Story
from dashboard.vocabulary import (
    NO_CHANGE,
    NO_VERSUS,
    change_mode_options,
    change_since_options,
    map_years,
    year_options,
)

# The parts of the page that redraw from a key of their own (see `_keys`).
KEYS = ("map_key", "profile_key", "compare_key", "peers_key", "index_key")
# The controls the state callback sets, each named after the State field it shows ("search" shows the
# selected unit); "year_options" and "search_options" are the option lists of two of them.
CONTROLS = (
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
    "peer_k",
    "peer_scope",
    "peer_countries",
    "peer_indicators",
    "peer_min",
    "peer_unit_options",
    "peer_unit",
    "index_controls",  # the index builder's fixed controls, a list in the order of state.INDEX_CONTROLS
    "change_since_options",
    "change_since_disabled",
    "change_since",
    "change_mode_options",
    "change_mode",
    "versus",
)
# Every output of the state callback, in the order of its Dash outputs.
OUTPUTS = ("url", "state", "notice", *KEYS, *CONTROLS)
# The component values `transition` reads, by name (the state callback's inputs of the same names).
INPUTS = (
    "view",
    "indicator",
    "year",
    "countries",
    "method",
    "classes",
    "scheme",
    "zoom",
    "selected",
    "searched",
    "story_nav",
    "peer_k",
    "peer_scope",
    "peer_countries",
    "peer_indicators",
    "peer_min",
    "peer_unit",
    "peer_weights",  # {indicator: value} of the weight inputs on screen
    "index_controls",  # {name: value} of the index builder's fixed controls (state.INDEX_CONTROLS)
    "index_parts",  # {(kind, name, where): value} of its weight and direction inputs on screen
    "change_since",
    "change_mode",
    "versus",
)


def transition(
    atlas: Atlas,
    triggers,
    search,
    inputs: dict,
    current_query,
    keys_shown: dict | None = None,
    uploads=None,
    own_story=None,
) -> dict:
    """Return every output of the state callback by name (`OUTPUTS`), for the triggers and the component
    values (`inputs`, by the names of `INPUTS`).

    `triggers` lists what changed: None on page load, ids.URL on back/forward, control ids, or pattern id
    dicts (a single trigger may be given as is); `search` is the URL's query string; `current_query` the
    state store's; `keys_shown` the keys the page's parts last drew from, by the names of `KEYS`; `uploads`
    is the session's store of uploaded datasets (their indicators are valid states too), `own_story` the
    browser's store of the story the person is making (dashboard/story_draft.py).
    """
    triggers = triggers if isinstance(triggers, list) else [triggers]
    trigger = triggers[0]
    keys_shown = keys_shown or {}
    indicators = indicators_for(uploads, atlas)
    vocab = vocabulary_with(indicators, own_story)
    current = parse_query(current_query if isinstance(current_query, str) else "", vocab).state
    notice = no_update
    if trigger is None or ids.URL in triggers:
        parsed = parse_query(search if isinstance(search, str) else "", vocab)
        new = parsed.state
        notice = t("map.ignored", new.lang, names=", ".join(parsed.ignored)) if parsed.ignored else None
    else:
        new = current
        for each in triggers:
            new = _apply(new, each, atlas, own_story, **inputs)
        # The same parser as for URLs: a forged or stale component value falls back to a safe default.
        new = parse_query(to_query(new), vocab).state
    new, indicators = with_index(new, indicators)
    new = with_story(new, atlas, own_story)
    indicators = with_change(new, indicators)
    query = to_query(new)
    keys = _keys(new)
    shown = {
        k: inputs.get(k) for k in ("view", "indicator", "year", "countries", "method", "classes", "scheme", "zoom")
    }
    shown["search"] = inputs.get("searched")
    shown |= {name: inputs.get(name) for name in ("peer_k", "peer_scope", "peer_countries", "peer_indicators")}
    shown |= {"peer_min": inputs.get("peer_min"), "peer_unit": inputs.get("peer_unit")}
    controls = inputs.get("index_controls")
    shown["index_controls"] = [controls.get(n) for n in INDEX_CONTROLS] if isinstance(controls, dict) else None
    shown |= {"change_since": inputs.get("change_since"), "change_mode": inputs.get("change_mode")}
    shown["versus"] = inputs.get("versus")
    return {
        "url": query if query != (search or "") else no_update,
        "state": query if query != current_query else no_update,
        "notice": notice,
        # A part redraws only when its key changes; the compare key is None while Compare is not shown.
        **{
            name: keys[name] if keys[name] is not None and keys[name] != keys_shown.get(name) else no_update
            for name in KEYS
        },
        **_control_values(atlas, indicators, new, shown, trigger),
    }


# The controls of the map itself: changing one by hand leaves a story.
_MAP_CONTROLS = (
    ids.INDICATOR,
    ids.YEAR,
    ids.CHANGE_SINCE,
    ids.CHANGE_MODE,
    ids.VERSUS,
    ids.COUNTRIES,
    ids.METHOD,
    ids.CLASSES,
    ids.ZOOM,
)


def _apply(current: State, trigger, atlas: Atlas, own_story=None, **inputs) -> State:
    """Return `current` changed by the input that triggered the callback."""
    if trigger == ids.STORY_NAV:
        return _navigate(current, inputs.get("story_nav"), stories_with(atlas, own_story))
    if current.story and trigger in _MAP_CONTROLS:
        # Changing the map by hand leaves the story (presentation mode stays on).
        current = current.with_(story=None, step=1)
    if isinstance(trigger, dict):
        if trigger.get("type") == ids.CLOSE:
            return current.with_(unit=None)
        if trigger.get("type") in (ids.NEIGHBOUR, ids.TABLE_UNIT):
            return current.with_(unit=str(trigger.get("unit")))
        if trigger.get("type") == ids.PEER_OPEN:  # a peer's name: its profile, on the map
            return current.with_(unit=str(trigger.get("unit")), view="map")
        if trigger.get("type") == ids.PEER_ACTION:
            return _peer_action(current, trigger.get("action"))
        if trigger.get("type") == ids.PEER_WEIGHT:
            return _with_weight(current, trigger.get("indicator"), inputs.get("peer_weights"))
        if trigger.get("type") == ids.INDEX_CONTROL:
            controls = inputs.get("index_controls")
            value = controls.get(trigger.get("name")) if isinstance(controls, dict) else None
            return _with_index_control(current, trigger.get("name"), value)
        if trigger.get("type") == ids.INDEX_PART:
            parts = inputs.get("index_parts")
            key = (trigger.get("kind"), trigger.get("name"), trigger.get("where"))
            value = parts.get(key) if isinstance(parts, dict) else None
            return _with_index_part(current, trigger.get("kind"), trigger.get("name"), value)
        if trigger.get("type") == ids.INDEX_ACTION:
            return _index_action(current, trigger.get("action"))
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
        ids.PEER_UNIT: ("unit", inputs.get("peer_unit")),
    }.get(trigger)
    if trigger in _PEER_CONTROLS:
        return _with_peer_control(current, trigger, inputs, atlas)
    if trigger == ids.CHANGE_SINCE:
        return _with_change_since(current, inputs.get("change_since"))
    if trigger == ids.CHANGE_MODE:
        return current.with_(change=str(inputs.get("change_mode")))
    if trigger == ids.VERSUS:
        versus = inputs.get("versus")
        return current.with_(versus=versus if isinstance(versus, str) and versus != NO_VERSUS else None)
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
    if name == "indicator" and new_value == base_of(current.indicator):
        return current  # the dropdown shows a change's indicator: choosing it again keeps the change
    if name == "indicator" and new_value != current.indicator:
        return current.with_(indicator=new_value, year=LATEST)
    if name == "unit" and new_value in (None, ""):
        return current.with_(unit=None)
    return current.with_(**{name: new_value})


def _with_change_since(current: State, since) -> State:
    """Map the change of the indicator since `since` (kept as the later year: the year shown), or the
    year's values again for "none"; the parser checks the years."""
    base = base_of(current.indicator) or current.indicator
    if since == NO_CHANGE or not isinstance(since, str):
        return current.with_(indicator=base, since=None)
    return current.with_(indicator=change_id(base), since=since)


_PEER_CONTROLS = (ids.PEER_K, ids.PEER_SCOPE, ids.PEER_COUNTRIES, ids.PEER_INDICATORS, ids.PEER_MIN)


def _with_peer_control(current: State, trigger: str, inputs: dict, atlas: Atlas) -> State:
    """Return `current` with the peer method changed by one of the peer finder's controls. Values are
    taken as they come; the URL parser that every new state goes through drops what is out of range."""
    peer = current.peer
    if trigger == ids.PEER_K:
        peer = replace(peer, k=_whole(inputs.get("peer_k"), peer.k))
    elif trigger == ids.PEER_MIN:
        peer = replace(peer, min_common=_whole(inputs.get("peer_min"), peer.min_common))
    elif trigger == ids.PEER_SCOPE:
        scope = inputs.get("peer_scope")
        peer = replace(peer, scope=scope if isinstance(scope, str) else peer.scope)
        if peer.scope == "chosen" and not peer.countries:
            # Start from the other countries, the default scope: unticking some is the usual next step.
            own = _unit_country(current)
            peer = replace(peer, countries=tuple(c for c in sorted(atlas.units["country"].unique()) if c != own))
    elif trigger == ids.PEER_COUNTRIES:
        chosen = inputs.get("peer_countries")
        picked = tuple(sorted({c for c in chosen if isinstance(c, str)})) if isinstance(chosen, list) else ()
        peer = replace(peer, countries=picked, scope="chosen") if picked else peer
    elif trigger == ids.PEER_INDICATORS:
        chosen = inputs.get("peer_indicators")
        picked = tuple(dict.fromkeys(i for i in chosen if isinstance(i, str))) if isinstance(chosen, list) else ()
        if picked:
            weights = tuple((i, w) for i, w in peer.weights if i in picked)
            peer = replace(peer, indicators=picked, weights=weights)
    return current.with_(peer=peer)


def _with_weight(current: State, indicator, weights) -> State:
    """Return `current` with the weight of `indicator` set from the weight inputs (`weights`: id → value)."""
    if not isinstance(weights, dict) or indicator not in current.peer.indicators:
        return current
    value = weights.get(indicator)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return current
    merged = dict(current.peer.weights) | {indicator: float(value)}
    ordered = tuple((i, merged[i]) for i in current.peer.indicators if i in merged and merged[i] != 1.0)
    return current.with_(peer=replace(current.peer, weights=ordered))


def _peer_action(current: State, action) -> State:
    """The peer finder's buttons: show the peers on the map, hide them, open the peer table."""
    if action == "show_on_map":
        return current.with_(view="map", peers=True)
    if action == "hide_on_map":
        return current.with_(peers=False)
    if action == "open_table":
        return current.with_(view="peers")
    if action == "reset":
        return current.with_(peer=PeerState())
    return current


def _with_index_control(current: State, name, value) -> State:
    """Return `current` with one of the index builder's fixed controls set. Values are taken as they come;
    the URL parser drops what is out of range."""
    index = current.index
    if name == "components":
        picked = tuple(dict.fromkeys(i for i in value if isinstance(i, str))) if isinstance(value, list) else ()
        kept = set(picked)
        index = replace(
            index,
            components=picked,
            directions=tuple((i, d) for i, d in index.directions if i in kept),
            weights=tuple((n, w) for n, w in index.weights if n in kept or index.weighting == "field"),
        )
        if picked and not current.index.components:  # a first index: show it on the map
            return current.with_(index=index, indicator=INDEX_SCORE, year=LATEST)
        return current.with_(index=index)
    if name == "weighting" and isinstance(value, str) and value != index.weighting:
        return current.with_(index=replace(index, weighting=value, weights=()))  # the other kind of weights
    if name in ("normalisation", "aggregation", "scope") and isinstance(value, str):
        return current.with_(index=replace(index, **{name: value}))
    if name == "winsor" and isinstance(value, int | float) and not isinstance(value, bool):
        return current.with_(index=replace(index, winsor=float(value)))
    if name == "min_share":
        return current.with_(index=replace(index, min_share=_whole(value, index.min_share)))
    return current


def _with_index_part(current: State, kind, name, value) -> State:
    """Return `current` with a component's direction or a component's (or field's) weight set."""
    index = current.index
    if not isinstance(name, str) or isinstance(value, bool):
        return current
    if kind == "direction" and name in index.components:
        sign = _whole(value, 0)
        merged = dict(index.directions) | ({name: sign} if sign in (1, -1) else {})
        ordered = tuple((i, merged[i]) for i in index.components if i in merged)
        return current.with_(index=replace(index, directions=ordered))
    if kind == "weight" and isinstance(value, int | float) and math.isfinite(value):
        merged = dict(index.weights) | {name: float(value)}
        order = list(index.components) if index.weighting == "indicator" else sorted(merged)
        ordered = tuple((n, merged[n]) for n in order if n in merged and merged[n] != 1.0)
        return current.with_(index=replace(index, weights=ordered))
    return current


def _index_action(current: State, action) -> State:
    """The index builder's buttons: map the index or its rank uncertainty, open the index view, clear it."""
    if action == "map" and current.index.components:
        return current.with_(view="map", indicator=INDEX_SCORE, year=LATEST)
    if action == "map_width" and current.index.components:
        return current.with_(view="map", indicator=INDEX_WIDTH, year=LATEST)
    if action == "open":
        return current.with_(view="index")
    if action == "clear":
        return current.with_(index=IndexState())
    return current


def _whole(value, fallback: int) -> int:
    if isinstance(value, bool):
        return fallback
    if isinstance(value, int | float) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return fallback


def _unit_country(state: State) -> str | None:
    # unit ids start with their country code (AT_70101, SI_041, LI_01)
    return state.unit.split("_", 1)[0] if state.unit else None


def _navigate(state: State, nav, stories: dict[str, Story]) -> State:
    """Return the state after a presentation command: start a story (at its first step, or at `step`),
    next, previous, exit, presentation."""
    if not isinstance(nav, dict):
        return state
    action = nav.get("action")
    if action == "start" and isinstance(nav.get("story"), str) and nav["story"] in stories:
        steps = len(stories[nav["story"]].steps)
        step = _whole(nav.get("step"), 1)
        return state.with_(
            story=nav["story"], step=step if 1 <= step <= steps else 1, present=True, view="map", unit=None
        )
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
    """Return what each part of the page draws from, by the names of `KEYS`; a part redraws only when its
    key changes."""
    # The selected unit is outlined by the browser itself (views/shell.py): selecting one must not send
    # the map's values again, so it is not part of the map's key.
    # The index's method changes the map only while the map shows the index.
    mapped_index = state.index if state.indicator in INDEX_IDS else IndexState()
    map_state = state.with_(view="map", unit=None, index=mapped_index)
    return {
        "map_key": to_query(map_state),
        # Without a unit the profile panel shows the same hint whatever the indicator: nothing to redraw.
        "profile_key": to_query(
            State(
                unit=state.unit,
                lang=state.lang,
                indicator=state.indicator,
                peers=state.peers,
                peer=state.peer,
                index=state.index,
            )
        )
        if state.unit
        else to_query(State(lang=state.lang)),
        "compare_key": to_query(
            State(
                view="compare",
                indicator=state.indicator,
                year=state.year,
                since=state.since,
                change=state.change,
                countries=state.countries,
                lang=state.lang,
                index=mapped_index,
            )
        )
        if state.view == "compare"
        else None,
        # The peer finder's table (and the peers' outlines on the map): while its view is open, or while
        # the map outlines the selected unit's peers; otherwise a key that draws nothing.
        "peers_key": to_query(State(view="peers", unit=state.unit, lang=state.lang, peers=state.peers, peer=state.peer))
        if state.view == "peers" or (state.peers and state.unit)
        else to_query(State(lang=state.lang)),
        # The index view and the index's weights beside the map: the method, whether the map shows it, and
        # whether the index view is open (its results are computed only then: the Monte Carlo is the dear part).
        "index_key": to_query(
            State(
                view="index" if state.view == "index" else "map",
                lang=state.lang,
                index=state.index,
                indicator=state.indicator if state.indicator in INDEX_IDS else State().indicator,
            )
        ),
    }


def _control_values(atlas: Atlas, indicators, state: State, shown: dict, trigger) -> dict:
    """Return the control values for `state` by the names of `CONTROLS`, with no_update where the control
    already shows it."""
    all_countries = sorted(atlas.units["country"].unique())
    since_options, since_disabled = change_since_options(indicators, state)
    # Options follow the indicator and the later year; sent each time (small), Dash skips equal props.
    change_controls = {
        "change_since_options": since_options,
        "change_since_disabled": since_disabled,
        "change_mode_options": change_mode_options(state),
    }
    wanted = {
        "view": state.view,
        "indicator": base_of(state.indicator) or state.indicator,  # a change: the indicator it is of
        "year": state.year,
        "countries": list(state.countries) or all_countries,
        "method": state.method,
        "classes": state.classes,
        "scheme": state.scheme,
        "zoom": state.zoom,
        "search": state.unit,
        "peer_k": state.peer.k,
        "peer_scope": state.peer.scope,
        "peer_countries": list(state.peer.countries),
        "peer_indicators": list(state.peer.indicators),
        "peer_min": state.peer.min_common,
        "peer_unit": state.unit,
        "index_controls": [
            list(getattr(state.index, name)) if name == "components" else getattr(state.index, name)
            for name in INDEX_CONTROLS
        ],
        "change_since": state.since or NO_CHANGE,
        "change_mode": state.change,
        "versus": state.versus or NO_VERSUS,
    }
    values = {}
    for name in CONTROLS:
        if name == "year_options":
            changed = trigger in (None, ids.URL, ids.INDICATOR, ids.CHANGE_SINCE)
            years = map_years(indicators, state.indicator)
            values[name] = year_options(years, state.lang) if changed else no_update
            continue
        if name in ("change_since_options", "change_since_disabled", "change_mode_options"):
            values[name] = change_controls[name]
            continue
        if name == "search_options":
            # The dropdown drops a value that is not among its options: offer the selected unit.
            changed = state.unit != shown.get("search")
            values[name] = search_options(atlas, "", state.lang, state.unit) if changed else no_update
            continue
        if name == "peer_unit_options":
            changed = state.unit != shown.get("peer_unit")
            values[name] = search_options(atlas, "", state.lang, state.unit) if changed else no_update
            continue
        if name == "index_controls":
            # A pattern output: a list, one value per control in the page's order (no_update where shown).
            on_screen = shown.get(name) or [None] * len(INDEX_CONTROLS)
            values[name] = [w if w != c else no_update for w, c in zip(wanted[name], on_screen)]
            continue
        current = shown.get(name)
        if name == "countries" and isinstance(current, list):
            current = sorted(current, key=str)  # a forged list may mix types
        values[name] = wanted[name] if current != wanted[name] else no_update
    return values
