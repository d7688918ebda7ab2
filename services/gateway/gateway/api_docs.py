"""GET /openapi.json and GET /docs: the generated document, and a page that renders it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response

REDOC_SCRIPT = "https://cdn.jsdelivr.net/npm/redoc@2.5.2/bundles/redoc.standalone.js"
REDOC_INTEGRITY = "sha384-70P5pmIdaQdVbxvjhrcTDv1uKcKqalZ3OHi7S2J+uzDl0PW8dO6L+pHOpm9EEjGJ"
"""The sha384 of that file as npm publishes it (jsDelivr serves npm's bytes)."""
DOCS_CSP = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net; style-src 'unsafe-inline';"
    " img-src data: https:; font-src https: data:; connect-src 'self'; worker-src blob:;"
    " base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Redoc from its CDN, reading /openapi.json from this origin (it styles inline and parses in a
blob worker)."""
DOCS_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ProLearn API</title>
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="{REDOC_SCRIPT}" integrity="{REDOC_INTEGRITY}" crossorigin="anonymous"></script>
</body>
</html>
"""


class ApiDocs:
    """Serves the document once the app sets it: it is built after the app, as it also
    lists what the app serves beside its routes."""

    def __init__(self) -> None:
        self._body = "{}"

    def set_document(self, document: Mapping[str, Any]) -> None:
        self._body = json.dumps(document, separators=(",", ":"))

    def handlers(self) -> dict[str, Callable[[], Response]]:
        """Handlers keyed by their route's endpoint (`METHOD path`) in the route table."""
        return {"GET /openapi.json": self.document, "GET /docs": self.page}

    def document(self) -> Response:
        return Response(self._body, mimetype="application/json")

    def page(self) -> Response:
        response = Response(DOCS_PAGE, mimetype="text/html")
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response
