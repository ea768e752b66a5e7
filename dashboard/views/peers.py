"""The peer finder's view: the method's controls, the peers of the chosen unit side by side, their outlines
on the map and the CSV download.

The method is dashboard/peers.py's; the table is dashboard/peer_table.py's (the same rows feed the profile's
peer list, the CSV and the poster). The controls feed the state callback (views/sync.py), so the method
lives in the URL. The table redraws from the peers key; the map's outlines are a short list of feature
positions, never geometry.
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, callback, clientside_callback, dcc, html, no_update
from dash import State as DashState

from dashboard import ids
from dashboard.atlas import Atlas
from dashboard.context import atlas as get_atlas
from dashboard.csvsafe import safe_csv
from dashboard.i18n import fmt_number, t
from dashboard.indicators import Indicators
from dashboard.peer_table import (
    comparability,
    comparability_text,
    label,
    method_lines,
    peer_frame,
    peer_rows,
    run,
    scope_text,
    value_text,
)
from dashboard.peers import K_MAX, PeerResult, comparable_ids
from dashboard.session import session
from dashboard.state import MAX_PEER_INDICATORS, MAX_WEIGHT, PEER_SCOPES, State
from dashboard.views import controls
from dashboard.views.controls import field
from dashboard.vocabulary import country_name, source_publisher, source_title
from geo.terms import THEMES


def layout(atlas: Atlas, state: State) -> html.Div:
    """Return the peer view: the method's controls (set from `state`) and the place of the results."""
    lang = state.lang
    countries = sorted(atlas.units["country"].unique())
    return html.Div(
        className="atlas-peers",
        children=[
            html.Aside(
                className="atlas-peers-controls",
                **{"aria-label": t("peers.controls", lang)},
                children=[
                    html.H2(t("peers.title", lang)),
                    html.P(t("peers.intro", lang), className="atlas-small"),
                    field(t("peers.unit", lang), controls.unit_search(ids.PEER_UNIT, atlas, state, clearable=False)),
                    field(
                        t("peers.k", lang),
                        dcc.Input(
                            id=ids.PEER_K, type="number", min=1, max=K_MAX, step=1, value=state.peer.k, debounce=True
                        ),
                    ),
                    field(
                        t("peers.scope", lang),
                        dcc.RadioItems(
                            id=ids.PEER_SCOPE,
                            options=[{"label": t(f"peers.scope_{s}", lang), "value": s} for s in PEER_SCOPES],
                            value=state.peer.scope,
                            className="atlas-radio",
                        ),
                    ),
                    field(
                        t("peers.countries", lang),
                        dcc.Checklist(
                            id=ids.PEER_COUNTRIES,
                            options=[{"label": country_name(c, lang), "value": c} for c in countries],
                            value=list(state.peer.countries),
                            className="atlas-checklist",
                            inline=True,
                        ),
                    ),
                    field(
                        t("peers.indicators", lang),
                        # A list of checkboxes rather than a multi-select: each choice is read by its own
                        # name, by eye and by a screen reader.
                        dcc.Checklist(
                            id=ids.PEER_INDICATORS,
                            options=indicator_choices(Indicators(atlas), lang),
                            value=list(state.peer.indicators),
                            className="atlas-checklist atlas-peer-indicators",
                        ),
                    ),
                    html.P(t("peers.indicators_help", lang, max=MAX_PEER_INDICATORS), className="atlas-small"),
                    html.Div(id=ids.PEER_WEIGHTS, className="atlas-peer-weights"),
                    field(
                        t("peers.min_common", lang),
                        dcc.Input(
                            id=ids.PEER_MIN,
                            type="number",
                            min=1,
                            max=MAX_PEER_INDICATORS,
                            step=1,
                            value=state.peer.min_common,
                            debounce=True,
                        ),
                    ),
                    html.Div(
                        className="atlas-peer-buttons",
                        children=[
                            html.Button(
                                t("peers.reset", lang),
                                id={"type": ids.PEER_ACTION, "action": "reset", "where": "view"},
                                className="atlas-button",
                            ),
                            html.Button(
                                t("peers.download", lang), id=ids.PEER_DOWNLOAD_BUTTON, className="atlas-button"
                            ),
                        ],
                    ),
                    dcc.Download(id=ids.PEER_DOWNLOAD),
                ],
            ),
            html.Div(
                className="atlas-peers-results",
                children=[
                    html.Div(id=ids.PEER_RESULTS, **{"aria-live": "polite"}),
                    dcc.Store(id=ids.PEER_TABLE_DATA),
                    html.Div(id=ids.PEER_TABLE),
                    html.Div(id=ids.PEER_NOTES),
                    # The same for every unit: in the page, not in each answer.
                    html.P(t("peers.table_help", lang), className="atlas-small"),
                    html.Details(
                        [
                            html.Summary(t("peers.method_title", lang)),
                            *[html.P(p) for p in t("peers.method", lang).split("\n\n")],
                        ],
                        className="atlas-peer-method",
                    ),
                ],
            ),
        ],
    )


def indicator_choices(indicators: Indicators, lang: str) -> list[dict]:
    """The indicators peers can be found on, by theme (the unit attributes with remoteness), then uploads."""
    ids_ = comparable_ids(indicators)
    uploaded = set(indicators.uploaded_ids())
    order = {theme: n for n, theme in enumerate(THEMES)}

    def place(indicator: str) -> tuple:
        if indicator in uploaded:
            return (len(THEMES) + 1, 0)
        theme = indicators.get(indicator).theme if indicator in indicators else "peripherality"
        return (order.get(theme, len(THEMES)), ids_.index(indicator))

    return [{"label": label(indicators, i, lang), "value": i} for i in sorted(ids_, key=place)]


@callback(
    Output(ids.PEER_INDICATORS, "options"),
    Input(ids.UPLOADS, "data"),
    DashState(ids.STATE, "data"),
    prevent_initial_call=True,
)
def update_indicator_choices(uploads, state_query):
    """The session's uploaded columns join the choices (and leave them when removed)."""
    state, indicators = session(state_query, uploads)
    return indicator_choices(indicators, state.lang)


def weight_inputs(indicators: Indicators, state: State) -> list:
    """One weight input per chosen indicator (0 leaves it out; 2 counts it twice)."""
    lang = state.lang
    rows = []
    for indicator in state.peer.indicators:
        control_id = {"type": ids.PEER_WEIGHT, "indicator": indicator}
        # The input inside its label: a pattern id has no stable DOM id for htmlFor.
        rows.append(
            html.Label(
                className="atlas-peer-weight",
                children=[
                    html.Span(label(indicators, indicator, lang)),
                    dcc.Input(
                        id=control_id,
                        type="number",
                        min=0,
                        max=MAX_WEIGHT,
                        step=0.5,
                        value=state.peer.weight(indicator),
                        debounce=True,
                    ),
                ],
            )
        )
    return [html.Fieldset([html.Legend(t("peers.weights", lang)), *rows], className="atlas-field")]


def summary(atlas: Atlas, indicators: Indicators, result: PeerResult, lang: str) -> list:
    """The sentences above the table: what was ranked, who was left out and why."""
    a = int(atlas.position[result.unit_id])
    name = atlas.units.at[a, "name"]
    lines = [
        t(
            "peers.summary",
            lang,
            k=fmt_number(len(result.peers), lang),
            name=name,
            scope=scope_text(result, lang),
            ranked=fmt_number(result.ranked, lang),
            required=fmt_number(result.required, lang),
        )
    ]
    if result.peers and result.tied > 1:
        at_k = sum(1 for p in result.peers if p.distance == result.peers[-1].distance)
        if result.tied > at_k:  # more units as close as the last peer than places left for them
            lines.append(
                t(
                    "peers.tied",
                    lang,
                    count=fmt_number(result.tied, lang),
                    distance=fmt_number(result.peers[-1].distance, lang, 2),
                )
            )
    if result.too_few_common:
        lines.append(t("peers.too_few", lang, count=fmt_number(result.too_few_common, lang), required=result.required))
    missing = [i for i in result.method.indicators if i not in result.unit_indicators and i not in result.left_out]
    if missing:
        lines.append(
            t("peers.unit_lacks", lang, name=name, indicators=", ".join(label(indicators, i, lang) for i in missing))
        )
    for indicator, why in result.left_out.items():
        key = "peers.left_out_spread" if "spread" in why else "peers.left_out_empty"
        lines.append(t(key, lang, indicator=label(indicators, indicator, lang)))
    if not result.peers:
        lines.append(t("peers.none", lang, required=result.required))
    return [html.P(line) for line in lines]


def table_data(atlas: Atlas, indicators: Indicators, rows, runs: int, lang: str) -> dict:
    """The unit and its peers side by side as plain texts: distance, stability, why, every indicator.

    The browser builds the table from it (assets/atlas-peers.js): a table of 50 peers is some 1,500 cells,
    and sending them as Dash components would cost more server time in serialisation than finding them."""
    chosen = list(rows[0].cells)
    headers = [
        {"text": "#", "cls": "num"},
        {"text": t("peers.col_unit", lang)},
        {"text": t("peers.col_distance", lang), "title": t("peers.distance_help", lang)},
        {"text": t("peers.col_stable", lang), "title": t("peers.stable_help", lang)},
        {"text": t("peers.col_why", lang), "cls": "atlas-peer-why-col"},
        *[{"text": label(indicators, i, lang), "cls": "num"} for i in chosen],
    ]
    body = []
    for row in rows:
        own = row.rank == 0
        cells = [
            {"text": "–" if own else fmt_number(row.distance, lang, 2), "cls": "num"},
            {
                "text": "–" if own or row.kept is None else t("peers.kept", lang, kept=row.kept, runs=runs),
                "cls": "num",
            },
            {"text": _why(indicators, row, len(rows[0].used), lang), "cls": "atlas-peer-why-col"},
            *[_cell(atlas, indicators, i, row.cells[i], i in row.used or own, lang) for i in chosen],
        ]
        body.append(
            {
                "rank": "–" if own else str(row.rank),
                "name": f"{row.name} ({country_name(row.country, lang)})",
                "unit": None if own else row.unit_id,
                "open": t("peers.open", lang, name=row.name),
                "cells": cells,
            }
        )
    return {"label": t("peers.table", lang), "headers": headers, "rows": body, "openType": ids.PEER_OPEN}


def _why(indicators: Indicators, row, total: int, lang: str) -> str:
    """Most alike and most different in, and on how many indicators the distance was computed (one text
    of three lines: a long table stays a light page)."""
    if row.rank == 0:
        return ""
    names = ", ".join(label(indicators, i, lang) for i in row.most_alike)
    different = ", ".join(label(indicators, i, lang) for i in row.most_different)
    return "\n".join(
        [
            t("peers.alike_in", lang, indicators=names),
            t("peers.different_in", lang, indicators=different) if different else t("peers.identical", lang),
            t("peers.used", lang, used=len(row.used), total=total),
        ]
    )


def _cell(atlas: Atlas, indicators: Indicators, indicator: str, cell, used: bool, lang: str) -> dict:
    """A value with its year and publisher on a second, smaller line; a value the distance could not use
    is marked so."""
    text = value_text(indicators, indicator, cell.value, lang)
    out = {"cls": "num atlas-peer-cell" + ("" if used else " atlas-peer-unused")}
    if cell.source:
        publisher = source_publisher(atlas, cell.source, lang)  # an uploaded file: its name
        text += "\n" + " · ".join(p for p in (str(cell.year) if cell.year else "", publisher) if p)
        out["title"] = source_title(atlas, cell.source, lang)
    return out | {"text": text}


def results(atlas: Atlas, indicators: Indicators, state: State) -> tuple[list, dict | None, list, list[int]]:
    """Return what stands above the table, the texts of the table (None: no table; the browser builds it),
    what stands below it, and the feature positions of the peers (for the map's outlines)."""
    lang = state.lang
    if not state.unit:
        return [html.H2(t("peers.title", lang)), html.P(t("peers.choose", lang))], None, [], []
    outcome = run(indicators, state)
    if isinstance(outcome, str):
        return [html.P(t(outcome, lang))], None, [], []
    result, stable = outcome
    rows = peer_rows(indicators, result, stable)
    a = int(atlas.position[state.unit])
    heading = t("peers.heading", lang, name=atlas.units.at[a, "name"], country=country_name(rows[0].country, lang))
    above = [
        html.H2(heading, id="peer-heading"),
        *summary(atlas, indicators, result, lang),
        html.Button(
            t("peers.show_on_map", lang),
            id={"type": ids.PEER_ACTION, "action": "show_on_map", "where": "view"},
            className="atlas-button",
            disabled=not result.peers,
        ),
    ]
    data = table_data(atlas, indicators, rows, stable.runs, lang) if result.peers else None
    below = []
    notes = [
        html.Li(comparability_text(atlas, indicators, i, pooled, lang))
        for i, pooled in comparability(atlas, indicators, rows).items()
    ]
    if notes:
        below += [html.H3(t("peers.comparability", lang)), html.Ul(notes, className="atlas-comparability atlas-small")]
    positions = [int(atlas.position[p.unit_id]) for p in result.peers]
    return above, data, below, positions


@callback(
    Output(ids.PEER_RESULTS, "children"),
    Output(ids.PEER_TABLE_DATA, "data"),
    Output(ids.PEER_NOTES, "children"),
    Output(ids.PEER_WEIGHTS, "children"),
    Output(ids.PEER_OUTLINES, "data"),
    Input(ids.PEERS_KEY, "data"),
    Input(ids.UPLOADS, "data"),
)
def update_peers(peers_key, uploads):
    atlas = get_atlas()
    state, indicators = session(peers_key, uploads)
    if state.view != "peers":  # nothing to show: no peer view open and no peers on the map
        return no_update, no_update, no_update, no_update, []
    above, data, below, positions = results(atlas, indicators, state)
    return above, data, below, weight_inputs(indicators, state), positions if state.peers else []


# The table is built in the browser from its texts (assets/atlas-peers.js).
clientside_callback(
    ClientsideFunction(namespace="atlas_peers", function_name="table"),
    Output(ids.PEER_TABLE, "children"),
    Input(ids.PEER_TABLE_DATA, "data"),
)


# The peers' outlines go to the map script straight from the store: no geometry, no repaint of the values.
clientside_callback(
    """
    function (positions) {
        if (window.atlasMap) window.atlasMap.peers(positions || []);
        return (positions || []).length;
    }
    """,
    Output(ids.PEER_OUTLINES_DRAWN, "data"),
    Input(ids.PEER_OUTLINES, "data"),
)


@callback(
    Output(ids.PEER_DOWNLOAD, "data"),
    Input(ids.PEER_DOWNLOAD_BUTTON, "n_clicks"),
    DashState(ids.STATE, "data"),
    DashState(ids.UPLOADS, "data"),
    prevent_initial_call=True,
)
def download_peers(n_clicks, state_query, uploads):
    """The peer table as CSV: the method, scales and sources above it as '#' lines (pandas: comment='#')."""
    atlas = get_atlas()
    state, indicators = session(state_query, uploads)
    if not state.unit:
        return no_update
    outcome = run(indicators, state)
    if isinstance(outcome, str):
        return no_update
    result, stable = outcome
    rows = peer_rows(indicators, result, stable)
    header = "".join(f"# {line}\n" for line in method_lines(atlas, indicators, result, rows, stable.runs))
    body = safe_csv(peer_frame(indicators, rows, stable.runs))
    return dcc.send_string(header + body, filename=f"pluralps-atlas_peers_{state.unit}.csv")


controls.search_as_you_type(ids.PEER_UNIT)
