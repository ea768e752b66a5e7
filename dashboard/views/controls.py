"""The map controls panel: search, indicator, year, countries, classification, colours, zoom, downloads,
posters, the presentation start and the story editor (views/author.py); and the search-as-you-type
callback. The state they feed is handled in dashboard/views/sync.py."""

from __future__ import annotations

from dash import Input, Output, callback, clientside_callback, dcc, html, no_update
from dash import State as DashState

from dashboard import ids
from dashboard.atlas import Atlas
from dashboard.change import base_of
from dashboard.classify import MAX_CLASSES, METHODS, MIN_CLASSES, SCHEMES
from dashboard.context import atlas as get_atlas
from dashboard.i18n import dropdown_labels, t
from dashboard.indicators import Indicators
from dashboard.search import search_options
from dashboard.session import base_vocabulary
from dashboard.state import AUTO_SCHEME, State, parse_query
from dashboard.stories import stories_for
from dashboard.views import author, presentation
from dashboard.vocabulary import (
    NO_CHANGE,
    NO_VERSUS,
    change_mode_options,
    change_since_options,
    country_name,
    index_options,
    indicator_options,
    map_years,
    region_name,
    versus_options,
    year_options,
)


def panel(atlas: Atlas, state: State) -> html.Aside:
    """Return the control panel for `state`."""
    lang = state.lang
    countries = sorted(atlas.units["country"].unique())
    return html.Aside(
        className="atlas-controls",
        **{"aria-label": t("controls.heading", lang)},
        children=[
            html.H2(t("controls.heading", lang), className="atlas-visually-hidden"),
            field(t("controls.search", lang), unit_search(ids.SEARCH, atlas, state, clearable=True)),
            field(
                t("controls.indicator", lang),
                dcc.Dropdown(
                    labels=dropdown_labels(lang),
                    id=ids.INDICATOR,
                    options=indicator_options(atlas, lang) + (index_options(lang) if state.index.components else []),
                    value=base_of(state.indicator) or state.indicator,  # a change: the indicator it is of
                    clearable=False,
                    maxHeight=420,
                ),
            ),
            # The composite index's weights, while the map shows the index (views/index.py fills it).
            html.Div(id=ids.INDEX_MAP_PARTS, className="atlas-index-parts"),
            field(
                t("controls.year", lang),
                dcc.Dropdown(
                    labels=dropdown_labels(lang),
                    id=ids.YEAR,
                    options=year_options(map_years(Indicators(atlas), state.indicator), lang),
                    value=state.year,
                    clearable=False,
                ),
            ),
            *change_fields(atlas, state),
            field(
                t("controls.countries", lang),
                dcc.Checklist(
                    id=ids.COUNTRIES,
                    className="atlas-checklist",
                    options=[{"label": country_name(c, lang), "value": c} for c in countries],
                    value=list(state.countries) or countries,
                ),
            ),
            field(
                t("controls.method", lang),
                dcc.RadioItems(
                    id=ids.METHOD,
                    className="atlas-radio",
                    options=[{"label": t(f"method.{m}", lang), "value": m} for m in METHODS],
                    value=state.method,
                ),
            ),
            field(
                t("controls.classes", lang),
                dcc.Slider(
                    id=ids.CLASSES,
                    min=MIN_CLASSES,
                    max=MAX_CLASSES,
                    step=1,
                    value=state.classes,
                    marks={k: str(k) for k in range(MIN_CLASSES, MAX_CLASSES + 1)},
                ),
            ),
            field(
                t("controls.scheme", lang),
                dcc.Dropdown(
                    labels=dropdown_labels(lang),
                    id=ids.SCHEME,
                    clearable=False,
                    value=state.scheme,
                    options=[{"label": t("controls.scheme_auto", lang), "value": AUTO_SCHEME}]
                    + [{"label": t(f"scheme.{s}", lang), "value": s} for s in SCHEMES],
                ),
            ),
            field(
                t("bivariate.control", lang),
                dcc.Dropdown(
                    labels=dropdown_labels(lang),
                    id=ids.VERSUS,
                    clearable=False,
                    searchable=True,
                    value=state.versus or NO_VERSUS,
                    options=versus_options(atlas, lang),
                ),
            ),
            field(
                t("controls.zoom", lang),
                dcc.Dropdown(
                    labels=dropdown_labels(lang),
                    id=ids.ZOOM,
                    options=zoom_options(atlas, lang),
                    value=state.zoom,
                    placeholder=t("controls.zoom_placeholder", lang),
                ),
            ),
            html.Button(t("controls.download", lang), id=ids.DOWNLOAD_BUTTON, className="atlas-button"),
            html.P(t("controls.themes_note", lang), className="atlas-small"),
            poster_links(lang),
            presentation.start_panel(stories_for(atlas), lang),
            author.panel(atlas, lang),
        ],
    )


POSTER_FORMATS = ("pdf", "png", "svg")


def poster_links(lang: str) -> html.Div:
    """Return the poster downloads; their links follow the state (see `poster_hrefs`)."""
    return html.Div(
        className="atlas-posters",
        children=[
            html.H3(t("poster.heading", lang), className="atlas-field-title"),
            *[
                html.A(
                    t(f"poster.{fmt}", lang),
                    id=f"poster-{fmt}",
                    href=f"/poster.{fmt}",
                    className="atlas-link",
                    download=True,
                )
                for fmt in POSTER_FORMATS
            ],
        ],
    )


# The poster links follow the state in the browser: no server request on every switch.
clientside_callback(
    "function (query) { const q = typeof query === 'string' ? query : '';"
    " return [" + ", ".join(f"'/poster.{fmt}' + q" for fmt in POSTER_FORMATS) + "]; }",
    [Output(f"poster-{fmt}", "href") for fmt in POSTER_FORMATS],
    Input(ids.STATE, "data"),
)


def unit_search(component_id: str, atlas: Atlas, state: State, clearable: bool) -> dcc.Dropdown:
    """A box to find a unit by name (the map's and the peer finder's; options follow `search_answer`)."""
    return dcc.Dropdown(
        labels=dropdown_labels(state.lang),
        id=component_id,
        options=search_options(atlas, "", state.lang, state.unit),
        value=state.unit,
        placeholder=t("controls.search_placeholder", state.lang),
        searchable=True,
        clearable=clearable,
    )


def change_fields(atlas: Atlas, state: State) -> list:
    """The change since an earlier year (the year above is the later one), and its measure."""
    lang = state.lang
    options, disabled = change_since_options(Indicators(atlas), state)
    return [
        field(
            t("change.since", lang),
            dcc.Dropdown(
                labels=dropdown_labels(lang),
                id=ids.CHANGE_SINCE,
                options=options,
                value=state.since or NO_CHANGE,
                clearable=False,
                disabled=disabled,
            ),
        ),
        html.Fieldset(
            className="atlas-field",
            children=[
                html.Legend(t("change.measure", lang)),
                dcc.RadioItems(
                    id=ids.CHANGE_MODE,
                    className="atlas-radio",
                    options=change_mode_options(state),
                    value=state.change,
                ),
            ],
        ),
    ]


def field(label: str, control) -> html.Div:
    """A control with its label above it."""
    control_id = control.id
    return html.Div(className="atlas-field", children=[html.Label(label, htmlFor=control_id), control])


def zoom_options(atlas: Atlas, lang: str) -> list[dict]:
    countries = sorted(atlas.units["country"].unique())
    nuts2 = sorted(atlas.units["nuts2"].unique())
    return [{"label": country_name(c, lang), "value": c} for c in countries] + [
        {"label": f"{region_name(atlas, code)} ({code})", "value": code} for code in nuts2
    ]


def search_as_you_type(component_id: str) -> None:
    """Register the callback that fills a unit search box's options with what is typed into it."""

    @callback(
        Output(component_id, "options", allow_duplicate=True),
        Input(component_id, "search_value"),
        DashState(component_id, "value"),
        DashState(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def update_search(query, selected, state_query):
        return search_answer(query, selected, state_query)


search_as_you_type(ids.SEARCH)


def search_answer(query, selected, state_query):
    """The options of a unit search box for what has been typed (the map's and the peer finder's)."""
    atlas = get_atlas()
    if not isinstance(query, str) or len(query) > 100:
        return no_update
    lang = parse_query(state_query if isinstance(state_query, str) else "", base_vocabulary(atlas)).state.lang
    return search_options(atlas, query, lang, selected if isinstance(selected, str) else None)
