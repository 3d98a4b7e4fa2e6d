"""FastAPI auth dependencies and service tokens, against the real auth stand-in.

The stand-in (deploy/standins/auth) runs with uvicorn on an ephemeral loopback port; the app
under test verifies its tokens through its JWKS, exactly like a service does locally.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Depends, FastAPI
from parovoz_kit.auth import (
    AuthConfig,
    CurrentPrincipal,
    JwtVerifier,
    Principal,
    ServiceTokenConfig,
    ServiceTokenSource,
    install_auth,
    require_roles,
    require_service,
)
from parovoz_kit.errors import Unavailable
from parovoz_kit.http import create_app
from parovoz_kit.settings import ServiceSettings
from pydantic import SecretStr
from standin_auth.app import create_app as create_auth_standin
from standin_auth.settings import AuthSettings

PREFIX = "/api/v1/kit"
USER_ID = "6d1f1f0e-8f7a-4c3e-9a55-2b0f0b7c1a11"


@pytest.fixture(scope="module")
def auth_url() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    app = create_auth_standin(AuthSettings(service_clients=None, service_token_ttl_seconds=300))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "auth stand-in did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def mint(auth_url: str) -> Callable[..., str]:
    def mint_token(sub: str = USER_ID, roles: list[str] | None = None, **extra: Any) -> str:
        body = {"sub": sub, "roles": roles or [], **extra}
        response = httpx.post(f"{auth_url}/tokens", json=body)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    return mint_token


def _router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)

    @router.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"subject": principal.subject, "roles": sorted(principal.roles)}

    @router.get("/moderation")
    async def moderation(
        principal: Annotated[Principal, Depends(require_roles("moderator", "admin"))],
    ) -> dict[str, str]:
        return {"subject": principal.subject}

    @router.post("/internal/jobs/{name}/run", dependencies=[Depends(require_service())])
    async def run_job(name: str) -> dict[str, str]:
        return {"job": name}

    @router.post("/referrals", dependencies=[Depends(require_service("social", "admin"))])
    async def referrals() -> dict[str, str]:
        return {"ok": "yes"}

    return router


@pytest.fixture
async def client(
    auth_url: str, kit_settings: Callable[..., ServiceSettings]
) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(kit_settings(), title="t", description="d", routers=[_router()])
    install_auth(
        app, JwtVerifier.from_config(AuthConfig(jwks_url=f"{auth_url}/.well-known/jwks.json"))
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def single_error(response: httpx.Response) -> dict[str, Any]:
    [error] = response.json()["errors"]
    assert error["status"] == str(response.status_code)
    return error


async def test_a_valid_user_token_reaches_the_route(client: httpx.AsyncClient, mint) -> None:
    response = await client.get(f"{PREFIX}/me", headers=bearer(mint(roles=["curator"])))

    assert response.status_code == 200
    assert response.json() == {"subject": USER_ID, "roles": ["curator"]}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic dXNlcjpwYXNz"}])
async def test_no_bearer_token_is_401_with_a_challenge(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(f"{PREFIX}/me", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="parovoz"'
    error = single_error(response)
    assert error["code"] == "TOKEN_MISSING"
    assert error["title"] == "Требуется аутентификация"
    assert "Authorization: Bearer" in error["detail"] and "токен" in error["detail"]


async def test_an_invalid_token_is_401_invalid_token(client: httpx.AsyncClient, mint) -> None:
    header, payload, _ = mint().split(".")
    forged = f"{header}.{payload}.{'A' * 342}"

    response = await client.get(f"{PREFIX}/me", headers=bearer(forged))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    error = single_error(response)
    assert error["code"] == "TOKEN_INVALID_SIGNATURE"
    assert error["title"] == "Требуется аутентификация"
    assert error["detail"] == "Подпись токена доступа неверна."
    assert payload not in response.text


async def test_auth_refusals_are_english_when_english_is_preferred(
    client: httpx.AsyncClient, mint
) -> None:
    english = {"Accept-Language": "en-GB,en;q=0.9,ru;q=0.5"}
    missing = await client.get(f"{PREFIX}/me", headers=english)
    forbidden = await client.get(
        f"{PREFIX}/moderation", headers={**english, **bearer(mint(roles=["support"]))}
    )

    assert missing.headers["content-language"] == "en"
    assert single_error(missing)["title"] == "Unauthorized"
    assert single_error(missing)["detail"] == "A Bearer access token is required."
    assert single_error(forbidden) == {
        "status": "403",
        "code": "PERMISSION_DENIED",
        "title": "Forbidden",
        "detail": "Your roles do not allow this action.",
    }


async def test_a_missing_role_is_403(client: httpx.AsyncClient, mint) -> None:
    response = await client.get(f"{PREFIX}/moderation", headers=bearer(mint(roles=["support"])))

    assert response.status_code == 403
    assert "www-authenticate" not in response.headers
    assert single_error(response) == {
        "status": "403",
        "code": "PERMISSION_DENIED",
        "title": "Доступ запрещён",
        "detail": "Ваши роли не позволяют выполнить это действие.",
    }
    assert response.headers["content-language"] == "ru"


async def test_any_of_the_required_roles_is_enough(client: httpx.AsyncClient, mint) -> None:
    response = await client.get(f"{PREFIX}/moderation", headers=bearer(mint(roles=["admin"])))

    assert response.status_code == 200


async def test_internal_endpoints_take_service_tokens_only(client: httpx.AsyncClient, mint) -> None:
    path = f"{PREFIX}/internal/jobs/dunning/run"
    as_admin = await client.post(path, headers=bearer(mint(roles=["admin"])))
    as_service = await client.post(path, headers=bearer(mint(sub="service:payment")))

    assert as_admin.status_code == 403 and single_error(as_admin)["code"] == "PERMISSION_DENIED"
    assert as_service.status_code == 200 and as_service.json() == {"job": "dunning"}


async def test_a_named_service_list_admits_only_those_services(
    client: httpx.AsyncClient, mint
) -> None:
    path = f"{PREFIX}/referrals"
    as_social = await client.post(path, headers=bearer(mint(sub="service:social")))
    as_admin_service = await client.post(path, headers=bearer(mint(sub="service:admin")))
    as_payment = await client.post(path, headers=bearer(mint(sub="service:payment")))
    as_user = await client.post(path, headers=bearer(mint(roles=["admin"])))

    assert as_social.status_code == 200 and as_admin_service.status_code == 200
    assert as_payment.status_code == 403
    assert single_error(as_payment)["code"] == "SERVICE_NOT_ALLOWED"
    assert as_user.status_code == 403 and single_error(as_user)["code"] == "PERMISSION_DENIED"


async def test_the_openapi_document_declares_the_bearer_scheme(client: httpx.AsyncClient):
    schemes = (await client.get(f"{PREFIX}/openapi.json")).json()["components"]["securitySchemes"]

    assert schemes["HTTPBearer"]["scheme"] == "bearer"


def token_config(auth_url: str, **overrides: Any) -> ServiceTokenConfig:
    values: dict[str, Any] = {
        "token_url": f"{auth_url}/oauth/token",
        "client_id": "payment",
        "client_secret": SecretStr("payment-dev-secret"),
    }
    values.update(overrides)
    return ServiceTokenConfig(**values)


async def test_service_tokens_are_fetched_once_and_renewed_before_expiry(auth_url: str):
    now = [0.0]
    source = ServiceTokenSource(token_config(auth_url), clock=lambda: now[0])
    verifier = JwtVerifier.from_config(AuthConfig(jwks_url=f"{auth_url}/.well-known/jwks.json"))
    try:
        first = await source.token()
        assert await source.token() == first
        assert source.fetch_count == 1
        principal = await verifier.verify(first)
        assert principal.is_service and principal.service_name == "payment"

        now[0] = 300 - 31  # the stand-in's tokens live 300 s; renewal starts 30 s before
        assert await source.token() == first
        now[0] = 300 - 29
        await source.token()
        assert source.fetch_count == 2
    finally:
        await source.aclose()


async def test_a_wrong_client_secret_is_unavailable_and_never_echoed(
    auth_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret = f"wrong-{uuid.uuid4().hex}"
    source = ServiceTokenSource(token_config(auth_url, client_secret=SecretStr(secret)))
    try:
        with pytest.raises(Unavailable) as caught:
            await source.token()
    finally:
        await source.aclose()

    assert caught.value.code == "SERVICE_TOKEN_UNAVAILABLE"
    assert secret not in str(caught.value) and secret not in caplog.text
