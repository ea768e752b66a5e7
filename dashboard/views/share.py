"""Share to phones in the room: a button in the header opens the current view's link as a large QR code.

The code is drawn by the server (/qr.svg, dashboard/qr.py) from the page's own address, so it carries the
whole state of the URL; it follows the state while open. Esc, the close button or a click beside the code
closes it (assets/atlas-share.js), and the focus goes back to the button.
"""

from __future__ import annotations

from dash import Input, Output, State, clientside_callback, html

from dashboard import ids
from dashboard.i18n import t


def button(lang: str) -> html.Button:
    return html.Button(
        t("qr.button", lang),
        id=ids.QR_BUTTON,
        className="atlas-button atlas-share-button",
        title=t("qr.help", lang),
        **{"aria-haspopup": "dialog", "aria-controls": ids.QR_DIALOG},
    )


def dialog(lang: str) -> html.Div:
    return html.Div(
        id=ids.QR_DIALOG,
        className="atlas-qr-dialog",
        hidden=True,
        role="dialog",
        **{"aria-modal": "true", "aria-labelledby": ids.QR_TITLE},
        children=html.Div(
            className="atlas-qr-box",
            children=[
                html.H2(t("qr.title", lang), id=ids.QR_TITLE),
                html.Img(id=ids.QR_IMAGE, className="atlas-qr-image", alt=t("qr.alt", lang)),
                html.P(t("qr.help", lang), className="atlas-qr-help"),
                html.P(id=ids.QR_LINK, className="atlas-qr-link"),
                html.Button(t("qr.close", lang), id=ids.QR_CLOSE, className="atlas-button"),
            ],
        ),
    )


# Open, close, and follow the state while open: the link is the address bar's, after the state's update.
clientside_callback(
    f"""function (opened, closed, query, hidden, lang) {{
        const ctx = window.dash_clientside.callback_context;
        const trigger = ctx.triggered.length ? ctx.triggered[0].prop_id : '';
        let show = !hidden;
        if (trigger === '{ids.QR_BUTTON}.n_clicks') {{ show = true; }}
        if (trigger === '{ids.QR_CLOSE}.n_clicks') {{ show = false; }}
        if (!show) {{ return [true, window.dash_clientside.no_update, window.dash_clientside.no_update]; }}
        const link = window.location.origin + window.location.pathname + (typeof query === 'string' ? query : '');
        const src = '/qr.svg?lang=' + encodeURIComponent(lang || 'en') + '&link=' + encodeURIComponent(link);
        return [false, src, link];
    }}""",
    [Output(ids.QR_DIALOG, "hidden"), Output(ids.QR_IMAGE, "src"), Output(ids.QR_LINK, "children")],
    [Input(ids.QR_BUTTON, "n_clicks"), Input(ids.QR_CLOSE, "n_clicks"), Input(ids.STATE, "data")],
    [State(ids.QR_DIALOG, "hidden"), State(ids.PAGE, "lang")],
    prevent_initial_call=True,
)
