"""Minting RS256 access tokens with the claims the platform's verifiers expect."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

import jwt

from standin_auth.keyring import Keyring

ISSUER = "parovoz-auth"
AUDIENCE = "parovoz"
USER_ROLES = frozenset({"admin", "moderator", "curator", "support"})
SERVICE_ROLE = "service"
SERVICE_SUBJECT_PREFIX = "service:"
SERVICE_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
MAX_TTL_SECONDS = 86400


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int

    def as_response(self) -> dict[str, str | int]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }


def service_subject(service_name: str) -> str:
    return f"{SERVICE_SUBJECT_PREFIX}{service_name}"


def mint_token(
    keyring: Keyring, sub: str, roles: list[str], ttl_seconds: int, *, email: str | None = None
) -> IssuedToken:
    """A token for ``sub``; a user's ``email`` is carried verified (OpenID Connect's ``email``
    and ``email_verified`` claims), as the real auth service does for a confirmed address."""
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": sub,
        "roles": roles,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": str(uuid.uuid4()),
    }
    if email is not None:
        claims |= {"email": email, "email_verified": True}
    key = keyring.signing_key
    token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    return IssuedToken(access_token=token, expires_in=ttl_seconds)
