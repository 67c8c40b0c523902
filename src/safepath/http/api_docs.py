"""The API's interactive documentation (Swagger UI) served from the installed package, never from
a CDN: field offices work offline or behind filters, and the app's own CSP (``script-src 'self'``)
would block a CDN anyway. The page has no inline script; its initialiser is a static file too."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/static/swagger-ui"  # under /static/: cacheable, never personal data

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{init}"></script>
</body>
</html>
"""

_INIT = """window.addEventListener("load", function () {{
  window.ui = SwaggerUIBundle({{
    url: {openapi},
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  }});
}});
"""


def install_api_docs(app: FastAPI, *, docs_url: str, openapi_url: str, title: str) -> None:
    """Serve Swagger UI at ``docs_url`` for the schema at ``openapi_url``. Mount before the web
    app's ``/static`` so the more specific prefix wins."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    init_url = f"{docs_url}/init.js"
    page = _PAGE.format(title=title, assets=ASSETS, init=init_url)
    init = _INIT.format(openapi=json.dumps(openapi_url))

    @app.get(docs_url, include_in_schema=False)
    def docs_page() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(init_url, include_in_schema=False)
    def docs_init() -> Response:
        return Response(init, media_type="text/javascript")
