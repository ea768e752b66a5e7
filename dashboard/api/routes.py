"""The API's Flask routes: read the parameters, answer from the process's build, cache the bytes.

Answers depend only on the build and the parameters, so they are cached by (build, endpoint, parameters) in
each worker, up to a byte budget, gzipped once (a cached answer is not compressed again per request), and
carry an ETag of the same key: a client asking again with If-None-Match gets 304 without the answer being
sent. Errors are JSON too, with the status they name.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from collections import OrderedDict
from pathlib import Path

import orjson
from flask import Flask, Response, request

from dashboard.api import answers, openapi
from dashboard.api.params import ENDPOINTS, PREFIX, ApiError, Endpoint, read
from dashboard.context import atlas as get_atlas

log = logging.getLogger("dashboard.api")
CACHE_BYTES = 24 * 1024 * 1024  # a worker keeps the last answers up to this size (one indicator's values: 1.2 MB)
MAX_AGE_S = 3600

GZIP_LEVEL = 6
# An index with its 1,000-draw Monte Carlo costs about half a second of both cores: one at a time per worker;
# the next waits this long for its turn and is otherwise answered 503, as a busy poster is.
HEAVY_WAIT_S = 10
_heavy = threading.BoundedSemaphore(1)
# The code that makes the answers: a new version of it changes every ETag, even for the same build.
CODE_DIGEST = hashlib.blake2b(
    b"".join(p.read_bytes() for p in sorted(Path(__file__).resolve().parents[1].rglob("*.py"))), digest_size=8
).hexdigest()
_cache: OrderedDict[tuple, bytes] = OrderedDict()  # the gzipped answers
_cached_bytes = 0
_lock = threading.Lock()


def register(server: Flask) -> None:
    """Add /api/v1/... (every endpoint of dashboard.api.params), its OpenAPI document and JSON 404s."""
    for endpoint in ENDPOINTS:
        rule = PREFIX + endpoint.path.replace("{", "<").replace("}", ">")
        server.add_url_rule(rule, f"api_{endpoint.name}", _view(endpoint), methods=["GET"])
    server.add_url_rule(f"{PREFIX}/openapi.json", "api_openapi", _openapi, methods=["GET"])
    server.add_url_rule(f"{PREFIX}/<path:rest>", "api_unknown", _unknown, methods=["GET"])


def clear_cache() -> None:
    global _cached_bytes
    with _lock:
        _cache.clear()
        _cached_bytes = 0


def _view(endpoint: Endpoint):
    def view(**path):
        atlas = get_atlas()
        try:
            given = read(endpoint, request.args.to_dict(flat=False))
            key = (
                id(atlas),
                atlas.manifest.get("key"),
                endpoint.name,
                tuple(sorted(given.items())),
                tuple(sorted(path.items())),
            )
            if request.if_none_match.contains_weak(_etag(key)):  # the client has this answer: nothing to compute
                return _answer(b"", key)
            body = _lookup(key)
            if body is None:
                body = _computed(endpoint, atlas, given, path)
                _store(key, body)
        except ApiError as exc:
            return _json_error(exc)
        return _answer(body, key)

    view.__name__ = f"api_{endpoint.name}"
    return view


def _computed(endpoint: Endpoint, atlas, given: dict, path: dict) -> bytes:
    """The gzipped answer; an index with its Monte Carlo waits for a free slot, or is refused with 503."""
    heavy = endpoint.name == "index" and given.get("uncertainty", "true").strip().lower() not in ("0", "false", "no")
    if heavy and not _heavy.acquire(timeout=HEAVY_WAIT_S):
        raise ApiError(503, "another composite index with its Monte Carlo is being computed; try again shortly")
    try:
        answer = getattr(answers, endpoint.name)(atlas, given, **path)
    finally:
        if heavy:
            _heavy.release()
    raw = orjson.dumps(answer, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    return gzip.compress(raw, GZIP_LEVEL, mtime=0)


def _openapi():
    atlas = get_atlas()
    key = (id(atlas), atlas.manifest.get("key"), "openapi")
    if request.if_none_match.contains_weak(_etag(key)):
        return _answer(b"", key)
    return _answer(gzip.compress(orjson.dumps(openapi.document(atlas.manifest.get("key"))), mtime=0), key)


def _unknown(rest: str):
    paths = ", ".join(PREFIX + e.path for e in ENDPOINTS)
    return _json_error(ApiError(404, f"no such endpoint {PREFIX}/{rest}; the API has {paths}"))


def _etag(key: tuple) -> str:
    """The answer's identity: the build, the API's code and the request (not the process: key[0])."""
    return hashlib.blake2b(repr((CODE_DIGEST, *key[1:])).encode(), digest_size=12).hexdigest()


def _answer(gzipped: bytes, key: tuple) -> Response:
    """The answer, gzipped when the client accepts it (almost every client does), else as it is. Both
    carry the same weak ETag: the same JSON, encoded two ways. An empty body is a 304's (make_conditional)."""
    if request.accept_encodings["gzip"] > 0:
        response = Response(gzipped, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
        response.direct_passthrough = True  # Flask-Compress must not compress it again
    else:
        response = Response(gzip.decompress(gzipped) if gzipped else b"", mimetype="application/json")
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(_etag(key), weak=True)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_S}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # read-only open data: any page may fetch it
    return response.make_conditional(request)


def _json_error(exc: ApiError) -> Response:
    response = Response(orjson.dumps(exc.body()), status=exc.status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _lookup(key: tuple) -> bytes | None:
    with _lock:
        body = _cache.get(key)
        if body is not None:
            _cache.move_to_end(key)
        return body


def _store(key: tuple, body: bytes) -> None:
    global _cached_bytes
    if len(body) > CACHE_BYTES:
        return
    with _lock:
        if key in _cache:
            return
        _cache[key] = body
        _cached_bytes += len(body)
        while _cached_bytes > CACHE_BYTES:
            _old, dropped = _cache.popitem(last=False)
            _cached_bytes -= len(dropped)
