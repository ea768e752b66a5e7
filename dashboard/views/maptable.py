"""The table alternative to the map: every unit of the selection with its value, year and source,
a page at a time, sorted by value or by name; each name opens the unit's profile (keyboard friendly)."""

from __future__ import annotations

import numpy as np
from dash import Input, Output, callback, clientside_callback, ctx, dcc, html
from dash import State as DashState

from dashboard import ids
from dashboard.context import atlas as get_atlas
from dashboard.i18n import fmt_number, fmt_value, t, unit_label
from dashboard.session import session
from dashboard.tables import map_table
from dashboard.vocabulary import country_name, source_publisher

PAGE_SIZE = 25
TABLE = "map-table"
PAGE = "map-table-page"
PREVIOUS = "map-table-previous"
NEXT = "map-table-next"
SORT = "map-table-sort"
STATUS = "map-table-status"
TOGGLE = "map-table-toggle"
BODY = "map-table-body"
KEY = "map-table-key"
UNIT = ids.TABLE_UNIT  # dict id {"type": UNIT, "unit": unit_id}: opens the profile (dashboard/views/sync.py)
SORTS = ("value_desc", "value_asc", "name")


def layout(lang: str) -> html.Div:
    """Return the table, closed: it asks the server for rows only while it is open (see `gate`)."""
    return html.Div(
        className="atlas-map-table",
        children=[
            html.Button(
                t("table.title", lang),
                id=TOGGLE,
                className="atlas-link atlas-table-toggle",
                **{"aria-expanded": "false", "aria-controls": BODY},
            ),
            html.Div(
                id=BODY,
                className="atlas-hidden",
                children=[
                    html.Div(
                        className="atlas-table-controls",
                        children=[
                            html.Label(t("table.sort", lang), htmlFor=SORT),
                            dcc.RadioItems(
                                id=SORT,
                                className="atlas-radio atlas-inline",
                                value="value_desc",
                                options=[{"label": t(f"table.{s}", lang), "value": s} for s in SORTS],
                            ),
                            html.Button(
                                "←",
                                id=PREVIOUS,
                                className="atlas-story-button",
                                title=t("table.previous", lang),
                                **{"aria-label": t("table.previous", lang)},
                            ),
                            html.Span(id=STATUS, role="status"),
                            html.Button(
                                "→",
                                id=NEXT,
                                className="atlas-story-button",
                                title=t("table.next", lang),
                                **{"aria-label": t("table.next", lang)},
                            ),
                        ],
                    ),
                    dcc.Store(id=PAGE, data=0),
                    dcc.Store(id=KEY),
                    html.Div(id=TABLE),
                ],
            ),
        ],
    )


# In the browser: open or close the table, and pass the map's key on only while it is open, so that a
# closed table costs no request when the map changes.
clientside_callback(
    """
    function (clicks, mapKey) {
        const open = (clicks || 0) % 2 === 1;
        const key = open ? mapKey : window.dash_clientside.no_update;
        return [open ? "" : "atlas-hidden", open ? "true" : "false", key];
    }
    """,
    Output(BODY, "className"),
    Output(TOGGLE, "aria-expanded"),
    Output(KEY, "data"),
    Input(TOGGLE, "n_clicks"),
    Input(ids.MAP_KEY, "data"),
)


@callback(
    Output(TABLE, "children"),
    Output(STATUS, "children"),
    Output(PAGE, "data"),
    Input(KEY, "data"),
    Input(SORT, "value"),
    Input(PREVIOUS, "n_clicks"),
    Input(NEXT, "n_clicks"),
    DashState(PAGE, "data"),
    DashState(ids.UPLOADS, "data"),
    prevent_initial_call=True,
)
def update_table(map_key, sort, _previous, _next, page, uploads):
    atlas = get_atlas()
    state, indicators = session(map_key, uploads)
    lang = state.lang
    frame = map_table(atlas, state, indicators)
    sort = sort if sort in SORTS else "value_desc"
    if sort == "name":
        frame = frame.sort_values("name", key=lambda s: s.str.casefold())
    else:
        frame = frame.sort_values("value", ascending=sort == "value_asc", na_position="last")
    pages = max(1, int(np.ceil(len(frame) / PAGE_SIZE)))
    page = page if isinstance(page, int) and not isinstance(page, bool) else 0
    if ctx.triggered_id == NEXT:
        page += 1
    elif ctx.triggered_id == PREVIOUS:
        page -= 1
    elif ctx.triggered_id in (KEY, SORT):
        page = 0
    page = min(max(page, 0), pages - 1)
    rows = frame.iloc[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    indicator = indicators.get(state.indicator)
    unit = unit_label(indicator.unit, lang)

    def show(value) -> str:
        if value != value:  # NaN
            return t("common.no_value", lang)
        if indicator.kind == "categorical":
            return indicator.category_label(value, lang)
        return fmt_value(value, unit, lang)

    head = html.Thead(
        html.Tr(
            [
                html.Th(t(k, lang), scope="col")
                for k in ("table.unit", "table.country", "profile.value", "profile.year", "profile.source")
            ]
        )
    )
    body = [
        html.Tr(
            [
                html.Th(html.Button(r.name, id={"type": UNIT, "unit": r.unit_id}, className="atlas-link"), scope="row"),
                html.Td(country_name(r.country, lang)),
                html.Td(show(r.value), className="num"),
                html.Td(r.period or ("" if r.year is None else str(r.year))),
                html.Td(source_publisher(atlas, r.source, lang) if isinstance(r.source, str) else ""),
            ]
        )
        for r in rows.itertuples()
    ]
    status = t("table.page", lang, page=page + 1, pages=pages, rows=fmt_number(len(frame), lang))
    return html.Table([head, html.Tbody(body)], className="atlas-table"), status, page
