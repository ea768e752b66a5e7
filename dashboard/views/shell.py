"""Which view is visible: the three views stay mounted (the map keeps its loaded geometry) and are shown or
hidden by class, so switching views never reloads the map."""

from __future__ import annotations

from dash import Input, Output, clientside_callback

from dashboard import ids

# Pure presentation, so it runs in the browser: no server round trip to switch views.
clientside_callback(
    """
    function (view) {
        const cls = function (name) { return "atlas-view" + (view === name ? "" : " atlas-hidden"); };
        if (view === "map") {
            window.setTimeout(function () {
                const m = window.atlasMap && window.atlasMap.map();
                if (m) m.resize();
            }, 0);
        }
        return [cls("map"), cls("compare"), cls("about")];
    }
    """,
    Output(ids.VIEW_MAP, "className"),
    Output(ids.VIEW_COMPARE, "className"),
    Output(ids.VIEW_ABOUT, "className"),
    Input(ids.TABS, "value"),
)
