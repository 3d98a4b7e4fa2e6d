"""Dependencies of the portal's routes: the calling user and a fresh unit of work."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from parovoz_kit.auth import CurrentPrincipal
from parovoz_kit.errors import PermissionDenied


def current_user_id(principal: CurrentPrincipal) -> uuid.UUID:
    """The portal is for people: a service token or a non-user subject is refused."""
    try:
        if principal.is_service:
            raise ValueError
        return uuid.UUID(principal.subject)
    except ValueError:
        raise PermissionDenied(
            "This endpoint is for signed-in users.", code="USER_TOKEN_REQUIRED"
        ) from None


CurrentUserId = Annotated[uuid.UUID, Depends(current_user_id)]
