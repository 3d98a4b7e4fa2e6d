"""Swagger UI 5 served from the ``fastapi-offline`` package: renders OpenAPI 3.1, works offline.

FastAPI's own ``/docs`` loads Swagger UI from a CDN; the platform must work without one (local
runs, CI, a closed network), so the page and its assets are served by the app itself:
``<prefix>/docs`` (the page) and ``<prefix>/docs/static/*`` (``swagger-ui-bundle.js``,
``swagger-ui.css``, ``favicon.png``). The assets are Swagger UI 5.x, which reads the 3.1
documents FastAPI writes (Swagger UI 4 answered "Unable to render this definition").

:func:`mount_offline_docs` also serves the stand-ins (``standin_common``), which call it with
an empty prefix.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

#: Swagger UI 5's static files, shipped inside the fastapi-offline wheel.
SWAGGER_UI_STATIC = Path(fastapi_offline.__file__).parent / "static"

#: Path suffix of the assets under ``<prefix>/docs``; the security-headers middleware leaves
#: these (and the OpenAPI document) cacheable.
DOCS_STATIC_SUFFIX = "/docs/static"

_SWAGGER_UI_PARAMETERS = {
    "deepLinking": True,
    "displayRequestDuration": True,
    "persistAuthorization": True,
    "tryItOutEnabled": False,
}


def mount_offline_docs(app: FastAPI, prefix: str, title: str) -> None:
    """Serve Swagger UI for ``app.openapi_url`` at ``{prefix}/docs``, assets local."""
    static_path = f"{prefix}{DOCS_STATIC_SUFFIX}"
    app.mount(static_path, StaticFiles(directory=SWAGGER_UI_STATIC), "docs-static")
    openapi_url = app.openapi_url or f"{prefix}/openapi.json"

    @app.get(f"{prefix}/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} — API",
            swagger_js_url=f"{static_path}/swagger-ui-bundle.js",
            swagger_css_url=f"{static_path}/swagger-ui.css",
            swagger_favicon_url=f"{static_path}/favicon.png",
            swagger_ui_parameters=_SWAGGER_UI_PARAMETERS,
        )
