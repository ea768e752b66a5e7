"""Security headers: a Content-Security-Policy that allows only what the app needs, and friends.

What the page needs, and why each allowance is there:
- scripts from the app itself, plus the hashes of Dash's inline scripts (its renderer bootstrap and the
  clientside callbacks defined as strings) — no 'unsafe-inline' for scripts;
- 'unsafe-eval' for plotly.js's WebGL traces (regl compiles draw calls with `new Function`) used by the
  Compare scatter;
- inline styles: React writes `style` attributes for every component;
- workers from the app itself only: MapLibre's CSP build loads its worker from /vendor, not from a blob;
- images from data: and blob: URLs (plotly's PNG export, MapLibre's canvas);
- connections only back to the app; frames only from `ATLAS_FRAME_ANCESTORS` (default: the app itself),
  so that a partner site can embed the Atlas when the operator says so.
"""

from __future__ import annotations

import os

from dash import Dash
from flask import Response, request

FRAME_ANCESTORS_SETTING = "ATLAS_FRAME_ANCESTORS"


def content_security_policy(app: Dash, frame_ancestors: str | None = None) -> str:
    """Return the CSP header value for `app` (call after every clientside callback is defined)."""
    ancestors = frame_ancestors or os.environ.get(FRAME_ANCESTORS_SETTING) or "'self'"
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", "'unsafe-eval'", *app.csp_hashes()]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "worker-src": "'self'",
        "child-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": ancestors,
    }
    return "; ".join(f"{k} {v}" for k, v in directives.items())


def install(app: Dash) -> None:
    """Add the security headers to every response of `app`."""
    policy = content_security_policy(app)

    @app.server.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        headers.pop("Server", None)
        if request.path == "/_favicon.ico":  # otherwise fetched again with every callback round
            headers["Cache-Control"] = "public, max-age=86400"
        if request.path == "/_dash-layout":  # drawn for the page's own URL (language, state): never reuse
            headers["Cache-Control"] = "no-store"
        return response
