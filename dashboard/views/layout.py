"""The page shell: header with views, the three views, and the stores that connect them.

The layout is a function of the request (Dash calls it per page load), so the first HTML already carries
the language and the controls of the URL's state; it holds no figure and no geometry, which keeps a page
load to tens of milliseconds of server time.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from dash import dcc, html
from flask import has_request_context, request

from dashboard import ids
from dashboard.atlas import Atlas
from dashboard.context import atlas as get_atlas
from dashboard.i18n import dropdown_labels, t
from dashboard.server import data_url
from dashboard.session import base_vocabulary, with_story
from dashboard.state import VIEWS, State, parse_query, to_query
from dashboard.views import compare, controls, index, maptable, peers, profile, share, upload
from geo.terms import LANGUAGE_NAMES, LANGUAGES


def serve_layout():
    """Return the layout for the page being loaded: its query string sets language and controls.

    Dash asks for the layout with a separate request (/_dash-layout) that carries no query string; the
    page's own URL is its Referer.
    """
    atlas = get_atlas()
    query = ""
    if has_request_context():
        query = request.query_string.decode("utf-8", "replace")
        if not query and request.referrer:
            query = urlsplit(request.referrer).query
    state = with_story(parse_query(query, base_vocabulary(atlas)).state, atlas)
    return page(atlas, state)


def page(atlas: Atlas, state: State) -> html.Div:
    lang = state.lang
    return html.Div(
        id=ids.PAGE,
        className="atlas-page" + (" atlas-present" if state.present else ""),
        lang=lang,
        children=[
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.STATE, data=to_query(state)),
            dcc.Store(id=ids.MAP_PAYLOAD),
            dcc.Store(id=ids.MAP_PAINTED),
            dcc.Store(id=ids.SELECTED),
            dcc.Store(id=ids.SELECTION_DRAWN),
            # The person's uploads: this browser tab only, never the server (dashboard/upload/datasets.py).
            dcc.Store(id=ids.UPLOADS, storage_type="session"),
            # The story a person makes: kept in this browser (local storage) until they start a new one.
            dcc.Store(id=ids.OWN_STORY, storage_type="local"),
            dcc.Store(id=ids.OWN_STORY_PREVIOUS, storage_type="local"),
            dcc.Store(id=ids.AUTHOR_EDITING),
            dcc.Store(id=ids.MAP_KEY),
            dcc.Store(id=ids.STORY_NAV),
            dcc.Store(id=ids.PROFILE_KEY),
            dcc.Store(id=ids.COMPARE_KEY),
            dcc.Store(id=ids.PEERS_KEY),
            dcc.Store(id=ids.INDEX_KEY),
            dcc.Store(id=ids.PEER_OUTLINES),
            dcc.Store(id=ids.PEER_OUTLINES_DRAWN),
            dcc.Download(id=ids.DOWNLOAD),
            # To the content of the view on screen (the map is hidden in the other views).
            html.A(t("app.skip", lang), href="#" + ids.MAIN, className="atlas-skip"),
            html.Header(
                className="atlas-header",
                children=[
                    html.Div(
                        className="atlas-brand",
                        children=[
                            html.H1(t("app.title", lang)),
                            html.P(t("app.tagline", lang), className="atlas-tagline"),
                        ],
                    ),
                    dcc.Tabs(
                        id=ids.TABS,
                        value=state.view,
                        className="atlas-tabs",
                        children=[dcc.Tab(label=t(f"nav.{v}", lang), value=v) for v in VIEWS],
                    ),
                    share.button(lang),
                    language_picker(lang),
                ],
            ),
            html.Div(id=ids.NOTICE, className="atlas-notice", role="status"),
            share.dialog(lang),
            html.Main(
                id=ids.MAIN,
                tabIndex="-1",
                className="atlas-main",
                children=[
                    html.Section(
                        id=ids.VIEW_MAP,
                        className=_view_class(state, "map"),
                        children=[
                            controls.panel(atlas, state),
                            map_area(atlas, lang),
                            html.Aside(
                                id=ids.PROFILE,
                                className="atlas-profile",
                                **{"aria-live": "polite"},
                                children=profile.empty(lang),
                            ),
                        ],
                    ),
                    html.Section(
                        id=ids.VIEW_PEERS, className=_view_class(state, "peers"), children=peers.layout(atlas, state)
                    ),
                    html.Section(
                        id=ids.VIEW_INDEX, className=_view_class(state, "index"), children=index.layout(atlas, state)
                    ),
                    html.Section(
                        id=ids.VIEW_COMPARE, className=_view_class(state, "compare"), children=compare.layout(lang)
                    ),
                    html.Section(id=ids.VIEW_DATA, className=_view_class(state, "data"), children=upload.layout(lang)),
                    html.Section(
                        # Filled when first opened (views/about.py): its ~400 components would otherwise
                        # slow every update of the page in Dash's renderer.
                        id=ids.VIEW_ABOUT,
                        className=_view_class(state, "about"),
                    ),
                ],
            ),
        ],
    )


def _view_class(state: State, view: str) -> str:
    return "atlas-view" + ("" if state.view == view else " atlas-hidden")


def map_area(atlas: Atlas, lang: str) -> html.Div:
    """Return the map container (filled by assets/atlas-map.js), legend and counts."""
    data_attributes = {
        "data-units-url": data_url(atlas, "units"),
        "data-context-url": data_url(atlas, "context"),
        "data-index-url": data_url(atlas, "index"),
        "data-worker-url": "/vendor/maplibre-gl/maplibre-gl-csp-worker.js",
        "data-home": json.dumps(_home(atlas)),
        "data-attribution": t("map.attribution", lang),
        "data-text-load-failed": t("map.load_failed", lang),
        "data-text-no-webgl": t("map.no_webgl", lang),
        "data-text-no-script": t("map.no_script", lang),
        "data-text-keys": t("map.keys", lang),
    }
    return html.Div(
        className="atlas-map-area",
        children=[
            html.Div(
                id=ids.MAP,
                className="atlas-map",
                role="region",
                **{"aria-label": t("map.region", lang)},
                **data_attributes,
            ),
            html.Div(id=ids.STORY, className="atlas-story", **{"aria-live": "polite"}),
            html.P(id="atlas-map-announce", className="atlas-visually-hidden", **{"aria-live": "polite"}),
            html.Div(
                className="atlas-map-footer",
                children=[
                    html.Div(
                        id=ids.LEGEND, className="atlas-legend", role="group", **{"aria-label": t("map.legend", lang)}
                    ),
                    html.P(id=ids.MISSING, className="atlas-missing", role="status"),
                    html.Div(
                        id=ids.INDICATOR_NOTE,
                        className="atlas-indicator-note",
                        # It may scroll (see atlas.css): reachable by keyboard and named for screen readers.
                        tabIndex="0",
                        role="region",
                        **{"aria-label": t("map.note", lang)},
                    ),
                ],
            ),
            maptable.layout(lang),
        ],
    )


def _home(atlas: Atlas) -> list[list[float]]:
    w, s, e, n = atlas.bounds["all"]
    return [[w, s], [e, n]]


def language_picker(lang: str) -> html.Div:
    """Return the language menu; choosing reloads the page in that language (views/shell.py)."""
    return html.Div(
        className="atlas-language",
        children=[
            html.Label(t("app.language", lang), htmlFor=ids.LANGUAGE, className="atlas-visually-hidden"),
            dcc.Dropdown(
                labels=dropdown_labels(lang),
                id=ids.LANGUAGE,
                value=lang,
                clearable=False,
                searchable=False,
                options=[{"label": LANGUAGE_NAMES[code], "value": code} for code in LANGUAGES],
            ),
        ],
    )
