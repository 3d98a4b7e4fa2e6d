"""One exception hierarchy for every service.

Domain and application code raise these; the REST layer (``http/errors.py``) and the
gRPC layer (``grpc/errors.py``) map them, in one place each, to the JSON error body
and to gRPC status codes. ``code`` is stable and machine-readable; ``detail`` is for
humans and never carries internals.
"""

from __future__ import annotations


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
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        #: JSON pointer to the offending field of the request body, e.g. "/data/attributes/title".
        self.pointer = pointer


class ValidationFailed(ParovozError):
    http_status = 422
    default_code = "VALIDATION_ERROR"
    title = "Unprocessable Entity"


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
    default_code = "NOT_FOUND"
    title = "Not Found"


class Conflict(ParovozError):
    http_status = 409
    default_code = "CONFLICT"
    title = "Conflict"


class BusinessRuleViolation(ParovozError):
    """A well-formed request the domain refuses (illegal transition, limit reached...)."""

    http_status = 422
    default_code = "BUSINESS_RULE_VIOLATION"
    title = "Unprocessable Entity"


class Unavailable(ParovozError):
    """A dependency is down or a circuit is open; the client may retry later."""

    http_status = 503
    default_code = "SERVICE_UNAVAILABLE"
    title = "Service Unavailable"
