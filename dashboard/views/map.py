"""The map view: the payload for the browser's map, the legend, missing counts and the CSV download.

Geometry never passes through here (see dashboard/server.py and assets/atlas-map.js): a change of view
state sends the values and colours of assets/atlas-map.js's feature states only.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import numpy as np
from dash import ClientsideFunction, Input, Output, callback, clientside_callback, dcc, html
from dash import State as DashState
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.atlas import Atlas
from dashboard.comparability import comparability_lines, contributions
from dashboard.context import atlas as get_atlas
from dashboard.csvsafe import safe_csv
from dashboard.i18n import fmt_number, t, unit_label
from dashboard.indicators import Indicator
from dashboard.mapdata import MapModel, legend_digits, map_model, map_payload
from dashboard.session import session, stories_with
from dashboard.state import LATEST
from dashboard.stories import OWN_STORY
from dashboard.tables import map_table
from dashboard.views import bivariate_legend, presentation
from dashboard.vocabulary import country_name, source_title


def legend(indicator: Indicator, model: MapModel, lang: str) -> list:
    """Return the legend: a title with the unit, one row per class with its bounds, and the no-value row."""
    unit = unit_label(indicator.unit, lang)
    rows = []
    if model.mode == "continuous" and model.legend:
        gradient = ", ".join(model.colours)
        rows.append(
            html.Div(className="atlas-legend-gradient", style={"background": f"linear-gradient(to right, {gradient})"})
        )
        rows.append(
            html.Div(
                className="atlas-legend-ends",
                children=[
                    html.Span(f"{fmt_number(model.legend[0].lower, lang)} {unit}".strip()),
                    html.Span(f"{fmt_number(model.legend[-1].upper, lang)} {unit}".strip()),
                ],
            )
        )
    else:
        digits = legend_digits([b for row in model.legend for b in (row.lower, row.upper)])
        for row in model.legend:
            if model.mode == "categories":
                text = row.label
            else:
                text = f"{fmt_number(row.lower, lang, digits)} – {fmt_number(row.upper, lang, digits)}"
            rows.append(
                html.Li(
                    className="atlas-legend-row",
                    children=[
                        html.Span(className="atlas-swatch", style={"backgroundColor": row.colour}),
                        html.Span(text, className="atlas-legend-label"),
                        html.Span(
                            t("map.units_of", lang, count=fmt_number(row.count, lang)), className="atlas-legend-count"
                        ),
                    ],
                )
            )
    if model.missing:
        rows.append(
            html.Li(
                className="atlas-legend-row",
                children=[
                    html.Span(className="atlas-swatch atlas-swatch-missing"),
                    html.Span(t("map.no_value", lang), className="atlas-legend-label"),
                    html.Span(
                        t("map.units_of", lang, count=fmt_number(model.missing, lang)), className="atlas-legend-count"
                    ),
                ],
            )
        )
    body = html.Ul(rows, className="atlas-legend-rows") if model.mode != "continuous" else html.Div(rows)
    title = indicator.label(lang) + (f" ({unit})" if unit else "")
    return [html.H2(title, className="atlas-legend-title"), body]


def missing_text(model: MapModel, lang: str) -> str:
    if model.missing:
        return t(
            "map.missing", lang, missing=fmt_number(model.missing, lang), total=fmt_number(model.in_selection, lang)
        )
    return t("map.complete", lang, total=fmt_number(model.in_selection, lang))


def indicator_note(atlas: Atlas, indicator: Indicator, model: MapModel, lang: str) -> list:
    years = [int(y) for y in np.unique(model.years[model.selection & ~np.isnan(model.values)]) if y]
    if not years:
        shown = t("compare.no_data", lang)  # e.g. an emergency flag empty in every source file
    elif model.year == LATEST:
        shown = t("map.years_shown", lang, years=", ".join(map(str, years)))
    else:
        shown = t("map.year_shown", lang, year=model.year)
    parts = [html.P(shown)]
    if not indicator.uploaded:
        pooled = contributions(atlas, model.values, model.years, model.source_codes, model.selection)
        lines = comparability_lines(pooled, lang, atlas)
        parts += [html.P(line, className="atlas-comparability") for line in lines]
    if (atlas.nuts3_level & model.selection).any():
        parts.append(html.P(t("map.nuts_note", lang)))
    parts.append(
        html.Details(
            [
                html.Summary(t("map.note", lang)),
                html.P(
                    t("profile.your_data_note", lang) + f" ({indicator.source})"
                    if indicator.uploaded
                    else indicator.note_in(lang)
                ),
                html.P(
                    f"{t('map.source', lang)}: {indicator.source}"
                    + (f" — {indicator.licence}" if indicator.licence else "")
                ),
            ]
        )
    )
    return parts


@callback(
    Output(ids.MAP_PAYLOAD, "data"),
    Output(ids.LEGEND, "children"),
    Output(ids.MISSING, "children"),
    Output(ids.INDICATOR_NOTE, "children"),
    Output(ids.STORY, "children"),
    Output(ids.PAGE, "className"),
    Input(ids.MAP_KEY, "data"),
    DashState(ids.UPLOADS, "data"),
    DashState(ids.OWN_STORY, "data"),
)
def update_map(map_key, uploads, own_story):
    atlas = get_atlas()
    state, indicators = session(map_key, uploads, own_story)
    indicator = indicators.get(state.indicator)
    model = map_model(atlas, state, indicators)
    lang = state.lang
    story = stories_with(atlas, own_story).get(state.story) if state.story else None
    payload = map_payload(atlas, model, state) | browser_texts(atlas, indicator, lang)
    payload["highlight"] = [int(atlas.position[u]) for u in story.steps[state.step - 1].highlight] if story else []
    if model.mode == "bivariate":
        second = indicators.get(model.versus)
        payload |= {"label2": second.label(lang), "unit2": unit_label(second.unit, lang)}
        shown_legend = bivariate_legend.legend(indicator, second, model, lang)
        missing = bivariate_legend.missing_text(indicator, second, model, lang)
    else:
        shown_legend, missing = legend(indicator, model, lang), missing_text(model, lang)
    return (
        payload,
        shown_legend,
        missing,
        indicator_note(atlas, indicator, model, lang),
        presentation.overlay(story, state, indicators),
        "atlas-page" + (" atlas-present" if state.present else ""),
    )


@callback(
    Output(ids.STORY, "children", allow_duplicate=True),
    Input(ids.OWN_STORY, "data"),
    DashState(ids.MAP_KEY, "data"),
    DashState(ids.UPLOADS, "data"),
    prevent_initial_call=True,
)
def update_own_story(own_story, map_key, uploads):
    """The caption box again when the person's own story changes while one of its steps is shown (a
    caption edited beside the map); a new step comes with the map (`update_map`)."""
    if not isinstance(map_key, str) or parse_qs(map_key.lstrip("?")).get("story") != [OWN_STORY]:
        raise PreventUpdate
    state, indicators = session(map_key, uploads, own_story)
    story = stories_with(get_atlas(), own_story).get(state.story) if state.story else None
    return presentation.overlay(story, state, indicators)


def browser_texts(atlas: Atlas, indicator: Indicator, lang: str) -> dict:
    """Labels the map script shows on hover, in the state's language."""
    return {
        "label": indicator.label(lang),
        "unit": unit_label(indicator.unit, lang),
        "locale": lang,
        "home": atlas.bounds["all"],
        "countryNames": {c: country_name(c, lang) for c in atlas.units["country"].unique()},
        "categoryLabels": {code: indicator.category_label(code, lang) for code in indicator.categories},
        "sourceTitles": {s: source_title(atlas, s, lang) for s in atlas.source_ids} | {"": indicator.source},
        "text": {"noValue": t("map.no_value", lang)},
    }


clientside_callback(
    ClientsideFunction(namespace="atlas", function_name="paint"),
    Output(ids.MAP_PAINTED, "data"),
    Input(ids.MAP_PAYLOAD, "data"),
)


@callback(
    Output(ids.DOWNLOAD, "data"),
    Input(ids.DOWNLOAD_BUTTON, "n_clicks"),
    DashState(ids.STATE, "data"),
    DashState(ids.UPLOADS, "data"),
    prevent_initial_call=True,
)
def download_csv(n_clicks, state_query, uploads):
    atlas = get_atlas()
    state, indicators = session(state_query, uploads)
    frame = map_table(atlas, state, indicators)
    return dcc.send_string(safe_csv(frame), filename=f"pluralps-atlas_{state.indicator}_{state.year}.csv")
