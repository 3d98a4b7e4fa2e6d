"""The REST error body: {"errors":[{"status","code","title","detail","source"}]}.

Every error a service answers goes through here, so clients see one format and
never a stack trace.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from parovoz_kit.errors import ParovozError
from parovoz_kit.logging import error_fields

log = logging.getLogger(__name__)


def error_body(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    pointer: str | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "status": str(status),
        "code": code,
        "title": title or HTTPStatus(status).phrase,
        "detail": detail,
    }
    if pointer is not None:
        error["source"] = {"pointer": pointer}
    return error


def error_response(errors: list[dict[str, Any]], status: int) -> JSONResponse:
    return JSONResponse({"errors": errors}, status_code=status)


def _pointer(location: tuple[Any, ...]) -> str:
    # ("body", "data", "attributes", "title") -> "/data/attributes/title";
    # query/path/header parameters keep their origin so the client knows where to look.
    parts = [str(part) for part in location]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return "/" + "/".join(parts)


async def _http_exception(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    code = HTTPStatus(status).name if status in HTTPStatus._value2member_map_ else "HTTP_ERROR"
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).description
    response = error_response([error_body(status, code, detail)], status)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _parovoz_error(_: Request, exc: ParovozError) -> JSONResponse:
    body = error_body(exc.http_status, exc.code, exc.detail, title=exc.title, pointer=exc.pointer)
    return error_response([body], exc.http_status)


async def _validation_exception(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        error_body(422, "VALIDATION_ERROR", issue["msg"], pointer=_pointer(tuple(issue["loc"])))
        for issue in exc.errors()
    ]
    return error_response(errors, 422)


async def _unhandled_exception(request: Request, exc: Exception) -> JSONResponse:
    log.error(
        "unhandled error",
        extra={"path": request.url.path, **error_fields(exc)},
    )
    body = error_body(500, "INTERNAL_ERROR", "An unexpected error occurred; it has been logged.")
    return error_response([body], 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ParovozError, _parovoz_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_exception)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unhandled_exception)
