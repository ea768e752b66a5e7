"""The read-only JSON API (/api/v1/...): what the map shows, for scripts and other tools.

- params.py: the endpoints and their parameters, defined once; reading a request's parameters (ApiError: 400);
- answers.py: the answers, as plain dicts from the build (no Flask);
- openapi.py: the OpenAPI 3.1 document, written from the same endpoint table;
- routes.py: the Flask routes, with answers cached by build key and ETags.

Peer and index parameters are read by the dashboard's own URL parser (dashboard.state), so an API call and a
shared link of the same method give the same answer.
"""
