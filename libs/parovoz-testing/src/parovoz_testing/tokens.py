"""Real tokens from the running auth stand-in: RS256 user tokens and client-credentials service
tokens, as a test sends them."""

from __future__ import annotations

import uuid

import httpx

from parovoz_testing.platform import AUTH


def user_token(user_id: str, roles: tuple[str, ...] = (), email: str | None = None) -> str:
    """A real RS256 user token from the auth stand-in (carrying a verified ``email`` if given)."""
    body: dict[str, object] = {"sub": user_id, "roles": list(roles), "ttl_seconds": 600}
    if email is not None:
        body["email"] = email
    response = httpx.post(f"{AUTH}/tokens", json=body)
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def service_token(name: str) -> str:
    """A real service token for ``name`` (client credentials, the local development secret)."""
    response = httpx.post(
        f"{AUTH}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": name,
            "client_secret": f"{name}-dev-secret",
        },
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def auth(subject: uuid.UUID | str, roles: list[str] | None = None) -> dict[str, str]:
    """``Authorization`` for a user (or ``service:<name>``) with these platform roles."""
    return {"Authorization": f"Bearer {user_token(str(subject), tuple(roles or ()))}"}
