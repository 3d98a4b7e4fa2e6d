"""Swagger UI 5 for a stand-in, its assets served by the stand-in itself (works offline).

FastAPI's own ``/docs`` loads Swagger UI from a CDN: offline the page stays blank. The
stand-ins do not use the services' kit, so this is their own small copy of the kit's
``mount_offline_docs``, on the same package (fastapi-offline, Swagger UI 5: renders OpenAPI 3.1).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_UI_STATIC = Path(fastapi_offline.__file__).parent / "static"
STATIC_PATH = "/docs/static"


def serve_offline_docs(app: FastAPI) -> None:
    """Replace FastAPI's CDN ``/docs`` (and ``/redoc``) by Swagger UI served from ``/docs``."""
    cdn_pages = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}
    app.router.routes[:] = [
        route for route in app.router.routes if getattr(route, "path", None) not in cdn_pages
    ]
    app.docs_url = app.redoc_url = None
    app.mount(STATIC_PATH, StaticFiles(directory=SWAGGER_UI_STATIC), "docs-static")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            swagger_js_url=f"{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_PATH}/favicon.png",
        )
