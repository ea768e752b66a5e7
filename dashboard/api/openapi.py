"""The OpenAPI 3.1 document of the API, written from the endpoint table (dashboard.api.params), so the
document and the routes cannot disagree on a parameter."""

from __future__ import annotations

from dashboard.api.answers import API_VERSION
from dashboard.api.params import ENDPOINTS, PREFIX, Endpoint, Param

_ERROR = {"$ref": "#/components/schemas/Error"}


def document(build_key: str | None) -> dict:
    """Return the OpenAPI document (the build key in its description: answers are of that build)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "PlurAlps Atlas API",
            "version": API_VERSION,
            "summary": "Read-only JSON of the harmonised municipal dataset of the Alpine Space.",
            "description": (
                "Units, indicators with their metadata, values by year and country, a unit's profile and peers, "
                "and composite indices, as the dashboard shows them. Every value has its year and source; a unit "
                "without a value is listed as null and counted. Answers are cached per build "
                f"(build key {build_key or 'unknown'}): an ETag changes when the build does. The whole dataset "
                "with licences and checksums is the archive named by /build."
            ),
            "license": {"name": "MIT (code); data under the licences of its sources", "identifier": "MIT"},
        },
        "servers": [{"url": "/"}],
        "paths": {PREFIX + e.path: {"get": _operation(e)} for e in ENDPOINTS},
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {"type": "string", "description": "What is wrong, for a person"},
                        "parameter": {"type": "string", "description": "The parameter at fault"},
                    },
                }
            }
        },
    }


def _operation(endpoint: Endpoint) -> dict:
    responses = {
        "200": {"description": endpoint.summary, "content": {"application/json": {"schema": {"type": "object"}}}},
        "304": {"description": "Not modified (the ETag given in If-None-Match is current)"},
        "400": {
            "description": "A parameter is unknown, repeated, missing or out of range",
            "content": {"application/json": {"schema": _ERROR}},
        },
    }
    if endpoint.path_params:
        responses["404"] = {
            "description": "Unknown unit or indicator",
            "content": {"application/json": {"schema": _ERROR}},
        }
    return {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "tags": list(endpoint.tags),
        "parameters": [_parameter(p, "path") for p in endpoint.path_params]
        + [_parameter(p, "query") for p in endpoint.params],
        "responses": responses,
    }


def _parameter(param: Param, where: str) -> dict:
    return {
        "name": param.name,
        "in": where,
        "required": param.required or where == "path",
        "description": param.description,
        "schema": param.schema,
    }
