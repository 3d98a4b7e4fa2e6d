"""FastAPI dependencies: the current principal from the Bearer token, and role checks.

Wiring, once per app::

    install_auth(app, JwtVerifier.from_config(auth_config))

then in routes::

    @router.get("/me")
    async def me(principal: CurrentPrincipal) -> ...

    @router.post("/internal/jobs/{name}/run", dependencies=[Depends(require_service())])

Tests either install a verifier built on their own keys, or override :func:`request_verifier`
(``app.dependency_overrides[request_verifier] = lambda: verifier``) or :func:`current_principal`.

Every dependency here is ``async def``: FastAPI runs a plain ``def`` dependency in its thread
pool, a hop there and back on every request (a measurable share of a cheap route's time).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from parovoz_kit.auth.principal import Principal
from parovoz_kit.auth.verifier import JwtVerifier
from parovoz_kit.errors import PermissionDenied, Unauthenticated
from parovoz_kit.http.errors import error_for_request

_STATE_KEY = "jwt_verifier"
# auto_error=False: a missing header is answered by us, in the platform's error format.
# HTTPBearer also puts the "Authorize" button (bearer scheme) into the OpenAPI docs.
_bearer = HTTPBearer(auto_error=False, description="An access token from the auth service.")


def install_auth(app: FastAPI, verifier: JwtVerifier) -> None:
    """Make ``verifier`` the app's verifier and answer 401s with ``WWW-Authenticate``."""
    setattr(app.state, _STATE_KEY, verifier)
    # More specific than the ParovozError handler, so it wins for Unauthenticated only.
    app.add_exception_handler(Unauthenticated, _unauthenticated_response)  # type: ignore[arg-type]


def get_verifier(request: Request) -> JwtVerifier:
    verifier = getattr(request.app.state, _STATE_KEY, None)
    if not isinstance(verifier, JwtVerifier):
        # A wiring mistake, not the caller's: it surfaces as a 500 and in the logs.
        raise RuntimeError("no JwtVerifier installed; call install_auth(app, verifier)")
    return verifier


async def request_verifier(request: Request) -> JwtVerifier:
    """:func:`get_verifier` as a dependency (on the event loop, not in the thread pool)."""
    return get_verifier(request)


async def current_principal(
    verifier: Annotated[JwtVerifier, Depends(request_verifier)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated(
            "A Bearer access token is required.",
            code="TOKEN_MISSING",
            detail_ru="Нужен токен доступа: передайте его в заголовке Authorization: Bearer.",
        )
    return await verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting principals holding ANY of ``roles`` (403 otherwise)."""
    wanted = frozenset(roles)
    if not wanted:
        raise ValueError("require_roles needs at least one role")

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any_role(wanted):
            raise PermissionDenied(
                "Your roles do not allow this action.",
                detail_ru="Ваши роли не позволяют выполнить это действие.",
            )
        return principal

    return dependency


def require_service(*names: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting only service tokens (``sub`` = ``service:<name>``); with
    ``names``, only those services (``require_service("social")``), others get 403 too."""
    allowed = frozenset(names)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.is_service:
            raise PermissionDenied(
                "Only platform services may call this endpoint.",
                detail_ru="Этот адрес могут вызывать только сервисы платформы.",
            )
        if allowed and principal.service_name not in allowed:
            raise PermissionDenied(
                "This service may not call this endpoint.",
                code="SERVICE_NOT_ALLOWED",
                detail_ru="Этому сервису не разрешено вызывать этот адрес.",
            )
        return principal

    return dependency


async def _unauthenticated_response(request: Request, exc: Unauthenticated) -> JSONResponse:
    # The platform's error format, in the caller's language (Russian unless it prefers English).
    response = error_for_request(request, exc)
    # RFC 6750 §3: say which scheme is expected, and whether the token sent was the problem.
    challenge = 'Bearer realm="parovoz"'
    if exc.code != "TOKEN_MISSING":
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def current_user_id(principal: CurrentPrincipal) -> uuid.UUID:
    """For endpoints that act for a person: a service token or a non-user subject gets 403."""
    try:
        if principal.is_service:
            raise ValueError
        return uuid.UUID(principal.subject)
    except ValueError:
        raise PermissionDenied(
            "This endpoint is for signed-in users.",
            code="USER_TOKEN_REQUIRED",
            detail_ru="Этот адрес доступен только вошедшим пользователям.",
        ) from None


async def _current_user_id(principal: CurrentPrincipal) -> uuid.UUID:
    # current_user_id stays a plain function (callers use it directly); the dependency is async.
    return current_user_id(principal)


CurrentUserId = Annotated[uuid.UUID, Depends(_current_user_id)]
