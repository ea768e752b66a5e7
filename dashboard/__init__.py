"""PlurAlps Atlas dashboard: `create_app()` loads the build once and returns the Dash app.

Views live in dashboard/views (one module each, callbacks registered with `dash.callback`, the page shell
in views/layout.py); they are the top of the dependency graph: nothing outside views/ imports them except
`create_app` here, which wires them in (tests/test_imports.py holds the rule). Pure builders below them:
atlas, state, transitions, mapdata, tables, comparison, classify, stats, figures, poster, stories; the
vocabularies in geo/terms.py; the map's browser side in assets/atlas-map.js.
"""

from __future__ import annotations

from pathlib import Path

from dash import Dash
from threadpoolctl import threadpool_limits

from dashboard.atlas import BuildError, load_atlas
from dashboard.context import set_atlas
from dashboard.i18n import t
from geo.settings import REPO_ROOT, build_dir

ASSETS = REPO_ROOT / "assets"

# The app made in this process, with the build it serves (see create_app: once per process).
_created: tuple[Path, Dash] | None = None


def create_app(build_folder: Path | None = None) -> Dash:
    """Load the dataset and return the app. Raises BuildError (with how to rebuild) when the build is unusable.

    Once per process: the views register their callbacks with `dash.callback` when first imported, and the
    first Dash app takes them all; the dataset is one process-wide value (dashboard/context.py). A second
    call for the same build returns the app already made; for another build it raises RuntimeError rather
    than hand out an app without callbacks or change the data under the first one.
    """
    global _created
    given = Path(build_folder or build_dir())
    folder = given.resolve()
    if _created is not None:
        if _created[0] == folder:
            return _created[1]
        raise RuntimeError(
            f"create_app() already made the app for {_created[0]} in this process; serve {folder} from another process"
        )
    atlas = load_atlas(given)
    set_atlas(atlas)
    # Views register their callbacks on import; import them only once the dataset is there.
    from dashboard import security, server
    from dashboard.peers import warm as warm_peers
    from dashboard.views import (  # noqa: F401
        about,
        compare,
        controls,
        index,
        layout,
        map,
        maptable,
        peers,
        profile,
        shell,
        sync,
        upload,
    )

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
    # Built before gunicorn forks its preloaded workers, so they share it and no first upload waits for it.
    upload.unit_index()
    warm_peers(atlas)  # every built indicator standardised: no worker's first peer list waits for it
    atlas.unit_ids  # noqa: B018 -- computed once here, shared by the workers (every state is checked against it)
    # One BLAS thread per process: gunicorn runs a worker per core already, and the index's Monte Carlo ranks
    # on two threads of its own; BLAS threads on top only fight them (measured: 540 ms instead of 370 ms).
    threadpool_limits(limits=1, user_api="blas")
    _created = (folder, app)
    return app


__all__ = ["BuildError", "create_app"]
