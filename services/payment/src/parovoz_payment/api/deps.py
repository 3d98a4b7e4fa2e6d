"""Dependencies of payment's routes: the calling user, the request id for the audit log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from parovoz_kit.auth import CurrentPrincipal
from parovoz_kit.errors import PermissionDenied


def current_user_id(principal: CurrentPrincipal) -> uuid.UUID:
    """A person's endpoint: a service token or a non-user subject is refused (403)."""
    try:
        if principal.is_service:
            raise ValueError
        return uuid.UUID(principal.subject)
    except ValueError:
        raise PermissionDenied(
            "This endpoint is for signed-in users.", code="USER_TOKEN_REQUIRED"
        ) from None


def request_id(request: Request) -> str | None:
    """The caller's ``X-Request-Id``, if any, for the audit log (cut to the column's size)."""
    value = request.headers.get("x-request-id")
    return value[:64] if value else None


CurrentUserId = Annotated[uuid.UUID, Depends(current_user_id)]
RequestId = Annotated[str | None, Depends(request_id)]
