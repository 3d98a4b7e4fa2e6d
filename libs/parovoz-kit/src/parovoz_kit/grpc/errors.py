"""Kit errors <-> gRPC status codes, in one place.

Servers abort with the mapped code and the stable ``code`` as the first word of the
details ("NOT_FOUND: game 42 does not exist"); clients turn a status back into the
kit error, so a service sees the same exception whether the peer is local or remote.
"""

from __future__ import annotations

import grpc

from parovoz_kit.errors import (
    BusinessRuleViolation,
    Conflict,
    NotFound,
    ParovozError,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)

_TO_STATUS: list[tuple[type[ParovozError], grpc.StatusCode]] = [
    (ValidationFailed, grpc.StatusCode.INVALID_ARGUMENT),
    (Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
    (PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (Conflict, grpc.StatusCode.ABORTED),
    (BusinessRuleViolation, grpc.StatusCode.FAILED_PRECONDITION),
    (Unavailable, grpc.StatusCode.UNAVAILABLE),
]
_FROM_STATUS = {status: error for error, status in _TO_STATUS}
_FROM_STATUS[grpc.StatusCode.DEADLINE_EXCEEDED] = Unavailable


def status_for(error: ParovozError) -> grpc.StatusCode:
    for error_type, status in _TO_STATUS:
        if isinstance(error, error_type):
            return status
    return grpc.StatusCode.INTERNAL


def details_for(error: ParovozError) -> str:
    return f"{error.code}: {error.detail}"


def error_from_status(status: grpc.StatusCode, details: str | None) -> ParovozError:
    error_type = _FROM_STATUS.get(status, ParovozError)
    code, _, detail = (details or "").partition(": ")
    if not detail or not code.isupper():
        return error_type(details or status.name, code=None)
    return error_type(detail, code=code)
