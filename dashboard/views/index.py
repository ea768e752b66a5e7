"""The index view: build a composite index (dashboard/composite.py) and read its ranks, their uncertainty,
the components' correlations and what to watch out for; the index's weights beside the map while it is
mapped; the CSV. Every control feeds the state callback (views/sync.py): the method lives in the URL."""

from __future__ import annotations

import numpy as np
from dash import Input, Output, callback, dcc, html, no_update
from dash import State as DashState

from dashboard import ids
from dashboard.atlas import Atlas
from dashboard.composite import (
    AGGREGATIONS,
    DIRECTIONS,
    DRAWS,
    INDEX_SCOPES,
    MAX_COMPONENTS,
    MAX_WEIGHT,
    NORMALISATIONS,
    SEED,
    WEIGHTINGS,
    WINSOR_LEVELS,
    IndexResult,
    Uncertainty,
    index_ids,
    index_of,
    uncertainty_of,
)
from dashboard.context import atlas as get_atlas
from dashboard.csvsafe import safe_csv
from dashboard.i18n import fmt_number, t
from dashboard.index_layer import INDEX_IDS, INDEX_SCORE
from dashboard.index_report import index_frame, method_lines, rank_rows, top_positions
from dashboard.index_report import parts as _parts
from dashboard.indicators import Indicators
from dashboard.peer_table import value_text
from dashboard.session import session
from dashboard.state import State
from dashboard.vocabulary import country_name
from geo.terms import SPI_FIELDS, THEMES

TOP = 15  # rows of the rank table (the selected unit is added when it is not among them)


def _fieldset(legend: str, control) -> html.Fieldset:
    # A pattern id has no stable DOM id for a <label for>: the legend names the group instead.
    return html.Fieldset([html.Legend(legend), control], className="atlas-field")


def _radio(index, name: str, legend: str, labels: dict, inline: bool = False) -> html.Fieldset:
    """One of the builder's choices as radio buttons: `name` is the IndexState field it sets."""
    return _fieldset(
        legend,
        dcc.RadioItems(
            id=_control(name),
            options=[{"label": text, "value": value} for value, text in labels.items()],
            value=getattr(index, name),
            className="atlas-radio",
            inline=inline,
        ),
    )


def _control(name: str) -> dict:
    return {"type": ids.INDEX_CONTROL, "name": name}


def component_choices(indicators: Indicators, lang: str) -> list[dict]:
    """The indicators an index can be built of, by field of action (its number first), then the rest."""
    options = []
    for indicator in index_ids(indicators):
        entry = indicators.get(indicator)
        theme = "uploaded" if entry.uploaded else entry.theme
        options.append({"label": f"{t(f'theme.{theme}', lang)} · {entry.label(lang)}", "value": indicator})
    return options


def layout(atlas: Atlas, state: State) -> html.Div:
    """The builder's controls (in the order of state.INDEX_CONTROLS: the state callback sets them as a list)
    and the place of the results."""
    lang = state.lang
    index = state.index
    return html.Div(
        className="atlas-peers atlas-index",
        children=[
            html.Aside(
                className="atlas-peers-controls atlas-index-controls",
                **{"aria-label": t("index.controls", lang)},
                children=[
                    html.H2(t("index.title", lang)),
                    html.P(t("index.intro", lang), className="atlas-small"),
                    _fieldset(
                        t("index.components", lang, max=MAX_COMPONENTS),
                        dcc.Checklist(
                            id=_control("components"),
                            options=component_choices(Indicators(atlas), lang),
                            value=list(index.components),
                            className="atlas-checklist atlas-peer-indicators atlas-index-components",
                        ),
                    ),
                    _radio(
                        index,
                        "weighting",
                        t("index.weighting", lang),
                        {v: t(f"index.weighting_{v}", lang) for v in WEIGHTINGS},
                    ),
                    html.Div(id=ids.INDEX_PARTS, className="atlas-index-parts"),
                    _radio(
                        index,
                        "normalisation",
                        t("index.normalisation", lang),
                        {v: t(f"index.norm_{v}", lang) for v in NORMALISATIONS},
                    ),
                    _radio(
                        index,
                        "aggregation",
                        t("index.aggregation", lang),
                        {v: t(f"index.agg_{v}", lang) for v in AGGREGATIONS},
                    ),
                    _radio(
                        index,
                        "winsor",
                        t("index.winsor", lang),
                        {
                            w: t("index.winsor_at", lang, share=fmt_number(100 * w, lang))
                            if w
                            else t("index.winsor_none", lang)
                            for w in WINSOR_LEVELS
                        },
                        inline=True,
                    ),
                    # The input inside its label (a pattern id has no stable DOM id for a <label for>).
                    html.Label(
                        className="atlas-field atlas-index-min-share",
                        children=[
                            html.Span(t("index.min_share", lang), className="atlas-field-title"),
                            dcc.Input(
                                id=_control("min_share"),
                                type="number",
                                min=1,
                                max=100,
                                step=1,
                                value=index.min_share,
                                debounce=True,
                            ),
                        ],
                    ),
                    _radio(
                        index, "scope", t("index.scope", lang), {v: t(f"index.scope_{v}", lang) for v in INDEX_SCOPES}
                    ),
                    html.Div(
                        className="atlas-peer-buttons",
                        children=[
                            _action("map", "view", lang),
                            _action("map_width", "view", lang),
                            _action("clear", "view", lang),
                            html.Button(
                                t("index.download", lang), id=ids.INDEX_DOWNLOAD_BUTTON, className="atlas-button"
                            ),
                        ],
                    ),
                    dcc.Download(id=ids.INDEX_DOWNLOAD),
                ],
            ),
            html.Div(
                className="atlas-peers-results atlas-index-results",
                children=[
                    html.Div(id=ids.INDEX_RESULTS, **{"aria-live": "polite"}),
                    html.Details(
                        [
                            html.Summary(t("index.method_title", lang)),
                            *[html.P(p) for p in t("index.method", lang, draws=DRAWS, seed=SEED).split("\n\n")],
                        ],
                        className="atlas-peer-method",
                    ),
                ],
            ),
        ],
    )


def _action(action: str, where: str, lang: str) -> html.Button:
    return html.Button(
        t(f"index.{action}", lang),
        id={"type": ids.INDEX_ACTION, "action": action, "where": where},
        className="atlas-button",
    )


def parts(indicators: Indicators, state: State, where: str, directions: bool = True) -> list:
    """One weight per component (or per field), and one direction per component, as inputs."""
    lang = state.lang
    index = state.index
    if not index.components:
        return []
    if index.weighting == "indicator":
        names = [(i, indicators.get(i).label(lang)) for i in index.components]
    else:
        fields = []
        for i in index.components:
            entry = indicators.get(i)
            theme = "uploaded" if entry.uploaded else entry.theme
            if theme not in fields:
                fields.append(theme)
        order = {f: n for n, f in enumerate((*SPI_FIELDS, *THEMES, "uploaded"))}
        names = [(f, t(f"theme.{f}", lang)) for f in sorted(fields, key=order.get)]
    weights = [
        html.Label(
            className="atlas-peer-weight",
            children=[
                html.Span(text),
                dcc.Input(
                    id={"type": ids.INDEX_PART, "kind": "weight", "name": name, "where": where},
                    type="number",
                    min=0,
                    max=MAX_WEIGHT,
                    step=0.5,
                    value=index.weight(name),
                    debounce=True,
                ),
            ],
        )
        for name, text in names
    ]
    legend = t("index.weights_indicator" if index.weighting == "indicator" else "index.weights_field", lang)
    out = [html.Fieldset([html.Legend(legend), *weights], className="atlas-field")]
    if directions:
        rows = []
        for indicator in index.components:
            entry = indicators.get(indicator)
            catalogue = DIRECTIONS.get(entry.direction)
            chosen = index.direction(indicator) or catalogue or 1
            note = "" if catalogue or index.direction(indicator) else " " + t("index.assumed", lang)
            # One small group per component, named by its legend (two radio buttons: no hidden input).
            rows.append(
                html.Fieldset(
                    [
                        html.Legend(entry.label(lang) + note),
                        dcc.RadioItems(
                            id={"type": ids.INDEX_PART, "kind": "direction", "name": indicator, "where": where},
                            options=[
                                {"label": t("index.better_higher", lang), "value": 1},
                                {"label": t("index.better_lower", lang), "value": -1},
                            ],
                            value=chosen,
                            className="atlas-radio",
                            inline=True,
                        ),
                    ],
                    className="atlas-index-direction",
                )
            )
        out.append(html.Fieldset([html.Legend(t("index.directions", lang)), *rows], className="atlas-field"))
    return out


@callback(
    Output(ids.INDEX_PARTS, "children"),
    Output(ids.INDEX_MAP_PARTS, "children"),
    Input(ids.INDEX_KEY, "data"),
    Input(ids.UPLOADS, "data"),
)
def update_parts(index_key, uploads):
    """The weights and directions in the view; the weights beside the map while the map shows the index."""
    state, indicators = session(index_key, uploads)
    lang = state.lang
    view = parts(indicators, state, "view")
    beside_map = []
    if state.index.components and state.indicator in INDEX_IDS:
        beside_map = [
            html.H3(t("index.title", lang), className="atlas-field-title"),
            *parts(indicators, state, "map", directions=False),
            _action("open", "map", lang),
        ]
    return view, beside_map


@callback(
    Output({"type": ids.INDEX_CONTROL, "name": "components"}, "options"),
    Input(ids.UPLOADS, "data"),
    DashState(ids.STATE, "data"),
    prevent_initial_call=True,
)
def update_component_choices(uploads, state_query):
    """The session's uploaded columns join the choices (and leave them when removed)."""
    state, indicators = session(state_query, uploads)
    return component_choices(indicators, state.lang)


@callback(Output(ids.INDEX_RESULTS, "children"), Input(ids.INDEX_KEY, "data"), Input(ids.UPLOADS, "data"))
def update_results(index_key, uploads):
    atlas = get_atlas()
    state, indicators = session(index_key, uploads)
    if state.view != "index":  # not on screen: computed when the view opens (its key changes then)
        return no_update
    # The key it answers rides along: a reader (or a test) can tell these results from the previous ones.
    return html.Div(results(atlas, indicators, state), **{"data-key": index_key})


def results(atlas: Atlas, indicators: Indicators, state: State) -> list:
    lang = state.lang
    method = state.index.method()
    if method is None:
        return [html.H2(t("index.results", lang)), html.P(t("index.choose", lang))]
    result = index_of(indicators, method)
    spread = uncertainty_of(indicators, method)
    ranked = int((~np.isnan(result.value)).sum())
    out = [html.H2(t("index.results", lang), id="index-heading"), *summary(result, spread, ranked, lang)]
    out += warnings(indicators, result, lang)
    if ranked:
        out += rank_table(atlas, result, spread, lang)
    out += correlation_table(indicators, result, lang)
    return out


def summary(result: IndexResult, spread: Uncertainty, ranked: int, lang: str) -> list:
    method = result.method
    robust = int(spread.robust.sum())
    lines = [
        t(
            "index.summary",
            lang,
            ranked=fmt_number(ranked, lang),
            missing=fmt_number(result.missing, lang),
            share=fmt_number(round(100 * method.min_share), lang),
        ),
        t(f"index.scope_said_{method.scope}", lang),
    ]
    if ranked:
        lines.append(
            t(
                "index.robust_count",
                lang,
                robust=fmt_number(robust, lang),
                ranked=fmt_number(ranked, lang),
                draws=fmt_number(spread.draws, lang),
                seed=spread.seed,
            )
        )
    return [html.P(line) for line in lines]


def warnings(indicators: Indicators, result: IndexResult, lang: str) -> list:
    def name(indicator: str) -> str:
        return indicators.get(indicator).label(lang)

    items = [
        html.Li(t("index.warn_assumed", lang, indicator=name(i)))
        for i in result.assumed
        if indicators.get(i).direction == "neutral"
    ]
    items += [
        html.Li(t("index.warn_redundant", lang, a=name(a), b=name(b), rho=fmt_number(rho, lang, 2)))
        for a, b, rho in result.redundant_pairs()
    ]
    items += [
        html.Li(t("index.warn_against", lang, indicator=name(i), rho=fmt_number(r, lang, 2)))
        for i, r in result.against()
    ]
    items += [
        html.Li(t("index.warn_empty", lang, indicator=name(c.indicator))) for c in result.components if c.units == 0
    ]
    items += [
        html.Li(
            t(
                "index.warn_no_spread",
                lang,
                indicator=name(i),
                where=country_name(g, lang) if g != "all" else t("index.scope_all", lang),
            )
        )
        for i, g in result.no_spread
    ]
    if not items:
        return []
    return [html.H3(t("index.warnings", lang)), html.Ul(items, className="atlas-comparability atlas-small")]


def rank_text(row, lang: str) -> str:
    return t(
        "index.rank_of",
        lang,
        rank=fmt_number(row.rank, lang),
        ranked=fmt_number(row.ranked_with, lang),
    )


def interval_text(low: float, high: float, lang: str) -> str:
    return t("index.interval", lang, low=fmt_number(low, lang, 0), high=fmt_number(high, lang, 0))


def rank_table(atlas: Atlas, result: IndexResult, spread: Uncertainty, lang: str) -> list:
    positions = list(top_positions(result, TOP))
    rows = rank_rows(atlas, result, spread, positions)
    digits = 2 if result.method.normalisation == "zscore" and result.method.aggregation == "arithmetic" else 1
    head = html.Tr(
        [
            html.Th(t(f"index.col_{c}", lang), scope="col")
            for c in ("rank", "unit", "value", "median", "interval", "robust")
        ]
    )
    body = [
        html.Tr(
            [
                html.Td(rank_text(r, lang)),
                html.Th(
                    html.Button(
                        f"{r.name} ({country_name(r.country, lang)})",
                        id={"type": ids.PEER_OPEN, "unit": r.unit_id},
                        className="atlas-link",
                    ),
                    scope="row",
                ),
                html.Td(fmt_number(r.value, lang, digits)),
                html.Td(fmt_number(r.median, lang, 0)),
                html.Td(interval_text(r.low, r.high, lang)),
                html.Td(t("index.robust_yes" if r.robust else "index.robust_no", lang)),
            ]
        )
        for r in rows
    ]
    caption = t(f"index.table_{result.method.scope}", lang, count=len(rows))
    return [
        html.Table(
            [html.Caption(caption), html.Thead(head), html.Tbody(body)],
            className="atlas-table atlas-index-table",
            id="index-rank-table",
        ),
        html.P(t("index.table_help", lang, draws=fmt_number(DRAWS, lang)), className="atlas-small"),
    ]


def correlation_table(indicators: Indicators, result: IndexResult, lang: str) -> list:
    if len(result.components) < 2:
        return []
    names = [indicators.get(c.indicator).label(lang) for c in result.components]
    head = html.Tr([html.Td(), *[html.Th(n, scope="col") for n in names], html.Th(t("index.title", lang), scope="col")])
    body = []
    for i, n in enumerate(names):
        cells = [html.Th(n, scope="row")]
        for j in range(len(names)):
            rho = result.correlation[i, j]
            strong = i != j and np.isfinite(rho) and abs(rho) >= 0.9
            cells.append(
                html.Td(
                    fmt_number(rho, lang, 2) if np.isfinite(rho) else "–", className="atlas-strong" if strong else None
                )
            )
        rho = result.with_index[i]
        cells.append(
            html.Td(
                fmt_number(rho, lang, 2) if np.isfinite(rho) else "–",
                className="atlas-strong" if np.isfinite(rho) and rho < 0 else None,
            )
        )
        body.append(html.Tr(cells))
    return [
        html.H3(t("index.correlations", lang)),
        html.Table(
            [html.Thead(head), html.Tbody(body)],
            className="atlas-table atlas-index-correlations",
            id="index-correlations",
        ),
        html.P(t("index.correlations_help", lang), className="atlas-small"),
    ]


@callback(
    Output(ids.INDEX_DOWNLOAD, "data"),
    Input(ids.INDEX_DOWNLOAD_BUTTON, "n_clicks"),
    DashState(ids.STATE, "data"),
    DashState(ids.UPLOADS, "data"),
    prevent_initial_call=True,
)
def download_index(n_clicks, state_query, uploads):
    """Every unit's index, rank and rank interval, with the method, sources and years as '#' lines."""
    atlas = get_atlas()
    state, indicators = session(state_query, uploads)
    method = state.index.method()
    if method is None:
        return no_update
    result = index_of(indicators, method)
    spread = uncertainty_of(indicators, method)
    header = "".join(f"# {line}\n" for line in method_lines(atlas, indicators, result))
    body = safe_csv(index_frame(indicators, result, spread))
    return dcc.send_string(header + body, filename="pluralps-atlas_index.csv")


__all__ = ["INDEX_SCORE", "layout"]


def profile_block(indicators: Indicators, state: State, unit_id: str) -> list:
    """The unit's place in the session's composite index: value, rank, rank interval, and the part of
    every component (value, year, normalised score, weight, contribution)."""
    method = state.index.method()
    if method is None or INDEX_SCORE not in indicators:
        return []
    lang = state.lang
    atlas = indicators.atlas
    position = int(atlas.position[unit_id])
    result = index_of(indicators, method)
    title = html.H3(t("index.profile_title", lang), id="profile-index")
    if np.isnan(result.value[position]):
        have = fmt_number(round(100 * result.share[position]), lang)
        need = fmt_number(round(100 * method.min_share), lang)
        return [title, html.P(t("index.profile_missing", lang, have=have, need=need), className="atlas-small")]
    spread = uncertainty_of(indicators, method)
    row = rank_rows(atlas, result, spread, [position])[0]
    digits = 2 if method.normalisation == "zscore" and method.aggregation == "arithmetic" else 1
    facts = t(
        "index.profile_rank",
        lang,
        value=fmt_number(row.value, lang, digits),
        rank=rank_text(row, lang),
        median=fmt_number(row.median, lang, 0),
        interval=interval_text(row.low, row.high, lang),
    )
    robust = t("index.profile_robust" if row.robust else "index.profile_not_robust", lang)
    head = html.Tr(
        [html.Th(t(f"index.part_{c}", lang), scope="col") for c in ("component", "value", "score", "weight", "part")]
    )
    body = []
    for part in _parts(indicators, result, position):
        entry = indicators.get(part.indicator)
        value = value_text(indicators, part.indicator, part.value, lang)
        if part.year:
            value += f" ({part.year})"
        body.append(
            html.Tr(
                [
                    html.Th(entry.label(lang), scope="row"),
                    html.Td(value),
                    html.Td(fmt_number(part.score, lang, 2 if method.normalisation == "zscore" else 1)),
                    html.Td(fmt_number(100 * part.weight, lang, 0) + " %" if np.isfinite(part.weight) else "–"),
                    html.Td(fmt_number(part.contribution, lang, 2) if np.isfinite(part.contribution) else "–"),
                ]
            )
        )
    return [
        title,
        html.P(facts),
        html.P(robust, className="atlas-small"),
        html.Table([html.Thead(head), html.Tbody(body)], className="atlas-table atlas-index-parts-table"),
        html.P(t(f"index.part_help_{method.aggregation}", lang), className="atlas-small"),
        html.Div(
            className="atlas-peer-buttons",
            children=[_action("open", "profile", lang), _action("map", "profile", lang)],
        ),
    ]
