"""Swagger UI served from the swagger-ui-bundle package: works offline, no CDN."""

from __future__ import annotations

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles


def mount_offline_docs(app: FastAPI, prefix: str, title: str) -> None:
    static_path = f"{prefix}/docs/static"
    app.mount(static_path, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), "docs-static")

    @app.get(f"{prefix}/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or f"{prefix}/openapi.json",
            title=f"{title} — API",
            swagger_js_url=f"{static_path}/swagger-ui-bundle.js",
            swagger_css_url=f"{static_path}/swagger-ui.css",
            swagger_favicon_url=f"{static_path}/favicon-32x32.png",
        )
