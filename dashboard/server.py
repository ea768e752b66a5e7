"""HTTP routes beside the Dash app: built geometry, vendored browser libraries, health.

- /data/<name>: the build's browser files (geo.webexport), pre-gzipped and content-hashed, so they are sent
  from disk as they are with `Content-Encoding: gzip` and cached by browsers for a year.
- /vendor/maplibre-gl/<file>: MapLibre GL from node_modules (installed by `npm ci` in the set-up; never
  copied into the repository), so the map works with no internet.
- /download/<archive>: the build's open data archive (geo.archive), named by the build, so cached for a year.
- /api/v1/...: the read-only JSON API (dashboard.api).
- /qr.svg?link=...: the QR code of a link to this Atlas (dashboard.qr), for phones in a workshop.
- /healthz: readiness with the build's date and checksums.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, abort, jsonify, request, send_file

from dashboard.api import routes as api_routes
from dashboard.atlas import Atlas
from dashboard.context import atlas as get_atlas
from dashboard.i18n import t
from dashboard.state import to_query
from geo.outputs import ARCHIVE_DIR
from geo.settings import REPO_ROOT
from geo.terms import LANGUAGES

VENDOR_DIRS = {"maplibre-gl": REPO_ROOT / "node_modules" / "maplibre-gl" / "dist"}
VENDOR_FILES = {"maplibre-gl": {"maplibre-gl-csp.js", "maplibre-gl-csp-worker.js", "maplibre-gl.css"}}
YEAR_S = 365 * 24 * 3600


def vendor_missing() -> list[str]:
    """Return the vendored files that are not installed (run `npm ci`)."""
    return [
        f"{lib}/{name}"
        for lib, names in VENDOR_FILES.items()
        for name in sorted(names)
        if not (VENDOR_DIRS[lib] / name).is_file()
    ]


def archive_url(atlas: Atlas) -> str | None:
    """Return the URL of the build's open data archive (None for a build without one)."""
    archive = atlas.manifest.get("archive")
    return f"/download/{archive['name']}" if archive else None


def data_url(atlas: Atlas, kind: str) -> str:
    """Return the URL of a browser file of the build (units, context, index)."""
    return f"/data/{atlas.manifest['web'][kind]['name']}"


def register_routes(server: Flask) -> None:
    """Add the data, vendor and health routes to the Flask server. They read the process's dataset
    (dashboard.context) when asked, like the callbacks: one source of truth for which build is served."""

    @server.route("/data/<name>")
    def built_file(name: str):
        atlas = get_atlas()
        if name not in {info["name"] for info in atlas.manifest["web"].values()}:
            abort(404)
        response = send_file(
            atlas.folder / "web" / f"{name}.gz", mimetype=_mimetype(name), max_age=YEAR_S, conditional=True
        )
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Cache-Control"] = f"public, max-age={YEAR_S}, immutable"
        response.headers["Vary"] = "Accept-Encoding"
        # Flask-Compress must not compress it again.
        response.direct_passthrough = True
        return response

    @server.route("/download/<name>")
    def archive_file(name: str):
        archive = get_atlas().manifest.get("archive") or {}
        if name != archive.get("name"):
            abort(404)
        path = get_atlas().folder / ARCHIVE_DIR / name
        if not path.is_file():
            abort(404)
        response = send_file(path, mimetype="application/zip", as_attachment=True, max_age=YEAR_S, conditional=True)
        response.headers["Cache-Control"] = f"public, max-age={YEAR_S}, immutable"
        response.direct_passthrough = True  # a zip: Flask-Compress must leave it as it is
        return response

    api_routes.register(server)

    @server.route("/qr.svg")
    def qr_code():
        from dashboard import qr

        lang = request.args.get("lang", "en")
        try:
            link = qr.checked_link(request.args.get("link"), request.host)
        except qr.NotOurLink as exc:
            return Response(str(exc), status=400, mimetype="text/plain")
        return Response(
            qr.qr_svg(link, t("qr.title", lang if lang in LANGUAGES else "en")),
            mimetype="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @server.route("/vendor/<lib>/<name>")
    def vendor(lib: str, name: str):
        if lib not in VENDOR_FILES or name not in VENDOR_FILES[lib]:
            abort(404)
        path = VENDOR_DIRS[lib] / name
        if not path.is_file():
            abort(404)
        return send_file(path, max_age=24 * 3600, conditional=True)

    @server.route("/poster.<fmt>")
    def poster_file(fmt: str):
        from dashboard import poster  # matplotlib loads on the first poster, not at start-up
        from dashboard.session import session

        if fmt not in poster.FORMATS:
            abort(404)
        query = request.query_string.decode("utf-8", "replace")
        if "upload%3A" in query or "upload:" in query:
            lang = request.args.get("lang", "en")
            return Response(t("poster.no_uploads", lang), status=400, mimetype="text/plain")
        state, indicators = session(query)
        try:
            body = _poster_bytes(to_query(state), fmt)
        except poster.PosterBusy:
            return Response(
                t("poster.busy", state.lang), status=503, mimetype="text/plain", headers={"Retry-After": "10"}
            )
        name = f"pluralps-atlas_{state.indicator}_{state.year}.{fmt}"
        disposition = "inline" if request.args.get("inline") == "1" else "attachment"  # inline: open in the browser
        return Response(
            body,
            mimetype=poster.FORMATS[fmt],
            headers={"Content-Disposition": f'{disposition}; filename="{name}"', "Cache-Control": "no-store"},
        )

    @server.route("/healthz")
    def healthz():
        atlas = get_atlas()
        missing = vendor_missing()
        body = {
            "status": "ok" if not missing else "degraded",
            "built_at": atlas.manifest.get("built_at"),
            "units": len(atlas.units),
            "build_key": atlas.manifest.get("key"),
            "code_checksum": atlas.manifest.get("code_checksum"),
            "source_checksums": atlas.manifest.get("source_checksums", {}),
            "failures": atlas.manifest.get("failures", 0),
        }
        if missing:
            body["missing_vendor_files"] = missing
        return jsonify(body), 200 if not missing else 503


@lru_cache(maxsize=3)
def _poster_bytes(query: str, fmt: str) -> bytes:
    """Return the poster of a state (given by its canonical query) in `fmt`, drawn once: a workshop prints
    the same map several times. Uploads never reach here, so the query says everything."""
    from dashboard import poster
    from dashboard.session import session

    state, indicators = session(query)
    return poster.render(indicators.atlas, state, indicators, fmt)


def _mimetype(name: str) -> str:
    return "application/geo+json" if name.endswith(".geojson") else "application/json"
