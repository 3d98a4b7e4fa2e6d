"""``CallerId``: the kit's ``CurrentUserId`` (a user token's subject; 401 without a valid token,
403 ``USER_TOKEN_REQUIRED`` for a service token), resolved on the event loop.

The kit's ``get_verifier`` and ``current_user_id`` are plain functions, which FastAPI runs in its
thread pool: two thread hops a request. The game routes are the portal's hottest, so they call
the very same functions in place (as ``team/api.py`` does). When the kit's dependencies become
``async``, ``CallerId`` can go back to being ``CurrentUserId``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from parovoz_kit.auth.dependencies import current_principal, current_user_id, get_verifier
from parovoz_kit.http.openapi import answers_errors

_bearer = HTTPBearer(auto_error=False, description="An access token from the auth service.")


@answers_errors(
    {401: ["TOKEN_MISSING", "TOKEN_INVALID", "TOKEN_EXPIRED"], 403: ["USER_TOKEN_REQUIRED"]}
)
async def caller_id(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> uuid.UUID:
    principal = await current_principal(get_verifier(request), bearer)
    return current_user_id(principal)


#: The signed-in user calling a game route.
CallerId = Annotated[uuid.UUID, Depends(caller_id)]
