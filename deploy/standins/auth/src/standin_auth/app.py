"""The auth stand-in's HTTP API: JWKS, dev token minting, client credentials, key rotation."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any
from urllib.parse import parse_qs, unquote_plus

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from standin_common.web import ApiError, error_item, install_standin_http

from standin_auth.clients import ServiceClients
from standin_auth.keyring import Keyring
from standin_auth.settings import AuthSettings
from standin_auth.tokens import (
    MAX_TTL_SECONDS,
    SERVICE_NAME_PATTERN,
    SERVICE_ROLE,
    SERVICE_SUBJECT_PREFIX,
    USER_ROLES,
    IssuedToken,
    mint_token,
    service_subject,
)

SERVER_NAME = "parovoz-standin-auth"
DEFAULT_USER_TTL_SECONDS = 3600
# Token responses must not be cached (RFC 6749 §5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sub: str = Field(min_length=1, max_length=200, description="user UUID or `service:<name>`")
    roles: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=10)
    ttl_seconds: int | None = Field(default=None, ge=1, le=MAX_TTL_SECONDS, strict=True)
    email: str | None = Field(
        default=None,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="user tokens only: carried as the `email` claim, `email_verified` true",
    )


def create_app(settings: AuthSettings | None = None) -> FastAPI:
    settings = settings or AuthSettings()
    keyring = Keyring(settings.key_dir, settings.published_key_count)
    clients = ServiceClients.from_setting(settings.service_clients)

    app = FastAPI(
        title="Auth STAND-IN (not the real auth service)",
        description="Local/test stand-in for the external auth service. Not for production.",
    )
    install_standin_http(app, SERVER_NAME)

    @app.get("/.well-known/jwks.json", summary="Public signing keys, newest first")
    async def jwks() -> JSONResponse:
        return JSONResponse(keyring.jwks(), headers={"Cache-Control": "public, max-age=60"})

    @app.post("/tokens", summary="Mint a user or service token (development and tests)")
    async def mint(request: TokenRequest) -> JSONResponse:
        if request.sub.startswith(SERVICE_SUBJECT_PREFIX):
            sub, roles = _service_grant(request)
            ttl = request.ttl_seconds or settings.service_token_ttl_seconds
        else:
            sub, roles = _user_grant(request)
            ttl = request.ttl_seconds or DEFAULT_USER_TTL_SECONDS
        return _token_response(mint_token(keyring, sub, roles, ttl, email=request.email))

    @app.post("/oauth/token", summary="OAuth2 client-credentials grant for service tokens")
    async def client_credentials(request: Request) -> JSONResponse:
        form = await _read_form(request)
        name, secret = _client_credentials(request, form)
        if not clients.authenticate(name, secret):
            raise _oauth_error(401, "invalid_client", "Unknown client or wrong secret.")
        grant_type = form.get("grant_type")
        if grant_type is None:
            raise _oauth_error(400, "invalid_request", "grant_type is required.")
        if grant_type != "client_credentials":
            raise _oauth_error(
                400, "unsupported_grant_type", "Only client_credentials is supported."
            )
        token = mint_token(
            keyring, service_subject(name), [SERVICE_ROLE], settings.service_token_ttl_seconds
        )
        return _token_response(token)

    @app.post("/keys/rotate", status_code=201, summary="Add a new signing key, keep old ones")
    async def rotate() -> dict[str, Any]:
        new_key = keyring.rotate()
        return {"kid": new_key.kid, "published_kids": [k["kid"] for k in keyring.jwks()["keys"]]}

    return app


def _token_response(token: IssuedToken) -> JSONResponse:
    return JSONResponse(token.as_response(), headers=NO_STORE)


def _service_grant(request: TokenRequest) -> tuple[str, list[str]]:
    name = request.sub.removeprefix(SERVICE_SUBJECT_PREFIX)
    errors = []
    if not SERVICE_NAME_PATTERN.match(name):
        detail = "The service name must be lowercase kebab-case."
        errors.append(_invalid("INVALID_SUBJECT", detail, "/sub"))
    if request.email is not None:
        errors.append(_invalid("EMAIL_NOT_ALLOWED", "Service tokens carry no e-mail.", "/email"))
    for index, role in enumerate(request.roles):
        if role != SERVICE_ROLE:
            detail = "Service tokens carry only the `service` role."
            errors.append(_invalid("ROLE_NOT_ALLOWED", detail, f"/roles/{index}"))
    if errors:
        raise ApiError(400, errors)
    return service_subject(name), [SERVICE_ROLE]


def _user_grant(request: TokenRequest) -> tuple[str, list[str]]:
    errors = []
    try:
        sub = str(uuid.UUID(request.sub))
    except ValueError:
        sub = request.sub
        detail = "sub must be a user UUID, or `service:<name>` for a service token."
        errors.append(_invalid("INVALID_SUBJECT", detail, "/sub"))
    for index, role in enumerate(request.roles):
        if role == SERVICE_ROLE:
            detail = "The `service` role is only for service tokens (sub `service:<name>`)."
            errors.append(_invalid("ROLE_NOT_ALLOWED", detail, f"/roles/{index}"))
        elif role not in USER_ROLES:
            detail = f"Unknown role; user roles are {', '.join(sorted(USER_ROLES))}."
            errors.append(_invalid("UNKNOWN_ROLE", detail, f"/roles/{index}"))
    if errors:
        raise ApiError(400, errors)
    return sub, list(dict.fromkeys(request.roles))


def _invalid(code: str, detail: str, pointer: str) -> dict[str, Any]:
    return error_item(400, code, detail, pointer=pointer)


async def _read_form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        detail = "Send an application/x-www-form-urlencoded body."
        raise _oauth_error(400, "invalid_request", detail)
    try:
        parsed = parse_qs((await request.body()).decode(), strict_parsing=False)
    except UnicodeDecodeError:
        raise _oauth_error(400, "invalid_request", "The body is not valid UTF-8.") from None
    if any(len(values) > 1 for values in parsed.values()):
        raise _oauth_error(400, "invalid_request", "Each parameter may appear only once.")
    return {key: values[0] for key, values in parsed.items()}


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or client_id/client_secret in the body."""
    authorization = request.headers.get("authorization")
    if authorization and authorization.lower().startswith("basic "):
        if "client_id" in form or "client_secret" in form:
            raise _oauth_error(400, "invalid_request", "Use one client authentication method.")
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise _oauth_error(401, "invalid_client", "Malformed Basic credentials.") from None
        name, _, secret = decoded.partition(":")
        return unquote_plus(name), unquote_plus(secret)
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    if not client_id or not client_secret:
        raise _oauth_error(401, "invalid_client", "Client authentication is required.")
    return client_id, client_secret


def _oauth_error(status: int, oauth_code: str, detail: str) -> ApiError:
    # OAuth2 clients read `error` (RFC 6749 §5.2); our own clients read the `errors` list.
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="parovoz-standin-auth"'
    return ApiError(
        status,
        [error_item(status, oauth_code.upper(), detail)],
        headers=headers,
        extra_body={"error": oauth_code, "error_description": detail},
    )
