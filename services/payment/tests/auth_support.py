"""Test helper: real RS256 tokens from the auth stand-in, as request headers."""

from __future__ import annotations

import uuid

import httpx

AUTH = "http://127.0.0.1:8090"


def auth(subject: uuid.UUID | str, roles: list[str] | None = None) -> dict[str, str]:
    """``Authorization`` for a user (or ``service:<name>``) with these platform roles."""
    token = httpx.post(
        f"{AUTH}/tokens", json={"sub": str(subject), "roles": roles or [], "ttl_seconds": 600}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def service_token(name: str) -> str:
    """A service token for ``name`` (client credentials, the local development secret)."""
    answer = httpx.post(
        f"{AUTH}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": name,
            "client_secret": f"{name}-dev-secret",
        },
    )
    answer.raise_for_status()
    return answer.json()["access_token"]
