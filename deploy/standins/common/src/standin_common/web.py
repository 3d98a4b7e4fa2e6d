"""HTTP plumbing of a stand-in: its `Server` label and the platform's JSON error format.

Shared by every stand-in (stand-ins imitate systems we do not own, so they do not use the
services' kit), which keeps their HTTP behaviour identical.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from standin_common.docs import serve_offline_docs

log = logging.getLogger(__name__)


#: Seed 001 §8.2's code for each status a stand-in's framework may answer by itself.
_CODES_BY_STATUS = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "RESOURCE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "RESOURCE_ALREADY_EXISTS",
    413: "FILE_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "BUSINESS_LOGIC_ERROR",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def error_item(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    pointer: str | None = None,
    parameter: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "status": str(status),
        "code": code,
        "title": title or HTTPStatus(status).phrase,
        "detail": detail,
    }
    source = {}
    if pointer is not None:
        source["pointer"] = pointer
    if parameter is not None:
        source["parameter"] = parameter
    if source:
        item["source"] = source
    return item


class ApiError(Exception):
    """An expected failure, answered as `{"errors": [...]}` with the given status."""

    def __init__(
        self,
        status: int,
        errors: list[dict[str, Any]],
        headers: dict[str, str] | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(status)
        self.status = status
        self.errors = errors
        self.headers = headers
        self.extra_body = extra_body or {}

    @classmethod
    def single(
        cls,
        status: int,
        code: str,
        detail: str,
        *,
        pointer: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiError:
        return cls(status, [error_item(status, code, detail, pointer=pointer)], headers=headers)


def _source(location: tuple[Any, ...]) -> dict[str, str]:
    # ("body", "roles", 0) -> pointer "/roles/0"; ("query", "code") -> parameter "code";
    # ("header", "idempotency-key") -> parameter "Idempotency-Key" (seed 001 §3.1's source).
    origin, rest = (location[0], location[1:]) if location else ("body", ())
    if origin in ("query", "path", "cookie") and rest:
        return {"parameter": str(rest[0])}
    if origin == "header" and rest:
        return {"parameter": "-".join(word.capitalize() for word in str(rest[0]).split("-"))}
    parts = rest if origin == "body" else location
    return {"pointer": "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)}


async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(
        {**exc.extra_body, "errors": exc.errors}, status_code=exc.status, headers=exc.headers
    )


async def _http_exception(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    known = status in HTTPStatus._value2member_map_
    code = _CODES_BY_STATUS.get(status) or (HTTPStatus(status).name if known else "HTTP_ERROR")
    detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
    return JSONResponse(
        {"errors": [error_item(status, code, detail, title=None if known else "Error")]},
        status_code=status,
        headers=exc.headers,
    )


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    # Seed 001 §8.2: malformed or invalid input is 400 VALIDATION_ERROR, one error per issue.
    errors = []
    for issue in exc.errors():
        loc = tuple(issue["loc"])
        if issue.get("type") == "json_invalid":
            loc = loc[:1]  # ("body", <offset>): the offset is not a member of the body
        item = error_item(400, "VALIDATION_ERROR", issue["msg"])
        item["source"] = _source(loc)
        errors.append(item)
    return JSONResponse({"errors": errors}, status_code=400)


class StandinMiddleware:
    """Labels every response as a stand-in's and turns crashes into a JSON 500 without a trace.

    A pure ASGI middleware rather than an exception handler, so that even the 500 carries the
    `Server` header (Starlette answers handler-level 500s outside the user middleware).
    """

    def __init__(self, app: ASGIApp, server_name: str) -> None:
        self.app = app
        self.server = server_name.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_labelled(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                message = {**message, "headers": [*headers, (b"server", self.server)]}
            await send(message)

        try:
            await self.app(scope, receive, send_labelled)
        except Exception as exc:
            log.error("unhandled error on %s: %s", scope.get("path"), type(exc).__name__)
            if response_started:
                raise
            body = {"errors": [error_item(500, "INTERNAL_ERROR", "An unexpected error occurred.")]}
            await JSONResponse(body, status_code=500)(scope, receive, send_labelled)


def install_standin_http(app: FastAPI, server_name: str) -> None:
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_middleware(StandinMiddleware, server_name=server_name)
    serve_offline_docs(app)  # Swagger UI from the stand-in itself, not a CDN

    @app.get("/health", tags=["probes"], summary="Liveness: the stand-in answers")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": server_name}
