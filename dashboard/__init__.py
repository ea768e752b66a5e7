"""PlurAlps Atlas dashboard: `create_app()` loads the build once and returns the Dash app.

Views live in dashboard/views (one module each, callbacks registered with `dash.callback`); pure builders
in figures.py, mapdata.py, classify.py and stats.py; the map's browser side in assets/atlas-map.js.
"""

from __future__ import annotations

from pathlib import Path

from dash import Dash

from dashboard.atlas import BuildError, load_atlas
from dashboard.context import set_atlas
from dashboard.i18n import t
from geo.settings import REPO_ROOT, build_dir

ASSETS = REPO_ROOT / "assets"


def create_app(build_folder: Path | None = None) -> Dash:
    """Load the dataset and return the app. Raises BuildError (with how to rebuild) when the build is unusable."""
    atlas = load_atlas(build_folder or build_dir())
    set_atlas(atlas)
    # Views register their callbacks on import; import them only once the dataset is there.
    from dashboard import layout, security, server
    from dashboard.views import about, compare, controls, map, maptable, profile, shell, sync, upload  # noqa: F401

    app = Dash(
        __name__,
        title=t("app.title"),
        assets_folder=str(ASSETS),
        external_scripts=["/vendor/maplibre-gl/maplibre-gl-csp.js"],
        external_stylesheets=["/vendor/maplibre-gl/maplibre-gl.css"],
        compress=True,
        serve_locally=True,
        update_title=None,
        suppress_callback_exceptions=False,
    )
    # The largest request is an upload: 5 MB as base64 (x 4/3) in a JSON body. Refuse anything bigger
    # before it is read (413), whatever the browser-side limit says.
    app.server.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    app.layout = layout.serve_layout
    server.register_routes(app.server)
    security.install(app)  # last: the policy hashes every inline script defined above
    return app


__all__ = ["BuildError", "create_app"]
