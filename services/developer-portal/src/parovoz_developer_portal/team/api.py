"""Who is calling: ``CurrentActor`` resolves the request's credentials to an :class:`Actor`.

A user token names a team member (their account and role). An API key (``api_keys``), sent as
``X-Api-Key: pk_live_…`` or ``Authorization: Bearer pk_live_…``, acts as its account with the
editor role, on the routes that declare ``CurrentActor`` (versions, builds, submit-for-review);
``CurrentMember`` and ``CurrentUserId`` routes take user tokens only (a key is no JWT: 401).

A route taking ``CurrentActor`` documents the errors of its authentication by itself
(``ACTOR_ERRORS``, marked on ``current_actor`` with the kit's ``answers_errors``: the kit finds
``current_principal`` only where a route depends on it, which a key-taking route cannot).
"""

from __future__ import annotations

import uuid
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.auth.dependencies import current_principal, current_user_id, get_verifier
from parovoz_kit.http.openapi import answers_errors
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.api_keys.domain import looks_like_key
from parovoz_developer_portal.api_keys.repository import RedisRequestCounter
from parovoz_developer_portal.api_keys.service import actor_for_api_key
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.team.domain import Actor
from parovoz_developer_portal.team.service import actor_for_user
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

API_KEY_HEADER = "X-Api-Key"
#: The errors of authentication by ``CurrentActor`` (documented on every route taking it).
ACTOR_ERRORS: dict[int, list[str]] = {
    401: ["TOKEN_MISSING", "TOKEN_INVALID", "TOKEN_EXPIRED", "API_KEY_INVALID"],
    403: ["USER_TOKEN_REQUIRED"],
    429: ["API_KEY_RATE_LIMITED"],
}

# auto_error=False: missing credentials are answered by us, in the platform's error format.
_bearer = HTTPBearer(auto_error=False, description="An access token from the auth service.")
_api_key = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    scheme_name="ApiKey",
    description=(
        "An API key of the developer account (`pk_live_…`), acting as its editor; also "
        "accepted as `Authorization: Bearer pk_live_…`. Versions, builds and "
        "submit-for-review only."
    ),
)

Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _presented_key(header: str | None, bearer: HTTPAuthorizationCredentials | None) -> str | None:
    """The API key sent as ``X-Api-Key``, or as a bearer credential that is a key (not a JWT)."""
    if header is not None:
        return header.strip()
    if bearer is not None and looks_like_key(bearer.credentials):
        return bearer.credentials
    return None


async def _user_id(request: Request, bearer: HTTPAuthorizationCredentials | None) -> uuid.UUID:
    principal = await current_principal(get_verifier(request), bearer)
    return current_user_id(principal)


async def _actor_for_user(infrastructure: Infrastructure, user_id: uuid.UUID) -> Actor:
    async with portal_unit_of_work(infrastructure) as uow:
        return await actor_for_user(uow, user_id)


async def current_member(request: Request, user_id: CurrentUserId) -> Actor:
    """A team member, by user token only (an API key is no JWT: 401 ``TOKEN_MISSING`` or
    ``TOKEN_INVALID``)."""
    return await _actor_for_user(request.app.state.infrastructure, user_id)


@answers_errors(ACTOR_ERRORS)
async def current_actor(
    request: Request,
    bearer: Bearer,
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Actor:
    """A team member by user token, or an API key acting as its account's editor (the routes
    of versions, builds and submit-for-review)."""
    infrastructure: Infrastructure = request.app.state.infrastructure
    plain_key = _presented_key(api_key, bearer)
    if plain_key is None:
        return await _actor_for_user(infrastructure, await _user_id(request, bearer))
    async with portal_unit_of_work(infrastructure) as uow:
        return await actor_for_api_key(
            uow,
            RedisRequestCounter(infrastructure.redis),
            plain_key,
            infrastructure.shared(
                "api_key_rules",
                cast(DeveloperPortalSettings, infrastructure.settings).api_key_rules,
            ),
            infrastructure.clock.now(),
        )


#: Routes every member uses with a user token.
CurrentMember = Annotated[Actor, Depends(current_member)]
#: Routes an API key may also call: versions, builds, submit-for-review.
CurrentActor = Annotated[Actor, Depends(current_actor)]
