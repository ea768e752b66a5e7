"""HTTP surface: security headers, health, built files, vendored libraries, malformed requests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def client(dash_app):
    return dash_app.server.test_client()


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_health_reports_the_build(client, atlas):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["units"] == len(atlas.units)
    assert body["built_at"] == atlas.manifest["built_at"]
    assert body["source_checksums"]


def test_geometry_is_served_gzipped_and_immutable(client, atlas):
    name = atlas.manifest["web"]["units"]["name"]
    response = client.get(f"/data/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    collection = json.loads(gzip.decompress(response.get_data()))
    assert len(collection["features"]) == len(atlas.units)
    for attempt in ("/data/../../etc/passwd", "/data/..%2F..%2Fetc%2Fpasswd", "/data/%2e%2e/app.py"):
        body = client.get(attempt).get_data(as_text=True)
        assert "root:" not in body
        assert "create_app" not in body
    assert client.get("/data/units.0000.geojson").status_code == 404


def test_vendored_maplibre_is_served_and_nothing_else(client):
    assert client.get("/vendor/maplibre-gl/maplibre-gl-csp.js").status_code == 200
    assert client.get("/vendor/maplibre-gl/package.json").status_code == 404
    assert client.get("/vendor/other/x.js").status_code == 404


@pytest.mark.parametrize("body", [b"", b"not json", b'{"output": 1}', b"[]", b'{"output": "x.y", "inputs": "z"}'])
def test_malformed_callback_requests_reveal_no_internals(client, body):
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code in (400, 500)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    assert str(REPO) not in text and ".py" not in text  # no server paths, wherever the repository lies
