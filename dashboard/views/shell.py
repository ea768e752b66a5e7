"""Which view is visible: the views stay mounted (the map keeps its loaded geometry) and are shown or
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
                if (window.atlasMap) window.atlasMap.shown();
            }, 0);
        }
        return [cls("map"), cls("peers"), cls("index"), cls("compare"), cls("data"), cls("about")];
    }
    """,
    Output(ids.VIEW_MAP, "className"),
    Output(ids.VIEW_PEERS, "className"),
    Output(ids.VIEW_INDEX, "className"),
    Output(ids.VIEW_COMPARE, "className"),
    Output(ids.VIEW_DATA, "className"),
    Output(ids.VIEW_ABOUT, "className"),
    Input(ids.TABS, "value"),
)


# A new language re-renders every text: reload the page with the language in the URL (the state is there
# too, so nothing is lost; the geometry comes from the browser cache). Also tells the browser the language.
clientside_callback(
    """
    function (lang) {
        if (!lang) { return window.dash_clientside.no_update; }
        document.documentElement.lang = lang;
        // Only a person's choice reloads: on page load the menu shows what the page was drawn in.
        const triggered = (window.dash_clientside.callback_context || {}).triggered || [];
        if (!triggered.length || triggered[0].prop_id === ".") { return window.dash_clientside.no_update; }
        const params = new URLSearchParams(window.location.search);
        const current = params.get("lang") || "en";
        if (current !== lang) {
            if (lang === "en") { params.delete("lang"); } else { params.set("lang", lang); }
            const query = params.toString();
            window.location.search = query ? "?" + query : "";
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output(ids.LANGUAGE, "className"),
    Input(ids.LANGUAGE, "value"),
)


# The selected unit is outlined on the map straight from the state, with no request to the server.
clientside_callback(
    """
    function (query) {
        const unit = new URLSearchParams(typeof query === "string" ? query : "").get("unit");
        if (window.atlasMap) window.atlasMap.selectUnit(unit);
        return unit || "";
    }
    """,
    Output(ids.SELECTION_DRAWN, "data"),
    Input(ids.STATE, "data"),
)
