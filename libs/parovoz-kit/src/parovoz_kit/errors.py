"""One exception hierarchy for every service.

Domain and application code raise these; the REST layer (``http/errors.py``) and the
gRPC layer (``grpc/errors.py``) map them, in one place each, to the JSON error body
and to gRPC status codes. ``code`` is stable and machine-readable; ``detail`` is for
humans and never carries internals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self


class ParovozError(Exception):
    """Base of every error a client may see."""

    http_status: int = 500
    default_code: str = "INTERNAL_ERROR"
    title: str = "Internal Server Error"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        pointer: str | None = None,
        parameter: str | None = None,
        detail_ru: str | None = None,
    ) -> None:
        super().__init__(detail)
        #: English detail (answered when the client's Accept-Language prefers English).
        self.detail = detail
        #: Russian detail, the default language of the API. Without it the service's catalogue
        #: of Russian texts by ``code`` is asked, then the generic Russian text of the class.
        self.detail_ru = detail_ru
        self.code = code or self.default_code
        #: JSON pointer to the offending field of the request body, e.g. "/data/attributes/title".
        self.pointer = pointer
        #: The offending query (or path, header) parameter, e.g. "page[after]".
        self.parameter = parameter
        #: A refusal with several reasons (see :meth:`of_reasons`): each is answered as its own
        #: error object, so a client sees the whole list at once. Empty: the error is its own.
        self.reasons: tuple[ParovozError, ...] = ()

    @classmethod
    def of_reasons(cls, reasons: Sequence[ParovozError]) -> Self:
        """One refusal answering every reason in ``reasons`` (all of this class's status):
        e.g. a publication refused for three missing needs answers three 422 error objects.
        Its own code and detail are the first reason's, its details joined (for logs)."""
        if not reasons:
            raise ValueError("of_reasons needs at least one reason")
        first = reasons[0]
        refusal = cls(
            "; ".join(reason.detail for reason in reasons),
            code=first.code,
            pointer=first.pointer,
            parameter=first.parameter,
            detail_ru="; ".join(reason.detail_ru or reason.detail for reason in reasons)
            if all(reason.detail_ru for reason in reasons)
            else None,
        )
        refusal.reasons = tuple(reasons)
        return refusal


class ValidationFailed(ParovozError):
    """Malformed or invalid input (seed 001 §8.2: 400 ``VALIDATION_ERROR``). A well-formed
    request the domain refuses is a :class:`BusinessRuleViolation` (422) instead."""

    http_status = 400
    default_code = "VALIDATION_ERROR"
    title = "Bad Request"


class Unauthenticated(ParovozError):
    http_status = 401
    default_code = "UNAUTHENTICATED"
    title = "Unauthorized"


class PermissionDenied(ParovozError):
    http_status = 403
    default_code = "PERMISSION_DENIED"
    title = "Forbidden"


class NotFound(ParovozError):
    http_status = 404
    default_code = "RESOURCE_NOT_FOUND"
    title = "Not Found"


class Conflict(ParovozError):
    """The resource already exists, or the request races another one (409)."""

    http_status = 409
    default_code = "RESOURCE_ALREADY_EXISTS"
    title = "Conflict"


class PayloadTooLarge(ParovozError):
    http_status = 413
    default_code = "FILE_TOO_LARGE"
    title = "Payload Too Large"


class UnsupportedMediaType(ParovozError):
    http_status = 415
    default_code = "UNSUPPORTED_MEDIA_TYPE"
    title = "Unsupported Media Type"


class TooManyRequests(ParovozError):
    """A rate limit: answered with ``Retry-After`` (seconds)."""

    http_status = 429
    default_code = "TOO_MANY_REQUESTS"
    title = "Too Many Requests"

    def __init__(
        self,
        detail: str,
        *,
        retry_after_seconds: int,
        code: str | None = None,
        pointer: str | None = None,
        detail_ru: str | None = None,
    ) -> None:
        super().__init__(detail, code=code, pointer=pointer, detail_ru=detail_ru)
        self.retry_after_seconds = max(1, retry_after_seconds)


class BusinessRuleViolation(ParovozError):
    """A well-formed request the domain refuses (illegal transition, limit reached...)."""

    http_status = 422
    default_code = "BUSINESS_LOGIC_ERROR"
    title = "Unprocessable Entity"


class Unavailable(ParovozError):
    """A dependency is down or a circuit is open; the client may retry later."""

    http_status = 503
    default_code = "SERVICE_UNAVAILABLE"
    title = "Service Unavailable"
