"""The naive Dash baseline the benchmarks compare the atlas against: the straightforward way to map 17,766 units.

    gunicorn --preload --workers 2 bench.naive_app:server     (how the benchmarks serve it)
    python -m bench.naive_app [--port 8051]                    (Dash development server, to look at it)

One plotly `go.Choroplethmap` of every unit of the real build (data/build, PLURALPS_BUILD): the map-resolution
polygons of units_map.parquet as one GeoJSON (geopandas' to_json), the indicator's latest values from the same
loader the atlas uses (dashboard.atlas.load_atlas), names on hover; units without a value are left out (plotly
skips NaN), which makes the baseline's drawing cheaper than the atlas's, never dearer. The full
figure, geometry included, is returned by a callback on every indicator change and embedded in app.layout for
the first load. Map style "white-bg": no tiles, no glyphs, nothing leaves the machine (checked by bench.browser).

It is served the same way as the atlas (gunicorn, --preload, two workers, Flask-Compress on, assets served
locally), so the comparison is between the two designs, not between two server set-ups.
"""

from __future__ import annotations

import argparse
import json
import sys

import geopandas as gpd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from dashboard.atlas import LATEST, load_atlas
from geo.settings import build_dir

GRAPH_ID = "naive-map"
DROPDOWN_ID = "indicator"
DEFAULT_INDICATOR = "foreign_pct"

ATLAS = load_atlas(build_dir())
_shapes = gpd.read_parquet(ATLAS.folder / "units_map.parquet", columns=["unit_id", "geometry"])
GEOJSON = json.loads(_shapes.to_json())  # the whole geometry, as a naive app keeps it: one dict in memory
UNIT_IDS = ATLAS.units["unit_id"].to_numpy(dtype=object)
NAMES = ATLAS.units["name"].to_numpy(dtype=object)
W, S, E, N = ATLAS.bounds["all"]


def figure(indicator: str) -> go.Figure:
    """Return the whole choropleth for `indicator` (each unit's latest value), geometry included."""
    values = ATLAS.series(indicator, LATEST).values
    label = ATLAS.catalogue.at[indicator, "label_en"]
    fig = go.Figure(
        go.Choroplethmap(
            geojson=GEOJSON,
            featureidkey="properties.unit_id",
            locations=UNIT_IDS,
            z=values,  # NaN (no value): plotly leaves the unit out
            colorscale="YlGnBu",
            marker_line_width=0,
            text=NAMES,
            hovertemplate="%{text}: %{z}<extra></extra>",
            colorbar_title_text=label,
        )
    )
    fig.update_layout(
        map_style="white-bg",
        map_center={"lon": (W + E) / 2, "lat": (S + N) / 2},
        map_zoom=5.2,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=800,
    )
    return fig


app = Dash(__name__, compress=True, serve_locally=True, update_title=None, title="Naive baseline")
app.layout = html.Div(
    [
        dcc.Dropdown(
            id=DROPDOWN_ID,
            options=[{"label": ATLAS.catalogue.at[i, "label_en"], "value": i} for i in ATLAS.indicator_ids()],
            value=DEFAULT_INDICATOR,
            clearable=False,
        ),
        dcc.Graph(id=GRAPH_ID, figure=figure(DEFAULT_INDICATOR), style={"height": "800px"}),
    ]
)


@app.callback(Output(GRAPH_ID, "figure"), Input(DROPDOWN_ID, "value"), prevent_initial_call=True)
def update(indicator):
    return figure(indicator if indicator in ATLAS.catalogue.index else DEFAULT_INDICATOR)


server = app.server


@server.route("/healthz")
def healthz():
    return {"status": "ok", "units": len(UNIT_IDS)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.naive_app")
    parser.add_argument("--port", type=int, default=8051)
    args = parser.parse_args()
    app.run(host="127.0.0.1", port=args.port, debug=False)
    sys.exit(0)
