"""The REST error body of seed 001 §3.1, in Russian by default and English on request.

    {"errors": [{"status": "400", "code": "VALIDATION_ERROR", "title": "...", "detail": "...",
                 "source": {"pointer": "/data/attributes/title"} | {"parameter": "page[after]"}}]}

Every error a service answers goes through here, so clients see one format and never a stack
trace: :class:`~parovoz_kit.errors.ParovozError` by its status and code (``Retry-After`` on a
429), FastAPI's validation errors as 400 ``VALIDATION_ERROR`` (one error object per issue,
``source.pointer`` in the body, ``source.parameter`` for query, path and header parameters),
Starlette's own HTTP errors by seed 001's codes, and anything else as a generic 500.

``title`` and ``detail`` are Russian unless ``Accept-Language`` prefers English
(:mod:`parovoz_kit.http.language`). The Russian detail of a :class:`ParovozError` is its
``detail_ru``, else the service's catalogue (``app.state.error_texts_ru``, a ``code -> text``
mapping given to :func:`install_error_handlers`), else the kit's own texts for its codes, else a
generic sentence for the status. Every error answer carries ``Content-Language``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from parovoz_kit.errors import ParovozError, TooManyRequests
from parovoz_kit.http.language import (
    KIT_RUSSIAN,
    Language,
    language_from_headers,
    russian_generic_detail,
    russian_title,
    russian_validation_message,
)
from parovoz_kit.logging import error_fields

log = logging.getLogger(__name__)

#: Where the service's Russian texts by error code live on ``app.state``.
ERROR_TEXTS_STATE = "error_texts_ru"

#: Seed 001 §8.2's code for each status Starlette (or a stray HTTPException) may answer.
_CODES_BY_STATUS: Mapping[int, str] = {
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

_ENGLISH_DETAILS: Mapping[int, str] = {
    404: "There is no resource at this address.",
    405: "This method is not allowed at this address.",
    500: "An unexpected error occurred; it has been logged.",
}


def english_title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    pointer: str | None = None,
    parameter: str | None = None,
) -> dict[str, Any]:
    """One error object. ``title`` defaults to the status's English phrase; callers that
    answer a client use :func:`localized_error` (or pass the texts of its language)."""
    error: dict[str, Any] = {
        "status": str(status),
        "code": code,
        "title": title or english_title(status),
        "detail": detail,
    }
    source: dict[str, str] = {}
    if pointer is not None:
        source["pointer"] = pointer
    if parameter is not None:
        source["parameter"] = parameter
    if source:
        error["source"] = source
    return error


def error_response(
    errors: list[dict[str, Any]],
    status: int,
    *,
    language: Language | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    response = JSONResponse({"errors": errors}, status_code=status, headers=dict(headers or {}))
    if language is not None:
        response.headers["Content-Language"] = language.value
    return response


def request_language(request: Request) -> Language:
    return language_from_headers(request.headers)


def service_texts(app: Any) -> Mapping[str, str]:
    """The Russian texts by code a service gave its app (empty if none)."""
    state = getattr(app, "state", None)
    texts = getattr(state, ERROR_TEXTS_STATE, None) if state is not None else None
    return texts if texts is not None else {}


def _source_of(exc: ParovozError) -> tuple[str | None, str | None]:
    pointer, parameter = exc.pointer, exc.parameter
    # "/headers/Idempotency-Key" names a header, not a place in the body.
    if pointer is not None and pointer.startswith("/headers/") and parameter is None:
        return None, pointer.removeprefix("/headers/")
    return pointer, parameter


def russian_detail(exc: ParovozError, texts_ru: Mapping[str, str] | None = None) -> str:
    if exc.detail_ru:
        return exc.detail_ru
    if texts_ru and exc.code in texts_ru:
        return texts_ru[exc.code]
    if exc.code in KIT_RUSSIAN:
        return KIT_RUSSIAN[exc.code]
    return russian_generic_detail(exc.http_status)


def localized_error(
    exc: ParovozError, language: Language, texts_ru: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The error object of ``exc`` in ``language``."""
    pointer, parameter = _source_of(exc)
    if language is Language.EN:
        title, detail = exc.title or english_title(exc.http_status), exc.detail
    else:
        title, detail = russian_title(exc.http_status), russian_detail(exc, texts_ru)
    return error_body(
        exc.http_status, exc.code, detail, title=title, pointer=pointer, parameter=parameter
    )


def parovoz_error_response(
    exc: ParovozError, language: Language, texts_ru: Mapping[str, str] | None = None
) -> JSONResponse:
    """The whole answer to ``exc``: its status, its error object, ``Retry-After`` on a 429."""
    headers: dict[str, str] = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    bodies = [localized_error(reason, language, texts_ru) for reason in exc.reasons or (exc,)]
    return error_response(bodies, exc.http_status, language=language, headers=headers)


def error_for_request(request: Request, exc: ParovozError) -> JSONResponse:
    """:func:`parovoz_error_response` in the request's language with its app's texts."""
    return parovoz_error_response(exc, request_language(request), service_texts(request.app))


def _escape(part: Any) -> str:
    # RFC 6901: "~" and "/" inside a member name.
    return str(part).replace("~", "~0").replace("/", "~1")


def _header_name(name: str) -> str:
    return "-".join(word.capitalize() for word in name.split("-"))


def issue_source(location: tuple[Any, ...]) -> tuple[str | None, str | None]:
    """``(pointer, parameter)`` of a pydantic issue's ``loc`` as FastAPI reports it.

    ``("body", "data", "attributes", "title")`` -> pointer ``/data/attributes/title``;
    ``("query", "page[after]")`` -> parameter ``page[after]``; ``("header",
    "idempotency-key")`` -> parameter ``Idempotency-Key``.
    """
    if not location:
        return "", None
    origin, rest = location[0], location[1:]
    if origin in ("query", "path", "cookie") and rest:
        return None, str(rest[0])
    if origin == "header" and rest:
        return None, _header_name(str(rest[0]))
    if origin == "body":
        return "".join(f"/{_escape(part)}" for part in rest), None
    return "".join(f"/{_escape(part)}" for part in location), None


def validation_errors(issues: list[Any], language: Language) -> list[dict[str, Any]]:
    errors = []
    for issue in issues:
        loc = tuple(issue.get("loc", ()))
        if issue.get("type") == "json_invalid":
            loc = loc[:1]  # ("body", <offset>): the offset is not a member of the body
        pointer, parameter = issue_source(loc)
        if language is Language.EN:
            title, detail = english_title(400), str(issue.get("msg", "Invalid value"))
        else:
            title, detail = russian_title(400), russian_validation_message(issue)
        errors.append(
            error_body(
                400, "VALIDATION_ERROR", detail, title=title, pointer=pointer, parameter=parameter
            )
        )
    return errors


async def _http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    language = request_language(request)
    code = _CODES_BY_STATUS.get(status) or (
        HTTPStatus(status).name if status in HTTPStatus._value2member_map_ else "HTTP_ERROR"
    )
    if language is Language.EN:
        title = english_title(status)
        phrase = status in HTTPStatus._value2member_map_ and exc.detail == HTTPStatus(status).phrase
        if isinstance(exc.detail, str) and exc.detail and not phrase:
            detail = exc.detail
        else:
            detail = _ENGLISH_DETAILS.get(status) or (
                HTTPStatus(status).description
                if status in HTTPStatus._value2member_map_
                else "Request failed."
            )
    else:
        title, detail = russian_title(status), russian_generic_detail(status)
    # Keeps the headers Starlette sets (Allow on a 405, WWW-Authenticate on a 401).
    headers = dict(exc.headers or {})
    if status == 405:
        headers["Allow"] = _allowed_methods(request, headers.get("Allow", ""))
    return error_response(
        [error_body(status, code, detail, title=title)],
        status,
        language=language,
        headers=headers,
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request, starlette_allow: str) -> str:
    """Every method some route answers at this path (Starlette names only the first route's)."""
    methods = {method.strip() for method in starlette_allow.split(",") if method.strip()}
    routes = getattr(request.app, "routes", ())
    for method in _METHODS:
        if method in methods:
            continue
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            methods.add(method)
    return ", ".join(sorted(methods))


async def _parovoz_error(request: Request, exc: ParovozError) -> JSONResponse:
    return error_for_request(request, exc)


async def _validation_exception(request: Request, exc: RequestValidationError) -> JSONResponse:
    language = request_language(request)
    return error_response(validation_errors(list(exc.errors()), language), 400, language=language)


async def _unhandled_exception(request: Request, exc: Exception) -> JSONResponse:
    log.error(
        "unhandled error",
        extra={"path": request.url.path, **error_fields(exc)},
    )
    language = request_language(request)
    if language is Language.EN:
        title, detail = english_title(500), _ENGLISH_DETAILS[500]
    else:
        title, detail = russian_title(500), russian_generic_detail(500)
    body = error_body(500, "INTERNAL_ERROR", detail, title=title)
    # Answered by Starlette's ServerErrorMiddleware, outside every middleware of the app: the
    # headers SecurityHeaders gives every other answer are set here.
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    return error_response([body], 500, language=language, headers=headers)


def install_error_handlers(app: FastAPI, error_texts_ru: Mapping[str, str] | None = None) -> None:
    """Answer every error of ``app`` in the error format; ``error_texts_ru`` holds the
    service's Russian details by error code (``<package>/error_texts.py``'s ``RUSSIAN``)."""
    setattr(app.state, ERROR_TEXTS_STATE, dict(error_texts_ru or {}))
    app.add_exception_handler(ParovozError, _parovoz_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_exception)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unhandled_exception)


__all__ = [
    "ERROR_TEXTS_STATE",
    "error_body",
    "error_for_request",
    "error_response",
    "install_error_handlers",
    "issue_source",
    "localized_error",
    "parovoz_error_response",
    "request_language",
    "russian_detail",
    "service_texts",
    "validation_errors",
]
